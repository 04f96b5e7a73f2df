package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// A data directory holds:
//
//	meta.json        every stream's metadata, replaced atomically after each control-plane change
//	                 (meta.go)
//	logs/NAME.log    one append-only record log per stream incarnation (streamlog.go; its entries
//	                 are encoded and decoded in entry.go)
//	NAME.key         secrets the server keeps across restarts (the shard iterator key)
//
// A record is acknowledged only after the entry that holds it was fsynced, so a torn or corrupt
// tail was never acknowledged: Load cuts it.

const (
	metaFile  = "meta.json"
	logsDir   = "logs"
	logSuffix = ".log"
	tmpSuffix = ".tmp"
	logMagic  = "PLCNLOG1"
)

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
	fault  DiskFault

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
		err := j.source().saveLocked(func() error { return j.Streams(nil) })
		if err == nil {
			j.mu.RLock()
			known = j.saved[st][sh.Index]
			j.mu.RUnlock()
			if !known {
				// A change that made the shard failed to save and was undone.
				err = ErrShardClosed
			}
		}
		if err != nil {
			return l.abandon(sh, recs, err)
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
	l.fault = j.fault
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
	if err := writeAtomic(j.fault, j.dir, name+".key", b, 0o600); err != nil {
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
		if err := j.source().saveLocked(func() error { return j.Streams(nil) }); err != nil && !errors.Is(err, ErrJournalClosed) {
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

func logPath(dir, name string) string { return filepath.Join(dir, logsDir, name+logSuffix) }

// writeAtomic replaces dir/name with b: a temporary file, fsynced, renamed over the old one, and
// the directory fsynced, so that a crash leaves either the old content or the new.
func writeAtomic(fault DiskFault, dir, name string, b []byte, perm os.FileMode) error {
	tmp := filepath.Join(dir, name+tmpSuffix)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return fmt.Errorf("store: writing %s: %w", name, err)
	}
	err = writeFile(fault, f, b)
	if err == nil {
		err = syncFile(fault, f)
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
