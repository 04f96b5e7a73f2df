package contract

import (
	"strconv"
	"strings"
)

// stability is how stable a versioned package claims to be, read from its last segment.
type stability int

const (
	stabilityStable stability = iota
	stabilityAlpha
	stabilityBeta
	stabilityTest
)

// packageVersion reads the version in a package's last segment (v1, v2beta1, v1p1alpha2, v1test):
// ok is false when the package carries no version.
func packageVersion(pkg string) (stability, bool) {
	i := strings.LastIndexByte(pkg, '.')
	if i < 0 {
		return 0, false
	}
	return versionSegment(pkg[i+1:])
}

func versionSegment(s string) (stability, bool) {
	if len(s) < 2 || s[0] != 'v' {
		return 0, false
	}
	v := s[1:]
	if major, _, ok := strings.Cut(v, "test"); ok {
		return stabilityTest, number(major, 1)
	}
	hasAlpha, hasBeta := strings.Contains(v, "alpha"), strings.Contains(v, "beta")
	switch {
	case hasAlpha && hasBeta:
		return 0, false
	case !hasAlpha && !hasBeta:
		return stabilityStable, number(v, 1)
	}
	level, word := stabilityAlpha, "alpha"
	if hasBeta {
		level, word = stabilityBeta, "beta"
	}
	head, minor, _ := strings.Cut(v, word)
	if minor != "" && !number(minor, 1) {
		return 0, false
	}
	major, patch, hasPatch := strings.Cut(head, "p")
	if hasPatch && !number(patch, 1) {
		return 0, false
	}
	return level, number(major, 1)
}

func number(s string, minimum int64) bool {
	if s == "" {
		return false
	}
	n, err := strconv.ParseInt(s, 10, 32)
	return err == nil && n >= minimum
}
