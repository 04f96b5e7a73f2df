package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AWS error types of request authentication, the __type of the answer.
const (
	MissingAuthenticationTokenException = "MissingAuthenticationTokenException"
	IncompleteSignatureException        = "IncompleteSignatureException"
	InvalidSignatureException           = "InvalidSignatureException"
	UnrecognizedClientException         = "UnrecognizedClientException"
)

// MaxClockSkew is how far a request's signing time may stray from the server's clock; Kinesis
// allows five minutes either way.
const MaxClockSkew = 5 * time.Minute

const (
	sigv4Algorithm  = "AWS4-HMAC-SHA256"
	sigv4Terminator = "aws4_request"
	amzDateFormat   = "20060102T150405Z"
	unsignedPayload = "UNSIGNED-PAYLOAD"

	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// Credential is the credential scope of a signed request.
type Credential struct{ AccessKey, Date, Region, Service string }

// AuthError is a request AWS refuses before reading it: Type is the AWS __type and Message the
// AWS wording of what the parser found wrong (empty for MissingAuthenticationTokenException, whose
// fixed wording the server's error type owns). AWS answers all of them with HTTP 400 in the JSON
// and CBOR protocols.
type AuthError struct{ Type, Message string }

// Error returns the message.
func (e *AuthError) Error() string { return e.Message }

func authError(typ, format string, args ...any) *AuthError {
	return &AuthError{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// signedRequest is what the signature covers, as the request states it.
type signedRequest struct {
	cred          Credential
	credential    string // the Credential value as sent
	signedHeaders []string
	signature     string
	amzDate       string // signing time in ISO 8601 basic format
	when          time.Time
	presigned     bool
	expires       time.Duration // X-Amz-Expires of a presigned request, zero when absent
}

// ParseAuth reads the Authorization header (AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...) or presigned query parameters (X-Amz-Algorithm, X-Amz-Credential, ...).
func ParseAuth(r *http.Request) (Credential, error) {
	s, err := parseAuth(r)
	if err != nil {
		return Credential{}, err
	}
	return s.cred, nil
}

// parseAuth checks the request's signing information in the order AWS does: presence, date
// format, the signed Host header, the algorithm, and the credential scope.
func parseAuth(r *http.Request) (*signedRequest, *AuthError) {
	header := r.Header.Get("Authorization")
	query := r.URL.Query()
	_, hasQueryAuth := query["X-Amz-Algorithm"]
	switch {
	case header != "" && hasQueryAuth:
		return nil, authError(InvalidSignatureException,
			"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case header == "" && !hasQueryAuth:
		return nil, &AuthError{Type: MissingAuthenticationTokenException}
	}

	var (
		s         signedRequest
		algorithm string
		date      string
		isAmzDate bool
		signed    string
	)
	if header != "" {
		algo, rest, _ := strings.Cut(strings.TrimSpace(header), " ")
		algorithm = algo
		params := map[string]string{}
		for _, part := range strings.FieldsFunc(rest, func(c rune) bool { return c == ',' || c == ' ' }) {
			k, v, ok := strings.Cut(part, "=")
			if !ok {
				return nil, authError(IncompleteSignatureException,
					"'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, header)
			}
			params[k] = v
		}
		var missing strings.Builder
		for _, p := range []string{"Credential", "Signature", "SignedHeaders"} {
			if params[p] == "" {
				fmt.Fprintf(&missing, "Authorization header requires '%s' parameter. ", p)
			}
		}
		date, isAmzDate = r.Header.Get("X-Amz-Date"), true
		if date == "" {
			date, isAmzDate = r.Header.Get("Date"), false
		}
		if date == "" {
			missing.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
		}
		if missing.Len() > 0 {
			return nil, authError(IncompleteSignatureException, "%sAuthorization=%s", missing.String(), header)
		}
		s.credential, s.signature, signed = params["Credential"], params["Signature"], params["SignedHeaders"]
	} else {
		var missing strings.Builder
		for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
			if query.Get(p) == "" {
				fmt.Fprintf(&missing, "AWS query-string parameters must include '%s'. ", p)
			}
		}
		if missing.Len() > 0 {
			return nil, authError(IncompleteSignatureException, "%sRe-examine the query-string parameters.", missing.String())
		}
		s.presigned = true
		algorithm = query.Get("X-Amz-Algorithm")
		s.credential, s.signature, signed = query.Get("X-Amz-Credential"), query.Get("X-Amz-Signature"), query.Get("X-Amz-SignedHeaders")
		date, isAmzDate = query.Get("X-Amz-Date"), true
		if v := query.Get("X-Amz-Expires"); v != "" {
			secs, err := strconv.Atoi(v)
			if err != nil || secs < 0 {
				return nil, authError(IncompleteSignatureException, "X-Amz-Expires must be a non-negative integer, got '%s'.", v)
			}
			s.expires = time.Duration(secs) * time.Second
		}
	}

	var err error
	s.when, err = parseSigningDate(date, isAmzDate)
	if err != nil {
		return nil, authError(IncompleteSignatureException,
			"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", date)
	}
	s.when = s.when.UTC()
	s.amzDate = s.when.Format(amzDateFormat)

	for h := range strings.SplitSeq(signed, ";") {
		s.signedHeaders = append(s.signedHeaders, strings.ToLower(strings.TrimSpace(h)))
	}
	// Over HTTP/2 the host travels as the :authority pseudo-header, and clients that sign HTTP/2
	// requests (the JavaScript SDK v3) sign that name instead.
	if !slices.Contains(s.signedHeaders, "host") && !slices.Contains(s.signedHeaders, ":authority") {
		return nil, authError(InvalidSignatureException, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if algorithm != sigv4Algorithm {
		return nil, authError(IncompleteSignatureException,
			"Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now). ", algorithm)
	}

	scope := strings.Split(strings.TrimRight(s.credential, "/"), "/")
	if len(scope) != 5 {
		return nil, authError(IncompleteSignatureException,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", s.credential)
	}
	s.cred = Credential{AccessKey: scope[0], Date: scope[1], Region: scope[2], Service: scope[3]}
	var wrong strings.Builder
	if scope[4] != sigv4Terminator {
		fmt.Fprintf(&wrong, "Credential should be scoped with a valid terminator: '%s', not '%s'. ", sigv4Terminator, scope[4])
	}
	if s.cred.Date != s.amzDate[:8] {
		fmt.Fprintf(&wrong, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			s.cred.Date, s.amzDate[:8], s.amzDate)
	}
	if wrong.Len() > 0 {
		return nil, authError(InvalidSignatureException, "%s", wrong.String())
	}
	return &s, nil
}

// CheckScope refuses a credential scoped to another region or service; an empty region or
// service accepts any.
func CheckScope(c Credential, region, service string) error {
	var wrong strings.Builder
	if region != "" && c.Region != region {
		fmt.Fprintf(&wrong, "Credential should be scoped to a valid region, not '%s'. ", c.Region)
	}
	if service != "" && c.Service != service {
		fmt.Fprintf(&wrong, "Credential should be scoped to correct service: '%s'. ", service)
	}
	if wrong.Len() > 0 {
		return authError(InvalidSignatureException, "%s", wrong.String())
	}
	return nil
}

// Verify checks the signature with the secret for the credential's access key, over the exact
// request (method, path, query, signed headers, body hash: x-amz-content-sha256 or the SHA-256 of body).
// The body hash is always the SHA-256 of body unless the client declared UNSIGNED-PAYLOAD, so a
// body changed after signing fails even when its declared hash was left alone.
func Verify(r *http.Request, body []byte, secret string, now time.Time) error {
	s, aerr := parseAuth(r)
	if aerr != nil {
		return aerr
	}
	if err := checkTime(s, now.UTC()); err != nil {
		return err
	}
	canonical := canonicalRequest(r, s, payloadHash(r, body))
	sum := sha256.Sum256([]byte(canonical))
	scope := strings.Join([]string{s.cred.Date, s.cred.Region, s.cred.Service, sigv4Terminator}, "/")
	toSign := strings.Join([]string{sigv4Algorithm, s.amzDate, scope, hex.EncodeToString(sum[:])}, "\n")

	key := hmacSHA256([]byte("AWS4"+secret), s.cred.Date)
	for _, part := range []string{s.cred.Region, s.cred.Service, sigv4Terminator} {
		key = hmacSHA256(key, part)
	}
	want := hmacSHA256(key, toSign)
	got, err := hex.DecodeString(s.signature)
	if err != nil || !hmac.Equal(want, got) {
		return authError(InvalidSignatureException,
			"%s\n\nThe Canonical String for this request should have been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n",
			msgSignatureMismatch, canonical, toSign)
	}
	return nil
}

// checkTime refuses a signing time more than MaxClockSkew away from now, in AWS's words; a
// presigned request also expires after its X-Amz-Expires.
func checkTime(s *signedRequest, now time.Time) *AuthError {
	f := func(t time.Time) string { return t.Format(amzDateFormat) }
	skew := int(MaxClockSkew / time.Minute)
	if s.when.After(now.Add(MaxClockSkew)) {
		return authError(InvalidSignatureException, "Signature not yet current: %s is still later than %s (%s + %d min.)",
			f(s.when), f(now.Add(MaxClockSkew)), f(now), skew)
	}
	if s.presigned && s.expires > 0 {
		if now.After(s.when.Add(s.expires)) {
			return authError(InvalidSignatureException, "Signature expired: %s is now earlier than %s (%s - %d sec.)",
				f(s.when), f(now.Add(-s.expires)), f(now), int(s.expires/time.Second))
		}
		return nil
	}
	if s.when.Before(now.Add(-MaxClockSkew)) {
		return authError(InvalidSignatureException, "Signature expired: %s is now earlier than %s (%s - %d min.)",
			f(s.when), f(now.Add(-MaxClockSkew)), f(now), skew)
	}
	return nil
}

// payloadHash is the hex SHA-256 of body, or UNSIGNED-PAYLOAD when the client declared it.
func payloadHash(r *http.Request, body []byte) string {
	declared := r.Header.Get("X-Amz-Content-Sha256")
	if declared == "" {
		declared = r.URL.Query().Get("X-Amz-Content-Sha256")
	}
	if declared == unsignedPayload {
		return unsignedPayload
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// canonicalRequest builds the SigV4 canonical request of r as a service outside S3 sees it.
func canonicalRequest(r *http.Request, s *signedRequest, payload string) string {
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}

	type param struct{ k, v string }
	var params []param
	for k, vs := range r.URL.Query() {
		if s.presigned && k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			params = append(params, param{uriEncode(k, true), uriEncode(v, true)})
		}
	}
	slices.SortFunc(params, func(a, b param) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	query := make([]string, len(params))
	for i, p := range params {
		query[i] = p.k + "=" + p.v
	}

	var headers strings.Builder
	for _, h := range s.signedHeaders {
		headers.WriteString(h)
		headers.WriteByte(':')
		headers.WriteString(headerValue(r, h))
		headers.WriteByte('\n')
	}

	return strings.Join([]string{
		r.Method,
		uriEncode(path, false),
		strings.Join(query, "&"),
		headers.String(),
		strings.Join(s.signedHeaders, ";"),
		payload,
	}, "\n")
}

// headerValue is the canonical value of signed header h: its values trimmed, runs of spaces
// collapsed, joined by commas.
func headerValue(r *http.Request, h string) string {
	var values []string
	switch h {
	case "host", ":authority":
		values = []string{r.Host}
	case "content-length":
		values = r.Header.Values("Content-Length")
		if len(values) == 0 && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	default:
		values = r.Header.Values(h)
	}
	canonical := make([]string, len(values)) // values may be the request's own slice
	for i, v := range values {
		canonical[i] = strings.TrimSpace(strings.Join(strings.FieldsFunc(v, func(c rune) bool { return c == ' ' }), " "))
	}
	return strings.Join(canonical, ",")
}

// uriEncode percent-encodes every byte but the unreserved characters of RFC 3986, and '/'
// unless encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~',
			c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
