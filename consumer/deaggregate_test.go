package consumer

import (
	"bytes"
	"crypto/md5"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/consumer/lease"
)

func kinesisRecord(seq, pk string, data []byte) types.Record {
	return types.Record{SequenceNumber: aws.String(seq), PartitionKey: aws.String(pk), Data: data, ApproximateArrivalTimestamp: aws.Time(time.Unix(1700000000, 0))}
}

func TestUserRecords(t *testing.T) {
	agg := aggregation.Aggregate(
		aggregation.Record{PartitionKey: "a", Data: []byte("a0")},
		aggregation.Record{PartitionKey: "b", ExplicitHashKey: "12345", Data: []byte("b0")},
		aggregation.Record{PartitionKey: "a", Data: []byte("a1")},
	)
	// A record with the magic prefix and a matching digest whose body is not a protobuf.
	body := []byte{0xff, 0xff}
	broken := append([]byte(aggregation.Magic), body...)
	broken = append(broken, md5sum(body)...)
	recs := []types.Record{
		kinesisRecord("10", "plain", []byte("p")),
		kinesisRecord("20", "agg", agg),
		kinesisRecord("30", "x", broken),
	}
	type want struct {
		seq       string
		sub       int64
		pk, ehk   string
		data      string
		aggregate bool
	}
	all := []want{
		{"10", 0, "plain", "", "p", false},
		{"20", 0, "a", "", "a0", true},
		{"20", 1, "b", "12345", "b0", true},
		{"20", 2, "a", "", "a1", true},
		{"30", 0, "x", "", string(broken), false},
	}
	tests := []struct {
		name string
		from lease.Checkpoint
		want []want
	}{
		{"from the trim horizon", lease.Checkpoint{SequenceNumber: lease.TrimHorizon}, all},
		{"after a plain record", lease.Checkpoint{SequenceNumber: "10"}, all[1:]},
		{"inside an aggregate", lease.Checkpoint{SequenceNumber: "20", SubSequenceNumber: 1}, all[3:]},
		{"after the whole aggregate", lease.Checkpoint{SequenceNumber: "20", SubSequenceNumber: 2}, all[4:]},
		{"past everything", lease.Checkpoint{SequenceNumber: "30"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := userRecords("shardId-000000000000", recs, tt.from, hashRange{}, slog.New(slog.DiscardHandler))
			if len(got) != len(tt.want) {
				t.Fatalf("%d records, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.SequenceNumber != w.seq || g.SubSequenceNumber != w.sub || g.PartitionKey != w.pk ||
					g.ExplicitHashKey != w.ehk || string(g.Data) != w.data || g.Aggregated != w.aggregate ||
					g.ShardID != "shardId-000000000000" || !g.ApproximateArrivalTimestamp.Equal(time.Unix(1700000000, 0)) {
					t.Fatalf("record %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

// FuzzUserRecords checks that no Kinesis record is lost or invented by deaggregation: a plain
// record yields itself, an aggregate exactly its user records, whatever the bytes.
func FuzzUserRecords(f *testing.F) {
	f.Add([]byte("plain"))
	f.Add(aggregation.Aggregate(aggregation.Record{PartitionKey: "k", Data: []byte("v")}))
	f.Add(aggregation.Aggregate(
		aggregation.Record{PartitionKey: "k1", Data: []byte("v1")},
		aggregation.Record{PartitionKey: "k2", ExplicitHashKey: "7", Data: nil},
	))
	f.Add([]byte(aggregation.Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := userRecords("s", []types.Record{kinesisRecord("5", "pk", data)}, lease.Checkpoint{SequenceNumber: lease.TrimHorizon}, hashRange{}, slog.New(slog.DiscardHandler))
		subs, aggregated, err := aggregation.Deaggregate(data)
		if !aggregated || err != nil {
			if len(got) != 1 || !bytes.Equal(got[0].Data, data) || got[0].Aggregated {
				t.Fatalf("a plain record became %+v", got)
			}
			return
		}
		if len(got) != len(subs) {
			t.Fatalf("%d user records, want %d", len(got), len(subs))
		}
		for i, g := range got {
			if g.SubSequenceNumber != int64(i) || !bytes.Equal(g.Data, subs[i].Data) || g.PartitionKey != subs[i].PartitionKey {
				t.Fatalf("user record %d = %+v, want %+v", i, g, subs[i])
			}
		}
	})
}

func md5sum(b []byte) []byte {
	sum := md5.Sum(b)
	return sum[:]
}

// TestUserRecordsOutsideTheShardAreSkipped: after a split, an aggregate written to the parent may
// hold user records of both children's ranges; the reader of a shard drops those outside its range
// (the producer sends them again to the right shard), as the KCL does. Plain records are kept.
func TestUserRecordsOutsideTheShardAreSkipped(t *testing.T) {
	agg := aggregation.Aggregate(
		aggregation.Record{PartitionKey: "in", ExplicitHashKey: "100", Data: []byte("in")},
		aggregation.Record{PartitionKey: "out", ExplicitHashKey: "5000", Data: []byte("out")},
		aggregation.Record{PartitionKey: "edge", ExplicitHashKey: "1000", Data: []byte("edge")},
	)
	recs := []types.Record{kinesisRecord("20", "agg", agg), kinesisRecord("30", "plain-anywhere", []byte("plain"))}
	from := lease.Checkpoint{SequenceNumber: lease.TrimHorizon}
	got := userRecords("s", recs, from, newHashRange("0", "1000"), slog.New(slog.DiscardHandler))
	var data []string
	for _, r := range got {
		data = append(data, string(r.Data))
	}
	if strings.Join(data, ",") != "in,edge,plain" {
		t.Fatalf("delivered %v, want in, edge and the plain record", data)
	}
	if got[1].SubSequenceNumber != 2 {
		t.Fatalf("the kept record keeps its sub-sequence number: got %d", got[1].SubSequenceNumber)
	}
	// A partition key is judged by its MD5 hash.
	md5Key := newHashRange("0", "0")
	if md5Key.holds("k", "") {
		t.Fatal(`MD5("k") is not 0`)
	}
	if !(hashRange{}).holds("anything", "") {
		t.Fatal("an unknown range must hold every key")
	}
}
