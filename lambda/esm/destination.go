package esm

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// destinationKind tells an on-failure destination's service from its ARN: sqs, sns or s3.
func destinationKind(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[5] != "" {
		switch parts[2] {
		case "sqs", "sns", "s3":
			return parts[2], nil
		}
	}
	return "", invalid("Unsupported destination ARN %q: the on-failure destination of a Kinesis mapping is an SQS queue, SNS topic or S3 bucket.", arn)
}

// destinationFile names the JSON-lines file of a destination: its service and resource name.
func destinationFile(arn string) string {
	kind, _ := destinationKind(arn)
	parts := strings.SplitN(arn, ":", 6)
	name := parts[len(parts)-1]
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r == 0 {
			return '_'
		}
		return r
	}, name)
	return kind + "-" + name + ".jsonl"
}

// discard hands records the lane gives up on to the on-failure destination and lets the shard
// move past them, as Lambda does once retries or the record age run out.
func (w *worker) discard(l *lane, recs []*record, condition string, win *events.TimeWindowProperties) {
	e := w.e
	if len(recs) == 0 {
		return
	}
	for _, r := range recs {
		r.done = true
	}
	first, last := recs[0], recs[len(recs)-1]
	rec := OnFailureRecord{
		RequestContext: RequestContext{
			RequestID:              l.lastID,
			FunctionARN:            e.cfg.functionARN,
			Condition:              condition,
			ApproximateInvokeCount: l.invokes,
		},
		ResponseContext: ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: l.lastErr},
		Version:         "1.0",
		Timestamp:       formatTimestamp(e.cfg.clock.Now()),
		KinesisBatchInfo: KinesisBatchInfo{
			ShardID:                         w.id,
			StartSequenceNumber:             first.seq,
			EndSequenceNumber:               last.seq,
			ApproximateArrivalOfFirstRecord: formatTimestamp(first.arrival),
			ApproximateArrivalOfLastRecord:  formatTimestamp(last.arrival),
			BatchSize:                       len(recs),
			StreamARN:                       e.src.StreamARN,
		},
	}
	if l.lastID == "" {
		rec.RequestContext.RequestID = newRequestID()
	}
	l.attempts, l.invokes, l.retryAt, l.lastErr, l.lastID = 0, 0, e.cfg.clock.Now(), "", ""
	e.log.Warn("esm: batch discarded", "shard", w.id, "first", first.seq, "last", last.seq, "batch", len(recs), "condition", condition)
	w.count(func(s *ShardStats) { s.Discarded += len(recs) }, func(s *Stats) { s.Discarded += len(recs) })
	for _, f := range e.cfg.onFailure {
		f(context.Background(), rec)
	}
	dest := e.m.onFailureDestination()
	if kind, _ := destinationKind(dest); kind == "s3" {
		rec.Payload = buildEvent(recs, win)
	}
	if e.cfg.onFailureFile != "" {
		if err := appendJSONLine(e.cfg.onFailureFile, rec); err != nil {
			e.log.Error("esm: on-failure file", "file", e.cfg.onFailureFile, "err", err)
		}
	}
	if e.cfg.onFailureDir != "" && dest != "" {
		if err := appendJSONLine(filepath.Join(e.cfg.onFailureDir, destinationFile(dest)), rec); err != nil {
			e.log.Error("esm: on-failure destination", "destination", dest, "err", err)
		}
	}
}

func appendJSONLine(path string, v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// newRequestID makes a random UUID, as Lambda's request ids are.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
