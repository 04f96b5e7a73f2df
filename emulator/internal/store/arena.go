package store

import (
	"sync"
	"time"
	"unsafe"
)

// Large shards keep their record bytes in arenas: blocks of arenaSize bytes mapped from the kernel
// (mmap(MAP_ANON) where the platform has it) rather than allocated on the Go heap. The collector
// neither scans nor counts them, so a store of a few hundred megabytes does not make the heap's
// growth target, and so the process's resident memory, twice its size.
//
// Lifetime rule. Records handed to readers share their arena's bytes (strings and slices point
// into it), and the collector cannot see those references. So an arena is never unmapped: when
// retention trims all of an arena's records, or its shard is dropped, its pages go back to the
// kernel at once (MADV_DONTNEED) while its address range stays mapped, and it waits arenaQuarantine
// before new records are written into it. A reader that still holds a trimmed record therefore
// never faults: it reads zeros once the pages are returned, and new bytes only if it held the
// record for longer than the quarantine. Readers in the emulator hold records for one call (an
// answer or an event being written), far shorter. Like the Go heap's own arenas, the address space
// in use is the peak of bytes stored at once, reused afterwards.

// arenaSize is the size of one arena: large enough that a million small records take a few dozen.
const arenaSize = 4 << 20

// arenaQuarantine is how long a released arena waits before it is reused.
const arenaQuarantine = time.Minute

// arenaPool keeps released arenas for reuse, process-wide (like sync.Pool), so that stores created
// and dropped one after another, as tests do, reuse the same address space.
type arenaPool struct {
	mu   sync.Mutex
	free []releasedArena // oldest release first
}

type releasedArena struct {
	b  []byte // full capacity, length 0
	at time.Time
}

// arenas is the process's pool of arenas.
var arenas arenaPool

// get returns an empty arena of capacity arenaSize, or nil when the platform cannot map one (the
// caller then allocates on the heap).
func (p *arenaPool) get() []byte {
	p.mu.Lock()
	if len(p.free) > 0 && time.Since(p.free[0].at) >= arenaQuarantine {
		b := p.free[0].b
		p.free[0] = releasedArena{}
		p.free = p.free[1:]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return mapArena(arenaSize)
}

// put releases arenas: their pages go back to the kernel now, the arenas back to the pool.
func (p *arenaPool) put(bs ...[]byte) {
	if len(bs) == 0 {
		return
	}
	now := time.Now()
	for _, b := range bs {
		releaseArena(b[:cap(b)])
	}
	p.mu.Lock()
	for _, b := range bs {
		p.free = append(p.free, releasedArena{b: b[:0], at: now})
	}
	p.mu.Unlock()
}

// mappedSet is the arenas a log holds: a separate object, so that a cleanup attached to the log's
// shard can release them once the shard is gone.
type mappedSet struct {
	mu     sync.Mutex
	arenas map[*byte][]byte // by the arena's first byte
}

func (s *mappedSet) add(b []byte) {
	s.mu.Lock()
	if s.arenas == nil {
		s.arenas = map[*byte][]byte{}
	}
	s.arenas[&b[:1][0]] = b
	s.mu.Unlock()
}

// remove releases b if it is one of the set's arenas, and says whether it was.
func (s *mappedSet) remove(b []byte) bool {
	if cap(b) == 0 {
		return false
	}
	key := &b[:1][0]
	s.mu.Lock()
	_, ok := s.arenas[key]
	delete(s.arenas, key)
	s.mu.Unlock()
	if ok {
		arenas.put(b)
	}
	return ok
}

// releaseAll releases every arena of the set (its shard is gone).
func (s *mappedSet) releaseAll() {
	s.mu.Lock()
	all := make([][]byte, 0, len(s.arenas))
	for _, b := range s.arenas {
		all = append(all, b)
	}
	s.arenas = nil
	s.mu.Unlock()
	arenas.put(all...)
}

// contains says whether b lies in one of the set's arenas.
func (s *mappedSet) contains(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(&b[0]))
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, a := range s.arenas {
		start := uintptr(unsafe.Pointer(k))
		if p >= start && p < start+uintptr(cap(a)) {
			return true
		}
	}
	return false
}
