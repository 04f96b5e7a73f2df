package emulator

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// throttleRequest is the body of POST /_pelican/throttle.
type throttleRequest struct {
	Stream  string `json:"stream"`
	Shard   string `json:"shard"`
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	ShardThrottle
}

// throttledShard is one row of GET /_pelican/throttle.
type throttledShard struct {
	Stream string `json:"stream"`
	Shard  string `json:"shard"`
	ShardThrottle
}

// serveThrottle: GET lists the throttled shards of the default account and region (or
// ?account= and ?region=), POST sets one shard's throttle (a throttleRequest; every rate absent
// lifts it), DELETE ?stream=&shard= lifts it.
func (s *Server) serveThrottle(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	account, region := q.Get("account"), q.Get("region")
	switch r.Method {
	case http.MethodGet:
		writeAdminJSON(w, http.StatusOK, s.throttledShards(orDefault(account, s.cfg.account), orDefault(region, s.cfg.region)))
	case http.MethodPost:
		var in throttleRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			http.Error(w, "invalid throttle: "+err.Error(), http.StatusBadRequest)
			return
		}
		for _, rate := range []*float64{in.WriteRecordsPerSecond, in.WriteBytesPerSecond, in.ReadCallsPerSecond} {
			if rate != nil && *rate < 0 {
				http.Error(w, "invalid throttle: a rate cannot be negative", http.StatusBadRequest)
				return
			}
		}
		if in.Stream == "" || in.Shard == "" {
			http.Error(w, "invalid throttle: stream and shard are required", http.StatusBadRequest)
			return
		}
		s.answerThrottle(w, s.setShardThrottle(orDefault(in.Account, s.cfg.account), orDefault(in.Region, s.cfg.region), in.Stream, in.Shard, in.ShardThrottle))
	case http.MethodDelete:
		if q.Get("stream") == "" || q.Get("shard") == "" {
			http.Error(w, "stream and shard are required", http.StatusBadRequest)
			return
		}
		s.answerThrottle(w, s.setShardThrottle(orDefault(account, s.cfg.account), orDefault(region, s.cfg.region), q.Get("stream"), q.Get("shard"), ShardThrottle{}))
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *Server) answerThrottle(w http.ResponseWriter, err error) {
	var e *Error
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, &e) && e.Code == "ResourceNotFoundException":
		http.Error(w, e.Message, http.StatusNotFound)
	default:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// throttledShards lists the shards with a throttle, stream by stream.
func (s *Server) throttledShards(account, region string) []throttledShard {
	out := []throttledShard{}
	for _, st := range s.store.List(account, region) {
		var shards []*store.Shard
		st.View(func() { shards = append(shards, st.Shards...) })
		for _, sh := range shards {
			c := s.limits.stats.lookup(sh)
			if c == nil {
				continue
			}
			if t := c.throttle.Load(); t != nil {
				out = append(out, throttledShard{Stream: st.Key.Name, Shard: sh.ID, ShardThrottle: t.spec})
			}
		}
	}
	return out
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
