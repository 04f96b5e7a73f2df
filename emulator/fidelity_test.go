package emulator_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/fxamacker/cbor/v2"

	"github.com/pelicanhq/pelican/emulator"
)

// The fidelity suite holds the emulator to Kinesis's answers for bad and unusual requests: wrong
// JSON types, empty values, odd shard ids, tag characters, sequence numbers, content types. Each
// case in testdata/fidelity/*.json is a raw request (operation, content type, body, headers) and
// the service's answer (status, __type, exact message), taken from the sources listed in
// docs/fidelity-evidence.md. Requests are signed with SigV4 and the server verifies signatures,
// so every request is one a real client could send.

const (
	fidAccessKey = "AKIDFIDELITY"
	fidSecretKey = "fidelity-secret"
	fidAccount   = "000000000000"
	fidRegion    = "us-east-1"
	fidTargetPfx = "Kinesis_20131202."
	fidJSON      = "application/x-amz-json-1.1"
	fidCBOR      = "application/x-amz-cbor-1.1"
)

// fidStart is the manual clock's start: mid-second, so that sub-second precision matters.
var fidStart = time.Date(2026, 12, 7, 11, 52, 8, 250_000_000, time.UTC)

// fidCase is one request and the answer Kinesis gives it.
type fidCase struct {
	Name      string `json:"name"`
	Behaviour int    `json:"behaviour"`
	// Target is the operation; the X-Amz-Target header is Kinesis_20131202.<Target>. RawTarget,
	// when set, is sent as the header instead ("" sends no header).
	Target    string  `json:"target"`
	RawTarget *string `json:"rawTarget,omitempty"`
	// ContentType defaults to JSON 1.1, or CBOR 1.1 when CBOR is set; "" sends no header.
	ContentType *string `json:"contentType,omitempty"`
	// Body is the raw body. With CBOR set it is JSON that the runner encodes as CBOR: integral
	// numbers as integers, {"$bytes":"<base64>"} as a byte string.
	Body string `json:"body"`
	CBOR bool   `json:"cbor,omitempty"`
	// BodyRepeat, when set, replaces Body by BodyRepeat.Text repeated Count times.
	BodyRepeat *struct {
		Text  string `json:"text"`
		Count int    `json:"count"`
	} `json:"bodyRepeat,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// Sign is how the request is signed: "" is SigV4 with X-Amz-Date; "date-basic" signs with a
	// Date header in ISO 8601 basic format and no X-Amz-Date; "date-rfc1123" likewise with an
	// RFC 1123 Date header.
	Sign string `json:"sign,omitempty"`
	// MaxBodyBytes sets the server's request size limit (WithMaxBodyBytes).
	MaxBodyBytes int64 `json:"maxBodyBytes,omitempty"`
	// Streams are created before the case (name -> shard count).
	Streams map[string]int `json:"streams,omitempty"`
	// Setup are calls made before the case, each of which must succeed.
	Setup  []fidStep `json:"setup,omitempty"`
	Expect fidExpect `json:"expect"`
	file   string    // the testdata file the case came from
}

// fidStep is a setup call or a clock move.
type fidStep struct {
	Target string `json:"target,omitempty"`
	Body   string `json:"body,omitempty"`
	// Save maps a variable name to a path in the answer (see fidLookup).
	Save map[string]string `json:"save,omitempty"`
	// Advance moves the manual clock (a time.ParseDuration string) instead of calling.
	Advance string `json:"advance,omitempty"`
}

// fidExpect is the answer.
type fidExpect struct {
	Status int    `json:"status"`
	Type   string `json:"type,omitempty"`
	// MessageKey is the key of the message: "message" (the default) or "Message".
	MessageKey string  `json:"messageKey,omitempty"`
	Message    *string `json:"message,omitempty"`
	// NoMessage means the error body carries __type alone.
	NoMessage bool `json:"noMessage,omitempty"`
	// Errors are the items of a "N validation error(s) detected: a; b" message, in any order.
	Errors []string `json:"errors,omitempty"`
	// MessageContains are parts the message must contain, where the rest of the text is not the
	// behaviour under test.
	MessageContains []string `json:"messageContains,omitempty"`
	// Body, when set, is the exact raw body ("" for an empty body).
	Body *string `json:"body,omitempty"`
	// ContentType, when set, is the answer's Content-Type ("" for none).
	ContentType *string `json:"contentType,omitempty"`
	// Absent are paths that must not be in the (JSON or CBOR) answer; Values are paths and the
	// values they must hold ("#" after a path gives the length of a list).
	Absent []string       `json:"absent,omitempty"`
	Values map[string]any `json:"values,omitempty"`
}

type fidVars map[string]string

func (v fidVars) expand(s string) string {
	for k, val := range v {
		s = strings.ReplaceAll(s, "${"+k+"}", val)
	}
	return s
}

// loadFidelityCases reads every case file.
func loadFidelityCases(t testing.TB) []*fidCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fidelity", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fidelity cases: %v", err)
	}
	var all []*fidCase
	seen := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Cases []*fidCase `json:"cases"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, c := range doc.Cases {
			c.file = filepath.Base(f)
			key := c.file + "/" + c.Name
			if seen[key] {
				t.Fatalf("%s: two cases named %q", f, c.Name)
			}
			seen[key] = true
			if c.Behaviour < 1 || c.Behaviour > 15 {
				t.Fatalf("%s: case %q has behaviour %d", f, c.Name, c.Behaviour)
			}
			all = append(all, c)
		}
	}
	return all
}

