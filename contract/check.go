package contract

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ErrBadInput reports a check that cannot run as asked: no version to compare against, or an
// --against that is neither a directory, an image file nor a git ref.
var ErrBadInput = errors.New("bad input")

// WithAgainst names the version to compare against: a directory of .proto files, a
// FileDescriptorSet or buf image file (binary, or JSON when it ends in .json), a git ref of the
// repository that holds the schemas (main, v1.2.0, HEAD~1), or buf's git form
// (.git#branch=main,subdir=proto).
func WithAgainst(input string) Option { return func(o *options) { o.against = input } }

// WithAgainstHistory compares with every version in a git revision range ("v1.0.0..HEAD", or a
// single ref for all its history) that changed the schemas, under the policy.
func WithAgainstHistory(rangeSpec string) Option {
	return func(o *options) { o.againstHistory = rangeSpec }
}

// WithConfigFile reads the configuration from a buf.yaml or pelican.yaml instead of looking in
// the schemas' directory.
func WithConfigFile(path string) Option { return func(o *options) { o.configFile = path } }

// WithIncludePaths adds import directories (relative to the schemas' directory, or absolute).
func WithIncludePaths(dirs ...string) Option {
	return func(o *options) { o.includes = append(o.includes, dirs...) }
}

// WithPolicy sets the evolution policy (default: the configuration's, else BACKWARD).
func WithPolicy(p Policy) Option { return func(o *options) { o.policy = p } }

// WithConsumerDirs adds subscribers whose contracts the CONSUMER rules check (see ReadConsumer).
func WithConsumerDirs(dirs ...string) Option {
	return func(o *options) { o.consumerDirs = append(o.consumerDirs, dirs...) }
}

// Check runs `pelican contract breaking`: it reads the configuration of the schemas in dir,
// compiles them, loads the version or versions to compare against, reads the subscribers'
// contracts, and returns the findings. A *CompileError reports sources that do not compile;
// ErrBadInput, a check that cannot run as asked.
func Check(ctx context.Context, dir string, opts ...Option) ([]Finding, error) {
	o := newOptions(opts)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory of .proto files", ErrBadInput, dir)
	}
	cfg, err := checkConfig(dir, o)
	if err != nil {
		return nil, err
	}
	if o.against == "" && o.againstHistory == "" {
		return nil, fmt.Errorf("%w: give --against (a directory, image or git ref) or --against-history (a git range)", ErrBadInput)
	}
	// The two versions compile side by side: protocompile's own parallelism leaves cores idle
	// while one version links.
	var (
		current    *Schema
		currentErr error
		wg         sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		current, currentErr = LoadDir(ctx, dir, cfg)
	}()
	policy := o.policy
	if policy == "" {
		policy = cfg.Policy
	}
	var versions []Version
	var loadErr error
	if o.againstHistory != "" {
		versions, loadErr = historyVersions(ctx, dir, o.againstHistory, cfg, o.logger)
	} else {
		var against *Schema
		against, loadErr = loadAgainst(ctx, dir, o.against, cfg)
		versions = []Version{{Name: o.against, Schema: against}}
	}
	wg.Wait()
	if currentErr != nil {
		var ce *CompileError
		if errors.As(currentErr, &ce) {
			ce.Input = "current"
		}
		return nil, currentErr
	}
	if loadErr != nil {
		return nil, loadErr
	}
	var consumers []*Consumer
	dirs := append([]string(nil), o.consumerDirs...)
	for _, d := range cfg.Consumers {
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		schemas := []*Schema{current}
		for _, v := range versions {
			schemas = append(schemas, v.Schema)
		}
		c, err := ReadConsumer(d, schemas...)
		if err != nil {
			return nil, err
		}
		consumers = append(consumers, c)
	}
	run := append(append([]Option(nil), opts...), WithConfig(cfg), WithConsumers(consumers...))
	if o.againstHistory == "" && (policy == "" || policy == PolicyBackward || policy == PolicyBackwardTransitive) {
		return Breaking(ctx, current, versions[0].Schema, run...)
	}
	return CheckHistory(ctx, current, versions, policy, run...)
}

