package esm_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/pelicanhq/pelican/lambda/esm"
)

// TestNewHandlerConcurrent: concurrent invocations each get their own answer, which a single
// lambda.Handler (one answer buffer) cannot promise.
func TestNewHandlerConcurrent(t *testing.T) {
	fn := esm.NewHandler(func(_ context.Context, in map[string]int) (map[string]int, error) {
		return map[string]int{"echo": in["n"]}, nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				n := i*1000 + j
				resp, err := fn.Invoke(context.Background(), fmt.Appendf(nil, `{"n":%d}`, n))
				if err != nil {
					errs <- err
					return
				}
				if want := fmt.Sprintf(`{"echo":%d}`, n); string(resp) != want && string(resp) != want+"\n" {
					errs <- fmt.Errorf("answer %s, want %s", resp, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