func TestFidelity(t *testing.T) {
	for _, c := range loadFidelityCases(t) {
		t.Run(fmt.Sprintf("b%02d/%s/%s", c.Behaviour, strings.TrimSuffix(c.file, ".json"), c.Name), func(t *testing.T) {
			t.Parallel()
			runFidelityCase(t, c)
		})
	}
}

// TestFidelityCasesCoverEveryBehaviour keeps the suite honest about its reach.
func TestFidelityCasesCoverEveryBehaviour(t *testing.T) {
	count := map[int]int{}
	cbor := 0
	for _, c := range loadFidelityCases(t) {
		count[c.Behaviour]++
		if c.CBOR {
			cbor++
		}
	}
	for b := 1; b <= 15; b++ {
		if count[b] == 0 {
			t.Errorf("behaviour %d has no case", b)
		}
	}
	if cbor == 0 {
		t.Error("no CBOR case")
	}
}

// fidServer starts an emulator that verifies signatures, on a manual clock.
func fidServer(t testing.TB, maxBody int64, extra ...emulator.Option) (*emulator.Server, *emulator.ManualClock) {
	clock := emulator.NewManualClock(fidStart)
	opts := []emulator.Option{
		emulator.WithClock(clock),
		emulator.WithAccountID(fidAccount),
		emulator.WithRegion(fidRegion),
		emulator.WithStrictAuth(emulator.Credential{AccessKeyID: fidAccessKey, SecretAccessKey: fidSecretKey, Account: fidAccount}),
	}
	if maxBody > 0 {
		opts = append(opts, emulator.WithMaxBodyBytes(maxBody))
	}
	return emulator.RunT(t, append(opts, extra...)...), clock
}

