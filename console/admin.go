package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// adminClient speaks to the emulator's documented admin endpoints (/_pelican/...).
type adminClient struct {
	base string
	http *http.Client
}

// shardRates is GET /_pelican/shards's answer.
type shardRates struct {
	Stream         string      `json:"stream"`
	Now            int64       `json:"now"`
	Seconds        int         `json:"seconds"`
	LimitsEnforced bool        `json:"limits_enforced"`
	Shards         []shardRate `json:"shards"`
}

type shardRate struct {
	ShardID         string  `json:"shard_id"`
	Open            bool    `json:"open"`
	InRecords       []int64 `json:"in_records"`
	InBytes         []int64 `json:"in_bytes"`
	OutRecords      []int64 `json:"out_records"`
	OutBytes        []int64 `json:"out_bytes"`
	WriteThrottled  []int64 `json:"write_throttled"`
	ReadThrottled   []int64 `json:"read_throttled"`
	ThrottledRecent int64   `json:"throttled_last_minute"`
	Limits          struct {
		WriteRecordsPerSecond float64 `json:"write_records_per_second"`
		WriteBytesPerSecond   float64 `json:"write_bytes_per_second"`
		ReadBytesPerSecond    float64 `json:"read_bytes_per_second"`
		ReadCallsPerSecond    float64 `json:"read_calls_per_second"`
	} `json:"limits"`
	Throttle *throttleSpec `json:"throttle"`
}

// throttleSpec is one shard's throttle, as POST /_pelican/throttle takes it.
type throttleSpec struct {
	Stream                string   `json:"stream,omitempty"`
	Shard                 string   `json:"shard,omitempty"`
	WriteRecordsPerSecond *float64 `json:"write_records_per_second,omitempty"`
	WriteBytesPerSecond   *float64 `json:"write_bytes_per_second,omitempty"`
	ReadCallsPerSecond    *float64 `json:"read_calls_per_second,omitempty"`
}

// fault is one injected fault, as /_pelican/faults lists and takes it.
type fault struct {
	Operation  string `json:"operation"`
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
	Times      int    `json:"times,omitempty"`
	Latency    any    `json:"latency,omitempty"` // nanoseconds when listed, a Go duration when sent
	AfterApply bool   `json:"afterApply,omitempty"`
}

func (a *adminClient) shards(ctx context.Context, stream string, seconds int) (*shardRates, error) {
	var out shardRates
	err := a.do(ctx, http.MethodGet, "/_pelican/shards?stream="+url.QueryEscape(stream)+fmt.Sprintf("&seconds=%d", seconds), nil, &out)
	return &out, err
}

// subscription is one live SubscribeToShard call, as GET /_pelican/subscriptions lists it.
type subscription struct {
	ConsumerARN string    `json:"consumer_arn"`
	ShardID     string    `json:"shard_id"`
	Started     time.Time `json:"started"`
}

func (a *adminClient) subscriptions(ctx context.Context, stream string) ([]subscription, error) {
	var out []subscription
	err := a.do(ctx, http.MethodGet, "/_pelican/subscriptions?stream="+url.QueryEscape(stream), nil, &out)
	return out, err
}

func (a *adminClient) throttles(ctx context.Context) ([]throttleSpec, error) {
	var out []throttleSpec
	err := a.do(ctx, http.MethodGet, "/_pelican/throttle", nil, &out)
	return out, err
}

func (a *adminClient) setThrottle(ctx context.Context, t throttleSpec) error {
	return a.do(ctx, http.MethodPost, "/_pelican/throttle", t, nil)
}

func (a *adminClient) liftThrottle(ctx context.Context, stream, shard string) error {
	return a.do(ctx, http.MethodDelete, "/_pelican/throttle?stream="+url.QueryEscape(stream)+"&shard="+url.QueryEscape(shard), nil, nil)
}

func (a *adminClient) faults(ctx context.Context) ([]fault, error) {
	var out []fault
	err := a.do(ctx, http.MethodGet, "/_pelican/faults", nil, &out)
	return out, err
}

func (a *adminClient) inject(ctx context.Context, f fault) error {
	return a.do(ctx, http.MethodPost, "/_pelican/faults", f, nil)
}

func (a *adminClient) clearFaults(ctx context.Context) error {
	return a.do(ctx, http.MethodDelete, "/_pelican/faults", nil, nil)
}

func (a *adminClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("emulator admin endpoint %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("emulator admin endpoint %s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("emulator admin endpoint %s: %w", path, err)
		}
	}
	return nil
}
