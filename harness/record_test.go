package harness_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"google.golang.org/protobuf/proto"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/harness"
	"github.com/pelicanhq/pelican/pelicantest"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

// spy is a KinesisAPI that notes when each shard was read and signals when iterators are out.
type spy struct {
	harness.KinesisAPI
	mu        sync.Mutex
	reads     map[string][]time.Time // by shard: when each GetRecords call started
	shardOf   map[string]string      // iterator -> its shard
	iterators int
	gotIters  chan struct{}
	wantIters int
}

func newSpy(api harness.KinesisAPI, wantIters int) *spy {
	return &spy{KinesisAPI: api, reads: map[string][]time.Time{}, shardOf: map[string]string{}, gotIters: make(chan struct{}), wantIters: wantIters}
}

func (s *spy) GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, optFns ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	out, err := s.KinesisAPI.GetShardIterator(ctx, in, optFns...)
	if err == nil {
		s.mu.Lock()
		s.shardOf[aws.ToString(out.ShardIterator)] = aws.ToString(in.ShardId)
		s.iterators++
		if s.iterators == s.wantIters {
			close(s.gotIters)
		}
		s.mu.Unlock()
	}
	return out, err
}

func (s *spy) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	s.mu.Lock()
	shard := s.shardOf[aws.ToString(in.ShardIterator)]
	s.reads[shard] = append(s.reads[shard], time.Now())
	s.mu.Unlock()
	out, err := s.KinesisAPI.GetRecords(ctx, in, optFns...)
	if err == nil && out.NextShardIterator != nil {
		s.mu.Lock()
		s.shardOf[aws.ToString(out.NextShardIterator)] = shard
		s.mu.Unlock()
	}
	return out, err
}

// TestRecordKeepsToFiveCallsASecondPerShard: however much there is to read, the calls to one
// shard are at least 200 ms apart.
func TestRecordKeepsToFiveCallsASecondPerShard(t *testing.T) {
	em, stream := newEmulator(t, 2)
	for i := 0; i < 6; i++ {
		pelicantest.Put(t, em.Client(), stream, "k"+string(rune('a'+i)), []byte("x"))
	}
	s := newSpy(em.Client(), 2)
	var buf bytes.Buffer
	if _, err := harness.Record(t.Context(), s, stream, &buf, harness.WithDuration(1200*time.Millisecond), harness.WithPollInterval(0)); err != nil {
		t.Fatal(err)
	}
	for shard, calls := range s.reads {
		if len(calls) < 2 {
			t.Errorf("%s read %d times in 1.2 s; the test needs two reads at least", shard, len(calls))
		}
		for i := 1; i < len(calls); i++ {
			if gap := calls[i].Sub(calls[i-1]); gap < 200*time.Millisecond {
				t.Errorf("%s: calls %d and %d only %v apart", shard, i-1, i, gap)
			}
		}
	}
}

func TestRecordFromLatest(t *testing.T) {
	em, stream := newEmulator(t, 2)
	pelicantest.Put(t, em.Client(), stream, "before", []byte("old"))
	s := newSpy(em.Client(), 2)
	var buf bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := harness.Record(t.Context(), s, stream, &buf, harness.WithStart(harness.Latest()), harness.WithLimit(2), harness.WithPollInterval(200*time.Millisecond))
		done <- err
	}()
	select {
	case <-s.gotIters:
	case <-time.After(10 * time.Second):
		t.Fatal("Record took no iterators")
	}
	pelicantest.Put(t, em.Client(), stream, "after-1", []byte("new 1"))
	pelicantest.Put(t, em.Client(), stream, "after-2", []byte("new 2"))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f, err := harness.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range f.Entries {
		keys = append(keys, e.PartitionKey)
	}
	if strings.Join(slices.Sorted(slices.Values(keys)), ",") != "after-1,after-2" {
		t.Errorf("recorded keys %v, want only the records put after the start", keys)
	}
}

// TestRecordAtTimestamp reads from a time on, on an emulator whose clock the test moves.
func TestRecordAtTimestamp(t *testing.T) {
	clk := pelicantest.NewClock(midnight)
	em := pelicantest.NewEmulator(t, pelicantest.WithClock(clk))
	stream := em.NewStream(t, 1)
	pelicantest.Put(t, em.Client(), stream, "k", []byte("00:00"))
	clk.Advance(time.Hour)
	pelicantest.Put(t, em.Client(), stream, "k", []byte("01:00"))
	clk.Advance(time.Hour)
	pelicantest.Put(t, em.Client(), stream, "k", []byte("02:00"))
	f, _ := record(t, em.Client(), stream, 2, harness.WithStart(harness.AtTimestamp(midnight.Add(30*time.Minute))))
	if got := string(f.Entries[0].Data) + " " + string(f.Entries[1].Data); got != "01:00 02:00" {
		t.Errorf("recorded %s, want 01:00 02:00", got)
	}
	if !f.Entries[0].ArrivedAt.Equal(midnight.Add(time.Hour)) {
		t.Errorf("arrival %v, want the emulator's clock %v", f.Entries[0].ArrivedAt, midnight.Add(time.Hour))
	}
}

