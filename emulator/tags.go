package emulator

import (
	"sort"
	"strings"
	"unicode"

	"github.com/pelicanhq/pelican/emulator/internal/store"
	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// Tags and resource policies: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream, and
// TagResource, UntagResource, ListTagsForResource, PutResourcePolicy, GetResourcePolicy,
// DeleteResourcePolicy, which name a stream or a consumer by ARN.

func tagOperations() map[string]operation {
	return map[string]operation{
		"AddTagsToStream":      controlOp((*Server).addTagsToStream, changes, perAccount(5)),
		"RemoveTagsFromStream": controlOp((*Server).removeTagsFromStream, changes, perAccount(5)),
		"ListTagsForStream":    controlOp((*Server).listTagsForStream, reads, perAccount(5)),
		"TagResource":          controlOp((*Server).tagResource, changes, undocumented()),
		"UntagResource":        controlOp((*Server).untagResource, changes, undocumented()),
		"ListTagsForResource":  controlOp((*Server).listTagsForResource, reads, undocumented()),
		"PutResourcePolicy":    controlOp((*Server).putResourcePolicy, changes, undocumented()),
		"GetResourcePolicy":    controlOp((*Server).getResourcePolicy, reads, undocumented()),
		"DeleteResourcePolicy": controlOp((*Server).deleteResourcePolicy, changes, undocumented()),
	}
}

const (
	maxTagsPerResource   = 50  // tags a stream or consumer may carry
	maxTagsPerRequest    = 200 // entries of one Tags map
	maxTagKeysPerRequest = 50  // entries of one TagKeys list
	maxListTags          = 50  // ListTagsForStream's Limit
	maxPolicyBytes       = 20480
)

// tagPattern is what tag keys and values may hold: Unicode letters, digits, white space and
// _ . : / = + - % @.
var tagPattern = mustPattern(`^[\p{L}\p{Z}\p{N}_.:/=+\-%@]*$`)

// resourceARNPattern is the ResourceARN of TagResource and the policy operations: a stream or a
// consumer.
var resourceARNPattern = mustPattern(`^arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+$`)

// tag is one tag of a resource.
type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// tagMap checks the size of a Tags map in AWS's words.
func (v *validator) tagMap(member string, tags map[string]string, required bool) {
	if tags == nil {
		if required {
			v.add(nil, member, "must not be null")
		}
		return
	}
	if len(tags) > maxTagsPerRequest {
		v.add(tags, member, "must have length less than or equal to 200")
	}
	for _, k := range sortedKeys(tags) {
		if n := len([]rune(k)); n < 1 || n > 128 {
			v.errs = append(v.errs, "Value '"+k+"' at '"+member+"' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
		}
		if n := len([]rune(tags[k])); n > 256 {
			v.errs = append(v.errs, "Value '"+tags[k]+"' at '"+member+"' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]")
		}
	}
}

// tagKeys checks a TagKeys list in AWS's words.
func (v *validator) tagKeys(member string, keys []string) {
	if keys == nil {
		v.add(nil, member, "must not be null")
		return
	}
	if len(keys) < 1 {
		v.add("[]", member, "must have length greater than or equal to 1")
	}
	if len(keys) > maxTagKeysPerRequest {
		v.add("["+strings.Join(keys, ", ")+"]", member, "must have length less than or equal to 50")
	}
	for _, k := range keys {
		v.stringLen(member+".member", k, 1, 128)
	}
}

func (v *validator) resourceARN(member, arn string) {
	if arn == "" {
		v.add(nil, member, "must not be null")
		return
	}
	v.stringLen(member, arn, 1, 2048)
	v.pattern(member, arn, resourceARNPattern, `arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`)
}

// checkTagText refuses keys and values outside the characters AWS allows, and keys in the
// reserved aws: namespace.
func checkTagText(tags map[string]string, keys []string) error {
	for _, k := range keys {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errInvalidArgument("Tag key %s uses the reserved prefix aws:. Tag keys can't start with aws:.", k)
		}
	}
	for _, k := range keys {
		if !tagPattern.MatchString(k) || !tagPattern.MatchString(tags[k]) {
			return errInvalidArgument("%s", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . : / = + - % @.")
		}
	}
	return nil
}

// checkStreamTagText refuses the tags of AddTagsToStream and RemoveTagsFromStream as the service
// does once it has found the stream: a character outside Unicode letters, digits, the space and
// _ . / = + - @ %, then a '%' (listed as valid, yet refused with its own message). verb is "add"
// or "remove"; preposition "to" or "from".
func checkStreamTagText(st *store.Stream, tags map[string]string, keys []string, verb, preposition string) error {
	for _, k := range keys {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errInvalidArgument("Tag key %s uses the reserved prefix aws:. Tag keys can't start with aws:.", k)
		}
	}
	texts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		texts = append(texts, k)
		if tags != nil {
			texts = append(texts, tags[k])
		}
	}
	for _, t := range texts {
		for _, r := range t {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" _./=+-@%", r) {
				return errInvalidArgument("%s", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
			}
		}
	}
	for _, t := range texts {
		if strings.Contains(t, "%") {
			return errInvalidArgument("Failed to %s tags %s stream %s under account %s because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.", verb, preposition, st.Key.Name, st.Key.Account)
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// addTags merges tags into have, refusing the change whole when the result would carry more than
// 50 tags. what names the resource in the message.
func addTags(have, tags map[string]string, what string) error {
	n := len(have)
	for k := range tags {
		if _, ok := have[k]; !ok {
			n++
		}
	}
	if n > maxTagsPerResource {
		return errInvalidArgument("Failed to add tags to %s because a given resource cannot have more than %d tags associated with it.", what, maxTagsPerResource)
	}
	for k, val := range tags {
		have[k] = val
	}
	return nil
}

// addTagsToStreamInput is the AddTagsToStream request.
type addTagsToStreamInput struct {
	StreamName string            `json:"StreamName,omitempty"`
	StreamARN  string            `json:"StreamARN,omitempty"`
	Tags       map[string]string `json:"Tags"`
	StreamId   string            `json:"StreamId,omitempty"`
}

func (s *Server) addTagsToStream(c *call, in *addTagsToStreamInput) (*empty, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.tagMap("tags", in.Tags, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	st, err := s.activeStream(c, in.StreamName, in.StreamARN, true)
	if err != nil {
		return nil, err
	}
	if err := checkStreamTagText(st, in.Tags, sortedKeys(in.Tags), "add", "to"); err != nil {
		return nil, err
	}
	st.Update(func() {
		if st.Tags == nil {
			st.Tags = map[string]string{}
		}
		err = addTags(st.Tags, in.Tags, "stream "+st.Key.Name+" under account "+st.Key.Account)
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}

// removeTagsFromStreamInput is the RemoveTagsFromStream request.
type removeTagsFromStreamInput struct {
	StreamName string   `json:"StreamName,omitempty"`
	StreamARN  string   `json:"StreamARN,omitempty"`
	TagKeys    []string `json:"TagKeys"`
	StreamId   string   `json:"StreamId,omitempty"`
}

func (s *Server) removeTagsFromStream(c *call, in *removeTagsFromStreamInput) (*empty, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.tagKeys("tagKeys", in.TagKeys)
	if err := v.err(); err != nil {
		return nil, err
	}
	st, err := s.activeStream(c, in.StreamName, in.StreamARN, true)
	if err != nil {
		return nil, err
	}
	if err := checkStreamTagText(st, nil, in.TagKeys, "remove", "from"); err != nil {
		return nil, err
	}
	return store.UpdateStream(st, func() (*empty, error) {
		for _, k := range in.TagKeys {
			delete(st.Tags, k)
		}
		return &empty{}, nil
	})
}

// listTagsForStreamInput is the ListTagsForStream request.
type listTagsForStreamInput struct {
	StreamName           string `json:"StreamName,omitempty"`
	StreamARN            string `json:"StreamARN,omitempty"`
	ExclusiveStartTagKey string `json:"ExclusiveStartTagKey,omitempty"`
	Limit                *int32 `json:"Limit,omitempty"`
	StreamId             string `json:"StreamId,omitempty"`
}

// listTagsForStreamOutput is the ListTagsForStream answer.
type listTagsForStreamOutput struct {
	Tags        []tag `json:"Tags"`
	HasMoreTags bool  `json:"HasMoreTags"`
}

func (s *Server) listTagsForStream(c *call, in *listTagsForStreamInput) (*listTagsForStreamOutput, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	if in.ExclusiveStartTagKey != "" {
		v.stringLen("exclusiveStartTagKey", in.ExclusiveStartTagKey, 1, 128)
	}
	v.intRange("limit", in.Limit, 1, maxListTags)
	if err := v.err(); err != nil {
		return nil, err
	}
	st, err := s.stream(c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	limit := maxListTags
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	return store.ViewStream(st, func() (*listTagsForStreamOutput, error) {
		if st.Status == store.StatusDeleting {
			return nil, errStreamNotFound(st.Key)
		}
		out := &listTagsForStreamOutput{Tags: []tag{}}
		for _, k := range sortedKeys(st.Tags) {
			if k <= in.ExclusiveStartTagKey {
				continue
			}
			if len(out.Tags) == limit {
				out.HasMoreTags = true
				break
			}
			out.Tags = append(out.Tags, tag{Key: k, Value: st.Tags[k]})
		}
		return out, nil
	})
}

// resource is what TagResource and the policy operations name by ARN: a stream, or one of its
// consumers.
type resource struct {
	arn    string
	stream *store.Stream
	// consumer is set for a consumer; its tags and policy live in the account of its stream.
	consumer *store.Consumer
	account  *store.Account
}

// what names the resource in messages.
func (r resource) what() string {
	if r.consumer != nil {
		return "consumer " + r.arn
	}
	return "stream " + r.stream.Key.Name + " under account " + r.stream.Key.Account
}

// resource finds the stream or consumer an ARN names.
func (s *Server) resource(c *call, arn string) (resource, error) {
	if strings.Contains(arn, "/consumer/") {
		st, cons, err := s.findConsumer(c, consumerRef{arn: arn})
		if err != nil {
			return resource{}, err
		}
		return resource{arn: arn, stream: st, consumer: cons, account: s.store.Account(st.Key.Account, st.Key.Region)}, nil
	}
	k, ok := parseStreamARN(arn)
	if !ok {
		return resource{}, errInvalidArgument("ResourceARN %s is neither a stream ARN nor a consumer ARN.", arn)
	}
	st := s.store.Get(k)
	if st == nil || s.settle(st, c.now) {
		return resource{}, errStreamNotFound(k)
	}
	var deleting bool
	st.View(func() { deleting = st.Status == store.StatusDeleting })
	if deleting {
		return resource{}, errStreamNotFound(k)
	}
	return resource{arn: arn, stream: st}, nil
}

// tags calls f with the tag map of the resource, under the lock that guards it.
func (r resource) tags(f func(tags map[string]string) map[string]string) {
	if r.consumer != nil {
		r.account.Update(func() {
			if got := f(r.account.Tags[r.arn]); len(got) > 0 {
				r.account.Tags[r.arn] = got
			} else {
				delete(r.account.Tags, r.arn)
			}
		})
		return
	}
	r.stream.Update(func() { r.stream.Tags = f(r.stream.Tags) })
}

// tagResourceInput is the TagResource request.
type tagResourceInput struct {
	ResourceARN string            `json:"ResourceARN"`
	Tags        map[string]string `json:"Tags"`
	StreamId    string            `json:"StreamId,omitempty"`
}

func (s *Server) tagResource(c *call, in *tagResourceInput) (*empty, error) {
	v := &validator{}
	v.tagMap("tags", in.Tags, true)
	v.resourceARN("resourceARN", in.ResourceARN)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkTagText(in.Tags, sortedKeys(in.Tags)); err != nil {
		return nil, err
	}
	r, err := s.resource(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	r.tags(func(have map[string]string) map[string]string {
		if have == nil {
			have = map[string]string{}
		}
		err = addTags(have, in.Tags, r.what())
		return have
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}

// untagResourceInput is the UntagResource request.
type untagResourceInput struct {
	ResourceARN string   `json:"ResourceARN"`
	TagKeys     []string `json:"TagKeys"`
	StreamId    string   `json:"StreamId,omitempty"`
}

func (s *Server) untagResource(c *call, in *untagResourceInput) (*empty, error) {
	v := &validator{}
	v.tagKeys("tagKeys", in.TagKeys)
	v.resourceARN("resourceARN", in.ResourceARN)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkTagText(nil, in.TagKeys); err != nil {
		return nil, err
	}
	r, err := s.resource(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	r.tags(func(have map[string]string) map[string]string {
		for _, k := range in.TagKeys {
			delete(have, k)
		}
		return have
	})
	return &empty{}, nil
}

// listTagsForResourceInput is the ListTagsForResource request.
type listTagsForResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
	StreamId    string `json:"StreamId,omitempty"`
}

// listTagsForResourceOutput is the ListTagsForResource answer.
type listTagsForResourceOutput struct {
	Tags []tag `json:"Tags"`
}

func (s *Server) listTagsForResource(c *call, in *listTagsForResourceInput) (*listTagsForResourceOutput, error) {
	v := &validator{}
	v.resourceARN("resourceARN", in.ResourceARN)
	if err := v.err(); err != nil {
		return nil, err
	}
	r, err := s.resource(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := &listTagsForResourceOutput{Tags: []tag{}}
	r.tags(func(have map[string]string) map[string]string {
		for _, k := range sortedKeys(have) {
			out.Tags = append(out.Tags, tag{Key: k, Value: have[k]})
		}
		return have
	})
	return out, nil
}

// policy calls f with the resource policy of the resource ("" for none) and keeps what it
// returns, under the lock that guards it.
func (r resource) policy(f func(policy string) string) {
	if r.consumer != nil {
		r.account.Update(func() {
			if p := f(r.account.Policies[r.arn]); p != "" {
				r.account.Policies[r.arn] = p
			} else {
				delete(r.account.Policies, r.arn)
			}
		})
		return
	}
	r.stream.Update(func() { r.stream.Policy = f(r.stream.Policy) })
}

// putResourcePolicyInput is the PutResourcePolicy request.
type putResourcePolicyInput struct {
	ResourceARN string `json:"ResourceARN"`
	Policy      string `json:"Policy"`
	StreamId    string `json:"StreamId,omitempty"`
}

// checkPolicy accepts a policy document that is a JSON object with a Statement, as IAM requires of
// every policy; the emulator does not evaluate it.
func checkPolicy(doc string) error {
	members, err := wire.DocumentMembers(doc)
	if err != nil {
		// The parser's own words (Go's) stay out of the answer.
		return errInvalidArgument("Policy is not a valid JSON policy document.")
	}
	if !members["Statement"] {
		return errInvalidArgument("Policy is not a valid policy document: it has no Statement.")
	}
	return nil
}

func (s *Server) putResourcePolicy(c *call, in *putResourcePolicyInput) (*empty, error) {
	v := &validator{}
	v.resourceARN("resourceARN", in.ResourceARN)
	v.required("policy", in.Policy != "")
	if len(in.Policy) > maxPolicyBytes {
		v.add("...", "policy", "must have length less than or equal to 20480")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkPolicy(in.Policy); err != nil {
		return nil, err
	}
	r, err := s.resource(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	r.policy(func(string) string { return in.Policy })
	return &empty{}, nil
}

// getResourcePolicyInput is the GetResourcePolicy request.
type getResourcePolicyInput struct {
	ResourceARN string `json:"ResourceARN"`
	StreamId    string `json:"StreamId,omitempty"`
}

// getResourcePolicyOutput is the GetResourcePolicy answer.
type getResourcePolicyOutput struct {
	Policy string `json:"Policy"`
}

// noPolicy is the Policy GetResourcePolicy answers for a resource without one.
const noPolicy = "{}"

func (s *Server) getResourcePolicy(c *call, in *getResourcePolicyInput) (*getResourcePolicyOutput, error) {
	v := &validator{}
	v.resourceARN("resourceARN", in.ResourceARN)
	if err := v.err(); err != nil {
		return nil, err
	}
	r, err := s.resource(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := &getResourcePolicyOutput{Policy: noPolicy}
	r.policy(func(p string) string {
		if p != "" {
			out.Policy = p
		}
		return p
	})
	return out, nil
}

// deleteResourcePolicyInput is the DeleteResourcePolicy request.
type deleteResourcePolicyInput struct {
	ResourceARN string `json:"ResourceARN"`
	StreamId    string `json:"StreamId,omitempty"`
}

func (s *Server) deleteResourcePolicy(c *call, in *deleteResourcePolicyInput) (*empty, error) {
	v := &validator{}
	v.resourceARN("resourceARN", in.ResourceARN)
	if err := v.err(); err != nil {
		return nil, err
	}
	r, err := s.resource(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	r.policy(func(string) string { return "" })
	return &empty{}, nil
}
