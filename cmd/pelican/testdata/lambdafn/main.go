// Command lambdafn is a Kinesis-triggered Lambda function built on aws-lambda-go's lambda.Start,
// for the interop tests of `pelican lambda run`. It logs every invocation on standard error as
// one line, "fn: invoke first=SEQ last=SEQ n=N data=A,B,C", and every outcome as
// "fn: result ...". Records whose data starts with "poison" (or "crash") fail; how depends on
// MODE:
//
//   - partial: the function reports them in batchItemFailures, each only the first time it
//     sees it (a transient failure), and succeeds on the retry;
//   - error: the invocation returns an error whenever the batch holds one (a poison that never
//     heals);
//   - crash: the process exits mid-invocation the first time a batch holds one, remembered by a
//     file in MARKER_DIR (a crash loses what the process held in memory);
//   - anything else: every invocation succeeds.
package main

import (
	"context"
	"errors"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	log.SetFlags(0)
	log.SetOutput(os.Stderr)
	mode := os.Getenv("MODE")
	log.Printf("fn: start pid=%d", os.Getpid())
	failedOnce := map[string]bool{}
	lambda.Start(func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		var data []string
		for _, r := range ev.Records {
			data = append(data, string(r.Kinesis.Data))
		}
		first, last := ev.Records[0].Kinesis.SequenceNumber, ev.Records[len(ev.Records)-1].Kinesis.SequenceNumber
		log.Printf("fn: invoke first=%s last=%s n=%d data=%s", first, last, len(ev.Records), strings.Join(data, ","))
		var resp events.KinesisEventResponse
		for _, r := range ev.Records {
			if mode == "crash" && strings.HasPrefix(string(r.Kinesis.Data), "crash") {
				marker := filepath.Join(os.Getenv("MARKER_DIR"), "crashed")
				if _, err := os.Stat(marker); err != nil {
					_ = os.WriteFile(marker, nil, 0o644)
					log.Printf("fn: crashing on %s", r.Kinesis.Data)
					os.Exit(2)
				}
			}
			if !strings.HasPrefix(string(r.Kinesis.Data), "poison") {
				continue
			}
			switch mode {
			case "partial":
				if !failedOnce[r.Kinesis.SequenceNumber] {
					failedOnce[r.Kinesis.SequenceNumber] = true
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
				}
			case "error":
				log.Printf("fn: result error %s", r.Kinesis.Data)
				return resp, errors.New("poison record " + string(r.Kinesis.Data))
			}
		}
		if len(resp.BatchItemFailures) > 0 {
			var ids []string
			for _, f := range resp.BatchItemFailures {
				ids = append(ids, f.ItemIdentifier)
			}
			log.Printf("fn: result failures=%s", strings.Join(ids, ","))
			return resp, nil
		}
		log.Printf("fn: result ok n=%d", len(ev.Records))
		return resp, nil
	})
}
