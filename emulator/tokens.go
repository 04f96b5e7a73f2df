package emulator

import (
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// Shard iterators and pagination tokens are sealed by wire (SealToken) under the server's key.

func (s *Server) seal(payload any) string { return wire.SealToken(s.iterKey, payload) }

// open verifies a token made by seal and decodes its payload into v.
func (s *Server) open(token string, v any) bool { return wire.OpenToken(s.iterKey, token, v) }

// pageToken is the payload of a NextToken: the operation it pages, the caller, the position, and
// when it was made (NextTokens expire after 300 seconds).
type pageToken struct {
	Op      string `json:"o"`
	Account string `json:"a"`
	Region  string `json:"r"`
	Stream  string `json:"s,omitempty"`
	After   string `json:"k"`
	Issued  int64  `json:"t"`
	Extra   string `json:"x,omitempty"`
}

const nextTokenLifetime = 300 * time.Second

func (s *Server) sealToken(c *call, op string, t pageToken) string {
	t.Op, t.Account, t.Region, t.Issued = op, c.account, c.region, c.now.UnixMilli()
	return s.seal(t)
}

func (s *Server) openToken(c *call, op, token string) (pageToken, error) {
	var t pageToken
	if !s.open(token, &t) || t.Op != op || t.Account != c.account || t.Region != c.region {
		return t, errInvalidNextToken()
	}
	if c.now.Sub(time.UnixMilli(t.Issued)) > nextTokenLifetime {
		return t, errExpiredNextToken("The NextToken has expired. It was issued at %s and expires after %d seconds.", time.UnixMilli(t.Issued).UTC().Format(time.RFC3339), int(nextTokenLifetime.Seconds()))
	}
	return t, nil
}
