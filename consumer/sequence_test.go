package consumer

import (
	"testing"

	"github.com/pelicanhq/pelican/consumer/lease"
)

func TestCompareSequence(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "2", -1},
		{"10", "9", 1},
		{"0009", "9", 0},
		{"49590338271490256608559692538361571095921575989136588898", "49590338271490256608559692538361571095921575989136588899", -1},
		{"49590338271490256608559692538361571095921575989136588898", "4959033827149025660855969253836157109592157598913658889", 1},
		{"", "0", 0},
	}
	for _, tt := range tests {
		if got := compareSequence(tt.a, tt.b); got != tt.want {
			t.Errorf("compareSequence(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := compareSequence(tt.b, tt.a); got != -tt.want {
			t.Errorf("compareSequence(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func TestAfter(t *testing.T) {
	cp := lease.Checkpoint{SequenceNumber: "100", SubSequenceNumber: 2}
	tests := []struct {
		seq  string
		sub  int64
		cp   lease.Checkpoint
		want bool
	}{
		{"100", 2, cp, false},
		{"100", 1, cp, false},
		{"100", 3, cp, true},
		{"99", 9, cp, false},
		{"101", 0, cp, true},
		{"1", 0, lease.Checkpoint{SequenceNumber: lease.TrimHorizon}, true},
		{"1", 0, lease.Checkpoint{SequenceNumber: lease.Latest}, true},
		{"1", 0, lease.Checkpoint{}, true},
	}
	for _, tt := range tests {
		if got := after(tt.seq, tt.sub, tt.cp); got != tt.want {
			t.Errorf("after(%s/%d, %+v) = %v, want %v", tt.seq, tt.sub, tt.cp, got, tt.want)
		}
	}
}