// checkConfig finds the configuration and applies the options that extend it.
func checkConfig(dir string, o *options) (*Config, error) {
	var cfg *Config
	var err error
	if o.configFile != "" {
		cfg, err = ReadConfig(o.configFile)
	} else {
		cfg, err = FindConfig(dir)
	}
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = DefaultConfig()
	}
	if len(o.includes) > 0 {
		c := *cfg
		c.Includes = append(append([]string(nil), cfg.Includes...), o.includes...)
		cfg = &c
	}
	return cfg, nil
}

// loadAgainst loads the version to compare against, deciding what kind of input it names.
func loadAgainst(ctx context.Context, dir, input string, cfg *Config) (*Schema, error) {
	if gitDir, ref, sub, ok := parseBufGitInput(input); ok {
		r := &gitRepo{gitDir: gitDir}
		commit, err := r.resolve(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("%w: --against %s: %v", ErrBadInput, input, err)
		}
		return againstErr(loadGit(ctx, r, commit, cleanRel(sub), cfg, input))
	}
	if st, err := os.Stat(input); err == nil {
		if !st.IsDir() {
			return LoadImage(input)
		}
		layout := cfg
		if c, err := FindConfig(input); err != nil {
			return nil, err
		} else if c != nil {
			layout = &Config{Source: c.Source, Version: c.Version, Modules: c.Modules, Includes: cfg.Includes}
		}
		s, err := compile(ctx, treeFor(os.DirFS(input), filepath.ToSlash(filepath.Clean(input)), input, layout))
		return againstErr(s, err)
	}
	r, err := openRepo(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("%w: --against %s is not a directory or file, and %s is not in a git repository", ErrBadInput, input, dir)
	}
	commit, err := r.resolve(ctx, input)
	if err != nil {
		return nil, fmt.Errorf("%w: --against %s is not a directory, an image file or a git ref", ErrBadInput, input)
	}
	return againstErr(loadGit(ctx, r, commit, r.prefix, cfg, input))
}

func againstErr(s *Schema, err error) (*Schema, error) {
	var ce *CompileError
	if errors.As(err, &ce) && !strings.HasPrefix(ce.Input, "against") {
		ce.Input = "against " + ce.Input
	}
	return s, err
}

// parseBufGitInput reads buf's git input syntax: path.git#branch=main,subdir=proto (also tag=
// and ref=); the path is a git directory (a checkout's .git, or a bare repository) and subdir
// is relative to the repository's top.
func parseBufGitInput(input string) (gitDir, ref, subdir string, ok bool) {
	base, params, found := strings.Cut(input, "#")
	if !found || !strings.HasSuffix(base, ".git") {
		return "", "", "", false
	}
	gitDir = base
	for _, kv := range strings.Split(params, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "branch", "tag", "ref", "commit":
			ref = v
		case "subdir":
			subdir = v
		}
	}
	return gitDir, ref, subdir, ref != ""
}

// historyVersions loads every version of dir's schemas in a git range, oldest first. A version
// that does not compile is left out, with a warning: history cannot be fixed.
func historyVersions(ctx context.Context, dir, rangeSpec string, cfg *Config, logger *slog.Logger) ([]Version, error) {
	r, err := openRepo(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("%w: --against-history needs %s to be in a git repository: %v", ErrBadInput, dir, err)
	}
	commits, err := r.history(ctx, rangeSpec, dirOrDot(r.prefix))
	if err != nil {
		return nil, fmt.Errorf("%w: --against-history %v", ErrBadInput, err)
	}
	var out []Version
	for _, c := range commits {
		s, err := loadGit(ctx, r, c, r.prefix, cfg, "against "+c[:12])
		var ce *CompileError
		if errors.As(err, &ce) {
			logger.WarnContext(ctx, "contract: skipping a version that does not compile", "commit", c[:12], "error", ce.Error())
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Version{Name: c[:12], Schema: s})
	}
	return out, nil
}
