package harness_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pelicanhq/pelican/contract"
	"github.com/pelicanhq/pelican/harness"
)

// copyProto copies the .proto files of proto/ into a temporary directory and applies edits
// (file -> old -> new) there, failing the test when an old text is not found.
func copyProto(t testing.TB, edits map[string][][2]string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir("../proto", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".proto") {
			return err
		}
		rel, _ := filepath.Rel("../proto", p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(b)
		for _, e := range edits[filepath.ToSlash(rel)] {
			if !strings.Contains(s, e[0]) {
				t.Fatalf("%s has no %q", rel, e[0])
			}
			s = strings.Replace(s, e[0], e[1], 1)
		}
		out := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, []byte(s), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

var (
	trafficOnce sync.Once
	traffic     []byte
)

// checkTraffic records a few hours of two clocks and a round of notifications, once per test
// binary.
func checkTraffic(t *testing.T) *harness.Fixture {
	t.Helper()
	trafficOnce.Do(func() {
		em, stream := newEmulator(t, 2)
		publishTicks(t, em.Client(), stream, []string{"zurich-hall", "bern-tower"}, 0, 4)
		notificationTraffic(t, em.Client(), stream)
		_, traffic = record(t, em.Client(), stream, 13)
	})
	if traffic == nil {
		t.Fatal("no recorded traffic")
	}
	f, err := harness.Read(bytes.NewReader(traffic))
	if err != nil {
		t.Fatal(err)
	}
	f.Path = "traffic.jsonl"
	return f
}

const (
	clockProto        = "example/clock/v1/clock.proto"
	notificationProto = "example/notification/v1/notification.proto"
)

// TestCheckCatchesBreakingSchemaEdits edits a copy of proto/ the way people break events, and
// checks the findings against recorded traffic.
func TestCheckCatchesBreakingSchemaEdits(t *testing.T) {
	f := checkTraffic(t)
	cases := []struct {
		name  string
		edits map[string][][2]string
		want  []string // "TYPE message-fragment"
	}{
		{"unchanged", nil, nil},
		{"a new field is fine", map[string][][2]string{clockProto: {{"string time_zone = 4;", "string time_zone = 4;\n  string face = 5;"}}}, nil},
		{"widening uint32 to uint64 is fine", map[string][][2]string{clockProto: {{"uint32 hour = 2;", "uint64 hour = 2;"}}}, nil},
		{"retyped to a string", map[string][][2]string{clockProto: {{"uint32 hour = 2;", "string hour = 2;"}}}, []string{
			"FIELD_RETYPED example.clock.v1.TimeTicked.hour is string in the schema, but the payload holds field 2 as a varint (in 6 records)",
		}},
		{"retyped to zigzag", map[string][][2]string{clockProto: {{"uint32 hour = 2;", "sint32 hour = 2;"}}}, []string{
			"FIELD_CHANGED example.clock.v1.TimeTicked.hour: recorded as 1, the payload now decodes as -1 (the schema's type is sint32) (in 6 records)",
		}},
		{"removed", map[string][][2]string{clockProto: {{"string time_zone = 4;", ""}}}, []string{
			"FIELD_UNKNOWN example.clock.v1.TimeTicked: the payload has field 4 (length-delimited bytes), which the schema does not define (in 8 records)",
			`FIELD_REMOVED example.clock.v1.TimeTicked: the recorded event has field "time_zone", which the schema does not have (removed or renamed) (in 8 records)`,
		}},
		{"removed and reserved", map[string][][2]string{clockProto: {{"string time_zone = 4;", "reserved 4;"}}}, []string{
			"FIELD_UNKNOWN example.clock.v1.TimeTicked: the payload has field 4 (length-delimited bytes), which the schema reserves: the field was removed (in 8 records)",
			`FIELD_REMOVED example.clock.v1.TimeTicked: the recorded event has field "time_zone"`,
		}},
		{"renamed field", map[string][][2]string{clockProto: {{"string time_zone = 4;", "string zone = 4;"}}}, []string{
			`FIELD_REMOVED example.clock.v1.TimeTicked: the recorded event has field "time_zone", which the schema does not have (removed or renamed) (in 8 records)`,
		}},
		{"renamed event", map[string][][2]string{clockProto: {{"message TimeTicked {", "message ClockTicked {"}}}, []string{
			"EVENT_TYPE_UNKNOWN event type example.clock.v1.TimeTicked is not in the schema (removed or renamed) (in 8 records)",
		}},
		{"message to string", map[string][][2]string{clockProto: {{"google.protobuf.Timestamp ticked_at = 3;", "string ticked_at = 3;"}}}, []string{
			"EVENT_UNDECODABLE example.clock.v1.TimeTicked does not decode",
		}},
		{"string to bytes", map[string][][2]string{notificationProto: {{"string recipient = 3;", "bytes recipient = 3;"}}}, []string{
			`FIELD_RETYPED example.notification.v1.NotificationRequested.recipient: the recorded value "ada@example.com" does not fit its type in the schema, bytes: `,
		}},
		{"enum value renamed", map[string][][2]string{notificationProto: {{"CHANNEL_EMAIL = 1;", "CHANNEL_MAIL = 1;"}}}, []string{
			`FIELD_RETYPED example.notification.v1.NotificationRequested.channel: the recorded value "CHANNEL_EMAIL" does not fit its type in the schema, example.notification.v1.Channel: invalid value for enum field channel: "CHANNEL_EMAIL" (in 2 records)`,
			`FIELD_RETYPED example.notification.v1.NotificationSent.channel: the recorded value "CHANNEL_EMAIL"`,
		}},
		{"nested message field retyped", map[string][][2]string{
			clockProto: {{`import "google/protobuf/timestamp.proto";`, "message Instant {\n  string seconds = 1;\n}"},
				{"google.protobuf.Timestamp ticked_at = 3;", "Instant ticked_at = 3;"}},
		}, []string{
			"FIELD_RETYPED example.clock.v1.TimeTicked.ticked_at.seconds is string in the schema, but the payload holds field 1 as a varint (in 8 records)",
			`FIELD_RETYPED example.clock.v1.TimeTicked.ticked_at: the recorded value "2025-11-25T00:00:00Z" does not fit its type in the schema, example.clock.v1.Instant`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			types, err := harness.LoadTypes(t.Context(), copyProto(t, c.edits))
			if err != nil {
				t.Fatal(err)
			}
			findings := harness.CheckFixture(f, types)
			var got []string
			for _, fd := range findings {
				got = append(got, fd.Type+" "+fd.Message)
				if fd.Path != "traffic.jsonl" || fd.StartLine < 2 {
					t.Errorf("finding %v does not point into the fixture", fd)
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			for i, w := range c.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("finding %d:\n%s\nwant it to start:\n%s", i, got[i], w)
				}
			}
		})
	}
}

// TestCheckFixtureConsistency: findings about the fixture itself, whatever the schema.
func TestCheckFixtureConsistency(t *testing.T) {
	f := checkTraffic(t)
	// Swap two records of one shard, give one a type its data does not hold, and one a type
	// with data that is no envelope at all.
	var shard0 []*harness.Entry
	for _, e := range f.Entries {
		if e.ShardID == "shardId-000000000000" {
			shard0 = append(shard0, e)
		}
	}
	a, b := shard0[0], shard0[1]
	a.SequenceNumber, b.SequenceNumber = b.SequenceNumber, a.SequenceNumber
	a.SubSequenceNumber, b.SubSequenceNumber = b.SubSequenceNumber, a.SubSequenceNumber
	shard0[2].EventType = "example.clock.v1.TimeTocked"
	shard0[3].Data = []byte("tick")
	findings := harness.CheckFixture(f, nil)
	var got []string
	for _, fd := range findings {
		got = append(got, fd.Type)
	}
	if strings.Join(got, " ") != "FIXTURE_ORDER EVENT_TYPE_MISMATCH EVENT_TYPE_MISMATCH" {
		t.Fatalf("findings %v", findings)
	}
	if findings[0].StartLine != b.Line || !strings.Contains(findings[1].Message, "its envelope holds example.clock.v1.TimeTicked") ||
		!strings.Contains(findings[2].Message, "not an envelope") {
		t.Errorf("findings %v", findings)
	}
}

// TestCheckFiles: directories are read for their *.jsonl files, and a file that is not a
// fixture is a finding at its line.
func TestCheckFiles(t *testing.T) {
	dir := t.TempDir()
	f := checkTraffic(t)
	var good bytes.Buffer
	if err := harness.WriteFixture(&good, f); err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(good.String(), `"partition_key":"zurich-hall"`, `"partition_key":""`, 1)
	for name, body := range map[string]string{"a-good.jsonl": good.String(), "b-broken.jsonl": broken, "notes.txt": "not a fixture"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	findings, err := harness.Check(t.Context(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	want := contract.Finding{Path: filepath.Join(dir, "b-broken.jsonl"), Type: harness.FindingFormat}
	if len(findings) != 1 || findings[0].Path != want.Path || findings[0].Type != want.Type || !strings.Contains(findings[0].Message, "no partition_key") || findings[0].StartLine < 2 {
		t.Fatalf("findings %v, want one %s in %s", findings, want.Type, want.Path)
	}
	if _, err := harness.Check(t.Context(), []string{filepath.Join(dir, "missing.jsonl")}); err == nil {
		t.Error("a missing file was no error")
	}
}
