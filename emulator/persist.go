package emulator

import "github.com/pelicanhq/pelican/emulator/internal/store"

// openJournal returns the journal for the data directory: memory when there is none.
func openJournal(dir string, s *Server) (store.Journal, error) {
	return store.Memory(), nil
}

// restore loads the streams a journal kept.
func (s *Server) restore() error { return nil }
