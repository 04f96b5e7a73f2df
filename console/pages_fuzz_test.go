package console_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pelicanhq/pelican/console"
	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/pelicantest"
)

// pagePaths are the console's GET pages that answer once (the live tail's events stream on).
var pagePaths = []string{"", "streams/f", "streams/f/records", "streams/f/export", "streams/f/tail",
	"streams/f/publish", "streams/f/consumers", "faults", "streams/nope/records"}

// FuzzPageQueries sends any query to every page of a console on an emulator: a page answers
// with itself or an error page, never a panic or a failure of its own (500).
func FuzzPageQueries(f *testing.F) {
	for _, seed := range []struct {
		page  uint8
		query string
	}{
		{0, "page=4611686018427387904"}, {0, "page=9223372036854775807&q=f"}, {0, "page=-1"},
		{6, "page=4611686018427387904"}, {6, "page=922337203685477580&owner=x"},
		{2, "start=at_sequence&seq=99999999999999999999999999999999999999999999999999999999999999999"},
		{2, "start=at_timestamp&at=0000-01-01T00:00"}, {2, "start=at_timestamp&at=9999-12-31T23:59:59.999999999Z"},
		{2, "cursor=shardId-000000000000=1.9223372036854775807"}, {2, "cursor=shardId-000000000000=1.99999999999999999999"},
		{2, "shard=shardId-000000000009"}, {2, "shard=all&shard=&from=x"}, {2, "start=at_sequence&seq="},
		{3, "limit=-1"}, {3, "limit=99999999999999999999"}, {3, "limit=1&cursor=a=b"},
		{4, "shard=nope"}, {4, "start=latest&type=%00"}, {5, "type=%ff&mode=raw"}, {7, "stream=%3Cb%3E&shard=x"},
		{8, "start=latest"}, {1, "x=%zz"},
	} {
		f.Add(seed.page, seed.query)
	}
	emu := pelicantest.NewEmulator(f)
	pelicantest.CreateStream(f, emu.Client(), "f", 2)
	pelicantest.Put(f, emu.Client(), "f", "k", []byte(`{"a":1}`))
	c, err := console.New(emu.Client(), console.WithProto("testdata/proto"), console.WithAdminURL(emu.URL()),
		console.WithLeases("app", lease.NewMemory()))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, page uint8, query string) {
		path := console.DefaultPrefix + pagePaths[int(page)%len(pagePaths)]
		req := httptest.NewRequest(http.MethodGet, "http://console.test"+path, nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, req)
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("GET %s?%s: %d\n%.2000s", path, query, rec.Code, rec.Body)
		}
	})
}
