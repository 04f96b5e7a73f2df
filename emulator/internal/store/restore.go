package store

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Restored is a stream read back from a data directory, with its shards and retained records.
type Restored struct {
	Stream *Stream
	// ChangeLost is set when a version 1 data directory recorded that the stream's transition
	// had a change to apply at its end but could not save the change: the transition completes
	// without it. Newer directories keep the change in Stream.Pending.
	ChangeLost bool
}

// LoadReport says what Load found besides the streams.
type LoadReport struct {
	Records   int   // records read back
	TornBytes int64 // bytes cut from the end of record logs: writes that were never acknowledged
	Orphans   int   // record logs of streams the metadata no longer lists, removed
}

// Load reads the data directory back: every stream of meta.json with its shards and the records of
// its log, and the accounts' state. With a source, the streams and accounts go straight into its
// store; without one, the caller adds the streams. A torn or corrupt log tail is cut off; logs of
// deleted streams are removed. Call it once, before the journal takes any write; after a failed
// Load the journal writes nothing, so that a data directory it cannot read is left as it is.
func (j *FileJournal) Load() ([]Restored, LoadReport, error) {
	var rep LoadReport
	j.mu.RLock()
	loaded := j.loaded
	j.mu.RUnlock()
	if loaded {
		return nil, rep, errors.New("store: the data directory is already loaded")
	}
	b, err := os.ReadFile(filepath.Join(j.dir, metaFile))
	var doc metaDoc
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := j.checkNoRecords(); err != nil {
			return nil, rep, err
		}
	case err != nil:
		return nil, rep, fmt.Errorf("store: reading metadata: %w", err)
	default:
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, rep, fmt.Errorf("store: %s is not valid: %w", filepath.Join(j.dir, metaFile), err)
		}
		if doc.Version < minMetaVersion || doc.Version > metaVersion {
			return nil, rep, fmt.Errorf("store: %s has version %d; this build reads versions %d to %d", filepath.Join(j.dir, metaFile), doc.Version, minMetaVersion, metaVersion)
		}
	}
	var out []Restored
	for _, ms := range doc.Streams {
		st, err := ms.stream()
		if err != nil {
			return nil, rep, err
		}
		n, torn, err := j.loadLog(st, ms.Log)
		if err != nil {
			return nil, rep, err
		}
		rep.Records += n
		rep.TornBytes += torn
		out = append(out, Restored{Stream: st, ChangeLost: ms.PendingChange && st.Pending == nil})
	}
	orphans, err := j.removeOrphans()
	rep.Orphans = orphans
	if err != nil {
		return nil, rep, err
	}
	if j.source != nil {
		src := j.source()
		for _, r := range out {
			src.Add(r.Stream)
		}
		src.restoreAccounts(doc.Accounts)
	}
	j.mu.Lock()
	j.loaded = true
	j.mu.Unlock()
	return out, rep, nil
}

