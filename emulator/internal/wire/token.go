package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
)

// Shard iterators and pagination tokens are opaque to clients and tamper-evident: a JSON payload
// followed by an HMAC-SHA256 under a key the server makes at start, in base64. A forged, edited or
// foreign token fails the MAC check.

const macSize = 16

// SealToken encodes payload as a token that only OpenToken with the same key reads back. payload
// must marshal to JSON.
func SealToken(key []byte, payload any) string {
	b, err := json.Marshal(payload)
	if err != nil {
		panic("wire: token payload does not marshal: " + err.Error())
	}
	m := hmac.New(sha256.New, key)
	m.Write(b)
	return base64.StdEncoding.EncodeToString(m.Sum(b)[:len(b)+macSize])
}

// OpenToken verifies a token made by SealToken under key and decodes its payload into v. It
// reports false for anything else.
func OpenToken(key []byte, token string, v any) bool {
	raw, err := base64.StdEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) <= macSize {
		return false
	}
	body, sum := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	m := hmac.New(sha256.New, key)
	m.Write(body)
	if !hmac.Equal(m.Sum(nil)[:macSize], sum) {
		return false
	}
	return json.Unmarshal(body, v) == nil
}

// DocumentMembers reads doc, a JSON object carried inside a request (a resource policy), and
// returns its member names (nil for a JSON null); the error is encoding/json's, which the caller
// quotes.
func DocumentMembers(doc string) (map[string]bool, error) {
	var p map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, nil
	}
	members := make(map[string]bool, len(p))
	for k := range p {
		members[k] = true
	}
	return members, nil
}
