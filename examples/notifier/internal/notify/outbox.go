package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Notification is one notification as the outbox records it: one JSON line each.
type Notification struct {
	NotificationID    string    `json:"notification_id"`
	Channel           string    `json:"channel"`
	Recipient         string    `json:"recipient"`
	Subject           string    `json:"subject"`
	Body              string    `json:"body"`
	ProviderMessageID string    `json:"provider_message_id"`
	SentAt            time.Time `json:"sent_at"`
	// EventID is the event that asked for the notification.
	EventID string `json:"event_id"`
}

// Outbox stands in for a mail or chat provider: sending a notification appends it to a file of
// JSON lines, and sending the same notification id again returns the first sending, as a
// provider does with an idempotency key. With no file it keeps the notifications in memory.
type Outbox struct {
	mu   sync.Mutex
	f    *os.File
	size int64 // the file's length up to its last whole line
	sent map[string]Notification
}

// OpenOutbox opens the outbox file at path, creating it if needed, and loads what it records. A
// last line that a crash left without its newline was never acknowledged, so it is cut off. An
// empty path gives an outbox in memory.
func OpenOutbox(path string) (*Outbox, error) {
	o := &Outbox{sent: map[string]Notification{}}
	if path == "" {
		return o, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	data, err := io.ReadAll(f)
	if err == nil {
		var entries []Notification
		var whole int
		entries, whole, err = ParseOutbox(data)
		for _, e := range entries {
			o.sent[e.NotificationID] = e
		}
		if err == nil && whole < len(data) {
			err = f.Truncate(int64(whole))
		}
		o.size = int64(whole)
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekEnd)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("outbox %s: %w", path, err)
	}
	o.f = f
	return o, nil
}

// ParseOutbox reads the whole lines of an outbox file: it returns their notifications and the
// length of data up to the end of the last whole line. A whole line that is not a notification
// is an error.
func ParseOutbox(data []byte) (entries []Notification, whole int, err error) {
	line := 0
	for {
		i := bytes.IndexByte(data[whole:], '\n')
		if i < 0 {
			return entries, whole, nil
		}
		line++
		raw := data[whole : whole+i]
		var e Notification
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, 0, fmt.Errorf("line %d: %w", line, err)
		}
		if dec.More() {
			return nil, 0, fmt.Errorf("line %d: more than one notification", line)
		}
		if e.NotificationID == "" {
			return nil, 0, fmt.Errorf("line %d: no notification_id", line)
		}
		entries = append(entries, e)
		whole += i + 1
	}
}

// deliver sends n unless its notification id was sent before. It returns the notification as
// sent (the earlier one when already is true). The line is on disk when deliver returns.
func (o *Outbox) deliver(n Notification) (sent Notification, already bool, err error) {
	if n.NotificationID == "" {
		return Notification{}, false, errors.New("outbox: notification without an id")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if prev, ok := o.sent[n.NotificationID]; ok {
		return prev, true, nil
	}
	if o.f != nil {
		line, err := json.Marshal(n)
		if err != nil {
			return Notification{}, false, fmt.Errorf("outbox: %w", err)
		}
		if err := o.append(append(line, '\n')); err != nil {
			return Notification{}, false, fmt.Errorf("outbox: %w", err)
		}
	}
	o.sent[n.NotificationID] = n
	return n, false, nil
}

// append writes line at the end of the file and syncs it. When that fails it cuts the file back
// to its last whole line, so that a later line does not run on from a torn one.
func (o *Outbox) append(line []byte) error {
	_, err := o.f.Write(line)
	if err == nil {
		err = o.f.Sync()
	}
	if err != nil {
		if terr := o.f.Truncate(o.size); terr == nil {
			_, _ = o.f.Seek(o.size, io.SeekStart)
		}
		return err
	}
	o.size += int64(len(line))
	return nil
}

// Count returns how many notifications were sent.
func (o *Outbox) Count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.sent)
}

// Close closes the outbox's file.
func (o *Outbox) Close() error {
	if o.f == nil {
		return nil
	}
	return o.f.Close()
}