// loadLog reads the log called name into st's shards, cuts any torn tail, and opens the log for
// appending. It returns the records read and the bytes cut.
func (j *FileJournal) loadLog(st *Stream, name string) (records int, torn int64, err error) {
	byIndex := st.shardsByIndex() // before j.mu: a stream's lock is never taken under it
	j.mu.Lock()
	j.names[st], j.owners[name] = name, st
	saved := make(map[int]bool, len(byIndex))
	for index := range byIndex {
		saved[index] = true
	}
	j.saved[st] = saved
	j.mu.Unlock()

	path := logPath(j.dir, name)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil // no record was ever written; the log is made on the first
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: opening record log: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, 0, fmt.Errorf("store: record log: %w", err)
	}
	good, err := readLog(bufio.NewReaderSize(f, 1<<20), info.Size(), func(e logEntry) {
		sh := byIndex[e.shard]
		if sh == nil {
			return // a shard the metadata does not know: never acknowledged
		}
		if e.kind == kindNext {
			sh.restoreNext(e.next)
			return
		}
		for _, r := range e.records {
			if next := sh.Next(); r.Index > next && sh.Oldest() < next {
				continue // a gap would break the shard's index arithmetic; entries never leave one
			}
			if r.Index >= sh.Next() {
				sh.Restore(r)
				records++
			}
		}
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: reading record log %s: %w", path, err)
	}
	if good == 0 && info.Size() >= int64(len(logMagic)) && !zeros(f, len(logMagic)) {
		// Not a torn header but another format: cutting it would destroy records this build
		// cannot read.
		return 0, 0, fmt.Errorf("store: %s is not a record log this build can read", path)
	}
	if good < info.Size() {
		torn = info.Size() - good
		if good < int64(len(logMagic)) {
			good = 0 // createLog writes the header again
		}
		if err := f.Truncate(good); err != nil {
			return 0, 0, fmt.Errorf("store: cutting the torn tail of %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			return 0, 0, fmt.Errorf("store: cutting the torn tail of %s: %w", path, err)
		}
	}
	l, err := createLog(j.dir, name)
	if err != nil {
		return 0, 0, err
	}
	l.fault = j.fault
	for _, sh := range st.Shards {
		l.next[sh.Index] = sh.Next()
	}
	j.mu.Lock()
	j.logs[st] = l
	j.mu.Unlock()
	return records, torn, nil
}

// checkNoRecords refuses a data directory whose metadata is missing while its logs hold records:
// the metadata is written before any record, so it was removed, and going on would delete the
// records as orphans.
func (j *FileJournal) checkNoRecords() error {
	entries, err := os.ReadDir(filepath.Join(j.dir, logsDir))
	if err != nil {
		return fmt.Errorf("store: listing record logs: %w", err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), logSuffix) {
			continue
		}
		if info, err := e.Info(); err == nil && info.Size() > int64(len(logMagic)) {
			return fmt.Errorf("store: %s is missing but %s holds records; restore the metadata or empty the directory",
				filepath.Join(j.dir, metaFile), filepath.Join(j.dir, logsDir, e.Name()))
		}
	}
	return nil
}

// zeros reports whether the first n bytes of f are all zero: a header a crash left unwritten.
func zeros(f *os.File, n int) bool {
	b := make([]byte, n)
	if _, err := f.ReadAt(b, 0); err != nil {
		return false
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// removeOrphans deletes the logs no stream owns (a stream deleted just before a crash) and
// leftover temporary files.
func (j *FileJournal) removeOrphans() (int, error) {
	dir := filepath.Join(j.dir, logsDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("store: listing record logs: %w", err)
	}
	n := 0
	for _, e := range entries {
		name, isLog := strings.CutSuffix(e.Name(), logSuffix)
		j.mu.RLock()
		owned := isLog && j.owners[name] != nil
		j.mu.RUnlock()
		if owned || e.IsDir() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return n, fmt.Errorf("store: removing orphan log: %w", err)
		}
		if isLog {
			n++
		}
	}
	if n > 0 {
		return n, syncDir(dir)
	}
	return n, nil
}

// between returns the records of index from up to (not including) to that the shard still holds,
// visible or not. The records share the stored bytes.
func (sh *Shard) between(from, to uint64) []Record {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	base, ok := sh.log.oldest()
	if !ok || to <= from {
		return nil
	}
	from, to = max(from, base), min(to, sh.log.end())
	if from >= to {
		return nil
	}
	return sh.log.records(from, to)
}

// restoreClosed marks a shard closed as the metadata recorded it.
func (sh *Shard) restoreClosed(endSeq string, at time.Time) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.closed, sh.endSeq, sh.closedAt = true, endSeq, at
}

// restoreNext raises the index the shard's next record gets to at least next, for a shard whose
// records were all trimmed.
func (sh *Shard) restoreNext(next uint64) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if next > sh.next {
		sh.next = next
		sh.visible = next
	}
}
