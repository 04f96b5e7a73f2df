package esm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Starting positions of a mapping, as Lambda names them.
const (
	Latest      = "LATEST"
	TrimHorizon = "TRIM_HORIZON"
	AtTimestamp = "AT_TIMESTAMP"
)

// ReportBatchItemFailures is the one function response type Lambda knows for Kinesis.
const ReportBatchItemFailures = "ReportBatchItemFailures"

// Mapping is an event source mapping from a Kinesis stream to a function: the members of
// `aws lambda create-event-source-mapping --cli-input-json` that apply to Kinesis, with the same
// JSON names, so a mapping written for AWS (or by infrastructure code) is read unchanged.
//
// Optional members are pointers, as in the AWS SDKs, so that a zero differs from absent; New and
// ParseMapping fill absent members with Lambda's defaults.
type Mapping struct {
	// EventSourceArn is the stream's ARN, or the ARN of a consumer registered on it
	// (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME[/consumer/CONSUMER:CREATION]).
	EventSourceArn string `json:"EventSourceArn"`
	// FunctionName is the function's name or ARN; it names the function in logs and failure records.
	FunctionName string `json:"FunctionName"`
	// Enabled is true by default; a disabled mapping reads nothing.
	Enabled *bool `json:"Enabled,omitempty"`
	// StartingPosition is LATEST, TRIM_HORIZON or AT_TIMESTAMP (required).
	StartingPosition string `json:"StartingPosition"`
	// StartingPositionTimestamp is the Unix time in seconds AT_TIMESTAMP starts at. ParseMapping
	// also takes it as the AWS CLI does, as an ISO 8601 string ("2026-03-01T12:00:00Z").
	StartingPositionTimestamp *float64 `json:"StartingPositionTimestamp,omitempty"`
	// BatchSize is the most records in one invocation: 1-10000, default 100.
	BatchSize *int32 `json:"BatchSize,omitempty"`
	// MaximumBatchingWindowInSeconds is how long records are gathered before an invocation that
	// is not full: 0-300, default 0.
	MaximumBatchingWindowInSeconds *int32 `json:"MaximumBatchingWindowInSeconds,omitempty"`
	// ParallelizationFactor is how many batches of one shard may be in flight at once: 1-10,
	// default 1. Records of one partition key stay in order.
	ParallelizationFactor *int32 `json:"ParallelizationFactor,omitempty"`
	// MaximumRetryAttempts is how often a failed batch is retried: -1 (until the records expire,
	// the default) or 0-10000.
	MaximumRetryAttempts *int32 `json:"MaximumRetryAttempts,omitempty"`
	// MaximumRecordAgeInSeconds discards batches whose records are older: -1 (never, the default)
	// or 60-604800.
	MaximumRecordAgeInSeconds *int32 `json:"MaximumRecordAgeInSeconds,omitempty"`
	// BisectBatchOnFunctionError splits a failing batch in two and retries each half.
	BisectBatchOnFunctionError *bool `json:"BisectBatchOnFunctionError,omitempty"`
	// FunctionResponseTypes may hold ReportBatchItemFailures.
	FunctionResponseTypes []string `json:"FunctionResponseTypes,omitempty"`
	// TumblingWindowInSeconds turns tumbling windows on: 0 (off, the default) to 900.
	TumblingWindowInSeconds *int32 `json:"TumblingWindowInSeconds,omitempty"`
	// FilterCriteria drops the records that match none of its filters.
	FilterCriteria *FilterCriteria `json:"FilterCriteria,omitempty"`
	// DestinationConfig names where batches go when their retries end.
	DestinationConfig *DestinationConfig `json:"DestinationConfig,omitempty"`

	// Members that CreateEventSourceMapping accepts and that change nothing here.
	Tags                    map[string]string `json:"Tags,omitempty"`
	KMSKeyArn               *string           `json:"KMSKeyArn,omitempty"`
	MetricsConfig           json.RawMessage   `json:"MetricsConfig,omitempty"`
	ProvisionedPollerConfig json.RawMessage   `json:"ProvisionedPollerConfig,omitempty"`
}

// FilterCriteria is a mapping's list of filters; a record is kept when any filter matches it.
type FilterCriteria struct {
	Filters []Filter `json:"Filters"`
}

// Filter holds one filter pattern, a JSON document in Lambda's (EventBridge's) pattern syntax.
type Filter struct {
	Pattern string `json:"Pattern"`
}

// DestinationConfig is where Lambda sends batches it gives up on.
type DestinationConfig struct {
	OnFailure *OnFailure `json:"OnFailure,omitempty"`
	// OnSuccess is part of the command's input, but Kinesis mappings take no success
	// destination: Validate refuses one.
	OnSuccess *OnFailure `json:"OnSuccess,omitempty"`
}

// OnFailure names the destination of discarded batches: an SQS queue, SNS topic or S3 bucket ARN.
type OnFailure struct {
	Destination string `json:"Destination,omitempty"`
}

