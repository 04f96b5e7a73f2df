package harness_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/harness"
)

// formatFixture has one entry of each shape the format knows: an event of a known type, one
// user record of a KPL aggregate with an explicit hash key, an envelope of a type the writer did
// not know, and a record that is not an event, with empty data.
func formatFixture(t testing.TB) *harness.Fixture {
	t.Helper()
	at := time.Date(2025, 11, 25, 7, 0, 0, 123_000_000, time.UTC)
	ev := mustEncode(t, tick("zurich-hall", 7), "0196b3a4-7c00-7000-8000-000000000007", at.Truncate(time.Hour))
	unknown := mustEncode(t, tick("bern-tower", 8), "0196b3a4-7c00-7000-8000-000000000008", at)
	return &harness.Fixture{
		Header: harness.Header{Stream: "pelican-events", Redacted: []string{"z.Msg.b", "a.Msg.a"}},
		Entries: []*harness.Entry{
			{
				Stream: "pelican-events", ShardID: "shardId-000000000000",
				SequenceNumber: "49659876543210987654321098765432109876543210987654321098",
				PartitionKey:   "zurich-hall", ArrivedAt: at, Data: ev.Data,
				EventType: "example.clock.v1.TimeTicked", EventID: "0196b3a4-7c00-7000-8000-000000000007",
				OccurredAt: at.Truncate(time.Hour),
				// Keys out of order and spaced: the writer sorts and compacts them.
				Event: json.RawMessage(`{"time_zone": "Europe/Zurich", "hour": 7, "clock_id": "zurich-hall", "ticked_at": "2025-11-25T07:00:00Z"}`),
			},
			{
				Stream: "pelican-events", ShardID: "shardId-000000000001",
				SequenceNumber: "49659876543210987654321098765432109876543210987654321099", Aggregated: true, SubSequenceNumber: 3,
				PartitionKey: "bern-tower", ExplicitHashKey: "170141183460469231731687303715884105728",
				ArrivedAt: at.Add(time.Second), Data: unknown.Data,
				EventType: "example.clock.v1.TimeTicked", EventID: "0196b3a4-7c00-7000-8000-000000000008", OccurredAt: at,
			},
			{
				Stream: "pelican-events", ShardID: "shardId-000000000001",
				SequenceNumber: "49659876543210987654321098765432109876543210987654321100",
				PartitionKey:   "legacy <&> key", ArrivedAt: at.Add(2 * time.Second), Data: []byte{},
			},
		},
	}
}

// TestFormatGolden pins the bytes of the format: key order, time layout, base64, sorted event
// keys, the optional keys and where they are left out.
func TestFormatGolden(t *testing.T) {
	f := formatFixture(t)
	var buf bytes.Buffer
	if err := harness.WriteFixture(&buf, f); err != nil {
		t.Fatal(err)
	}
	harness.Golden(t, filepath.Join("testdata", "format.jsonl"), buf.Bytes())

	back, err := harness.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.Msg.a", "z.Msg.b"}; !reflect.DeepEqual(back.Header.Redacted, want) || back.Header.Version != harness.FormatVersion {
		t.Errorf("header %+v, want version %d and redacted %v", back.Header, harness.FormatVersion, want)
	}
	for i, e := range back.Entries {
		want := *f.Entries[i]
		want.Line = i + 2
		if len(want.Event) > 0 {
			var v any
			if err := json.Unmarshal(want.Event, &v); err != nil {
				t.Fatal(err)
			}
			want.Event, _ = json.Marshal(v)
		}
		if !reflect.DeepEqual(*e, want) {
			t.Errorf("entry %d read back as\n%+v\nwant\n%+v", i, *e, want)
		}
	}
	// Writing what was read gives the same bytes.
	var again bytes.Buffer
	if err := harness.WriteFixture(&again, back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Errorf("rewritten fixture differs:\n%s\nwant\n%s", again.Bytes(), buf.Bytes())
	}
}

