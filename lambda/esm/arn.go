package esm

import "strings"

// SourceARN is an event source ARN taken apart: a Kinesis stream, or a consumer registered on one.
type SourceARN struct {
	// ARN is the ARN as given.
	ARN string
	// StreamARN is the stream's ARN (the ARN itself when it names a stream).
	StreamARN string
	// Partition, Region and Account come from the ARN; the event's awsRegion is Region.
	Partition, Region, Account string
	// Stream is the stream's name.
	Stream string
	// Consumer is the consumer's name when the ARN names a consumer, else empty.
	Consumer string
}

// ParseSourceARN reads arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME, optionally followed by
// /consumer/NAME:CREATION for a stream consumer, as CreateEventSourceMapping accepts them.
func ParseSourceARN(arn string) (SourceARN, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" || parts[3] == "" || parts[4] == "" {
		return SourceARN{}, invalid("Invalid EventSourceArn: %q is not the ARN of a Kinesis stream or stream consumer.", arn)
	}
	res := strings.Split(parts[5], "/")
	out := SourceARN{ARN: arn, Partition: parts[1], Region: parts[3], Account: parts[4]}
	switch {
	case len(res) == 2 && res[0] == "stream" && validStreamName(res[1]):
		out.Stream = res[1]
		out.StreamARN = arn
	case len(res) == 4 && res[0] == "stream" && validStreamName(res[1]) && res[2] == "consumer" && res[3] != "":
		out.Stream = res[1]
		out.StreamARN = strings.Join(parts[:5], ":") + ":stream/" + res[1]
		out.Consumer, _, _ = strings.Cut(res[3], ":")
	default:
		return SourceARN{}, invalid("Invalid EventSourceArn: %q is not the ARN of a Kinesis stream or stream consumer.", arn)
	}
	return out, nil
}

func validStreamName(s string) bool {
	if len(s) < 1 || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// StreamARN builds the ARN of a stream in the aws partition, as the emulator and AWS name it.
func StreamARN(region, account, stream string) string {
	return "arn:aws:kinesis:" + region + ":" + account + ":stream/" + stream
}
