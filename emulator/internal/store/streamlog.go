package store

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

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
