package esm_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/lambda/esm"
)

func ExampleParseMapping() {
	m, err := esm.ParseMapping([]byte(`{
		"EventSourceArn": "arn:aws:kinesis:eu-west-1:123456789012:stream/orders",
		"FunctionName": "notifier",
		"StartingPosition": "TRIM_HORIZON",
		"BisectBatchOnFunctionError": true,
		"FunctionResponseTypes": ["ReportBatchItemFailures"]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*m.BatchSize, *m.ParallelizationFactor, *m.MaximumRetryAttempts)

	_, err = esm.ParseMapping([]byte(`{"EventSourceArn": "arn:aws:kinesis:eu-west-1:123456789012:stream/orders",
		"FunctionName": "notifier", "StartingPosition": "LATEST", "MaximumRecordAgeInSeconds": 30}`))
	var ve *esm.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Code+":", ve.Message)
	}
	// Output:
	// 100 1 -1
	// InvalidParameterValueException: MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)
}

// The engine runs a Go handler in process, with the handler's own signature; on AWS the same
// function is started with lambda.Start(handle).
func ExampleNew() {
	handle := func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		var resp events.KinesisEventResponse
		for _, r := range ev.Records {
			if len(r.Kinesis.Data) == 0 {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
			}
		}
		return resp, nil
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	client := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String("http://localhost:4567") })
	m := esm.Mapping{
		EventSourceArn:        "arn:aws:kinesis:us-east-1:000000000000:stream/orders",
		FunctionName:          "notifier",
		StartingPosition:      esm.TrimHorizon,
		FunctionResponseTypes: []string{esm.ReportBatchItemFailures},
	}
	engine, err := esm.New(client, m, esm.NewHandler(handle),
		esm.WithLogger(slog.Default()), esm.WithCheckpointFile("checkpoints.json"))
	if err != nil {
		panic(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := engine.Run(ctx); err != nil {
		panic(err)
	}
}
