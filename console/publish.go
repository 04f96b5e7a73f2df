package console

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
)

// producerName is the producer the console's envelopes name.
const producerName = "pelican-console"

type publishData struct {
	base
	Types     []string
	Type      string
	Key       string
	JSON      string
	Raw       string
	Encoding  string
	Mode      string
	Err       string
	Published string
}

func (c *Console) publishPage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	q := r.URL.Query()
	d := publishData{base: c.base("Publish to "+name, name, "publish"), Types: c.schemas.typeNames(), Type: q.Get("type"),
		Mode: "event", JSON: "{}", Encoding: "text"}
	if q.Get("mode") == "raw" {
		d.Mode = "raw"
	}
	if c.cfg.readOnly {
		d.Err = "this console is read-only: publishing is off"
	}
	c.render(w, r, http.StatusOK, "publish", d)
}

// publish validates the form's event against its schema and puts it in an envelope, or puts the
// raw record, and shows the record in the records view.
func (c *Console) publish(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	f := r.PostForm
	d := publishData{base: c.base("Publish to "+name, name, "publish"), Types: c.schemas.typeNames(), Type: f.Get("type"),
		Key: f.Get("key"), JSON: f.Get("json"), Raw: f.Get("raw"), Encoding: f.Get("encoding"), Mode: f.Get("mode")}
	data, err := c.recordData(d)
	if err == nil && d.Key == "" {
		err = errors.New("a partition key is required")
	}
	if err != nil {
		d.Err = err.Error()
		c.render(w, r, http.StatusBadRequest, "publish", d)
		return
	}
	out, err := c.client.PutRecord(r.Context(), &kinesis.PutRecordInput{StreamName: &name, PartitionKey: &d.Key, Data: data})
	if err != nil {
		d.Err = err.Error()
		c.render(w, r, http.StatusBadGateway, "publish", d)
		return
	}
	q := url.Values{"shard": {aws.ToString(out.ShardId)}, "start": {startSequence}, "seq": {aws.ToString(out.SequenceNumber)}}
	c.redirect(w, r, "streams/"+url.PathEscape(name)+"/records?"+q.Encode())
}

// recordData builds a record's bytes from the form: an envelope of an event validated against
// its schema, or raw text or base64.
func (c *Console) recordData(d publishData) ([]byte, error) {
	if d.Mode == "raw" {
		if d.Encoding == "base64" {
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(d.Raw))
			if err != nil {
				return nil, fmt.Errorf("the data is not base64: %w", err)
			}
			return b, nil
		}
		return []byte(d.Raw), nil
	}
	mt, err := c.schemas.FindMessageByName(protoreflect.FullName(d.Type))
	if err != nil {
		return nil, fmt.Errorf("unknown event type %q: %w", d.Type, err)
	}
	msg := mt.New().Interface()
	if err := (protojson.UnmarshalOptions{Resolver: c.schemas}).Unmarshal([]byte(d.JSON), msg); err != nil {
		return nil, fmt.Errorf("the event is not a valid %s: %w", d.Type, err)
	}
	payload, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
	if err != nil {
		return nil, err
	}
	return pelican.MarshalEnvelope(&pelican.Envelope{Version: pelican.EnvelopeVersion, EventId: pelican.NewEventID(),
		EventType: d.Type, OccurredAt: timestamppb.New(time.Now()), Producer: producerName, Payload: payload})
}
