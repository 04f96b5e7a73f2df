package emulator_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/pelicantest"
)

// TestWritesFollowReshards writes from several goroutines while the stream is rescaled over and
// over: a write whose shard closes between routing and appending goes to the children, as in
// Kinesis, so no write fails and every acknowledged record can be read back.
func TestWritesFollowReshards(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("busy", 2))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	var acked atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 16)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if i%2 == 0 {
					if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("busy"), PartitionKey: aws.String(fmt.Sprint(w, i)), Data: []byte("x")}); err != nil {
						errs <- err
						return
					}
					acked.Add(1)
					continue
				}
				entries := make([]types.PutRecordsRequestEntry, 50)
				for j := range entries {
					entries[j] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(w, i, j)), Data: []byte("y")}
				}
				out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("busy"), Records: entries})
				if err != nil {
					errs <- err
					return
				}
				for _, r := range out.Records {
					if r.ErrorCode != nil {
						errs <- fmt.Errorf("record failed: %s %s", *r.ErrorCode, aws.ToString(r.ErrorMessage))
						return
					}
				}
				acked.Add(int64(len(out.Records)))
			}
		}()
	}
	for _, target := range []int32{4, 2, 3, 6, 3, 2, 4, 2} {
		if _, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("busy"), TargetShardCount: aws.Int32(target), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a write failed during resharding: %v", err)
	}
	if got := int64(len(pelicantest.ReadAll(t, kc, "busy"))); got != acked.Load() {
		t.Fatalf("read %d records, %d were acknowledged", got, acked.Load())
	}
}
