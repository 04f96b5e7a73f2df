package store

import (
	"os"
)

// DiskOp names what a data directory asks of its disk, for a DiskFault to decide on.
type DiskOp string

// The disk operations a DiskFault is asked about.
const (
	DiskWrite    DiskOp = "write"    // appending to a record log, or writing a metadata or key file
	DiskSync     DiskOp = "sync"     // fsyncing a record log, or a metadata or key file
	DiskTruncate DiskOp = "truncate" // cutting a record log back after a failed write
)

// DiskFault stands in for a failing disk in tests. It is asked before each write, fsync and
// truncation of the data directory's files with the file's path and, for a write, its length n;
// it returns how many of those bytes reach the file and the error the operation then fails with
// (nil lets it through whole). A write that lets some bytes through before failing is what a
// full disk does.
type DiskFault func(op DiskOp, path string, n int) (int, error)

// SetDiskFault makes every later disk operation of the journal ask f first. Call it before Load.
func (j *FileJournal) SetDiskFault(f DiskFault) { j.fault = f }

// writeFile writes b to f, asking fault first.
func writeFile(fault DiskFault, f *os.File, b []byte) error {
	if fault != nil {
		if n, err := fault(DiskWrite, f.Name(), len(b)); err != nil {
			if n > 0 {
				_, _ = f.Write(b[:min(n, len(b))])
			}
			return err
		}
	}
	_, err := f.Write(b)
	return err
}

// syncFile fsyncs f, asking fault first.
func syncFile(fault DiskFault, f *os.File) error {
	if fault != nil {
		if _, err := fault(DiskSync, f.Name(), 0); err != nil {
			return err
		}
	}
	return f.Sync()
}

// truncateFile cuts f to size and fsyncs it, asking fault first.
func truncateFile(fault DiskFault, f *os.File, size int64) error {
	if fault != nil {
		if _, err := fault(DiskTruncate, f.Name(), 0); err != nil {
			return err
		}
	}
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}
