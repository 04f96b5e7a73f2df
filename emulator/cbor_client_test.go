package emulator_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/fxamacker/cbor/v2"

	"github.com/pelicanhq/pelican/emulator"
)

// cborTransport makes an unchanged Go SDK client speak CBOR 1.1 as the Java SDK v2 and the KCL do:
// it re-encodes each JSON request with an independent CBOR library (blobs as byte strings,
// timestamps as tag 1 around integer epoch milliseconds) and turns the server's CBOR answers back
// into JSON for the SDK, failing the test when an answer is not shaped as the Java SDK expects.
type cborTransport struct {
	t    testing.TB
	base http.RoundTripper
}

// timestampMembers are the members Kinesis types as timestamps.
var timestampMembers = map[string]bool{
	"Timestamp": true, "StreamCreationTimestamp": true, "ApproximateArrivalTimestamp": true,
	"ConsumerCreationTimestamp": true, "ChannelCreationTimestamp": true, "StartedAt": true,
	"EarliestAllowedEndAt": true, "EndedAt": true,
}

// blobMembers are the members Kinesis types as blobs.
var blobMembers = map[string]bool{"Data": true}

func newCBORClient(t testing.TB, srv *emulator.Server) *kinesis.Client {
	return newClient(t, srv, func(o *kinesis.Options) {
		o.HTTPClient = &http.Client{Transport: &cborTransport{t: t, base: http.DefaultTransport}, Timeout: 30 * time.Second}
	})
}

func (c *cborTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".SubscribeToShard") {
		return c.base.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	cb, err := jsonToCBOR(body)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(cb))
	out.ContentLength = int64(len(cb))
	out.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	out.Header.Set("Content-Length", strconv.Itoa(len(cb)))
	resp, err := c.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-cbor-1.1" {
		c.t.Errorf("CBOR request to %s answered with Content-Type %q", req.Header.Get("X-Amz-Target"), ct)
		return resp, nil
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	js, err := cborToJSON(raw)
	if err != nil {
		c.t.Errorf("%s: answer is not shaped as the Java SDK v2 expects: %v", req.Header.Get("X-Amz-Target"), err)
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(js))
	resp.ContentLength = int64(len(js))
	resp.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp.Header.Del("Content-Length")
	return resp, nil
}

// jsonToCBOR re-encodes a JSON 1.1 request body as CBOR 1.1.
func jsonToCBOR(body []byte) ([]byte, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	conv, err := toCBORValue("", v)
	if err != nil {
		return nil, err
	}
	return cbor.Marshal(conv)
}

func toCBORValue(member string, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			c, err := toCBORValue(k, val)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			c, err := toCBORValue(member, val)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case string:
		if blobMembers[member] {
			return base64.StdEncoding.DecodeString(x)
		}
		return x, nil
	case json.Number:
		if timestampMembers[member] {
			f, err := x.Float64()
			if err != nil {
				return nil, err
			}
			return cbor.Tag{Number: 1, Content: int64(math.Round(f * 1000))}, nil
		}
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		return x.Float64()
	}
	return v, nil
}

// cborToJSON turns a CBOR 1.1 answer into the JSON the SDK reads, checking the Java SDK's
// expectations on the way: blobs are byte strings, timestamps are tag 1 around integer milliseconds.
func cborToJSON(raw []byte) ([]byte, error) {
	if len(raw) == 0 {
		return raw, nil // an operation without an output shape answers with an empty body
	}
	if err := checkTimeTags(raw); err != nil {
		return nil, err
	}
	var v any
	if err := cbor.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	conv, err := toJSONValue("", v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(conv)
}

// timeTag matches tag 1 in CBOR diagnostic notation and what it wraps.
var timeTag = regexp.MustCompile(`(^|[^0-9])1\(([^)]*)\)`)

// checkTimeTags requires every tag 1 to wrap an integer of epoch milliseconds after 2001, as the
// Java SDK v2 reads them (a float, or seconds, would be read as a date in 1970).
func checkTimeTags(raw []byte) error {
	diag, err := cbor.Diagnose(raw)
	if err != nil {
		return err
	}
	for _, m := range timeTag.FindAllStringSubmatch(diag, -1) {
		ms, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil || ms < 1_000_000_000_000 {
			return fmt.Errorf("tag 1 wraps %q, want integer epoch milliseconds", m[2])
		}
	}
	return nil
}

func toJSONValue(member string, v any) (any, error) {
	switch x := v.(type) {
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("map key %v is not a text string", k)
			}
			c, err := toJSONValue(ks, val)
			if err != nil {
				return nil, err
			}
			out[ks] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			c, err := toJSONValue(member, val)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case []byte:
		if !blobMembers[member] {
			return nil, fmt.Errorf("member %s is a byte string but is not a blob", member)
		}
		return base64.StdEncoding.EncodeToString(x), nil
	case string:
		if blobMembers[member] {
			return nil, fmt.Errorf("blob member %s is a text string; the Java SDK v2 would hand the user its text", member)
		}
		return x, nil
	case cbor.Tag:
		if x.Number != 1 || !timestampMembers[member] {
			return nil, fmt.Errorf("member %s carries tag %d", member, x.Number)
		}
		switch ms := x.Content.(type) {
		case uint64:
			return float64(ms) / 1000, nil
		case int64:
			return float64(ms) / 1000, nil
		}
		return nil, fmt.Errorf("timestamp %s is tag 1 around %T, want an integer of epoch milliseconds", member, x.Content)
	case time.Time:
		if !timestampMembers[member] {
			return nil, fmt.Errorf("member %s carries a time tag", member)
		}
		// fxamacker reads tag 1 as RFC 8949 seconds; checkTimeTags has already shown that the
		// integer is milliseconds, so the "seconds" it read are the milliseconds.
		return float64(x.Unix()) / 1000, nil
	case uint64, int64, float64, float32, bool, nil:
		if timestampMembers[member] {
			return nil, fmt.Errorf("timestamp %s is an untagged %T", member, x)
		}
		return x, nil
	}
	return nil, fmt.Errorf("member %s has unexpected CBOR type %T", member, v)
}
