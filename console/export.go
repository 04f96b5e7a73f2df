package console

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// fixtureHeader and fixtureLine are the lines of a fixture file, version 1 of docs/fixtures.md,
// their keys in the order the format fixes.
type fixtureHeader struct {
	Version int    `json:"pelican_fixture"`
	Stream  string `json:"stream"`
}

type fixtureLine struct {
	Stream          string          `json:"stream"`
	ShardID         string          `json:"shard_id"`
	SequenceNumber  string          `json:"sequence_number"`
	SubSequence     *int            `json:"sub_sequence_number,omitempty"`
	PartitionKey    string          `json:"partition_key"`
	ExplicitHashKey string          `json:"explicit_hash_key,omitempty"`
	ArrivedAt       string          `json:"arrived_at"`
	Data            string          `json:"data"`
	EventType       string          `json:"event_type,omitempty"`
	EventID         string          `json:"event_id,omitempty"`
	OccurredAt      string          `json:"occurred_at,omitempty"`
	Event           json.RawMessage `json:"event,omitempty"`
}

// maxExport is the most records one export holds.
const maxExport = 10000

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// exportFixture answers with the records of a view as a fixture file. ?limit= sets how many
// (default one page, at most 10,000).
func (c *Console) exportFixture(w http.ResponseWriter, r *http.Request) {
	v, err := parseView(r.PathValue("name"), r.URL.Query())
	if err != nil {
		c.errorPage(w, r, http.StatusBadRequest, err)
		return
	}
	limit := c.cfg.pageSize
	if s := r.URL.Query().Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > maxExport {
			c.errorPage(w, r, http.StatusBadRequest, fmt.Errorf("limit must be a whole number from 1 to %d, not %q", maxExport, s))
			return
		}
	}
	res, err := c.readPage(r.Context(), v, limit)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := writeFixture(&buf, v.Stream, res.Records); err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+unsafeName.ReplaceAllString(v.Stream, "_")+`.jsonl"`)
	_, _ = buf.WriteTo(w)
}

// writeFixture writes records as a fixture file.
func writeFixture(buf *bytes.Buffer, stream string, recs []userRecord) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fixtureHeader{Version: 1, Stream: stream}); err != nil {
		return err
	}
	for i := range recs {
		u := &recs[i]
		line := fixtureLine{Stream: stream, ShardID: u.ShardID, SequenceNumber: u.Sequence, PartitionKey: u.PartitionKey,
			ExplicitHashKey: u.ExplicitHashKey, ArrivedAt: u.Arrival.UTC().Format(time.RFC3339Nano),
			Data: base64.StdEncoding.EncodeToString(u.Data), EventType: u.EventType, EventID: u.EventID}
		if u.Aggregated() {
			sub := u.SubSequence
			line.SubSequence = &sub
		}
		if !u.OccurredAt.IsZero() {
			line.OccurredAt = u.OccurredAt.UTC().Format(time.RFC3339Nano)
		}
		if len(u.EventJSON) > 0 {
			ev, err := sortedJSON(u.EventJSON)
			if err != nil {
				return err
			}
			line.Event = ev
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

// sortedJSON rewrites JSON compact with the keys of every object sorted, numbers kept as written.
func sortedJSON(b []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}
