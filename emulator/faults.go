package emulator

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Fault makes calls of one operation fail or slow down, to test how clients cope.
type Fault struct {
	// Operation is the Kinesis operation name, such as PutRecords; "" or "*" matches every one.
	Operation string `json:"operation"`
	// Code is the AWS error type to answer with, such as ProvisionedThroughputExceededException or
	// InternalFailure; "" injects latency alone.
	Code string `json:"code,omitempty"`
	// Message is the error message (default "Injected fault").
	Message string `json:"message,omitempty"`
	// Times is how many calls the fault hits; 0 means every call until Clear.
	Times int `json:"times,omitempty"`
	// Latency delays each hit call before it is answered.
	Latency time.Duration `json:"latency,omitempty"`
	// AfterApply lets the call take effect and then answers with the error: the ambiguous failure
	// of a timeout after the write, which clients can only resolve by retrying (and duplicating).
	AfterApply bool `json:"afterApply,omitempty"`
}

// Faults holds the injected faults of a server. It is safe for concurrent use.
type Faults struct {
	mu     sync.Mutex
	active []*faultState
}

type faultState struct {
	Fault
	left int // calls still to hit; -1 for unlimited
}

func newFaults() *Faults { return &Faults{} }

// Inject adds a fault. Faults are matched in the order they were added.
func (f *Faults) Inject(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	left := fault.Times
	if left <= 0 {
		left = -1
	}
	f.active = append(f.active, &faultState{Fault: fault, left: left})
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
// effect), counting the hit.
func (f *Faults) take(op string, after bool) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, a := range f.active {
		if (a.Operation != "" && a.Operation != "*" && a.Operation != op) || a.AfterApply != after {
			continue
		}
		hit := a.Fault
		if a.left > 0 {
			a.left--
			if a.left == 0 {
				f.active = append(f.active[:i:i], f.active[i+1:]...)
			}
		}
		return &hit
	}
	return nil
}

// before applies a fault due before the call takes effect.
func (f *Faults) before(c *call) error { return f.apply(c, false) }

// after applies a fault due after the call took effect.
func (f *Faults) after(c *call) error { return f.apply(c, true) }

func (f *Faults) apply(c *call, after bool) error {
	hit := f.take(c.op, after)
	if hit == nil {
		return nil
	}
	if hit.Latency > 0 {
		t := time.NewTimer(hit.Latency)
		select {
		case <-t.C:
		case <-c.ctx.Done():
			t.Stop()
		}
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

// serveFaults: GET lists the faults, POST adds one (a Fault as JSON, latency in nanoseconds or as a
// Go duration string), DELETE clears them.
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
