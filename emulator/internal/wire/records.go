package wire

// The models of the data plane (PutRecords, GetRecords and the records a subscription carries),
// with the codecs that make them fast: PutRecords bodies are scanned without reflection, and
// PutRecords and GetRecords answers are written by hand, byte for byte what encoding/json writes
// (records_test.go holds them to that). The operations use these types as they are.

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
)

// PutRecordsRequestEntry is one record of a PutRecords request.
type PutRecordsRequestEntry struct {
	PartitionKey    string `json:"PartitionKey"`
	Data            []byte `json:"Data"`
	ExplicitHashKey string `json:"ExplicitHashKey,omitempty"`
}

// PutRecordsInput is the PutRecords request.
type PutRecordsInput struct {
	StreamName string                   `json:"StreamName,omitempty"`
	StreamARN  string                   `json:"StreamARN,omitempty"`
	Records    []PutRecordsRequestEntry `json:"Records"`
	DryRun     *bool                    `json:"DryRun,omitempty"`
}

// ScanJSON reads a PutRecords body as SDKs write it, without reflection: the emulator's busiest
// request. Any other form goes to the general decoder.
func (in *PutRecordsInput) ScanJSON(s *Scanner) bool {
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "StreamName":
			return s.String(&in.StreamName)
		case "StreamARN":
			return s.String(&in.StreamARN)
		case "DryRun":
			return s.Bool(&in.DryRun)
		case "Records":
			in.Records = make([]PutRecordsRequestEntry, 0, 500)
			return s.Array(func() bool {
				in.Records = append(in.Records, PutRecordsRequestEntry{})
				r := &in.Records[len(in.Records)-1]
				// A record without its required members goes to the general reading too.
				return s.Object(func(key []byte) bool {
					switch string(key) {
					case "PartitionKey":
						return s.String(&r.PartitionKey)
					case "Data":
						return s.Blob(&r.Data)
					case "ExplicitHashKey":
						return s.String(&r.ExplicitHashKey)
					}
					return false
				}) && r.Data != nil && r.PartitionKey != ""
			})
		}
		return false
	})
}

// ScanCBOR reads a PutRecords body as the Java SDK v2 writes it, without reflection. Any other form
// goes to the general decoder. It repeats ScanJSON over the other scanner on purpose: one function
// over an interface of both scanners moves every record's closure to the heap (500 allocations
// more per request, measured with BenchmarkHandlerPutRecords).
func (in *PutRecordsInput) ScanCBOR(s *CBORScanner) bool {
	return s.Map(func(key []byte) bool {
		switch string(key) {
		case "StreamName":
			return s.String(&in.StreamName)
		case "StreamARN":
			return s.String(&in.StreamARN)
		case "DryRun":
			return s.Bool(&in.DryRun)
		case "Records":
			in.Records = make([]PutRecordsRequestEntry, 0, 500)
			return s.Array(func() bool {
				in.Records = append(in.Records, PutRecordsRequestEntry{})
				r := &in.Records[len(in.Records)-1]
				return s.Map(func(key []byte) bool {
					switch string(key) {
					case "PartitionKey":
						return s.String(&r.PartitionKey)
					case "Data":
						return s.Blob(&r.Data)
					case "ExplicitHashKey":
						return s.String(&r.ExplicitHashKey)
					}
					return false
				}) && r.Data != nil && r.PartitionKey != ""
			})
		}
		return false
	})
}

// PutRecordsResultEntry is the result of one record: a sequence number, or an error.
type PutRecordsResultEntry struct {
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	ShardId        string `json:"ShardId,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty"`
}

// PutRecordsOutput is the PutRecords answer.
type PutRecordsOutput struct {
	FailedRecordCount int                     `json:"FailedRecordCount"`
	Records           []PutRecordsResultEntry `json:"Records"`
	EncryptionType    string                  `json:"EncryptionType,omitempty"`
}

// AppendJSON writes the answer as encoding/json would, several times faster: PutRecords answers
// are the emulator's most frequent.
func (o *PutRecordsOutput) AppendJSON(b []byte) []byte {
	b = slices.Grow(b, 64+100*len(o.Records)) // an entry with a sequence number takes about 100 bytes
	b = append(b, `{"FailedRecordCount":`...)
	b = strconv.AppendInt(b, int64(o.FailedRecordCount), 10)
	b = append(b, `,"Records":`...)
	b = AppendJSONArray(b, o.Records, (*PutRecordsResultEntry).appendJSON)
	if o.EncryptionType != "" {
		b = append(b, `,"EncryptionType":`...)
		b = AppendJSONString(b, o.EncryptionType)
	}
	return append(b, '}')
}

