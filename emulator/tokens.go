package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// shard iterators and pagination tokens are opaque to clients and tamper-evident: a JSON payload
// followed by an HMAC-SHA256 under a key the server makes at start, in base64. A forged, edited or
// foreign token fails the MAC check.

const macSize = 16

func (s *Server) seal(payload any) string {
	b, err := json.Marshal(payload)
	if err != nil {
		panic("emulator: token payload does not marshal: " + err.Error())
	}
	m := hmac.New(sha256.New, s.iterKey)
	m.Write(b)
	return base64.StdEncoding.EncodeToString(m.Sum(b)[:len(b)+macSize])
}

// open verifies a token made by seal and decodes its payload into v.
func (s *Server) open(token string, v any) bool {
	raw, err := base64.StdEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) <= macSize {
		return false
	}
	body, sum := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	m := hmac.New(sha256.New, s.iterKey)
	m.Write(body)
	if !hmac.Equal(m.Sum(nil)[:macSize], sum) {
		return false
	}
	return json.Unmarshal(body, v) == nil
}

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
