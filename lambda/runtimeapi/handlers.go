package runtimeapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Header names of the Runtime API.
const (
	headerRequestID       = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline        = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID         = "Lambda-Runtime-Trace-Id"
	headerClientContext   = "Lambda-Runtime-Client-Context"
	headerCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	headerErrorType       = "Lambda-Runtime-Function-Error-Type"
	headerErrorBody       = "Lambda-Runtime-Function-Error-Body" // a trailer, base64
)

const base = "/2018-06-01/runtime"

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+base+"/invocation/next", s.next)
	mux.HandleFunc("POST "+base+"/invocation/{id}/response", s.response)
	mux.HandleFunc("POST "+base+"/invocation/{id}/error", s.invocationError)
	mux.HandleFunc("POST "+base+"/init/error", s.initErrorPosted)
	s.extensionRoutes(mux)
	return mux
}

// next blocks until an invocation is due and sends it with its headers.
func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	prev := s.state
	if prev != stateStarted && prev != stateResponseSent {
		s.mu.Unlock()
		forbidden(w, prev, stateReady)
		return
	}
	s.state = stateReady
	s.mu.Unlock()

	var inv *invocation
	select {
	case inv = <-s.queue:
	case <-r.Context().Done():
	case <-s.closed:
	}
	if inv == nil {
		s.mu.Lock()
		if s.state == stateReady {
			s.state = prev
		}
		s.mu.Unlock()
		return
	}
	deadline := s.take(inv)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, s.FunctionARN())
	h.Set(headerTraceID, inv.TraceID)
	if inv.ClientContext != "" {
		h.Set(headerClientContext, inv.ClientContext)
	}
	if inv.CognitoIdentity != "" {
		h.Set(headerCognitoIdentity, inv.CognitoIdentity)
	}
	h.Set("Content-Length", strconv.Itoa(len(inv.Payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.Payload)
}

// running returns the invocation a response or error for id is about, or writes the refusal
// the Runtime API gives: 403 out of turn, 400 for another id.
func (s *Server) running(w http.ResponseWriter, id string, to state) *invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateRunning || s.current == nil {
		forbidden(w, s.state, to)
		return nil
	}
	if s.current.id != id {
		writeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return nil
	}
	return s.current
}

// response takes the function's answer; one over MaxPayloadSize fails the invocation instead.
func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	inv := s.running(w, r.PathValue("id"), "InvocationResponse")
	if inv == nil {
		return
	}
	body, size, err := readLimited(r.Body, MaxPayloadSize)
	if err != nil {
		s.answer(inv, nil, &FunctionError{RequestID: inv.id, Type: ErrorTypeExit, Message: "reading the response: " + err.Error()})
		writeError(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
		return
	}
	if size > MaxPayloadSize {
		msg := fmt.Sprintf("Response payload size (%d bytes) exceeded maximum allowed payload size (%d bytes).", size, MaxPayloadSize)
		s.answer(inv, nil, &FunctionError{RequestID: inv.id, Type: ErrorTypeResponseTooLarge, Message: msg})
		writeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxPayloadSize))
		return
	}
	// aws-lambda-go streams the response and, when reading it fails half way, reports the
	// failure in trailers instead.
	if typ := r.Trailer.Get(headerErrorType); typ != "" {
		errBody, _ := base64.StdEncoding.DecodeString(r.Trailer.Get(headerErrorBody))
		s.answer(inv, nil, parseFunctionError(inv.id, typ, errBody))
		w.WriteHeader(http.StatusAccepted)
		return
	}
	s.answer(inv, body, nil)
	accepted(w)
}

// invocationError takes the error the function reports for the current invocation.
func (s *Server) invocationError(w http.ResponseWriter, r *http.Request) {
	inv := s.running(w, r.PathValue("id"), "InvocationErrorResponse")
	if inv == nil {
		return
	}
	body, _, err := readLimited(r.Body, MaxPayloadSize)
	if err != nil {
		body = nil
	}
	s.answer(inv, nil, parseFunctionError(inv.id, r.Header.Get(headerErrorType), body))
	accepted(w)
}

// initErrorPosted takes a runtime's report that it cannot start; Lambda then stops the
// environment, and the invocation waiting for it fails with this error.
func (s *Server) initErrorPosted(w http.ResponseWriter, r *http.Request) {
	body, _, _ := readLimited(r.Body, MaxPayloadSize)
	s.mu.Lock()
	if s.state != stateStarted {
		st := s.state
		s.mu.Unlock()
		forbidden(w, st, stateInitError)
		return
	}
	s.state = stateInitError
	fe := parseFunctionError("", r.Header.Get(headerErrorType), body)
	s.initError = fe
	kill := s.kill
	s.mu.Unlock()
	s.log.Warn("runtimeapi: the function reported an init error", "type", fe.Type, "message", fe.Message)
	accepted(w)
	if kill != nil {
		kill()
	}
}

// readLimited reads up to limit bytes and counts (without keeping) the rest.
func readLimited(r io.Reader, limit int) ([]byte, int, error) {
	body, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, len(body), err
	}
	if len(body) <= limit {
		return body, len(body), nil
	}
	rest, err := io.Copy(io.Discard, r)
	return nil, len(body) + int(rest), err
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}` + "\n"))
}

func forbidden(w http.ResponseWriter, from, to state) {
	writeError(w, http.StatusForbidden, "InvalidStateTransition",
		fmt.Sprintf("State transition from %s to %s failed for runtime. Error: State transition is not allowed", from, to))
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(apiError{ErrorMessage: msg, ErrorType: typ})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
