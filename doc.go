// Package pelican publishes and subscribes to typed protobuf events on Amazon Kinesis Data
// Streams.
//
// Every event is an immutable protobuf message named in the past tense (clockv1.TimeTicked,
// notificationv1.NotificationSent). A Publisher wraps it in a pelicanv1.Envelope (event id, the
// message's full name as event type, occurred-at time, producer, trace context, payload),
// chooses the partition key, and sends the envelope's bytes as one Kinesis record. A Subscriber
// reads the records of the stream, routes each by the envelope's event type to the handler
// registered for that type with Handle, and decodes the payload into the handler's own generated
// type. Publisher and subscriber share the proto contract and nothing else.
//
// The partition key is, in order: the WithPartitionKey option, the event's field marked with
// the (pelican.v1.partition_key) option, or the event id.
//
// What a subscriber cannot read never stops it: an event type with no handler goes to the
// fallback (WithFallback) or is skipped, and a record that is not an envelope, or whose payload
// does not decode, goes to the dead-letter handler (WithDeadLetter), which by default logs it
// through log/slog. Payloads are decoded keeping unknown fields, so a subscriber built on an
// older schema reads newer events, and passes on the fields it does not know if it re-publishes
// them.
//
// The transport is small on each side. A Publisher sends through a Sender: ProducerSender
// adapts a producer.Producer (batching, aggregation, retries), and a SenderFunc adapts anything
// else. A *Subscriber is a consumer.Handler, so a consumer.Consumer (leases, checkpoints,
// resharding) drives it directly; any other transport calls Deliver with each record. Encode and
// Deliver need no stream at all, which is how the routing, dead-letter and schema-evolution
// behaviour is tested.
//
//	sub := pelican.NewSubscriber()
//	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error { ... })
//	c, err := consumer.New(kinesisClient, "pelican-events", sub)
//	...
//	err = c.Run(ctx)
package pelican
