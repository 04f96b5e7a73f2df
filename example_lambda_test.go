package pelican_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// A Lambda function for a Kinesis event source mapping with ReportBatchItemFailures: the
// Subscriber's handlers, behind LambdaHandler. In the function's main, pass the handler to
// lambda.Start; here it is called with an event of one record.
func ExampleLambdaHandler() {
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(ctx context.Context, ev *clockv1.TimeTicked) error {
		fmt.Printf("%s struck %d\n", ev.GetClockId(), ev.GetHour())
		return nil
	})
	handler := pelican.LambdaHandler(sub) // lambda.Start(handler)

	rec, _ := pelican.NewPublisher(nil).Encode(context.Background(), &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7})
	resp, err := handler(context.Background(), events.KinesisEvent{Records: []events.KinesisEventRecord{{
		EventID: "shardId-000000000000:49590338271490256608559692538361571095921575989136588898",
		Kinesis: events.KinesisRecord{Data: rec.Data, PartitionKey: rec.PartitionKey,
			SequenceNumber: "49590338271490256608559692538361571095921575989136588898"},
	}}})
	fmt.Println(len(resp.BatchItemFailures), "failed,", err)
	// Output:
	// zurich-hall struck 7
	// 0 failed, <nil>
}
