package console_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/pelicanhq/pelican/console"
	"github.com/pelicanhq/pelican/pelicantest"
)

// The console is an http.Handler over a Kinesis client: here an emulator's, with its admin
// endpoints for the per-shard rates and faults, read-only.
func ExampleNew() {
	emu, err := pelicantest.Run(pelicantest.WithStream("orders", 2))
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()

	c, err := console.New(emu.Client(), console.WithAdminURL(emu.URL()), console.WithReadOnly(true))
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(c)
	defer srv.Close()

	resp, err := http.Get(srv.URL + c.Prefix() + "streams/orders")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
	// Output: 200 OK text/html; charset=utf-8
}
