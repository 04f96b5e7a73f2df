package contract

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strconv"
	"strings"
)

// Git inputs are read with the git command, as buf reads them: the schemas at another commit of
// the same repository, without touching the working tree.

// gitRepo is a repository found from a directory inside it, or named by its git directory.
type gitRepo struct {
	root   string // the repository's top directory
	gitDir string // or its git directory (buf's path.git# form), when root is empty
	prefix string // the directory's path inside the repository ("" or "proto")
}

// git runs a git command in the repository.
func (r *gitRepo) git(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	if r.gitDir != "" {
		return runGit(ctx, stdin, append([]string{"--git-dir", r.gitDir}, args...)...)
	}
	return runGit(ctx, stdin, append([]string{"-C", r.root}, args...)...)
}

// ErrNotGitRef reports that an input names neither a directory, nor an image, nor a commit.
var ErrNotGitRef = errors.New("not a git ref")

func runGit(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return out, nil
}

// openRepo finds the repository that holds dir.
func openRepo(ctx context.Context, dir string) (*gitRepo, error) {
	out, err := runGit(ctx, nil, "-C", dir, "rev-parse", "--show-toplevel", "--show-prefix")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	r := &gitRepo{root: lines[0]}
	if len(lines) > 1 {
		r.prefix = strings.TrimSuffix(lines[1], "/")
	}
	return r, nil
}

// resolve returns the commit a ref names; a branch missing locally is looked up on origin, as
// in CI checkouts that fetched only the branch under test.
func (r *gitRepo) resolve(ctx context.Context, ref string) (string, error) {
	if strings.HasPrefix(ref, "-") {
		return "", fmt.Errorf("%q: %w", ref, ErrNotGitRef)
	}
	for _, cand := range []string{ref, "origin/" + ref} {
		out, err := r.git(ctx, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", cand+"^{commit}")
		if err == nil {
			return strings.TrimSpace(string(out)), nil
		}
	}
	return "", fmt.Errorf("%q: %w", ref, ErrNotGitRef)
}

// readTree reads the files under dirs (slash-separated, relative to the repository root) at
// commit, keeping those that keep accepts.
func (r *gitRepo) readTree(ctx context.Context, commit string, dirs []string, keep func(string) bool) (memFS, error) {
	args := []string{"ls-tree", "-r", "-z", "--full-tree", commit, "--"}
	for _, d := range dirs {
		if d == "" || d == "." {
			args = append(args, ".")
		} else {
			args = append(args, d)
		}
	}
	out, err := r.git(ctx, nil, args...)
	if err != nil {
		return nil, err
	}
	var names, oids []string
	for _, entry := range bytes.Split(out, []byte{0}) {
		if len(entry) == 0 {
			continue
		}
		meta, name, ok := bytes.Cut(entry, []byte{'\t'})
		if !ok {
			continue
		}
		fields := strings.Fields(string(meta))
		if len(fields) != 3 || fields[1] != "blob" || !keep(string(name)) {
			continue
		}
		names = append(names, string(name))
		oids = append(oids, fields[2])
	}
	files := make(memFS, len(names))
	if len(names) == 0 {
		return files, nil
	}
	out, err = r.git(ctx, strings.NewReader(strings.Join(oids, "\n")+"\n"), "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(bytes.NewReader(out))
	for i := range names {
		header, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("git cat-file: %w", err)
		}
		fields := strings.Fields(header)
		if len(fields) != 3 {
			return nil, fmt.Errorf("git cat-file: unexpected header %q", header)
		}
		size, err := strconv.Atoi(fields[2])
		if err != nil {
			return nil, fmt.Errorf("git cat-file: unexpected header %q", header)
		}
		data := make([]byte, size+1)
		if _, err := io.ReadFull(br, data); err != nil {
			return nil, fmt.Errorf("git cat-file: %w", err)
		}
		files[names[i]] = data[:size]
	}
	return files, nil
}

// history lists the commits of a revision range (oldest first) that changed dir. A range
// without ".." means every commit reachable from that ref.
func (r *gitRepo) history(ctx context.Context, rangeSpec, dir string) ([]string, error) {
	if strings.HasPrefix(rangeSpec, "-") {
		return nil, fmt.Errorf("%q: %w", rangeSpec, ErrNotGitRef)
	}
	if dir == "" {
		dir = "."
	}
	out, err := r.git(ctx, nil, "rev-list", "--reverse", "--end-of-options", rangeSpec, "--", dir)
	if err != nil {
		return nil, fmt.Errorf("%q: %w: %v", rangeSpec, ErrNotGitRef, err)
	}
	return strings.Fields(string(out)), nil
}

// loadGit compiles the schemas of dir (a path inside the repository, "" for its root) at
// commit. The module layout comes from the configuration committed there, else from cfg.
func loadGit(ctx context.Context, r *gitRepo, commit, dir string, cfg *Config, name string) (*Schema, error) {
	at := func(p string) string { return cleanRel(path.Join(dir, p)) }
	files, err := r.readTree(ctx, commit, []string{dirOrDot(dir)}, func(p string) bool {
		return strings.HasSuffix(p, ".proto") || p == at(PelicanConfigFile) || p == at(BufConfigFile)
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		// The schemas did not exist yet at that commit: nothing to break.
		return newSchema(nil), nil
	}
	layout := cfg
	for _, n := range []string{PelicanConfigFile, BufConfigFile} {
		if data, ok := files[at(n)]; ok {
			c, err := ParseConfig(n, data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			layout = c
			break
		}
	}
	var incDirs []string
	for _, inc := range cfg.Includes {
		if !isAbs(inc) {
			incDirs = append(incDirs, at(inc))
		}
	}
	if len(incDirs) > 0 {
		more, err := r.readTree(ctx, commit, incDirs, func(p string) bool { return strings.HasSuffix(p, ".proto") })
		if err != nil {
			return nil, err
		}
		for k, v := range more {
			files[k] = v
		}
	}
	t := tree{fsys: files, name: name}
	for _, m := range layout.Modules {
		t.roots = append(t.roots, at(m.Path))
		t.modules = append(t.modules, m.Path)
		for _, e := range m.Excludes {
			t.excludes = append(t.excludes, at(e))
		}
	}
	if len(t.roots) == 0 {
		t.roots = []string{dirOrDot(dir)}
	}
	for _, inc := range cfg.Includes {
		if isAbs(inc) {
			t.includes = append(t.includes, inc)
		} else {
			t.includes = append(t.includes, at(inc))
		}
	}
	return compile(ctx, t)
}

func dirOrDot(d string) string {
	if d == "" {
		return "."
	}
	return d
}
