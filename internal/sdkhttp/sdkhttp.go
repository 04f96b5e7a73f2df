package sdkhttp

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Wrap returns c sending request bodies that hide io.WriterTo. A nil c stands for the SDK's own
// default client, so that Wrap(cfg.HTTPClient) keeps what the SDK's configuration gave the
// client (a CA bundle from AWS_CA_BUNDLE, say). A client already wrapped is returned as it is.
func Wrap(c aws.HTTPClient) aws.HTTPClient {
	if c == nil {
		c = awshttp.NewBuildableClient()
	}
	if Wrapped(c) {
		return c
	}
	return client{c}
}

// Transport returns base sending request bodies that hide io.WriterTo, for an *http.Client that
// the SDK is given. A nil base is a clone of http.DefaultTransport.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	if _, ok := base.(transport); ok {
		return base
	}
	return transport{base}
}

// Wrapped reports whether c hides io.WriterTo on request bodies: it came from Wrap, or it is an
// *http.Client whose Transport came from Transport.
func Wrapped(c aws.HTTPClient) bool {
	switch c := c.(type) {
	case client:
		return true
	case *http.Client:
		_, ok := c.Transport.(transport)
		return ok
	}
	return false
}

type client struct{ c aws.HTTPClient }

func (c client) Do(req *http.Request) (*http.Response, error) { return c.c.Do(plain(req)) }

type transport struct{ rt http.RoundTripper }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.rt.RoundTrip(plain(req))
}

// plain returns a shallow copy of req whose body has only Read and Close; req itself is left as
// it is, as http.RoundTripper asks.
func plain(req *http.Request) *http.Request {
	if req.Body == nil || req.Body == http.NoBody {
		return req
	}
	if _, ok := req.Body.(readCloser); ok {
		return req
	}
	out := *req
	out.Body = readCloser{req.Body}
	return &out
}

// readCloser has only Read and Close, whatever the body it wraps has.
type readCloser struct{ io.ReadCloser }
