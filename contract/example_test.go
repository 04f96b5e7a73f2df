package contract_test

import (
	"context"
	"fmt"
	"os"

	"github.com/pelicanhq/pelican/contract"
)

// Check does what `pelican contract breaking` does: here, the schemas of one rule's testdata
// against their previous version, with the buf.yaml found beside them.
func ExampleCheck() {
	findings, err := contract.Check(context.Background(), "testdata/FIELD_SAME_NAME/current",
		contract.WithAgainst("testdata/FIELD_SAME_NAME/previous"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings {
		fmt.Println(f)
	}
	// Output:
	// testdata/FIELD_SAME_NAME/current/acme/fn/v1/fn.proto:5:19:Field "1" on message "Sample" changed name from "old_name" to "new_name".
	// testdata/FIELD_SAME_NAME/current/acme/fn/v1/fn.proto:7:22:Field "3" on message "Sample" changed name from "counts" to "tallies".
	// testdata/FIELD_SAME_NAME/current/acme/fn/v1/fn.proto:12:18:Extension "100" on message "acme.fn.v1.Sample" changed name from "acme.fn.v1.old_ext" to "acme.fn.v1.new_ext".
}

// Breaking compares two loaded schemas under a configuration: here the event rules, which see
// that an event type was renamed.
func ExampleBreaking() {
	ctx := context.Background()
	cfg := &contract.Config{
		Source:  "example",
		Version: "v2",
		Modules: []contract.Module{{Path: ".", Breaking: contract.BreakingConfig{Use: []string{"EVENT"}}}},
	}
	current, err := contract.LoadDir(ctx, "testdata/EVENT_NO_DELETE/current", cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	previous, err := contract.LoadDir(ctx, "testdata/EVENT_NO_DELETE/previous", cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	findings, err := contract.Breaking(ctx, current, previous, contract.WithConfig(cfg))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings {
		fmt.Println(f.Type, f.Message)
	}
	// Output:
	// EVENT_NO_DELETE Previously present event "acme.orders.v1.OrderShipped" was deleted.
	// EVENT_NO_DELETE Event "acme.orders.v1.OrderCancelled" was renamed to "acme.orders.v1.OrderCanceled"; consumers look events up by type name, so this is a deleted event type.
	// EVENT_NO_DELETE Event "acme.orders.v1.OrderRefunded" was renamed to "acme.orders.v2.OrderRefunded"; consumers look events up by type name, so this is a deleted event type.
}

// WriteFindings prints findings in any of buf's error formats.
func ExampleWriteFindings() {
	findings := []contract.Finding{{
		Path: "proto/acme/v1/order.proto", StartLine: 5, StartColumn: 3, EndLine: 5, EndColumn: 8,
		Type:    "FIELD_SAME_TYPE",
		Message: `Field "1" with name "id" on message "Order" changed type from "int32" to "int64".`,
	}}
	for _, format := range []contract.Format{contract.FormatText, contract.FormatJSON, contract.FormatGitHubActions} {
		if err := contract.WriteFindings(os.Stdout, findings, format); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// proto/acme/v1/order.proto:5:3:Field "1" with name "id" on message "Order" changed type from "int32" to "int64".
	// {"path":"proto/acme/v1/order.proto","start_line":5,"start_column":3,"end_line":5,"end_column":8,"type":"FIELD_SAME_TYPE","message":"Field \"1\" with name \"id\" on message \"Order\" changed type from \"int32\" to \"int64\"."}
	// ::error file=proto/acme/v1/order.proto,line=5,col=3,endLine=5,endColumn=8::Field "1" with name "id" on message "Order" changed type from "int32" to "int64".
}

// Rules is the rule table; configurations select rows by ID or category.
func ExampleRules() {
	byCategory := map[contract.Category]int{}
	for _, r := range contract.Rules() {
		for _, c := range r.Categories {
			byCategory[c]++
		}
	}
	for _, c := range []contract.Category{contract.CategoryFile, contract.CategoryWireJSON, contract.CategoryEvent, contract.CategoryConsumer} {
		fmt.Println(c, byCategory[c])
	}
	// Output:
	// FILE 51
	// WIRE_JSON 22
	// EVENT 2
	// CONSUMER 3
}

// A subscriber's contract lists the fields it relies on beside its code; the event types come
// from its typed handlers.
func ExampleParseConsumerFile() {
	c, err := contract.ParseConsumerFile([]byte(`
name: billing
relies_on:
  acme.orders.v1.OrderPlaced: [order_id, total.units]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name, c.Events["acme.orders.v1.OrderPlaced"])
	// Output:
	// billing [order_id total.units]
}