// appendJSON writes one result. Sequence numbers (digits) and shard ids (shardId- and digits) are
// the store's own and never need escaping; error codes and messages are escaped.
func (e *PutRecordsResultEntry) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if e.SequenceNumber != "" {
		b = append(b, `"SequenceNumber":"`...)
		b = append(b, e.SequenceNumber...)
		b = append(b, '"')
	}
	if e.ShardId != "" {
		if e.SequenceNumber != "" {
			b = append(b, ',')
		}
		b = append(b, `"ShardId":"`...)
		b = append(b, e.ShardId...)
		b = append(b, '"')
	}
	if e.ErrorCode != "" {
		if len(b) > 0 && b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = append(b, `"ErrorCode":`...)
		b = AppendJSONString(b, e.ErrorCode)
	}
	if e.ErrorMessage != "" {
		if len(b) > 0 && b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = append(b, `"ErrorMessage":`...)
		b = AppendJSONString(b, e.ErrorMessage)
	}
	return append(b, '}')
}

// Record is a data record as GetRecords and SubscribeToShard return it.
type Record struct {
	SequenceNumber              string    `json:"SequenceNumber"`
	ApproximateArrivalTimestamp Timestamp `json:"ApproximateArrivalTimestamp"`
	Data                        []byte    `json:"Data"`
	PartitionKey                string    `json:"PartitionKey"`
	EncryptionType              string    `json:"EncryptionType,omitempty"`
}

// ChildShard is a shard that a closed shard was split or merged into.
type ChildShard struct {
	ShardId      string       `json:"ShardId"`
	ParentShards []string     `json:"ParentShards"`
	HashKeyRange HashKeyRange `json:"HashKeyRange"`
}

// GetRecordsOutput is the GetRecords answer.
type GetRecordsOutput struct {
	Records            []Record     `json:"Records"`
	NextShardIterator  *string      `json:"NextShardIterator,omitempty"`
	MillisBehindLatest int64        `json:"MillisBehindLatest"`
	ChildShards        []ChildShard `json:"ChildShards,omitempty"`
}

// AppendJSON writes the answer as encoding/json would, with the records' data encoded about
// twice as fast: GetRecords answers are most of what a reader costs the emulator.
func (o *GetRecordsOutput) AppendJSON(b []byte) []byte {
	size := 96
	for i := range o.Records {
		size += 256 + len(o.Records[i].PartitionKey) + base64.StdEncoding.EncodedLen(len(o.Records[i].Data))
	}
	b = slices.Grow(b, size)
	b = append(b, `{"Records":`...)
	b = AppendJSONArray(b, o.Records, (*Record).appendJSON)
	if o.NextShardIterator != nil {
		b = append(b, `,"NextShardIterator":`...)
		b = AppendJSONString(b, *o.NextShardIterator)
	}
	b = append(b, `,"MillisBehindLatest":`...)
	b = strconv.AppendInt(b, o.MillisBehindLatest, 10)
	if len(o.ChildShards) > 0 {
		children, _ := json.Marshal(o.ChildShards) // once per shard: not worth writing by hand
		b = append(b, `,"ChildShards":`...)
		b = append(b, children...)
	}
	return append(b, '}')
}

func (r *Record) appendJSON(b []byte) []byte {
	b = append(b, `{"SequenceNumber":`...)
	b = AppendJSONString(b, r.SequenceNumber)
	b = append(b, `,"ApproximateArrivalTimestamp":`...)
	b = appendMillisJSON(b, r.ApproximateArrivalTimestamp)
	b = append(b, `,"Data":`...)
	if r.Data == nil {
		b = append(b, "null"...)
	} else {
		b = AppendJSONBlob(b, r.Data)
	}
	b = append(b, `,"PartitionKey":`...)
	b = AppendJSONString(b, r.PartitionKey)
	if r.EncryptionType != "" {
		b = append(b, `,"EncryptionType":`...)
		b = AppendJSONString(b, r.EncryptionType)
	}
	return append(b, '}')
}

// HashKeyRange is a shard's range of hash keys, in decimal.
type HashKeyRange struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

// maxDecimalMillis bounds the arrivals appendMillisJSON writes by hand: below it a float64 of
// seconds is exact to far better than a millisecond, so the shortest decimal that reads back as
// ms/1000 is ms/1000 itself, written with at most three decimals.
const maxDecimalMillis = 1e15

// appendMillisJSON appends what t.AppendJSON appends (epoch seconds, shortest float) without
// formatting a float: the seconds, then the milliseconds without trailing zeros.
func appendMillisJSON(b []byte, t Timestamp) []byte {
	ms := t.UnixMilli()
	if ms < 0 || ms >= maxDecimalMillis {
		return t.AppendJSON(b)
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	frac := ms % 1000
	if frac == 0 {
		return b
	}
	digits := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 3
	for digits[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, digits[:n]...)
}
