// Package httpapi serves Mosaic's HTTP JSON API: search, entities (with
// every statement's provenance), documents (text with mentions marked),
// records, alerts, status and stats, an OpenAPI 3.1 description at
// /openapi.json, Prometheus metrics at /metrics and health checks at
// /healthz and /readyz.
//
// Handlers return errors; one function (writeError) maps error kinds to
// HTTP statuses and stable error codes:
//
//	invalid     400    not_found  404    conflict  409
//	refused     403    unavailable 503   internal  500
//
// # Callers
//
// Until login exists every caller is the local user, who holds every
// label. A caller may narrow its own view with the header
// X-Mosaic-Clearances: A,B (it can never widen it); the access check then
// runs exactly as it will for logged-in users.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Server is the HTTP API.
type Server struct {
	store  store.Store
	log    *slog.Logger
	mux    *http.ServeMux
	reg    *prometheus.Registry
	ready  func(context.Context) error
	routes []route

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// Config configures New.
type Config struct {
	Store    store.Store
	Logger   *slog.Logger
	Registry *prometheus.Registry // served at /metrics; a new one if nil
	// Ready reports whether the server can serve (for /readyz); nil means
	// it checks the store.
	Ready func(context.Context) error
	// Graph, when set, serves the link-analysis routes.
	Graph GraphFunc
}

// HandlerFunc is an HTTP handler that returns an error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// New returns the API server with its routes registered.
func New(cfg Config) *Server {
	s := &Server{store: cfg.Store, log: cfg.Logger, mux: http.NewServeMux(), reg: cfg.Registry, ready: cfg.Ready}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mosaic_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mosaic_http_request_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10)}, []string{"route"})
	s.reg.MustRegister(s.requests, s.latency)
	s.Handle("GET /api/v1/search", s.search)
	s.Handle("GET /api/v1/entities/{id...}", s.entity)
	s.Handle("GET /api/v1/documents/{id}", s.document)
	s.Handle("GET /api/v1/records/{id}", s.record)
	s.Handle("GET /api/v1/status", s.status)
	s.Handle("GET /api/v1/stats", s.stats)
	s.Handle("GET /openapi.json", s.openapi)
	s.Handle("GET /healthz", func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.Handle("GET /readyz", s.readyz)
	s.describeCore()
	if cfg.Graph != nil {
		s.registerGraph(cfg.Graph)
	}
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, mosaic.Errorf(mosaic.KindNotFound, "http", "no route for %s %s (see /openapi.json)", r.Method, r.URL.Path))
	})
	return s
}

// Handle registers h on pattern (a net/http ServeMux pattern), with
// metrics, logging and error mapping. Other packages add their routes
// (alerts, graph) through it.
func (s *Server) Handle(pattern string, h HandlerFunc) {
	route := pattern
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		if err := h(rec, r); err != nil {
			s.writeError(rec, r, err)
		}
		s.requests.WithLabelValues(route, strconv.Itoa(rec.code)).Inc()
		s.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		s.log.Debug("http", "method", r.Method, "path", r.URL.Path, "code", rec.code, "took", time.Since(start))
	})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// Flush lets streaming handlers (server-sent events) flush through the
// recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Principal returns the caller of a request: the local user, narrowed by
// an X-Mosaic-Clearances header if one is given.
func Principal(r *http.Request) mosaic.Principal {
	p := access.Local()
	if h, ok := r.Header[http.CanonicalHeaderKey("X-Mosaic-Clearances")]; ok {
		p = mosaic.Principal{Name: "local", Clearances: mosaic.ParseMarking(strings.Join(h, ","))}
	}
	return p
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

var kindStatus = map[mosaic.Kind]int{
	mosaic.KindInvalid:     http.StatusBadRequest,
	mosaic.KindNotFound:    http.StatusNotFound,
	mosaic.KindConflict:    http.StatusConflict,
	mosaic.KindRefused:     http.StatusForbidden,
	mosaic.KindUnavailable: http.StatusServiceUnavailable,
	mosaic.KindOther:       http.StatusInternalServerError,
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	k := mosaic.KindOf(err)
	if errors.Is(err, context.Canceled) {
		return // the client went away
	}
	status := kindStatus[k]
	var b ErrorBody
	b.Error.Code = k.String()
	b.Error.Message = err.Error()
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		b.Error.Message = "internal error; see the server log"
	}
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteJSON writes v as a JSON response (for handlers in other files and
// packages).
func WriteJSON(w http.ResponseWriter, status int, v any) error { return writeJSON(w, status, v) }

func intParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > max {
		return 0, mosaic.Errorf(mosaic.KindInvalid, "http", "%s must be a number from 1 to %d", name, max)
	}
	return n, nil
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		return mosaic.Errorf(mosaic.KindInvalid, "search", "missing query parameter q")
	}
	limit, err := intParam(r, "limit", 20, 1000)
	if err != nil {
		return err
	}
	hits, err := s.store.Search(r.Context(), Principal(r), q, limit)
	if err != nil {
		return err
	}
	if hits == nil {
		hits = []store.Hit{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"query": q, "hits": hits})
}