func runFidelityCase(t *testing.T, c *fidCase) {
	var extra []emulator.Option
	for name, n := range c.Streams {
		extra = append(extra, emulator.WithStream(name, n))
	}
	srv, clock := fidServer(t, c.MaxBodyBytes, extra...)
	vars := fidVars{}
	for i, st := range c.Setup {
		if st.Advance != "" {
			d, err := time.ParseDuration(st.Advance)
			if err != nil {
				t.Fatalf("setup %d: %v", i, err)
			}
			clock.Advance(d)
			continue
		}
		ans := fidSend(t, srv.URL(), clock.Now(), fidRequest{target: fidTargetPfx + st.Target, contentType: fidJSON, body: []byte(vars.expand(st.Body))})
		if ans.status/100 != 2 {
			t.Fatalf("setup %d (%s): status %d: %s", i, st.Target, ans.status, ans.raw)
		}
		for name, path := range st.Save {
			v, ok := fidLookup(ans.doc, path)
			if !ok {
				t.Fatalf("setup %d (%s): no %s in %s", i, st.Target, path, ans.raw)
			}
			vars[name] = fmt.Sprint(v)
		}
	}

	req := fidRequest{target: fidTargetPfx + c.Target, contentType: fidJSON, headers: c.Headers, sign: c.Sign}
	if c.CBOR {
		req.contentType = fidCBOR
	}
	if c.RawTarget != nil {
		req.target = *c.RawTarget
	}
	if c.ContentType != nil {
		req.contentType = *c.ContentType
	}
	body := c.Body
	if c.BodyRepeat != nil {
		body = strings.Repeat(c.BodyRepeat.Text, c.BodyRepeat.Count)
	}
	body = vars.expand(body)
	if c.CBOR {
		b, err := fidJSONToCBOR(body)
		if err != nil {
			t.Fatalf("encoding the body as CBOR: %v", err)
		}
		req.body = b
	} else {
		req.body = []byte(body)
	}
	ans := fidSend(t, srv.URL(), clock.Now(), req)
	for _, p := range fidCheck(c.Expect, ans, vars) {
		t.Error(p)
	}
}

// fidCheck compares an answer with what Kinesis answers and lists the differences.
func fidCheck(exp fidExpect, ans fidAnswer, vars fidVars) []string {
	var bad []string
	if ans.status != exp.Status {
		bad = append(bad, fmt.Sprintf("status %d, want %d (body %s)", ans.status, exp.Status, ans.raw))
	}
	if exp.Body != nil {
		if want := vars.expand(*exp.Body); string(ans.body) != want {
			bad = append(bad, fmt.Sprintf("body %q, want %q", ans.body, want))
		}
	}
	if exp.ContentType != nil && ans.contentType != *exp.ContentType {
		bad = append(bad, fmt.Sprintf("Content-Type %q, want %q", ans.contentType, *exp.ContentType))
	}
	if exp.Type != "" {
		if got, _ := ans.doc["__type"].(string); got != exp.Type {
			bad = append(bad, fmt.Sprintf("__type %q, want %q (body %s)", got, exp.Type, ans.raw))
		}
	}
	key, other := "message", "Message"
	if exp.MessageKey == "Message" {
		key, other = "Message", "message"
	}
	switch {
	case exp.NoMessage:
		for _, k := range []string{"message", "Message"} {
			if v, ok := ans.doc[k]; ok {
				bad = append(bad, fmt.Sprintf("body has %s %v, want __type alone", k, v))
			}
		}
	case exp.Message != nil || len(exp.Errors) > 0 || len(exp.MessageContains) > 0:
		got, ok := ans.doc[key].(string)
		if !ok {
			bad = append(bad, fmt.Sprintf("no %q string in %s", key, ans.raw))
		}
		if _, dup := ans.doc[other]; dup {
			bad = append(bad, fmt.Sprintf("body has %q as well as or instead of %q: %s", other, key, ans.raw))
		}
		if exp.Message != nil {
			if want := vars.expand(*exp.Message); ok && got != want {
				bad = append(bad, fmt.Sprintf("%s\n got %q\nwant %q", key, got, want))
			}
		}
		for _, part := range exp.MessageContains {
			if ok && !strings.Contains(got, vars.expand(part)) {
				bad = append(bad, fmt.Sprintf("%s %q lacks %q", key, got, part))
			}
		}
		if len(exp.Errors) > 0 && ok {
			if p := fidCompareErrors(got, exp.Errors, vars); p != "" {
				bad = append(bad, p)
			}
		}
	}
	for _, p := range exp.Absent {
		if v, ok := fidLookup(ans.doc, p); ok {
			bad = append(bad, fmt.Sprintf("answer has %s = %v, want it absent (body %s)", p, v, ans.raw))
		}
	}
	for p, want := range exp.Values {
		got, ok := fidLookup(ans.doc, p)
		if !ok {
			bad = append(bad, fmt.Sprintf("answer lacks %s, want %v (body %s)", p, want, ans.raw))
			continue
		}
		if s, isStr := want.(string); isStr {
			want = vars.expand(s)
		}
		if !fidSameValue(got, want) {
			bad = append(bad, fmt.Sprintf("answer has %s = %v, want %v (body %s)", p, got, want, ans.raw))
		}
	}
	return bad
}

