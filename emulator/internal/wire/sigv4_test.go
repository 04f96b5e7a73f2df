package wire

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAccessKey = "AKIDEXAMPLE"
	testSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

var signTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// onTheWire sends req through its wire form and reads it back as a server does, so that Host,
// Content-Length and the raw path and query are what a handler sees.
func onTheWire(t *testing.T, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, req.Write(&buf))
	srv, err := http.ReadRequest(bufio.NewReader(&buf))
	require.NoError(t, err)
	body, err := io.ReadAll(srv.Body)
	require.NoError(t, err)
	return srv, body
}

// sdkSigning records the canonical request and string to sign the SDK signer logs.
type sdkSigning struct{ canonical, stringToSign string }

func signOptions(rec *sdkSigning) func(*v4.SignerOptions) {
	return func(o *v4.SignerOptions) {
		o.LogSigning = true
		o.Logger = logging.LoggerFunc(func(_ logging.Classification, _ string, v ...any) {
			rec.canonical, rec.stringToSign = v[0].(string), v[1].(string)
		})
	}
}

type signCase struct {
	method, target string
	body           []byte
	header         map[string]string
	payloadHash    string // what the signer is told; the body's SHA-256 when empty
	sessionToken   string
}

// signed builds a request, signs it with the SDK's SigV4 signer at signTime, and returns the
// server's view of it.
func signed(t *testing.T, c signCase) (*http.Request, []byte, sdkSigning) {
	t.Helper()
	method := cmpOr(c.method, http.MethodPost)
	req, err := http.NewRequest(method, "http://127.0.0.1:4567"+cmpOr(c.target, "/"), bytes.NewReader(c.body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ContentTypeJSON)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecord")
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	var rec sdkSigning
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret, SessionToken: c.sessionToken}
	err = v4.NewSigner(signOptions(&rec)).SignHTTP(context.Background(), creds, req,
		cmpOr(c.payloadHash, sha256Hex(c.body)), "kinesis", "us-east-1", signTime)
	require.NoError(t, err)
	srv, body := onTheWire(t, req)
	return srv, body, rec
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func requireAuthError(t *testing.T, err error, typ string) *AuthError {
	t.Helper()
	var ae *AuthError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, typ, ae.Type)
	assert.Equal(t, ae.Message, ae.Error())
	return ae
}

func TestVerifyAcceptsRequestsSignedByTheSDK(t *testing.T) {
	body := []byte(`{"StreamName":"orders","Data":"aGVsbG8=","PartitionKey":"k"}`)
	tests := map[string]signCase{
		"body hash computed":                {body: body},
		"body hash in x-amz-content-sha256": {body: body, header: map[string]string{"X-Amz-Content-Sha256": sha256Hex(body)}},
		"unsigned payload":                  {body: body, payloadHash: unsignedPayload, header: map[string]string{"X-Amz-Content-Sha256": unsignedPayload}},
		"session token":                     {body: body, sessionToken: "FwoGZXIvYXdzEXAMPLE"},
		"empty body":                        {method: http.MethodGet},
		"escaped path and query": {
			method: http.MethodGet,
			target: "/a%20b/c%2Fd/~x?b=2&a=1&a=0&space=x%20y&plus=a+b&tilde=~&empty=&uni=%C3%A9",
		},
		"header values with runs of spaces": {body: body, header: map[string]string{"X-Amz-Meta-Note": "  two   spaces  "}},
	}
	for name, c := range tests {
		t.Run(name, func(t *testing.T) {
			req, got, rec := signed(t, c)
			cred, err := ParseAuth(req)
			require.NoError(t, err)
			assert.Equal(t, Credential{AccessKey: testAccessKey, Date: "20240102", Region: "us-east-1", Service: "kinesis"}, cred)
			require.NoError(t, Verify(req, got, testSecret, signTime.Add(time.Minute)))

			// With the wrong secret the answer shows the canonical request; it must be the SDK's.
			err = Verify(req, got, "wrong", signTime)
			ae := requireAuthError(t, err, InvalidSignatureException)
			assert.Equal(t, msgSignatureMismatch+"\n\nThe Canonical String for this request should have been\n'"+rec.canonical+
				"'\n\nThe String-to-Sign should have been\n'"+rec.stringToSign+"'\n", ae.Message)
		})
	}
}

