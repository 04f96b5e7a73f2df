package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// streamLog is the record log of one stream. Writers queue encoded entries in buf; one of them at a
// time writes the queue and fsyncs it while the others wait for the fsync that covers their entries
// (group commit).
//
// A write or fsync that fails (a full disk) costs only the entries not yet durable: the file is cut
// back to its durable size, those entries' records leave their shards unseen (Shard.discard), their
// writers get the error, and the next write tries the disk again.
type streamLog struct {
	name  string
	fault DiskFault

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
	err     error // set for good when the log is closed or the stream deleted

	// Entries not yet durable, per shard: those being written (writing) and those queued since
	// (waiting); a failure discards both.
	writing, waiting map[int]pendingRecords
	failures         uint64 // failed writes so far: a writer whose entries a failure discarded sees it move
	failed           error  // the error of the last failure
	dirty            bool   // the file may hold bytes past size, to cut before the next write

	size       int64 // bytes in the file that are durable
	compacting bool  // a compaction is under way
}

// pendingRecords are the records of one shard queued but not yet durable, from index from on.
type pendingRecords struct {
	shard *Shard
	from  uint64
}

func newStreamLog(name string, f *os.File) *streamLog {
	l := &streamLog{name: name, f: f, next: make(map[int]uint64),
		writing: make(map[int]pendingRecords), waiting: make(map[int]pendingRecords)}
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
// are durable. recs must come from sh.Append.
func (l *streamLog) append(sh *Shard, recs []Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	if !sh.holds(recs[len(recs)-1]) {
		// A failed write discarded these records after Append made them and before they were
		// queued: they are gone, and the writer must hear so.
		return fmt.Errorf("store: writing record log %s: %w", l.name, l.failed)
	}
	last := recs[len(recs)-1].Index + 1
	if want := l.next[sh.Index]; want < last {
		if _, ok := l.waiting[sh.Index]; !ok {
			l.waiting[sh.Index] = pendingRecords{shard: sh, from: want}
		}
		batch := sh.between(want, last)
		for len(batch) > 0 {
			n := min(len(batch), maxEntryRecords)
			l.buf = appendRecordsEntry(l.buf, sh.Index, batch[:n])
			batch = batch[n:]
			l.queued++
		}
		l.next[sh.Index] = last
	}
	target, round := l.queued, l.failures
	for l.durable < target {
		switch {
		case l.err != nil:
			return l.err
		case l.failures != round:
			return fmt.Errorf("store: writing record log %s: %w", l.name, l.failed)
		case l.syncing:
			l.cond.Wait()
			continue
		}
		l.syncing = true
		buf, upTo, dirty := l.buf, l.queued, l.dirty
		l.writing, l.waiting = l.waiting, l.writing
		l.buf = l.spare[:0]
		l.mu.Unlock()
		err := l.write(buf, dirty)
		l.mu.Lock()
		l.syncing = false
		if cap(buf) <= 16<<20 {
			l.spare = buf[:0]
		}
		switch {
		case l.closed:
			_ = l.f.Close()
		case err != nil:
			l.fail(err)
		default:
			l.dirty = false
			l.durable = upTo
			l.size += int64(len(buf))
			clear(l.writing)
		}
		l.cond.Broadcast()
	}
	if l.failures != round && !sh.holds(recs[len(recs)-1]) {
		// A failure discarded them, and later entries took their numbers in the queue.
		return fmt.Errorf("store: writing record log %s: %w", l.name, l.failed)
	}
	return nil
}

// write appends buf to the file and fsyncs it, first cutting off what an earlier failure left
// past the durable size. It runs without l.mu; l.size does not change meanwhile, since only the
// writer that holds syncing changes it.
func (l *streamLog) write(buf []byte, dirty bool) error {
	if dirty {
		if err := truncateFile(l.fault, l.f, l.size); err != nil {
			return err
		}
	}
	err := writeFile(l.fault, l.f, buf)
	if err == nil {
		err = syncFile(l.fault, l.f)
	}
	if err != nil && truncateFile(l.fault, l.f, l.size) == nil {
		// Cut at once, so that a crash now does not bring back entries whose writers were told
		// they failed. When even that fails, the next write cuts first.
		return &writeError{err: err}
	}
	if err != nil {
		return &writeError{err: err, dirty: true}
	}
	return nil
}

// writeError is a failed write, and whether the file may still hold its bytes.
type writeError struct {
	err   error
	dirty bool
}

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// fail discards every entry not yet durable after a failed write: their records leave their shards
// (later records of those shards, appended but not yet queued, go too), and their writers get err.
// Callers hold l.mu.
func (l *streamLog) fail(err error) {
	var we *writeError
	l.dirty = true
	if errors.As(err, &we) {
		l.dirty, err = we.dirty, we.err
	}
	l.failures++
	l.failed = err
	for index, p := range l.writing {
		p.shard.discard(p.from)
		l.next[index] = p.from
	}
	for index, p := range l.waiting {
		if _, ok := l.writing[index]; !ok {
			p.shard.discard(p.from)
			l.next[index] = p.from
		}
	}
	clear(l.writing)
	clear(l.waiting)
	l.buf = l.buf[:0]
	l.queued = l.durable
}

// abandon is for a writer that cannot queue recs (the metadata their shard needs could not be
// saved): unless another writer has queued them already, they leave the shard unseen and err is
// returned; otherwise they are waited for like any.
func (l *streamLog) abandon(sh *Shard, recs []Record, err error) error {
	l.mu.Lock()
	held := sh.holds(recs[len(recs)-1])
	if l.err == nil && held && l.next[sh.Index] > recs[0].Index {
		l.mu.Unlock()
		return l.append(sh, recs)
	}
	if held {
		sh.discard(recs[0].Index)
		l.failed = err // what later writers of the shard whose records went too are told
	}
	l.mu.Unlock()
	return err
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
