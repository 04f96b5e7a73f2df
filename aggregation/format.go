package aggregation

import (
	"crypto/md5"
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// Magic is the prefix of every aggregated record, as the KPL writes it.
const Magic = "\xf3\x89\x9a\xc2"

// DigestSize is the size of the MD5 trailer that follows the protobuf message.
const DigestSize = md5.Size

// Overhead is the number of bytes an aggregated record adds around its protobuf message: the magic
// prefix and the MD5 trailer.
const Overhead = len(Magic) + DigestSize

// Record is one user record inside an aggregate.
type Record struct {
	PartitionKey    string
	ExplicitHashKey string
	Data            []byte
}

// ErrMalformed is wrapped by the errors of Deaggregate for a record whose magic prefix and MD5
// trailer match but whose protobuf message is not a valid AggregatedRecord.
var ErrMalformed = errors.New("aggregation: malformed aggregated record")

// ErrFull is returned by Aggregator.Add when the record does not fit in what is left of the size
// limit; build the aggregate and start another.
var ErrFull = errors.New("aggregation: aggregate is full")

// ErrTooLarge is returned by Aggregator.Add when the record does not fit even in an empty
// aggregate under the size limit.
var ErrTooLarge = errors.New("aggregation: user record too large for one aggregate")

// Field numbers of the AggregatedRecord message and its nested messages (messages.proto of the
// KPL).
const (
	fieldPartitionKeyTable    protowire.Number = 1 // AggregatedRecord.partition_key_table
	fieldExplicitHashKeyTable protowire.Number = 2 // AggregatedRecord.explicit_hash_key_table
	fieldRecords              protowire.Number = 3 // AggregatedRecord.records

	fieldPartitionKeyIndex    protowire.Number = 1 // Record.partition_key_index
	fieldExplicitHashKeyIndex protowire.Number = 2 // Record.explicit_hash_key_index
	fieldData                 protowire.Number = 3 // Record.data
	fieldTags                 protowire.Number = 4 // Record.tags

	fieldTagKey   protowire.Number = 1 // Tag.key
	fieldTagValue protowire.Number = 2 // Tag.value
)
