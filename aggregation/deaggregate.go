package aggregation

import (
	"bytes"
	"crypto/md5"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Deaggregate returns the user records of a Kinesis record's data. aggregated is false (and
// recs nil) for a plain record: no magic prefix, or an MD5 trailer that does not match. A record
// whose prefix and MD5 match but whose protobuf does not decode returns an error.
//
// The Data of each user record shares memory with data. Tags are read and checked but not
// returned. A user record's index in recs is its sub-sequence number.
func Deaggregate(data []byte) (recs []Record, aggregated bool, err error) {
	body, ok := Body(data)
	if !ok {
		return nil, false, nil
	}
	recs, err = decode(body)
	if err != nil {
		return nil, true, err
	}
	return recs, true, nil
}

// IsAggregated reports whether data has the magic prefix and a matching MD5 trailer.
func IsAggregated(data []byte) bool {
	_, ok := Body(data)
	return ok
}

// Body returns the protobuf message of an aggregated record, and false for a plain record.
func Body(data []byte) ([]byte, bool) {
	if len(data) < Overhead || string(data[:len(Magic)]) != Magic {
		return nil, false
	}
	body := data[len(Magic) : len(data)-DigestSize]
	sum := md5.Sum(body)
	if !bytes.Equal(sum[:], data[len(data)-DigestSize:]) {
		return nil, false
	}
	return body, true
}

// rawRecord is a Record message with its keys still as indexes.
type rawRecord struct {
	pk, ehk       uint64
	hasPK, hasEHK bool
	data          []byte
	hasData       bool
}

// decode parses an AggregatedRecord message. Fields may come in any order and repeat, as protobuf
// allows; a known field with an unexpected wire type is skipped as unknown, as the protobuf
// runtimes do; a missing required field or an index outside its table is an error.
func decode(b []byte) ([]Record, error) {
	var pks, ehks []string
	var raws []rawRecord
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, malformed("tag", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num == fieldPartitionKeyTable && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, malformed("partition_key_table", protowire.ParseError(n))
			}
			pks = append(pks, string(v))
			b = b[n:]
		case num == fieldExplicitHashKeyTable && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, malformed("explicit_hash_key_table", protowire.ParseError(n))
			}
			ehks = append(ehks, string(v))
			b = b[n:]
		case num == fieldRecords && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, malformed("records", protowire.ParseError(n))
			}
			r, err := decodeRecord(v)
			if err != nil {
				return nil, fmt.Errorf("%w (record %d)", err, len(raws))
			}
			raws = append(raws, r)
			b = b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return nil, malformed("unknown field", protowire.ParseError(n))
			}
			b = b[n:]
		}
	}
	recs := make([]Record, len(raws))
	for i, r := range raws {
		if r.pk >= uint64(len(pks)) {
			return nil, fmt.Errorf("%w: record %d: partition_key_index %d outside a table of %d", ErrMalformed, i, r.pk, len(pks))
		}
		recs[i] = Record{PartitionKey: pks[r.pk], Data: r.data}
		if r.hasEHK {
			if r.ehk >= uint64(len(ehks)) {
				return nil, fmt.Errorf("%w: record %d: explicit_hash_key_index %d outside a table of %d", ErrMalformed, i, r.ehk, len(ehks))
			}
			recs[i].ExplicitHashKey = ehks[r.ehk]
		}
	}
	return recs, nil
}

func decodeRecord(b []byte) (rawRecord, error) {
	var r rawRecord
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return r, malformed("record tag", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num == fieldPartitionKeyIndex && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return r, malformed("partition_key_index", protowire.ParseError(n))
			}
			r.pk, r.hasPK = v, true
			b = b[n:]
		case num == fieldExplicitHashKeyIndex && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return r, malformed("explicit_hash_key_index", protowire.ParseError(n))
			}
			r.ehk, r.hasEHK = v, true
			b = b[n:]
		case num == fieldData && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return r, malformed("data", protowire.ParseError(n))
			}
			r.data, r.hasData = v, true
			b = b[n:]
		case num == fieldTags && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return r, malformed("tags", protowire.ParseError(n))
			}
			if err := checkTag(v); err != nil {
				return r, err
			}
			b = b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return r, malformed("record field", protowire.ParseError(n))
			}
			b = b[n:]
		}
	}
	if !r.hasPK {
		return r, fmt.Errorf("%w: record without its required partition_key_index", ErrMalformed)
	}
	if !r.hasData {
		return r, fmt.Errorf("%w: record without its required data", ErrMalformed)
	}
	if r.data == nil {
		r.data = []byte{} // present but empty: tell it apart from a missing field
	}
	return r, nil
}

// checkTag parses a Tag message and checks that its required key is present.
func checkTag(b []byte) error {
	hasKey := false
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return malformed("tag field", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num == fieldTagKey && typ == protowire.BytesType:
			hasKey = true
		case num == fieldTagValue && typ == protowire.BytesType:
			// optional; its value is not returned
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return malformed("tag field", protowire.ParseError(n))
		}
		b = b[n:]
	}
	if !hasKey {
		return fmt.Errorf("%w: tag without its required key", ErrMalformed)
	}
	return nil
}

func malformed(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrMalformed, what, err)
}
