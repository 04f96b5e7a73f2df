package emulator

import (
	"fmt"
	"net/http"
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

// ErrResourceNotFound is ResourceNotFoundException.
func ErrResourceNotFound(format string, args ...any) *Error {
	return newError("ResourceNotFoundException", http.StatusBadRequest, format, args...)
}

// ErrResourceInUse is ResourceInUseException.
func ErrResourceInUse(format string, args ...any) *Error {
	return newError("ResourceInUseException", http.StatusBadRequest, format, args...)
}

// ErrInvalidArgument is InvalidArgumentException.
func ErrInvalidArgument(format string, args ...any) *Error {
	return newError("InvalidArgumentException", http.StatusBadRequest, format, args...)
}

// ErrValidation is ValidationException.
func ErrValidation(format string, args ...any) *Error {
	return newError("ValidationException", http.StatusBadRequest, format, args...)
}

// ErrLimitExceeded is LimitExceededException.
func ErrLimitExceeded(format string, args ...any) *Error {
	return newError("LimitExceededException", http.StatusBadRequest, format, args...)
}

// ErrProvisionedThroughputExceeded is ProvisionedThroughputExceededException.
func ErrProvisionedThroughputExceeded(format string, args ...any) *Error {
	return newError("ProvisionedThroughputExceededException", http.StatusBadRequest, format, args...)
}

// ErrExpiredIterator is ExpiredIteratorException.
func ErrExpiredIterator(format string, args ...any) *Error {
	return newError("ExpiredIteratorException", http.StatusBadRequest, format, args...)
}

// ErrExpiredNextToken is ExpiredNextTokenException.
func ErrExpiredNextToken(format string, args ...any) *Error {
	return newError("ExpiredNextTokenException", http.StatusBadRequest, format, args...)
}

// ErrAccessDenied is AccessDeniedException.
func ErrAccessDenied(format string, args ...any) *Error {
	return newError("AccessDeniedException", http.StatusBadRequest, format, args...)
}

// ErrSerialization is SerializationException, for a body that does not decode.
func ErrSerialization(format string, args ...any) *Error {
	return newError("SerializationException", http.StatusBadRequest, format, args...)
}

// ErrUnknownOperation is UnknownOperationException.
func ErrUnknownOperation() *Error {
	return &Error{Code: "UnknownOperationException", Status: http.StatusBadRequest}
}

// ErrMissingAuthenticationToken is MissingAuthenticationTokenException, for an unsigned request.
func ErrMissingAuthenticationToken() *Error {
	return &Error{Code: "MissingAuthenticationTokenException", Status: http.StatusBadRequest, Message: "Missing Authentication Token"}
}

// ErrUnrecognizedClient is UnrecognizedClientException, for an access key strict mode does not know.
func ErrUnrecognizedClient() *Error {
	return &Error{Code: "UnrecognizedClientException", Status: http.StatusBadRequest, Message: "The security token included in the request is invalid."}
}

// ErrInternalFailure is InternalFailure (HTTP 500).
func ErrInternalFailure(format string, args ...any) *Error {
	return newError("InternalFailure", http.StatusInternalServerError, format, args...)
}

// ErrKMSDisabled and its siblings are the KMS errors PutRecord and GetRecords can answer.
func ErrKMSDisabled(format string, args ...any) *Error {
	return newError("KMSDisabledException", http.StatusBadRequest, format, args...)
}

// ErrRequestEntityTooLarge answers a body over the size bound (HTTP 413).
func ErrRequestEntityTooLarge(limit int64) *Error {
	return newError("SerializationException", http.StatusRequestEntityTooLarge, "Request body exceeds the maximum of %d bytes", limit)
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
