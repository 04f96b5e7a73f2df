package harness

import (
	"fmt"

	"google.golang.org/protobuf/proto"
)

// Transform edits or drops an entry. event is the entry's decoded event, or nil when the entry
// is not an event or its type is unknown; changes made to event are written back into the
// entry's Data (and Event) afterwards. Returning keep false drops the entry; an error stops the
// operation.
type Transform func(e *Entry, event proto.Message) (keep bool, err error)

// TransformEvents returns a Transform for the events of type T, a generated message type; other
// entries pass unchanged. When the event was decoded as another Go type (a dynamic message of
// LoadTypes), fn gets a T copied from it, and fn's changes are copied back.
func TransformEvents[T proto.Message](fn func(e *Entry, event T) (keep bool, err error)) Transform {
	var zero T
	mt := zero.ProtoReflect().Type()
	name := mt.Descriptor().FullName()
	return func(e *Entry, event proto.Message) (bool, error) {
		if event == nil || event.ProtoReflect().Descriptor().FullName() != name {
			return true, nil
		}
		if t, ok := event.(T); ok {
			return fn(e, t)
		}
		b, err := marshalPayload(event)
		if err != nil {
			return false, err
		}
		t := mt.New().Interface().(T)
		if err := proto.Unmarshal(b, t); err != nil {
			return false, fmt.Errorf("harness: %s as %T: %w", name, t, err)
		}
		keep, err := fn(e, t)
		if err != nil || !keep {
			return keep, err
		}
		if b, err = marshalPayload(t); err != nil {
			return false, err
		}
		proto.Reset(event)
		if err := proto.Unmarshal(b, event); err != nil {
			return false, fmt.Errorf("harness: %s back from %T: %w", name, t, err)
		}
		return true, nil
	}
}
