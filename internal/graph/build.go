package graph

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
)

// Handle names a node inside a Builder.
type Handle uint32

// EvidenceRef names an interned evidence id inside a Builder.
type EvidenceRef uint32

// Attrs are the attributes of one link given to Builder.Link.
type Attrs struct {
	Type       string
	Directed   bool
	Start, End time.Time
	Confidence float64
	Marking    mosaic.Marking
	Recorded   time.Time
	Evidence   []EvidenceRef
	// Count is how many occasions the link stands for (0 means 1).
	Count int
}

// Builder collects nodes and edges and builds a Graph. It is not safe for
// concurrent use. Bulk loaders call Node, Evidence and Link with handles;
// AddEdge is the convenient form taking IDs.
type Builder struct {
	voc   *vocab
	ids   *dict
	nclas []uint16
	caps  []string
	nrec  []uint32
	// implicit marks nodes created by an edge before their Node call.
	implicit []bool

	evIDs *dict
	ea    []uint32
	eb    []uint32
	etyp  []uint16
	emark []uint16
	edir  []bool
	econf []float32
	espan []uint32
	erec  []uint32
	evOff []uint32 // len edges+1
	ev    []uint32
	// ecnt holds per-edge occasion counts, allocated when the first
	// count above 1 arrives (until then every count is 1).
	ecnt []uint32
	// hubDegree overrides the default hub threshold (tests).
	hubDegree uint32
}

// NewBuilder returns a Builder sized for about nodes nodes and edges edges
// (0 for unknown).
func NewBuilder(nodes, edges int) *Builder {
	b := &Builder{
		voc:   newVocab(),
		ids:   newDict(nodes),
		evIDs: newDict(16),
		evOff: make([]uint32, 1, edges+1),
	}
	b.ea = make([]uint32, 0, edges)
	b.eb = make([]uint32, 0, edges)
	b.etyp = make([]uint16, 0, edges)
	b.emark = make([]uint16, 0, edges)
	b.edir = make([]bool, 0, edges)
	b.econf = make([]float32, 0, edges)
	b.espan = make([]uint32, 0, edges)
	b.erec = make([]uint32, 0, edges)
	return b
}

// Node adds or updates a node and returns its handle. A later call for the
// same ID overwrites type, caption, marking and recorded time.
func (b *Builder) Node(n Node) Handle {
	h, added := b.ids.intern(string(n.ID))
	if added {
		b.nclas = append(b.nclas, 0)
		b.caps = append(b.caps, "")
		b.nrec = append(b.nrec, 0)
		b.implicit = append(b.implicit, false)
	}
	typ := n.Type
	if typ == "" {
		typ = mosaic.TypeMisc
	}
	b.nclas[h] = b.voc.nclass(b.voc.ntype(typ), b.voc.mark(n.Marking))
	b.caps[h] = n.Caption
	b.nrec[h] = toSec(n.Recorded)
	b.implicit[h] = false
	return Handle(h)
}

// Handle returns the handle of id, creating an implicit node (type Misc,
// marked m) when id is new. An implicit node takes the marking of the first
// edge that names it, so it is never more visible than that edge.
func (b *Builder) Handle(id mosaic.ID, m mosaic.Marking) Handle {
	if h, ok := b.ids.lookup(string(id)); ok {
		return Handle(h)
	}
	h := b.Node(Node{ID: id, Type: mosaic.TypeMisc, Marking: m})
	b.implicit[h] = true
	return h
}

// Evidence interns an evidence id.
func (b *Builder) Evidence(id mosaic.ID) EvidenceRef {
	r, _ := b.evIDs.intern(string(id))
	return EvidenceRef(r)
}

