package httpapi

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
)

// Op describes a route for the OpenAPI document.
type Op struct {
	Summary string
	Params  []Param
	// Body describes the request body, if any.
	Body string
	// Stream marks a text/event-stream response.
	Stream bool
}

// Param is a query or path parameter.
type Param struct {
	Name        string
	In          string // "query" or "path"
	Required    bool
	Description string
}

type route struct {
	method, path string
	op           Op
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)

// Describe records the OpenAPI description of a route registered with
// Handle ("GET /api/v1/search").
func (s *Server) Describe(pattern string, op Op) {
	method, path, _ := strings.Cut(pattern, " ")
	s.routes = append(s.routes, route{method: strings.ToLower(method), path: pathParamRE.ReplaceAllString(path, "{$1}"), op: op})
}

func (s *Server) describeCore() {
	q := func(name, desc string, req bool) Param {
		return Param{Name: name, In: "query", Required: req, Description: desc}
	}
	id := Param{Name: "id", In: "path", Required: true, Description: "object ID"}
	s.Describe("GET /api/v1/search", Op{Summary: "Full-text search: entities whose names hold every word, then documents and records", Params: []Param{q("q", "query words", true), q("limit", "most results (1-1000, default 20)", false)}})
	s.Describe("GET /api/v1/entities/{id}", Op{Summary: "An entity (or the entity of a mention ID) with every statement and its origin, and the links that touch it", Params: []Param{id}})
	s.Describe("GET /api/v1/documents/{id}", Op{Summary: "A document's text with its mentions marked (byte offsets) and the links found in it", Params: []Param{id}})
	s.Describe("GET /api/v1/records/{id}", Op{Summary: "A record with its fields and the mentions, statements and links derived from it", Params: []Param{id}})
	s.Describe("GET /api/v1/status", Op{Summary: "Pipeline progress per stage and failed items"})
	s.Describe("GET /api/v1/stats", Op{Summary: "Counts of stored objects, and the sources"})
	s.Describe("GET /healthz", Op{Summary: "Liveness"})
	s.Describe("GET /readyz", Op{Summary: "Readiness: the store answers"})
	s.Describe("GET /metrics", Op{Summary: "Prometheus metrics"})
	s.Describe("GET /openapi.json", Op{Summary: "This document"})
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	errResp := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	paths := map[string]map[string]any{}
	rs := append([]route(nil), s.routes...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].path+rs[i].method < rs[j].path+rs[j].method })
	for _, rt := range rs {
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		var params []map[string]any
		for _, p := range rt.op.Params {
			params = append(params, map[string]any{"name": p.Name, "in": p.In, "required": p.Required, "description": p.Description, "schema": map[string]any{"type": "string"}})
		}
		ok := map[string]any{"description": "OK", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
		if rt.op.Stream {
			ok = map[string]any{"description": "server-sent events", "content": map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}}}}
		}
		op := map[string]any{
			"summary":   rt.op.Summary,
			"responses": map[string]any{"200": ok, "400": errResp, "404": errResp, "500": errResp},
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.op.Body != "" {
			op["requestBody"] = map[string]any{"description": rt.op.Body, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
		}
		paths[rt.path][rt.method] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Mosaic API", "version": "1", "description": "Intelligence fusion: search, entities with provenance, documents, records, alerts and links. " +
			"Errors are JSON {\"error\": {\"code\", \"message\"}} with stable codes: invalid, not_found, conflict, refused, unavailable, internal. " +
			"Send X-Mosaic-Clearances: A,B to narrow your view to those compartment labels."},
		"paths": paths,
		"components": map[string]any{"schemas": map[string]any{"Error": map[string]any{
			"type": "object", "required": []string{"error"},
			"properties": map[string]any{"error": map[string]any{"type": "object", "properties": map[string]any{
				"code":    map[string]any{"type": "string", "enum": []string{"invalid", "not_found", "conflict", "refused", "unavailable", "internal"}},
				"message": map[string]any{"type": "string"},
			}}},
		}}},
	}
	return writeJSON(w, http.StatusOK, doc)
}
