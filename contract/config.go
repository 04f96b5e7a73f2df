package contract

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Config says which rules run over which files and what they ignore. It comes from a buf.yaml
// (v1 or v2), from Pelican's own pelican.yaml, or from DefaultConfig.
type Config struct {
	// Source names where the configuration came from ("buf.yaml", "pelican.yaml", "default").
	Source string
	// Version is the buf.yaml version ("v1", "v2") whose rule set applies; Pelican's own
	// configuration uses v2's.
	Version string
	// Modules are the module roots of the schema, each with its own rules.
	Modules []Module
	// Includes are extra import directories, relative to the configuration's directory.
	Includes []string
	// Consumers are the directories of subscribers whose contracts the CONSUMER rules check.
	Consumers []string
	// Policy is the evolution policy for history checks; empty means BACKWARD.
	Policy Policy
	// PartitionKeyOption is the full name of the boolean field option that marks an event's
	// partition key; empty means pelican.v1.partition_key.
	PartitionKeyOption string
}

// Module is one module root and its breaking configuration.
type Module struct {
	// Path is the module root, slash-separated and relative to the configuration's directory.
	Path string
	// Excludes are directories under Path whose files are left out, relative to the
	// configuration's directory.
	Excludes []string
	// Breaking selects the module's rules.
	Breaking BreakingConfig
}

// BreakingConfig is the `breaking` section of a buf.yaml.
type BreakingConfig struct {
	// Use lists rule IDs and categories to run; empty means the version's default rules.
	Use []string
	// Except lists rule IDs and categories to leave out.
	Except []string
	// Ignore lists files and directories (relative to the module root) that no rule checks.
	Ignore []string
	// IgnoreOnly maps a rule ID or category to files and directories it does not check.
	IgnoreOnly map[string][]string
	// IgnoreUnstablePackages leaves out packages whose version is alpha, beta or test.
	IgnoreUnstablePackages bool
}

// PelicanDefaultUse is what Pelican checks when no configuration selects rules: wire and JSON
// compatibility (what event consumers need; code generation is each service's own business),
// plus the event and consumer rules.
var PelicanDefaultUse = []string{string(CategoryWireJSON), string(CategoryEvent), string(CategoryConsumer)}

// DefaultConfig is the configuration for schemas without a buf.yaml or pelican.yaml: one module
// at the top, PelicanDefaultUse.
func DefaultConfig() *Config {
	return &Config{
		Source:  "default",
		Version: "v2",
		Modules: []Module{{Path: ".", Breaking: BreakingConfig{Use: append([]string(nil), PelicanDefaultUse...)}}},
	}
}

// moduleRules is a module's resolved rule selection and ignores.
type moduleRules struct {
	root         string
	rules        map[string]bool
	ignore       []string
	ignoreOnly   map[string][]string
	skipUnstable bool
}

// resolve expands use and except into rule IDs for every module.
func (c *Config) resolve() ([]*moduleRules, error) {
	known := RulesForVersion(c.version())
	byID := make(map[string]Rule, len(known))
	byCategory := make(map[string][]string)
	for _, r := range known {
		byID[r.ID] = r
		for _, cat := range r.Categories {
			byCategory[string(cat)] = append(byCategory[string(cat)], r.ID)
		}
	}
	expand := func(ids []string, what string) ([]string, error) {
		var out []string
		for _, id := range ids {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			switch {
			case byCategory[id] != nil:
				out = append(out, byCategory[id]...)
			case byID[id].ID != "":
				out = append(out, id)
			default:
				repl, deprecated := deprecatedRules[id]
				if !deprecated {
					return nil, fmt.Errorf("%s: %s: %q is not a known rule ID or category", c.Source, what, id)
				}
				for _, r := range repl {
					if byID[r].ID != "" {
						out = append(out, r)
					}
				}
			}
		}
		return out, nil
	}
	modules := c.Modules
	if len(modules) == 0 {
		modules = []Module{{Path: "."}}
	}
	var out []*moduleRules
	for _, m := range modules {
		mr := &moduleRules{root: cleanRel(m.Path), rules: make(map[string]bool), ignoreOnly: make(map[string][]string), skipUnstable: m.Breaking.IgnoreUnstablePackages}
		use := m.Breaking.Use
		var ids []string
		if len(use) == 0 {
			if c.Source == "default" || c.Version == "pelican" {
				use = PelicanDefaultUse
			} else {
				for _, r := range known {
					if r.Default {
						ids = append(ids, r.ID)
					}
				}
			}
		}
		more, err := expand(use, "breaking.use")
		if err != nil {
			return nil, err
		}
		for _, id := range append(ids, more...) {
			mr.rules[id] = true
		}
		except, err := expand(m.Breaking.Except, "breaking.except")
		if err != nil {
			return nil, err
		}
		for _, id := range except {
			delete(mr.rules, id)
		}
		for _, p := range m.Breaking.Ignore {
			rel, err := c.moduleRelative(mr.root, p)
			if err != nil {
				return nil, err
			}
			mr.ignore = append(mr.ignore, rel)
		}
		for _, key := range sortedKeys(m.Breaking.IgnoreOnly) {
			ids, err := expand([]string{key}, "breaking.ignore_only")
			if err != nil {
				return nil, err
			}
			for _, p := range m.Breaking.IgnoreOnly[key] {
				rel, err := c.moduleRelative(mr.root, p)
				if err != nil {
					return nil, err
				}
				for _, id := range ids {
					mr.ignoreOnly[id] = append(mr.ignoreOnly[id], rel)
				}
			}
		}
		out = append(out, mr)
	}
	// Longest roots first, so that a file matches its innermost module.
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].root) > len(out[j].root) })
	return out, nil
}

// deprecatedIDs lists the deprecated rule IDs the configuration names, with their replacements,
// for a warning like buf's.
func (c *Config) deprecatedIDs() map[string][]string {
	out := make(map[string][]string)
	for _, m := range c.Modules {
		ids := append(append([]string{}, m.Breaking.Use...), m.Breaking.Except...)
		for k := range m.Breaking.IgnoreOnly {
			ids = append(ids, k)
		}
		for _, id := range ids {
			if repl, ok := deprecatedRules[strings.TrimSpace(id)]; ok {
				out[strings.TrimSpace(id)] = repl
			}
		}
	}
	return out
}

func (c *Config) version() string {
	if c.Version == "v1" || c.Version == "v1beta1" {
		return "v1"
	}
	return "v2"
}

// moduleRelative turns an ignore path into a path relative to the module root: buf.yaml v1
// writes them relative to the module already; v2 and Pelican relative to the configuration's
// directory, inside the module.
func (c *Config) moduleRelative(root, p string) (string, error) {
	p = cleanRel(p)
	if c.Version == "v1" || c.Version == "v1beta1" || root == "." {
		return p, nil
	}
	if p == root {
		return ".", nil
	}
	if rest, ok := strings.CutPrefix(p, root+"/"); ok {
		return rest, nil
	}
	return "", fmt.Errorf("%s: ignore path %q is not within module %q", c.Source, p, root)
}

func cleanRel(p string) string {
	p = path.Clean(strings.ReplaceAll(p, "\\", "/"))
	return strings.TrimPrefix(p, "./")
}
