//go:build interop

package esm_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/pelicanhq/pelican/internal/interop"
	"github.com/pelicanhq/pelican/lambda/esm"
)

// TestInteropCLISkeleton holds ParseMapping to the AWS CLI's own input of
// create-event-source-mapping: every member the CLI writes is one ParseMapping knows, and the
// skeleton filled in for Kinesis (its timestamp in the CLI's format) is accepted.
func TestInteropCLISkeleton(t *testing.T) {
	aws := interop.AWSCLI(t)
	out, err := exec.Command(aws, "lambda", "create-event-source-mapping", "--generate-cli-skeleton", "input").Output()
	if err != nil {
		t.Fatalf("aws --generate-cli-skeleton: %v", err)
	}
	var skeleton map[string]json.RawMessage
	if err := json.Unmarshal(out, &skeleton); err != nil {
		t.Fatalf("skeleton: %v\n%s", err, out)
	}
	for member := range skeleton {
		_, err := esm.ParseMapping([]byte(`{"` + member + `": null}`))
		if err != nil && strings.Contains(err.Error(), "Unknown parameter") {
			t.Errorf("the CLI's member %s is unknown to ParseMapping: %v", member, err)
		}
	}
	// Keep the members that apply to Kinesis, fill in what Lambda requires, and parse.
	for _, m := range []string{"Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource",
		"AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig", "ScalingConfig",
		"DocumentDBEventSourceConfig", "ProvisionedPollerConfig", "MetricsConfig", "KMSKeyArn"} {
		delete(skeleton, m)
	}
	set := func(k string, v any) {
		b, _ := json.Marshal(v)
		skeleton[k] = b
	}
	set("EventSourceArn", "arn:aws:kinesis:us-east-1:123456789012:stream/orders")
	set("FunctionName", "notifier")
	set("BatchSize", 100)
	set("ParallelizationFactor", 2)
	set("MaximumRecordAgeInSeconds", 3600)
	set("MaximumRetryAttempts", 5)
	set("StartingPosition", "AT_TIMESTAMP")
	set("DestinationConfig", map[string]any{"OnFailure": map[string]string{"Destination": "arn:aws:sqs:us-east-1:123456789012:dlq"}})
	set("FilterCriteria", map[string]any{"Filters": []map[string]string{{"Pattern": `{"data":{"kind":["order"]}}`}}})
	// StartingPositionTimestamp stays as the CLI wrote it: "1970-01-01T00:00:00".
	data, _ := json.Marshal(skeleton)
	m, err := esm.ParseMapping(data)
	if err != nil {
		t.Fatalf("ParseMapping of the CLI's skeleton: %v\n%s", err, data)
	}
	if *m.StartingPositionTimestamp != 0 || *m.ParallelizationFactor != 2 {
		t.Fatalf("mapping = %+v", m)
	}
}