// TestRecordReadsMergedParentsFirst: both parents of a merge are read to their end before the
// child, whatever order the shards are listed in.
func TestRecordReadsMergedParentsFirst(t *testing.T) {
	em, stream := newEmulator(t, 2)
	c := em.Client()
	keys := []string{"a", "b", "c", "d", "e", "f"}
	for _, k := range keys {
		pelicantest.Put(t, c, stream, k, []byte(k+"1"))
	}
	if _, err := c.MergeShards(t.Context(), &kinesis.MergeShardsInput{StreamName: aws.String(stream),
		ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the merge", func() bool {
		return len(pelicantest.ShardIDs(t, c, stream)) == 3
	})
	for _, k := range keys {
		pelicantest.Put(t, c, stream, k, []byte(k+"2"))
	}
	f, _ := record(t, c, stream, 2*len(keys))
	seen := map[string]int{}
	for i, e := range f.Entries {
		if e.ShardID == "shardId-000000000002" {
			for _, p := range f.Entries[i:] {
				if p.ShardID != "shardId-000000000002" {
					t.Fatalf("parent record %s of %s after the child's first", p.Data, p.ShardID)
				}
			}
		}
		seen[e.PartitionKey]++
		if want := e.PartitionKey + string(rune('0'+seen[e.PartitionKey])); string(e.Data) != want {
			t.Errorf("key %s: record %q, want %q", e.PartitionKey, e.Data, want)
		}
	}
}

// TestRecordFindsShardsBornWhileRecording: a split after Record started is followed into the
// children, which Record learns of from the parent's last GetRecords.
func TestRecordFindsShardsBornWhileRecording(t *testing.T) {
	em, stream := newEmulator(t, 1)
	c := em.Client()
	s := newSpy(c, 1)
	var buf bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := harness.Record(t.Context(), s, stream, &buf, harness.WithLimit(4), harness.WithPollInterval(200*time.Millisecond))
		done <- err
	}()
	<-s.gotIters
	pelicantest.Put(t, c, stream, "a", []byte("before"))
	split(t, c, stream, "shardId-000000000000")
	for _, k := range []string{"a", "b", "c"} {
		pelicantest.Put(t, c, stream, k, []byte("after"))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f, err := harness.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 4 || string(f.Entries[0].Data) != "before" || f.Entries[0].ShardID != "shardId-000000000000" {
		t.Fatalf("entries %v", describeEntries(f))
	}
	for _, e := range f.Entries[1:] {
		if e.ShardID == "shardId-000000000000" || string(e.Data) != "after" {
			t.Errorf("entry %s %s %q, want a child shard's", e.ShardID, e.PartitionKey, e.Data)
		}
	}
}

func TestRecordStops(t *testing.T) {
	em, stream := newEmulator(t, 1)
	t.Run("duration", func(t *testing.T) {
		var buf bytes.Buffer
		stats, err := harness.Record(t.Context(), em.Client(), stream, &buf, harness.WithDuration(300*time.Millisecond))
		if err != nil || stats.Records != 0 {
			t.Fatalf("stats %+v, err %v", stats, err)
		}
		if buf.String() != `{"pelican_fixture":1,"stream":"`+stream+`"}`+"\n" {
			t.Errorf("recording %q, want the header alone", buf.String())
		}
	})
	t.Run("context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(200*time.Millisecond, cancel)
		var buf bytes.Buffer
		if _, err := harness.Record(ctx, em.Client(), stream, &buf); err != nil {
			t.Fatalf("a cancelled recording returned %v, want nil", err)
		}
	})
	t.Run("no stream", func(t *testing.T) {
		var buf bytes.Buffer
		_, err := harness.Record(t.Context(), em.Client(), "no-such-stream", &buf, harness.WithDuration(10*time.Second))
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("error %v, want ResourceNotFoundException", err)
		}
	})
}

func TestRecordProgress(t *testing.T) {
	em, stream := newEmulator(t, 2)
	for _, k := range []string{"a", "b", "c", "d"} {
		pelicantest.Put(t, em.Client(), stream, k, []byte(k))
	}
	var seen []harness.Progress
	record(t, em.Client(), stream, 4, harness.WithProgress(func(p harness.Progress) { seen = append(seen, p) }))
	if len(seen) == 0 {
		t.Fatal("no progress")
	}
	last := seen[len(seen)-1]
	if last.Records != 4 || last.Reading+last.Done < 1 {
		t.Errorf("last progress %+v", last)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Records < seen[i-1].Records {
			t.Errorf("progress went back: %+v then %+v", seen[i-1], seen[i])
		}
	}
}

