package emulator

import (
	"net/http"
	"strings"
)

// mount is a handler served on the emulator's port beside the Kinesis API.
type mount struct {
	pattern string
	h       http.Handler
}

// WithHandler serves h on the emulator's port for requests whose path is pattern or, when
// pattern ends in "/", any path under it (WithHandler("/_pelican/console/", c) serves a web
// console there). The Kinesis API answers every other path, as before. Patterns are matched in
// the order given; the emulator's own admin endpoints come first.
func WithHandler(pattern string, h http.Handler) Option {
	return func(c *config) { c.mounts = append(c.mounts, mount{pattern: pattern, h: h}) }
}

// routes is the handler Serve answers with: the admin endpoints that live outside the operation
// table, the mounted handlers, then the Kinesis API.
func (s *Server) routes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.HasPrefix(p, "/_pelican/") {
			switch p {
			case shardsPath:
				s.serveShards(w, r)
				return
			case throttlePath:
				s.serveThrottle(w, r)
				return
			case subscriptionsPath:
				s.serveSubscriptions(w, r)
				return
			}
		}
		for _, m := range s.cfg.mounts {
			if p == m.pattern || (strings.HasSuffix(m.pattern, "/") && strings.HasPrefix(p, m.pattern)) {
				m.h.ServeHTTP(w, r)
				return
			}
		}
		s.ServeHTTP(w, r)
	})
}
