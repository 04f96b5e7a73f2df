package archtest

import "strings"

// Rule is one rule of the map: the imports it forbids, and why.
type Rule struct {
	// ID names the rule in a failure.
	ID string
	// Why is the rule as the map states it.
	Why string
	// Tests says whether the imports of a package's test files count, besides its code's.
	Tests bool
	// Indirect says whether a package's code also breaks the rule through other packages of the
	// module: producer importing internal/x importing emulator breaks it as producer importing
	// emulator would.
	Indirect bool
	// Breaks reports whether from importing to breaks the rule. Both are paths relative to the
	// module ("." for its root package, "producer", "consumer/lease"), except that to is the full
	// import path of a package outside the module ("github.com/aws/aws-sdk-go-v2/aws").
	Breaks func(from, to string) bool
}

// clients are the packages that speak to Kinesis only through the AWS SDK: the module's root
// package and the client packages, and what builds on them (the fixtures' tests and the example
// services).
func clients() []string {
	return []string{".", "producer", "consumer", "aggregation", "harness", "lambda", "console", "fixtures", "examples"}
}

// Rules returns the rules of ARCHITECTURE.md's map, one row each.
func Rules() []Rule {
	return []Rule{
		{
			ID:       "emulator-is-a-server",
			Why:      "the emulator imports no client package: it is a server, tested through the real AWS SDK",
			Tests:    true,
			Indirect: true,
			Breaks: func(from, to string) bool {
				return in(from, "emulator") && in(to, ".", "producer", "consumer", "harness", "lambda", "console", "contract", "aggregation")
			},
		},
		{
			ID:       "clients-use-the-sdk",
			Why:      "clients reach the emulator only through the AWS SDK, and their tests through pelicantest",
			Tests:    true,
			Indirect: true,
			Breaks: func(from, to string) bool {
				return in(from, clients()...) && in(to, "emulator")
			},
		},
		{
			ID:  "pelicantest-in-tests",
			Why: "only _test.go files, examples and cmd/ import pelicantest",
			Breaks: func(from, to string) bool {
				return in(to, "pelicantest") && !in(from, "pelicantest", "cmd", "examples")
			},
		},
		{
			ID:    "nothing-imports-cmd",
			Why:   "nothing imports cmd/: every subcommand is a call into a package",
			Tests: true,
			Breaks: func(from, to string) bool {
				return in(to, "cmd") && !in(from, "cmd")
			},
		},
		{
			ID:       "contract-knows-no-aws",
			Why:      "contract knows nothing of AWS: descriptors in, findings out",
			Tests:    true,
			Indirect: true,
			Breaks: func(from, to string) bool {
				return in(from, "contract") && strings.HasPrefix(to, "github.com/aws/")
			},
		},
		{
			ID:       "no-upward-imports",
			Why:      "a package imports only what is below it on the map: aggregation < producer, consumer < pelican < harness, lambda, console",
			Tests:    true,
			Indirect: true,
			Breaks: func(from, to string) bool {
				switch {
				case in(from, "aggregation"):
					return in(to, "producer", "consumer", ".", "harness", "lambda", "console")
				case in(from, "producer", "consumer"):
					return in(to, ".", "harness", "lambda", "console")
				case in(from, "."):
					return in(to, "harness", "lambda", "console")
				}
				return false
			},
		},
	}
}

// in reports whether the module-relative path p is one of roots or below one; "." is the root
// package alone, not the whole module.
func in(p string, roots ...string) bool {
	for _, r := range roots {
		if p == r || r != "." && strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}
