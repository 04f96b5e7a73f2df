//go:build linux

package store

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// residentPages is the process's resident set in pages, from /proc/self/statm.
func residentPages(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.Fields(string(b))[1])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPopulateFaultsTheWindowIn holds populate to its word: the pages of the range are resident
// after the call, before anything writes them.
func TestPopulateFaultsTheWindowIn(t *testing.T) {
	a := mapArena(arenaSize)
	if a == nil {
		t.Fatal("no arena mapped")
	}
	defer releaseArena(a[:cap(a)])
	before := residentPages(t)
	populate(a[:cap(a)])
	if populateOff.Load() {
		t.Fatal("the kernel refused MADV_POPULATE_WRITE")
	}
	if grew := (residentPages(t) - before) * os.Getpagesize(); grew < arenaSize*9/10 {
		t.Fatalf("resident memory grew by %d bytes after populating %d", grew, arenaSize)
	}
}
