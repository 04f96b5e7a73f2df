package wire

import (
	"strings"
	"testing"
)

func TestTokensOpenOnlyUnderTheirKey(t *testing.T) {
	type payload struct {
		Shard string `json:"s"`
		At    int64  `json:"t"`
	}
	key, other := []byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210")
	tok := SealToken(key, payload{Shard: "shardId-000000000001", At: 42})
	var got payload
	if !OpenToken(key, tok, &got) || got != (payload{Shard: "shardId-000000000001", At: 42}) {
		t.Fatalf("OpenToken(%q) = %+v", tok, got)
	}
	if OpenToken(other, tok, &got) {
		t.Error("a token opened under another key")
	}
	edited := []byte(tok)
	edited[2] ^= 1
	for _, bad := range []string{string(edited), tok[:len(tok)-4], "", "AAAA", strings.Repeat("A", 40)} {
		if OpenToken(key, bad, &got) {
			t.Errorf("OpenToken(%q) accepted a token it did not seal", bad)
		}
	}
}

func TestDocumentMembers(t *testing.T) {
	m, err := DocumentMembers(`{"Version":"2012-10-17","Statement":[]}`)
	if err != nil || !m["Statement"] || !m["Version"] || len(m) != 2 {
		t.Fatalf("got %v, %v", m, err)
	}
	if m, err := DocumentMembers(`null`); err != nil || m != nil {
		t.Fatalf("null: got %v, %v", m, err)
	}
	if _, err := DocumentMembers(`[1]`); err == nil || !strings.Contains(err.Error(), "cannot unmarshal array") {
		t.Fatalf("array: got %v", err)
	}
}
