package resolve

import (
	"fmt"
	"slices"
)

// Verdict is an analyst's judgement on two records.
type Verdict int

// Verdicts.
const (
	// Same: the two records are the same entity, whatever the scores say.
	Same Verdict = iota + 1
	// NotSame: the two records are different entities; no automatic
	// decision may put them (or anything judged the same as them) together.
	NotSame
)

func (v Verdict) String() string {
	switch v {
	case Same:
		return "same"
	case NotSame:
		return "not-same"
	}
	return fmt.Sprintf("verdict(%d)", int(v))
}

// ParseVerdict parses "same" or "not-same" (also "not_same", "notsame", "different").
func ParseVerdict(s string) (Verdict, error) {
	switch s {
	case "same":
		return Same, nil
	case "not-same", "not_same", "notsame", "different":
		return NotSame, nil
	}
	return 0, fmt.Errorf("unknown verdict %q (want same or not-same)", s)
}

// Judgement is one edge of the judgement graph.
type Judgement struct {
	A       string  `json:"a"`
	B       string  `json:"b"`
	Verdict Verdict `json:"verdict"`
}

func (j Judgement) key() [2]string {
	if j.B < j.A {
		return [2]string{j.B, j.A}
	}
	return [2]string{j.A, j.B}
}

// judgements is the judgement graph, keyed by record ID so that it can
// be loaded before (or without) the records it names.
type judgements struct {
	byPair  map[[2]string]Verdict
	adj     map[string][]Judgement
	notSame int
}

func newJudgements() judgements {
	return judgements{byPair: map[[2]string]Verdict{}, adj: map[string][]Judgement{}}
}

func (g *judgements) put(j Judgement) {
	k := j.key()
	if old, ok := g.byPair[k]; ok {
		g.remove(k, old)
	}
	g.byPair[k] = j.Verdict
	g.adj[j.A] = append(g.adj[j.A], j)
	g.adj[j.B] = append(g.adj[j.B], j)
	if j.Verdict == NotSame {
		g.notSame++
	}
}

func (g *judgements) remove(k [2]string, v Verdict) {
	delete(g.byPair, k)
	for _, id := range k {
		g.adj[id] = slices.DeleteFunc(g.adj[id], func(j Judgement) bool { return j.key() == k })
		if len(g.adj[id]) == 0 {
			delete(g.adj, id)
		}
	}
	if v == NotSame {
		g.notSame--
	}
}

// partners returns the records judged v with id.
func (g *judgements) partners(id string, v Verdict) []string {
	var out []string
	for _, j := range g.adj[id] {
		if j.Verdict != v {
			continue
		}
		if j.A == id {
			out = append(out, j.B)
		} else {
			out = append(out, j.A)
		}
	}
	return out
}

// all returns every judgement, sorted.
func (g *judgements) all() []Judgement {
	out := make([]Judgement, 0, len(g.byPair))
	for k, v := range g.byPair {
		out = append(out, Judgement{A: k[0], B: k[1], Verdict: v})
	}
	slices.SortFunc(out, func(x, y Judgement) int {
		if x.A != y.A {
			if x.A < y.A {
				return -1
			}
			return 1
		}
		if x.B < y.B {
			return -1
		}
		if x.B > y.B {
			return 1
		}
		return 0
	})
	return out
}

// Judgements returns the judgement graph, sorted (for persisting it).
func (e *Engine) Judgements() []Judgement {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.judg.all()
}

// Judge records an analyst's judgement and re-resolves what it touches.
// A "same" judgement joins the two clusters; a "not same" judgement
// separates them, recomputing their cluster so that no chain of automatic
// matches joins them again. Judgements apply transitively: "same" between
// a and b and "not same" between b and c keeps a and c apart too. A
// judgement contradicting that closure fails with ErrConflict. It returns
// the records whose cluster changed.
func (e *Engine) Judge(j Judgement) ([]Move, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, err := e.lookup(j.A)
	if err != nil {
		return nil, err
	}
	b, err := e.lookup(j.B)
	if err != nil {
		return nil, err
	}
	if a == b {
		return nil, fmt.Errorf("%w: a record is always the same as itself", ErrConflict)
	}
	switch j.Verdict {
	case Same:
		// Same holds unless a "not same" already separates the groups that
		// "same" judgements alone hold together.
		if e.sameGroupsForbidden(a, b) {
			return nil, fmt.Errorf("%w: %s and %s are judged not the same (directly or through same judgements)", ErrConflict, j.A, j.B)
		}
		e.judg.put(j)
		return e.recluster([]uint32{a, b}), nil
	case NotSame:
		if e.sameGroup(a)[b] {
			return nil, fmt.Errorf("%w: %s and %s are judged the same (directly or through same judgements)", ErrConflict, j.A, j.B)
		}
		e.judg.put(j)
		return e.recluster([]uint32{a, b}), nil
	}
	return nil, fmt.Errorf("resolve: judge: unknown verdict %v", j.Verdict)
}