// fidCompareErrors checks a validation message: the count prefix exactly, then the items in any
// order (the service's order has not been stable; see docs/fidelity-evidence.md).
func fidCompareErrors(got string, want []string, vars fidVars) string {
	noun := "errors"
	if len(want) == 1 {
		noun = "error"
	}
	prefix := fmt.Sprintf("%d validation %s detected: ", len(want), noun)
	if !strings.HasPrefix(got, prefix) {
		return fmt.Sprintf("message %q does not start with %q", got, prefix)
	}
	rest := got[len(prefix):]
	remaining := make([]string, len(want))
	for i, w := range want {
		remaining[i] = vars.expand(w)
	}
	// Items may themselves contain "; " (values are echoed), so match by prefix, longest first.
	for rest != "" {
		best := -1
		for i, w := range remaining {
			if strings.HasPrefix(rest, w) && (best < 0 || len(w) > len(remaining[best])) {
				best = i
			}
		}
		if best < 0 {
			return fmt.Sprintf("message %q: no expected item matches at %q; still expected %q", got, rest, remaining)
		}
		rest = strings.TrimPrefix(rest[len(remaining[best]):], "; ")
		remaining = slices.Delete(remaining, best, best+1)
	}
	if len(remaining) > 0 {
		return fmt.Sprintf("message %q lacks %q", got, remaining)
	}
	return ""
}

func fidSameValue(got, want any) bool {
	gf, gok := fidNumber(got)
	wf, wok := fidNumber(want)
	if gok && wok {
		return gf == wf
	}
	return reflect.DeepEqual(got, want)
}

func fidNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// fidLookup follows a dotted path (map keys, list indexes, "#" for a list's length).
func fidLookup(doc any, path string) (any, bool) {
	cur := doc
	for part := range strings.SplitSeq(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			if part == "#" {
				cur = len(v)
				continue
			}
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

type fidRequest struct {
	target      string
	contentType string
	body        []byte
	headers     map[string]string
	sign        string
}

type fidAnswer struct {
	status      int
	contentType string
	body        []byte
	doc         map[string]any // the decoded body, nil when it is not a JSON or CBOR map
	raw         string         // the body for messages: as is, or its JSON rendering when CBOR
}

// fidSend signs and sends one request.
func fidSend(t testing.TB, url string, now time.Time, r fidRequest) fidAnswer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/", bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if r.target != "" {
		req.Header.Set("X-Amz-Target", r.target)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	if err := fidSign(req, r.body, now, r.sign); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return fidDecode(resp.StatusCode, resp.Header.Get("Content-Type"), b)
}

func fidDecode(status int, contentType string, b []byte) fidAnswer {
	ans := fidAnswer{status: status, contentType: contentType, body: b, raw: string(b)}
	if strings.HasPrefix(contentType, "application/x-amz-cbor") && len(b) > 0 {
		dm, _ := cbor.DecOptions{DefaultMapType: reflect.TypeFor[map[string]any](), IntDec: cbor.IntDecConvertSigned}.DecMode()
		var doc map[string]any
		if err := dm.Unmarshal(b, &doc); err == nil {
			ans.doc = doc
			if j, err := json.Marshal(fidJSONable(doc)); err == nil {
				ans.raw = "cbor:" + string(j)
			}
		}
		return ans
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err == nil {
		ans.doc = doc
	}
	return ans
}

// fidJSONable turns a decoded CBOR value into one encoding/json can render.
func fidJSONable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = fidJSONable(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fidJSONable(e)
		}
		return out
	case cbor.Tag:
		return map[string]any{"tag": x.Number, "content": fidJSONable(x.Content)}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
	}
	return v
}

