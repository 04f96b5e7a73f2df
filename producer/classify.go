package producer

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// failure is what the producer makes of an error of a PutRecords call or of one of its entries.
type failure struct {
	code      string
	err       error // what a record that fails for good reports
	retryable bool
	ambiguous bool // Kinesis may have written the records anyway
	throttled bool // the shard or account refused for throughput
}

// throttleCodes are the errors of a caller going too fast; nothing was written.
var throttleCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"LimitExceededException":                 true,
	"ThrottlingException":                    true,
	"Throttling":                             true,
	"KMSThrottlingException":                 true,
	"RequestLimitExceeded":                   true,
	"TooManyRequestsException":               true,
	"SlowDown":                               true,
}

// serverCodes are the errors of a service that failed while handling the call; whether the write
// happened is unknown.
var serverCodes = map[string]bool{
	"InternalFailure":             true,
	"InternalServerError":         true,
	"ServiceUnavailable":          true,
	"ServiceUnavailableException": true,
	"RequestTimeout":              true,
	"RequestTimeoutException":     true,
}

// classifyCall sorts the error of a whole PutRecords call.
func classifyCall(err error) failure {
	f := failure{err: fmt.Errorf("producer: PutRecords: %w", err)}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		f.code = ae.ErrorCode()
		var re *awshttp.ResponseError
		status := 0
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		switch {
		case throttleCodes[f.code]:
			f.retryable, f.throttled = true, true
		case serverCodes[f.code] || status >= 500:
			f.retryable, f.ambiguous = true, true
		}
		return f
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		f.code, f.retryable, f.ambiguous = "RequestTimeout", true, true
	case errors.Is(err, context.Canceled):
		f.code, f.retryable, f.ambiguous = "Canceled", true, true
	case errors.Is(err, syscall.ECONNREFUSED):
		// Nothing reached the service.
		f.code, f.retryable = "ConnectionRefused", true
	default:
		var send *smithyhttp.RequestSendError
		var deser *smithy.DeserializationError
		var params smithy.InvalidParamsError
		var ser *smithy.SerializationError
		switch {
		case errors.As(err, &params):
			f.code = "InvalidParameter" // the SDK refused the request: retrying cannot help
		case errors.As(err, &ser):
			f.code = "SerializationError"
		case errors.As(err, &send):
			f.code, f.retryable, f.ambiguous = "RequestSendError", true, true
		case errors.As(err, &deser):
			f.code, f.retryable, f.ambiguous = "DeserializationError", true, true
		default:
			// Failed before sending: credentials, signing, endpoint resolution.
			f.code, f.retryable = "ClientError", true
		}
	}
	return f
}

// classifyEntry sorts the error of one entry of a PutRecords answer. Kinesis documents
// ProvisionedThroughputExceededException and InternalFailure; neither wrote the record.
func classifyEntry(code, message string) failure {
	f := failure{code: code, err: &RecordError{Code: code, Message: message}}
	switch {
	case throttleCodes[code]:
		f.retryable, f.throttled = true, true
	case serverCodes[code]:
		f.retryable = true
	}
	return f
}
