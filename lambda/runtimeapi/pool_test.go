package runtimeapi_test

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/lambda/runtimeapi"
)

// TestPoolRunsInvocationsInSeparateEnvironments invokes a pool of three with three slow
// invocations at once: each runs in a process of its own, as in Lambda's separate environments.
func TestPoolRunsInvocationsInSeparateEnvironments(t *testing.T) {
	pool, err := runtimeapi.NewPool(3, []string{must(os.Executable()), "-test.run=^$"},
		[]runtimeapi.Option{runtimeapi.WithTimeout(30 * time.Second)},
		[]runtimeapi.ProcessOption{runtimeapi.WithEnv(functionEnv + "=handler"), runtimeapi.WithOutput(discard{})})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if len(pool.Servers()) != 3 {
		t.Fatalf("%d servers", len(pool.Servers()))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pool.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Pool.Run: %v", err)
		}
	}()

	var wg sync.WaitGroup
	var mu sync.Mutex
	pids := map[int]bool{}
	for range 3 {
		wg.Go(func() {
			out, err := pool.Invoke(context.Background(), must(json.Marshal(request{Do: "sleep", Ms: 500})))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			pids[decode[reply](t, out).Pid] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(pids) != 3 {
		t.Errorf("three invocations at once ran in %d processes, want 3", len(pids))
	}
}

func TestPoolRefusesNoEnvironments(t *testing.T) {
	if _, err := runtimeapi.NewPool(0, []string{"true"}, nil, nil); err == nil {
		t.Error("a pool of 0 was accepted")
	}
}
