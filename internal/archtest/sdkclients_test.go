package archtest_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/internal/archtest"
)

// TestClientsCarryTheSDKWorkaround fails when code of the module builds an AWS SDK client in a
// file that does not give it internal/sdkhttp's HTTP client (aws/aws-sdk-go-v2#1825, #2737: a
// PutRecords whose answer arrived is retried and stored twice).
func TestClientsCarryTheSDKWorkaround(t *testing.T) {
	// Packages whose SDK clients no user is given, with the reason.
	notForUsers := map[string]string{
		"consumer/internal/dynalite": "test support: a DynamoDB client for the lease store's interop tests against dynalite",
	}
	for _, tags := range [][]string{nil, {"interop"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		module, pkgs, err := archtest.Load(ctx, "../..", "./...", tags...)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		bad, err := archtest.UnwrappedClients(module, slices.DeleteFunc(pkgs, func(p archtest.Package) bool {
			return notForUsers[strings.TrimPrefix(p.ImportPath, module+"/")] != ""
		}))
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) > 0 {
			t.Errorf("tags %v: clients built without the SDK body workaround (wrap their HTTP client with sdkhttp.Wrap):\n  %s", tags, strings.Join(bad, "\n  "))
		}
	}
}

func TestUnwrappedClientsFindsThem(t *testing.T) {
	pkgs := []archtest.Package{
		{ImportPath: "example.com/m/unwrapped", Dir: "testdata/unwrapped", GoFiles: []string{"client.go"}},
		{ImportPath: "example.com/m/wrapped", Dir: "testdata/wrapped", GoFiles: []string{"client.go"}, Imports: []string{"example.com/m/internal/sdkhttp"}},
	}
	got, err := archtest.UnwrappedClients("example.com/m", pkgs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"example.com/m/unwrapped/client.go:10: kinesis.NewFromConfig builds a client without internal/sdkhttp",
		"example.com/m/unwrapped/client.go:10: ddb.New builds a client without internal/sdkhttp",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
