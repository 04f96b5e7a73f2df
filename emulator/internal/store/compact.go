package store

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// Compaction rewrites a stream's record log from the records its shards still retain, so that
// records retention has dropped leave the disk too. It runs while writers go on: the retained
// records already queued are copied to a new file without holding the log, then, holding it, the
// records queued meanwhile are added and the new file takes the old one's place. A crash at any
// point leaves either the old log or the new one, both whole.

// Compaction thresholds: a log is rewritten when it is at least compactMinBytes and more than
// compactRatio times what its stream retains. Variables so that tests can lower them.
var (
	compactMinBytes int64 = 64 << 20
	compactRatio    int64 = 2
)

// betweenCompactionPhases, when set by a test, runs after the unlocked copy.
var betweenCompactionPhases func()

// CompactIfMostlyTrimmed compacts the log of st when records retention dropped take most of it,
// and reports whether it did.
func (j *FileJournal) CompactIfMostlyTrimmed(st *Stream) (bool, error) {
	l := j.logOf(st)
	if l == nil {
		return false, nil
	}
	l.mu.Lock()
	size, busy := l.size, l.compacting
	l.mu.Unlock()
	if busy || size < compactMinBytes || size < compactRatio*retainedLogBytes(st) {
		return false, nil
	}
	return true, j.Compact(st)
}

// retainedLogBytes estimates the log bytes the records st retains take: their data and keys, and
// about 80 bytes each of sequence number, index, arrival and framing.
func retainedLogBytes(st *Stream) int64 {
	st.mu.RLock()
	shards := append([]*Shard(nil), st.Shards...)
	st.mu.RUnlock()
	var n int64
	for _, sh := range shards {
		n += sh.Bytes() + 80*int64(sh.Next()-sh.Oldest())
	}
	return n
}

func (j *FileJournal) logOf(st *Stream) *streamLog {
	j.mu.RLock()
	defer j.mu.RUnlock()
	return j.logs[st]
}

// Compact rewrites the log of st from the records its shards retain. Writers may go on meanwhile.
func (j *FileJournal) Compact(st *Stream) error {
	l := j.logOf(st)
	if l == nil {
		return nil
	}
	l.mu.Lock()
	for l.syncing {
		l.cond.Wait()
	}
	if l.err != nil || l.compacting {
		err := l.err
		l.mu.Unlock()
		return err
	}
	l.compacting = true
	round := l.failures
	copied := make(map[int]uint64, len(l.next))
	for shard, next := range l.next {
		copied[shard] = next
	}
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.compacting = false
		l.mu.Unlock()
	}()

	dir := filepath.Join(j.dir, logsDir)
	tmp := filepath.Join(dir, l.name+logSuffix+tmpSuffix)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("store: compacting record log: %w", err)
	}
	c := &compactor{f: f, w: bufio.NewWriterSize(f, 1<<20), size: int64(len(logMagic))}
	_, _ = c.w.WriteString(logMagic)
	// The records queued before compaction began, copied while writers go on.
	shards := st.shardsByIndex()
	for shard, next := range copied {
		if sh := shards[shard]; sh != nil {
			c.records(sh, 0, next)
		}
	}
	if c.err != nil {
		return c.abandon(tmp)
	}
	if betweenCompactionPhases != nil {
		betweenCompactionPhases()
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	for l.syncing {
		l.cond.Wait()
	}
	if l.err != nil {
		_ = c.abandon(tmp)
		return l.err
	}
	if l.failures != round {
		// A failed write discarded records the copy may hold: try again another time.
		_ = c.abandon(tmp)
		return fmt.Errorf("store: compacting record log %s: %w", l.name, l.failed)
	}
	// The records queued since, up to what the log holds or will hold once its queue is written;
	// then each shard's next index, which a shard whose records were all trimmed needs back.
	shards = st.shardsByIndex()
	for shard, next := range l.next {
		if sh := shards[shard]; sh != nil {
			c.records(sh, copied[shard], next)
		}
	}
	for shard, next := range l.next {
		c.write(appendNextEntry(nil, shard, next))
	}
	if c.err == nil {
		c.err = c.w.Flush()
	}
	if c.err == nil {
		c.err = f.Sync()
	}
	if cerr := f.Close(); c.err == nil {
		c.err = cerr
	}
	if c.err == nil {
		c.err = os.Rename(tmp, logPath(j.dir, l.name))
	}
	if c.err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("store: compacting record log %s: %w", l.name, c.err)
	}
	// The new log is in place: whatever happens next, it is the one a restart reads.
	if err := syncDir(dir); err != nil {
		l.err = fmt.Errorf("store: compacting record log %s: %w", l.name, err)
		return l.err
	}
	nf, err := os.OpenFile(logPath(j.dir, l.name), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		l.err = fmt.Errorf("store: reopening record log: %w", err)
		return l.err
	}
	_ = l.f.Close()
	l.f, l.size, l.dirty = nf, c.size, false
	// The queue's records are in the new log, durable: its writers are done.
	l.buf = l.buf[:0]
	l.durable = l.queued
	clear(l.waiting)
	l.cond.Broadcast()
	return nil
}

// compactor writes a new log, keeping the first error.
type compactor struct {
	f    *os.File
	w    *bufio.Writer
	size int64
	err  error
	buf  []byte
}

func (c *compactor) write(b []byte) {
	if c.err != nil {
		return
	}
	var n int
	n, c.err = c.w.Write(b)
	c.size += int64(n)
}

// records writes the retained records of sh of indexes from up to (not including) to, a window
// of entries at a time.
func (c *compactor) records(sh *Shard, from, to uint64) {
	from = max(from, sh.Oldest())
	for from < to && c.err == nil {
		end := min(to, from+maxEntryRecords)
		if recs := sh.between(from, end); len(recs) > 0 {
			c.buf = appendRecordsEntry(c.buf[:0], sh.Index, recs)
			c.write(c.buf)
		}
		from = end
	}
}

// abandon removes the unfinished new log.
func (c *compactor) abandon(tmp string) error {
	err := c.err
	_ = c.f.Close()
	_ = os.Remove(tmp)
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: compacting record log: %w", err)
}

// shardsByIndex maps the shards of st by index.
func (st *Stream) shardsByIndex() map[int]*Shard {
	st.mu.RLock()
	defer st.mu.RUnlock()
	m := make(map[int]*Shard, len(st.Shards))
	for _, sh := range st.Shards {
		m[sh.Index] = sh
	}
	return m
}
