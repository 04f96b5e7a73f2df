package wire

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// sigv4Suite is testdata/sigv4_test_suite.json: vectors of AWS's published SigV4 test suite.
type sigv4Suite struct {
	Source string `json:"source"`
	Config struct {
		Service         string    `json:"service"`
		Region          string    `json:"region"`
		AccessKeyID     string    `json:"accessKeyId"`
		SecretAccessKey string    `json:"secretAccessKey"`
		Time            time.Time `json:"time"`
	} `json:"config"`
	Tests []struct {
		Name    string      `json:"name"`
		Method  string      `json:"method"`
		URI     string      `json:"uri"`
		Headers [][2]string `json:"headers"`
		Body    string      `json:"body"`
		Authz   string      `json:"authz"`
	} `json:"tests"`
}

func loadSigV4Suite(t testing.TB) sigv4Suite {
	b, err := os.ReadFile("testdata/sigv4_test_suite.json")
	if err != nil {
		t.Fatal(err)
	}
	var s sigv4Suite
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Tests) == 0 {
		t.Fatal("no vectors")
	}
	return s
}

// TestAWSSigV4TestSuite verifies the requests of AWS's SigV4 test suite with their published
// Authorization lines, and refuses each one with a signature changed by one digit.
func TestAWSSigV4TestSuite(t *testing.T) {
	s := loadSigV4Suite(t)
	for _, v := range s.Tests {
		t.Run(v.Name, func(t *testing.T) {
			build := func(authz string) *http.Request {
				r := httptest.NewRequest(v.Method, v.URI, strings.NewReader(v.Body))
				r.Header = http.Header{}
				for _, h := range v.Headers {
					if strings.EqualFold(h[0], "Host") {
						r.Host = h[1]
						continue
					}
					r.Header.Add(h[0], h[1])
				}
				r.Header.Set("Authorization", authz)
				return r
			}
			r := build(v.Authz)
			cred, err := ParseAuth(r)
			if err != nil {
				t.Fatalf("ParseAuth: %v", err)
			}
			if cred.AccessKey != s.Config.AccessKeyID || cred.Region != s.Config.Region || cred.Service != s.Config.Service {
				t.Errorf("credential %+v, want %s in %s for %s", cred, s.Config.AccessKeyID, s.Config.Region, s.Config.Service)
			}
			if err := Verify(r, []byte(v.Body), s.Config.SecretAccessKey, s.Config.Time); err != nil {
				t.Fatalf("Verify refused AWS's own vector: %v", err)
			}
			last := v.Authz[len(v.Authz)-1]
			flipped := v.Authz[:len(v.Authz)-1] + string("01"[map[bool]int{true: 1}[last == '0']])
			err = Verify(build(flipped), []byte(v.Body), s.Config.SecretAccessKey, s.Config.Time)
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Type != InvalidSignatureException {
				t.Errorf("a changed signature: got %v, want %s", err, InvalidSignatureException)
			}
		})
	}
}

// FuzzParseAuth feeds the Authorization header parser arbitrary headers: it must never panic, and
// it either accepts a credential or refuses with an AWS error type and a message.
func FuzzParseAuth(f *testing.F) {
	for _, v := range loadSigV4Suite(f).Tests {
		f.Add(v.Authz, "20150830T123600Z")
	}
	f.Add("", "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request", "x")
	f.Add("AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders", "20150830T123600Z")
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kinesis/aws4_request, SignedHeaders=, Signature=", "")
	f.Fuzz(func(t *testing.T, authz, date string) {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("Authorization", authz)
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		cred, err := ParseAuth(r)
		if err != nil {
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Type == "" {
				t.Fatalf("%q: error %v is not an AWS error", authz, err)
			}
			if ae.Type != MissingAuthenticationTokenException && ae.Message == "" {
				t.Fatalf("%q: %s without a message", authz, ae.Type)
			}
			return
		}
		if cred.AccessKey == "" && cred.Region == "" && cred.Service == "" && cred.Date == "" {
			t.Fatalf("%q: accepted with an empty credential", authz)
		}
		_ = Verify(r, nil, "secret", time.Now())
	})
}