// Link adds an edge between two handles. Self-links are dropped at Build.
func (b *Builder) Link(from, to Handle, a Attrs) {
	typ := a.Type
	if typ == "" {
		typ = "related"
	}
	b.ea = append(b.ea, uint32(from))
	b.eb = append(b.eb, uint32(to))
	b.etyp = append(b.etyp, b.voc.etype(typ))
	b.emark = append(b.emark, b.voc.mark(a.Marking))
	b.edir = append(b.edir, a.Directed)
	b.econf = append(b.econf, float32(a.Confidence))
	b.espan = append(b.espan, packSpan(a.Start, a.End))
	b.erec = append(b.erec, toSec(a.Recorded))
	b.addCount(a.Count)
	for _, r := range a.Evidence {
		b.ev = append(b.ev, uint32(r))
	}
	b.evOff = append(b.evOff, uint32(len(b.ev)))
}

// addCount records the count of the edge just appended.
func (b *Builder) addCount(c int) {
	switch {
	case b.ecnt != nil:
		b.ecnt = append(b.ecnt, clampCount(c))
	case c > 1:
		b.ecnt = make([]uint32, len(b.ea)-1, cap(b.ea))
		for i := range b.ecnt {
			b.ecnt[i] = 1
		}
		b.ecnt = append(b.ecnt, clampCount(c))
	}
}

func clampCount(c int) uint32 {
	return uint32(min(max(c, 1), math.MaxUint32))
}

// AddEdge adds an edge named by IDs; unknown endpoints become implicit nodes.
func (b *Builder) AddEdge(e Edge) {
	from := b.Handle(e.From, e.Marking)
	to := b.Handle(e.To, e.Marking)
	refs := make([]EvidenceRef, len(e.Evidence))
	for i, id := range e.Evidence {
		refs[i] = b.Evidence(id)
	}
	b.Link(from, to, Attrs{Type: e.Type, Directed: e.Directed, Start: e.Start, End: e.End,
		Confidence: e.Confidence, Marking: e.Marking, Recorded: e.Recorded, Evidence: refs, Count: e.Count})
}

func packSpan(start, end time.Time) uint32 {
	s, e := toDay(start), toDay(end)
	if s != 0 && e != 0 && e < s {
		s, e = e, s
	}
	return uint32(s)<<16 | uint32(e)
}

// joinSpan returns the smallest span covering both (unknown ends ignored).
func joinSpan(a, b uint32) uint32 {
	as, ae, bs, be := uint16(a>>16), uint16(a), uint16(b>>16), uint16(b)
	s := as
	if s == 0 || (bs != 0 && bs < s) {
		s = bs
	}
	e := ae
	if be > e {
		e = be
	}
	return uint32(s)<<16 | uint32(e)
}

// hubDegree is the degree above which a path search does not expand a
// node's whole adjacency (see path.go).
const hubDegree = 1024

// ErrTooLarge is returned when a graph exceeds the index's 32-bit limits.
var ErrTooLarge = errors.New("graph too large: at most 2^31 nodes and 2^31 edges")

