// Command lambdafn is a Kinesis-triggered Lambda function built on aws-lambda-go's lambda.Start,
// for the interop tests of `pelican lambda run`. It logs every invocation on standard error as
// one line, "fn: invoke first=SEQ last=SEQ n=N data=A,B,C", and every outcome as
// "fn: result ...". Records whose data starts with "poison" fail; how depends on MODE:
//
//   - partial: the function reports them in batchItemFailures, each only the first time it
//     sees it (a transient failure), and succeeds on the retry;
//   - error: the invocation returns an error whenever the batch holds one (a poison that never
//     heals);
//   - anything else: every invocation succeeds.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	log.SetFlags(0)
	log.SetOutput(os.Stderr)
	mode := os.Getenv("MODE")
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
		log.Print(fmt.Sprintf("fn: result ok n=%d", len(ev.Records)))
		return resp, nil
	})
}
