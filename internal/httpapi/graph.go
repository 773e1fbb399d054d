package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/graph/export"
	"github.com/mosaic-intel/mosaic/internal/linkgraph"
)

// GraphFunc returns the current link graph.
type GraphFunc func(ctx context.Context) (*graph.Graph, error)

// Hop is one edge of a path with its evidence explained.
type Hop struct {
	graph.EdgeInfo
	Explained []linkgraph.Evidence `json:"explained"`
}

// PathResponse is one path with each hop explained.
type PathResponse struct {
	Nodes  []graph.NodeInfo `json:"nodes"`
	Hops   []Hop            `json:"hops"`
	Cost   float64          `json:"cost"`
	Proven bool             `json:"proven"`
}

func (s *Server) registerGraph(g GraphFunc) {
	filterParams := []Param{
		{Name: "edge_types", In: "query", Description: "comma-separated link predicates to follow"},
		{Name: "node_types", In: "query", Description: "comma-separated entity types to pass through"},
		{Name: "since", In: "query", Description: "only links active on or after YYYY-MM-DD"},
		{Name: "until", In: "query", Description: "only links active on or before YYYY-MM-DD"},
		{Name: "min_confidence", In: "query", Description: "drop links below this confidence"},
	}
	with := func(ps ...Param) []Param { return append(ps, filterParams...) }
	q := func(name, desc string, req bool) Param {
		return Param{Name: name, In: "query", Required: req, Description: desc}
	}

	s.Handle("GET /api/v1/graph/path", withGraph(g, func(w http.ResponseWriter, r *http.Request, gr *graph.Graph, f graph.Filter, q *params) error {
		from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
		if from == "" || to == "" {
			return mosaic.Errorf(mosaic.KindInvalid, "path", "from and to are required")
		}
		k, hops := q.int("k", 1, 20), q.int("max_hops", 6, 12)
		if q.err != nil {
			return nil
		}
		p := Principal(r)
		paths, err := gr.Paths(r.Context(), p, mosaic.ID(from), mosaic.ID(to), graph.PathOptions{Filter: f, K: k, MaxHops: hops})
		if err != nil {
			return err
		}
		out := []PathResponse{}
		for _, pa := range paths {
			pr := PathResponse{Nodes: pa.Nodes, Cost: pa.Cost, Proven: pa.Proven}
			for _, e := range pa.Edges {
				ev, err := linkgraph.Explain(r.Context(), s.store, p, e.Evidence, 3)
				if err != nil {
					return err
				}
				pr.Hops = append(pr.Hops, Hop{EdgeInfo: e, Explained: ev})
			}
			out = append(out, pr)
		}
		return writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "paths": out})
	}))
	s.Describe("GET /api/v1/graph/path", Op{Summary: "How is A connected to B: the k cheapest paths (hubs penalised), each hop with its evidence (the sentence with names marked, or the record)",
		Params: with(q("from", "entity ID", true), q("to", "entity ID", true), q("k", "number of paths (default 1)", false), q("max_hops", "longest path (default 6)", false))})

	s.Handle("GET /api/v1/graph/neighbours", withGraph(g, func(w http.ResponseWriter, r *http.Request, gr *graph.Graph, f graph.Filter, q *params) error {
		seeds, hops, limit := q.ids("neighbours"), q.int("hops", 1, 4), q.int("limit", 500, 20000)
		if q.err != nil {
			return nil
		}
		sg, err := gr.Neighbours(r.Context(), Principal(r), seeds, graph.NeighbourOptions{Filter: f, Hops: hops, Limit: limit})
		if err != nil {
			return err
		}
		if format := r.URL.Query().Get("format"); format != "" && format != "json" {
			ct := map[string]string{"graphml": "application/graphml+xml", "gexf": "application/gexf+xml", "cytoscape": "application/json"}[format]
			if ct == "" {
				return mosaic.Errorf(mosaic.KindInvalid, "neighbours", "format must be json, graphml, gexf or cytoscape")
			}
			w.Header().Set("Content-Type", ct)
			return export.Write(w, format, sg)
		}
		return writeJSON(w, http.StatusOK, sg)
	}))
	s.Describe("GET /api/v1/graph/neighbours", Op{Summary: "The k-hop neighbourhood of one or more entities (hubs reached but not expanded); format=graphml|gexf|cytoscape exports it",
		Params: with(q("id", "entity ID (repeatable)", true), q("hops", "radius (default 1)", false), q("limit", "most nodes (default 500)", false), q("format", "json (default), graphml, gexf or cytoscape", false))})

	s.Handle("GET /api/v1/graph/timeline", withGraph(g, func(w http.ResponseWriter, r *http.Request, gr *graph.Graph, f graph.Filter, q *params) error {
		seeds := q.ids("timeline")
		if q.err != nil {
			return nil
		}
		evs, err := gr.Timeline(r.Context(), Principal(r), seeds, f)
		if err != nil {
			return err
		}
		if evs == nil {
			evs = []graph.Event{}
		}
		return writeJSON(w, http.StatusOK, map[string]any{"events": evs})
	}))
	s.Describe("GET /api/v1/graph/timeline", Op{Summary: "Dated links of an entity or a set, oldest first, with their evidence IDs and sources",
		Params: with(q("id", "entity ID (repeatable)", true))})

	s.Handle("GET /api/v1/graph/cells", withGraph(g, func(w http.ResponseWriter, r *http.Request, gr *graph.Graph, f graph.Filter, q *params) error {
		o := graph.CellOptions{MinSize: q.int("min_size", 3, 1000)}
		if q.err != nil {
			return nil
		}
		o.Filter = f
		if v := r.URL.Query().Get("resolution"); v != "" {
			res, err := strconv.ParseFloat(v, 64)
			if err != nil || res <= 0 {
				return mosaic.Errorf(mosaic.KindInvalid, "cells", "resolution must be a positive number")
			}
			o.Resolution = res
		}
		cells, err := gr.Cells(r.Context(), Principal(r), o)
		if err != nil {
			return err
		}
		if cells == nil {
			cells = []graph.Cell{}
		}
		return writeJSON(w, http.StatusOK, map[string]any{"cells": cells})
	}))
	s.Describe("GET /api/v1/graph/cells", Op{Summary: "Communities (cells) in the caller's view of the graph, largest first",
		Params: with(q("min_size", "smallest cell (default 3)", false), q("resolution", "density threshold (default 0.1)", false))})

	s.Handle("GET /api/v1/graph/keyplayers", withGraph(g, func(w http.ResponseWriter, r *http.Request, gr *graph.Graph, f graph.Filter, q *params) error {
		o := graph.KeyPlayerOptions{Top: q.int("top", 20, 1000)}
		if q.err != nil {
			return nil
		}
		o.Filter = f
		rank, betw, err := gr.KeyPlayers(r.Context(), Principal(r), o)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"by_pagerank": rank, "by_betweenness": betw})
	}))
	s.Describe("GET /api/v1/graph/keyplayers", Op{Summary: "Key players (PageRank) and brokers (approximate betweenness)", Params: with(q("top", "how many (default 20)", false))})

	s.Handle("GET /api/v1/graph/changes", withGraph(g, func(w http.ResponseWriter, r *http.Request, gr *graph.Graph, f graph.Filter, q *params) error {
		f.From = time.Time{} // here since means recorded since, not active since
		since, err := time.Parse(time.RFC3339, r.URL.Query().Get("since"))
		if err != nil {
			if since, err = time.Parse("2006-01-02", r.URL.Query().Get("since")); err != nil {
				return mosaic.Errorf(mosaic.KindInvalid, "changes", "since must be RFC 3339 or YYYY-MM-DD")
			}
		}
		limit := q.int("limit", 1000, 100000)
		if q.err != nil {
			return nil
		}
		cs, err := gr.Changes(r.Context(), Principal(r), since, f, limit)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, cs)
	}))
	s.Describe("GET /api/v1/graph/changes", Op{Summary: "Entities and links recorded since a time", Params: with(q("since", "RFC 3339 time or YYYY-MM-DD", true), q("limit", "most changes (default 1000)", false))})
}

