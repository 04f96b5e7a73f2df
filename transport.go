package pelican

import (
	"context"
	"errors"
	"fmt"

	"github.com/pelicanhq/pelican/consumer"
	"github.com/pelicanhq/pelican/producer"
)

// ProducerSender returns a Sender that puts each record through p and waits until it is written,
// so that Publish returns once the event is on the stream. Concurrent Publish calls share p's
// PutRecords calls and aggregates. It is also an Enqueuer, for PublishAsync.
func ProducerSender(p *producer.Producer) Sender { return producerSender{p} }

type producerSender struct{ p *producer.Producer }

func (s producerSender) Send(ctx context.Context, partitionKey string, data []byte) (Placement, error) {
	res, err := s.p.Put(ctx, partitionKey, data)
	if err != nil {
		return Placement{}, err
	}
	return producerPending{res}.Wait(ctx)
}

func (s producerSender) Enqueue(ctx context.Context, partitionKey string, data []byte) (Pending, error) {
	res, err := s.p.Put(ctx, partitionKey, data)
	if err != nil {
		return nil, err
	}
	return producerPending{res}, nil
}

type producerPending struct{ res *producer.Result }

func (pp producerPending) Wait(ctx context.Context) (Placement, error) {
	if err := pp.res.Wait(ctx); err != nil {
		return Placement{}, err
	}
	return Placement{
		ShardID:           pp.res.ShardID(),
		SequenceNumber:    pp.res.SequenceNumber(),
		SubSequenceNumber: int64(pp.res.SubSequenceNumber()),
	}, nil
}

var _ consumer.Handler = (*Subscriber)(nil)

// Handle makes a Subscriber a consumer.Handler: it delivers the records of a batch in order and
// checkpoints the batch when all are done. When a record's handler fails, Handle checkpoints the
// records before it and returns the error, and the consumer delivers the batch again; so a record
// may reach its handler more than once, and handlers that must not repeat an effect should key it
// by the event id (MetadataFromContext).
func (s *Subscriber) Handle(ctx context.Context, b consumer.Batch) error {
	for i, r := range b.Records {
		if err := ctx.Err(); err != nil {
			return s.partial(ctx, b, i, err)
		}
		err := s.Deliver(ctx, Record{
			Data:              r.Data,
			PartitionKey:      r.PartitionKey,
			ShardID:           r.ShardID,
			SequenceNumber:    r.SequenceNumber,
			SubSequenceNumber: r.SubSequenceNumber,
			ArrivedAt:         r.ApproximateArrivalTimestamp,
		})
		if err != nil {
			return s.partial(ctx, b, i, err)
		}
	}
	if b.Checkpointer == nil {
		return nil
	}
	if err := b.Checkpointer.Checkpoint(ctx); err != nil {
		return fmt.Errorf("pelican: checkpoint %s: %w", b.ShardID, err)
	}
	return nil
}

// partial checkpoints the records of b before the one at failed, and returns err with any
// checkpoint error beside it.
func (s *Subscriber) partial(ctx context.Context, b consumer.Batch, failed int, err error) error {
	if failed == 0 || b.Checkpointer == nil || ctx.Err() != nil {
		return err
	}
	if cerr := b.Checkpointer.CheckpointRecord(ctx, b.Records[failed-1]); cerr != nil {
		return errors.Join(err, fmt.Errorf("pelican: checkpoint %s: %w", b.ShardID, cerr))
	}
	return err
}