func TestVerifyCanonicalizesTheQuery(t *testing.T) {
	// The SDK sends its query already in canonical order; another client may not. The same
	// parameters in any order and any valid escaping sign the same.
	req, body, _ := signed(t, signCase{method: http.MethodGet, target: "/?b=2&a=1&a=0&plus=a+b&tilde=~&uni=%C3%A9"})
	require.NoError(t, Verify(req, body, testSecret, signTime))
	req.URL.RawQuery = "uni=%c3%a9&tilde=%7E&plus=a%20b&b=2&a=1&a=0"
	require.NoError(t, Verify(req, body, testSecret, signTime))
	req.URL.RawQuery = "uni=%c3%a9&tilde=%7E&plus=a%20b&b=2&a=1&a=1"
	requireAuthError(t, Verify(req, body, testSecret, signTime), InvalidSignatureException)
}

func TestVerifyRefusesTamperedRequests(t *testing.T) {
	body := []byte(`{"StreamName":"orders","Data":"aGVsbG8=","PartitionKey":"k"}`)
	other := []byte(`{"StreamName":"orders","Data":"Ynll","PartitionKey":"k"}`)
	tests := map[string]struct {
		c      signCase
		tamper func(r *http.Request, body []byte) []byte
	}{
		"body": {signCase{body: body}, func(_ *http.Request, _ []byte) []byte { return other }},
		"body under a declared hash": {signCase{body: body, header: map[string]string{"X-Amz-Content-Sha256": sha256Hex(body)}},
			func(_ *http.Request, _ []byte) []byte { return other }},
		"signed header": {signCase{body: body}, func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Target", "Kinesis_20131202.DeleteStream")
			return b
		}},
		"method": {signCase{body: body}, func(r *http.Request, b []byte) []byte { r.Method = http.MethodPut; return b }},
		"path": {signCase{body: body, target: "/a"}, func(r *http.Request, b []byte) []byte {
			r.URL.Path, r.URL.RawPath = "/b", ""
			return b
		}},
		"query": {signCase{method: http.MethodGet, target: "/?a=1"}, func(r *http.Request, b []byte) []byte {
			r.URL.RawQuery = "a=2"
			return b
		}},
		"host": {signCase{body: body}, func(r *http.Request, b []byte) []byte { r.Host = "evil.example"; return b }},
		"signature": {signCase{body: body}, func(r *http.Request, b []byte) []byte {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature=00", 1))
			return b
		}},
		"signature not hex": {signCase{body: body}, func(r *http.Request, b []byte) []byte {
			auth := r.Header.Get("Authorization")
			r.Header.Set("Authorization", auth[:len(auth)-1]+"z")
			return b
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			req, got, _ := signed(t, tt.c)
			require.NoError(t, Verify(req, got, testSecret, signTime), "the untouched request verifies")
			got = tt.tamper(req, got)
			err := Verify(req, got, testSecret, signTime)
			ae := requireAuthError(t, err, InvalidSignatureException)
			assert.True(t, strings.HasPrefix(ae.Message, msgSignatureMismatch), ae.Message)
		})
	}
}