// Build builds the Graph and empties the Builder.
func (b *Builder) Build(ctx context.Context) (*Graph, error) {
	n := b.ids.len()
	if uint64(n) >= 1<<31 || uint64(len(b.ea)) >= 1<<31 || len(b.ev) >= math.MaxUint32 {
		return nil, ErrTooLarge
	}
	if len(b.voc.etypes) > 1<<14 {
		return nil, fmt.Errorf("build: %d edge types, at most %d: %w", len(b.voc.etypes), 1<<14, ErrTooLarge)
	}
	// 1. Renumber nodes by decreasing degree (hubs get small ids: short
	// gaps in most adjacency lists, and the hot part of any per-node array
	// stays in cache).
	deg := make([]uint32, n)
	for i := range b.ea {
		deg[b.ea[i]]++
		deg[b.eb[i]]++
	}
	old := make([]uint32, n) // old[new] = handle
	for i := range old {
		old[i] = uint32(i)
	}
	slices.SortStableFunc(old, func(x, y uint32) int { return cmp.Compare(deg[y], deg[x]) })
	newID := make([]uint32, n)
	for nu, o := range old {
		newID[o] = uint32(nu)
	}
	deg = nil
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	// 2. Canonicalise: owner = max endpoint, other = min; dir as seen from
	// the owner. Self-links are dropped.
	m := len(b.ea)
	owner, other := b.ea, b.eb // reused in place
	dirs := make([]uint8, m)
	for i := 0; i < m; i++ {
		u, v := newID[owner[i]], newID[other[i]]
		var d uint8
		if b.edir[i] {
			d = 1 // u (from) is the subject
		}
		if u < v {
			u, v = v, u
			if d == 1 {
				d = 2
			}
		}
		if u == v {
			u = math.MaxUint32 // drop
		}
		owner[i], other[i] = u, v
		dirs[i] = d
	}
	b.edir = nil
	// 3. Counting sort by owner, then sort each owner's edges by key.
	start := make([]uint32, n+2)
	for _, u := range owner {
		if u != math.MaxUint32 {
			start[u+2]++
		}
	}
	for i := 2; i < len(start); i++ {
		start[i] += start[i-1]
	}
	perm := make([]uint32, start[n+1])
	for i, u := range owner {
		if u != math.MaxUint32 {
			perm[start[u+1]] = uint32(i)
			start[u+1]++
		}
	}
	key := func(i uint32) uint64 {
		return uint64(other[i])<<32 | uint64(b.etyp[i])<<18 | uint64(b.emark[i])<<2 | uint64(dirs[i])
	}
	for u := 0; u < n; u++ {
		seg := perm[start[u]:start[u+1]]
		if len(seg) > 1 {
			slices.SortFunc(seg, func(x, y uint32) int { return cmp.Compare(key(x), key(y)) })
		}
		if u&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("build: %w", err)
			}
		}
	}
	// 4. Merge duplicates into final edges, in id order.
	g := &Graph{state: state{voc: b.voc, evIDs: b.evIDs}}
	ebase := make([]uint32, n+1)
	fOther := make([]uint32, 0, len(perm))
	fCD := make([]uint32, 0, len(perm))
	span := make([]uint32, 0, len(perm))
	g.erec = make([]uint32, 0, len(perm))
	g.evOff = make([]uint32, 1, len(perm)+1)
	g.evRefs = make([]uint32, 0, len(b.ev))
	if b.ecnt != nil {
		g.ecnt = make([]uint32, 0, len(perm))
	}
	for u := 0; u < n; u++ {
		ebase[u] = uint32(len(fOther))
		seg := perm[start[u]:start[u+1]]
		for i := 0; i < len(seg); {
			first := seg[i]
			k := key(first)
			sp, rec := b.espan[first], b.erec[first]
			miss := 1.0
			cnt := uint64(0)
			evStart := len(g.evRefs)
			j := i
			for ; j < len(seg) && key(seg[j]) == k; j++ {
				e := seg[j]
				if b.ecnt != nil {
					cnt += uint64(b.ecnt[e])
				}
				sp = joinSpan(sp, b.espan[e])
				rec = max(rec, b.erec[e])
				miss *= 1 - math.Min(1, math.Max(0, float64(b.econf[e])))
				g.evRefs = append(g.evRefs, b.ev[b.evOff[e]:b.evOff[e+1]]...)
			}
			if j-i > 1 { // several links merged: deduplicate evidence
				evs := g.evRefs[evStart:]
				slices.Sort(evs)
				g.evRefs = g.evRefs[:evStart+len(slices.Compact(evs))]
			}
			nev := len(g.evRefs) - evStart
			cls := b.voc.class(edgeClass{typ: b.etyp[first], mark: b.emark[first], conf: confQ(1 - miss), evb: evBucket(nev)})
			fOther = append(fOther, other[first])
			fCD = append(fCD, cls<<2|uint32(dirs[first]))
			span = append(span, sp)
			g.erec = append(g.erec, rec)
			g.evOff = append(g.evOff, uint32(len(g.evRefs)))
			if g.ecnt != nil {
				g.ecnt = append(g.ecnt, uint32(min(cnt, math.MaxUint32)))
			}
			i = j
		}
	}
	fm := uint32(len(fOther))
	ebase[n] = fm
	// Free the raw edges.
	perm, start, dirs = nil, nil, nil
	b.ea, b.eb, b.etyp, b.emark, b.econf, b.espan, b.erec, b.ev, b.evOff, b.ecnt = nil, nil, nil, nil, nil, nil, nil, nil, nil, nil
	owner, other = nil, nil
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	// 5. Reverse lists: for node v, the edges owned by a larger neighbour,
	// in edge id order (hence by increasing owner).
	rstart := make([]uint32, n+2)
	for _, v := range fOther {
		rstart[v+2]++
	}
	for i := 2; i < len(rstart); i++ {
		rstart[i] += rstart[i-1]
	}
	rnbr := make([]uint32, fm)
	rpos := make([]uint32, fm)
	rcd := make([]uint32, fm)
	for u := 0; u < n; u++ {
		for e := ebase[u]; e < ebase[u+1]; e++ {
			v := fOther[e]
			s := rstart[v+1]
			rstart[v+1]++
			rnbr[s] = uint32(u)
			rpos[s] = e - ebase[u]
			rcd[s] = flipDir(fCD[e])
		}
	}
	// 6. Encode.
	nd := make([]uint32, n)
	adj := make([]byte, 0, int(fm)*7)
	off := make([]uint64, n+1)
	for u := 0; u < n; u++ {
		off[u] = uint64(len(adj))
		prev := uint32(0)
		for e := ebase[u]; e < ebase[u+1]; e++ {
			adj = binary.AppendUvarint(adj, uint64(fOther[e]-prev))
			adj = binary.AppendUvarint(adj, uint64(fCD[e]))
			prev = fOther[e]
		}
		for s := rstart[u]; s < rstart[u+1]; s++ {
			adj = binary.AppendUvarint(adj, uint64(rnbr[s]-prev))
			adj = binary.AppendUvarint(adj, uint64(rcd[s]))
			adj = binary.AppendUvarint(adj, uint64(rpos[s]))
			prev = rnbr[s]
		}
		nd[u] = ebase[u+1] - ebase[u] + rstart[u+1] - rstart[u]
	}
	off[n] = uint64(len(adj))
	if cap(adj)-len(adj) > len(adj)/16 {
		adj = append([]byte(nil), adj...)
	}
	g.b = &base{n: uint32(n), m: fm, off: off, ebase: ebase, adj: adj, span: span}
	g.deg = nd
	hd := uint32(hubDegree)
	if b.hubDegree > 0 {
		hd = b.hubDegree
	}
	for g.hubs < uint32(n) && nd[g.hubs] > hd {
		g.hubs++
	}
	// 7. Node tables in the new order.
	g.ids = b.ids.permuted(old)
	g.nclass = make([]uint16, n)
	g.caps = make([]string, n)
	g.nrec = make([]uint32, n)
	for nu, o := range old {
		g.nclass[nu] = b.nclas[o]
		g.caps[nu] = b.caps[o]
		g.nrec[nu] = b.nrec[o]
	}
	b.ids, b.nclas, b.caps, b.nrec, b.implicit = nil, nil, nil, nil, nil
	g.d.init(fm)
	return g, nil
}

func flipDir(cd uint32) uint32 {
	switch cd & 3 {
	case 1:
		return cd&^3 | 2
	case 2:
		return cd&^3 | 1
	}
	return cd
}

// uvarint decodes a varint at buf[i:], returning the value and the next
// index. The one-byte case (most gaps and classes) is the fast path.
func uvarint(buf []byte, i int) (uint32, int) {
	c := buf[i]
	if c < 0x80 {
		return uint32(c), i + 1
	}
	return uvarintSlow(buf, i)
}

func uvarintSlow(buf []byte, i int) (uint32, int) {
	var x uint32
	var s uint
	for {
		c := buf[i]
		i++
		if c < 0x80 {
			return x | uint32(c)<<s, i
		}
		x |= uint32(c&0x7f) << s
		s += 7
	}
}
