package console

import (
	"fmt"
	"html"
	"html/template"
	"math/big"
	"strings"
)

// The pictures of the stream page, drawn on the server as inline SVG (no script, no library):
// the hash-key bar, the lineage graph and the sparklines. Only numbers and escaped names go in.

var hashSpace = new(big.Float).SetInt(new(big.Int).Lsh(big.NewInt(1), 128))

// hashFraction is k / 2^128.
func hashFraction(k string) float64 {
	n, ok := new(big.Int).SetString(k, 10)
	if !ok {
		return 0
	}
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(n), hashSpace).Float64()
	return f
}

// shardBox is a shard as the pictures draw it.
type shardBox struct {
	ID         string
	Start, End float64 // fractions of the hash space
	Depth      int
	Open       bool
	Hot        bool
	Throttled  bool
	Parents    []string
}

// hashBar draws the hash-key space as a bar divided among the open shards.
func hashBar(boxes []shardBox) template.HTML {
	const w, h = 1000.0, 36.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="hashbar" viewBox="0 0 %g %g" role="img" aria-label="hash key ranges of the open shards">`, w, h+16)
	for _, s := range boxes {
		if !s.Open {
			continue
		}
		x, width := s.Start*w, (s.End-s.Start)*w
		fmt.Fprintf(&b, `<g class="%s"><title>%s: %.2f%% of the hash key space</title><rect x="%.2f" y="0" width="%.2f" height="%g"/>`,
			boxClass(s), html.EscapeString(s.ID), (s.End-s.Start)*100, x, max(width, 0.5), h)
		if width > 70 {
			fmt.Fprintf(&b, `<text x="%.2f" y="%g">%s</text>`, x+4, h/2+4, html.EscapeString(shortID(s.ID)))
		}
		b.WriteString(`</g>`)
	}
	fmt.Fprintf(&b, `<text class="axis" x="0" y="%g">0</text><text class="axis end" x="%g" y="%g">2¹²⁸−1</text></svg>`, h+14, w, h+14)
	return template.HTML(b.String())
}

// lineage draws every shard as a box over its hash range, one column per generation, with an
// arrow from each parent to its children; closed shards are grey, throttled and hot ones stand out.
func lineage(boxes []shardBox) template.HTML {
	depth := 0
	for _, s := range boxes {
		depth = max(depth, s.Depth)
	}
	const colW, boxW, h = 190.0, 150.0, 240.0
	w := float64(depth+1) * colW
	pos := map[string]shardBox{}
	for _, s := range boxes {
		pos[s.ID] = s
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="lineage" viewBox="0 0 %g %g" width="%g" role="img" aria-label="shard lineage: parents to children">`, w, h+4, w)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`)
	for _, s := range boxes {
		for _, p := range s.Parents {
			pb, ok := pos[p]
			if !ok {
				continue
			}
			fmt.Fprintf(&b, `<line class="edge" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" marker-end="url(#arrow)"/>`,
				float64(pb.Depth)*colW+boxW+2, 2+(pb.Start+pb.End)/2*h, float64(s.Depth)*colW, 2+(s.Start+s.End)/2*h)
		}
	}
	for _, s := range boxes {
		x, y, bh := float64(s.Depth)*colW, 2+s.Start*h, max((s.End-s.Start)*h, 3)
		fmt.Fprintf(&b, `<g class="%s" data-shard="%s"><title>%s (%s)</title><rect x="%.1f" y="%.1f" width="%g" height="%.1f" rx="3"/>`,
			boxClass(s), html.EscapeString(s.ID), html.EscapeString(s.ID), state(s), x, y, boxW, bh)
		if bh >= 14 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, x+6, y+min(bh/2+4, 16), html.EscapeString(shortID(s.ID)+label(s)))
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func boxClass(s shardBox) string {
	c := "shard open"
	if !s.Open {
		c = "shard closed"
	}
	if s.Throttled {
		c += " throttled"
	} else if s.Hot {
		c += " hot"
	}
	return c
}

func state(s shardBox) string {
	switch {
	case !s.Open:
		return "closed"
	case s.Throttled:
		return "open, THROTTLED"
	case s.Hot:
		return "open, hot"
	}
	return "open"
}

func label(s shardBox) string {
	switch {
	case s.Throttled:
		return " ⚠ throttled"
	case s.Hot:
		return " 🔥"
	case !s.Open:
		return " (closed)"
	}
	return ""
}

// shortID is a shard id without its "shardId-" and leading zeros: "shardId-000000000007" is "#7".
func shortID(id string) string {
	n := strings.TrimLeft(strings.TrimPrefix(id, "shardId-"), "0")
	if n == "" {
		n = "0"
	}
	return "#" + n
}

// sparkline draws a series of per-second counts against a limit (a dashed line) when the limit
// is within reach of the drawing; the scale is the larger of the series' peak and the limit.
func sparkline(series []int64, limit float64, class string) template.HTML {
	const w, h = 240.0, 36.0
	peak := limit
	for _, v := range series {
		peak = max(peak, float64(v))
	}
	if peak <= 0 {
		peak = 1
	}
	var pts strings.Builder
	n := len(series)
	for i, v := range series {
		x := w
		if n > 1 {
			x = float64(i) * w / float64(n-1)
		}
		fmt.Fprintf(&pts, "%.1f,%.1f ", x, h-float64(v)/peak*(h-2))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark %s" viewBox="0 0 %g %g" width="%g" height="%g" role="img">`, class, w, h, w, h)
	if limit > 0 {
		y := h - limit/peak*(h-2)
		fmt.Fprintf(&b, `<line class="limit" x1="0" y1="%.1f" x2="%g" y2="%.1f"><title>limit %g/s</title></line>`, y, w, y, limit)
	}
	fmt.Fprintf(&b, `<polyline points="%s"/></svg>`, strings.TrimSpace(pts.String()))
	return template.HTML(b.String())
}