// graphHandler is a graph route's handler, given the graph and the
// request's filter.
type graphHandler func(w http.ResponseWriter, r *http.Request, gr *graph.Graph, f graph.Filter, q *params) error

// withGraph reads the filter and the graph for h; parameter errors h
// collected in q are returned before h's own error.
func withGraph(g GraphFunc, h graphHandler) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := graphFilter(r)
		if err != nil {
			return err
		}
		gr, err := g(r.Context())
		if err != nil {
			return err
		}
		q := &params{r: r}
		if err := h(w, r, gr, f, q); q.err != nil {
			return q.err
		} else if err != nil {
			return graphErr(err)
		}
		return nil
	}
}

// params reads query parameters, keeping the first error.
type params struct {
	r   *http.Request
	err error
}

func (q *params) int(name string, def, max int) int {
	n, err := intParam(q.r, name, def, max)
	if err != nil && q.err == nil {
		q.err = err
	}
	return n
}

// ids returns the repeated id parameter (at least one).
func (q *params) ids(op string) []mosaic.ID {
	vs := q.r.URL.Query()["id"]
	if len(vs) == 0 && q.err == nil {
		q.err = mosaic.Errorf(mosaic.KindInvalid, op, "id is required")
	}
	out := make([]mosaic.ID, len(vs))
	for i, v := range vs {
		out[i] = mosaic.ID(v)
	}
	return out
}

func graphErr(err error) error {
	if errors.Is(err, graph.ErrNotFound) {
		return mosaic.E(mosaic.KindNotFound, "graph", err)
	}
	return err
}

// graphFilter reads the filter parameters shared by the graph routes.
func graphFilter(r *http.Request) (graph.Filter, error) {
	var f graph.Filter
	q := r.URL.Query()
	split := func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	f.EdgeTypes = split(q.Get("edge_types"))
	for _, t := range split(q.Get("node_types")) {
		f.NodeTypes = append(f.NodeTypes, mosaic.EntityType(t))
	}
	for _, d := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.From}, {"until", &f.To}} {
		if v := q.Get(d.name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return f, mosaic.Errorf(mosaic.KindInvalid, "graph", "%s must be YYYY-MM-DD", d.name)
			}
			*d.dst = t
		}
	}
	if v := q.Get("min_confidence"); v != "" {
		c, err := strconv.ParseFloat(v, 64)
		if err != nil || c < 0 || c > 1 {
			return f, mosaic.Errorf(mosaic.KindInvalid, "graph", "min_confidence must be between 0 and 1")
		}
		f.MinConfidence = c
	}
	return f, nil
}
