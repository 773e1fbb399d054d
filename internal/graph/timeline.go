package graph

import (
	"context"
	"fmt"
	"slices"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
)

// Event is one dated edge on a timeline.
type Event struct {
	// Time is the edge's start (its end when the start is unknown).
	Time time.Time `json:"time"`
	// Entity is the member of the queried set the edge touches.
	Entity mosaic.ID `json:"entity"`
	Edge   EdgeInfo  `json:"edge"`
}

// Timeline returns the dated edges touching any of ids that p may see and
// the filter allows, oldest first, each with its evidence (the statements
// or records to show as sources). An edge between two members appears
// once.
func (g *Graph) Timeline(ctx context.Context, p mosaic.Principal, ids []mosaic.ID, f Filter) ([]Event, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	v := g.view(p, f)
	var evs []Event
	seen := map[uint32]bool{}
	for _, id := range ids {
		u, err := v.lookupVisible(id)
		if err != nil {
			return nil, fmt.Errorf("timeline of %s: %w", id, err)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("timeline: %w", ctx.Err())
		}
		g.each(u, func(w, cd, eid uint32) bool {
			if seen[eid] || g.spanOf(eid) == 0 || !v.edgeOK(cd, eid) || !v.nodeOK[g.nclass[w]] {
				return true
			}
			seen[eid] = true
			e := g.edgeInfo(u, w, cd, eid)
			t := e.Start
			if t.IsZero() {
				t = e.End
			}
			evs = append(evs, Event{Time: t, Entity: id, Edge: e})
			return true
		})
	}
	slices.SortStableFunc(evs, func(a, b Event) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		if a.Edge.From != b.Edge.From {
			return compareID(a.Edge.From, b.Edge.From)
		}
		return compareID(a.Edge.To, b.Edge.To)
	})
	return evs, nil
}

func compareID(a, b mosaic.ID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ChangeSet is what entered the graph since a time, as one caller sees it.
type ChangeSet struct {
	Since time.Time  `json:"since"`
	Nodes []NodeInfo `json:"nodes"`
	Edges []EdgeInfo `json:"edges"`
	// EdgesByType counts the new visible edges per type.
	EdgesByType map[string]int `json:"edges_by_type"`
	// Truncated is set when limit cut Nodes or Edges short (the counts
	// stay complete).
	Truncated bool `json:"truncated,omitempty"`
}

// Changes returns the nodes and edges recorded at or after since that p may
// see and f allows, up to limit of each (0: 1000). It scans the whole
// index: an analytics call, not a hot path.
func (g *Graph) Changes(ctx context.Context, p mosaic.Principal, since time.Time, f Filter, limit int) (ChangeSet, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if limit <= 0 {
		limit = 1000
	}
	v := g.view(p, f)
	cs := ChangeSet{Since: since, EdgesByType: map[string]int{}}
	t := toSec(since)
	for u := range g.nclass {
		if g.nrec[u] >= t && g.nrec[u] != 0 && v.nodeOK[g.nclass[u]] {
			if len(cs.Nodes) < limit {
				cs.Nodes = append(cs.Nodes, g.nodeInfo(uint32(u)))
			} else {
				cs.Truncated = true
			}
		}
	}
	add := func(u, w, cd, eid, rec uint32) {
		if rec < t || rec == 0 || !v.nodeOK[g.nclass[u]] || !v.nodeOK[g.nclass[w]] || !v.edgeOK(cd, eid) {
			return
		}
		cs.EdgesByType[g.voc.etypes[g.voc.classes[cd>>2].typ]]++
		if len(cs.Edges) < limit {
			cs.Edges = append(cs.Edges, g.edgeInfo(u, w, cd, eid))
		} else {
			cs.Truncated = true
		}
	}
	b := g.b
	for u := uint32(0); u < b.n; u++ {
		if u&0xffff == 0 && ctx.Err() != nil {
			return ChangeSet{}, fmt.Errorf("changes: %w", ctx.Err())
		}
		g.eachBase(u, func(w, cd, eid uint32) bool {
			if w >= u {
				return false // owned entries come first: each edge once
			}
			add(u, w, cd, eid, g.erec[eid])
			return true
		})
	}
	for i := range g.d.from {
		add(g.d.from[i], g.d.to[i], g.d.cd[i], b.m+uint32(i), g.d.rec[i])
	}
	return cs, nil
}
