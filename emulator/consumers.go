package emulator

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// Enhanced fan-out consumers: RegisterStreamConsumer, DeregisterStreamConsumer,
// DescribeStreamConsumer, ListStreamConsumers. SubscribeToShard lives in subscriptions.go.

func consumerOperations() map[string]operation {
	return map[string]operation{
		"RegisterStreamConsumer":   controlOp((*Server).registerStreamConsumer, changes, perAccount(5)),
		"DeregisterStreamConsumer": controlOp((*Server).deregisterStreamConsumer, changes, perStream(5)),
		"DescribeStreamConsumer":   controlOp((*Server).describeStreamConsumer, reads, perStream(20)),
		"ListStreamConsumers":      controlOp((*Server).listStreamConsumers, reads, perStream(5)),
		"SubscribeToShard":         streamOp((*Server).subscribeToShard),
	}
}

const (
	// maxCreatingConsumers is how many consumers of one stream may be CREATING at once.
	maxCreatingConsumers = 5
	// advantageConsumersPerStream is how many consumers an On-demand Advantage stream (an
	// on-demand stream of an account with a minimum throughput billing commitment) may have when
	// the emulator keeps AWS's default limit for the others.
	advantageConsumersPerStream = 50
)

// consumerARN is the ARN of a consumer: the stream's ARN, /consumer/, the name, and the creation
// time in epoch seconds (so a consumer registered again under the same name gets a new ARN).
func consumerARN(streamARN, name string, created time.Time) string {
	return streamARN + "/consumer/" + name + ":" + strconv.FormatInt(created.Unix(), 10)
}

// parseConsumerARN splits a consumer ARN into the stream it belongs to and the consumer's name.
func parseConsumerARN(arn string) (k store.Key, name string, ok bool) {
	i := strings.LastIndex(arn, "/consumer/")
	if i < 0 {
		return store.Key{}, "", false
	}
	k, ok = parseStreamARN(arn[:i])
	if !ok {
		return store.Key{}, "", false
	}
	name, epoch, found := strings.Cut(arn[i+len("/consumer/"):], ":")
	if !found || name == "" || epoch == "" || !consumerNamePattern.MatchString(name) {
		return store.Key{}, "", false
	}
	if _, err := strconv.ParseUint(epoch, 10, 63); err != nil {
		return store.Key{}, "", false
	}
	return k, name, true
}

var (
	consumerNamePattern = mustPattern(`^[a-zA-Z0-9_.-]+$`)
	consumerARNPattern  = mustPattern(`^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`)
)

func (v *validator) consumerName(member, name string, required bool) {
	if name == "" {
		if required {
			v.add(nil, member, "must not be null")
		}
		return
	}
	v.stringLen(member, name, 1, 128)
	v.pattern(member, name, consumerNamePattern, "[a-zA-Z0-9_.-]+")
}

func (v *validator) consumerARN(member, arn string, required bool) {
	if arn == "" {
		if required {
			v.add(nil, member, "must not be null")
		}
		return
	}
	v.stringLen(member, arn, 1, 2048)
	v.pattern(member, arn, consumerARNPattern, `^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`)
}

// consumer is a registered consumer as RegisterStreamConsumer and ListStreamConsumers return it.
type consumer struct {
	ConsumerName              string         `json:"ConsumerName"`
	ConsumerARN               string         `json:"ConsumerARN"`
	ConsumerStatus            string         `json:"ConsumerStatus"`
	ConsumerCreationTimestamp wire.Timestamp `json:"ConsumerCreationTimestamp"`
}

// consumerDescription is a consumer as DescribeStreamConsumer returns it.
type consumerDescription struct {
	ConsumerName              string         `json:"ConsumerName"`
	ConsumerARN               string         `json:"ConsumerARN"`
	ConsumerStatus            string         `json:"ConsumerStatus"`
	ConsumerCreationTimestamp wire.Timestamp `json:"ConsumerCreationTimestamp"`
	StreamARN                 string         `json:"StreamARN"`
}

func describeConsumer(cons *store.Consumer) consumer {
	return consumer{ConsumerName: cons.Name, ConsumerARN: cons.ARN, ConsumerStatus: cons.Status,
		ConsumerCreationTimestamp: wire.NewTimestamp(cons.Created)}
}