func TestReadRejects(t *testing.T) {
	const header = `{"pelican_fixture":1,"stream":"s"}` + "\n"
	const ok = `"shard_id":"shardId-000000000000","sequence_number":"1","partition_key":"k","arrived_at":"2025-11-25T07:00:00Z"`
	cases := []struct {
		name, text string
		line       int
		want       string
		version    bool
	}{
		{"empty", "", 1, "without a header", false},
		{"no header", `{"stream":"s",` + ok + `,"data":""}` + "\n", 1, "first line must be the header", false},
		{"later version", `{"pelican_fixture":2,"stream":"s"}` + "\n", 1, "version 2", true},
		{"version zero", `{"pelican_fixture":0}` + "\n", 1, "not a format version", false},
		{"version null", `{"pelican_fixture":null}` + "\n", 1, "null", false},
		{"not json", header + "cuckoo\n", 2, "invalid character", false},
		{"no data", header + `{` + ok + `}` + "\n", 2, "no data", false},
		{"bad base64", header + `{` + ok + `,"data":"a"}` + "\n", 2, "data", false},
		{"no shard", header + `{"sequence_number":"1","partition_key":"k","arrived_at":"2025-11-25T07:00:00Z","data":""}` + "\n", 2, "no shard_id", false},
		{"sequence not a number", header + `{"shard_id":"s","sequence_number":"12a","partition_key":"k","arrived_at":"2025-11-25T07:00:00Z","data":""}` + "\n", 2, "not a decimal", false},
		{"no key", header + `{"shard_id":"s","sequence_number":"1","arrived_at":"2025-11-25T07:00:00Z","data":""}` + "\n", 2, "no partition_key", false},
		{"bad time", header + `{"shard_id":"s","sequence_number":"1","partition_key":"k","arrived_at":"7 o'clock","data":""}` + "\n", 2, "arrived_at", false},
		{"negative sub-sequence", header + `{` + ok + `,"sub_sequence_number":-1,"data":""}` + "\n", 2, "negative", false},
		{"event not an object", header + `{` + ok + `,"data":"","event":[1]}` + "\n", 2, "not a JSON object", false},
		{"third line", header + `{` + ok + `,"data":""}` + "\n\n" + `{` + ok + `}` + "\n", 4, "no data", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := harness.Read(strings.NewReader(c.text))
			var le *harness.LineError
			if !errors.As(err, &le) {
				t.Fatalf("error %v, want a *LineError", err)
			}
			if le.Line != c.line || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q at line %d, want %q at line %d", err, le.Line, c.want, c.line)
			}
			if c.version != errors.Is(err, harness.ErrUnsupportedVersion) || c.version == errors.Is(err, harness.ErrFormat) {
				t.Errorf("error %v: ErrUnsupportedVersion %v, ErrFormat %v", err, errors.Is(err, harness.ErrUnsupportedVersion), errors.Is(err, harness.ErrFormat))
			}
		})
	}
}

// TestReadAcceptsWhatVersion1MayGrow: unknown keys are ignored, a line may leave out its stream
// (the header's counts), CRLF line ends and a missing final newline are fine.
func TestReadAcceptsWhatVersion1MayGrow(t *testing.T) {
	text := `{"pelican_fixture":1,"stream":"clock-events","recorded_by":"someone"}` + "\r\n" +
		`{"shard_id":"shardId-000000000000","sequence_number":"7","partition_key":"k","arrived_at":"2025-11-25T07:00:00.5+01:00","data":"aGk=","shiny_new_key":{"a":1}}`
	f, err := harness.Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	e := f.Entries[0]
	want := time.Date(2025, 11, 25, 6, 0, 0, 500_000_000, time.UTC)
	if e.Stream != "clock-events" || string(e.Data) != "hi" || !e.ArrivedAt.Equal(want) || e.ArrivedAt.Location() != time.UTC || e.Line != 2 {
		t.Errorf("entry %+v", e)
	}
}

func TestReadFileNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.jsonl")
	if err := os.WriteFile(path, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := harness.ReadFile(path)
	if err == nil || !strings.Contains(err.Error(), path+": line 1:") {
		t.Fatalf("error %v, want it to name %s and the line", err, path)
	}
}

// TestEntryRecord: an entry becomes the record a subscriber is delivered, field for field.
func TestEntryRecord(t *testing.T) {
	e := formatFixture(t).Entries[1]
	r := e.Record()
	if r.ShardID != e.ShardID || r.SequenceNumber != e.SequenceNumber || r.SubSequenceNumber != 3 ||
		r.PartitionKey != "bern-tower" || !r.ArrivedAt.Equal(e.ArrivedAt) || !bytes.Equal(r.Data, e.Data) {
		t.Errorf("record %+v from entry %+v", r, e)
	}
}
