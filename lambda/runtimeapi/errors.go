package runtimeapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Error types Lambda reports for failures that are not the function's own errors.
const (
	// ErrorTypeTimeout is reported when the function's timeout passes before it answers.
	ErrorTypeTimeout = "Sandbox.Timedout"
	// ErrorTypeExit is reported when the runtime process exits during an invocation or before it
	// is ready for the first one.
	ErrorTypeExit = "Runtime.ExitError"
	// ErrorTypeResponseTooLarge is reported when the function's response is over MaxPayloadSize.
	ErrorTypeResponseTooLarge = "Function.ResponseSizeTooLarge"
	// ErrorTypeUnknown is the type of an error the runtime posts without naming one.
	ErrorTypeUnknown = "Unhandled"
)

// MaxPayloadSize is the largest response the Runtime API accepts from a function: 6 MB plus the
// 100 bytes of slack that the Lambda runtime interface emulator allows.
const MaxPayloadSize = 6*1024*1024 + 100

// ErrClosed is returned by Invoke once the server is closed.
var ErrClosed = errors.New("runtimeapi: server closed")

// FunctionError is an invocation's failure as Lambda reports it: the error the function posted to
// /invocation/{id}/error (or /init/error), or a timeout, crash or oversized response. The event
// source mapping counts every FunctionError as a function error.
type FunctionError struct {
	// RequestID is the invocation's id (Lambda-Runtime-Aws-Request-Id).
	RequestID string
	// Type is the errorType the function reported (the Lambda-Runtime-Function-Error-Type header
	// when the body has none), or one of the ErrorType constants.
	Type string
	// Message is the errorMessage the function reported, or what happened.
	Message string
	// StackTrace is the stackTrace the function reported, as it sent it; nil when it sent none.
	StackTrace json.RawMessage
	// Payload is the error body as the function posted it; nil for failures Lambda itself reports.
	Payload []byte
}

// Error returns the error's type and message.
func (e *FunctionError) Error() string {
	if e.Message == "" {
		return "function error: " + e.Type
	}
	return fmt.Sprintf("function error: %s: %s", e.Type, e.Message)
}

// errorBody is the error document runtimes post: {"errorMessage", "errorType", "stackTrace"}.
type errorBody struct {
	ErrorMessage string          `json:"errorMessage"`
	ErrorType    string          `json:"errorType"`
	StackTrace   json.RawMessage `json:"stackTrace,omitempty"`
}

// parseFunctionError reads a posted error: the body's errorType wins over the header's, as the
// body is what Lambda returns to the caller; a body that is not the error document is kept as the
// message so that nothing the function said is lost.
func parseFunctionError(id, headerType string, body []byte) *FunctionError {
	fe := &FunctionError{RequestID: id, Type: strings.TrimSpace(headerType), Payload: body}
	var doc errorBody
	if err := json.Unmarshal(body, &doc); err == nil {
		if doc.ErrorType != "" {
			fe.Type = doc.ErrorType
		}
		fe.Message = doc.ErrorMessage
		if len(doc.StackTrace) > 0 && string(doc.StackTrace) != "null" {
			fe.StackTrace = doc.StackTrace
		}
	} else {
		fe.Message = strings.TrimSpace(string(body))
	}
	if fe.Type == "" {
		fe.Type = ErrorTypeUnknown
	}
	return fe
}

// apiError is the body of the Runtime API's own error answers.
type apiError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}