// fidSign signs req with SigV4 as a client would: with X-Amz-Date (the SDK's signer), or with a
// Date header only, in ISO 8601 basic format or RFC 1123 (signed here, since the SDK's signer
// always writes X-Amz-Date).
func fidSign(req *http.Request, body []byte, now time.Time, how string) error {
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	switch how {
	case "":
		creds := aws.Credentials{AccessKeyID: fidAccessKey, SecretAccessKey: fidSecretKey}
		return v4.NewSigner().SignHTTP(req.Context(), creds, req, payload, "kinesis", fidRegion, now)
	case "date-basic", "date-rfc1123":
	default:
		return fmt.Errorf("unknown signing %q", how)
	}
	if how == "date-basic" {
		req.Header.Set("Date", now.UTC().Format("20060102T150405Z"))
	} else {
		req.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	}
	fidSignManual(req, payload, now)
	return nil
}

// fidSignManual signs req with SigV4 over every header it carries (and host and Content-Length,
// as the SDK's signer does), taking the time from now; the date header must already be set.
func fidSignManual(req *http.Request, payload string, now time.Time) {
	amzDate := now.UTC().Format("20060102T150405Z")
	headers := map[string]string{"host": req.URL.Host}
	if req.ContentLength > 0 {
		headers["content-length"] = strconv.FormatInt(req.ContentLength, 10)
	}
	for k, vs := range req.Header {
		headers[strings.ToLower(k)] = strings.TrimSpace(strings.Join(vs, ","))
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	slices.Sort(names)
	var canon strings.Builder
	for _, k := range names {
		canon.WriteString(k + ":" + headers[k] + "\n")
	}
	signed := strings.Join(names, ";")
	creq := strings.Join([]string{"POST", "/", "", canon.String(), signed, payload}, "\n")
	day := amzDate[:8]
	scope := day + "/" + fidRegion + "/kinesis/aws4_request"
	chash := sha256.Sum256([]byte(creq))
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(chash[:])
	key := []byte("AWS4" + fidSecretKey)
	for _, part := range []string{day, fidRegion, "kinesis", "aws4_request"} {
		key = fidHMAC(key, part)
	}
	sig := hex.EncodeToString(fidHMAC(key, sts))
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		fidAccessKey, scope, signed, sig))
}

