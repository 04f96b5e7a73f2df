//go:build linux

package store

import "syscall"

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
