package store

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"time"
)

// A record log starts with logMagic and holds entries, each
//
//	length uint32 (big-endian) | CRC-32C of the payload uint32 | payload
//
// A records payload is kindRecords, the shard index, the record count and the records; a next
// payload (kindNext) pins the index the shard's next record gets, so that sequence numbers keep
// growing when every record of a shard was trimmed away.
const (
	entryHeader = 8

	kindRecords = 1
	kindNext    = 2

	maxEntryRecords = 500
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// appendRecordsEntry encodes one entry holding recs of the shard of index shard.
func appendRecordsEntry(b []byte, shard int, recs []Record) []byte {
	start := len(b)
	b = append(b, make([]byte, entryHeader)...)
	b = append(b, kindRecords)
	b = binary.AppendUvarint(b, uint64(shard))
	b = binary.AppendUvarint(b, uint64(len(recs)))
	for i := range recs {
		r := &recs[i]
		b = binary.AppendUvarint(b, r.Index)
		b = binary.AppendVarint(b, r.Arrival.UnixMilli())
		b = appendBytes(b, []byte(r.Sequence))
		b = appendBytes(b, []byte(r.PartitionKey))
		b = appendBytes(b, r.Data)
	}
	return sealEntry(b, start)
}

// appendNextEntry encodes one entry that pins the next record index of a shard.
func appendNextEntry(b []byte, shard int, next uint64) []byte {
	start := len(b)
	b = append(b, make([]byte, entryHeader)...)
	b = append(b, kindNext)
	b = binary.AppendUvarint(b, uint64(shard))
	b = binary.AppendUvarint(b, next)
	return sealEntry(b, start)
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// sealEntry fills in the header of the entry that starts at start.
func sealEntry(b []byte, start int) []byte {
	payload := b[start+entryHeader:]
	binary.BigEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.BigEndian.PutUint32(b[start+4:], crc32.Checksum(payload, crcTable))
	return b
}

// logEntry is one decoded log entry.
type logEntry struct {
	kind    byte
	shard   int
	records []Record // kindRecords
	next    uint64   // kindNext
}

// errCorrupt marks an entry that cannot be decoded; the log ends before it.
var errCorrupt = errors.New("store: corrupt log entry")

// readLog reads a record log of size bytes from r, calling fn for each whole, intact entry. It
// returns the length of the good prefix: the header and the entries up to the first torn or
// corrupt one. Only errors of r itself are returned; damage just ends the good prefix.
func readLog(r io.Reader, size int64, fn func(logEntry)) (int64, error) {
	magic := make([]byte, len(logMagic))
	if _, err := io.ReadFull(r, magic); err != nil {
		return 0, readErr(err)
	}
	if string(magic) != logMagic {
		return 0, nil
	}
	good := int64(len(logMagic))
	var head [entryHeader]byte
	var payload []byte
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return good, readErr(err)
		}
		n := int64(binary.BigEndian.Uint32(head[:4]))
		if n == 0 || n > size-good-entryHeader {
			return good, nil
		}
		if int64(cap(payload)) < n {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			return good, readErr(err)
		}
		if crc32.Checksum(payload, crcTable) != binary.BigEndian.Uint32(head[4:]) {
			return good, nil
		}
		e, err := decodeEntry(payload)
		if err != nil {
			return good, nil
		}
		fn(e)
		good += entryHeader + n
	}
}

// readErr turns the end of the input into no error: a short read is a torn tail.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return err
}

// decodeEntry decodes one payload. The records it returns own their bytes.
func decodeEntry(p []byte) (logEntry, error) {
	d := decoder{b: p}
	e := logEntry{kind: d.byte()}
	e.shard = int(d.uvarint(1 << 31))
	switch e.kind {
	case kindNext:
		e.next = d.uvarint(MaxSequenceIndex)
	case kindRecords:
		// Each record takes at least 6 bytes, which bounds the count before allocating.
		count := d.uvarint(uint64(len(p)) / 6)
		e.records = make([]Record, 0, count)
		for i := uint64(0); i < count && d.err == nil; i++ {
			var r Record
			r.Index = d.uvarint(MaxSequenceIndex - 1)
			r.Arrival = time.UnixMilli(d.varint())
			r.Sequence = string(d.bytes())
			r.PartitionKey = string(d.bytes())
			r.Data = d.bytes()
			if n := len(e.records); n > 0 && r.Index <= e.records[n-1].Index {
				d.fail()
			}
			e.records = append(e.records, r)
		}
	default:
		d.fail()
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail()
	}
	return e, d.err
}

// decoder reads a payload; the first failure sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() { d.err = errCorrupt }

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint(max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > max || overlong(d.b, n) {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 || overlong(d.b, n) {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// overlong reports a varint of n bytes that a shorter encoding could hold: the encoder never
// writes one, so it is damage.
func overlong(b []byte, n int) bool { return n > 1 && b[n-1] == 0 }

func (d *decoder) bytes() []byte {
	n := d.uvarint(uint64(len(d.b)))
	if d.err != nil {
		return nil
	}
	out := make([]byte, n)
	copy(out, d.b[:n])
	d.b = d.b[n:]
	return out
}