// EntityResponse is an entity with the links that touch it.
type EntityResponse struct {
	*mosaic.Entity
	Links []store.EntityLink `json:"links"`
}

func (s *Server) entity(w http.ResponseWriter, r *http.Request) error {
	p := Principal(r)
	e, err := s.store.Entity(r.Context(), p, mosaic.ID(r.PathValue("id")))
	if err != nil {
		return err
	}
	links, err := s.store.LinksOf(r.Context(), p, e.Mentions, 500)
	if err != nil {
		return err
	}
	if links == nil {
		links = []store.EntityLink{}
	}
	return writeJSON(w, http.StatusOK, EntityResponse{Entity: e, Links: links})
}

// MarkedMention is a span of a document's text that names something.
type MarkedMention struct {
	Start   int               `json:"start"`
	End     int               `json:"end"`
	Text    string            `json:"text"`
	Prop    string            `json:"prop"`
	Mention mosaic.ID         `json:"mention"`
	Entity  mosaic.ID         `json:"entity,omitempty"`
	Type    mosaic.EntityType `json:"type"`
}

// DocumentResponse is a document's text with its mentions marked.
type DocumentResponse struct {
	*mosaic.Document
	Mentions []MarkedMention `json:"mentions"`
	Links    []mosaic.Link   `json:"links"`
}

func (s *Server) document(w http.ResponseWriter, r *http.Request) error {
	it, err := s.store.Item(r.Context(), Principal(r), mosaic.ID(r.PathValue("id")))
	if err != nil {
		return err
	}
	if it.Document == nil {
		return mosaic.Errorf(mosaic.KindNotFound, "document", "%s is a record, not a document: see /api/v1/records/%s", it.ID, it.ID)
	}
	resp := DocumentResponse{Document: it.Document, Mentions: []MarkedMention{}, Links: []mosaic.Link{}}
	if f := it.Facts; f != nil {
		var ms []mosaic.ID
		for _, m := range f.Mentions {
			ms = append(ms, m.ID)
		}
		ents, err := s.store.EntityOf(r.Context(), ms)
		if err != nil {
			return err
		}
		text := it.Document.Text
		for _, st := range f.Statements {
			o := st.Origin
			if st.Prop == "evidence" || o.Document != it.ID || o.Start < 0 || o.End > len(text) || o.Start >= o.End {
				continue
			}
			resp.Mentions = append(resp.Mentions, MarkedMention{Start: o.Start, End: o.End, Text: text[o.Start:o.End], Prop: st.Prop, Mention: st.Subject, Entity: ents[st.Subject], Type: st.Type})
		}
		resp.Links = f.Links
	}
	return writeJSON(w, http.StatusOK, resp)
}

func (s *Server) record(w http.ResponseWriter, r *http.Request) error {
	it, err := s.store.Item(r.Context(), Principal(r), mosaic.ID(r.PathValue("id")))
	if err != nil {
		return err
	}
	if it.Record == nil {
		return mosaic.Errorf(mosaic.KindNotFound, "record", "%s is a document, not a record: see /api/v1/documents/%s", it.ID, it.ID)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"record": it.Record, "facts": it.Facts, "seq": it.Seq, "stored": it.Stored})
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	stages, err := s.store.StageStatus(ctx)
	if err != nil {
		return err
	}
	fails, err := s.store.Failures(ctx, "", 100)
	if err != nil {
		return err
	}
	st, err := s.store.Stats(ctx)
	if err != nil {
		return err
	}
	if stages == nil {
		stages = []store.StageStatus{}
	}
	if fails == nil {
		fails = []store.Failure{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": st.Documents + st.Records, "stages": stages, "failures": fails})
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store.Stats(r.Context())
	if err != nil {
		return err
	}
	srcs, err := s.store.Sources(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"stats": st, "sources": srcs})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	check := s.ready
	if check == nil {
		check = func(ctx context.Context) error { _, err := s.store.LastSeq(ctx); return err }
	}
	if err := check(ctx); err != nil {
		return mosaic.E(mosaic.KindUnavailable, "readyz", fmt.Errorf("not ready: %w", err))
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
