package producer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"net/http"
)

func TestBucket(t *testing.T) {
	now := time.Unix(1000, 0)
	b := newBucket(1000, 10, now)
	if got := b.budget(now); got < 1<<40 {
		t.Fatalf("a full bucket's budget = %d, want any size", got)
	}
	b.take(600)
	if got := b.budget(now); got != 400 {
		t.Fatalf("budget after 600 of 1000 = %d", got)
	}
	if w := b.wait(500, now); w != 100*time.Millisecond {
		t.Fatalf("wait for 500 = %v, want 100ms", w)
	}
	now = now.Add(100 * time.Millisecond)
	if got := b.budget(now); got != 500 {
		t.Fatalf("budget after refilling 100 = %d", got)
	}
	// A record larger than the bucket waits for a full bucket, then passes and leaves debt.
	if w := b.wait(5000, now); w != 500*time.Millisecond {
		t.Fatalf("wait for an oversized record = %v, want 500ms", w)
	}
	b.drain(now)
	if b.budget(now) != 0 {
		t.Fatal("a drained bucket still has budget")
	}
	now = now.Add(time.Second)
	for range 10 {
		if b.budget(now) == 0 {
			t.Fatal("records budget ran out early")
		}
		b.take(1)
	}
	if b.budget(now) != 0 || b.wait(1, now) != 100*time.Millisecond {
		t.Fatalf("after 10 records of 10/s: budget %d, wait %v", b.budget(now), b.wait(1, now))
	}
	off := newBucket(0, 0, now)
	off.take(1 << 30)
	if off.wait(1<<30, now) != 0 || off.budget(now) < 1<<40 {
		t.Fatal("a bucket with no rate limits")
	}
}

func TestDeque(t *testing.T) {
	var d deque[int]
	var model []int
	for i := range 1000 {
		switch i % 7 {
		case 0, 1, 2:
			d.pushBack(i)
			model = append(model, i)
		case 3:
			d.pushFront(i)
			model = append([]int{i}, model...)
		default:
			if len(model) > 0 {
				if got := d.popFront(); got != model[0] {
					t.Fatalf("popFront = %d, want %d", got, model[0])
				}
				model = model[1:]
			}
		}
		if d.len() != len(model) {
			t.Fatalf("len = %d, want %d", d.len(), len(model))
		}
		for j, v := range model {
			if d.at(j) != v {
				t.Fatalf("at(%d) = %d, want %d", j, d.at(j), v)
			}
		}
	}
}

func TestClassify(t *testing.T) {
	status := func(code int, err error) error {
		return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: err}}
	}
	tests := []struct {
		name                            string
		err                             error
		retryable, ambiguous, throttled bool
	}{
		{"throughput", apiError("ProvisionedThroughputExceededException", ""), true, false, true},
		{"account limit", apiError("LimitExceededException", ""), true, false, true},
		{"kms throttling", apiError("KMSThrottlingException", ""), true, false, true},
		{"internal failure", apiError("InternalFailure", ""), true, true, false},
		{"unknown 503", status(503, apiError("Whatever", "")), true, true, false},
		{"not found", apiError("ResourceNotFoundException", ""), false, false, false},
		{"validation", status(400, apiError("ValidationException", "")), false, false, false},
		{"access denied", apiError("AccessDeniedException", ""), false, false, false},
		{"timeout", fmt.Errorf("op: %w", context.DeadlineExceeded), true, true, false},
		{"connection refused", &smithyhttp.RequestSendError{Err: fmt.Errorf("dial: %w", syscall.ECONNREFUSED)}, true, false, false},
		{"connection reset", &smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF}, true, true, false},
		{"bad answer", &smithy.DeserializationError{Err: io.ErrUnexpectedEOF}, true, true, false},
		{"before sending", errors.New("no credentials"), true, false, false},
		{"invalid parameters", smithy.InvalidParamsError{Context: "PutRecordsInput"}, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := classifyCall(&smithy.OperationError{ServiceID: "Kinesis", OperationName: "PutRecords", Err: tt.err})
			if f.retryable != tt.retryable || f.ambiguous != tt.ambiguous || f.throttled != tt.throttled {
				t.Fatalf("classifyCall = %+v", f)
			}
			if !strings.Contains(f.err.Error(), tt.err.Error()) {
				t.Fatalf("the record error %v does not carry %v", f.err, tt.err)
			}
		})
	}
	for code, want := range map[string][2]bool{
		"ProvisionedThroughputExceededException": {true, true},
		"InternalFailure":                        {true, false},
		"KMSAccessDeniedException":               {false, false},
	} {
		f := classifyEntry(code, "m")
		if f.retryable != want[0] || f.throttled != want[1] || f.ambiguous {
			t.Errorf("classifyEntry(%s) = %+v", code, f)
		}
	}
}
