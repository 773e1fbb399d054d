package resolve

import (
	"cmp"
	"fmt"
	"slices"
)

// Action is what the engine decided for an incoming record.
type Action int

// Actions.
const (
	// ActionNew: no candidate reached PossibleAt (or every strong one was ruled
	// out by a judgement); the record starts its own entity.
	ActionNew Action = iota
	// ActionMerge: the record joined an entity (possibly joining several).
	ActionMerge
	// ActionPossible: the record starts its own entity, and candidates between
	// PossibleAt and MergeAt (or above it on hub evidence alone) wait in
	// the review queue.
	ActionPossible
)

func (a Action) String() string {
	switch a {
	case ActionNew:
		return "new"
	case ActionMerge:
		return "merge"
	case ActionPossible:
		return "possible"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// MarshalText renders the action as its name.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses an action's name.
func (a *Action) UnmarshalText(b []byte) error {
	for _, x := range []Action{ActionNew, ActionMerge, ActionPossible} {
		if x.String() == string(b) {
			*a = x
			return nil
		}
	}
	return fmt.Errorf("resolve: unknown action %q", b)
}

// Candidate is a scored candidate record of a decision.
type Candidate struct {
	Record      string  `json:"record"`
	Cluster     string  `json:"cluster"`
	Probability float64 `json:"probability"`
	Merge       bool    `json:"merge"` // eligible to join (above MergeAt, not on hubs alone)
}

// Decision is the outcome of adding one record.
type Decision struct {
	Record  string `json:"record"`
	Cluster string `json:"cluster"` // the record's cluster ID after the decision
	Action  Action `json:"action"`
	// Probability is the match probability of the best candidate (0 when
	// none was compared).
	Probability float64 `json:"probability"`
	// Best is the best candidate's record ID.
	Best string `json:"best,omitempty"`
	// Absorbed are the cluster IDs that no longer exist because they are
	// now part of Cluster (including a cluster renamed because the new
	// record's ID is smaller than its old ID). Their members all moved to
	// Cluster.
	Absorbed []string `json:"absorbed,omitempty"`
	// Candidates are the scored candidates at or above PossibleAt, best first.
	Candidates []Candidate `json:"candidates,omitempty"`
	// Moves are other records whose cluster changed as a side effect: when
	// this record makes a value a hub, earlier matches that rested on it
	// are re-scored and may come apart.
	Moves []Move `json:"moves,omitempty"`
	// Compared is how many candidate records blocking returned.
	Compared int `json:"compared"`
}

// Add resolves one incoming record against everything added before:
// blocking finds candidates, each is scored, and the record joins every
// cluster it matches at or above MergeAt (unless a judgement forbids it),
// strongest first. A record's judgements loaded before it arrived apply
// as it arrives.
func (e *Engine) Add(r Record) (Decision, error) {
	if err := r.Validate(); err != nil {
		return Decision{}, err
	}
	n := normalize(&r, e.cfg.Namer)
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.byID[r.ID]; dup {
		return Decision{}, fmt.Errorf("%w: %s", ErrDuplicate, r.ID)
	}
	var s scratch
	e.putCoref(r.ID, r.Coref)
	i := e.addRecord(&n)
	cands := e.candidates(i, i, &s)
	d := Decision{Record: r.ID, Compared: len(cands)}
	var edges []edge
	for _, c := range cands {
		if ed, ok := e.scorePair(i, c, &s); ok {
			edges = append(edges, ed)
		}
	}
	e.indexRecord(i, &s)
	slices.SortFunc(edges, func(x, y edge) int {
		if c := cmp.Compare(y.w, x.w); c != 0 {
			return c
		}
		return cmp.Compare(e.recs[x.to].id, e.recs[y.to].id)
	})
	edges = e.capWeak(edges)
	before := map[uint32]string{}
	for _, ed := range edges {
		e.link(i, ed)
		r := e.cl.find(ed.to)
		if _, ok := before[r]; !ok {
			before[r] = e.clusterOf(ed.to)
		}
	}
	for _, ed := range edges {
		if ed.merge {
			e.joinEdge(i, ed)
		}
	}
	// "Same" judgements and context links waiting for this record.
	for _, id := range e.samePartners(r.ID) {
		if j, ok := e.byID[id]; ok {
			r := e.cl.find(j)
			if _, ok := before[r]; !ok {
				before[r] = e.clusterOf(j)
			}
			e.join(i, j, joinForce)
		}
	}
	// Weak links of the new record that are exclusive.
	for _, ed := range edges {
		if ed.weak {
			r := e.cl.find(ed.to)
			if _, ok := before[r]; !ok {
				before[r] = e.clusterOf(ed.to)
			}
		}
	}
	e.weakPass([]uint32{i}, nil)
	merged := e.cl.size[e.cl.find(i)] > 1
	if len(e.newHubs) > 0 {
		d.Moves = e.rehub()
	}
	d.Cluster = e.clusterOf(i)
	for r, old := range before {
		if e.cl.find(r) == e.cl.find(i) && old != d.Cluster {
			d.Absorbed = append(d.Absorbed, old)
		}
	}
	slices.Sort(d.Absorbed)
	for _, ed := range edges {
		d.Candidates = append(d.Candidates, Candidate{
			Record: e.recs[ed.to].id, Cluster: e.clusterOf(ed.to),
			Probability: Probability(float64(ed.w)), Merge: ed.merge,
		})
	}
	if len(edges) > 0 {
		d.Best, d.Probability = e.recs[edges[0].to].id, Probability(float64(edges[0].w))
	}
	switch {
	case merged:
		d.Action = ActionMerge
	case len(edges) > 0 && !e.allForbidden(i, edges):
		d.Action = ActionPossible
	default:
		d.Action = ActionNew
	}
	return d, nil
}

// joinEdge joins record i's cluster with that of a strong edge's record.
func (e *Engine) joinEdge(i uint32, ed edge) bool {
	how := joinMatch
	if ed.doc {
		how = joinDocument
	}
	return e.join(i, ed.to, how)
}

// capWeak keeps, of edges sorted strongest first, every strong or
// possible edge and the MaxWeak strongest edges that are only weak links.
func (e *Engine) capWeak(edges []edge) []edge {
	k := 0
	out := edges[:0]
	for _, ed := range edges {
		if ed.weak && !ed.merge && float64(ed.w) < e.possibleW {
			if k == e.cfg.MaxWeak {
				continue
			}
			k++
		}
		out = append(out, ed)
	}
	return out
}

// allForbidden reports whether every candidate cluster is ruled out for
// record i by a judgement (then the decision is ActionNew, not ActionPossible).
func (e *Engine) allForbidden(i uint32, edges []edge) bool {
	if e.judg.notSame == 0 {
		return false
	}
	ri := e.cl.find(i)
	for _, ed := range edges {
		if r := e.cl.find(ed.to); r != ri && !e.forbidden(ri, r) {
			return false
		}
	}
	return true
}

// rehub re-scores the edges of every record holding a value that just
// became a hub and re-clusters them, so that no match rests on a hub
// alone, whichever order the records came in.
func (e *Engine) rehub() []Move {
	keys := e.newHubs
	e.newHubs = nil
	var s scratch
	var seeds []uint32
	seen := map[uint32]bool{}
	for _, k := range keys {
		for _, r := range e.idx.many[k] {
			if !seen[r] {
				seen[r] = true
				seeds = append(seeds, r)
			}
		}
	}
	slices.Sort(seeds)
	for _, r := range seeds {
		for k := range e.adj[r] {
			ed := &e.adj[r][k]
			if ed.to < r && seen[ed.to] {
				continue // done from the other side
			}
			ne, _ := e.scorePair(r, ed.to, &s) // kept even if now below PossibleAt
			*ed = ne
			back := e.adj[ne.to]
			for b := range back {
				if back[b].to == r {
					back[b].w, back[b].merge, back[b].doc, back[b].weak, back[b].join = ne.w, ne.merge, ne.doc, ne.weak, ne.join
				}
			}
		}
	}
	return e.recluster(seeds)
}
