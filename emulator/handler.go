package emulator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// targetPrefix is the service part of X-Amz-Target for Kinesis.
const targetPrefix = "Kinesis_20131202."

// call is one API request as the operations see it: who asks, where, and when.
type call struct {
	ctx     context.Context
	op      string
	account string
	region  string
	now     time.Time
}

// operation is one row of the operation table: everything about an operation. handle decodes the
// body with codec and runs the operation; stream, set instead for SubscribeToShard, decodes the
// body and runs the operation, which returns a source of events for the handler to write out.
type operation struct {
	control bool   // a control-plane call, subject to Limits.ControlPlaneRatePerS
	rate    opRate // its documented rate, charged with throughput limits on; zero for none
	saves   bool   // it changes state, so the store's metadata is saved after it succeeds
	handle  func(s *Server, c *call, codec wire.Codec, body []byte) (any, error)
	stream  func(s *Server, c *call, codec wire.Codec, body []byte) (eventSource, error)
}

// streamOp is the row of an operation that answers with an event stream (SubscribeToShard). Its
// request is decoded without an arena, since the operation outlives the request's buffers.
func streamOp[In any](f func(s *Server, c *call, in *In) (eventSource, error)) operation {
	return operation{stream: func(s *Server, c *call, codec wire.Codec, body []byte) (eventSource, error) {
		in := new(In)
		if err := readRequest(c, codec, body, in, nil); err != nil {
			return nil, err
		}
		return f(s, c, in)
	}}
}