// notificationTraffic puts a request, its outcome and a record that is not an event.
func notificationTraffic(t *testing.T, c *kinesis.Client, stream string) {
	t.Helper()
	at := midnight.Add(7 * time.Hour)
	for _, m := range []struct {
		msg proto.Message
		id  string
		key string
	}{
		{&notificationv1.NotificationRequested{NotificationId: "n-1", Channel: notificationv1.Channel_CHANNEL_EMAIL,
			Recipient: "ada@example.com", Subject: "Cuckoo!", Body: "It is seven."}, "e-1", ""},
		// A producer that keys by recipient puts personal data in the partition key too.
		{&notificationv1.NotificationRequested{NotificationId: "n-2", Channel: notificationv1.Channel_CHANNEL_EMAIL,
			Recipient: "ada@example.com", Subject: "Again"}, "e-2", "ada@example.com"},
		{&notificationv1.NotificationSent{NotificationId: "n-1", Channel: notificationv1.Channel_CHANNEL_EMAIL, ProviderMessageId: "p-9"}, "e-3", ""},
		{&notificationv1.NotificationFailed{NotificationId: "n-2", Reason: "no such room"}, "e-4", ""},
	} {
		rec := mustEncode(t, m.msg, m.id, at)
		key := rec.PartitionKey
		if m.key != "" {
			key = m.key
		}
		pelicantest.Put(t, c, stream, key, rec.Data)
	}
	pelicantest.Put(t, c, stream, "legacy", []byte(`{"not":"an event"}`))
}

