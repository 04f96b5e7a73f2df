package runtimeapi

import (
	"encoding/json"
	"net/http"
)

const extensionBase = "/2020-01-01/extension"

// extensionRoutes serves the part of the Lambda Extensions API that internal extensions without
// events need: registration during init, and an event/next that waits until the environment
// ends. aws-lambda-go's lambda.WithEnableSIGTERM registers such an extension so that Lambda sends
// the runtime SIGTERM before SIGKILL, which a Process always does. Extensions that ask for INVOKE
// or SHUTDOWN events are refused: no events are sent.
func (s *Server) extensionRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+extensionBase+"/register", s.registerExtension)
	mux.HandleFunc("GET "+extensionBase+"/event/next", s.nextExtensionEvent)
}

func (s *Server) registerExtension(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Lambda-Extension-Name") == "" {
		writeError(w, http.StatusForbidden, "Extension.MissingHeader", "Missing Lambda-Extension-Name header")
		return
	}
	var body struct {
		Events []string `json:"events"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&body); err != nil {
		writeError(w, http.StatusForbidden, "InvalidRequestFormat", "Invalid request body: "+err.Error())
		return
	}
	if len(body.Events) > 0 {
		writeError(w, http.StatusForbidden, "Extension.InvalidEventType",
			"this Runtime API sends extensions no events; only extensions registering for none are accepted")
		return
	}
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	if st != stateStarted {
		writeError(w, http.StatusForbidden, "Extension.RegistrationClosed", "Extension registration is closed: the runtime has initialised")
		return
	}
	w.Header().Set("Lambda-Extension-Identifier", newRequestID())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"functionName": s.cfg.functionName, "functionVersion": s.cfg.version, "handler": "",
	})
}

// nextExtensionEvent waits until the environment ends: an extension registered for no events
// gets none.
func (s *Server) nextExtensionEvent(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Lambda-Extension-Identifier") == "" {
		writeError(w, http.StatusForbidden, "Extension.MissingExtensionIdentifier", "Missing Lambda-Extension-Identifier header")
		return
	}
	select {
	case <-r.Context().Done():
	case <-s.closed:
	}
}
