package graph

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
)

// Source is what the index is loaded from: the store at start, or a file.
// Nodes are read before edges; an edge naming an unknown node creates an
// implicit one (see Builder.Handle).
type Source interface {
	Nodes(ctx context.Context, fn func(Node) error) error
	Edges(ctx context.Context, fn func(Edge) error) error
}

// Load builds a Graph from a Source.
func Load(ctx context.Context, src Source) (*Graph, error) {
	b := NewBuilder(0, 0)
	if err := src.Nodes(ctx, func(n Node) error { b.Node(n); return nil }); err != nil {
		return nil, fmt.Errorf("load nodes: %w", err)
	}
	if err := src.Edges(ctx, func(e Edge) error { b.AddEdge(e); return nil }); err != nil {
		return nil, fmt.Errorf("load edges: %w", err)
	}
	g, err := b.Build(ctx)
	if err != nil {
		return nil, err
	}
	if w, ok := src.(EdgeWeighter); ok {
		g.weights = maps.Clone(w.EdgeWeights())
	}
	return g, nil
}

// Record is one line of the JSON-lines graph format: exactly one of Node
// and Edge is set.
//
//	{"node": {"id": "ent-1", "type": "Person", "caption": "Ann Lee"}}
//	{"edge": {"from": "ent-1", "to": "ent-2", "type": "knows", "evidence": ["st-9"], "confidence": 0.9}}
type Record struct {
	Node *Node `json:"node,omitempty"`
	Edge *Edge `json:"edge,omitempty"`
}

// ReadJSONL reads the JSON-lines graph format into a Source held in memory.
func ReadJSONL(r io.Reader) (*MemorySource, error) {
	var s MemorySource
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("graph jsonl line %d: %w", line, err)
		}
		switch {
		case rec.Node != nil && rec.Edge == nil:
			if rec.Node.ID == "" {
				return nil, fmt.Errorf("graph jsonl line %d: node without id", line)
			}
			s.NodeList = append(s.NodeList, *rec.Node)
		case rec.Edge != nil && rec.Node == nil:
			if rec.Edge.From == "" || rec.Edge.To == "" {
				return nil, fmt.Errorf("graph jsonl line %d: edge without from or to", line)
			}
			s.EdgeList = append(s.EdgeList, *rec.Edge)
		default:
			return nil, fmt.Errorf("graph jsonl line %d: want exactly one of \"node\" and \"edge\"", line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("graph jsonl: %w", err)
	}
	return &s, nil
}

// MemorySource is a Source over slices.
type MemorySource struct {
	NodeList []Node
	EdgeList []Edge
}

var _ Source = (*MemorySource)(nil)

// Nodes implements Source.
func (s *MemorySource) Nodes(ctx context.Context, fn func(Node) error) error {
	for i, n := range s.NodeList {
		if i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := fn(n); err != nil {
			return err
		}
	}
	return nil
}

// Edges implements Source.
func (s *MemorySource) Edges(ctx context.Context, fn func(Edge) error) error {
	for i, e := range s.EdgeList {
		if i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// ReadLinksCSV reads a link list with a header naming at least the columns
// person_a and person_b (and optionally kind), as the generator writes in
// truth/links.csv, into a Source of undirected edges of confidence 1.
func ReadLinksCSV(r io.Reader) (*MemorySource, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("links csv: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	ia, okA := col["person_a"]
	ib, okB := col["person_b"]
	ik, okK := col["kind"]
	if !okA || !okB {
		return nil, fmt.Errorf("links csv: header %v lacks person_a and person_b", head)
	}
	var s MemorySource
	seen := map[mosaic.ID]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("links csv line %d: %w", line, err)
		}
		if len(rec) <= max(ia, ib) || (okK && len(rec) <= ik) {
			return nil, fmt.Errorf("links csv line %d: %d fields", line, len(rec))
		}
		e := Edge{From: mosaic.ID(rec[ia]), To: mosaic.ID(rec[ib]), Type: "linked", Confidence: 1}
		if okK && rec[ik] != "" {
			e.Type = rec[ik]
		}
		for _, id := range []mosaic.ID{e.From, e.To} {
			if !seen[id] {
				seen[id] = true
				s.NodeList = append(s.NodeList, Node{ID: id, Type: mosaic.TypePerson})
			}
		}
		s.EdgeList = append(s.EdgeList, e)
	}
	return &s, nil
}

// ReadCellsCSV reads truth cells (columns cell_id and person_id) into a
// map from person to cell.
func ReadCellsCSV(r io.Reader) (map[mosaic.ID]string, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("cells csv: %w", err)
	}
	ic, ip := -1, -1
	for i, h := range head {
		switch strings.TrimSpace(strings.ToLower(h)) {
		case "cell_id":
			ic = i
		case "person_id":
			ip = i
		}
	}
	if ic < 0 || ip < 0 {
		return nil, fmt.Errorf("cells csv: header %v lacks cell_id and person_id", head)
	}
	out := map[mosaic.ID]string{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("cells csv line %d: %w", line, err)
		}
		out[mosaic.ID(rec[ip])] = rec[ic]
	}
}
