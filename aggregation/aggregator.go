package aggregation

import (
	"crypto/md5"

	"google.golang.org/protobuf/encoding/protowire"
)

// DefaultMaxSize is the default limit of Aggregator.Size: 1 MiB, the default Kinesis record limit.
// Kinesis counts the partition key of the record that carries the aggregate against the same
// limit, so a caller that sends the aggregate under a partition key subtracts its length.
const DefaultMaxSize = 1 << 20

// Aggregator builds one aggregated record of user records bound for one shard, within a size limit.
//
// Add keeps a reference to each record's Data until Reset; the caller must not change it before.
// The zero value is not ready for use; call NewAggregator. An Aggregator is not safe for
// concurrent use.
type Aggregator struct {
	maxSize   int
	protoSize int // exact size of the protobuf message built so far

	pkIndex  map[string]uint64
	pkTable  []string
	ehkIndex map[string]uint64
	ehkTable []string
	records  []entry
}

// entry is one user record, its keys replaced by indexes into the tables.
type entry struct {
	pk     uint64
	ehk    uint64
	hasEHK bool
	data   []byte
}

// Option configures an Aggregator.
type Option func(*Aggregator)

// WithMaxSize sets the largest aggregate, in bytes of Bytes() (magic prefix and MD5 trailer
// included). The default is DefaultMaxSize.
func WithMaxSize(n int) Option { return func(a *Aggregator) { a.maxSize = n } }

// NewAggregator returns an empty Aggregator.
func NewAggregator(opts ...Option) *Aggregator {
	a := &Aggregator{
		maxSize:  DefaultMaxSize,
		pkIndex:  make(map[string]uint64),
		ehkIndex: make(map[string]uint64),
	}
	for _, o := range opts {
		o(a)
	}
	return a
}

// MaxSize returns the size limit of the aggregate.
func (a *Aggregator) MaxSize() int { return a.maxSize }

// SetMaxSize changes the size limit for the records added from now on, so that one Aggregator
// can be reused for aggregates of different limits.
func (a *Aggregator) SetMaxSize(n int) { a.maxSize = n }

// Len returns the number of user records added since the last Reset.
func (a *Aggregator) Len() int { return len(a.records) }

// Size returns the exact length of what Bytes would return now.
func (a *Aggregator) Size() int { return Overhead + a.protoSize }

// Fits reports whether r can be added without going over the size limit.
func (a *Aggregator) Fits(r Record) bool {
	return Overhead+a.protoSize+a.growth(r) <= a.maxSize
}

// SizeWith returns the size the aggregate would have with r added.
func (a *Aggregator) SizeWith(r Record) int {
	return Overhead + a.protoSize + a.growth(r)
}

// Add appends r to the aggregate. It returns ErrFull when r does not fit in what is left of the
// size limit and ErrTooLarge when r would not fit even in an empty aggregate; in both cases the
// aggregate is unchanged.
func (a *Aggregator) Add(r Record) error {
	g := a.growth(r)
	if Overhead+a.protoSize+g > a.maxSize {
		if len(a.records) == 0 || Overhead+standaloneGrowth(r) > a.maxSize {
			return ErrTooLarge
		}
		return ErrFull
	}
	e := entry{data: r.Data}
	e.pk = a.index(a.pkIndex, &a.pkTable, r.PartitionKey)
	if r.ExplicitHashKey != "" {
		e.ehk = a.index(a.ehkIndex, &a.ehkTable, r.ExplicitHashKey)
		e.hasEHK = true
	}
	a.records = append(a.records, e)
	a.protoSize += g
	return nil
}

// Reset empties the aggregate and drops its references to the records' data, keeping the limit.
func (a *Aggregator) Reset() {
	clear(a.pkIndex)
	clear(a.ehkIndex)
	clear(a.records) // drop the data references
	a.pkTable = a.pkTable[:0]
	a.ehkTable = a.ehkTable[:0]
	a.records = a.records[:0]
	a.protoSize = 0
}

