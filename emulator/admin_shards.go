package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// Admin endpoints for tools that watch the emulator (the console): not Kinesis operations, and
// they need no signature.
const (
	// GET ?stream=NAME[&seconds=N][&account=ID][&region=R]: the stream's shards with their
	// per-second counters.
	shardsPath = "/_pelican/shards"
	// GET lists throttled shards; POST sets one shard's throttle; DELETE ?stream=&shard= lifts it.
	throttlePath = "/_pelican/throttle"
)

// shardLimits are a shard's rates: Kinesis's, which the emulator enforces with throughput limits on.
type shardLimits struct {
	WriteRecordsPerSecond float64 `json:"write_records_per_second"`
	WriteBytesPerSecond   float64 `json:"write_bytes_per_second"`
	ReadBytesPerSecond    float64 `json:"read_bytes_per_second"`
	ReadCallsPerSecond    float64 `json:"read_calls_per_second"`
}

// shardReport is one shard in the answer of GET /_pelican/shards. The series hold one count per
// second, oldest first, the last being the current second.
type shardReport struct {
	ShardID         string         `json:"shard_id"`
	Open            bool           `json:"open"`
	Parent          string         `json:"parent_shard_id,omitempty"`
	AdjacentParent  string         `json:"adjacent_parent_shard_id,omitempty"`
	StartingHashKey string         `json:"starting_hash_key"`
	EndingHashKey   string         `json:"ending_hash_key"`
	InRecords       []int64        `json:"in_records"`
	InBytes         []int64        `json:"in_bytes"`
	OutRecords      []int64        `json:"out_records"`
	OutBytes        []int64        `json:"out_bytes"`
	WriteThrottled  []int64        `json:"write_throttled"`
	ReadThrottled   []int64        `json:"read_throttled"`
	Limits          shardLimits    `json:"limits"`
	Throttle        *ShardThrottle `json:"throttle,omitempty"`
	ThrottledRecent int64          `json:"throttled_last_minute"`
}

type shardsReport struct {
	Stream         string        `json:"stream"`
	Now            int64         `json:"now"` // Unix second of the series' last element
	Seconds        int           `json:"seconds"`
	LimitsEnforced bool          `json:"limits_enforced"`
	Shards         []shardReport `json:"shards"`
}

var kinesisShardLimits = shardLimits{
	WriteRecordsPerSecond: writeRecordsPerSec, WriteBytesPerSecond: writeBytesPerSec,
	ReadBytesPerSecond: readBytesPerSec, ReadCallsPerSecond: readCallsPerSec,
}

func (s *Server) serveShards(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	seconds := 120
	if v := q.Get("seconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > statsWindow {
			http.Error(w, "seconds must be a whole number from 1 to "+strconv.Itoa(statsWindow), http.StatusBadRequest)
			return
		}
		seconds = n
	}
	st, ok := s.adminStream(w, r)
	if !ok {
		return
	}
	s.forgetDeletedShards()
	now := s.now()
	rep := shardsReport{Stream: st.Key.Name, Now: now.Unix(), Seconds: seconds, LimitsEnforced: s.limits.on}
	var shards []*store.Shard
	st.View(func() { shards = append(shards, st.Shards...) })
	for _, sh := range shards {
		sr := shardReport{ShardID: sh.ID, Open: !sh.Closed(), Parent: sh.Parent, AdjacentParent: sh.AdjacentParent,
			StartingHashKey: sh.StartHash.String(), EndingHashKey: sh.EndHash.String(), Limits: kinesisShardLimits}
		c := s.limits.stats.lookup(sh)
		if c == nil {
			c = new(shardCounters)
		}
		sr.InRecords, sr.InBytes, sr.WriteThrottled = c.in.series(now, seconds)
		sr.OutRecords, sr.OutBytes, sr.ReadThrottled = c.out.series(now, seconds)
		if t := c.throttle.Load(); t != nil {
			spec := t.spec
			sr.Throttle = &spec
		}
		_, _, wt := c.in.series(now, 60)
		_, _, rt := c.out.series(now, 60)
		for i := range wt {
			sr.ThrottledRecent += wt[i] + rt[i]
		}
		rep.Shards = append(rep.Shards, sr)
	}
	writeAdminJSON(w, http.StatusOK, rep)
}

// adminStream finds the stream a request names by ?stream= (in ?account= and ?region=, the
// defaults otherwise), or answers 400 or 404.
func (s *Server) adminStream(w http.ResponseWriter, r *http.Request) (*store.Stream, bool) {
	q := r.URL.Query()
	name := q.Get("stream")
	if name == "" {
		http.Error(w, "stream is required", http.StatusBadRequest)
		return nil, false
	}
	account, region := q.Get("account"), q.Get("region")
	if account == "" {
		account = s.cfg.account
	}
	if region == "" {
		region = s.cfg.region
	}
	st := s.store.Get(store.Key{Account: account, Region: region, Name: name})
	if st == nil {
		http.Error(w, "stream "+name+" not found in account "+account+", region "+region, http.StatusNotFound)
		return nil, false
	}
	return st, true
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// forgetDeletedShards drops the counters of shards whose stream was deleted. It runs when the
// counters are asked for, which is rare, rather than on the deletion path of another family.
func (s *Server) forgetDeletedShards() {
	live := map[*store.Shard]bool{}
	for _, st := range s.store.All() {
		st.View(func() {
			for _, sh := range st.Shards {
				live[sh] = true
			}
		})
	}
	s.limits.stats.forget(func(sh *store.Shard) bool { return live[sh] })
}