// sameGroup returns the records joined to x by "same" judgements alone.
func (e *Engine) sameGroup(x uint32) map[uint32]bool {
	g := map[uint32]bool{x: true}
	stack := []uint32{x}
	for len(stack) > 0 {
		y := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, id := range e.judg.partners(e.recs[y].id, Same) {
			if z, ok := e.byID[id]; ok && !g[z] {
				g[z] = true
				stack = append(stack, z)
			}
		}
	}
	return g
}

func (e *Engine) sameGroupsForbidden(a, b uint32) bool {
	ga, gb := e.sameGroup(a), e.sameGroup(b)
	for x := range ga {
		for _, id := range e.judg.partners(e.recs[x].id, NotSame) {
			if y, ok := e.byID[id]; ok && gb[y] {
				return true
			}
		}
	}
	return false
}

// Undo removes the judgement between a and b and re-resolves what it
// touched; automatic decisions apply again.
func (e *Engine) Undo(a, b string) ([]Move, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := Judgement{A: a, B: b}.key()
	v, ok := e.judg.byPair[k]
	if !ok {
		return nil, fmt.Errorf("%w: %s %s", ErrNoJudgement, a, b)
	}
	e.judg.remove(k, v)
	var seeds []uint32
	for _, id := range k {
		if i, ok := e.byID[id]; ok {
			seeds = append(seeds, i)
		}
	}
	return e.recluster(seeds), nil
}

// Split takes a record out of its cluster: it records "not same"
// judgements between the record and each part its cluster falls into
// without it (one judgement per part, against the part's smallest record),
// so that later automatic decisions keep it out. It returns the
// judgements made (to persist) and the records whose cluster changed.
func (e *Engine) Split(id string) ([]Judgement, []Move, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, err := e.lookup(id)
	if err != nil {
		return nil, nil, err
	}
	var others []uint32
	e.cl.members(x, func(y uint32) {
		if y != x {
			others = append(others, y)
		}
	})
	if len(others) == 0 {
		return nil, nil, nil
	}
	if g := e.sameGroup(x); len(g) > 1 {
		return nil, nil, fmt.Errorf("%w: %s is judged the same as other records; undo those judgements first", ErrConflict, id)
	}
	before := e.clusterOf(x)
	// The parts of the cluster without x: recompute with x forbidden.
	moves := e.rejoin(append(slices.Clone(others), x), x)
	var made []Judgement
	seen := map[uint32]bool{}
	for _, y := range others {
		r := e.cl.find(y)
		if seen[r] {
			continue
		}
		seen[r] = true
		j := Judgement{A: id, B: e.recs[e.cl.min[r]].id, Verdict: NotSame}
		e.judg.put(j)
		made = append(made, j)
	}
	if to := e.clusterOf(x); to != before && !slices.ContainsFunc(moves, func(m Move) bool { return m.Record == id }) {
		moves = append(moves, Move{Record: id, From: before, To: to})
	}
	slices.SortFunc(made, func(p, q Judgement) int {
		if p.B < q.B {
			return -1
		}
		return 1
	})
	return made, moves, nil
}

// putCoref records the context links of record id.
func (e *Engine) putCoref(id string, links []Coref) {
	for _, c := range links {
		if c.Record == "" || c.Record == id {
			continue
		}
		j := Judgement{A: id, B: c.Record, Verdict: Same}
		k := j.key()
		if _, ok := e.coref.byPair[k]; !ok {
			e.coref.put(j)
		}
		if e.corefWhy[k] == "" {
			e.corefWhy[k] = c.Evidence
		}
	}
}

// samePartners returns the records that "same" judgements and context
// links join to id.
func (e *Engine) samePartners(id string) []string {
	out := e.judg.partners(id, Same)
	if len(e.coref.byPair) > 0 {
		out = append(out, e.coref.partners(id, Same)...)
	}
	return out
}

// hasSame reports whether any "same" judgement or context link is held.
func (e *Engine) hasSame() bool { return len(e.judg.byPair) > 0 || len(e.coref.byPair) > 0 }

// AddCoref asserts a context link (see Record.Coref) between record id,
// already added, and c.Record, and re-resolves what it touches. A "not
// same" judgement between their entities still keeps them apart. It
// returns the records whose cluster changed.
func (e *Engine) AddCoref(id string, c Coref) ([]Move, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, err := e.lookup(id)
	if err != nil {
		return nil, err
	}
	b, err := e.lookup(c.Record)
	if err != nil {
		return nil, err
	}
	if a == b {
		return nil, nil
	}
	e.putCoref(id, []Coref{c})
	return e.recluster([]uint32{a, b}), nil
}
