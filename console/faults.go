package console

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// errNotEmulator is the answer of the emulator-only pages when the console has no admin URL.
var errNotEmulator = errors.New("faults and throttles are the emulator's: start the console with pelican emulator, or give it the emulator's admin URL")

type faultRow struct {
	Operation, Code, Message, Latency string
	Times                             int
	AfterApply                        bool
}

type faultsData struct {
	base
	Faults    []faultRow
	Throttles []throttleSpec
	Describe  func(throttleSpec) string
	Stream    string
	Shard     string
}

func (c *Console) faultsPage(w http.ResponseWriter, r *http.Request) {
	if c.admin == nil {
		c.errorPage(w, r, http.StatusNotFound, errNotEmulator)
		return
	}
	ctx := r.Context()
	fs, err := c.admin.faults(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ts, err := c.admin.throttles(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := faultsData{base: c.base("Faults and throttles", "", "faults"), Throttles: ts, Describe: describeThrottle,
		Stream: r.URL.Query().Get("stream"), Shard: r.URL.Query().Get("shard")}
	for _, f := range fs {
		row := faultRow{Operation: f.Operation, Code: f.Code, Message: f.Message, Times: f.Times, AfterApply: f.AfterApply}
		if n, ok := f.Latency.(float64); ok && n > 0 {
			row.Latency = time.Duration(n).String()
		}
		if row.Operation == "" {
			row.Operation = "*"
		}
		d.Faults = append(d.Faults, row)
	}
	c.render(w, r, http.StatusOK, "faults", d)
}

func (c *Console) injectFault(w http.ResponseWriter, r *http.Request) {
	if c.admin == nil {
		c.errorPage(w, r, http.StatusNotFound, errNotEmulator)
		return
	}
	f := r.PostForm
	ft := fault{Operation: strings.TrimSpace(f.Get("operation")), Code: strings.TrimSpace(f.Get("code")),
		Message: f.Get("message"), AfterApply: f.Get("after_apply") == "on"}
	if s := f.Get("times"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			c.errorPage(w, r, http.StatusBadRequest, fmt.Errorf("times must be a whole number, not %q", s))
			return
		}
		ft.Times = n
	}
	if s := strings.TrimSpace(f.Get("latency")); s != "" {
		if _, err := time.ParseDuration(s); err != nil {
			c.errorPage(w, r, http.StatusBadRequest, fmt.Errorf("latency: %w", err))
			return
		}
		ft.Latency = s
	}
	if ft.Code == "" && ft.Latency == nil {
		c.errorPage(w, r, http.StatusBadRequest, errors.New("a fault needs an error code, a latency, or both"))
		return
	}
	if err := c.admin.inject(r.Context(), ft); err != nil {
		c.fail(w, r, err)
		return
	}
	c.redirect(w, r, "faults")
}

func (c *Console) clearFaults(w http.ResponseWriter, r *http.Request) {
	if c.admin == nil {
		c.errorPage(w, r, http.StatusNotFound, errNotEmulator)
		return
	}
	if err := c.admin.clearFaults(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.redirect(w, r, "faults")
}

// throttleShard sets or lifts one shard's throttle, then shows the shard's stream.
func (c *Console) throttleShard(w http.ResponseWriter, r *http.Request) {
	if c.admin == nil {
		c.errorPage(w, r, http.StatusNotFound, errNotEmulator)
		return
	}
	f := r.PostForm
	t := throttleSpec{Stream: strings.TrimSpace(f.Get("stream")), Shard: strings.TrimSpace(f.Get("shard"))}
	if t.Stream == "" || t.Shard == "" {
		c.errorPage(w, r, http.StatusBadRequest, errors.New("a throttle needs a stream and a shard"))
		return
	}
	var err error
	if f.Get("lift") != "" {
		err = c.admin.liftThrottle(r.Context(), t.Stream, t.Shard)
	} else {
		rate := func(field string) *float64 {
			if err != nil {
				return nil
			}
			var v *float64
			v, err = parseRate(field, f.Get(field))
			return v
		}
		t.WriteRecordsPerSecond, t.WriteBytesPerSecond, t.ReadCallsPerSecond = rate("write_records_per_second"), rate("write_bytes_per_second"), rate("read_calls_per_second")
		if err != nil {
			c.errorPage(w, r, http.StatusBadRequest, err)
			return
		}
		if t.WriteRecordsPerSecond == nil && t.WriteBytesPerSecond == nil && t.ReadCallsPerSecond == nil {
			c.errorPage(w, r, http.StatusBadRequest, errors.New("give at least one rate (0 refuses every call)"))
			return
		}
		err = c.admin.setThrottle(r.Context(), t)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.redirect(w, r, "streams/"+url.PathEscape(t.Stream))
}

// parseRate reads a throttle's rate from a form field: nil when empty, else a finite number of
// zero or more (NaN and infinities do not survive the JSON the emulator takes).
func parseRate(field, s string) (*float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("%s must be a rate of zero or more, not %q", field, s)
	}
	return &v, nil
}
