package consumer

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/pelicanhq/pelican/consumer/lease"
)

func owned(key, owner string) lease.Lease {
	return lease.Lease{Key: key, Owner: owner, Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}}
}

func keysOf(ls []lease.Lease) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Key)
	}
	sort.Strings(out)
	return out
}

func TestPlan(t *testing.T) {
	finished := owned("done", "")
	finished.Checkpoint.SequenceNumber = lease.ShardEnd
	child := owned("child", "")
	child.ParentShardIDs = []string{"s0"}
	handingOff := owned("s1", "b")
	handingOff.CheckpointOwner = "c"

	tests := []struct {
		name      string
		leases    []lease.Lease
		expired   []string
		unready   []string
		mine      []string
		wantTake  int
		wantSteal int
		stealFrom string
		takeOnly  []string
	}{
		{name: "nothing to do", leases: nil},
		{name: "alone takes every free lease",
			leases: []lease.Lease{owned("s0", ""), owned("s1", ""), owned("s2", "")}, wantTake: 3},
		{name: "takes its share of free leases beside a live worker",
			leases: []lease.Lease{owned("s0", "b"), owned("s1", ""), owned("s2", ""), owned("s3", "")}, wantTake: 2},
		{name: "takes expired leases first, up to its share",
			leases:  []lease.Lease{owned("s0", "dead"), owned("s1", "dead"), owned("s2", "b"), owned("s3", "b")},
			expired: []string{"s0", "s1"}, wantTake: 2, takeOnly: []string{"s0", "s1"}},
		{name: "dead workers do not count: the survivor takes everything",
			leases:  []lease.Lease{owned("s0", "dead"), owned("s1", "dead"), owned("s2", "dead")},
			expired: []string{"s0", "s1", "s2"}, wantTake: 3},
		{name: "steals one from a worker over the target",
			leases:    []lease.Lease{owned("s0", "b"), owned("s1", "b"), owned("s2", "b"), owned("s3", "b")},
			wantSteal: 1, stealFrom: "b"},
		{name: "no steal when the busiest is at the target and one is needed",
			leases: []lease.Lease{owned("s0", "b"), owned("s1", "b"), owned("s2", "me")},
			mine:   []string{"s2"}},
		{name: "steals from a worker at the target when two are needed",
			leases:    []lease.Lease{owned("s0", "b"), owned("s1", "b"), owned("s2", "c"), owned("s3", "c")},
			wantSteal: 1},
		{name: "at the target does nothing",
			leases: []lease.Lease{owned("s0", "b"), owned("s1", "me"), owned("s2", "me"), owned("s3", "b")},
			mine:   []string{"s1", "s2"}},
		{name: "finished and unready leases count for nobody",
			leases:  []lease.Lease{finished, child, owned("s0", "b")},
			unready: []string{"child"}},
		{name: "a lease owned under this id but not held is taken back",
			leases: []lease.Lease{owned("s0", "me"), owned("s1", "b")}, wantTake: 1, takeOnly: []string{"s0"}},
		{name: "a lease in a handoff is not stolen again",
			leases: []lease.Lease{handingOff, owned("s2", "b"), owned("s3", "b")}, wantSteal: 1, stealFrom: "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := func(keys []string) map[string]bool {
				m := map[string]bool{}
				for _, k := range keys {
					m[k] = true
				}
				return m
			}
			expired, unready, mine := set(tt.expired), set(tt.unready), set(tt.mine)
			v := tableView{
				me:      "me",
				leases:  tt.leases,
				expired: func(l lease.Lease) bool { return expired[l.Key] },
				ready:   func(l lease.Lease) bool { return !unready[l.Key] },
				mine:    func(k string) bool { return mine[k] },
			}
			p := plan(v, 1, rand.New(rand.NewPCG(1, 2)))
			if len(p.take) != tt.wantTake || len(p.steal) != tt.wantSteal {
				t.Fatalf("take %v steal %v, want %d and %d", keysOf(p.take), keysOf(p.steal), tt.wantTake, tt.wantSteal)
			}
			if tt.takeOnly != nil && fmt.Sprint(keysOf(p.take)) != fmt.Sprint(tt.takeOnly) {
				t.Fatalf("took %v, want %v", keysOf(p.take), tt.takeOnly)
			}
			for _, l := range p.steal {
				if tt.stealFrom != "" && l.Owner != tt.stealFrom {
					t.Fatalf("stole %s from %s, want from %s", l.Key, l.Owner, tt.stealFrom)
				}
				if l.CheckpointOwner != "" {
					t.Fatalf("stole %s during its handoff", l.Key)
				}
			}
		})
	}
}

// TestPlanConverges runs take passes of several workers over one table until nothing changes,
// and checks that the result is fair and is reached without endless stealing.
func TestPlanConverges(t *testing.T) {
	for _, tt := range []struct{ workers, shards int }{{2, 4}, {2, 7}, {3, 4}, {3, 10}, {4, 3}, {5, 16}} {
		t.Run(fmt.Sprintf("%d workers %d shards", tt.workers, tt.shards), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tt.workers), uint64(tt.shards)))
			leases := map[string]*lease.Lease{}
			for i := range tt.shards {
				l := owned(fmt.Sprintf("s%02d", i), "")
				leases[l.Key] = &l
			}
			passes := 0
			for stable := 0; stable < tt.workers; passes++ {
				if passes > 100 {
					t.Fatal("no fair split after 100 passes")
				}
				me := fmt.Sprintf("w%d", passes%tt.workers)
				var list []lease.Lease
				for _, l := range leases {
					list = append(list, *l)
				}
				sort.Slice(list, func(i, j int) bool { return list[i].Key < list[j].Key })
				p := plan(tableView{
					me: me, leases: list,
					expired: func(lease.Lease) bool { return false },
					ready:   func(lease.Lease) bool { return true },
					mine:    func(k string) bool { return leases[k].Owner == me },
				}, 1, rng)
				for _, l := range append(p.take, p.steal...) {
					leases[l.Key].Owner = me // the handoff completes at once in this model
				}
				if len(p.take)+len(p.steal) == 0 {
					stable++
				} else {
					stable = 0
				}
			}
			counts := map[string]int{}
			for _, l := range leases {
				counts[l.Owner]++
			}
			lo, hi := tt.shards, 0
			for w := range tt.workers {
				n := counts[fmt.Sprintf("w%d", w)]
				lo, hi = min(lo, n), max(hi, n)
			}
			if hi-lo > 1 || counts[""] != 0 {
				t.Fatalf("unfair split %v after %d passes", counts, passes)
			}
		})
	}
}
