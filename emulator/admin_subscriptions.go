package emulator

import (
	"net/http"
	"sort"
	"time"
)

// subscriptionsPath: GET ?stream=NAME[&account=ID][&region=R] lists the stream's live
// SubscribeToShard calls.
const subscriptionsPath = "/_pelican/subscriptions"

// liveSubscription is one row of GET /_pelican/subscriptions.
type liveSubscription struct {
	ConsumerARN string    `json:"consumer_arn"`
	ShardID     string    `json:"shard_id"`
	Started     time.Time `json:"started"`
}

func (s *Server) serveSubscriptions(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	st, ok := s.adminStream(w, r)
	if !ok {
		return
	}
	out := []liveSubscription{}
	s.subs.mu.Lock()
	for _, sub := range s.subs.live {
		if sub.stream == st {
			out = append(out, liveSubscription{ConsumerARN: sub.key.consumer, ShardID: sub.key.shard, Started: sub.started})
		}
	}
	s.subs.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].ConsumerARN != out[j].ConsumerARN {
			return out[i].ConsumerARN < out[j].ConsumerARN
		}
		return out[i].ShardID < out[j].ShardID
	})
	writeAdminJSON(w, http.StatusOK, out)
}