// Lambda's defaults and limits for Kinesis mappings.
const (
	DefaultBatchSize = 100
	MaxBatchSize     = 10000
	MaxBatchWindow   = 300
	MaxParallel      = 10
	MaxRetryAttempts = 10000
	MinRecordAge     = 60
	MaxRecordAge     = 604800
	MaxTumbling      = 900
	// MaxPayload is Lambda's limit on a synchronous invocation's payload: a batch is cut before
	// the record that would take its event JSON over it.
	MaxPayload = 6 * 1024 * 1024
)

// ParseMapping reads a mapping from the JSON that create-event-source-mapping --cli-input-json
// takes. Members the command does not know are refused as the AWS CLI refuses them; absent
// members get Lambda's defaults; the result is validated.
func ParseMapping(data []byte) (Mapping, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Mapping{}, fmt.Errorf("esm: read mapping: %w", err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !knownMember(k) {
			return Mapping{}, fmt.Errorf("esm: parameter validation failed: Unknown parameter in input: %q, must be one of: %s", k, strings.Join(memberNames(), ", "))
		}
	}
	for _, k := range keys {
		if !kinesisMember(k) {
			return Mapping{}, invalid("Unsupported parameter for the event source: %s does not apply to Amazon Kinesis.", k)
		}
	}
	if ts, ok := raw["StartingPositionTimestamp"]; ok {
		secs, err := parseTimestamp(ts)
		if err != nil {
			return Mapping{}, fmt.Errorf("esm: parameter validation failed: Invalid timestamp value for StartingPositionTimestamp: %w", err)
		}
		raw["StartingPositionTimestamp"], _ = json.Marshal(secs)
		data, _ = json.Marshal(raw) // raw messages and a number: cannot fail
	}
	var m Mapping
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Mapping{}, fmt.Errorf("esm: read mapping: %w", err)
	}
	m = m.WithDefaults()
	if err := m.Validate(); err != nil {
		return Mapping{}, err
	}
	return m, nil
}

// parseTimestamp reads a timestamp as the AWS CLI takes it: Unix seconds as a number (or a
// string of one), or an ISO 8601 date and time, UTC when it names no zone.
func parseTimestamp(raw json.RawMessage) (float64, error) {
	var n float64
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("%s is neither a number nor a string", raw)
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return n, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return float64(t.UnixNano()) / 1e9, nil
		}
	}
	return 0, fmt.Errorf("%q is not Unix seconds nor an ISO 8601 time", s)
}

// memberNames lists what --cli-input-json of create-event-source-mapping accepts; the members
// that do not apply to Kinesis are known (so the CLI's check passes) and refused by Validate.
func memberNames() []string {
	names := []string{
		"EventSourceArn", "FunctionName", "Enabled", "BatchSize", "FilterCriteria",
		"MaximumBatchingWindowInSeconds", "ParallelizationFactor", "StartingPosition",
		"StartingPositionTimestamp", "DestinationConfig", "MaximumRecordAgeInSeconds",
		"BisectBatchOnFunctionError", "MaximumRetryAttempts", "Tags", "TumblingWindowInSeconds",
		"Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource",
		"FunctionResponseTypes", "AmazonManagedKafkaEventSourceConfig",
		"SelfManagedKafkaEventSourceConfig", "ScalingConfig", "DocumentDBEventSourceConfig",
		"KMSKeyArn", "MetricsConfig", "ProvisionedPollerConfig",
	}
	sort.Strings(names)
	return names
}

// kinesisMember reports whether a member of the command applies to a Kinesis mapping.
func kinesisMember(k string) bool {
	switch k {
	case "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource",
		"AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig", "ScalingConfig",
		"DocumentDBEventSourceConfig":
		return false
	}
	return true
}

func knownMember(k string) bool {
	for _, n := range memberNames() {
		if n == k {
			return true
		}
	}
	return false
}

// WithDefaults returns m with every absent optional member set to Lambda's default.
func (m Mapping) WithDefaults() Mapping {
	i32 := func(p **int32, v int32) {
		if *p == nil {
			*p = &v
		}
	}
	b := func(p **bool, v bool) {
		if *p == nil {
			*p = &v
		}
	}
	b(&m.Enabled, true)
	i32(&m.BatchSize, DefaultBatchSize)
	i32(&m.MaximumBatchingWindowInSeconds, 0)
	i32(&m.ParallelizationFactor, 1)
	i32(&m.MaximumRetryAttempts, -1)
	i32(&m.MaximumRecordAgeInSeconds, -1)
	b(&m.BisectBatchOnFunctionError, false)
	i32(&m.TumblingWindowInSeconds, 0)
	return m
}

// ValidationError is what Lambda answers a mapping it refuses with: its error code
// (ValidationException for a value outside the API's ranges or enums,
// InvalidParameterValueException for Lambda's own rules) and its message.
type ValidationError struct {
	Code    string
	Message string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("esm: %s: %s", e.Code, e.Message)
}

