package contract

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Configuration file names, looked for in this order in the schemas' directory.
const (
	PelicanConfigFile = "pelican.yaml"
	BufConfigFile     = "buf.yaml"
)

// yamlBreaking is the breaking section of buf.yaml (v1 and v2) and of pelican.yaml.
type yamlBreaking struct {
	Use                    []string            `yaml:"use"`
	Except                 []string            `yaml:"except"`
	Ignore                 []string            `yaml:"ignore"`
	IgnoreOnly             map[string][]string `yaml:"ignore_only"`
	IgnoreUnstablePackages bool                `yaml:"ignore_unstable_packages"`
}

func (b *yamlBreaking) config() BreakingConfig {
	if b == nil {
		return BreakingConfig{}
	}
	return BreakingConfig{Use: b.Use, Except: b.Except, Ignore: b.Ignore, IgnoreOnly: b.IgnoreOnly, IgnoreUnstablePackages: b.IgnoreUnstablePackages}
}

type yamlModule struct {
	Path     string        `yaml:"path"`
	Excludes []string      `yaml:"excludes"`
	Breaking *yamlBreaking `yaml:"breaking"`
}

// yamlBuf is what Pelican reads of a buf.yaml; other keys (name, deps, lint, plugins) are
// accepted and left alone.
type yamlBuf struct {
	Version string `yaml:"version"`
	Build   struct {
		Roots    []string `yaml:"roots"`
		Excludes []string `yaml:"excludes"`
	} `yaml:"build"`
	Modules  []yamlModule  `yaml:"modules"`
	Breaking *yamlBreaking `yaml:"breaking"`
}

type yamlPelican struct {
	Contract *struct {
		Modules            []yamlModule  `yaml:"modules"`
		Breaking           *yamlBreaking `yaml:"breaking"`
		Includes           []string      `yaml:"includes"`
		Consumers          []string      `yaml:"consumers"`
		Policy             string        `yaml:"policy"`
		PartitionKeyOption string        `yaml:"partition_key_option"`
	} `yaml:"contract"`
}

// ReadConfig reads a configuration file: a pelican.yaml (with a contract section) or a
// buf.yaml of version v1beta1, v1 or v2.
func ReadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(filepath.Base(path), data)
}

// FindConfig reads pelican.yaml or else buf.yaml from dir; it returns nil and no error when dir
// has neither.
func FindConfig(dir string) (*Config, error) {
	for _, name := range []string{PelicanConfigFile, BufConfigFile} {
		c, err := ReadConfig(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return c, err
	}
	return nil, nil
}

// ParseConfig parses configuration data. name ("buf.yaml", "pelican.yaml") is used in errors;
// the content decides the kind: a top-level contract key makes it Pelican's, else it is a
// buf.yaml.
func ParseConfig(name string, data []byte) (*Config, error) {
	var probe map[string]yaml.Node
	if err := yaml.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, ok := probe["contract"]; ok {
		return parsePelican(name, data)
	}
	return parseBuf(name, data)
}

func decodeStrict(name string, data []byte, v any) error {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func parseBuf(name string, data []byte) (*Config, error) {
	var y yamlBuf
	if err := decodeStrict(name, data, &y); err != nil {
		return nil, err
	}
	c := &Config{Source: name, Version: y.Version}
	switch y.Version {
	case "v1beta1":
		roots := y.Build.Roots
		if len(roots) == 0 {
			roots = []string{"."}
		}
		for _, r := range roots {
			c.Modules = append(c.Modules, Module{Path: r, Excludes: y.Build.Excludes, Breaking: y.Breaking.config()})
		}
	case "v1":
		c.Modules = []Module{{Path: ".", Excludes: y.Build.Excludes, Breaking: y.Breaking.config()}}
	case "v2":
		if len(y.Modules) == 0 {
			c.Modules = []Module{{Path: ".", Breaking: y.Breaking.config()}}
		}
		for _, m := range y.Modules {
			b := y.Breaking
			if m.Breaking != nil {
				b = m.Breaking
			}
			p := m.Path
			if p == "" {
				p = "."
			}
			c.Modules = append(c.Modules, Module{Path: p, Excludes: m.Excludes, Breaking: b.config()})
		}
	case "":
		return nil, fmt.Errorf("%s: no version (want v1 or v2)", name)
	default:
		return nil, fmt.Errorf("%s: unknown version %q (want v1beta1, v1 or v2)", name, y.Version)
	}
	return c, c.validate()
}

func parsePelican(name string, data []byte) (*Config, error) {
	// Other tools may keep their own sections in pelican.yaml; the contract section is read
	// strictly, so that a misspelt key fails rather than being ignored.
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	section := top["contract"]
	raw, err := yaml.Marshal(&section)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var y yamlPelican
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&y.Contract); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: contract: %w", name, err)
	}
	pc := y.Contract
	c := &Config{Source: name, Version: "pelican"}
	if pc == nil {
		c.Modules = []Module{{Path: "."}}
		return c, nil
	}
	c.Includes, c.Consumers, c.PartitionKeyOption = pc.Includes, pc.Consumers, strings.TrimPrefix(pc.PartitionKeyOption, ".")
	if pc.Policy != "" {
		p, err := ParsePolicy(pc.Policy)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		c.Policy = p
	}
	if len(pc.Modules) == 0 {
		c.Modules = []Module{{Path: ".", Breaking: pc.Breaking.config()}}
	}
	for _, m := range pc.Modules {
		b := pc.Breaking
		if m.Breaking != nil {
			b = m.Breaking
		}
		p := m.Path
		if p == "" {
			p = "."
		}
		c.Modules = append(c.Modules, Module{Path: p, Excludes: m.Excludes, Breaking: b.config()})
	}
	return c, c.validate()
}

// validate checks paths and rule names up front, so that a bad file fails before compiling.
func (c *Config) validate() error {
	for _, m := range c.Modules {
		if filepath.IsAbs(m.Path) || strings.HasPrefix(cleanRel(m.Path), "../") {
			return fmt.Errorf("%s: module path %q must be relative and inside the configuration's directory", c.Source, m.Path)
		}
	}
	_, err := c.resolve()
	return err
}
