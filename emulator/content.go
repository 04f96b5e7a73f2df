package emulator

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// The service serves only its two content types, application/x-amz-json-1.1 and
// application/x-amz-cbor-1.1 (parameters after ';' aside). It answers a request it cannot place
// before reading it as an API call, in the forms kinesalite recorded from it: no body at all is
// SerializationException (UnknownOperationException for an unknown target), in CBOR unless the
// type is JSON 1.1; any other content type is 404 with an XML-ish body, or 403 AccessDenied when
// the target does not even name a service and an operation. application/x-amz-json-1.0 and
// application/json are not served either.

// servedContentType reports whether a Content-Type is one the service reads, and its media type.
func servedContentType(header string) (mediaType string, served bool) {
	mediaType, _, err := mime.ParseMediaType(header)
	if err != nil {
		mediaType, _, _ = strings.Cut(header, ";")
		mediaType = strings.TrimSpace(mediaType)
	}
	return mediaType, mediaType == wire.ContentTypeJSON || mediaType == wire.ContentTypeCBOR
}

// answerUnplaced answers a request the service turns away for its content type or its missing
// body, and reports whether it did.
func (s *Server) answerUnplaced(w http.ResponseWriter, r *http.Request, body []byte) bool {
	mediaType, served := servedContentType(r.Header.Get("Content-Type"))
	target := r.Header.Get("X-Amz-Target")
	if len(body) == 0 {
		codec := wire.CBOR
		if mediaType == wire.ContentTypeJSON {
			codec = wire.JSON
		}
		if _, known := s.operationName(target); known {
			s.writeError(w, codec, errSerializationBare())
		} else {
			s.writeError(w, codec, errUnknownOperation())
		}
		return true
	}
	if served {
		return false
	}
	service, operation, _ := strings.Cut(target, ".")
	if service == "" || operation == "" {
		writeRaw(w, http.StatusForbidden, "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n")
		return true
	}
	writeRaw(w, http.StatusNotFound, "<UnknownOperationException/>\n")
	return true
}

// writeTooLarge answers a body over the size limit as the service does: 413 with no body.
func writeTooLarge(w http.ResponseWriter) {
	writeRaw(w, http.StatusRequestEntityTooLarge, "")
}

// writeRaw writes a bare answer without a Content-Type.
func writeRaw(w http.ResponseWriter, status int, body string) {
	w.Header()["Content-Type"] = nil // no type at all, not one sniffed from the body
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
