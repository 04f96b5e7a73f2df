package consumer

import (
	"math/rand/v2"
	"sort"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// tableView is what a take pass knows of the lease table.
type tableView struct {
	me      string
	leases  []lease.Lease
	expired func(lease.Lease) bool // the counter has not moved for the failover time
	ready   func(lease.Lease) bool // every parent is processed to its end
	mine    func(key string) bool  // held, or waited for after a handoff, by this worker
}

// takePlan is what a take pass does: take free and expired leases, or else ask busier workers to
// hand leases over.
type takePlan struct {
	take  []lease.Lease
	steal []lease.Lease
}

// plan decides, the way the KCL's lease taker does, which leases this worker takes to reach its
// fair share: the ceiling of the processable leases over the live workers. It prefers free and
// expired leases and steals, at most maxSteal per pass, only when there are none, and only from
// the busiest worker when it is above the target (or at it, when this worker needs more than
// one). Finished leases and leases whose parents are not finished count for nobody.
func plan(v tableView, maxSteal int, rng *rand.Rand) takePlan {
	counts := map[string]int{v.me: 0}
	var active, available []lease.Lease
	for _, l := range v.leases {
		if l.Finished() || !v.ready(l) {
			continue
		}
		active = append(active, l)
		if v.mine(l.Key) {
			counts[v.me]++
			continue
		}
		holder := l.Holder()
		if holder == "" || v.expired(l) || holder == v.me {
			// A lease this worker owns in the table but not in memory is a leftover of an earlier
			// run under the same worker id: take it back at once.
			available = append(available, l)
			continue
		}
		owner := l.Owner
		if owner == "" {
			owner = l.CheckpointOwner
		}
		counts[owner]++
	}
	if len(active) == 0 {
		return takePlan{}
	}
	target := (len(active) + len(counts) - 1) / len(counts)
	needed := target - counts[v.me]
	if needed <= 0 {
		return takePlan{}
	}
	var p takePlan
	if len(available) > 0 {
		rng.Shuffle(len(available), func(i, j int) { available[i], available[j] = available[j], available[i] })
		p.take = available[:min(needed, len(available))]
		return p
	}
	busiest, most := "", -1
	workers := make([]string, 0, len(counts))
	for w := range counts {
		workers = append(workers, w)
	}
	sort.Strings(workers)
	for _, w := range workers {
		if w != v.me && counts[w] > most {
			busiest, most = w, counts[w]
		}
	}
	if busiest == "" || most < target {
		return p
	}
	n := min(needed, most-target)
	if n == 0 && needed > 1 {
		n = 1
	}
	n = min(n, maxSteal)
	if n <= 0 {
		return p
	}
	var candidates []lease.Lease
	for _, l := range active {
		// A lease already in a handoff cannot be handed off again.
		if l.Owner == busiest && l.CheckpointOwner == "" && !v.mine(l.Key) {
			candidates = append(candidates, l)
		}
	}
	rng.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	p.steal = candidates[:min(n, len(candidates))]
	return p
}
