package producer

import (
	"fmt"
	"testing"

	"github.com/pelicanhq/pelican/aggregation"
)

// StoredShard is one shard as a reader sees it: its hash key range and its Kinesis records in
// sequence order. VerifyStream takes shards parents first, the order in which readers go through
// them.
type StoredShard struct {
	ID         string
	Start, End string // decimal hash keys
	Records    []StoredRecord
}

// StoredRecord is one Kinesis record as stored in a shard.
type StoredRecord struct {
	SequenceNumber  string
	PartitionKey    string
	ExplicitHashKey string
	Data            []byte
}

// StreamReport counts what VerifyStream saw.
type StreamReport struct {
	UserRecords int // user records read, copies included
	Delivered   int // distinct records Put accepted and found
	Repeats     int // extra copies in the right shard, after ambiguous attempts
	Misplaced   int // copies in a shard that does not own their hash key (readers drop them)
}

// VerifyStream checks the stream against the Results of every Put, in Put order: every record
// written is there, in Put order per key, with the shard and sequence number its Result gives;
// records that failed without ambiguity are absent; and copies beyond the first belong to
// ambiguous records only. Readers are modelled on the KCL: user records outside their shard's
// hash key range are dropped (and counted).
func VerifyStream(t testing.TB, shards []StoredShard, sent []*Result) StreamReport {
	t.Helper()
	var rep StreamReport
	type seen struct {
		shard, seq string
		sub        int
	}
	type item struct {
		data string
		at   seen
	}
	visible := map[keyID][]item{}
	byData := map[string]*Result{}
	for _, r := range sent {
		if _, dup := byData[string(r.data)]; dup {
			t.Fatalf("test bug: data %q put twice", short(r.data))
		}
		byData[string(r.data)] = r
	}
	for _, sh := range shards {
		start, end := mustHash(t, sh.Start), mustHash(t, sh.End)
		for _, kr := range sh.Records {
			recs, aggregated, err := aggregation.Deaggregate(kr.Data)
			if err != nil {
				t.Fatalf("shard %s record %s: %v", sh.ID, kr.SequenceNumber, err)
			}
			if !aggregated {
				recs = []aggregation.Record{{PartitionKey: kr.PartitionKey, ExplicitHashKey: kr.ExplicitHashKey, Data: kr.Data}}
			}
			for sub, u := range recs {
				rep.UserRecords++
				h := partitionHash(u.PartitionKey)
				if u.ExplicitHashKey != "" {
					h = mustHash(t, u.ExplicitHashKey)
				}
				if h.cmp(start) < 0 || h.cmp(end) > 0 {
					rep.Misplaced++
					r := byData[string(u.Data)]
					if r == nil || !r.Ambiguous() {
						t.Errorf("shard %s holds %q outside its hash key range, and its Result is not ambiguous", sh.ID, short(u.Data))
					}
					continue
				}
				if !aggregated {
					sub = 0
				}
				id := keyID{u.PartitionKey, u.ExplicitHashKey}
				visible[id] = append(visible[id], item{string(u.Data), seen{sh.ID, kr.SequenceNumber, sub}})
			}
		}
	}

	perKey := map[keyID][]*Result{}
	for _, r := range sent {
		id := keyID{r.pk, r.ehk}
		perKey[id] = append(perKey[id], r)
	}
	for id, rs := range perKey {
		index := map[string]int{}
		for i, r := range rs {
			index[string(r.data)] = i
		}
		found := make([]bool, len(rs))
		matched := make([]bool, len(rs))
		last := -1
		for _, it := range visible[id] {
			i, ok := index[it.data]
			if !ok {
				t.Fatalf("key %q: the stream holds %q, which was never put", id.pk, short([]byte(it.data)))
			}
			r := rs[i]
			if r.Err() != nil && !r.Ambiguous() {
				t.Errorf("key %q: %q failed (%v) without ambiguity, yet is in the stream", id.pk, it.data, r.Err())
			}
			if found[i] {
				rep.Repeats++
				if !r.Ambiguous() {
					t.Errorf("key %q: %q appears twice, but no attempt of it was ambiguous", id.pk, short([]byte(it.data)))
				}
			} else {
				found[i] = true
				if i < last {
					t.Errorf("key %q: %q (put #%d) first appears after put #%d: order broken", id.pk, it.data, i, last)
				}
				last = i
			}
			if r.Err() == nil && it.at.shard == r.ShardID() && it.at.seq == r.SequenceNumber() && it.at.sub == r.SubSequenceNumber() {
				matched[i] = true
			}
		}
		for i, r := range rs {
			if r.Err() != nil {
				continue
			}
			rep.Delivered++
			if !found[i] {
				t.Errorf("key %q: %q was acknowledged but is not in the stream: lost", id.pk, short(r.data))
			} else if !matched[i] {
				t.Errorf("key %q: %q is not at the shard %s, sequence number %s, sub-sequence %d its Result gives",
					id.pk, r.data, r.ShardID(), r.SequenceNumber(), r.SubSequenceNumber())
			}
		}
	}
	return rep
}

func mustHash(t testing.TB, s string) hashKey {
	h, err := parseHashKey(s)
	if err != nil {
		t.Fatalf("hash key %q: %v", s, err)
	}
	return h
}

// fakeShards returns the fake's shards, parents first, as VerifyStream reads them.
func (f *fakeKinesis) fakeShards() []StoredShard {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []StoredShard
	for _, s := range f.shards {
		sh := StoredShard{ID: s.id, Start: s.start.String(), End: s.end.String()}
		for _, r := range s.records {
			sh.Records = append(sh.Records, StoredRecord{fmt.Sprint(r.seq), r.pk, r.ehk, r.data})
		}
		out = append(out, sh)
	}
	return out
}

// requireAllWritten fails unless every Result is done without error.
func requireAllWritten(t testing.TB, rs []*Result) {
	t.Helper()
	for i, r := range rs {
		select {
		case <-r.Done():
		default:
			t.Fatalf("result %d (%q) is not done", i, short(r.data))
		}
		if r.Err() != nil {
			t.Fatalf("result %d (%q): %v", i, r.data, r.Err())
		}
	}
}

// short abbreviates data for messages.
func short(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