func TestVerifyClockSkew(t *testing.T) {
	req, body, _ := signed(t, signCase{body: []byte("{}")})
	tests := []struct {
		name string
		now  time.Time
		want string // empty when the request passes
	}{
		{"same second", signTime, ""},
		{"five minutes late", signTime.Add(5 * time.Minute), ""},
		{"five minutes early", signTime.Add(-5 * time.Minute), ""},
		{"too late", signTime.Add(5*time.Minute + time.Second),
			"Signature expired: 20240102T030405Z is now earlier than 20240102T030406Z (20240102T030906Z - 5 min.)"},
		{"too early", signTime.Add(-5*time.Minute - time.Second),
			"Signature not yet current: 20240102T030405Z is still later than 20240102T030404Z (20240102T025904Z + 5 min.)"},
		{"server clock in another zone", signTime.In(time.FixedZone("UTC+9", 9*3600)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(req, body, testSecret, tt.now)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			ae := requireAuthError(t, err, InvalidSignatureException)
			assert.Equal(t, tt.want, ae.Message)
		})
	}
}

func TestVerifyPresignedRequests(t *testing.T) {
	presign := func(t *testing.T, expires string) (*http.Request, []byte) {
		t.Helper()
		target := "http://127.0.0.1:4567/?Action=SubscribeToShard"
		if expires != "" {
			target += "&X-Amz-Expires=" + expires
		}
		req, err := http.NewRequest(http.MethodGet, target, nil)
		require.NoError(t, err)
		url, header, err := v4.NewSigner().PresignHTTP(context.Background(),
			aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}, req, sha256Hex(nil), "kinesis", "us-east-1", signTime)
		require.NoError(t, err)
		out, err := http.NewRequest(http.MethodGet, url, nil)
		require.NoError(t, err)
		for k, v := range header {
			if k != "Host" {
				out.Header[k] = v
			}
		}
		return onTheWire(t, out)
	}

	t.Run("valid", func(t *testing.T) {
		req, body := presign(t, "")
		cred, err := ParseAuth(req)
		require.NoError(t, err)
		assert.Equal(t, "us-east-1", cred.Region)
		require.NoError(t, Verify(req, body, testSecret, signTime.Add(time.Minute)))
		requireAuthError(t, Verify(req, body, "wrong", signTime), InvalidSignatureException)
	})
	t.Run("within X-Amz-Expires", func(t *testing.T) {
		req, body := presign(t, "900")
		require.NoError(t, Verify(req, body, testSecret, signTime.Add(10*time.Minute)))
	})
	t.Run("after X-Amz-Expires", func(t *testing.T) {
		req, body := presign(t, "60")
		ae := requireAuthError(t, Verify(req, body, testSecret, signTime.Add(61*time.Second)), InvalidSignatureException)
		assert.Equal(t, "Signature expired: 20240102T030405Z is now earlier than 20240102T030406Z (20240102T030506Z - 60 sec.)", ae.Message)
	})
	t.Run("tampered query", func(t *testing.T) {
		req, body := presign(t, "")
		req.URL.RawQuery = strings.Replace(req.URL.RawQuery, "SubscribeToShard", "DeleteStream", 1)
		requireAuthError(t, Verify(req, body, testSecret, signTime), InvalidSignatureException)
	})
}

