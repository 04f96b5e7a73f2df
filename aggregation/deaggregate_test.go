package aggregation

import (
	"crypto/md5"
	"errors"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// wrap frames a protobuf message as an aggregated record with a correct MD5 trailer.
func wrap(msg []byte) []byte {
	sum := md5.Sum(msg)
	return append(append([]byte(Magic), msg...), sum[:]...)
}

// msg builds protobuf bytes from (field, value) pairs: uint64 values are varints, []byte and
// string values are length-delimited.
func msg(fields ...any) []byte {
	var b []byte
	for i := 0; i < len(fields); i += 2 {
		num := protowire.Number(fields[i].(int))
		switch v := fields[i+1].(type) {
		case uint64:
			b = protowire.AppendTag(b, num, protowire.VarintType)
			b = protowire.AppendVarint(b, v)
		case []byte:
			b = protowire.AppendTag(b, num, protowire.BytesType)
			b = protowire.AppendBytes(b, v)
		case string:
			b = protowire.AppendTag(b, num, protowire.BytesType)
			b = protowire.AppendString(b, v)
		case protowire.Type: // a bare tag, for truncation cases
			b = protowire.AppendTag(b, num, v)
		}
	}
	return b
}

func TestDeaggregatePlain(t *testing.T) {
	good := Aggregate(Record{PartitionKey: "k", Data: []byte("v")})
	badSum := append([]byte(nil), good...)
	badSum[len(badSum)-1] ^= 1
	badBody := append([]byte(nil), good...)
	badBody[6] ^= 1
	tests := []struct {
		name string
		data []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"text", []byte(`{"event":"plain json"}`)},
		{"magic only", []byte(Magic)},
		{"shorter than the overhead", append([]byte(Magic), make([]byte, DigestSize-1)...)},
		{"md5 trailer does not match", badSum},
		{"body changed", badBody},
		{"magic off by one byte", append([]byte{0xf3, 0x89, 0x9a, 0xc3}, good[4:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, aggregated, err := Deaggregate(tt.data)
			if recs != nil || aggregated || err != nil {
				t.Fatalf("Deaggregate = %v, %v, %v; want a plain record", recs, aggregated, err)
			}
			if IsAggregated(tt.data) {
				t.Fatal("IsAggregated = true")
			}
		})
	}
}

func TestDeaggregateMalformed(t *testing.T) {
	rec := func(fields ...any) []byte { return msg(fields...) }
	tests := []struct {
		name string
		body []byte
	}{
		{"partition key index outside the table", msg(1, "k", 3, rec(1, uint64(1), 3, []byte("d")))},
		{"no partition key table", msg(3, rec(1, uint64(0), 3, []byte("d")))},
		{"explicit hash key index outside the table", msg(1, "k", 3, rec(1, uint64(0), 2, uint64(0), 3, []byte("d")))},
		{"record without partition_key_index", msg(1, "k", 3, rec(3, []byte("d")))},
		{"record without data", msg(1, "k", 3, rec(1, uint64(0)))},
		{"tag without key", msg(1, "k", 3, rec(1, uint64(0), 3, []byte("d"), 4, rec(2, "value")))},
		{"truncated length", append(msg(1, "k"), 0x0a, 0x05, 'a')},
		{"truncated varint", append(msg(1, "k"), 0x18, 0xff)},
		{"bare tag", msg(1, protowire.BytesType)},
		{"field number zero", []byte{0x00, 0x00}},
		{"truncated record", append(msg(1, "k"), 0x1a, 0x03, 0x08)},
		{"truncated inner varint", msg(1, "k", 3, []byte{0x08, 0x80})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, aggregated, err := Deaggregate(wrap(tt.body))
			if !aggregated || !errors.Is(err, ErrMalformed) || recs != nil {
				t.Fatalf("Deaggregate = %v, %v, %v; want aggregated with ErrMalformed", recs, aggregated, err)
			}
		})
	}
}

// TestDeaggregateTolerant checks what protobuf allows and other writers may do: fields out of
// order, unknown fields, tags, repeated scalar fields (the last wins), empty aggregates.
func TestDeaggregateTolerant(t *testing.T) {
	rec := func(fields ...any) []byte { return msg(fields...) }
	tests := []struct {
		name string
		body []byte
		want []Record
	}{
		{"empty aggregate", nil, []Record{}},
		{"records before tables", msg(3, rec(1, uint64(1), 3, []byte("x")), 1, "a", 1, "b"),
			[]Record{{PartitionKey: "b", Data: []byte("x")}}},
		{"unknown fields everywhere", msg(9, uint64(7), 1, "a", 15, "junk", 3, rec(5, uint64(1), 1, uint64(0), 3, []byte("x"), 6, "zz")),
			[]Record{{PartitionKey: "a", Data: []byte("x")}}},
		{"tags", msg(1, "a", 3, rec(1, uint64(0), 3, []byte("x"), 4, rec(1, "k", 2, "v"), 4, rec(1, "k2"))),
			[]Record{{PartitionKey: "a", Data: []byte("x")}}},
		{"last scalar wins", msg(1, "a", 1, "b", 3, rec(1, uint64(0), 1, uint64(1), 3, []byte("x"), 3, []byte("y"))),
			[]Record{{PartitionKey: "b", Data: []byte("y")}}},
		{"wrong wire type is an unknown field", msg(1, "a", 1, uint64(5), 3, rec(1, "not a varint", 1, uint64(0), 3, []byte("x"))),
			[]Record{{PartitionKey: "a", Data: []byte("x")}}},
		{"empty data", msg(1, "a", 3, rec(1, uint64(0), 3, []byte{})),
			[]Record{{PartitionKey: "a", Data: []byte{}}}},
		{"duplicate keys in a table", msg(1, "a", 1, "a", 3, rec(1, uint64(1), 3, []byte("x"))),
			[]Record{{PartitionKey: "a", Data: []byte("x")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, aggregated, err := Deaggregate(wrap(tt.body))
			if !aggregated || err != nil {
				t.Fatalf("Deaggregate: aggregated %v, err %v", aggregated, err)
			}
			requireSameRecords(t, tt.want, recs)
			if recs == nil {
				t.Fatal("an aggregate returned nil records")
			}
		})
	}
}

func TestDeaggregateDataIsNeverNil(t *testing.T) {
	recs, _, err := Deaggregate(Aggregate(Record{PartitionKey: "k", Data: nil}))
	if err != nil || len(recs) != 1 || recs[0].Data == nil {
		t.Fatalf("Deaggregate = %#v, %v; want one record with empty, non-nil data", recs, err)
	}
}
