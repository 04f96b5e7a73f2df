//go:build linux

package store

import (
	"sync/atomic"
	"syscall"
)

// mapArena maps size bytes of anonymous memory, or returns nil when the kernel refuses.
func mapArena(size int) []byte {
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	// No MADV_HUGEPAGE: fewer faults, but the kernel's zeroing and compaction of 2 MiB pages
	// tripled the system time of writing (BenchmarkHandlerPutRecords).
	return b[:0]
}

// releaseArena gives b's pages back to the kernel; the range stays mapped and reads as zeros.
func releaseArena(b []byte) {
	_ = syscall.Madvise(b, syscall.MADV_DONTNEED)
}

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14): fault a range in, writable, now.
const madvPopulateWrite = 23

// populateOff is set once the kernel refuses madvPopulateWrite.
var populateOff atomic.Bool

// populate faults b's pages in with one call rather than one fault per page, as the writer is
// about to fill them: about a sixth cheaper per page on a small virtual machine, where a fresh
// page costs about 2 µs (a 1 KiB record, half a microsecond).
func populate(b []byte) {
	if populateOff.Load() {
		return
	}
	if err := syscall.Madvise(b, madvPopulateWrite); err != nil {
		populateOff.Store(true)
	}
}
