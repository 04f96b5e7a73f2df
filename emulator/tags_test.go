package emulator_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/emulator"
)

// tagFixture is a server on a manual clock with one stream, and a conformance env on it.
func tagFixture(t *testing.T) (*confEnv, *emulator.ManualClock) {
	t.Helper()
	clock := emulator.NewManualClock(settingsStart)
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithStream("tagged", 1))
	e := &confEnv{ctx: ctxT(t), kc: newClient(t, srv), stream: "tagged", v: map[string]string{}}
	e.streamARN = *e.summary(t, "tagged").StreamARN
	e.account = srv.AccountID()
	return e, clock
}

func TestTagsAreOneSetAcrossBothAPIs(t *testing.T) {
	srv := emulator.RunT(t)
	kc := newClient(t, srv)
	e := &confEnv{ctx: ctxT(t), kc: kc, v: map[string]string{}}
	if _, err := kc.CreateStream(e.ctx, &kinesis.CreateStreamInput{StreamName: aws.String("born"), ShardCount: aws.Int32(1), Tags: map[string]string{"origin": "create"}}); err != nil {
		t.Fatal(err)
	}
	arn := *e.waitActive(t, "born").StreamARN
	if _, err := kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("born"), Tags: map[string]string{"via": "stream-api"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{"via": "resource-api", "extra": "1"}}); err != nil {
		t.Fatal(err)
	}
	out, err := kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamARN: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range out.Tags {
		got = append(got, *tg.Key+"="+aws.ToString(tg.Value))
	}
	if strings.Join(got, ",") != "extra=1,origin=create,via=resource-api" {
		t.Fatalf("ListTagsForStream %v", got)
	}
	if _, err := kc.UntagResource(e.ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"origin"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.RemoveTagsFromStream(e.ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("born"), TagKeys: []string{"extra"}}); err != nil {
		t.Fatal(err)
	}
	if got := e.tags(t, arn); fmt.Sprint(got) != "map[via:resource-api]" {
		t.Fatalf("ListTagsForResource %v", got)
	}
}

func TestTagLimitIsAllOrNothing(t *testing.T) {
	e, _ := tagFixture(t)
	if _, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: manyTags(50)}); err != nil {
		t.Fatalf("50 tags: %v", err)
	}
	// Overwriting existing keys does not count against the limit.
	if _, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: map[string]string{"key-000": "new"}}); err != nil {
		t.Fatalf("overwrite at the limit: %v", err)
	}
	_, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.streamARN), Tags: map[string]string{"key-001": "changed", "one-too-many": "x"}})
	if merr := matchAPIError(err, "InvalidArgumentException", "cannot have more than 50 tags"); merr != nil {
		t.Fatal(merr)
	}
	got := e.tags(t, e.streamARN)
	if len(got) != 50 || got["key-000"] != "new" || got["key-001"] != "v" {
		t.Fatalf("a refused request changed the tags: %d tags, key-001=%s", len(got), got["key-001"])
	}
}

