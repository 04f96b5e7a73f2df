package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"
)

// A data directory holds:
//
//	meta.json        every stream's metadata, replaced atomically after each control-plane change
//	logs/NAME.log    one append-only record log per stream incarnation
//	NAME.key         secrets the server keeps across restarts (the shard iterator key)
//
// A record log starts with logMagic and holds entries, each
//
//	length uint32 (big-endian) | CRC-32C of the payload uint32 | payload
//
// A records payload is kindRecords, the shard index, the record count and the records; a next
// payload (kindNext) pins the index the shard's next record gets, so that sequence numbers keep
// growing when every record of a shard was trimmed away. A record is acknowledged only after the
// entry that holds it was fsynced, so a torn or corrupt tail was never acknowledged: Load cuts it.

// metaVersion is the metadata format this build writes; Load reads minMetaVersion on. Version 2
// saves a stream's pending change; a version 1 file still loads, its pending changes lost.
const (
	metaVersion    = 2
	minMetaVersion = 1
)

const (
	metaFile    = "meta.json"
	logsDir     = "logs"
	logSuffix   = ".log"
	tmpSuffix   = ".tmp"
	logMagic    = "PLCNLOG1"
	entryHeader = 8

	kindRecords = 1
	kindNext    = 2

	maxEntryRecords = 500
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// ErrStreamDeleted is returned by Records for a stream that was deleted while the records were on
// their way to disk.
var ErrStreamDeleted = errors.New("store: stream was deleted")

// ErrJournalClosed is returned by a journal used after Close.
var ErrJournalClosed = errors.New("store: journal is closed")

// ErrNotLoaded is returned by a file journal asked to write before Load has read the data directory
// back: writing first would replace the saved state with an empty one.
var ErrNotLoaded = errors.New("store: the data directory was not loaded")

// FileJournal keeps a store in a data directory, so that streams, shards and records survive a
// restart and a crash. Records are fsynced before Records returns; concurrent writers to one stream
// share an fsync. Metadata is written to a temporary file, fsynced and renamed over meta.json.
type FileJournal struct {
	dir    string
	source func() *Store
	lock   *os.File // held until Close: one emulator per directory

	mu     sync.RWMutex
	logs   map[*Stream]*streamLog
	names  map[*Stream]string // the log name of each stream incarnation the journal has seen
	owners map[string]*Stream // the reverse of names
	saved  map[*Stream]map[int]bool
	gone   map[*Stream]bool
	loaded bool
	closed bool

	metaMu    sync.Mutex
	metaCond  *sync.Cond
	metaAsked uint64
	metaDone  uint64
	metaBusy  bool
}

// OpenFile opens (creating it if needed) the data directory dir; Load must read it back before the
// journal takes any write. source returns the store the journal keeps, which is read when the
// metadata is written: concurrent saves then always write the newest state, a record for a shard
// the metadata does not know yet first saves it, and the accounts' state (settings, channels,
// consumer tags and policies) is saved with the streams. The store is usually made after its
// journal, hence a function. With a nil source, Streams writes the streams it is given and
// nothing else.
func OpenFile(dir string, source func() *Store) (*FileJournal, error) {
	if err := os.MkdirAll(filepath.Join(dir, logsDir), 0o755); err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	j := &FileJournal{
		dir: dir, source: source, lock: lock,
		logs: make(map[*Stream]*streamLog), names: make(map[*Stream]string), owners: make(map[string]*Stream),
		saved: make(map[*Stream]map[int]bool), gone: make(map[*Stream]bool),
	}
	j.metaCond = sync.NewCond(&j.metaMu)
	_ = os.Remove(filepath.Join(dir, metaFile+tmpSuffix))
	return j, nil
}

// Dir returns the data directory.
func (j *FileJournal) Dir() string { return j.dir }

// Durable reports true: records become visible only after Records.
func (j *FileJournal) Durable() bool { return true }

// Records appends recs, and any earlier records of sh that are still on their way, to the stream's
// log and fsyncs it. Records of one shard reach the log in index order whatever the order of the
// calls, so a writer that publishes up to its last record never publishes one that is not durable.
func (j *FileJournal) Records(st *Stream, sh *Shard, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	l, known, err := j.logFor(st, sh.Index)
	if err != nil {
		return err
	}
	if !known && j.source != nil {
		// The shard is newer than the saved metadata (a stream just created or resharded): save
		// the metadata first, so that an acknowledged record never belongs to an unknown shard.
		if err := j.Streams(nil); err != nil {
			return err
		}
	}
	return l.append(sh, recs)
}

// logFor returns the open log of st, creating its file on first use, and whether the saved
// metadata knows the shard of index shard.
func (j *FileJournal) logFor(st *Stream, shard int) (*streamLog, bool, error) {
	j.mu.RLock()
	l, known := j.logs[st], j.saved[st][shard]
	closed, gone, loaded := j.closed, j.gone[st], j.loaded
	j.mu.RUnlock()
	switch {
	case closed:
		return nil, false, ErrJournalClosed
	case !loaded:
		return nil, false, ErrNotLoaded
	case gone:
		return nil, false, ErrStreamDeleted
	case l != nil:
		return l, known, nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil, false, ErrJournalClosed
	}
	if j.gone[st] {
		return nil, false, ErrStreamDeleted
	}
	if l := j.logs[st]; l != nil {
		return l, j.saved[st][shard], nil
	}
	l, err := createLog(j.dir, j.nameLocked(st))
	if err != nil {
		return nil, false, err
	}
	j.logs[st] = l
	return l, j.saved[st][shard], nil
}

// nameLocked returns the log name of st, choosing one on first sight: a digest of the stream's key
// (names may hold dots) and its generation, made unique among the streams the journal knows.
// Callers hold j.mu.
func (j *FileJournal) nameLocked(st *Stream) string {
	if n, ok := j.names[st]; ok {
		return n
	}
	sum := sha256.Sum256([]byte(st.Key.Account + "\x00" + st.Key.Region + "\x00" + st.Key.Name))
	base := hex.EncodeToString(sum[:8]) + "-" + strconv.FormatInt(st.Generation, 10)
	name := base
	for i := 2; j.owners[name] != nil; i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	j.names[st], j.owners[name] = name, st
	return name
}

// Streams saves the metadata of every stream. With a source, the streams and accounts are read
// from it when the file is written, and concurrent calls share one write that starts after all of
// them were made; all is then ignored. Logs of streams that have left the store are deleted.
// Callers hold no stream's or account's lock.
func (j *FileJournal) Streams(all []*Stream) error {
	j.metaMu.Lock()
	defer j.metaMu.Unlock()
	if j.source == nil {
		// Without a source each caller's list is its own; write them one at a time.
		return j.writeMeta(all)
	}
	j.metaAsked++
	ticket := j.metaAsked
	for j.metaDone < ticket {
		if j.metaBusy {
			j.metaCond.Wait()
			continue
		}
		j.metaBusy = true
		upTo := j.metaAsked
		j.metaMu.Unlock()
		err := j.writeMeta(nil)
		j.metaMu.Lock()
		j.metaBusy = false
		j.metaCond.Broadcast()
		if err != nil {
			return err
		}
		j.metaDone = upTo
	}
	return nil
}

// writeMeta writes meta.json from the source (or all) and then drops the logs of deleted streams.
func (j *FileJournal) writeMeta(all []*Stream) error {
	j.mu.RLock()
	closed, loaded := j.closed, j.loaded
	j.mu.RUnlock()
	switch {
	case closed:
		return ErrJournalClosed
	case !loaded:
		return ErrNotLoaded
	}
	doc := metaDoc{Version: metaVersion}
	if j.source != nil {
		src := j.source()
		all = src.All()
		accounts, err := src.snapshotAccounts()
		if err != nil {
			return err
		}
		doc.Accounts = accounts
	}
	doc.Streams = make([]metaStream, 0, len(all))
	saved := make(map[*Stream]map[int]bool, len(all))
	for _, st := range all {
		j.mu.Lock()
		gone := j.gone[st]
		name := ""
		if !gone {
			name = j.nameLocked(st)
		}
		j.mu.Unlock()
		if gone {
			continue // removed from the store since the listing was taken
		}
		ms := snapshot(st, name)
		doc.Streams = append(doc.Streams, ms)
		idx := make(map[int]bool, len(ms.Shards))
		for _, sh := range ms.Shards {
			idx[sh.Index] = true
		}
		saved[st] = idx
	}
	sort.Slice(doc.Streams, func(a, b int) bool { return doc.Streams[a].Log < doc.Streams[b].Log })
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("store: encoding metadata: %w", err)
	}
	if err := writeAtomic(j.dir, metaFile, b, 0o644); err != nil {
		return err
	}
	// A stream is deleted for good when the store no longer holds it: a listing taken now, not
	// the one written, so that a stream added during the write keeps its log.
	present := make(map[*Stream]bool, len(all))
	if j.source != nil {
		all = j.source().All()
	}
	for _, st := range all {
		present[st] = true
	}
	j.mu.Lock()
	j.saved = saved
	var removed []string
	for st, name := range j.names {
		if present[st] {
			continue
		}
		if l := j.logs[st]; l != nil {
			l.close(ErrStreamDeleted)
			delete(j.logs, st)
		}
		removed = append(removed, name)
		delete(j.names, st)
		delete(j.owners, name)
		j.gone[st] = true
	}
	j.mu.Unlock()
	for _, name := range removed {
		if err := os.Remove(logPath(j.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: removing the log of a deleted stream: %w", err)
		}
	}
	if len(removed) > 0 {
		return syncDir(filepath.Join(j.dir, logsDir))
	}
	return nil
}

// Secret returns the secret called name, of n random bytes, made on first use and kept in the data
// directory from then on.
func (j *FileJournal) Secret(name string, n int) ([]byte, error) {
	path := filepath.Join(j.dir, name+".key")
	b, err := os.ReadFile(path)
	if err == nil && len(b) == n {
		return b, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("store: reading secret %s: %w", name, err)
	}
	b = make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := writeAtomic(j.dir, name+".key", b, 0o600); err != nil {
		return nil, err
	}
	return b, nil
}

// Close saves the metadata a last time, so that changes whose save was still on its way are kept,
// and closes every log. Records and Streams fail afterwards.
func (j *FileJournal) Close() error {
	j.mu.RLock()
	save := j.loaded && !j.closed && j.source != nil
	j.mu.RUnlock()
	var first error
	if save {
		if err := j.Streams(nil); err != nil && !errors.Is(err, ErrJournalClosed) {
			first = err
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return first
	}
	j.closed = true
	for _, l := range j.logs {
		if err := l.close(ErrJournalClosed); err != nil && first == nil {
			first = err
		}
	}
	if j.lock != nil {
		_ = j.lock.Close() // releases the directory for the next emulator
	}
	return first
}

// streamLog is the record log of one stream. Writers queue encoded entries in buf; one of them at a
// time writes the queue and fsyncs it while the others wait for the fsync that covers their entries
// (group commit).
type streamLog struct {
	name string

	mu      sync.Mutex
	cond    *sync.Cond
	f       *os.File
	buf     []byte
	spare   []byte
	next    map[int]uint64 // per shard: the index of the next record to queue
	queued  uint64         // entries queued so far
	durable uint64         // entries fsynced so far
	syncing bool
	closed  bool
	err     error

	size       int64 // bytes in the file
	compacting bool  // a compaction is under way
}

func newStreamLog(name string, f *os.File) *streamLog {
	l := &streamLog{name: name, f: f, next: make(map[int]uint64)}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// createLog opens the log called name for appending, creating it with its header when missing.
func createLog(dir, name string) (*streamLog, error) {
	path := logPath(dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: opening record log: %w", err)
	}
	info, err := f.Stat()
	if err == nil && info.Size() < int64(len(logMagic)) {
		err = f.Truncate(0)
		if err == nil {
			_, err = f.Write([]byte(logMagic))
		}
		if err == nil {
			err = f.Sync()
		}
		if err == nil {
			err = syncDir(filepath.Join(dir, logsDir))
		}
	}
	var size int64
	if err == nil {
		info, err = f.Stat()
		if err == nil {
			size = info.Size()
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: creating record log: %w", err)
	}
	l := newStreamLog(name, f)
	l.size = size
	return l, nil
}

// append queues the records of sh up to recs' last, if no other writer has, and waits until they
// are durable.
func (l *streamLog) append(sh *Shard, recs []Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	last := recs[len(recs)-1].Index + 1
	if want := l.next[sh.Index]; want < last {
		batch := sh.between(want, last)
		for len(batch) > 0 {
			n := min(len(batch), maxEntryRecords)
			l.buf = appendRecordsEntry(l.buf, sh.Index, batch[:n])
			batch = batch[n:]
			l.queued++
		}
		l.next[sh.Index] = last
	}
	target := l.queued
	for l.durable < target {
		if l.err != nil {
			return l.err
		}
		if l.syncing {
			l.cond.Wait()
			continue
		}
		l.syncing = true
		buf, upTo := l.buf, l.queued
		l.buf = l.spare[:0]
		l.mu.Unlock()
		_, err := l.f.Write(buf)
		if err == nil {
			err = l.f.Sync()
		}
		l.mu.Lock()
		l.syncing = false
		if cap(buf) <= 16<<20 {
			l.spare = buf[:0]
		}
		switch {
		case l.closed:
			_ = l.f.Close()
		case err != nil:
			// After a failed write or fsync the file's state is unknown: fail every later write
			// rather than acknowledge records that may not be there.
			l.err = fmt.Errorf("store: writing record log %s: %w", l.name, err)
		default:
			l.durable = upTo
			l.size += int64(len(buf))
		}
		l.cond.Broadcast()
	}
	return nil
}

// close ends the log; writers waiting on it get err.
func (l *streamLog) close(err error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.err == nil {
		l.err = err
	}
	l.cond.Broadcast()
	if l.syncing {
		return nil // the writer closes the file when its fsync returns
	}
	return l.f.Close()
}

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

// metaDoc is the content of meta.json.
type metaDoc struct {
	Version  int           `json:"version"`
	Streams  []metaStream  `json:"streams"`
	Accounts []metaAccount `json:"accounts,omitempty"`
}

// metaAccount is the saved form of an Account. Channels and Commitment are saved as they are, so
// that fields added to them are kept without a change here.
type metaAccount struct {
	Account      string                       `json:"account"`
	Region       string                       `json:"region"`
	Commitment   Commitment                   `json:"commitment"`
	Channels     []Channel                    `json:"channels,omitempty"`
	Tags         map[string]map[string]string `json:"tags,omitempty"`
	Policies     map[string]string            `json:"policies,omitempty"`
	ModeSwitches map[string][]time.Time       `json:"modeSwitches,omitempty"`
}

// snapshotAccounts reads every account's state, each under its lock. The copies are encoded at
// once, so that they share nothing with the live maps.
func (s *Store) snapshotAccounts() ([]metaAccount, error) {
	s.accounts.mu.Lock()
	keys := make([]accountKey, 0, len(s.accounts.m))
	for k := range s.accounts.m {
		keys = append(keys, k)
	}
	s.accounts.mu.Unlock()
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].account != keys[b].account {
			return keys[a].account < keys[b].account
		}
		return keys[a].region < keys[b].region
	})
	out := make([]metaAccount, 0, len(keys))
	for _, k := range keys {
		a := s.Account(k.account, k.region)
		a.Mu.Lock()
		ma := metaAccount{Account: k.account, Region: k.region, Commitment: a.Commitment,
			Tags: a.Tags, Policies: a.Policies, ModeSwitches: a.ModeSwitches}
		for _, ch := range a.SortedChannels() {
			ma.Channels = append(ma.Channels, *ch)
		}
		b, err := json.Marshal(ma)
		a.Mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("store: encoding account %s: %w", k.account, err)
		}
		var copied metaAccount
		if err := json.Unmarshal(b, &copied); err != nil {
			return nil, fmt.Errorf("store: encoding account %s: %w", k.account, err)
		}
		out = append(out, copied)
	}
	return out, nil
}

