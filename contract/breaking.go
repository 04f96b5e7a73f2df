package contract

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync"
)

// Option configures Breaking and the checks built on it.
type Option func(*options)

type options struct {
	config         *Config
	excludeImports bool
	consumers      []*Consumer
	keyOption      string
	logger         *slog.Logger
	ruleFilter     func(*Rule) bool

	// For Check.
	against        string
	againstHistory string
	configFile     string
	includes       []string
	policy         Policy
	consumerDirs   []string
}

func newOptions(opts []Option) *options {
	o := &options{logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(o)
	}
	if o.config == nil {
		o.config = DefaultConfig()
	}
	if o.keyOption == "" {
		o.keyOption = o.config.PartitionKeyOption
	}
	if o.keyOption == "" {
		o.keyOption = DefaultPartitionKeyOption
	}
	return o
}

// WithConfig selects rules and ignores; without it, DefaultConfig applies.
func WithConfig(c *Config) Option { return func(o *options) { o.config = c } }

// WithExcludeImports leaves files reached only through imports out of the comparison, as buf's
// --exclude-imports does. By default imported files are compared too, as buf does.
func WithExcludeImports() Option { return func(o *options) { o.excludeImports = true } }

// WithConsumers adds subscriber contracts for the CONSUMER rules.
func WithConsumers(c ...*Consumer) Option {
	return func(o *options) { o.consumers = append(o.consumers, c...) }
}

// WithPartitionKeyOption names the boolean field option that marks an event's partition key
// (default pelican.v1.partition_key).
func WithPartitionKeyOption(fullName string) Option {
	return func(o *options) { o.keyOption = strings.TrimPrefix(fullName, ".") }
}

// withRuleFilter narrows the configured rules further.
func withRuleFilter(keep func(*Rule) bool) Option { return func(o *options) { o.ruleFilter = keep } }

// WithLogger sets where the check logs (default: nowhere).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// checkEnv is what Pelican's rules need beyond the two schemas.
type checkEnv struct {
	consumers []*Consumer
	keyOption string
}

// Breaking compares current against a previous version and returns the breaking changes,
// sorted and de-duplicated as buf prints them.
func Breaking(ctx context.Context, current, against *Schema, opts ...Option) ([]Finding, error) {
	o := newOptions(opts)
	modules, err := o.config.resolve()
	if err != nil {
		return nil, err
	}
	for id, repl := range o.config.deprecatedIDs() {
		o.logger.WarnContext(ctx, "contract: a deprecated rule is configured", "config", o.config.Source, "rule", id, "replaced_by", repl)
	}
	want := make(map[string]bool)
	for _, m := range modules {
		for id := range m.rules {
			want[id] = true
		}
	}
	env := &checkEnv{consumers: o.consumers, keyOption: o.keyOption}
	curIdx, prevIdx := current.index(), against.index()
	shared := &pairs{cur: curIdx, prev: prevIdx}
	var passes []*pass
	for i := range ruleTable {
		r := &ruleTable[i]
		if !want[r.ID] || (o.ruleFilter != nil && !o.ruleFilter(r)) {
			continue
		}
		passes = append(passes, &pass{rule: r, cur: current, prev: against, curIdx: curIdx, prevIdx: prevIdx, pairs: shared, env: env})
	}
	// Rules read the shared indexes and pairs and write only their own findings, so they run
	// side by side.
	work := make(chan *pass)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(passes)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				p.rule.check(p)
			}
		}()
	}
	for _, p := range passes {
		if ctx.Err() != nil {
			break
		}
		work <- p
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var findings []Finding
	for _, p := range passes {
		for _, f := range p.findings {
			if keep(f, modules, o.excludeImports) {
				findings = append(findings, f)
			}
		}
	}
	sortFindings(findings)
	findings = dedupeFindings(findings)
	o.logger.DebugContext(ctx, "contract: breaking check done", "rules", len(want), "findings", len(findings))
	return findings, nil
}

// keep applies each module's rule selection and ignores to a finding: it is dropped when the
// module of either file it touches does not run the rule, or ignores the file.
func keep(f Finding, modules []*moduleRules, excludeImports bool) bool {
	selected := false
	for _, file := range []*File{f.file, f.againstFile} {
		if file == nil {
			continue
		}
		if excludeImports && file.Import {
			return false
		}
		m := moduleOf(file, modules)
		if m == nil {
			continue
		}
		if !m.rules[f.Type] {
			continue
		}
		selected = true
		if m.ignores(f.Type, file) {
			return false
		}
	}
	if f.file == nil && f.againstFile == nil {
		for _, m := range modules {
			if m.rules[f.Type] {
				return true
			}
		}
		return false
	}
	return selected
}

// moduleOf finds the module a file belongs to; imports belong to the first module that runs
// rules, since buf checks them with the module's configuration.
func moduleOf(f *File, modules []*moduleRules) *moduleRules {
	if f.module != "" {
		for _, m := range modules {
			if m.root == f.module {
				return m
			}
		}
	}
	if len(modules) == 0 {
		return nil
	}
	return modules[len(modules)-1]
}

func (m *moduleRules) ignores(ruleID string, f *File) bool {
	for _, p := range m.ignore {
		if containsPath(p, f.Path) {
			return true
		}
	}
	for _, p := range m.ignoreOnly[ruleID] {
		if containsPath(p, f.Path) {
			return true
		}
	}
	if m.skipUnstable {
		if level, ok := packageVersion(f.proto.GetPackage()); ok && level != stabilityStable {
			return true
		}
	}
	return false
}
