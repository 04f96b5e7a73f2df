package emulator

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// validator collects constraint violations and reports them the way AWS does:
// "2 validation errors detected: Value 'x' at 'streamName' failed to satisfy constraint: ...; ...".
type validator struct{ errs []string }

func (v *validator) add(value any, member, constraint string) {
	val := "null"
	if value != nil {
		val = fmt.Sprintf("'%v'", value)
	}
	v.addShown(val, member, "Member "+constraint)
}

// addShown adds a violation whose value is already shown as the service shows it ('x' or null).
func (v *validator) addShown(shown, member, constraint string) {
	if len(v.errs) >= 10 {
		return
	}
	v.errs = append(v.errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", shown, member, constraint))
}

// err returns the ValidationException for the collected violations, or nil.
func (v *validator) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	plural := ""
	if len(v.errs) > 1 {
		plural = "s"
	}
	return errValidation("%d validation error%s detected: %s", len(v.errs), plural, strings.Join(v.errs, "; "))
}

var streamNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// streamName checks an optional stream name (required reports a missing one).
func (v *validator) streamName(member, name string, required bool) {
	if name == "" {
		if required {
			v.add(nil, member, "must not be null")
		}
		return
	}
	v.stringLen(member, name, 1, 128)
	v.pattern(member, name, streamNamePattern, "[a-zA-Z0-9_.-]+")
}

var streamARNPattern = regexp.MustCompile(`^arn:aws.*:kinesis:.*:\d{12}:stream/\S+$`)

func (v *validator) streamARN(member, arn string) {
	if arn == "" {
		return
	}
	v.stringLen(member, arn, 1, 2048)
	v.pattern(member, arn, streamARNPattern, "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+")
}

var shardIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

func (v *validator) shardID(member, id string, required bool) {
	if id == "" {
		if required {
			v.add(nil, member, "must not be null")
		}
		return
	}
	v.stringLen(member, id, 1, 128)
	v.pattern(member, id, shardIDPattern, "[a-zA-Z0-9_.-]+")
}

func (v *validator) required(member string, present bool) {
	if !present {
		v.add(nil, member, "must not be null")
	}
}

func (v *validator) stringLen(member, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	if n < min {
		v.add(s, member, fmt.Sprintf("must have length greater than or equal to %d", min))
	}
	if n > max {
		v.add(s, member, fmt.Sprintf("must have length less than or equal to %d", max))
	}
}

func (v *validator) pattern(member, s string, re *regexp.Regexp, shown string) {
	if !re.MatchString(s) {
		v.add(s, member, "must satisfy regular expression pattern: "+shown)
	}
}

func (v *validator) intRange(member string, n *int32, min, max int64) {
	if n == nil {
		return
	}
	if int64(*n) < min {
		v.add(*n, member, fmt.Sprintf("must have value greater than or equal to %d", min))
	}
	if int64(*n) > max {
		v.add(*n, member, fmt.Sprintf("must have value less than or equal to %d", max))
	}
}

func (v *validator) enum(member, s string, values ...string) {
	if s == "" {
		return
	}
	for _, x := range values {
		if s == x {
			return
		}
	}
	v.add(s, member, "must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

// blobLen reports a blob's length in AWS's words, which show the Java buffer it was read into.
func (v *validator) blobLen(member string, b []byte, max int) {
	if len(b) > max {
		v.errs = append(v.errs, fmt.Sprintf("Value 'java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", len(b), len(b), member, max))
	}
}
