package graph

import (
	"errors"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
)

// ErrNotFound is returned for a node that does not exist or that the caller
// may not see: the two are indistinguishable by design.
var ErrNotFound = errors.New("graph: no such node")

// NodeInfo describes a node in a query result.
type NodeInfo struct {
	ID      mosaic.ID         `json:"id"`
	Type    mosaic.EntityType `json:"type"`
	Caption string            `json:"caption,omitempty"`
	Marking mosaic.Marking    `json:"marking,omitempty"`
	// Hops is the distance from the query's start (neighbourhoods only).
	Hops int `json:"hops,omitempty"`
}

// EdgeInfo describes one edge in a result, oriented as it was traversed:
// From is the node the query came from.
type EdgeInfo struct {
	From mosaic.ID `json:"from"`
	To   mosaic.ID `json:"to"`
	Type string    `json:"type"`
	// Direction is "out" when From is the subject of a directed edge, "in"
	// when To is, and "" for an undirected edge.
	Direction  string         `json:"direction,omitempty"`
	Evidence   []mosaic.ID    `json:"evidence"`
	Start      time.Time      `json:"start,omitzero"`
	End        time.Time      `json:"end,omitzero"`
	Confidence float64        `json:"confidence"`
	Marking    mosaic.Marking `json:"marking,omitempty"`
	Recorded   time.Time      `json:"recorded,omitzero"`
	// Count is how many occasions the edge stands for (calls, flights
	// taken together); 1 for a single link.
	Count int `json:"count"`
}

func (g *Graph) nodeInfo(u uint32) NodeInfo {
	c := g.voc.nclasses[g.nclass[u]]
	return NodeInfo{ID: mosaic.ID(g.ids.str(u)), Type: g.voc.ntypes[c.typ], Caption: g.caps[u], Marking: g.voc.marks[c.mark]}
}

// edgeInfo describes edge eid traversed from u to w, cd as seen from u.
func (g *Graph) edgeInfo(u, w, cd, eid uint32) EdgeInfo {
	c := g.voc.classes[cd>>2]
	sp := g.spanOf(eid)
	e := EdgeInfo{
		From: mosaic.ID(g.ids.str(u)), To: mosaic.ID(g.ids.str(w)), Type: g.voc.etypes[c.typ],
		Start: fromDay(uint16(sp >> 16)), End: fromDay(uint16(sp)),
		Confidence: float64(c.conf) / confSteps, Marking: g.voc.marks[c.mark], Count: int(g.count(eid)),
	}
	switch cd & 3 {
	case 1:
		e.Direction = "out"
	case 2:
		e.Direction = "in"
	}
	var refs []uint32
	if eid < g.b.m {
		refs = g.evRefs[g.evOff[eid]:g.evOff[eid+1]]
		e.Recorded = fromSec(g.erec[eid])
	} else {
		i := eid - g.b.m
		refs = g.d.ev[g.d.evOff[i]:g.d.evOff[i+1]]
		e.Recorded = fromSec(g.d.rec[i])
	}
	e.Evidence = make([]mosaic.ID, len(refs))
	for i, r := range refs {
		e.Evidence[i] = mosaic.ID(g.evIDs.str(r))
	}
	return e
}

// lookupVisible returns the node id of id if v may see it.
func (v *view) lookupVisible(id mosaic.ID) (uint32, error) {
	u, ok := v.g.ids.lookup(string(id))
	if !ok || !v.nodeVisible(u) {
		return 0, ErrNotFound
	}
	return u, nil
}
