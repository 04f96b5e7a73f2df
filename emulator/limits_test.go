package emulator_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/emulator"
)

// oversize is a body larger than the default 32 MiB limit, as the clients sent.
const oversize = 40 << 20

// rawRequest writes the head of a PutRecords request declaring a body of length bytes (or a
// chunked one for length < 0) on conn.
func rawRequest(t *testing.T, conn net.Conn, length int64) {
	t.Helper()
	size := "Transfer-Encoding: chunked"
	if length >= 0 {
		size = fmt.Sprintf("Content-Length: %d", length)
	}
	head := "POST / HTTP/1.1\r\nHost: kinesis\r\nContent-Type: application/x-amz-json-1.1\r\n" +
		"X-Amz-Target: Kinesis_20131202.PutRecords\r\nX-Amz-Date: 20260101T000000Z\r\n" +
		"Authorization: " + fakeAuth + "\r\n" + size + "\r\n\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
}

// sendChunks writes count chunks of size bytes of a chunked body to conn, until the server stops
// reading.
func sendChunks(conn net.Conn, size, count int) {
	w := bufio.NewWriter(conn)
	chunk := make([]byte, size)
	for range count {
		fmt.Fprintf(w, "%x\r\n", len(chunk))
		_, _ = w.Write(chunk)
		if _, err := w.WriteString("\r\n"); err != nil {
			return
		}
	}
	_ = w.Flush()
}

func dial(t *testing.T, srv *emulator.Server) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// answer reads one response from conn, with its body.
func answer(t *testing.T, conn net.Conn) (*http.Response, string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// countingBody is an endless body of zeros that counts the bytes read from it.
type countingBody struct{ n atomic.Int64 }

func (c *countingBody) Read(p []byte) (int, error) {
	clear(p)
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// oversizeRequest is a PutRecords request that declares oversize bytes of body and reads them
// from the counted endless body.
func oversizeRequest(t *testing.T, srv *emulator.Server) (*http.Request, *countingBody) {
	t.Helper()
	counted := &countingBody{}
	req, err := http.NewRequest(http.MethodPost, srv.URL(), io.LimitReader(counted, oversize))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = oversize
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", fakeAuth)
	return req, counted
}

// TestLimitDeclaredOversizeRefusedUnread sends the head of a request declaring 40 MiB and no body
// byte: the server answers at once, with the same 413 a body that passes the limit unannounced
// gets. Through an HTTP client, little of the 40 MiB is ever taken from the body.
func TestLimitDeclaredOversizeRefusedUnread(t *testing.T) {
	srv := emulator.RunT(t)

	// The answer to a chunked body that passes the limit: read up to the limit, then refused.
	chunked := dial(t, srv)
	rawRequest(t, chunked, -1)
	go sendChunks(chunked, 1<<20, 40)
	wantResp, wantBody := answer(t, chunked)

	declared := dial(t, srv)
	rawRequest(t, declared, oversize)
	resp, body := answer(t, declared) // no body byte was sent: the answer cannot wait for them
	if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.StatusCode != wantResp.StatusCode || body != wantBody ||
		resp.Header.Get("Connection") != wantResp.Header.Get("Connection") {
		t.Fatalf("declared oversize: %d %s %v, want %d %s %v", resp.StatusCode, body, resp.Header, wantResp.StatusCode, wantBody, wantResp.Header)
	}
	if body != "" { // the service answers a body over the limit with 413 and nothing else
		t.Fatalf("answer %q, want no body", body)
	}

	req, counted := oversizeRequest(t, srv)
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d", res.StatusCode)
		}
	}
	// What the client wrote before the answer came sits in socket buffers; the server read none.
	t.Logf("declared %d MiB: the client's body reader gave %.1f MiB before the answer", oversize>>20, float64(counted.n.Load())/(1<<20))
	if counted.n.Load() > 16<<20 {
		t.Fatalf("%d bytes of the declared body were taken", counted.n.Load())
	}
}

// TestLimitEightOversizedBodiesHoldLittleMemory sends eight 40 MiB bodies at once, as fast as the
// server takes them: the heap grows by a few MiB at most, and a control request still answers.
func TestLimitEightOversizedBodiesHoldLittleMemory(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("s", 1))
	kc := plainClient(t, srv)
	statuses := make([]int, 8)
	var control time.Duration
	before, peak := heapGrowth(func() {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn := dial(t, srv)
				rawRequest(t, conn, oversize)
				go func() {
					chunk := make([]byte, 256<<10)
					for sent := 0; sent < oversize; sent += len(chunk) {
						if _, err := conn.Write(chunk); err != nil {
							return
						}
					}
				}()
				_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err == nil {
					statuses[i] = resp.StatusCode
					_ = resp.Body.Close()
				}
			}()
		}
		start := time.Now()
		if _, err := kc.DescribeLimits(ctxT(t), &kinesis.DescribeLimitsInput{}); err != nil {
			t.Error(err)
		}
		control = time.Since(start)
		wg.Wait()
	})
	for i, st := range statuses {
		if st != http.StatusRequestEntityTooLarge {
			t.Fatalf("body %d: status %d, want 413", i, st)
		}
	}
	grew := int64(peak) - int64(before)
	t.Logf("eight 40 MiB bodies: heap in use %.1f MiB before, %.1f MiB at most during (+%.1f MiB); a control request took %v",
		float64(before)/(1<<20), float64(peak)/(1<<20), float64(grew)/(1<<20), control)
	if grew > 16<<20 {
		t.Fatalf("the heap grew by %.1f MiB", float64(grew)/(1<<20))
	}
}