// registerStreamConsumerInput is the RegisterStreamConsumer request.
type registerStreamConsumerInput struct {
	StreamARN    string            `json:"StreamARN"`
	ConsumerName string            `json:"ConsumerName"`
	Tags         map[string]string `json:"Tags,omitempty"`
	StreamId     string            `json:"StreamId,omitempty"`
}

// registerStreamConsumerOutput is the RegisterStreamConsumer answer.
type registerStreamConsumerOutput struct {
	Consumer consumer `json:"Consumer"`
}

func (s *Server) registerStreamConsumer(c *call, in *registerStreamConsumerInput) (*registerStreamConsumerOutput, error) {
	v := &validator{}
	v.required("streamARN", in.StreamARN != "")
	v.streamARN("streamARN", in.StreamARN)
	v.consumerName("consumerName", in.ConsumerName, true)
	validateTags(v, in.Tags)
	if err := v.err(); err != nil {
		return nil, err
	}
	if len(in.Tags) > 50 {
		return nil, errInvalidArgument("Failed to register consumer %s because a given tag exceeded the limit of 50 tags.", in.ConsumerName)
	}
	st, err := s.activeStream(c, "", in.StreamARN, true)
	if err != nil {
		return nil, err
	}
	account := s.store.Account(st.Key.Account, st.Key.Region)
	var committed bool
	account.Update(func() { committed = s.settleCommitment(account, c.now) })
	out, err := store.UpdateStream(st, func() (*registerStreamConsumerOutput, error) {
		return s.addConsumer(c, st, in.ConsumerName, committed)
	})
	if err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 {
		// A consumer's tags live with its account (TagResource and ListTagsForResource read them
		// there), from the moment it is CREATING.
		tags := make(map[string]string, len(in.Tags))
		for k, v := range in.Tags {
			tags[k] = v
		}
		account.Update(func() {
			account.Tags[out.Consumer.ConsumerARN] = tags
		})
	}
	s.saveMeta()
	return out, nil
}

// addConsumer registers a CREATING consumer on st, within the stream's limits. Callers are inside
// st.Update.
func (s *Server) addConsumer(c *call, st *store.Stream, name string, committed bool) (*registerStreamConsumerOutput, error) {
	if existing, ok := st.Consumers[name]; ok {
		return nil, errResourceInUse("Consumer %s under stream %s already exists for account %s.", existing.ARN, st.Key.Name, st.Key.Account)
	}
	registered, creating := 0, 0
	for _, cons := range st.Consumers {
		if cons.Status != consumerDeleting {
			registered++
		}
		if cons.Status == consumerCreating {
			creating++
		}
	}
	limit := s.cfg.limits.ConsumersPerStream
	if st.Mode == modeOnDemand && committed && limit == DefaultLimits().ConsumersPerStream {
		limit = advantageConsumersPerStream
	}
	if limit > 0 && registered >= limit {
		return nil, errLimitExceeded("Consumer limit of %d for stream %s under account %s has been reached.", limit, st.Key.Name, st.Key.Account)
	}
	if creating >= maxCreatingConsumers {
		return nil, errLimitExceeded("Stream %s under account %s already has %d consumers in CREATING status; at most %d may be created at the same time.", st.Key.Name, st.Key.Account, creating, maxCreatingConsumers)
	}
	created := c.now.Truncate(time.Second)
	cons := &store.Consumer{
		Name: name, ARN: consumerARN(st.ARN, name, created),
		Status: consumerCreating, Created: created, PendingUntil: c.now.Add(s.cfg.delays.RegisterConsumer),
	}
	if st.Consumers == nil {
		st.Consumers = map[string]*store.Consumer{}
	}
	st.Consumers[cons.Name] = cons
	return &registerStreamConsumerOutput{Consumer: describeConsumer(cons)}, nil
}

// consumerRef is how a request names a consumer: by ARN, or by stream ARN and name, or all three.
type consumerRef struct{ streamARN, name, arn string }

