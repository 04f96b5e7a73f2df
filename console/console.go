package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// DefaultPrefix is the path the console is served under unless WithPrefix says otherwise.
const DefaultPrefix = "/_pelican/console/"

// Console is the web console: an http.Handler for the paths under its prefix.
type Console struct {
	cfg       config
	client    *kinesis.Client
	log       *slog.Logger
	schemas   *schemas
	schemaErr error // why --proto did not load; every page says so
	pages     map[string]*template.Template
	handler   http.Handler // the routes behind cross-origin protection
	admin     *adminClient
}

// New returns a console that reads (and, unless read-only, writes) Kinesis through client.
func New(client *kinesis.Client, opts ...Option) (*Console, error) {
	cfg := config{prefix: DefaultPrefix, logger: slog.New(slog.DiscardHandler), pageSize: 100}
	for _, o := range opts {
		o(&cfg)
	}
	if client == nil {
		return nil, errors.New("console: a Kinesis client is required")
	}
	if !strings.HasPrefix(cfg.prefix, "/") || !strings.HasSuffix(cfg.prefix, "/") {
		return nil, fmt.Errorf("console: prefix %q must start and end with /", cfg.prefix)
	}
	if cfg.pageSize < 1 || cfg.pageSize > 1000 {
		return nil, fmt.Errorf("console: page size %d is not between 1 and 1000", cfg.pageSize)
	}
	c := &Console{cfg: cfg, client: client, log: cfg.logger, schemas: &schemas{extra: cfg.types}}
	if cfg.protoPath != "" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		s, err := loadSchemas(ctx, cfg.protoPath)
		cancel()
		if err != nil {
			c.schemaErr = fmt.Errorf("the schemas in %s do not load: %w", cfg.protoPath, err)
			c.log.Error("console: --proto", "path", cfg.protoPath, "err", err)
		} else {
			s.extra = cfg.types
			c.schemas = s
		}
	}
	if cfg.adminURL != "" {
		hc := cfg.adminHTTP
		if hc == nil {
			hc = &http.Client{Timeout: 10 * time.Second}
		}
		c.admin = &adminClient{base: strings.TrimSuffix(cfg.adminURL, "/"), http: hc}
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c.pages = pages
	c.routes()
	return c, nil
}

// Prefix is the path the console is served under.
func (c *Console) Prefix() string { return c.cfg.prefix }

// ServeHTTP answers a request for a page of the console.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
	c.handler.ServeHTTP(w, r)
}

func (c *Console) routes() {
	p := c.cfg.prefix
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET "+p+"static/", http.StripPrefix(p+"static/", http.FileServer(http.FS(static))))
	page := func(pattern string, h func(w http.ResponseWriter, r *http.Request)) {
		m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if c.schemaErr != nil {
				c.errorPage(w, r, http.StatusInternalServerError, c.schemaErr)
				return
			}
			h(w, r)
		})
	}
	write := func(pattern string, h func(w http.ResponseWriter, r *http.Request)) {
		page(pattern, func(w http.ResponseWriter, r *http.Request) {
			if c.cfg.readOnly {
				c.errorPage(w, r, http.StatusForbidden, errors.New("this console is read-only: it does not write to Kinesis (start it with --read-only=false to allow writes)"))
				return
			}
			if err := r.ParseForm(); err != nil {
				c.errorPage(w, r, http.StatusBadRequest, err)
				return
			}
			h(w, r)
		})
	}
	page("GET "+p+"{$}", c.streamsPage)
	write("POST "+p+"streams", c.createStream)
	write("POST "+p+"streams/{name}/delete", c.deleteStream)
	page("GET "+p+"streams/{name}", c.streamPage)
	write("POST "+p+"streams/{name}/split", c.splitShard)
	page("GET "+p+"streams/{name}/records", c.recordsPage)
	page("GET "+p+"streams/{name}/export", c.exportFixture)
	page("GET "+p+"streams/{name}/tail", c.tailPage)
	page("GET "+p+"streams/{name}/tail/events", c.tailEvents)
	page("GET "+p+"streams/{name}/publish", c.publishPage)
	write("POST "+p+"streams/{name}/publish", c.publish)
	page("GET "+p+"streams/{name}/consumers", c.consumersPage)
	page("GET "+p+"faults", c.faultsPage)
	write("POST "+p+"faults", c.injectFault)
	write("POST "+p+"faults/clear", c.clearFaults)
	write("POST "+p+"throttle", c.throttleShard)
	m.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
		c.errorPage(w, r, http.StatusNotFound, fmt.Errorf("no page at %s", r.URL.Path))
	})
	// A page elsewhere must not make the browser of a person at the console post its forms
	// (delete a stream, publish): cross-origin unsafe requests are refused.
	c.handler = http.NewCrossOriginProtection().Handler(m)
}

// base is what every page's layout needs.
type base struct {
	Prefix   string
	Title    string
	ReadOnly bool
	Emulator bool
	Stream   string // the stream the page is about, for the navigation
	Nav      string
}

func (c *Console) base(title, stream, nav string) base {
	return base{Prefix: c.cfg.prefix, Title: title, ReadOnly: c.cfg.readOnly, Emulator: c.admin != nil, Stream: stream, Nav: nav}
}

// render writes a page. It renders into a buffer first, so that a template error is an error
// page rather than half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t := c.pages[name]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "console: rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

type errorData struct {
	base
	Status  int
	Message string
}

// errorPage answers with a page that says what went wrong.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, err error) {
	if status >= 500 {
		c.log.Warn("console: error page", "path", r.URL.Path, "status", status, "err", err)
	}
	c.render(w, r, status, "error", errorData{base: c.base(http.StatusText(status), "", ""), Status: status, Message: err.Error()})
}

// fail answers with an error page for an error of Kinesis or the admin endpoints.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadGateway
	var nf interface{ ErrorCode() string }
	if errors.As(err, &nf) && nf.ErrorCode() == "ResourceNotFoundException" {
		status = http.StatusNotFound
	}
	c.errorPage(w, r, status, err)
}

// redirect answers a form with 303 See Other, to a page under the prefix.
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, c.cfg.prefix+path, http.StatusSeeOther)
}
