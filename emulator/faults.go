package emulator

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// Fault makes calls of one operation fail or slow down, to test how clients cope. A fault with
// EveryNth or Fraction set is a record fault instead: it fails chosen records of a PutRecords
// call, which answers 200 with those entries failed (ErrorCode and ErrorMessage set, no sequence
// number, FailedRecordCount counting them) and stores the others, as Kinesis does when some
// records are throttled. Over /_pelican/faults a Fault is this JSON object:
//
//	{"operation": "PutRecords", "code": "ProvisionedThroughputExceededException", "message": "...",
//	 "times": 0, "latency": "50ms", "afterApply": false,
//	 "everyNth": 3, "fraction": 0.25, "probability": 0.5, "seed": 42}
//
// every field optional; latency is nanoseconds or a Go duration string.
type Fault struct {
	// Operation is the Kinesis operation name, such as PutRecords; "" or "*" matches every one.
	// A record fault matches PutRecords calls only.
	Operation string `json:"operation"`
	// Code is the AWS error type to answer with, such as ProvisionedThroughputExceededException or
	// InternalFailure; "" injects latency alone. A record fault's entries carry it as their
	// ErrorCode (default ProvisionedThroughputExceededException).
	Code string `json:"code,omitempty"`
	// Message is the error message (default "Injected fault"; for a record fault, the service's
	// own message for its code, such as "Rate exceeded for shard ... in stream ... under account
	// ...." for ProvisionedThroughputExceededException).
	Message string `json:"message,omitempty"`
	// Times is how many calls the fault hits; 0 means every call until Clear.
	Times int `json:"times,omitempty"`
	// Latency delays each hit call before it is answered.
	Latency time.Duration `json:"latency,omitempty"`
	// AfterApply lets the call take effect and then answers with the error: the ambiguous failure
	// of a timeout after the write, which clients can only resolve by retrying (and duplicating).
	// It has no effect on a record fault.
	AfterApply bool `json:"afterApply,omitempty"`
	// EveryNth fails the Nth, 2Nth, 3Nth... record of each PutRecords call it hits (counted from 1
	// in the request's order).
	EveryNth int `json:"everyNth,omitempty"`
	// Fraction fails each record of a PutRecords call it hits with this probability (0 to 1),
	// drawn from the fault's seeded source. With EveryNth too, a record fails when either says so.
	Fraction float64 `json:"fraction,omitempty"`
	// Probability is the chance (0 to 1) that the fault hits a call it matches; 0 means always. A
	// call it misses goes on to the next fault and does not count against Times.
	Probability float64 `json:"probability,omitempty"`
	// Seed seeds the fault's own source of the draws of Probability and Fraction, so that a test
	// that makes the same calls in the same order sees the same failures.
	Seed uint64 `json:"seed,omitempty"`
}

// records reports whether f is a record fault.
func (f *Fault) records() bool { return f.EveryNth > 0 || f.Fraction > 0 }

// validate says what is wrong with f, or nil.
func (f *Fault) validate() error {
	switch {
	case f.EveryNth < 0:
		return errors.New("everyNth must not be negative")
	case f.Fraction < 0 || f.Fraction > 1 || math.IsNaN(f.Fraction):
		return errors.New("fraction must be between 0 and 1")
	case f.Probability < 0 || f.Probability > 1 || math.IsNaN(f.Probability):
		return errors.New("probability must be between 0 and 1")
	case f.records() && f.Operation != "" && f.Operation != "*" && f.Operation != "PutRecords":
		return errors.New("everyNth and fraction fail records of PutRecords calls only")
	case f.records() && f.AfterApply:
		return errors.New("afterApply does not apply to everyNth and fraction")
	}
	return nil
}

// Faults holds the injected faults of a server. It is safe for concurrent use.
type Faults struct {
	mu     sync.Mutex
	active []*faultState
}

type faultState struct {
	Fault
	left int        // calls still to hit; -1 for unlimited
	rand *rand.Rand // the draws of Probability and Fraction
}

func newFaults() *Faults { return &Faults{} }

// Inject adds a fault. Faults are matched in the order they were added. Out-of-range values are
// brought into range (Probability and Fraction to 0..1, EveryNth to 0 or more).
func (f *Faults) Inject(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	left := fault.Times
	if left <= 0 {
		left = -1
	}
	fault.EveryNth = max(fault.EveryNth, 0)
	fault.Fraction = clamp01(fault.Fraction)
	fault.Probability = clamp01(fault.Probability)
	f.active = append(f.active, &faultState{Fault: fault, left: left,
		rand: rand.New(rand.NewPCG(fault.Seed, 0x9e3779b97f4a7c15))})
}

func clamp01(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return min(max(v, 0), 1)
}

// Clear removes every fault.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.active = nil
}