// findConsumer resolves a consumer reference. The consumer is returned with its stream; its fields
// are read inside st.View or st.Update.
func (s *Server) findConsumer(c *call, ref consumerRef) (*store.Stream, *store.Consumer, error) {
	var (
		k    store.Key
		name = ref.name
	)
	switch {
	case ref.arn != "":
		ck, cname, ok := parseConsumerARN(ref.arn)
		if !ok {
			return nil, nil, errInvalidArgument("ConsumerARN %s is not a valid consumer ARN.", ref.arn)
		}
		if name != "" && name != cname {
			return nil, nil, errInvalidArgument("ConsumerARN %s and ConsumerName %s do not name the same consumer.", ref.arn, name)
		}
		if ref.streamARN != "" {
			sk, ok := parseStreamARN(ref.streamARN)
			if !ok || sk != ck {
				return nil, nil, errInvalidArgument("ConsumerARN %s does not belong to stream %s.", ref.arn, ref.streamARN)
			}
		}
		k, name = ck, cname
	case ref.streamARN != "" && name != "":
		sk, ok := parseStreamARN(ref.streamARN)
		if !ok {
			return nil, nil, errInvalidStreamARN(ref.streamARN)
		}
		k = sk
	default:
		return nil, nil, errInvalidArgument("Either ConsumerARN or both ConsumerName and StreamARN should be provided.")
	}
	st := s.store.Get(k)
	if st == nil || s.settle(st, c.now) {
		return nil, nil, errStreamNotFound(k)
	}
	var cons *store.Consumer
	var deleting bool
	st.View(func() {
		cons = st.Consumers[name]
		deleting = st.Status == store.StatusDeleting
	})
	if deleting {
		return nil, nil, errStreamNotFound(k)
	}
	if cons == nil || (ref.arn != "" && cons.ARN != ref.arn) {
		shown := ref.arn
		if shown == "" {
			shown = name
		}
		return nil, nil, errConsumerNotFound(shown, k.Name, k.Account)
	}
	return st, cons, nil
}

// deregisterStreamConsumerInput is the DeregisterStreamConsumer request.
type deregisterStreamConsumerInput struct {
	StreamARN    string `json:"StreamARN,omitempty"`
	ConsumerName string `json:"ConsumerName,omitempty"`
	ConsumerARN  string `json:"ConsumerARN,omitempty"`
	StreamId     string `json:"StreamId,omitempty"`
}