func invalid(format string, args ...any) error {
	return &ValidationError{Code: "InvalidParameterValueException", Message: fmt.Sprintf(format, args...)}
}

// Validate checks m against Lambda's rules for Kinesis mappings, with absent members taken as
// their defaults, and answers the first broken rule as a *ValidationError.
func (m Mapping) Validate() error {
	m = m.WithDefaults()
	if m.FunctionName == "" {
		return invalid("FunctionName must not be empty.")
	}
	if _, err := ParseSourceARN(m.EventSourceArn); err != nil {
		return err
	}
	var errs []string
	constraint := func(name string, v int32, cond bool, rule string) {
		if !cond {
			errs = append(errs, fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: %s", v, lowerFirst(name), rule))
		}
	}
	bs := *m.BatchSize
	constraint("BatchSize", bs, bs >= 1 && bs <= MaxBatchSize, "Member must have value less than or equal to 10000 and greater than or equal to 1")
	w := *m.MaximumBatchingWindowInSeconds
	constraint("MaximumBatchingWindowInSeconds", w, w >= 0 && w <= MaxBatchWindow, "Member must have value less than or equal to 300 and greater than or equal to 0")
	p := *m.ParallelizationFactor
	constraint("ParallelizationFactor", p, p >= 1 && p <= MaxParallel, "Member must have value less than or equal to 10 and greater than or equal to 1")
	r := *m.MaximumRetryAttempts
	constraint("MaximumRetryAttempts", r, r >= -1 && r <= MaxRetryAttempts, "Member must have value less than or equal to 10000 and greater than or equal to -1")
	a := *m.MaximumRecordAgeInSeconds
	constraint("MaximumRecordAgeInSeconds", a, a >= -1 && a <= MaxRecordAge, "Member must have value less than or equal to 604800 and greater than or equal to -1")
	tw := *m.TumblingWindowInSeconds
	constraint("TumblingWindowInSeconds", tw, tw >= 0 && tw <= MaxTumbling, "Member must have value less than or equal to 900 and greater than or equal to 0")
	if len(errs) > 0 {
		return &ValidationError{Code: "ValidationException", Message: fmt.Sprintf("%d validation error%s detected: %s", len(errs), plural(len(errs)), strings.Join(errs, "; "))}
	}
	if a != -1 && a < MinRecordAge {
		return invalid("MaximumRecordAgeInSeconds must be either -1 (forever) or between %d and %d (inclusive)", MinRecordAge, MaxRecordAge)
	}
	switch m.StartingPosition {
	case Latest, TrimHorizon:
		if m.StartingPositionTimestamp != nil {
			return invalid("StartingPositionTimestamp can only be specified when StartingPosition is AT_TIMESTAMP.")
		}
	case AtTimestamp:
		if m.StartingPositionTimestamp == nil {
			return invalid("StartingPositionTimestamp must be specified when StartingPosition is AT_TIMESTAMP.")
		}
	case "":
		return invalid("StartingPosition must be specified for Kinesis event sources.")
	default:
		return &ValidationError{Code: "ValidationException", Message: fmt.Sprintf("1 validation error detected: Value '%s' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]", m.StartingPosition)}
	}
	for _, t := range m.FunctionResponseTypes {
		if t != ReportBatchItemFailures {
			return &ValidationError{Code: "ValidationException", Message: fmt.Sprintf("1 validation error detected: Value '[%s]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]", t)}
		}
	}
	if m.FilterCriteria != nil {
		if _, err := compileFilters(*m.FilterCriteria); err != nil {
			return err
		}
	}
	if m.DestinationConfig != nil && m.DestinationConfig.OnSuccess != nil && m.DestinationConfig.OnSuccess.Destination != "" {
		return invalid("Unsupported DestinationConfig parameter for given event source mapping type: OnSuccess.")
	}
	if d := m.onFailureDestination(); d != "" {
		if _, err := destinationKind(d); err != nil {
			return err
		}
	} else if m.DestinationConfig != nil && m.DestinationConfig.OnFailure != nil {
		return invalid("The destination ARN must not be empty.")
	}
	return nil
}

func (m Mapping) onFailureDestination() string {
	if m.DestinationConfig == nil || m.DestinationConfig.OnFailure == nil {
		return ""
	}
	return m.DestinationConfig.OnFailure.Destination
}

func (m Mapping) reportsItemFailures() bool {
	for _, t := range m.FunctionResponseTypes {
		if t == ReportBatchItemFailures {
			return true
		}
	}
	return false
}

// startTime is the AT_TIMESTAMP start as a time.
func (m Mapping) startTime() time.Time {
	if m.StartingPositionTimestamp == nil {
		return time.Time{}
	}
	ts := *m.StartingPositionTimestamp
	sec := int64(ts)
	return time.Unix(sec, int64((ts-float64(sec))*1e9))
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
