// Package linkgraph keeps the in-memory link index (package graph) in step
// with the store: it loads the graph from resolved mentions and stored
// links, adds the links of new items as the link stage indexes them, and
// rebuilds in the background after resolution has moved mentions between
// entities (a merge or a split changes which node an edge belongs to).
//
// # Nodes and markings
//
// A node is a resolved entity. Its marking is the marking of its most open
// member: the member item with the fewest labels (ties broken by the
// labels, then the mention ID), and its caption is that member's. A caller
// therefore sees a node only if it may see at least one item naming it,
// and the caption it sees comes from an item it may see.
//
// # Concurrency
//
// A Manager is safe for concurrent use. Queries use the current graph;
// a rebuild swaps in a new graph when it is complete. Run owns the
// rebuild goroutine.
package linkgraph

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/graph/cooccur"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Store is what the graph needs of the store.
type Store interface {
	store.LinkReader
}

// Source reads the graph from a store.
type Source struct{ Store Store }

var _ graph.Source = Source{}

// Nodes implements graph.Source.
func (s Source) Nodes(ctx context.Context, fn func(graph.Node) error) error {
	var cur *graph.Node
	var curLabels int
	flush := func() error {
		if cur == nil {
			return nil
		}
		n := *cur
		cur = nil
		return fn(n)
	}
	err := s.Store.ResolvedMentions(ctx, func(m store.MentionRow) error {
		if cur != nil && cur.ID != m.Entity {
			if err := flush(); err != nil {
				return err
			}
		}
		if cur == nil {
			cur = &graph.Node{ID: m.Entity, Type: m.Type, Caption: m.Caption, Marking: m.Marking, Recorded: m.Stored}
			curLabels = len(m.Marking)
			return nil
		}
		if m.Stored.Before(cur.Recorded) {
			cur.Recorded = m.Stored
		}
		if len(m.Marking) < curLabels || len(m.Marking) == curLabels && m.Marking.String() < cur.Marking.String() {
			cur.Marking, cur.Caption, curLabels = m.Marking, m.Caption, len(m.Marking)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// cooccurKinds maps the predicates of a person's link to a shared thing
// (a flight, a booking, a phone, an address, a vehicle, a prisoner, a
// reported event) to the kind of co-occurrence the shared thing makes
// between the people linked to it.
var cooccurKinds = map[string]string{
	"travelled_on": "flight",
	"has_phone":    "phone",
	"lives_at":     "address",
	"hired":        "vehicle",
	"visited":      "visit",
	"took_part_in": "event",
	"booked_under": "booking",
}

// Edges implements graph.Source: every resolved link, plus co-occurrence
// edges between the people who share a flight, a booking, a phone, an
// address, a vehicle, a prisoner they visit or an event they took part in,
// whose phones called each other, or who are named in the same document
// (see package cooccur; a thing shared by very many becomes a hub node).
// Each co-occurrence edge counts its occasions (graph.Edge.Count).
func (s Source) Edges(ctx context.Context, fn func(graph.Edge) error) error {
	d := cooccur.New(cooccur.Options{})
	holders := map[mosaic.ID][]mosaic.ID{} // phone entity -> people
	type call struct {
		a, b    mosaic.ID
		rec     mosaic.ID
		at      time.Time
		marking mosaic.Marking
	}
	var calls []call
	err := s.Store.EntityLinks(ctx, func(l store.EntityLink) error {
		if l.SubjectEntity == l.ObjectEntity {
			return nil
		}
		rec := mosaic.OriginOf(l.ID)
		if kind, ok := cooccurKinds[l.Predicate]; ok {
			d.Add(cooccur.Observation{Record: rec, Kind: kind, Time: l.Start, Participants: []mosaic.ID{l.SubjectEntity}, Shared: string(l.ObjectEntity), Marking: l.Marking})
			if kind == "phone" && len(holders[l.ObjectEntity]) < 16 && !slices.Contains(holders[l.ObjectEntity], l.SubjectEntity) {
				holders[l.ObjectEntity] = append(holders[l.ObjectEntity], l.SubjectEntity)
			}
		}
		if l.Predicate == "communicated_with" {
			calls = append(calls, call{l.SubjectEntity, l.ObjectEntity, rec, l.Start, l.Marking})
		}
		return fn(Edge(l))
	})
	if err != nil {
		return err
	}
	// A call joins each holder of the calling phone to each holder of the
	// called phone, never two holders of the same phone with each other:
	// a shared phone (a household's landline, a burner) would otherwise
	// tie its holders once per call it made, however few they made
	// together. Sharing the phone is its own edge (same_phone).
	for _, c := range calls {
		for _, ha := range holders[c.a] {
			for _, hb := range holders[c.b] {
				if ha == hb {
					continue
				}
				x, y := min(ha, hb), max(ha, hb)
				d.Add(cooccur.Observation{Record: c.rec, Kind: "communication", Time: c.at, Participants: []mosaic.ID{x, y},
					Shared: string(c.rec) + "\x01" + string(x) + "\x01" + string(y), Marking: c.marking})
			}
		}
	}
	// People named in the same document.
	err = s.Store.ResolvedMentions(ctx, func(m store.MentionRow) error {
		if m.Type != mosaic.TypePerson {
			return nil
		}
		doc := mosaic.OriginOf(m.Mention)
		if !strings.HasPrefix(string(doc), mosaic.PrefixDocument+"-") {
			return nil
		}
		d.Add(cooccur.Observation{Record: doc, Kind: "document", Participants: []mosaic.ID{m.Entity}, Shared: string(doc), Marking: m.Marking})
		return nil
	})
	if err != nil {
		return err
	}
	hubs, edges := d.Derive()
	_ = hubs // hub nodes are created implicitly by their edges, with the edges' markings
	for _, e := range edges {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// EdgeWeights implements graph.EdgeWeighter: how much one occasion of
// each kind of edge counts when finding cells and key players. Being named
// together in a report, or taking part in the same reported event, is
// direct evidence of association and counts twice; visiting the same
// prisoner (which families and friends of the prisoner all do) counts
// half. Every other kind counts 1 per occasion: one call, one flight
// together, one shared address.
func (Source) EdgeWeights() map[string]float64 {
	return map[string]float64{"co_mentioned": 2, "same_event": 2, "visited_same": 0.5}
}

// Edge converts a resolved link into a graph edge.
func Edge(l store.EntityLink) graph.Edge {
	return graph.Edge{
		From: l.SubjectEntity, To: l.ObjectEntity, Type: l.Predicate, Directed: true,
		Evidence: l.Evidence, Start: l.Start, End: l.End, Confidence: l.Confidence, Marking: l.Marking,
	}
}

// Manager owns the graph of a running node.
type Manager struct {
	src   Source
	log   *slog.Logger
	every time.Duration

	mu    sync.Mutex // serialises loads
	g     atomic.Pointer[graph.Graph]
	dirty atomic.Bool
}

// NewManager returns a manager over st. It loads nothing until first used.
func NewManager(st Store, log *slog.Logger) *Manager {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{src: Source{Store: st}, log: log, every: 10 * time.Second}
}

// Graph returns the current graph, loading it on first use.
func (m *Manager) Graph(ctx context.Context) (*graph.Graph, error) {
	if g := m.g.Load(); g != nil {
		return g, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if g := m.g.Load(); g != nil {
		return g, nil
	}
	return m.load(ctx)
}

func (m *Manager) load(ctx context.Context) (*graph.Graph, error) {
	start := time.Now()
	m.dirty.Store(false)
	g, err := graph.Load(ctx, m.src)
	if err != nil {
		m.dirty.Store(true)
		return nil, err
	}
	m.g.Store(g)
	st := g.Stats()
	m.log.Info("link graph loaded", "nodes", st.Nodes, "edges", st.Edges, "took", time.Since(start).Round(time.Millisecond))
	return g, nil
}

// Linked adds the links of newly linked items (the link stage's OnLinked
// hook). Endpoints are looked up in the store, so they reflect resolution
// as it stands.
func (m *Manager) Linked(ctx context.Context, st store.Store, items []*store.Item) {
	g := m.g.Load()
	if g == nil {
		return // loaded later from the store, with these links
	}
	var ms []mosaic.ID
	want := map[mosaic.ID]bool{}
	for _, it := range items {
		if it.Facts == nil {
			continue
		}
		for _, l := range it.Facts.Links {
			ms = append(ms, l.Subject)
			want[l.ID] = true
		}
	}
	links, err := st.LinksOf(ctx, mosaic.Principal{Name: "system", All: true}, ms, len(want)+len(ms)*4+100)
	if err != nil {
		m.log.Warn("could not add new links to the graph; it will be rebuilt", "err", err)
		m.dirty.Store(true)
		return
	}
	added := 0
	for _, l := range links {
		if !want[l.ID] || l.SubjectEntity == l.ObjectEntity {
			continue
		}
		g.AddEdge(Edge(l))
		added++
	}
	if added > 0 {
		// Co-occurrence edges and new entities' type, caption and marking
		// come with the next rebuild; until then an edge's implicit node
		// takes the edge's marking, never more visible than the edge.
		m.dirty.Store(true)
	}
}

// Moved marks the graph stale after resolution moved mentions between
// entities.
func (m *Manager) Moved() { m.dirty.Store(true) }

// Run rebuilds a stale graph every few seconds, and compacts the delta,
// until ctx ends.
func (m *Manager) Run(ctx context.Context) {
	t := time.NewTicker(m.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		g := m.g.Load()
		if g == nil {
			continue
		}
		if m.dirty.Load() {
			m.mu.Lock()
			if _, err := m.load(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("link graph rebuild failed", "err", err)
			}
			m.mu.Unlock()
			continue
		}
		if st := g.Stats(); st.DeltaEdges > 1000 && st.DeltaEdges*20 > st.Edges {
			if err := g.Compact(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("link graph compaction failed", "err", err)
			}
		}
	}
}