func fidHMAC(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// fidJSONToCBOR encodes a JSON document as CBOR the way the Java SDK would send it.
func fidJSONToCBOR(body string) ([]byte, error) {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	conv, err := fidCBORValue(v)
	if err != nil {
		return nil, err
	}
	return cbor.Marshal(conv)
}

func fidCBORValue(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if b64, ok := x["$bytes"].(string); ok && len(x) == 1 {
			return base64.StdEncoding.DecodeString(b64)
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := fidCBORValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := fidCBORValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		return x.Float64()
	}
	return v, nil
}

// fidOperations are the operations of the Kinesis API that the fuzz test aims at (SubscribeToShard
// is left out: a well-formed call holds its connection for minutes).
var fidOperations = []string{
	"AddTagsToStream", "CreateStream", "DecreaseStreamRetentionPeriod", "DeleteResourcePolicy", "DeleteStream",
	"DeregisterStreamConsumer", "DescribeAccountSettings", "DescribeLimits", "DescribeStream",
	"DescribeStreamConsumer", "DescribeStreamSummary", "DisableEnhancedMonitoring", "EnableEnhancedMonitoring",
	"GetRecords", "GetResourcePolicy", "GetShardIterator", "IncreaseStreamRetentionPeriod", "ListShards",
	"ListStreamConsumers", "ListStreams", "ListTagsForResource", "ListTagsForStream", "MergeShards", "PutRecord",
	"PutRecords", "PutResourcePolicy", "RegisterStreamConsumer", "RemoveTagsFromStream", "SplitShard",
	"StartStreamEncryption", "StopStreamEncryption", "TagResource", "UntagResource", "UpdateAccountSettings",
	"UpdateMaxRecordSize", "UpdateShardCount", "UpdateStreamMode", "UpdateStreamRecordDistributionStrategy",
	"UpdateStreamWarmThroughput",
}

// fidGoWords are phrases of Go's standard library that must never reach a client. encoding/json
// says "invalid character 'x' looking for ..."; the service's own tag message says "invalid
// characters", so the quote is part of the phrase.
var fidGoWords = []string{"cannot be read into", "json:", "strconv", "unexpected end of JSON", "invalid character '", "cbor:"}

// FuzzFidelityNoServerError sends any body to any operation, as JSON or CBOR: the answer is never
// a 5xx and never carries Go's own error words (unless the request itself carried them).
func FuzzFidelityNoServerError(f *testing.F) {
	for _, c := range loadFidelityCases(f) {
		if c.CBOR || c.BodyRepeat != nil {
			continue
		}
		f.Add(c.Target, []byte(c.Body), false)
	}
	f.Add("PutRecord", []byte(`{"StreamName":"S","PartitionKey":"a","Data":"AAAA"}`), true)
	f.Add("PutRecords", []byte{0xbf, 0x67, 'R', 'e', 'c', 'o', 'r', 'd', 's', 0x9f, 0xff, 0xff}, true)
	f.Add("CreateStream", []byte(`{"StreamName":"S","ShardCount":1e400}`), false)
	f.Add("GetRecords", []byte(`{"ShardIterator":"AAAA","Limit":-9223372036854775809}`), false)
	// Finds: a policy that is not JSON was answered with encoding/json's error.
	f.Add("PutResourcePolicy", []byte(`{"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/S","Policy":"x"}`), false)
	// A boolean given as a string, an Integer past its range and a fraction, in CBOR.
	f.Add("DeleteStream", []byte{0xa2, 0x6a, 'S', 't', 'r', 'e', 'a', 'm', 'N', 'a', 'm', 'e', 0x61, 'T', 0x77, 'E', 'n', 'f', 'o', 'r', 'c', 'e', 'C', 'o', 'n', 's', 'u', 'm', 'e', 'r', 'D', 'e', 'l', 'e', 't', 'i', 'o', 'n', 0x63, 'y', 'e', 's'}, true)
	f.Add("ListStreams", []byte{0xa1, 0x65, 'L', 'i', 'm', 'i', 't', 0xfb, 0x41, 0xf0, 0, 0, 0, 0, 0, 0}, true)
	f.Add("DescribeStream", []byte(`{"StreamName":"S","Limit":1.5e300}`), false)

	srv, clock := fidServer(f, 0, emulator.WithStream("S", 2))
	f.Fuzz(func(t *testing.T, op string, body []byte, asCBOR bool) {
		if !slices.Contains(fidOperations, op) {
			op = fidOperations[len(op)%len(fidOperations)]
		}
		ct := fidJSON
		if asCBOR {
			ct = fidCBOR
		}
		ans := fidSend(t, srv.URL(), clock.Now(), fidRequest{target: fidTargetPfx + op, contentType: ct, body: body})
		if ans.status >= 500 {
			t.Fatalf("%s %q: status %d: %s", op, body, ans.status, ans.raw)
		}
		said := string(ans.body)
		if strings.HasPrefix(ans.contentType, "application/x-amz-cbor") {
			said = fmt.Sprint(ans.doc["message"], ans.doc["Message"])
		}
		for _, w := range fidGoWords {
			if strings.Contains(said, w) && !bytes.Contains(body, []byte(w)) {
				t.Fatalf("%s %q: answer in Go's words (%q): %s", op, body, w, ans.raw)
			}
		}
	})
}

// TestFidelityChecker shows that the comparison catches each kind of difference, so that a case
// that passes means the answer matched.
func TestFidelityChecker(t *testing.T) {
	msg := func(s string) *string { return &s }
	empty := ""
	jsonAns := func(status int, body string) fidAnswer {
		return fidDecode(status, fidJSON, []byte(body))
	}
	val := `{"__type":"ValidationException","message":"2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"}`
	errs := []string{
		"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
		"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
	}
	cases := []struct {
		name string
		exp  fidExpect
		ans  fidAnswer
		ok   bool
	}{
		{"same message", fidExpect{Status: 400, Type: "X", Message: msg("m")}, jsonAns(400, `{"__type":"X","message":"m"}`), true},
		{"other status", fidExpect{Status: 400, Type: "X", Message: msg("m")}, jsonAns(500, `{"__type":"X","message":"m"}`), false},
		{"other type", fidExpect{Status: 400, Type: "X", Message: msg("m")}, jsonAns(400, `{"__type":"Y","message":"m"}`), false},
		{"other text", fidExpect{Status: 400, Type: "X", Message: msg("m")}, jsonAns(400, `{"__type":"X","message":"n"}`), false},
		{"Message for message", fidExpect{Status: 400, Type: "X", Message: msg("m")}, jsonAns(400, `{"__type":"X","Message":"m"}`), false},
		{"message for Message", fidExpect{Status: 400, Type: "X", MessageKey: "Message", Message: msg("m")}, jsonAns(400, `{"__type":"X","message":"m"}`), false},
		{"type alone", fidExpect{Status: 400, Type: "X", NoMessage: true}, jsonAns(400, `{"__type":"X"}`), true},
		{"type with a message", fidExpect{Status: 400, Type: "X", NoMessage: true}, jsonAns(400, `{"__type":"X","message":"m"}`), false},
		{"errors in another order", fidExpect{Status: 400, Errors: errs}, jsonAns(400, val), true},
		{"one error missing", fidExpect{Status: 400, Errors: errs[:1]}, jsonAns(400, val), false},
		{"empty body", fidExpect{Status: 200, Body: &empty}, jsonAns(200, ``), true},
		{"{} for an empty body", fidExpect{Status: 200, Body: &empty}, jsonAns(200, `{}`), false},
		{"absent member present", fidExpect{Status: 200, Absent: []string{"Records.0.EncryptionType"}}, jsonAns(200, `{"Records":[{"EncryptionType":"NONE"}]}`), false},
		{"list length", fidExpect{Status: 200, Values: map[string]any{"Shards.#": 2.0}}, jsonAns(200, `{"Shards":[{},{}]}`), true},
		{"wrong list length", fidExpect{Status: 200, Values: map[string]any{"Shards.#": 2.0}}, jsonAns(200, `{"Shards":[{}]}`), false},
	}
	for _, c := range cases {
		if got := fidCheck(c.exp, c.ans, fidVars{}); (len(got) == 0) != c.ok {
			t.Errorf("%s: differences %q, want ok=%v", c.name, got, c.ok)
		}
	}
}

// TestFidelityManualSigner checks the signer that writes a Date header against the SDK's signer:
// signing the same headers at the same time must give the same signature.
func TestFidelityManualSigner(t *testing.T) {
	body := []byte(`{"StreamName":"S"}`)
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	now := fidStart
	newReq := func() *http.Request {
		req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:4567/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", fidJSON)
		req.Header.Set("X-Amz-Target", fidTargetPfx+"DescribeStream")
		return req
	}
	sdk := newReq()
	creds := aws.Credentials{AccessKeyID: fidAccessKey, SecretAccessKey: fidSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, sdk, payload, "kinesis", fidRegion, now); err != nil {
		t.Fatal(err)
	}
	mine := newReq()
	for k, vs := range sdk.Header {
		if k != "Authorization" {
			mine.Header[k] = vs
		}
	}
	fidSignManual(mine, payload, now)
	if got, want := mine.Header.Get("Authorization"), sdk.Header.Get("Authorization"); got != want {
		t.Errorf("manual signature\n %s\nSDK signature\n %s", got, want)
	}
}