// Bytes returns the aggregated record: the magic prefix, the AggregatedRecord message and the MD5
// of the message. It returns a new slice each time and leaves the aggregate as it is.
func (a *Aggregator) Bytes() []byte {
	return a.AppendTo(make([]byte, 0, a.Size()))
}

// AppendTo appends the aggregated record to dst and returns the extended slice.
func (a *Aggregator) AppendTo(dst []byte) []byte {
	dst = append(dst, Magic...)
	start := len(dst)
	// Field order is the field numbers' order, as the KPL's protobuf serializer writes it.
	for _, k := range a.pkTable {
		dst = protowire.AppendTag(dst, fieldPartitionKeyTable, protowire.BytesType)
		dst = protowire.AppendString(dst, k)
	}
	for _, k := range a.ehkTable {
		dst = protowire.AppendTag(dst, fieldExplicitHashKeyTable, protowire.BytesType)
		dst = protowire.AppendString(dst, k)
	}
	for i := range a.records {
		e := &a.records[i]
		dst = protowire.AppendTag(dst, fieldRecords, protowire.BytesType)
		dst = protowire.AppendVarint(dst, uint64(e.innerSize()))
		dst = protowire.AppendTag(dst, fieldPartitionKeyIndex, protowire.VarintType)
		dst = protowire.AppendVarint(dst, e.pk)
		if e.hasEHK {
			dst = protowire.AppendTag(dst, fieldExplicitHashKeyIndex, protowire.VarintType)
			dst = protowire.AppendVarint(dst, e.ehk)
		}
		dst = protowire.AppendTag(dst, fieldData, protowire.BytesType)
		dst = protowire.AppendBytes(dst, e.data)
	}
	sum := md5.Sum(dst[start:])
	return append(dst, sum[:]...)
}

// index returns the index of key in the table, adding it at the end on first use.
func (a *Aggregator) index(m map[string]uint64, table *[]string, key string) uint64 {
	if i, ok := m[key]; ok {
		return i
	}
	i := uint64(len(*table))
	m[key] = i
	*table = append(*table, key)
	return i
}

// growth is how many bytes adding r would add to the protobuf message.
func (a *Aggregator) growth(r Record) int {
	n := 0
	pk, ok := a.pkIndex[r.PartitionKey]
	if !ok {
		pk = uint64(len(a.pkTable))
		n += tableEntrySize(r.PartitionKey)
	}
	e := entry{pk: pk, data: r.Data}
	if r.ExplicitHashKey != "" {
		ehk, ok := a.ehkIndex[r.ExplicitHashKey]
		if !ok {
			ehk = uint64(len(a.ehkTable))
			n += tableEntrySize(r.ExplicitHashKey)
		}
		e.ehk, e.hasEHK = ehk, true
	}
	return n + 1 + protowire.SizeBytes(e.innerSize())
}

// standaloneGrowth is the size of the protobuf message holding r alone.
func standaloneGrowth(r Record) int {
	n := tableEntrySize(r.PartitionKey)
	e := entry{data: r.Data}
	if r.ExplicitHashKey != "" {
		n += tableEntrySize(r.ExplicitHashKey)
		e.hasEHK = true
	}
	return n + 1 + protowire.SizeBytes(e.innerSize())
}

// tableEntrySize is the encoded size of one string of a key table (tag 1 or 2: one byte).
func tableEntrySize(s string) int { return 1 + protowire.SizeBytes(len(s)) }

// innerSize is the encoded size of the Record message (every tag used here fits one byte).
func (e *entry) innerSize() int {
	n := 1 + protowire.SizeVarint(e.pk)
	if e.hasEHK {
		n += 1 + protowire.SizeVarint(e.ehk)
	}
	return n + 1 + protowire.SizeBytes(len(e.data))
}

// Aggregate returns the aggregated record of recs with no size limit, a shorthand for tests and
// tools that already know the records belong together.
func Aggregate(recs ...Record) []byte {
	a := NewAggregator(WithMaxSize(int(^uint(0) >> 1)))
	for _, r := range recs {
		_ = a.Add(r) // cannot fail without a limit
	}
	return a.Bytes()
}