// decoded adapts a typed operation function to the table. The request's blobs are decoded into an
// arena that the next request reuses once f returns: an operation copies any blob it keeps (the
// store does), and its output never refers to its input's blobs.
// A control-plane operation is charged its rate once its request names the stream it addresses.
func decoded[In any, Out any](f func(s *Server, c *call, in *In) (*Out, error), control bool, rate opRate) func(s *Server, c *call, codec wire.Codec, body []byte) (any, error) {
	return func(s *Server, c *call, codec wire.Codec, body []byte) (any, error) {
		arena := arenas.Get().(*wire.Arena)
		defer func() {
			if arena.Cap() <= maxPooled {
				arenas.Put(arena)
			}
		}()
		in := new(In)
		if err := readRequest(c, codec, body, in, arena); err != nil {
			return nil, err
		}
		if control {
			if err := s.limits.controlPlane(c, s.cfg.limits.ControlPlaneRatePerS, rate, addressedStream(in)); err != nil {
				return nil, err
			}
		}
		out, err := f(s, c, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// addressedStream returns the name of the stream a request addresses (by StreamName, StreamARN or
// ConsumerARN), so that rates counted per stream share one count however the stream is named.
func addressedStream(in any) string {
	v := reflect.ValueOf(in).Elem()
	for _, name := range []string{"StreamName", "StreamARN", "ConsumerARN"} {
		f := v.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.String || f.String() == "" {
			continue
		}
		if name == "StreamName" {
			return f.String()
		}
		_, rest, _ := strings.Cut(f.String(), ":stream/")
		stream, _, _ := strings.Cut(rest, "/")
		return stream
	}
	return ""
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", newRequestID())
	switch r.URL.Path {
	case healthPath:
		s.serveHealth(w, r)
		return
	case faultsPath:
		s.serveFaults(w, r)
		return
	}
	codec := wire.CodecFor(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost {
		s.writeError(w, codec, errAccessDenied("Unable to determine service/operation name to be authorized"))
		return
	}
	body, release, err := s.readBody(w, r)
	defer release()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeTooLarge(w)
			return
		}
		if errors.Is(err, errBodyBudget) {
			s.writeError(w, codec, errInternalServiceFailure())
			return
		}
		s.writeError(w, codec, errSerialization("Unable to read the request body: %v", err))
		return
	}
	if s.answerUnplaced(w, r, body) {
		return
	}
	name, known := s.operationName(r.Header.Get("X-Amz-Target"))
	if !known {
		s.writeError(w, codec, errUnknownOperation())
		return
	}
	opn := s.ops[name]
	account, region, aerr := s.authenticate(r, body)
	if aerr != nil {
		s.writeError(w, codec, aerr)
		return
	}
	c := &call{ctx: r.Context(), op: name, account: account, region: region, now: s.now()}
	if err := s.faults.before(c); err != nil {
		s.writeError(w, codec, err)
		return
	}
	if opn.stream != nil {
		events, err := opn.stream(s, c, codec, body)
		if err != nil {
			s.writeError(w, codec, err)
			return
		}
		s.writeEvents(c.ctx, w, codec, events)
		return
	}
	var out any
	if opn.saves {
		// Every control-plane change reaches the journal here, after the operation has released
		// its locks, so that no family has to remember to save; it is undone if the save fails.
		err = s.commit(c, func() (err error) {
			out, err = opn.handle(s, c, codec, body)
			return err
		})
	} else {
		out, err = opn.handle(s, c, codec, body)
	}
	if err == nil {
		err = s.faults.after(c)
	}
	if err != nil {
		s.writeError(w, codec, err)
		return
	}
	if jw, ok := out.(wire.JSONWriter); ok && codec == wire.JSON {
		w.Header().Set("Content-Type", codec.ContentType())
		w.Header().Set("Content-Length", strconv.Itoa(jw.JSONLen()))
		piece := pieces.get(pieceSize)
		_ = jw.WriteJSON(w, piece) // a failed write is a client gone: nothing to answer
		pieces.put(piece)
		return
	}
	b, err := codec.AppendEncode(responses.get(0), out)
	if err != nil {
		s.writeError(w, codec, errInternalFailure("encoding the response failed: %v", err))
		return
	}
	w.Header().Set("Content-Type", codec.ContentType())
	// Content-Length as AWS sends it, not a chunked body. A Writer keeps nothing of b, which the
	// next response reuses.
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
	responses.put(b)
}

// errBodyBudget is a request that waited for room among the request bytes in flight until its
// read timeout passed.
var errBodyBudget = errors.New("emulator: no room for the request body among the requests in flight")

// readBody reads a request body of at most the configured limit. A body that declares more is
// refused unread. The body's bytes are taken from the in-flight budget before they are read (as
// they arrive, when the client sent no length) and given back by release, once nothing reads the
// body any more (the decoders copy every value they keep). The whole read, waiting for the budget
// included, must end within the read timeout; the deadline is lifted afterwards, so that a long
// answer (SubscribeToShard's) is not cut.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (body []byte, release func(), err error) {
	limit := s.cfg.maxBodyBytes
	rc := http.NewResponseController(w)
	defer func() {
		if err != nil {
			// An HTTP/1 connection closes after the answer: let nothing wait on the rest of the
			// body (net/http drains a short one to reuse the connection). On HTTP/2 only the
			// stream ends; Connection: close there would send the whole connection away.
			if r.ProtoMajor < 2 {
				w.Header().Set("Connection", "close")
			}
			_ = rc.SetReadDeadline(time.Now())
		}
	}()
	if r.ContentLength > limit {
		return nil, func() {}, &http.MaxBytesError{Limit: limit}
	}
	ctx := r.Context()
	if d := s.cfg.readTimeout; d > 0 {
		deadline := time.Now().Add(d)
		if rc.SetReadDeadline(deadline) == nil {
			defer func() {
				if err == nil {
					_ = rc.SetReadDeadline(time.Time{})
				}
			}()
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	rd := http.MaxBytesReader(w, r.Body, limit)
	if n := r.ContentLength; n > 0 {
		took, err := s.inflight.acquire(ctx, n)
		if err != nil {
			return nil, func() {}, errBodyBudget
		}
		buf := bodies.get(int(n))
		if _, err := io.ReadFull(rd, buf); err != nil {
			bodies.put(buf)
			s.inflight.release(took)
			return nil, func() {}, err
		}
		return buf, func() { bodies.put(buf); s.inflight.release(took) }, nil
	}
	if r.ContentLength == 0 {
		return []byte{}, func() {}, nil
	}
	return s.readUnknownLength(ctx, rd)
}

// unknownLengthStep is the first buffer of a body sent without its length (chunked, or HTTP/2
// without content-length); the buffer doubles as the body grows, up to the limit.
const unknownLengthStep = 64 << 10

// readUnknownLength reads a body whose length the client did not declare, into a buffer that grows
// with what arrives, taking each growth from the in-flight budget first.
func (s *Server) readUnknownLength(ctx context.Context, rd io.Reader) ([]byte, func(), error) {
	var took int64
	fail := func(err error) ([]byte, func(), error) {
		s.inflight.release(took)
		return nil, func() {}, err
	}
	buf := []byte(nil)
	for {
		if len(buf) == cap(buf) {
			size := max(unknownLengthStep, 2*cap(buf))
			more, err := s.inflight.acquire(ctx, int64(size-cap(buf)))
			if err != nil {
				return fail(errBodyBudget)
			}
			took += more
			grown := make([]byte, len(buf), size)
			copy(grown, buf)
			buf = grown
		}
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, func() { s.inflight.release(took) }, nil
		}
		if err != nil {
			return fail(err)
		}
	}
}

func (s *Server) operationName(target string) (string, bool) {
	name, ok := strings.CutPrefix(target, targetPrefix)
	if !ok {
		return "", false
	}
	_, known := s.ops[name]
	return name, known
}

// accountKeyPattern is an access key that names its own account: exactly 12 digits.
var accountKeyPattern = regexp.MustCompile(`^[0-9]{12}$`)

// authenticate reads SigV4: every request must be signed; in strict mode the signature is verified.
// The access key's account and the credential scope's region namespace the streams.
func (s *Server) authenticate(r *http.Request, body []byte) (account, region string, err error) {
	cred, perr := wire.ParseAuth(r)
	if perr != nil {
		return "", "", authError(perr)
	}
	region = cred.Region
	if region == "" {
		region = s.cfg.region
	}
	account = s.cfg.account
	if accountKeyPattern.MatchString(cred.AccessKey) {
		account = cred.AccessKey
	}
	if s.cfg.credentials != nil {
		if serr := wire.CheckScope(cred, "", "kinesis"); serr != nil {
			return "", "", authError(serr)
		}
		known, ok := s.cfg.credentials[cred.AccessKey]
		if !ok {
			return "", "", errUnrecognizedClient()
		}
		if verr := wire.Verify(r, body, known.SecretAccessKey, s.now()); verr != nil {
			return "", "", authError(verr)
		}
		if known.Account != "" {
			account = known.Account
		}
	}
	return account, region, nil
}

func authError(err error) *Error {
	var ae *wire.AuthError
	if errors.As(err, &ae) {
		if ae.Type == "MissingAuthenticationTokenException" {
			return errMissingAuthenticationToken()
		}
		return &Error{Code: ae.Type, Status: http.StatusBadRequest, Message: ae.Message}
	}
	return errMissingAuthenticationToken()
}

func (s *Server) writeError(w http.ResponseWriter, codec wire.Codec, err error) {
	var e *Error
	if !errors.As(err, &e) {
		s.log.Error("emulator: internal failure", "err", err)
		e = errInternalFailure("%v", err)
	}
	body := codec.EncodeError(e.Code, e.Message)
	w.Header().Set("Content-Type", codec.ContentType())
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("x-amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// exceptionBody is the payload of an exception event.
type exceptionBody struct {
	Message string `json:"message"`
}

// writeEvents answers with an event stream: the initial response, then every event of events until
// it ends, with an exception event when it ends with an error in AWS's words.
func (s *Server) writeEvents(ctx context.Context, w http.ResponseWriter, codec wire.Codec, events eventSource) {
	defer events.Close()
	w.Header().Set("Content-Type", wire.ContentTypeEventStream)
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	ew := wire.NewEventWriter(w, func() { _ = rc.Flush() })
	if err := ew.WriteInitialResponse(codec); err != nil {
		return
	}
	for {
		ev, err := events.Next(ctx)
		var e *Error
		if errors.As(err, &e) {
			s.writeException(ew, codec, e)
			return
		}
		if err != nil {
			return // the end of the stream, or the client went away
		}
		payload, err := codec.Encode(ev)
		if err != nil {
			s.log.Error("emulator: encoding an event failed", "err", err)
			s.writeException(ew, codec, errInternalServiceFailure())
			return
		}
		if ew.WriteEvent(wire.EventSubscribeToShardEvent, payload, codec.ContentType()) != nil {
			return
		}
	}
}

// writeException ends an event stream with an exception event.
func (s *Server) writeException(ew *wire.EventWriter, codec wire.Codec, e *Error) {
	code := e.Code
	if code == "InternalFailure" {
		code = "InternalFailureException" // the event stream's name for it
	}
	payload, err := codec.Encode(exceptionBody{Message: e.Message})
	if err != nil {
		return
	}
	_ = ew.WriteException(code, payload, codec.ContentType())
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
