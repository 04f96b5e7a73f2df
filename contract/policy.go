package contract

import (
	"context"
	"fmt"
	"strings"
)

// Policy is an evolution policy in the manner of schema registries: which direction of
// compatibility a new version must keep, and with how many earlier versions.
type Policy string

// The policies. BACKWARD: readers of the new version read data written with earlier ones.
// FORWARD: readers of earlier versions read data written with the new one. FULL: both. The
// TRANSITIVE forms check every earlier version, not only the latest.
const (
	PolicyBackward           Policy = "BACKWARD"
	PolicyBackwardTransitive Policy = "BACKWARD_TRANSITIVE"
	PolicyForward            Policy = "FORWARD"
	PolicyForwardTransitive  Policy = "FORWARD_TRANSITIVE"
	PolicyFull               Policy = "FULL"
	PolicyFullTransitive     Policy = "FULL_TRANSITIVE"
)

// ParsePolicy reads a policy name, case-insensitively.
func ParsePolicy(s string) (Policy, error) {
	p := Policy(strings.ToUpper(strings.TrimSpace(s)))
	switch p {
	case PolicyBackward, PolicyBackwardTransitive, PolicyForward, PolicyForwardTransitive, PolicyFull, PolicyFullTransitive:
		return p, nil
	}
	return "", fmt.Errorf("unknown policy %q (want BACKWARD, FORWARD, FULL or a _TRANSITIVE form)", s)
}

// Version is one earlier version of the schemas: a name for messages (a short commit) and the
// schemas as they were.
type Version struct {
	// Name identifies the version in findings (a commit, a tag, a directory).
	Name string
	// Schema is the version's compiled schemas.
	Schema *Schema
}

func (p Policy) transitive() bool { return strings.HasSuffix(string(p), "_TRANSITIVE") }

func (p Policy) backward() bool {
	return p == "" || strings.HasPrefix(string(p), "BACKWARD") || strings.HasPrefix(string(p), "FULL")
}

func (p Policy) forward() bool {
	return strings.HasPrefix(string(p), "FORWARD") || strings.HasPrefix(string(p), "FULL")
}

// CheckHistory checks current against earlier versions (oldest first) under a policy: against
// the latest only, or against every one for the TRANSITIVE policies. Each finding's message
// ends with the direction and the version it was found against; a change found against
// several versions is reported once, against the latest.
//
// BACKWARD runs the configured rules from each earlier version to current. FORWARD runs them
// from current back to the earlier version, so that each finding describes what a reader of
// the earlier version meets in data written with current; it skips the rules that only guard
// against deletions (an addition never hurts an older reader) and the consumer rules, which
// are directional already.
func CheckHistory(ctx context.Context, current *Schema, versions []Version, policy Policy, opts ...Option) ([]Finding, error) {
	if len(versions) == 0 {
		return nil, nil
	}
	if policy == "" {
		policy = PolicyBackward
	}
	if !policy.transitive() {
		versions = versions[len(versions)-1:]
	}
	seen := make(map[string]bool)
	var out []Finding
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		var found []Finding
		if policy.backward() {
			fs, err := Breaking(ctx, current, v.Schema, opts...)
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				found = append(found, tagFinding(f, "BACKWARD", v.Name))
			}
		}
		if policy.forward() {
			fs, err := Breaking(ctx, v.Schema, current, append(opts, withRuleFilter(forwardRule))...)
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				found = append(found, tagFinding(forwardFinding(f, current), "FORWARD", v.Name))
			}
		}
		for _, f := range found {
			key := fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s", f.Type, f.Path, f.StartLine, f.StartColumn, f.baseMessage)
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, f)
		}
	}
	sortFindings(out)
	return dedupeFindings(out), nil
}

// forwardRule reports whether a rule makes sense from the new version back to an old one.
func forwardRule(r *Rule) bool {
	return !strings.Contains(r.ID, "NO_DELETE") && !r.In(CategoryConsumer)
}

// forwardFinding moves a finding of a reversed check onto the current schema: what the reversed
// check saw as the previous element is the current one.
func forwardFinding(f Finding, current *Schema) Finding {
	g := f
	g.file, g.againstFile = f.againstFile, f.file
	g.StartLine, g.StartColumn, g.EndLine, g.EndColumn = 0, 0, 0, 0
	g.Path = ""
	if f.againstSpan != nil {
		g.StartLine, g.StartColumn = int(f.againstSpan[0])+1, int(f.againstSpan[1])+1
		g.EndLine, g.EndColumn = int(f.againstSpan[2])+1, int(f.againstSpan[3])+1
	}
	if g.file == nil && f.file != nil {
		g.file = current.File(f.file.Path)
	}
	if g.file != nil {
		g.Path = g.file.ExternalPath
	}
	return g
}

func tagFinding(f Finding, direction, version string) Finding {
	f.baseMessage = f.Message
	f.Message = fmt.Sprintf("%s (%s against %s)", f.Message, direction, version)
	return f
}
