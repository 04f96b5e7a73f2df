package pelicantest

import (
	"net/http"
	"time"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

// HTTPClient returns the HTTP client the helpers give the AWS SDK: a transport of its own (so that
// tests do not share connections) whose request bodies hide io.WriterTo.
//
// Why: aws-sdk-go-v2 closes a request body as soon as the response headers arrive, after which the
// body's WriteTo answers io.EOF. net/http, once it has written a body of known length, copies what
// is left of it to io.Discard with io.Copy, through WriteTo when the body has one, and takes that
// io.EOF for an error; if the response won the race, the transport closes the connection under the
// response, which the SDK reports as "use of closed network connection" and retries, sending a
// PutRecords that was already stored again. See the README's "Your own AWS SDK client".
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
	return sdkhttp.Transport(base)
}