func TestRecordFilters(t *testing.T) {
	em, stream := newEmulator(t, 1)
	notificationTraffic(t, em.Client(), stream)
	const sent, failed = "example.notification.v1.NotificationSent", "example.notification.v1.NotificationFailed"
	cases := []struct {
		name    string
		opts    []harness.Option
		want    []string
		dropped int
	}{
		{"all", nil, []string{"e-1", "e-2", "e-3", "e-4", "legacy"}, 0},
		{"only", []harness.Option{harness.WithEventTypes(sent, failed)}, []string{"e-3", "e-4"}, 2},
		{"without", []harness.Option{harness.WithoutEventTypes(sent), harness.WithoutEventTypes(failed)}, []string{"e-1", "e-2", "legacy"}, 2},
		{"transform drops", []harness.Option{harness.WithTransform(harness.TransformEvents(func(e *harness.Entry, ev *notificationv1.NotificationRequested) (bool, error) {
			return ev.GetSubject() != "Again", nil
		}))}, []string{"e-1", "e-3", "e-4", "legacy"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			stats, err := harness.Record(t.Context(), em.Client(), stream, &buf, append(c.opts, harness.WithLimit(len(c.want)))...)
			if err != nil {
				t.Fatal(err)
			}
			f, err := harness.Read(&buf)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range f.Entries {
				if e.EventID == "" {
					got = append(got, e.PartitionKey)
				} else {
					got = append(got, e.EventID)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") || stats.Dropped != c.dropped {
				t.Errorf("recorded %v with %d dropped, want %v with %d", got, stats.Dropped, c.want, c.dropped)
			}
		})
	}
}

func TestRecordRedacts(t *testing.T) {
	em, stream := newEmulator(t, 1)
	notificationTraffic(t, em.Client(), stream)
	const recipient = "example.notification.v1.NotificationRequested.recipient"
	const body = "example.notification.v1.NotificationRequested.body"
	f, raw := record(t, em.Client(), stream, 5, harness.WithRedaction(recipient, body), harness.WithRedactionKey([]byte("k")))
	if bytes.Contains(raw, []byte("ada@example.com")) || bytes.Contains(raw, []byte("It is seven")) {
		t.Fatalf("the recording still holds personal data:\n%s", raw)
	}
	if got := f.Header.Redacted; len(got) != 2 || got[0] != body || got[1] != recipient {
		t.Errorf("header lists %v", got)
	}
	var pseudonyms []string
	for _, e := range f.Entries[:2] {
		env, err := pelican.UnmarshalEnvelope(e.Data)
		if err != nil {
			t.Fatal(err)
		}
		var req notificationv1.NotificationRequested
		if err := pelican.Unwrap(env, &req); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(req.GetRecipient(), "redacted:") || req.GetBody() != "" && !strings.HasPrefix(req.GetBody(), "redacted:") {
			t.Errorf("data holds recipient %q, body %q", req.GetRecipient(), req.GetBody())
		}
		if req.GetSubject() == "" || env.GetEventId() != e.EventID {
			t.Errorf("redaction touched more than its fields: %v, envelope %v", &req, env)
		}
		if !bytes.Contains(e.Event, []byte(req.GetRecipient())) {
			t.Errorf("event %s does not show the data's recipient %s", e.Event, req.GetRecipient())
		}
		pseudonyms = append(pseudonyms, req.GetRecipient())
	}
	if pseudonyms[0] != pseudonyms[1] {
		t.Errorf("one recipient became %v: equal values must stay equal", pseudonyms)
	}
	if f.Entries[1].PartitionKey != pseudonyms[1] {
		t.Errorf("partition key %q held the redacted value; want its pseudonym %q", f.Entries[1].PartitionKey, pseudonyms[1])
	}
	if f.Entries[0].PartitionKey != "n-1" || string(f.Entries[4].Data) != `{"not":"an event"}` {
		t.Errorf("redaction touched what it should not: %v", describeEntries(f))
	}

	// The same key gives the same pseudonyms; another key, others.
	again, _ := record(t, em.Client(), stream, 5, harness.WithRedaction(recipient, body), harness.WithRedactionKey([]byte("k")))
	other, _ := record(t, em.Client(), stream, 5, harness.WithRedaction(recipient, body), harness.WithRedactionKey([]byte("other")))
	if !bytes.Equal(again.Entries[0].Data, f.Entries[0].Data) || bytes.Equal(other.Entries[0].Data, f.Entries[0].Data) {
		t.Error("pseudonyms do not follow the redaction key")
	}
}

// TestRecordRedactionDropsWhatItCannotRead: with redaction on, an event whose type the recorder
// does not know is dropped rather than written unredacted.
func TestRecordRedactionDropsWhatItCannotRead(t *testing.T) {
	em, stream := newEmulator(t, 1)
	rec := mustEncode(t, tick("zurich-hall", 7), "e-1", midnight)
	env, _ := pelican.UnmarshalEnvelope(rec.Data)
	env.EventType = "acme.secret.v1.PersonMoved"
	data, _ := pelican.MarshalEnvelope(env)
	pelicantest.Put(t, em.Client(), stream, "k", data)
	pelicantest.Put(t, em.Client(), stream, "k", rec.Data)
	f, _ := record(t, em.Client(), stream, 1, harness.WithRedaction("acme.secret.v1.PersonMoved.name"))
	if f.Entries[0].EventID != "e-1" || f.Entries[0].EventType != "example.clock.v1.TimeTicked" {
		t.Errorf("recorded %v, want the unknown event dropped", describeEntries(f))
	}
	g, _ := record(t, em.Client(), stream, 2)
	if g.Entries[0].EventType != "acme.secret.v1.PersonMoved" || len(g.Entries[0].Event) != 0 || g.Entries[0].EventID != "e-1" {
		t.Errorf("without redaction an unknown type is recorded with its envelope's facts and no event: %v", describeEntries(g))
	}
}

// TestRecordWithSchemasFromProtoFiles: types compiled from proto/ decode the events into the same
// fixture as the generated types linked into the test.
func TestRecordWithSchemasFromProtoFiles(t *testing.T) {
	em, stream := newEmulator(t, 1)
	notificationTraffic(t, em.Client(), stream)
	types, err := harness.LoadTypes(t.Context(), "../proto")
	if err != nil {
		t.Fatal(err)
	}
	_, linked := record(t, em.Client(), stream, 5)
	_, loaded := record(t, em.Client(), stream, 5, harness.WithTypes(types))
	if !bytes.Equal(linked, loaded) {
		t.Errorf("recordings differ:\n%s\n%s", linked, loaded)
	}
	edited, _ := record(t, em.Client(), stream, 5, harness.WithTypes(types),
		harness.WithTransform(harness.TransformEvents(func(e *harness.Entry, ev *notificationv1.NotificationSent) (bool, error) {
			ev.ProviderMessageId = "p-10"
			return true, nil
		})))
	if !bytes.Contains(edited.Entries[2].Event, []byte(`"provider_message_id":"p-10"`)) {
		t.Errorf("a transform of a dynamic event did not reach the fixture: %s", edited.Entries[2].Event)
	}
	env, _ := pelican.UnmarshalEnvelope(edited.Entries[2].Data)
	var sent notificationv1.NotificationSent
	if err := pelican.Unwrap(env, &sent); err != nil || sent.GetProviderMessageId() != "p-10" {
		t.Errorf("data holds %v (%v), want the transformed event", &sent, err)
	}
}

func describeEntries(f *harness.Fixture) []string {
	var out []string
	for _, e := range f.Entries {
		out = append(out, e.ShardID+" "+e.PartitionKey+" "+e.EventType+" "+e.EventID+" "+string(e.Event))
	}
	return out
}
