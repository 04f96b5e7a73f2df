package harness

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/pelicanhq/pelican"
)

// pipeline is what happens to each entry between reading and writing (or delivering): the
// event is decoded, filtered by type, redacted and transformed, and the entry's data is
// re-encoded if any of that changed the event.
type pipeline struct {
	types      TypeResolver
	include    map[string]bool
	exclude    map[string]bool
	redactor   *redactor
	transforms []Transform
	log        *slog.Logger
	// always decodes every entry, to fill its event fields, even when nothing else needs it.
	always bool
}

func newPipeline(c *config, always bool) (*pipeline, error) {
	p := &pipeline{
		types: c.types, include: c.include, exclude: c.exclude, transforms: c.transforms,
		log: c.logger, always: always,
	}
	if len(c.redact) > 0 {
		key := c.redactKey
		if len(key) == 0 {
			key = make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return nil, fmt.Errorf("harness: redaction key: %w", err)
			}
		}
		p.redactor = &redactor{fields: c.redact, key: key}
	}
	return p, nil
}

// redacted lists the redacted fields for the header.
func (p *pipeline) redacted() []string {
	if p.redactor == nil {
		return nil
	}
	var out []string
	for f := range p.redactor.fields {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

func (p *pipeline) idle() bool {
	return !p.always && p.include == nil && p.exclude == nil && p.redactor == nil && len(p.transforms) == 0
}

// process runs e through the pipeline; keep is false when e is dropped.
func (p *pipeline) process(e *Entry) (keep bool, err error) {
	if p.idle() {
		return true, nil
	}
	env, msg, derr := describe(e, p.types)
	if derr != nil && !errors.Is(derr, errUnknownType) {
		p.log.Warn("harness: event does not decode; kept with its data only",
			"event_type", e.EventType, "event_id", e.EventID, "shard_id", e.ShardID,
			"sequence_number", e.SequenceNumber, "err", derr)
	}
	if p.include != nil && !p.include[e.EventType] {
		return false, nil
	}
	if p.exclude[e.EventType] && e.EventType != "" {
		return false, nil
	}
	changed := false
	if p.redactor != nil && env != nil {
		if msg == nil {
			p.log.Warn("harness: event cannot be redacted (type unknown or undecodable); dropped",
				"event_type", e.EventType, "event_id", e.EventID, "shard_id", e.ShardID,
				"sequence_number", e.SequenceNumber)
			return false, nil
		}
		p.redactor.replaced = make(map[string]string)
		changed = p.redactor.redact(msg.ProtoReflect())
		if pk, ok := p.redactor.replaced[e.PartitionKey]; ok {
			e.PartitionKey = pk
		}
	}
	if len(p.transforms) > 0 {
		var before []byte
		if msg != nil {
			if before, err = marshalPayload(msg); err != nil {
				return false, err
			}
		}
		for _, t := range p.transforms {
			keep, err := t(e, msg)
			if err != nil {
				return false, fmt.Errorf("harness: transform of %s/%s: %w", e.ShardID, e.SequenceNumber, err)
			}
			if !keep {
				return false, nil
			}
		}
		if msg != nil && !changed {
			after, err := marshalPayload(msg)
			if err != nil {
				return false, err
			}
			changed = !bytes.Equal(before, after)
		}
	}
	if changed {
		if err := p.reencode(e, env, msg); err != nil {
			return false, err
		}
	}
	return true, nil
}

// reencode writes an edited event back into e's envelope and data.
func (p *pipeline) reencode(e *Entry, env *pelican.Envelope, msg proto.Message) error {
	payload, err := marshalPayload(msg)
	if err != nil {
		return fmt.Errorf("harness: re-encode %s: %w", e.EventType, err)
	}
	env.Payload = payload
	if e.Data, err = pelican.MarshalEnvelope(env); err != nil {
		return err
	}
	if e.Event, err = eventJSON(msg, p.types); err != nil {
		return err
	}
	return nil
}
