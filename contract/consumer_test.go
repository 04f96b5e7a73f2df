package contract

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const shopProto = `syntax = "proto3";
package acme.shop.v1;
option go_package = "example.com/shop/gen/acme/shop/v1;shopv1";
message OrderPlaced {
  string order_id = 1;
  message Line {}
}
message order_shipped {}
message Refund_issued {}
`

func TestReadConsumer(t *testing.T) {
	s := loadFiles(t, map[string]string{"acme/shop/v1/shop.proto": shopProto})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.go": `package main

import (
	"context"

	"github.com/pelicanhq/pelican"
	shop "example.com/shop/gen/acme/shop/v1"
)

type svc struct{}

func register(sub *pelican.Subscriber, s *svc) {
	pelican.Handle(sub, func(ctx context.Context, e *shop.OrderPlaced) error { return nil })
	pelican.Handle(sub, onShipped)
	pelican.Handle(sub, s.onRefund)
	pelican.Handle[*shop.OrderPlaced_Line](sub, nil)
	pelican.HandleType(sub, nil, nil)
	other.Handle(sub)
}

func onShipped(_ context.Context, e *shop.OrderShipped) error { return nil }
`,
		"internal/refund.go": `package internal
`,
		"methods.go": `package main

import (
	"context"

	shopv1 "example.com/shop/gen/acme/shop/v1"
)

func (s *svc) onRefund(ctx context.Context, e *shopv1.RefundIssued) error { return nil }
`,
		"main_test.go": `package main

import shop "example.com/shop/gen/acme/shop/v1"

func init() { pelican.Handle[*shop.NotAnEvent](nil, nil) }
`,
		"testdata/x.go": "package x\nimport shop \"example.com/shop/gen/acme/shop/v1\"\nvar _ = pelican.Handle[*shop.Nope]\n",
		ConsumerFile:    "name: shipping\nrelies_on:\n  acme.shop.v1.OrderPlaced: [order_id]\nevents: [acme.shop.v1.Other]\n",
	})
	c, err := ReadConsumer(dir, s)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"acme.shop.v1.OrderPlaced":      {"order_id"},
		"acme.shop.v1.OrderPlaced.Line": nil,
		"acme.shop.v1.order_shipped":    nil,
		"acme.shop.v1.Refund_issued":    nil,
		"acme.shop.v1.Other":            nil,
	}
	if c.Name != "shipping" || !reflect.DeepEqual(c.Events, want) {
		t.Errorf("consumer = %q %v\nwant %v", c.Name, c.Events, want)
	}
}

func TestReadConsumerErrors(t *testing.T) {
	s := loadFiles(t, map[string]string{"acme/shop/v1/shop.proto": shopProto})
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"nothing declared", map[string]string{"a.go": "package a\n"}, "nothing to check"},
		{"unknown Go type", map[string]string{"a.go": "package a\nimport shop \"example.com/shop/gen/acme/shop/v1\"\nfunc f() { pelican.Handle[*shop.Missing](nil, nil) }\n"}, "matches no message"},
		{"other Go package", map[string]string{"a.go": "package a\nimport shop \"example.com/other\"\nfunc f() { pelican.Handle[*shop.OrderPlaced](nil, nil) }\n"}, "matches no message"},
		{"Go syntax error", map[string]string{"a.go": "package a\nfunc {\n"}, "reading handlers"},
		{"bad field path", map[string]string{ConsumerFile: "relies_on:\n  acme.shop.v1.OrderPlaced: [order..id]\n"}, "bad field path"},
		{"unknown key", map[string]string{ConsumerFile: "relies: {}\n"}, "field relies not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			_, err := ReadConsumer(dir, s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want it to mention %q", err, tc.want)
			}
		})
	}
	c, err := ReadConsumer(filepath.Join("testdata", "CONSUMER_FIELD_NO_DELETE", "consumer"))
	if err == nil {
		t.Errorf("without schemas, typed handlers matched %v", c.Events)
	}
}

func TestGoCamelCase(t *testing.T) {
	for in, want := range map[string]string{
		"OrderPlaced":    "OrderPlaced",
		"order_placed":   "OrderPlaced",
		"_private":       "XPrivate",
		"HTTPRequest":    "HTTPRequest",
		"v2_event":       "V2Event",
		"event2_b":       "Event2B",
		"Outer.Inner":    "Outer_Inner",
		"outer.inner_x":  "OuterInnerX",
		"Foo_Bar":        "Foo_Bar",
		"foo__bar":       "Foo_Bar",
		"A.B.c_d":        "A_BCD",
		"lower.snake_me": "LowerSnakeMe",
		"Outer._inner":   "Outer_XInner",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseConsumerFile feeds arbitrary bytes to the consumer file parser: it must return a
// contract or an error, and a contract it returns holds only well-formed field paths.
func FuzzParseConsumerFile(f *testing.F) {
	for _, seed := range []string{
		"name: billing\nrelies_on:\n  acme.v1.Order: [id, customer.email]\n",
		"events: [acme.v1.Order, .acme.v1.Shipped]\n",
		"relies_on:\n  acme.v1.Order: []\n",
		"relies_on: {\"\": [a]}\n",
		"events: [\"..a\"]\n",
		"relies_on:\n  acme.v1.Order: [\" id \"]\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConsumerFile(data)
		if err != nil {
			return
		}
		for ev, fields := range c.Events {
			if ev == "" || strings.HasPrefix(ev, ".") {
				t.Fatalf("event type %q accepted", ev)
			}
			for _, p := range fields {
				if p == "" || strings.Contains(p, "..") || strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") {
					t.Fatalf("field path %q accepted", p)
				}
			}
		}
	})
}