// metaStream is the saved form of a Stream: every field but the records, which live in its log.
type metaStream struct {
	Account          string            `json:"account"`
	Region           string            `json:"region"`
	Name             string            `json:"name"`
	ARN              string            `json:"arn"`
	Log              string            `json:"log"`
	Status           string            `json:"status"`
	Created          time.Time         `json:"created"`
	Mode             string            `json:"mode"`
	RetentionHours   int               `json:"retentionHours"`
	EncryptionType   string            `json:"encryptionType"`
	KeyID            string            `json:"keyId,omitempty"`
	Metrics          []string          `json:"metrics,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
	MaxRecordSizeKiB int               `json:"maxRecordSizeKiB"`
	Distribution     string            `json:"distribution"`
	WarmThroughput   *WarmThroughput   `json:"warmThroughput,omitempty"`
	Policy           string            `json:"policy,omitempty"`
	PendingUntil     time.Time         `json:"pendingUntil"`
	// Pending is the change the transition applies when it completes (version 2 on).
	Pending *Change `json:"pending,omitempty"`
	// PendingChange is only read: a version 1 file set it for a transition whose change (then a
	// function) could not be saved.
	PendingChange bool           `json:"pendingChange,omitempty"`
	Generation    int64          `json:"generation"`
	Shards        []metaShard    `json:"shards"`
	Consumers     []metaConsumer `json:"consumers,omitempty"`
}

type metaShard struct {
	ID             string    `json:"id"`
	Index          int       `json:"index"`
	StartHash      string    `json:"startHash"`
	EndHash        string    `json:"endHash"`
	Parent         string    `json:"parent,omitempty"`
	AdjacentParent string    `json:"adjacentParent,omitempty"`
	Created        time.Time `json:"created"`
	StartSequence  string    `json:"startSequence"`
	Closed         bool      `json:"closed,omitempty"`
	EndSequence    string    `json:"endSequence,omitempty"`
	ClosedAt       time.Time `json:"closedAt,omitzero"`
}

type metaConsumer struct {
	Name         string    `json:"name"`
	ARN          string    `json:"arn"`
	Status       string    `json:"status"`
	Created      time.Time `json:"created"`
	PendingUntil time.Time `json:"pendingUntil,omitzero"`
}

// snapshot reads the metadata of st under its lock.
func snapshot(st *Stream, log string) metaStream {
	st.Mu.RLock()
	defer st.Mu.RUnlock()
	ms := metaStream{
		Account: st.Key.Account, Region: st.Key.Region, Name: st.Key.Name, ARN: st.ARN, Log: log,
		Status: st.Status, Created: st.Created, Mode: st.Mode, RetentionHours: st.RetentionHours,
		EncryptionType: st.EncryptionType, KeyID: st.KeyID, Metrics: append([]string(nil), st.Metrics...),
		Tags: make(map[string]string, len(st.Tags)), MaxRecordSizeKiB: st.MaxRecordSizeKiB,
		Distribution: st.Distribution, Policy: st.Policy, PendingUntil: st.PendingUntil,
		Pending: st.Pending.Clone(), Generation: st.Generation,
		Shards: make([]metaShard, 0, len(st.Shards)),
	}
	for k, v := range st.Tags {
		ms.Tags[k] = v
	}
	if st.WarmThroughput != nil {
		wt := *st.WarmThroughput
		ms.WarmThroughput = &wt
	}
	for _, sh := range st.Shards {
		sh.mu.RLock()
		ms.Shards = append(ms.Shards, metaShard{
			ID: sh.ID, Index: sh.Index, StartHash: sh.StartHash.String(), EndHash: sh.EndHash.String(),
			Parent: sh.Parent, AdjacentParent: sh.AdjacentParent, Created: sh.Created,
			StartSequence: sh.StartSequence, Closed: sh.closed, EndSequence: sh.endSeq, ClosedAt: sh.closedAt,
		})
		sh.mu.RUnlock()
	}
	for _, c := range st.Consumers {
		ms.Consumers = append(ms.Consumers, metaConsumer{Name: c.Name, ARN: c.ARN, Status: c.Status,
			Created: c.Created, PendingUntil: c.PendingUntil})
	}
	sort.Slice(ms.Consumers, func(a, b int) bool { return ms.Consumers[a].Name < ms.Consumers[b].Name })
	return ms
}

func logPath(dir, name string) string { return filepath.Join(dir, logsDir, name+logSuffix) }

// writeAtomic replaces dir/name with b: a temporary file, fsynced, renamed over the old one, and
// the directory fsynced, so that a crash leaves either the old content or the new.
func writeAtomic(dir, name string, b []byte, perm os.FileMode) error {
	tmp := filepath.Join(dir, name+tmpSuffix)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return fmt.Errorf("store: writing %s: %w", name, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("store: writing %s: %w", name, err)
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory, so that files created, renamed or removed in it stay so after a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: syncing directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: syncing directory %s: %w", dir, err)
	}
	return nil
}
