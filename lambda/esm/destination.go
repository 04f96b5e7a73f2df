package esm

import "strings"

// destinationKind tells an on-failure destination's service from its ARN: sqs, sns or s3.
func destinationKind(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" {
		switch parts[2] {
		case "sqs", "sns", "s3":
			return parts[2], nil
		}
	}
	return "", invalid("Unsupported destination ARN %q: the on-failure destination of a Kinesis mapping is an SQS queue, SNS topic or S3 bucket.", arn)
}
