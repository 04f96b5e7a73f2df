package esm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pelicanhq/pelican/lambda/esm"
)

const arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"

func TestParseMappingDefaults(t *testing.T) {
	m, err := esm.ParseMapping([]byte(`{"EventSourceArn":"` + arn + `","FunctionName":"f","StartingPosition":"LATEST"}`))
	if err != nil {
		t.Fatal(err)
	}
	if *m.BatchSize != 100 || *m.MaximumBatchingWindowInSeconds != 0 || *m.ParallelizationFactor != 1 ||
		*m.MaximumRetryAttempts != -1 || *m.MaximumRecordAgeInSeconds != -1 || *m.BisectBatchOnFunctionError ||
		*m.TumblingWindowInSeconds != 0 || !*m.Enabled {
		t.Fatalf("defaults = %+v", m)
	}
}

func TestParseMappingFull(t *testing.T) {
	m, err := esm.ParseMapping([]byte(`{
	  "EventSourceArn": "arn:aws:kinesis:eu-west-1:123456789012:stream/orders/consumer/lambda:1700000000",
	  "FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:notifier",
	  "Enabled": true,
	  "StartingPosition": "AT_TIMESTAMP",
	  "StartingPositionTimestamp": 1700000000.5,
	  "BatchSize": 500,
	  "MaximumBatchingWindowInSeconds": 2,
	  "ParallelizationFactor": 4,
	  "MaximumRetryAttempts": 3,
	  "MaximumRecordAgeInSeconds": 3600,
	  "BisectBatchOnFunctionError": true,
	  "FunctionResponseTypes": ["ReportBatchItemFailures"],
	  "TumblingWindowInSeconds": 120,
	  "FilterCriteria": {"Filters": [{"Pattern": "{\"data\":{\"kind\":[\"order\"]}}"}]},
	  "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:eu-west-1:123456789012:dlq"}},
	  "Tags": {"team": "payments"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if *m.BatchSize != 500 || *m.ParallelizationFactor != 4 || *m.TumblingWindowInSeconds != 120 || len(m.FilterCriteria.Filters) != 1 {
		t.Fatalf("mapping = %+v", m)
	}
	src, err := esm.ParseSourceARN(m.EventSourceArn)
	if err != nil || src.StreamARN != arn || src.Consumer != "lambda" || src.Region != "eu-west-1" || src.Account != "123456789012" {
		t.Fatalf("source = %+v, %v", src, err)
	}
}

// TestParseMappingUnknownMember: like the AWS CLI, a member create-event-source-mapping does not
// know is refused, naming it; a member it knows that is not for Kinesis is refused by Lambda.
func TestParseMappingUnknownMember(t *testing.T) {
	_, err := esm.ParseMapping([]byte(`{"EventSourceArn":"` + arn + `","FunctionName":"f","StartingPosition":"LATEST","BatchSise":10}`))
	if err == nil || !strings.Contains(err.Error(), `Unknown parameter in input: "BatchSise"`) {
		t.Fatalf("err = %v", err)
	}
	_, err = esm.ParseMapping([]byte(`{"EventSourceArn":"` + arn + `","FunctionName":"f","StartingPosition":"LATEST","Queues":["q"]}`))
	var ve *esm.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Message, "Queues") {
		t.Fatalf("err = %v", err)
	}
	if _, err := esm.ParseMapping([]byte(`{"BatchSize":"ten"}`)); err == nil {
		t.Fatal("a string BatchSize was accepted")
	}
}

func TestValidateRanges(t *testing.T) {
	base := func() esm.Mapping {
		return esm.Mapping{EventSourceArn: arn, FunctionName: "f", StartingPosition: esm.Latest}
	}
	ts := 1.7e9
	for _, tc := range []struct {
		name string
		edit func(*esm.Mapping)
		ok   bool
		code string
	}{
		{"defaults", func(*esm.Mapping) {}, true, ""},
		{"batch 1", func(m *esm.Mapping) { m.BatchSize = i32(1) }, true, ""},
		{"batch 10000", func(m *esm.Mapping) { m.BatchSize = i32(10000) }, true, ""},
		{"batch 0", func(m *esm.Mapping) { m.BatchSize = i32(0) }, false, "ValidationException"},
		{"batch 10001", func(m *esm.Mapping) { m.BatchSize = i32(10001) }, false, "ValidationException"},
		{"window 300", func(m *esm.Mapping) { m.MaximumBatchingWindowInSeconds = i32(300) }, true, ""},
		{"window 301", func(m *esm.Mapping) { m.MaximumBatchingWindowInSeconds = i32(301) }, false, "ValidationException"},
		{"window -1", func(m *esm.Mapping) { m.MaximumBatchingWindowInSeconds = i32(-1) }, false, "ValidationException"},
		{"factor 10", func(m *esm.Mapping) { m.ParallelizationFactor = i32(10) }, true, ""},
		{"factor 0", func(m *esm.Mapping) { m.ParallelizationFactor = i32(0) }, false, "ValidationException"},
		{"factor 11", func(m *esm.Mapping) { m.ParallelizationFactor = i32(11) }, false, "ValidationException"},
		{"retries -1", func(m *esm.Mapping) { m.MaximumRetryAttempts = i32(-1) }, true, ""},
		{"retries 0", func(m *esm.Mapping) { m.MaximumRetryAttempts = i32(0) }, true, ""},
		{"retries 10000", func(m *esm.Mapping) { m.MaximumRetryAttempts = i32(10000) }, true, ""},
		{"retries -2", func(m *esm.Mapping) { m.MaximumRetryAttempts = i32(-2) }, false, "ValidationException"},
		{"retries 10001", func(m *esm.Mapping) { m.MaximumRetryAttempts = i32(10001) }, false, "ValidationException"},
		{"age -1", func(m *esm.Mapping) { m.MaximumRecordAgeInSeconds = i32(-1) }, true, ""},
		{"age 60", func(m *esm.Mapping) { m.MaximumRecordAgeInSeconds = i32(60) }, true, ""},
		{"age 604800", func(m *esm.Mapping) { m.MaximumRecordAgeInSeconds = i32(604800) }, true, ""},
		{"age 59", func(m *esm.Mapping) { m.MaximumRecordAgeInSeconds = i32(59) }, false, "InvalidParameterValueException"},
		{"age 0", func(m *esm.Mapping) { m.MaximumRecordAgeInSeconds = i32(0) }, false, "InvalidParameterValueException"},
		{"age 604801", func(m *esm.Mapping) { m.MaximumRecordAgeInSeconds = i32(604801) }, false, "ValidationException"},
		{"tumbling 900", func(m *esm.Mapping) { m.TumblingWindowInSeconds = i32(900) }, true, ""},
		{"tumbling 901", func(m *esm.Mapping) { m.TumblingWindowInSeconds = i32(901) }, false, "ValidationException"},
		{"no starting position", func(m *esm.Mapping) { m.StartingPosition = "" }, false, "InvalidParameterValueException"},
		{"bad starting position", func(m *esm.Mapping) { m.StartingPosition = "EARLIEST" }, false, "ValidationException"},
		{"at timestamp without one", func(m *esm.Mapping) { m.StartingPosition = esm.AtTimestamp }, false, "InvalidParameterValueException"},
		{"at timestamp", func(m *esm.Mapping) { m.StartingPosition, m.StartingPositionTimestamp = esm.AtTimestamp, &ts }, true, ""},
		{"timestamp without at timestamp", func(m *esm.Mapping) { m.StartingPositionTimestamp = &ts }, false, "InvalidParameterValueException"},
		{"response type", func(m *esm.Mapping) { m.FunctionResponseTypes = []string{"ReportItemFailures"} }, false, "ValidationException"},
		{"no function", func(m *esm.Mapping) { m.FunctionName = "" }, false, "InvalidParameterValueException"},
		{"not kinesis", func(m *esm.Mapping) { m.EventSourceArn = "arn:aws:sqs:eu-west-1:123456789012:q" }, false, "InvalidParameterValueException"},
		{"lambda destination", func(m *esm.Mapping) {
			m.DestinationConfig = &esm.DestinationConfig{OnFailure: &esm.OnFailure{Destination: "arn:aws:lambda:eu-west-1:123456789012:function:x"}}
		}, false, "InvalidParameterValueException"},
		{"eleven filters", func(m *esm.Mapping) {
			m.FilterCriteria = &esm.FilterCriteria{}
			for range 11 {
				m.FilterCriteria.Filters = append(m.FilterCriteria.Filters, esm.Filter{Pattern: `{"data":{"k":["v"]}}`})
			}
		}, false, "InvalidParameterValueException"},
		{"sns destination", func(m *esm.Mapping) {
			m.DestinationConfig = &esm.DestinationConfig{OnFailure: &esm.OnFailure{Destination: "arn:aws:sns:eu-west-1:123456789012:topic"}}
		}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(&m)
			err := m.Validate()
			if tc.ok {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			var ve *esm.ValidationError
			if !errors.As(err, &ve) || ve.Code != tc.code {
				t.Fatalf("Validate = %v, want a %s", err, tc.code)
			}
			if tc.name == "age 59" && ve.Message != "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)" {
				t.Fatalf("message = %q, not Lambda's", ve.Message)
			}
		})
	}
}

// TestParseMappingTimestamp: StartingPositionTimestamp is taken as the AWS CLI takes
// timestamps: Unix seconds, or ISO 8601.
func TestParseMappingTimestamp(t *testing.T) {
	want := 1772366400.0 // 2026-03-01T12:00:00Z
	for _, ts := range []string{`1772366400`, `"1772366400"`, `"2026-03-01T12:00:00Z"`, `"2026-03-01T13:00:00+01:00"`, `"2026-03-01T12:00:00"`} {
		m, err := esm.ParseMapping([]byte(`{"EventSourceArn":"` + arn + `","FunctionName":"f","StartingPosition":"AT_TIMESTAMP","StartingPositionTimestamp":` + ts + `}`))
		if err != nil {
			t.Errorf("%s: %v", ts, err)
			continue
		}
		if *m.StartingPositionTimestamp != want {
			t.Errorf("%s = %v, want %v", ts, *m.StartingPositionTimestamp, want)
		}
	}
	if _, err := esm.ParseMapping([]byte(`{"EventSourceArn":"` + arn + `","FunctionName":"f","StartingPosition":"AT_TIMESTAMP","StartingPositionTimestamp":"yesterday"}`)); err == nil {
		t.Error("a timestamp of words was accepted")
	}
}

func TestOnSuccessDestinationRefused(t *testing.T) {
	_, err := esm.ParseMapping([]byte(`{"EventSourceArn":"` + arn + `","FunctionName":"f","StartingPosition":"LATEST",
		"DestinationConfig":{"OnSuccess":{"Destination":"arn:aws:sqs:eu-west-1:123456789012:ok"}}}`))
	var ve *esm.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a ValidationError", err)
	}
}
