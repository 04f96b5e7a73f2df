package contract

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Inclusive upper bounds of field and enum numbers, which print as "max".
const (
	messageMaxTag    = 536870911 // 2^29 - 1
	messageSetMaxTag = math.MaxInt32 - 1
	enumMaxNumber    = math.MaxInt32
)

// tagRange is an inclusive range of numbers.
type tagRange struct{ start, end int }

func (r tagRange) format(max int) string {
	switch {
	case r.start == r.end:
		return fmt.Sprintf("[%d]", r.start)
	case r.end == max:
		return fmt.Sprintf("[%d,max]", r.start)
	}
	return fmt.Sprintf("[%d,%d]", r.start, r.end)
}

// collapse sorts ranges and merges those that overlap or touch.
func collapse(ranges []tagRange) []tagRange {
	if len(ranges) == 0 {
		return nil
	}
	out := append([]tagRange(nil), ranges...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].start == out[j].start {
			return out[i].end < out[j].end
		}
		return out[i].start < out[j].start
	})
	j := 0
	for i := 1; i < len(out); i++ {
		if out[i].start <= out[j].end+1 {
			if out[i].end > out[j].end {
				out[j].end = out[i].end
			}
			continue
		}
		j++
		out[j] = out[i]
	}
	return out[:j+1]
}

// missing returns the parts of [start, end] that collapsed ranges do not cover.
func missing(start, end int, collapsed []tagRange) []tagRange {
	i := sort.Search(len(collapsed), func(i int) bool { return collapsed[i].end >= start })
	if i >= len(collapsed) || collapsed[i].start > end {
		return []tagRange{{start, end}}
	}
	var out []tagRange
	cur := collapsed[i]
	for {
		if start < cur.start {
			if end < cur.start {
				out = append(out, tagRange{start, end})
			} else {
				out = append(out, tagRange{start, cur.start - 1})
			}
		}
		start = cur.end + 1
		i++
		if i >= len(collapsed) || cur.end >= end {
			break
		}
		cur = collapsed[i]
	}
	if end > cur.end {
		out = append(out, tagRange{cur.end + 1, end})
	}
	return out
}

// removedRanges reports, for each previous range, the numbers the current ranges no longer
// cover, formatted as buf prints them; an empty result means nothing was removed.
func removedRanges(prev, cur []tagRange, max int) []struct{ prev, removed string } {
	if len(prev) == 0 {
		return nil
	}
	collapsed := collapse(cur)
	var out []struct{ prev, removed string }
	for _, r := range prev {
		gone := missing(r.start, r.end, collapsed)
		if len(gone) == 0 {
			continue
		}
		parts := make([]string, len(gone))
		for i, g := range gone {
			parts[i] = g.format(max)
		}
		out = append(out, struct{ prev, removed string }{r.format(max), strings.Join(parts, ", ")})
	}
	return out
}
