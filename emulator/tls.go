package emulator

import (
	"crypto/tls"
	"net"
)

// newSniffListener serves TLS on the listener.
func newSniffListener(ln net.Listener, cfg *tls.Config) net.Listener {
	return tls.NewListener(ln, cfg)
}
