package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is an AWS error answer: the __type clients branch on, the HTTP status and the message.
type Error struct {
	Code    string
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(code string, status int, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Status: status, Message: msg}
}

// Constructors, one per AWS error the emulator answers with. Kinesis answers every client error with
// HTTP 400 and an internal failure with 500.

// errResourceNotFound is ResourceNotFoundException.
func errResourceNotFound(format string, args ...any) *Error {
	return newError("ResourceNotFoundException", http.StatusBadRequest, format, args...)
}

// errResourceInUse is ResourceInUseException.
func errResourceInUse(format string, args ...any) *Error {
	return newError("ResourceInUseException", http.StatusBadRequest, format, args...)
}

// errInvalidArgument is InvalidArgumentException.
func errInvalidArgument(format string, args ...any) *Error {
	return newError("InvalidArgumentException", http.StatusBadRequest, format, args...)
}

// errValidation is ValidationException.
func errValidation(format string, args ...any) *Error {
	return newError("ValidationException", http.StatusBadRequest, format, args...)
}

// errLimitExceeded is LimitExceededException.
func errLimitExceeded(format string, args ...any) *Error {
	return newError("LimitExceededException", http.StatusBadRequest, format, args...)
}

// errProvisionedThroughputExceeded is ProvisionedThroughputExceededException.
func errProvisionedThroughputExceeded(format string, args ...any) *Error {
	return newError("ProvisionedThroughputExceededException", http.StatusBadRequest, format, args...)
}

// errExpiredIterator is ExpiredIteratorException.
func errExpiredIterator(format string, args ...any) *Error {
	return newError("ExpiredIteratorException", http.StatusBadRequest, format, args...)
}

// errExpiredNextToken is ExpiredNextTokenException.
func errExpiredNextToken(format string, args ...any) *Error {
	return newError("ExpiredNextTokenException", http.StatusBadRequest, format, args...)
}

// errAccessDenied is AccessDeniedException.
func errAccessDenied(format string, args ...any) *Error {
	return newError("AccessDeniedException", http.StatusBadRequest, format, args...)
}

// errSerialization is SerializationException, for a body that does not decode.
func errSerialization(format string, args ...any) *Error {
	return newError("SerializationException", http.StatusBadRequest, format, args...)
}

// errSerializationBare is SerializationException without a message, the service's answer to a
// body it cannot read at all (empty, not JSON or CBOR, or not an object).
func errSerializationBare() *Error {
	return &Error{Code: "SerializationException", Status: http.StatusBadRequest}
}

// errUnknownOperation is UnknownOperationException.
func errUnknownOperation() *Error {
	return &Error{Code: "UnknownOperationException", Status: http.StatusBadRequest}
}

// errMissingAuthenticationToken is MissingAuthenticationTokenException, for an unsigned request.
func errMissingAuthenticationToken() *Error {
	return &Error{Code: "MissingAuthenticationTokenException", Status: http.StatusBadRequest, Message: "Missing Authentication Token"}
}

// errUnrecognizedClient is UnrecognizedClientException, for an access key strict mode does not know.
func errUnrecognizedClient() *Error {
	return &Error{Code: "UnrecognizedClientException", Status: http.StatusBadRequest, Message: "The security token included in the request is invalid."}
}

// errInternalFailure is InternalFailure (HTTP 500).
func errInternalFailure(format string, args ...any) *Error {
	return newError("InternalFailure", http.StatusInternalServerError, format, args...)
}

// errorByCode builds an error of a named AWS type, for fault injection.
func errorByCode(code, message string) *Error {
	status := http.StatusBadRequest
	if code == "InternalFailure" || code == "InternalFailureException" || code == "ServiceUnavailable" {
		status = http.StatusInternalServerError
	}
	if code == "ServiceUnavailable" {
		status = http.StatusServiceUnavailable
	}
	if message == "" {
		message = "Injected fault"
	}
	return &Error{Code: code, Status: status, Message: message}
}

// Constructors of the messages several operations answer with, so that each is written once.

// errStreamNotActive is ResourceInUseException for a stream that must be ACTIVE and is not.
func errStreamNotActive(stream, account, status string) *Error {
	return errResourceInUse("Stream %s under account %s not ACTIVE, instead in state %s", stream, account, status)
}

// errShardNotFound is ResourceNotFoundException for a shard a request names that the stream does not have.
func errShardNotFound(shard, stream, account string) *Error {
	return errResourceNotFound("Shard %s in stream %s under account %s does not exist", shard, stream, account)
}

// errShardRateExceeded is ProvisionedThroughputExceededException for a shard over its rate.
func errShardRateExceeded(shard, stream, account string) *Error {
	return errProvisionedThroughputExceeded("Rate exceeded for shard %s in stream %s under account %s.", shard, stream, account)
}

// errInvalidNextToken is InvalidArgumentException for a NextToken the server did not give or cannot read.
func errInvalidNextToken() *Error {
	return errInvalidArgument("Invalid NextToken.")
}

// errInternalServiceFailure is InternalFailure in AWS's words, for failures a client cannot act on.
func errInternalServiceFailure() *Error {
	return errInternalFailure("Internal service failure.")
}

// errCouldNotFindShard is ResourceNotFoundException for a shard a resharding request names that the stream does not have.
func errCouldNotFindShard(shard, stream, account string) *Error {
	return errResourceNotFound("Could not find shard %s in stream %s under account %s.", shard, stream, account)
}

// errConsumerNotFound is ResourceNotFoundException for an unknown consumer.
func errConsumerNotFound(consumer, stream, account string) *Error {
	return errResourceNotFound("Consumer %s under stream %s not found for account %s.", consumer, stream, account)
}

// errChannelNotFound is ResourceNotFoundException for an unknown channel.
func errChannelNotFound(channel, account string) *Error {
	return errResourceNotFound("Channel %s under account %s not found.", channel, account)
}

// errSubscriptionExists is ResourceInUseException for a second subscription of a consumer to one shard.
func errSubscriptionExists(consumer string) *Error {
	return errResourceInUse("Another active subscription exists for this consumer: %s", consumer)
}

// errShardLimit is LimitExceededException for a request that would take an account over its shard quota.
func errShardLimit(account, region string, count, limit, extra int) *Error {
	return errLimitExceeded("This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.", account, region, count, limit, extra)
}

// errInvalidStreamARN is InvalidArgumentException for a StreamARN that is not a stream ARN.
func errInvalidStreamARN(arn string) *Error {
	return errInvalidArgument("StreamARN %s is not a valid stream ARN.", arn)
}

// isStreamNotFound reports whether err is the ResourceNotFoundException for an unknown stream.
func isStreamNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == "ResourceNotFoundException" && strings.HasPrefix(e.Message, "Stream ")
}