func TestTagRequestErrors(t *testing.T) {
	e, _ := tagFixture(t)
	for _, tc := range []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"key too long", func() error {
			_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: map[string]string{strings.Repeat("k", 129): "v"}})
			return err
		}, "ValidationException", "1 validation error detected: Value '{" + strings.Repeat("k", 129) + "=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128"},
		{"value too long", func() error {
			_, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.streamARN), Tags: map[string]string{"k": strings.Repeat("v", 257)}})
			return err
		}, "ValidationException", "Map value must satisfy constraint: [Member must have length less than or equal to 256"},
		{"over 200 entries", func() error {
			_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: manyTags(201)})
			return err
		}, "ValidationException", "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200"},
		{"empty tag map", func() error {
			_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: map[string]string{}})
			return err
		}, "ValidationException", "Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"invalid value characters", func() error {
			_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: map[string]string{"k": "a<b>"}})
			return err
		}, "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."},
		{"unicode letters allowed", func() error {
			_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: map[string]string{"équipe": "données / été @ 10h00 +1 = 50"}})
			return err
		}, "", ""},
		{"reserved prefix on removal", func() error {
			_, err := e.kc.RemoveTagsFromStream(e.ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("tagged"), TagKeys: []string{"AWS:cloudformation"}})
			return err
		}, "InvalidArgumentException", "aws:"},
		{"tag key too long on removal", func() error {
			_, err := e.kc.RemoveTagsFromStream(e.ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("tagged"), TagKeys: []string{strings.Repeat("k", 129)}})
			return err
		}, "ValidationException", "at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"},
		{"list limit over 50", func() error {
			_, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("tagged"), Limit: aws.Int32(51)})
			return err
		}, "ValidationException", "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"stream ARN and name disagree", func() error {
			_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("other"), StreamARN: aws.String(e.streamARN), Tags: map[string]string{"a": "b"}})
			return err
		}, "InvalidArgumentException", "do not name the same stream"},
		{"channel ARN as resource", func() error {
			_, err := e.kc.ListTagsForResource(e.ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:" + e.account + ":channel/c")})
			return err
		}, "ValidationException", `Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`},
		{"policy without statement", func() error {
			_, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.streamARN), Policy: aws.String(`{"Version":"2012-10-17"}`)})
			return err
		}, "InvalidArgumentException", "Statement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if merr := matchAPIError(err, tc.code, tc.msg); merr != nil {
				t.Fatal(merr)
			}
		})
	}
}

func TestConsumerTagsAndPolicyStayWithTheConsumer(t *testing.T) {
	e, clock := tagFixture(t)
	first := e.registerConsumer(t, "app")
	if _, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(first), Tags: map[string]string{"owner": "first"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(first), Policy: aws.String(testPolicy)}); err != nil {
		t.Fatal(err)
	}
	if got := e.tags(t, e.streamARN); len(got) != 0 {
		t.Fatalf("consumer tags leaked onto the stream: %v", got)
	}
	if got := e.policy(t, e.streamARN); got != "{}" {
		t.Fatalf("consumer policy leaked onto the stream: %s", got)
	}
	if _, err := e.kc.DeregisterStreamConsumer(e.ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(first)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.kc.ListTagsForResource(e.ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(first)})
	if merr := matchAPIError(err, "ResourceNotFoundException", "app"); merr != nil {
		t.Fatalf("tags of a deregistered consumer: %v", merr)
	}
	// Registered again under the same name (a second later, as consumer ARNs carry the
	// registration second) a consumer gets a new ARN: a new resource, bare.
	clock.Advance(time.Second)
	second := e.registerConsumer(t, "app")
	if second == first {
		t.Fatalf("re-registered consumer kept ARN %s", first)
	}
	if got := e.tags(t, second); len(got) != 0 {
		t.Fatalf("the new consumer inherited tags %v", got)
	}
	if got := e.policy(t, second); got != "{}" {
		t.Fatalf("the new consumer inherited a policy: %s", got)
	}
}

func TestResourcePolicyReplaceAndDelete(t *testing.T) {
	e, _ := tagFixture(t)
	other := strings.Replace(testPolicy, "GetRecords", "DescribeStreamSummary", 1)
	for _, p := range []string{testPolicy, other} {
		if _, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.streamARN), Policy: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
		if got := e.policy(t, e.streamARN); got != p {
			t.Fatalf("policy %s, want %s", got, p)
		}
	}
	for i := 0; i < 2; i++ { // deleting is idempotent
		if _, err := e.kc.DeleteResourcePolicy(e.ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(e.streamARN)}); err != nil {
			t.Fatalf("delete %d: %v", i+1, err)
		}
	}
	if got := e.policy(t, e.streamARN); got != "{}" {
		t.Fatalf("policy after delete %s", got)
	}
	_, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.streamARN), Policy: aws.String(strings.Repeat(" ", 20481))})
	if merr := matchAPIError(err, "ValidationException", "20480"); merr != nil {
		t.Fatal(merr)
	}
}

