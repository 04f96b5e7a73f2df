//go:build interop

package emulator_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/pelicanhq/pelican/pelicantest"
)

// TestInteropDiskFullOnTmpfs fills a real 2 MiB tmpfs under the data directory: writes are refused
// with 500 InternalFailure while it is full, the same stream takes writes once space is freed, and
// a restart finds every acknowledged record exactly once and no refused one. It mounts the tmpfs,
// which needs root, and fails when it cannot.
func TestInteropDiskFullOnTmpfs(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("interop: cannot mount a tmpfs (needs root): %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	data := filepath.Join(dir, "data")

	srv := runPersistent(t, data)
	kc := persistClient(srv.URL())
	ctx := ctxT(t)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("tmpfs"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, kc, "tmpfs")
	acked := persistPut(t, kc, "tmpfs", "before", 50)

	// Fill what is left with a file of our own, then write until the disk refuses.
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte{'x'}, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	_ = f.Close()
	payload := bytes.Repeat([]byte{'r'}, 8<<10)
	refused := 0
	for i := range 20 {
		_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("tmpfs"),
			PartitionKey: aws.String(fmt.Sprintf("k%d", i)), Data: append([]byte(fmt.Sprintf("refused-%d-", i)), payload...)})
		if err == nil {
			t.Fatalf("a write of 8 KiB on a full tmpfs was acknowledged")
		}
		requireInternalFailure(t, err, "PutRecord")
		refused++
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	after := persistPut(t, kc, "tmpfs", "after", 50)
	want := append(acked["shardId-000000000000"], after["shardId-000000000000"]...)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv2 := runPersistent(t, data)
	kc2 := persistClient(srv2.URL())
	got, _ := persistReadShard(t, kc2, persistIterator(t, kc2, "tmpfs", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon))
	for _, r := range got {
		if strings.HasPrefix(string(r.Data), "refused") {
			t.Fatalf("refused record %.20q came back after the restart", r.Data)
		}
	}
	persistRequireRecords(t, "shardId-000000000000", got, want)
	t.Logf("tmpfs: %d records acknowledged, %d present once after the restart, %d refused while full", len(want), len(got), refused)
}
