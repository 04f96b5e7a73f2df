package producer

import (
	"errors"
	"fmt"
)

// ErrClosed is returned by Put after Close has begun.
var ErrClosed = errors.New("producer: closed")

// ErrBufferFull is returned by Put when the buffer is full and WithBlockOnFull(false) is set.
var ErrBufferFull = errors.New("producer: buffer full")

// ErrRecordTooLarge is returned by Put for a record whose data and partition key together exceed
// the record size limit (WithMaxRecordBytes).
var ErrRecordTooLarge = errors.New("producer: record too large")

// ErrInvalidKey is returned by Put for a partition key that is empty or longer than 256
// characters, or an explicit hash key that is not a decimal integer in 0 .. 2^128-1.
var ErrInvalidKey = errors.New("producer: invalid key")

// ErrExpired is wrapped by the error of a record that was not written before its deadline
// (WithRecordTTL); the record's last attempt error is wrapped beside it.
var ErrExpired = errors.New("producer: record expired before it was written")

// ErrUndelivered is wrapped by the error of a record that Close gave up on when its context
// ended: the record was not sent, or its last attempt's outcome is unknown (Result.Ambiguous).
var ErrUndelivered = errors.New("producer: record not delivered before shutdown")

// RecordError is the error of a record that Kinesis refused with an error that retrying does not
// cure (for example AccessDeniedException or ResourceNotFoundException).
type RecordError struct {
	Code    string // the AWS error code
	Message string
}

// Error returns the code and message.
func (e *RecordError) Error() string {
	return fmt.Sprintf("producer: kinesis refused the record: %s: %s", e.Code, e.Message)
}

// UndeliveredError is returned by Close when its context ended before every record was written.
// Each Result it lists is done, with an error that wraps ErrUndelivered.
type UndeliveredError struct {
	Results []*Result
	Cause   error // the context's error
}

// Error says how many records were not delivered and why.
func (e *UndeliveredError) Error() string {
	return fmt.Sprintf("producer: %d records not delivered before shutdown: %v", len(e.Results), e.Cause)
}

// Unwrap returns ErrUndelivered and the cause, for errors.Is.
func (e *UndeliveredError) Unwrap() []error { return []error{ErrUndelivered, e.Cause} }
