package emulator_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/pelicanhq/pelican/emulator"
)

// Answers carry Content-Length, as AWS's do, rather than a chunked body: success and error alike.
func TestAnswersCarryContentLength(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("s", 1), emulator.WithStream("bench", 2))
	for _, tc := range []struct{ target, body string }{
		{"PutRecords", string(putRecordsBody(t))},
		{"DescribeStreamSummary", `{"StreamName":"s"}`},
		{"DescribeStreamSummary", `{"StreamName":"missing"}`},
	} {
		r := signedRequest(tc.target, []byte(tc.body))
		req, err := http.NewRequest(http.MethodPost, srv.URL(), bytes.NewReader([]byte(tc.body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = r.Header
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(resp.TransferEncoding) > 0 || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Fatalf("%s: status %d, Content-Length %q, transfer encoding %v, %d bytes of body", tc.target, resp.StatusCode, resp.Header.Get("Content-Length"), resp.TransferEncoding, len(body))
		}
	}
}
