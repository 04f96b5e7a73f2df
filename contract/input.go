package contract

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LoadDir compiles the .proto files under dir: under each module root that cfg names (paths
// relative to dir), or under dir itself. Findings name files by their path from where the
// process runs, through dir as given ("proto/acme/v1/order.proto").
func LoadDir(ctx context.Context, dir string, cfg *Config) (*Schema, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, &fs.PathError{Op: "load", Path: dir, Err: errNotDir}
	}
	return compile(ctx, treeFor(os.DirFS(dir), filepath.ToSlash(filepath.Clean(dir)), dir, cfg))
}

// treeFor lays out a directory's files by cfg. Include paths are relative to the directory; one
// that leaves it (../third_party) is read from the OS file system.
func treeFor(fsys fs.FS, display, name string, cfg *Config) tree {
	t := tree{fsys: fsys, display: display, name: name}
	for _, m := range cfg.Modules {
		t.roots = append(t.roots, cleanRel(m.Path))
		for _, e := range m.Excludes {
			t.excludes = append(t.excludes, cleanRel(e))
		}
	}
	for _, inc := range cfg.Includes {
		rel := cleanRel(inc)
		switch {
		case filepath.IsAbs(inc):
			t.includes = append(t.includes, inc)
		case rel == ".." || strings.HasPrefix(rel, "../"):
			abs, err := filepath.Abs(filepath.Join(name, filepath.FromSlash(rel)))
			if err != nil {
				abs = filepath.Join(name, filepath.FromSlash(rel))
			}
			t.includes = append(t.includes, abs)
		default:
			t.includes = append(t.includes, rel)
		}
	}
	return t
}
