package wire

// The models of the data plane (PutRecords, GetRecords and the records a subscription carries),
// with the codecs that make them fast: PutRecords bodies are scanned without reflection, and
// PutRecords and GetRecords answers are written by hand, byte for byte what encoding/json writes
// (records_test.go holds them to that). The operations use these types as they are.

import (
	"encoding/base64"
	"encoding/json"
	"io"
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

// Record is a data record as GetRecords and SubscribeToShard return it. Its SequenceNumber is the
// store's, decimal digits, which the JSON writers write as they are, unescaped (as
// PutRecordsResultEntry's).
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

// AppendJSON writes the answer as encoding/json would, whole. The server writes GetRecords answers
// with WriteJSON instead; AppendJSON is what WriteJSON is held to.
func (o *GetRecordsOutput) AppendJSON(b []byte) []byte {
	b = slices.Grow(b, o.JSONLen())
	b = o.appendJSONHead(b)
	var at arrivalText
	for i := range o.Records {
		if i > 0 {
			b = append(b, ',')
		}
		b = o.Records[i].appendJSON(b, &at)
	}
	return o.appendJSONTail(b)
}

// JSONLen is the exact length of the answer's JSON, as AppendJSON and WriteJSON write it: the
// Content-Length of an answer written in pieces.
func (o *GetRecordsOutput) JSONLen() int {
	var scratch [128]byte
	n := len(o.appendJSONHead(scratch[:0]))
	if len(o.Records) > 1 {
		n += len(o.Records) - 1 // commas
	}
	var at arrivalText
	for i := range o.Records {
		n += o.Records[i].jsonLen(&at)
	}
	return n + len(o.appendJSONTail(nil))
}

// WriteJSON writes to w exactly what AppendJSON appends, through buf (its capacity, at least
// minWriteBuffer), a piece at a time. A draining reader's answer is 15 MB; built whole, it went to
// memory and back, and the reader in the same process (BenchmarkGetRecordsDrain, two cores) spent
// a quarter more CPU per record than against the canned ceiling, its own code unchanged. In pieces
// the answer stays in the cache.
func (o *GetRecordsOutput) WriteJSON(w io.Writer, buf []byte) error {
	if cap(buf) < minWriteBuffer {
		buf = make([]byte, 0, minWriteBuffer)
	}
	pw := pieceWriter{w: w, b: buf[:0]}
	pw.b = o.appendJSONHead(pw.b)
	var at arrivalText
	for i := range o.Records {
		r := &o.Records[i]
		if i > 0 {
			pw.b = append(pw.b, ',')
		}
		if r.jsonBound() <= pw.room() {
			pw.b = r.appendJSON(pw.b, &at)
			continue
		}
		if n := r.jsonLen(&at); n <= cap(pw.b) {
			pw.reserve(n)
			pw.b = r.appendJSON(pw.b, &at)
			continue
		}
		// A record larger than the buffer: its data in pieces of whole base64 quanta.
		pw.reserve(len(r.appendJSONHead(nil, &at)) + 1)
		pw.b = append(r.appendJSONHead(pw.b, &at), '"')
		step := cap(pw.b) / 8 * 3
		for data := r.Data; len(data) > 0; {
			piece := data[:min(step, len(data))]
			data = data[len(piece):]
			pw.reserve(base64.StdEncoding.EncodedLen(len(piece)))
			pw.b = appendBase64(pw.b, piece)
		}
		pw.reserve(len(r.appendJSONTail(nil)) + 1)
		pw.b = r.appendJSONTail(append(pw.b, '"'))
	}
	pw.reserve(len(o.appendJSONTail(nil)))
	pw.b = o.appendJSONTail(pw.b)
	pw.flush()
	return pw.err
}

// minWriteBuffer is the smallest buffer WriteJSON writes through: room for any record's
// sequence number, timestamp and partition key, and for the answer's iterator and child shards.
const minWriteBuffer = 16 << 10

// pieceWriter writes through a buffer it flushes when the next piece would not fit.
type pieceWriter struct {
	w   io.Writer
	b   []byte
	err error
}

func (pw *pieceWriter) room() int { return cap(pw.b) - len(pw.b) }

// reserve flushes unless n more bytes fit.
func (pw *pieceWriter) reserve(n int) {
	if n > pw.room() {
		pw.flush()
	}
}

func (pw *pieceWriter) flush() {
	if len(pw.b) > 0 && pw.err == nil {
		_, pw.err = pw.w.Write(pw.b)
	}
	pw.b = pw.b[:0]
}

// appendJSONHead writes the answer up to its first record.
func (o *GetRecordsOutput) appendJSONHead(b []byte) []byte {
	if o.Records == nil {
		return append(b, `{"Records":null`...)
	}
	return append(b, `{"Records":[`...)
}

// appendJSONTail writes the answer after its last record.
func (o *GetRecordsOutput) appendJSONTail(b []byte) []byte {
	if o.Records != nil {
		b = append(b, ']')
	}
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

func (r *Record) appendJSON(b []byte, at *arrivalText) []byte {
	b = r.appendJSONHead(b, at)
	if r.Data == nil {
		b = append(b, "null"...)
	} else {
		b = AppendJSONBlob(b, r.Data)
	}
	return r.appendJSONTail(b)
}

// appendJSONHead writes a record up to its data.
func (r *Record) appendJSONHead(b []byte, at *arrivalText) []byte {
	b = append(b, `{"SequenceNumber":"`...)
	b = append(b, r.SequenceNumber...)
	b = append(b, `","ApproximateArrivalTimestamp":`...)
	b = append(b, at.of(r.ApproximateArrivalTimestamp)...)
	return append(b, `,"Data":`...)
}

// appendJSONTail writes a record after its data.
func (r *Record) appendJSONTail(b []byte) []byte {
	b = append(b, `,"PartitionKey":`...)
	b = AppendJSONString(b, r.PartitionKey)
	if r.EncryptionType != "" {
		b = append(b, `,"EncryptionType":`...)
		b = AppendJSONString(b, r.EncryptionType)
	}
	return append(b, '}')
}

// jsonBound is at least jsonLen, cheaper: escaping makes a string at most six times as long
// (\u0001 for a control character), and a timestamp takes at most 24 bytes.
func (r *Record) jsonBound() int {
	return 128 + 6*(len(r.SequenceNumber)+len(r.PartitionKey)+len(r.EncryptionType)) +
		base64.StdEncoding.EncodedLen(len(r.Data))
}

// jsonLen is the length of what appendJSON writes, counted without writing the data.
func (r *Record) jsonLen(at *arrivalText) int {
	n := len(`{"SequenceNumber":"","ApproximateArrivalTimestamp":,"Data":,"PartitionKey":}`)
	n += len(r.SequenceNumber) + jsonStringLen(r.PartitionKey) + len(at.of(r.ApproximateArrivalTimestamp))
	if r.Data == nil {
		n += len("null")
	} else {
		n += 2 + base64.StdEncoding.EncodedLen(len(r.Data))
	}
	if r.EncryptionType != "" {
		n += len(`,"EncryptionType":`) + jsonStringLen(r.EncryptionType)
	}
	return n
}

// HashKeyRange is a shard's range of hash keys, in decimal.
type HashKeyRange struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

// arrivalText keeps the text of the last arrival time written: the records of one PutRecords
// request share theirs, and a GetRecords answer holds them in order.
type arrivalText struct {
	ms   int64
	text []byte
}

// of returns the JSON of t, which stays valid until the next call.
func (a *arrivalText) of(t Timestamp) []byte {
	if ms := t.UnixMilli(); ms != a.ms || a.text == nil {
		a.ms, a.text = ms, appendMillisJSON(a.text[:0], t)
	}
	return a.text
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