func TestListTagsForStreamPages(t *testing.T) {
	e, _ := tagFixture(t)
	if _, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: manyTags(12)}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	var start *string
	for pages := 0; ; pages++ {
		out, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("tagged"), Limit: aws.Int32(5), ExclusiveStartTagKey: start})
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range out.Tags {
			keys = append(keys, *tg.Key)
		}
		if !aws.ToBool(out.HasMoreTags) {
			if pages != 2 {
				t.Fatalf("%d pages of 5 for 12 tags", pages+1)
			}
			break
		}
		start = out.Tags[len(out.Tags)-1].Key
	}
	if len(keys) != 12 || keys[0] != "key-000" || keys[11] != "key-011" {
		t.Fatalf("paged keys %v", keys)
	}
}

// tagRows are the conformance rows of the operations of tags.go.
func tagRows() []conformanceRow {
	return []conformanceRow{{
		op: "AddTagsToStream",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{"team": "data", "env": "test"}})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			out, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(e.stream)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Tags) != 2 || *out.Tags[0].Key != "env" || *out.Tags[1].Value != "data" {
				t.Errorf("tags %v", out.Tags)
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("missing"), Tags: map[string]string{"a": "b"}})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"more than 50 tags", func(e *confEnv) error {
				_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: manyTags(49)})
				return err
			}, "InvalidArgumentException", "50 tags"},
			{"invalid characters", func(e *confEnv) error {
				_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{"semi;colon": "x"}})
				return err
			}, "InvalidArgumentException", "invalid characters"},
			{"key too long", func(e *confEnv) error {
				_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{strings.Repeat("k", 129): "x"}})
				return err
			}, "ValidationException", "128"},
		},
	}, {
		op: "RemoveTagsFromStream",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{"keep": "1", "drop": "2"}}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.RemoveTagsFromStream(e.ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String(e.stream), TagKeys: []string{"drop", "absent"}})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := e.tags(t, e.streamARN); fmt.Sprint(got) != "map[keep:1]" {
				t.Errorf("tags after removal %v", got)
			}
		},
		bad: []confBad{
			{"no keys", func(e *confEnv) error {
				_, err := e.kc.RemoveTagsFromStream(e.ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String(e.stream), TagKeys: []string{}})
				return err
			}, "ValidationException", "tagKeys"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.RemoveTagsFromStream(e.ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("missing"), TagKeys: []string{"a"}})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "ListTagsForStream",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{"a": "1", "b": "2", "c": "3"}}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(e.stream), Limit: aws.Int32(2)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			first := e.out.(*kinesis.ListTagsForStreamOutput)
			if len(first.Tags) != 2 || !aws.ToBool(first.HasMoreTags) {
				t.Fatalf("first page %d tags, more %v", len(first.Tags), aws.ToBool(first.HasMoreTags))
			}
			rest, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(e.stream), ExclusiveStartTagKey: first.Tags[1].Key})
			if err != nil {
				t.Fatal(err)
			}
			if len(rest.Tags) != 1 || *rest.Tags[0].Key != "c" || aws.ToBool(rest.HasMoreTags) {
				t.Errorf("second page %v", rest.Tags)
			}
		},
		bad: []confBad{
			{"zero limit", func(e *confEnv) error {
				_, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(e.stream), Limit: aws.Int32(0)})
				return err
			}, "ValidationException", "limit"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("missing")})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "TagResource",
		setup: func(t *testing.T, e *confEnv) {
			e.v["consumer"] = e.registerConsumer(t, "tagged")
		},
		call: func(t *testing.T, e *confEnv) error {
			if _, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.streamARN), Tags: map[string]string{"on": "stream"}}); err != nil {
				return err
			}
			_, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.v["consumer"]), Tags: map[string]string{"on": "consumer"}})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if s, c := e.tags(t, e.streamARN), e.tags(t, e.v["consumer"]); s["on"] != "stream" || c["on"] != "consumer" || len(s) != 1 || len(c) != 1 {
				t.Errorf("stream tags %v, consumer tags %v", s, c)
			}
		},
		bad: []confBad{
			{"not a stream or consumer ARN", func(e *confEnv) error {
				_, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:" + e.account + ":table/x"), Tags: map[string]string{"a": "b"}})
				return err
			}, "ValidationException", "resourceARN"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.missingARN()), Tags: map[string]string{"a": "b"}})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"reserved prefix", func(e *confEnv) error {
				_, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.streamARN), Tags: map[string]string{"aws:owner": "x"}})
				return err
			}, "InvalidArgumentException", "aws:"},
		},
	}, {
		op: "UntagResource",
		setup: func(t *testing.T, e *confEnv) {
			e.v["consumer"] = e.registerConsumer(t, "untagged")
			if _, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.v["consumer"]), Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.UntagResource(e.ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(e.v["consumer"]), TagKeys: []string{"a"}})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := e.tags(t, e.v["consumer"]); fmt.Sprint(got) != "map[b:2]" {
				t.Errorf("consumer tags after untag %v", got)
			}
		},
		bad: []confBad{
			{"unknown consumer", func(e *confEnv) error {
				_, err := e.kc.UntagResource(e.ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(e.streamARN + "/consumer/nobody:1"), TagKeys: []string{"a"}})
				return err
			}, "ResourceNotFoundException", "nobody"},
			{"too many keys", func(e *confEnv) error {
				keys := make([]string, 51)
				for i := range keys {
					keys[i] = fmt.Sprint("k", i)
				}
				_, err := e.kc.UntagResource(e.ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(e.v["consumer"]), TagKeys: keys})
				return err
			}, "ValidationException", "tagKeys"},
		},
	}, {
		op: "ListTagsForResource",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{"z": "26", "a": "1"}}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.ListTagsForResource(e.ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(e.streamARN)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			tags := e.out.(*kinesis.ListTagsForResourceOutput).Tags
			if len(tags) != 2 || *tags[0].Key != "a" || *tags[1].Value != "26" {
				t.Errorf("tags %v", tags)
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.ListTagsForResource(e.ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(e.missingARN())})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"malformed ARN", func(e *confEnv) error {
				_, err := e.kc.ListTagsForResource(e.ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:12:stream/x")})
				return err
			}, "ValidationException", "resourceARN"},
		},
	}, {
		op: "PutResourcePolicy",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.streamARN), Policy: aws.String(testPolicy)})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := e.policy(t, e.streamARN); got != testPolicy {
				t.Errorf("policy %s", got)
			}
		},
		bad: []confBad{
			{"not JSON", func(e *confEnv) error {
				_, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.streamARN), Policy: aws.String("allow everyone")})
				return err
			}, "InvalidArgumentException", "JSON"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.missingARN()), Policy: aws.String(testPolicy)})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "GetResourcePolicy",
		setup: func(t *testing.T, e *confEnv) {
			e.v["consumer"] = e.registerConsumer(t, "governed")
			if _, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.v["consumer"]), Policy: aws.String(testPolicy)}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.GetResourcePolicy(e.ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(e.v["consumer"])})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := aws.ToString(e.out.(*kinesis.GetResourcePolicyOutput).Policy); got != testPolicy {
				t.Errorf("consumer policy %s", got)
			}
			if got := e.policy(t, e.streamARN); got != "{}" {
				t.Errorf("stream without a policy answered %s", got)
			}
		},
		bad: []confBad{
			{"unknown consumer", func(e *confEnv) error {
				_, err := e.kc.GetResourcePolicy(e.ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(e.streamARN + "/consumer/nobody:1")})
				return err
			}, "ResourceNotFoundException", "nobody"},
		},
	}, {
		op: "DeleteResourcePolicy",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.streamARN), Policy: aws.String(testPolicy)}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.DeleteResourcePolicy(e.ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(e.streamARN)})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := e.policy(t, e.streamARN); got != "{}" {
				t.Errorf("policy after delete %s", got)
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.DeleteResourcePolicy(e.ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(e.missingARN())})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}}
}