func (s *Server) deregisterStreamConsumer(c *call, in *deregisterStreamConsumerInput) (*empty, error) {
	v := &validator{}
	v.streamARN("streamARN", in.StreamARN)
	v.consumerName("consumerName", in.ConsumerName, false)
	v.consumerARN("consumerARN", in.ConsumerARN, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	st, cons, err := s.findConsumer(c, consumerRef{streamARN: in.StreamARN, name: in.ConsumerName, arn: in.ConsumerARN})
	if err != nil {
		return nil, err
	}
	arn, err := store.UpdateStream(st, func() (string, error) {
		if cons.Status == consumerDeleting {
			return "", errConsumerNotFound(cons.ARN, st.Key.Name, st.Key.Account)
		}
		cons.Status = consumerDeleting
		cons.PendingUntil = c.now.Add(s.cfg.delays.DeleteConsumer)
		return cons.ARN, nil
	})
	if err != nil {
		return nil, err
	}
	account := s.store.Account(st.Key.Account, st.Key.Region)
	account.Update(func() {
		delete(account.Tags, arn)
		delete(account.Policies, arn)
	})
	s.subs.endConsumer(arn)
	s.saveMeta()
	s.settle(st, c.now)
	return &empty{}, nil
}

// describeStreamConsumerInput is the DescribeStreamConsumer request.
type describeStreamConsumerInput struct {
	StreamARN    string `json:"StreamARN,omitempty"`
	ConsumerName string `json:"ConsumerName,omitempty"`
	ConsumerARN  string `json:"ConsumerARN,omitempty"`
	StreamId     string `json:"StreamId,omitempty"`
}

// describeStreamConsumerOutput is the DescribeStreamConsumer answer.
type describeStreamConsumerOutput struct {
	ConsumerDescription consumerDescription `json:"ConsumerDescription"`
}

func (s *Server) describeStreamConsumer(c *call, in *describeStreamConsumerInput) (*describeStreamConsumerOutput, error) {
	v := &validator{}
	v.streamARN("streamARN", in.StreamARN)
	v.consumerName("consumerName", in.ConsumerName, false)
	v.consumerARN("consumerARN", in.ConsumerARN, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	st, cons, err := s.findConsumer(c, consumerRef{streamARN: in.StreamARN, name: in.ConsumerName, arn: in.ConsumerARN})
	if err != nil {
		return nil, err
	}
	return store.ViewStream(st, func() (*describeStreamConsumerOutput, error) {
		return &describeStreamConsumerOutput{ConsumerDescription: consumerDescription{
			ConsumerName: cons.Name, ConsumerARN: cons.ARN, ConsumerStatus: cons.Status,
			ConsumerCreationTimestamp: wire.NewTimestamp(cons.Created), StreamARN: st.ARN,
		}}, nil
	})
}

// listStreamConsumersInput is the ListStreamConsumers request.
type listStreamConsumersInput struct {
	StreamARN               string          `json:"StreamARN"`
	MaxResults              *int32          `json:"MaxResults,omitempty"`
	NextToken               string          `json:"NextToken,omitempty"`
	StreamCreationTimestamp *wire.Timestamp `json:"StreamCreationTimestamp,omitempty"`
	StreamId                string          `json:"StreamId,omitempty"`
}

// listStreamConsumersOutput is the ListStreamConsumers answer.
type listStreamConsumersOutput struct {
	Consumers []consumer `json:"Consumers"`
	NextToken string     `json:"NextToken,omitempty"`
}

func (s *Server) listStreamConsumers(c *call, in *listStreamConsumersInput) (*listStreamConsumersOutput, error) {
	v := &validator{}
	v.required("streamARN", in.StreamARN != "")
	v.streamARN("streamARN", in.StreamARN)
	v.intRange("maxResults", in.MaxResults, 1, 10000)
	if in.NextToken != "" {
		v.stringLen("nextToken", in.NextToken, 1, 1048576)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.NextToken != "" && in.StreamCreationTimestamp != nil {
		return nil, errInvalidArgument("NextToken and StreamCreationTimestamp cannot be provided together.")
	}
	st, err := s.stream(c, "", in.StreamARN)
	if err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != "" {
		tok, err := s.openToken(c, "ListStreamConsumers", in.NextToken)
		if err != nil {
			return nil, err
		}
		if tok.Stream != st.ARN {
			return nil, errInvalidNextToken()
		}
		after = tok.After
	}
	limit := 100
	if in.MaxResults != nil && int(*in.MaxResults) < limit {
		limit = int(*in.MaxResults)
	}
	all, err := store.ViewStream(st, func() ([]consumer, error) {
		if ts := in.StreamCreationTimestamp; ts != nil && !ts.IsZero() && ts.UnixMilli() != st.Created.UnixMilli() {
			return nil, errResourceNotFound("Stream %s under account %s with creation timestamp %d not found.", st.Key.Name, st.Key.Account, ts.UnixMilli())
		}
		all := make([]consumer, 0, len(st.Consumers))
		for _, cons := range st.Consumers {
			all = append(all, describeConsumer(cons))
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	// Creation order, then name: a stable order that pages can resume from.
	sort.Slice(all, func(i, j int) bool { return consumerOrder(all[i]) < consumerOrder(all[j]) })
	out := &listStreamConsumersOutput{Consumers: []consumer{}}
	for _, cons := range all {
		if after != "" && consumerOrder(cons) <= after {
			continue
		}
		if len(out.Consumers) == limit {
			out.NextToken = s.sealToken(c, "ListStreamConsumers", pageToken{Stream: st.ARN, After: consumerOrder(out.Consumers[limit-1])})
			break
		}
		out.Consumers = append(out.Consumers, cons)
	}
	return out, nil
}

// consumerOrder is the sort key of a listed consumer: creation second, zero-padded, then name.
func consumerOrder(c consumer) string {
	return fmt.Sprintf("%020d/%s", c.ConsumerCreationTimestamp.Unix(), c.ConsumerName)
}
