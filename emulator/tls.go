package emulator

import (
	"crypto/tls"
	"net"
	"slices"
	"sync"
	"time"
)

// One port serves plain HTTP/1.1, h2c (HTTP/2 with prior knowledge) and TLS, where ALPN offers h2
// and http/1.1. The listener tells them apart by the first byte a client sends: a TLS connection
// opens with a handshake record, whose type byte is 0x16; no HTTP/1.1 method or HTTP/2 preface
// begins with it. TLS connections are handed to http.Server as *tls.Conn, so that it completes the
// handshake and serves h2 on the protocol ALPN chose.

const (
	tlsHandshakeRecord = 0x16
	// sniffTimeout bounds how long a new connection may stay silent before its first byte.
	sniffTimeout = 30 * time.Second
)

// sniffListener accepts connections from the listener it wraps and sorts them into TLS and plain
// text. Each new connection is sorted in its own goroutine, so that a silent client does not hold
// up the others.
type sniffListener struct {
	net.Listener
	cfg   *tls.Config
	conns chan net.Conn
	errs  chan error
	done  chan struct{}
	once  sync.Once
}

// newSniffListener serves TLS with cfg and plain text on ln's port. ALPN offers h2 and http/1.1
// unless cfg names its own protocols.
func newSniffListener(ln net.Listener, cfg *tls.Config) net.Listener {
	cfg = cfg.Clone()
	if !slices.Contains(cfg.NextProtos, "h2") {
		cfg.NextProtos = append([]string{"h2", "http/1.1"}, slices.DeleteFunc(cfg.NextProtos, func(p string) bool { return p == "http/1.1" })...)
	}
	l := &sniffListener{Listener: ln, cfg: cfg, conns: make(chan net.Conn), errs: make(chan error), done: make(chan struct{})}
	go l.acceptLoop()
	return l
}

func (l *sniffListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			select {
			case l.errs <- err:
			case <-l.done:
				return
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return
		}
		go l.sort(c)
	}
}

// sort reads the first byte of c and hands c on, as a *tls.Conn when it opens a TLS handshake.
func (l *sniffListener) sort(c net.Conn) {
	var first [1]byte
	_ = c.SetReadDeadline(time.Now().Add(sniffTimeout))
	n, err := c.Read(first[:])
	_ = c.SetReadDeadline(time.Time{})
	if n == 0 || err != nil {
		_ = c.Close()
		return
	}
	var out net.Conn = &peekedConn{Conn: c, first: first[0], pending: true}
	if first[0] == tlsHandshakeRecord {
		out = tls.Server(out, l.cfg)
	}
	select {
	case l.conns <- out:
	case <-l.done:
		_ = out.Close()
	}
}

// Accept returns the next sorted connection.
func (l *sniffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case err := <-l.errs:
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting; connections not yet handed on are closed.
func (l *sniffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// peekedConn gives back the byte the listener read before the rest of the connection.
type peekedConn struct {
	net.Conn
	first   byte
	pending bool
}

func (c *peekedConn) Read(p []byte) (int, error) {
	if c.pending && len(p) > 0 {
		c.pending = false
		p[0] = c.first
		return 1, nil
	}
	return c.Conn.Read(p)
}