func TestParseAuthErrorsInAWSWords(t *testing.T) {
	good := "AWS4-HMAC-SHA256 Credential=AKID/20130609/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd"
	tests := []struct {
		name          string
		query, header string
		date          map[string]string
		wantType      string
		wantMessage   string
	}{
		{"no authentication", "", "", nil, MissingAuthenticationTokenException, ""},
		{"query without X-Amz-Algorithm", "X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d", "", nil,
			MissingAuthenticationTokenException, ""},
		{"header and query", "X-Amz-Algorithm", "X", nil, InvalidSignatureException,
			"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
		{"bare header", "", "X", nil, IncompleteSignatureException,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=X"},
		{"space separated", "", "AWS4- Signature=b Credential=a", map[string]string{"Date": "a"}, IncompleteSignatureException,
			"Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b Credential=a"},
		{"comma separated", "", "AWS4- Signature=b,Credential=a", map[string]string{"Date": "a"}, IncompleteSignatureException,
			"Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b,Credential=a"},
		{"comma and space separated", "", "AWS4- Signature=b, Credential=a", map[string]string{"Date": "a"}, IncompleteSignatureException,
			"Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a"},
		{"pair without equal sign", "", "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders", nil, IncompleteSignatureException,
			"'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'."},
		{"empty presigned query", "X-Amz-Algorithm", "", nil, IncompleteSignatureException,
			"AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
				"AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{"date not ISO 8601 basic", "", good, map[string]string{"X-Amz-Date": "201"}, IncompleteSignatureException,
			"Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"X-Amz-Date wins over Date", "", good, map[string]string{"X-Amz-Date": "201", "Date": "Sun, 09 Jun 2013 10:07:59 GMT"},
			IncompleteSignatureException, "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"host not signed", "",
			"AWS4-HMAC-SHA256 Credential=AKID/20130609/us-east-1/kinesis/aws4_request, SignedHeaders=x-amz-date, Signature=abcd",
			map[string]string{"X-Amz-Date": "20130609T100759Z"}, InvalidSignatureException,
			"'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{"unsupported algorithm", "",
			"AWS4-HMAC-SHA25 Credential=AKID/20130609/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=abcd",
			map[string]string{"X-Amz-Date": "20130609T100759Z"}, IncompleteSignatureException,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "},
		{"credential of four parts", "", "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=abcd",
			map[string]string{"X-Amz-Date": "20130609T100759Z"}, IncompleteSignatureException,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"},
		{"wrong terminator and date", "", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=abcd",
			map[string]string{"X-Amz-Date": "20130609T095204Z"}, InvalidSignatureException,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20130609', from '20130609T095204Z'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "http://127.0.0.1:4567/"
			if tt.query != "" {
				target += "?" + tt.query
			}
			req := httptest.NewRequest(http.MethodPost, target, strings.NewReader("{}"))
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			for k, v := range tt.date {
				req.Header.Set(k, v)
			}
			_, err := ParseAuth(req)
			ae := requireAuthError(t, err, tt.wantType)
			assert.Equal(t, tt.wantMessage, ae.Message)
			assert.Equal(t, err, Verify(req, []byte("{}"), testSecret, signTime), "Verify refuses first for the same reason")
		})
	}
}

func TestParseAuthAcceptsTheDateHeaderAndTrailingSlashes(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4567/", strings.NewReader("{}"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20130609/eu-west-1/kinesis/aws4_request/, SignedHeaders=date;host, Signature=00")
	req.Header.Set("Date", "Sun, 09 Jun 2013 10:07:59 GMT")
	cred, err := ParseAuth(req)
	require.NoError(t, err)
	assert.Equal(t, Credential{AccessKey: "AKID", Date: "20130609", Region: "eu-west-1", Service: "kinesis"}, cred)

	// The string to sign carries the Date header's time in ISO 8601 basic format.
	err = Verify(req, []byte("{}"), testSecret, time.Date(2013, 6, 9, 10, 8, 0, 0, time.UTC))
	ae := requireAuthError(t, err, InvalidSignatureException)
	assert.Contains(t, ae.Message, "'AWS4-HMAC-SHA256\n20130609T100759Z\n20130609/eu-west-1/kinesis/aws4_request\n")
	assert.Contains(t, ae.Message, "\ndate:Sun, 09 Jun 2013 10:07:59 GMT\nhost:127.0.0.1:4567\n")
}

func TestCheckScope(t *testing.T) {
	c := Credential{AccessKey: "AKID", Date: "20130609", Region: "c", Service: "d"}
	assert.NoError(t, CheckScope(c, "", ""))
	assert.NoError(t, CheckScope(c, "c", "d"))
	ae := requireAuthError(t, CheckScope(c, "us-east-1", "kinesis"), InvalidSignatureException)
	assert.Equal(t, "Credential should be scoped to a valid region, not 'c'. Credential should be scoped to correct service: 'kinesis'. ", ae.Message)
}

// newUnrecognizedClientError is what a server answers for an access key it does not know.
func newUnrecognizedClientError() *AuthError {
	return &AuthError{Type: UnrecognizedClientException, Message: "The security token included in the request is invalid."}
}

// TestVerifyRequestsOfTheKinesisClient checks whole requests of the real Go SDK v2 client, with
// every header its middleware adds, against a server that answers refusals as AWS does.
func TestVerifyRequestsOfTheKinesisClient(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []error
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		err = func() error {
			cred, err := ParseAuth(r)
			if err != nil {
				return err
			}
			if err := CheckScope(cred, "us-east-1", "kinesis"); err != nil {
				return err
			}
			if cred.AccessKey != testAccessKey {
				return newUnrecognizedClientError()
			}
			return Verify(r, body, testSecret, time.Now())
		}()
		mu.Lock()
		seen = append(seen, err)
		mu.Unlock()
		w.Header().Set("Content-Type", ContentTypeJSON)
		var ae *AuthError
		if errors.As(err, &ae) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(JSON.EncodeError(ae.Type, ae.Message))
			return
		}
		switch r.Header.Get("X-Amz-Target") {
		case "Kinesis_20131202.ListStreams":
			_, _ = io.WriteString(w, `{"StreamNames":[],"HasMoreStreams":false}`)
		default:
			_, _ = io.WriteString(w, `{"SequenceNumber":"1","ShardId":"shardId-000000000000"}`)
		}
	}))
	defer srv.Close()

	client := func(key, secret, region string) *kinesis.Client {
		return kinesis.NewFromConfig(aws.Config{
			Region:           region,
			Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
			HTTPClient:       srv.Client(),
			RetryMaxAttempts: 1,
		}, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	}
	ctx := context.Background()
	good := client(testAccessKey, testSecret, "us-east-1")
	_, err := good.ListStreams(ctx, &kinesis.ListStreamsInput{})
	require.NoError(t, err)
	_, err = good.PutRecord(ctx, &kinesis.PutRecordInput{
		StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte("x"), 4096),
	})
	require.NoError(t, err)

	for _, tt := range []struct {
		name, key, secret, region, wantCode string
	}{
		{"wrong secret", testAccessKey, "wrong", "us-east-1", InvalidSignatureException},
		{"unknown key", "AKIDUNKNOWN", testSecret, "us-east-1", UnrecognizedClientException},
		{"other region", testAccessKey, testSecret, "eu-west-1", InvalidSignatureException},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client(tt.key, tt.secret, tt.region).ListStreams(ctx, &kinesis.ListStreamsInput{})
			var apiErr smithy.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantCode, apiErr.ErrorCode())
		})
	}

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 5)
	assert.NoError(t, seen[0], "ListStreams")
	assert.NoError(t, seen[1], "PutRecord")
	for i, want := range []string{InvalidSignatureException, UnrecognizedClientException, InvalidSignatureException} {
		requireAuthError(t, seen[2+i], want)
	}
}

// TestAuthorityPseudoHeaderStandsForHost pins what the JavaScript SDK v3 sends over HTTP/2: it
// signs ":authority" rather than "host", with the host as its value.
func TestAuthorityPseudoHeaderStandsForHost(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4567/", strings.NewReader("{}"))
	r.Host = "127.0.0.1:4567"
	r.Header.Set("X-Amz-Date", "20260301T120000Z")
	const signed = ":authority;x-amz-date"
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/kinesis/aws4_request, SignedHeaders="+signed+", Signature=00")
	if _, err := ParseAuth(r); err != nil {
		t.Fatalf("ParseAuth refused a request signed with :authority: %v", err)
	}
	if got := headerValue(r, ":authority"); got != "127.0.0.1:4567" {
		t.Fatalf(":authority canonical value %q, want the host", got)
	}
}