// TestLimitChunkedBodiesShareTheInflightBudget sends eight large bodies without their length: they
// are read only as far as the budget of bytes in flight allows, and the ones that wait past the
// read timeout are refused, so that the heap stays near the budget.
func TestLimitChunkedBodiesShareTheInflightBudget(t *testing.T) {
	const budget = 8 << 20
	srv := emulator.RunT(t, emulator.WithMaxInflightBytes(budget), emulator.WithReadTimeout(time.Second))
	var answered atomic.Int64
	before, peak := heapGrowth(func() {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn := dial(t, srv)
				rawRequest(t, conn, -1)
				go sendChunks(conn, 256<<10, 160)
				_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
				if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
					_ = resp.Body.Close()
					answered.Add(1)
				}
			}()
		}
		wg.Wait()
	})
	grew := int64(peak) - int64(before)
	t.Logf("eight 40 MiB chunked bodies, %d MiB budget: heap +%.1f MiB at most, %d answered", budget>>20, float64(grew)/(1<<20), answered.Load())
	if grew > 4*budget {
		t.Fatalf("the heap grew by %.1f MiB with a budget of %d MiB", float64(grew)/(1<<20), budget>>20)
	}
}

// TestLimitSlowBodiesAreCut sends 100 bodies at one byte every 100 ms: each connection is closed
// once the read timeout passes, long before its body would end.
func TestLimitSlowBodiesAreCut(t *testing.T) {
	const timeout = 500 * time.Millisecond
	srv := emulator.RunT(t, emulator.WithReadTimeout(timeout))
	const conns = 100
	var closed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn := dial(t, srv)
			rawRequest(t, conn, 200) // 20 s at this pace
			go func() {
				for range 200 {
					if _, err := conn.Write([]byte{' '}); err != nil {
						return
					}
					time.Sleep(100 * time.Millisecond)
				}
			}()
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			// Whatever the server answers, it then closes the connection: the read ends with
			// EOF, or with a reset when a byte was on its way.
			var ne net.Error
			if _, err := io.Copy(io.Discard, conn); err == nil || !errors.As(err, &ne) || !ne.Timeout() {
				closed.Add(1)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	t.Logf("%d of %d slow connections closed by the server, all within %v (read timeout %v)", closed.Load(), conns, took, timeout)
	if closed.Load() != conns {
		t.Fatalf("%d of %d slow connections were closed", closed.Load(), conns)
	}
}

// TestLimitIdleConnectionsAreClosed leaves keep-alive connections idle after one request: the
// server closes them once the idle timeout passes.
func TestLimitIdleConnectionsAreClosed(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithIdleTimeout(300*time.Millisecond))
	const conns = 200
	var closed atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn := dial(t, srv)
			if _, err := io.WriteString(conn, "GET /health HTTP/1.1\r\nHost: kinesis\r\n\r\n"); err != nil {
				t.Error(err)
				return
			}
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			r := bufio.NewReader(conn)
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.Close {
				t.Error("the health answer closed the connection itself")
				return
			}
			// Idle now: the next read ends when the server closes the connection.
			if n, err := r.Read(make([]byte, 1)); n == 0 && err == io.EOF {
				closed.Add(1)
			}
		}()
	}
	wg.Wait()
	t.Logf("%d of %d idle keep-alive connections closed by the server", closed.Load(), conns)
	if closed.Load() != conns {
		t.Fatalf("%d of %d idle connections were closed", closed.Load(), conns)
	}
}

// TestLimitSubscriptionOutlivesReadTimeout keeps a subscription open for several read timeouts:
// the timeouts bound what the client sends, never the answer (a server WriteTimeout, or a deadline
// on the whole exchange, would end it).
func TestLimitSubscriptionOutlivesReadTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	f := newEFOFixture(t, 1, emulator.WithReadTimeout(timeout), emulator.WithIdleTimeout(timeout))
	arn := f.active(t, "long")
	es := f.subscribe(t, nil, arn, efoShard0, trimHorizon())
	start := time.Now()
	var got []string
	for i := 0; time.Since(start) < 6*timeout; i++ {
		want := fmt.Sprintf("r%d", i)
		f.put(t, want)
		for {
			ev, ok := nextEvent(t, es)
			if !ok {
				t.Fatalf("the subscription ended after %v (read timeout %v): %v", time.Since(start), timeout, es.Err())
			}
			if len(ev.Records) > 0 {
				for _, r := range ev.Records {
					got = append(got, string(r.Data))
				}
				break
			}
		}
		time.Sleep(timeout / 2)
	}
	if len(got) < 6 || !bytes.Equal([]byte(got[len(got)-1]), []byte(fmt.Sprintf("r%d", len(got)-1))) {
		t.Fatalf("records over the subscription: %v", got)
	}
}

// heapGrowth runs fn and returns how far the heap in use rose above where it was before, at most,
// sampling it every few milliseconds meanwhile.
func heapGrowth(fn func()) (before, peak uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	before, peak = m.HeapInuse, m.HeapInuse
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	<-sampled
	return before, peak
}

// TestLimitDeclaredOversizeOverHTTP2 sends the declared 40 MiB over h2c, as the JS SDK speaks: the
// same 413, with little of the body taken.
func TestLimitDeclaredOversizeOverHTTP2(t *testing.T) {
	srv := emulator.RunT(t)
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	req, counted := oversizeRequest(t, srv)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusRequestEntityTooLarge || len(body) != 0 {
		t.Fatalf("HTTP/%d %d %s", resp.ProtoMajor, resp.StatusCode, body)
	}
	t.Logf("h2c, declared %d MiB: the client's body reader gave %.1f MiB", oversize>>20, float64(counted.n.Load())/(1<<20))
	if counted.n.Load() > 16<<20 {
		t.Fatalf("%d bytes of the declared body were taken", counted.n.Load())
	}
}
