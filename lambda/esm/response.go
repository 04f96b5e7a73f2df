package esm

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// outcome is what one invocation came to.
type outcome struct {
	// failedFrom is the index of the first record to retry: 0 when the whole batch failed,
	// len(batch) when it succeeded, in between for a partial failure.
	failedFrom int
	// whole is true when the batch failed as a whole (function error or malformed answer).
	whole bool
	// state is the tumbling window state the function returned.
	state map[string]string
	// reason says why, for logs: "ok", "function error", "partial failure", or what was malformed.
	reason string
	// functionError is the failure record's functionError ("Unhandled" for function errors).
	functionError string
}

// judge reads a function's answer to a batch as Lambda does. With ReportBatchItemFailures, an
// absent, null or empty batchItemFailures (or answer) is success; an entry whose itemIdentifier
// is absent, null, empty, or not a sequence number of the batch fails the whole batch; otherwise
// the lowest reported record and all after it are retried. With tumbling windows an answer
// without "state" (or with a null one) is a failed invocation.
func judge(batch []*record, resp []byte, invokeErr error, reportItems, windowed bool) outcome {
	n := len(batch)
	if invokeErr != nil {
		return outcome{failedFrom: 0, whole: true, reason: "function error: " + invokeErr.Error(), functionError: "Unhandled"}
	}
	resp = bytes.TrimSpace(resp)
	var obj map[string]json.RawMessage
	isObject := len(resp) > 0 && resp[0] == '{' && json.Unmarshal(resp, &obj) == nil
	out := outcome{failedFrom: n, reason: "ok"}
	if windowed {
		raw, ok := obj["state"]
		if !isObject || !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return outcome{whole: true, reason: "answer without state"}
		}
		if err := json.Unmarshal(raw, &out.state); err != nil {
			return outcome{whole: true, reason: fmt.Sprintf("state is not an object of strings: %v", err)}
		}
	}
	if !reportItems || !isObject {
		return out
	}
	raw, ok := obj["batchItemFailures"]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return out
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return outcome{whole: true, reason: "batchItemFailures is not a list of objects"}
	}
	if len(items) == 0 {
		return out
	}
	index := make(map[string]int, n)
	for i, r := range batch {
		index[r.seq] = i
	}
	lowest := n
	for _, it := range items {
		idRaw, ok := it["itemIdentifier"]
		if !ok {
			return outcome{whole: true, reason: "batchItemFailures entry without itemIdentifier"}
		}
		var id *string
		if err := json.Unmarshal(idRaw, &id); err != nil || id == nil || *id == "" {
			return outcome{whole: true, reason: "batchItemFailures entry with a null, empty or non-string itemIdentifier"}
		}
		i, ok := index[*id]
		if !ok {
			return outcome{whole: true, reason: fmt.Sprintf("itemIdentifier %s is not a record of the batch", *id)}
		}
		lowest = min(lowest, i)
	}
	out.failedFrom = lowest
	out.reason = "partial failure"
	if lowest == 0 {
		out.reason = "partial failure at the first record"
	}
	return out
}