// List returns the faults still active.
func (f *Faults) List() []Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Fault, 0, len(f.active))
	for _, a := range f.active {
		fa := a.Fault
		if a.left > 0 {
			fa.Times = a.left
		}
		out = append(out, fa)
	}
	return out
}

// take returns the first fault that matches op and the phase (before or after the call takes
// effect, or a record fault) and hits, counting the hit. With records it also returns which of n
// records fail. Callers hold no lock.
func (f *Faults) take(op string, after, records bool, n int) (*Fault, []bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, a := range f.active {
		if (a.Operation != "" && a.Operation != "*" && a.Operation != op) || a.records() != records {
			continue
		}
		if !records && a.AfterApply != after {
			continue
		}
		if a.Probability > 0 && a.rand.Float64() >= a.Probability {
			continue
		}
		hit := a.Fault
		var failed []bool
		if records {
			failed = make([]bool, n)
			for j := range failed {
				failed[j] = (a.EveryNth > 0 && (j+1)%a.EveryNth == 0) ||
					(a.Fraction > 0 && a.rand.Float64() < a.Fraction)
			}
		}
		if a.left > 0 {
			a.left--
			if a.left == 0 {
				f.active = append(f.active[:i:i], f.active[i+1:]...)
			}
		}
		return &hit, failed
	}
	return nil, nil
}

// failRecords applies a record fault to a PutRecords call of n records routed to shards: the
// records it chooses are answered failed in out, and the slots of the others are returned, to be
// written.
func (s *Server) failRecords(c *call, st *store.Stream, shards []*store.Shard, out *putRecordsOutput) []int {
	todo := make([]int, 0, len(shards))
	var hit *Fault
	var failed []bool
	if c.op == "PutRecords" {
		hit, failed = s.faults.take(c.op, false, true, len(shards))
	}
	if hit != nil && hit.Latency > 0 {
		sleep(c, hit.Latency)
	}
	for i := range shards {
		if hit == nil || !failed[i] {
			todo = append(todo, i)
			continue
		}
		e := recordFaultError(hit, st, shards[i])
		out.Records[i] = putRecordsResultEntry{ErrorCode: e.Code, ErrorMessage: e.Message}
		out.FailedRecordCount++
	}
	return todo
}

// recordFaultError is the error of one record a record fault fails: the fault's code and message,
// or the service's own message for the code.
func recordFaultError(f *Fault, st *store.Stream, sh *store.Shard) *Error {
	code := f.Code
	if code == "" {
		code = "ProvisionedThroughputExceededException"
	}
	if f.Message != "" {
		return errorByCode(code, f.Message)
	}
	switch code {
	case "ProvisionedThroughputExceededException":
		return errShardRateExceeded(sh.ID, st.Key.Name, st.Key.Account)
	case "InternalFailure":
		return errInternalServiceFailure()
	}
	return errorByCode(code, "")
}

func sleep(c *call, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.ctx.Done():
	}
}

// before applies a fault due before the call takes effect.
func (f *Faults) before(c *call) error { return f.apply(c, false) }

// after applies a fault due after the call took effect.
func (f *Faults) after(c *call) error { return f.apply(c, true) }

func (f *Faults) apply(c *call, after bool) error {
	hit, _ := f.take(c.op, after, false, 0)
	if hit == nil {
		return nil
	}
	if hit.Latency > 0 {
		sleep(c, hit.Latency)
	}
	if hit.Code == "" {
		return nil
	}
	return errorByCode(hit.Code, hit.Message)
}

// The admin endpoints of a standalone server. They are not Kinesis operations and need no
// signature.
const (
	healthPath = "/health"
	faultsPath = "/_pelican/faults"
)

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}`))
}

// serveFaults: GET lists the faults, POST adds one (a Fault as JSON, see Fault; latency in
// nanoseconds or as a Go duration string; a fault out of range is refused with 400), DELETE clears
// them.
func (s *Server) serveFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.faults.List())
	case http.MethodPost:
		var in struct {
			Fault
			Latency json.RawMessage `json:"latency,omitempty"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
			http.Error(w, "invalid fault: "+err.Error(), http.StatusBadRequest)
			return
		}
		if len(in.Latency) > 0 {
			var d time.Duration
			var str string
			if err := json.Unmarshal(in.Latency, &str); err == nil {
				parsed, perr := time.ParseDuration(str)
				if perr != nil {
					http.Error(w, "invalid latency: "+perr.Error(), http.StatusBadRequest)
					return
				}
				d = parsed
			} else if err := json.Unmarshal(in.Latency, &d); err != nil {
				http.Error(w, "invalid latency: "+err.Error(), http.StatusBadRequest)
				return
			}
			in.Fault.Latency = d
		}
		if err := in.Fault.validate(); err != nil {
			http.Error(w, "invalid fault: "+err.Error(), http.StatusBadRequest)
			return
		}
		s.faults.Inject(in.Fault)
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		s.faults.Clear()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
