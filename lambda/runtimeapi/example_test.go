package runtimeapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/pelicanhq/pelican/lambda/runtimeapi"
)

// A runtime is anything that speaks the Runtime API at AWS_LAMBDA_RUNTIME_API: here a few lines
// of net/http that upper-case each event. A real function is started with NewProcess, or under
// `pelican lambda run`.
func ExampleServer() {
	srv, err := runtimeapi.NewServer(runtimeapi.WithFunctionName("shout"))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	base := "http://" + srv.Addr() + "/2018-06-01/runtime/invocation/"

	go func() {
		for {
			resp, err := http.Get(base + "next")
			if err != nil {
				return
			}
			event, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
			answer, err := http.Post(base+id+"/response", "application/json", strings.NewReader(strings.ToUpper(string(event))))
			if err != nil {
				return
			}
			answer.Body.Close()
		}
	}()

	out, err := srv.Invoke(context.Background(), []byte(`"cuckoo"`))
	fmt.Println(string(out), err)
	// Output: "CUCKOO" <nil>
}
