package pelicantest

import (
	"io"
	"net/http"
	"time"
)

// HTTPClient returns the HTTP client the helpers give the AWS SDK: a transport of its own (so that
// tests do not share connections) whose request bodies hide io.WriterTo.
//
// Why: aws-sdk-go-v2 closes a request body as soon as the response headers arrive, after which the
// body's WriteTo answers io.EOF. net/http, once it has written a body of known length, copies what
// is left of it to io.Discard to check that nothing is, through WriteTo when the body has one; if
// the response won the race, that copy fails and the transport closes the connection under the
// response, which the SDK reports as "use of closed network connection". Over HTTP/1.1 that hits
// long answers and SubscribeToShard streams at random. A plain Read answers io.EOF, which is no
// error.
func HTTPClient() *http.Client {
	return &http.Client{Transport: Transport(nil), Timeout: 5 * time.Minute}
}

// Transport wraps base (a clone of http.DefaultTransport when nil) so that request bodies hide
// io.WriterTo; see HTTPClient.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		base = t
	}
	return plainBodies{base}
}

type plainBodies struct{ rt http.RoundTripper }

func (p plainBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = readOnlyBody{req.Body}
	}
	return p.rt.RoundTrip(req)
}

// readOnlyBody has only Read and Close, whatever the body it wraps has.
type readOnlyBody struct{ io.ReadCloser }
