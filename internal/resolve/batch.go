package resolve

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"iter"
	"math/rand/v2"
	"slices"
	"sync"
)

// AddBatch adds many records at once: it normalises them in parallel,
// indexes them, fits the model by EM when the engine has no given Model
// (and Config.NoEstimate is unset), scores every candidate pair that
// involves a new record in parallel and clusters the result. For the same
// records (and judgements) the clusters do not depend on the order of
// records; they are those Add would give one by one with the final model
// and statistics. Records with an ID already present or invalid are
// rejected in the returned error (a *BatchError) while the rest are added.
func (e *Engine) AddBatch(ctx context.Context, records []Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addBatch(ctx, slices.Values(records), len(records))
}

// AddAll is AddBatch over an iterator of records (for reading a store).
func (e *Engine) AddAll(ctx context.Context, records iter.Seq[Record]) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addBatch(ctx, records, 0)
}

// Restore rebuilds state from stored judgements and records: the
// judgements are loaded first (without conflict checks: they were checked
// when made) and the records are added as one batch, so that the result
// is the same as the original run's whatever order the store returns.
// Pass the persisted Model in Config to score exactly as before.
func (e *Engine) Restore(ctx context.Context, judgements []Judgement, records iter.Seq[Record]) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range judgements {
		e.judg.put(j)
	}
	return e.addBatch(ctx, records, 0)
}

// BatchError lists records a batch rejected.
type BatchError struct {
	Rejected []error
}

func (b *BatchError) Error() string {
	return fmt.Sprintf("resolve: %d record(s) rejected; first: %v", len(b.Rejected), b.Rejected[0])
}

func (b *BatchError) Unwrap() []error { return b.Rejected }

func (e *Engine) addBatch(ctx context.Context, records iter.Seq[Record], hint int) error {
	from := uint32(len(e.recs))
	var rejected []error
	// Normalise in parallel, in chunks, and intern serially.
	const chunk = 4096
	buf := make([]Record, 0, chunk)
	seen := map[string]bool{}
	flush := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		norm := make([]normRecord, len(buf))
		e.parallel(len(buf), func(_ int, i int) { norm[i] = normalize(&buf[i], e.cfg.Namer) })
		for i := range norm {
			e.addRecord(&norm[i])
		}
		buf = buf[:0]
		return nil
	}
	if hint > 0 {
		e.recs = slices.Grow(e.recs, hint)
	}
	for r := range records {
		if err := r.Validate(); err != nil {
			rejected = append(rejected, err)
			continue
		}
		if _, dup := e.byID[r.ID]; dup || seen[r.ID] {
			rejected = append(rejected, fmt.Errorf("%w: %s", ErrDuplicate, r.ID))
			continue
		}
		seen[r.ID] = true
		e.putCoref(r.ID, r.Coref)
		buf = append(buf, r)
		if len(buf) == chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	var s scratch
	for i := from; i < uint32(len(e.recs)); i++ {
		e.indexRecord(i, &s)
	}
	e.newHubs = nil // the batch scores with final statistics
	if e.cfg.Model == nil && !e.cfg.NoEstimate && from == 0 {
		if err := e.estimate(ctx); err != nil {
			return err
		}
	}
	if err := e.resolveFrom(ctx, from); err != nil {
		return err
	}
	if len(rejected) > 0 {
		return &BatchError{Rejected: rejected}
	}
	return nil
}

// parallel runs fn(worker, i) for i in [0, n) on the configured workers.
func (e *Engine) parallel(n int, fn func(w, i int)) {
	w := min(e.cfg.Workers, max(1, n/64))
	if w <= 1 {
		for i := range n {
			fn(0, i)
		}
		return
	}
	var wg sync.WaitGroup
	for k := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := k; i < n; i += w {
				fn(k, i)
			}
		}()
	}
	wg.Wait()
}

// resolveFrom scores every candidate pair whose later record is at or
// after index from, links the pairs and clusters them.
func (e *Engine) resolveFrom(ctx context.Context, from uint32) error {
	n := len(e.recs) - int(from)
	if n <= 0 {
		return nil
	}
	ws := make([][]scoredEdge, e.cfg.Workers)
	scr := make([]scratch, e.cfg.Workers)
	for w := range scr {
		scr[w].names = nameMemo{}
	}
	var cancelled bool
	e.parallel(n, func(w, k int) {
		if k%1024 == 0 && ctx.Err() != nil {
			cancelled = true
		}
		if cancelled {
			return
		}
		i := from + uint32(k)
		s := &scr[w]
		s.edges = s.edges[:0]
		for _, c := range e.candidates(i, i, s) {
			if ed, ok := e.scorePair(i, c, s); ok {
				s.edges = append(s.edges, ed)
			}
		}
		if len(s.edges) > e.cfg.MaxWeak {
			slices.SortFunc(s.edges, func(x, y edge) int {
				if c := cmp.Compare(y.w, x.w); c != 0 {
					return c
				}
				return cmp.Compare(e.recs[x.to].id, e.recs[y.to].id)
			})
			s.edges = e.capWeak(s.edges)
		}
		for _, ed := range s.edges {
			ws[w] = append(ws[w], scoredEdge{from: i, edge: ed})
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	var all []scoredEdge
	for _, w := range ws {
		all = append(all, w...)
	}
	for _, se := range all {
		e.link(se.from, se.edge)
	}
	if e.hasSame() {
		seeds := make([]uint32, 0, n)
		for i := from; i < uint32(len(e.recs)); i++ {
			seeds = append(seeds, i)
		}
		e.recluster(seeds)
		return nil
	}
	// Unions can be refused (unrelated birth dates), so they are made
	// strongest first with ties broken by record IDs: the same clusters
	// whatever the order of the input.
	ps := make([]scoredPair, 0, len(all))
	for _, se := range all {
		if se.merge {
			ps = append(ps, scoredPair{se.from, se.to, se.w, se.doc})
		}
	}
	e.sortPairs(ps)
	for _, p := range ps {
		e.joinPair(p)
	}
	e.weakPass(nil, nil)
	return nil
}

type scoredEdge struct {
	from uint32
	edge
}

// Recluster rescores every candidate pair with the current model and
// statistics and rebuilds all clusters (judgements included): the
// canonical result for the records present, whatever their order.
func (e *Engine) Recluster(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resetClusters()
	return e.resolveFrom(ctx, 0)
}

func (e *Engine) resetClusters() {
	for i := range e.recs {
		e.cl.reset(uint32(i))
		e.adj[i] = nil
	}
}

// Estimate fits the model to the records present (see AddBatch) and then
// reclusters everything with it.
func (e *Engine) Estimate(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.estimate(ctx); err != nil {
		return err
	}
	e.resetClusters()
	return e.resolveFrom(ctx, 0)
}

// SetModel replaces the engine's parameters with m (estimated earlier and
// persisted): records added afterwards are scored with it, and AddBatch no
// longer estimates. Clusters already made are not rescored (Recluster does).
func (e *Engine) SetModel(m *Model) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cfg.Model = m
	e.model = compileModel(m, e.feats)
}

// Refit estimates the model again from every record present, rescores
// and reclusters everything (judgements included) and returns the records
// whose cluster changed. It is how a long-running engine that started with
// few records (or the built-in priors) catches up with its data.
func (e *Engine) Refit(ctx context.Context) ([]Move, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	before := make([]string, len(e.recs))
	for i := range e.recs {
		before[i] = e.clusterOf(uint32(i))
	}
	if err := e.estimate(ctx); err != nil {
		return nil, err
	}
	e.resetClusters()
	if err := e.resolveFrom(ctx, 0); err != nil {
		return nil, err
	}
	var moves []Move
	for i := range e.recs {
		if to := e.clusterOf(uint32(i)); to != before[i] {
			moves = append(moves, Move{Record: e.recs[i].id, From: before[i], To: to})
		}
	}
	return moves, nil
}

// estimate fits u to random pairs and then the prior and m (and u again)
// by EM to candidate pairs. Records are visited in the order of a hash of
// their IDs, so the fit does not depend on arrival order.
func (e *Engine) estimate(ctx context.Context) error {
	n := len(e.recs)
	if n < 50 {
		return nil
	}
	order := make([]uint32, n)
	hashes := make([]uint64, n)
	for i := range order {
		order[i] = uint32(i)
		h := fnv.New64a()
		h.Write([]byte(e.recs[i].id))
		hashes[i] = h.Sum64()
	}
	slices.SortFunc(order, func(a, b uint32) int {
		if c := cmp.Compare(hashes[a], hashes[b]); c != 0 {
			return c
		}
		return cmp.Compare(e.recs[a].id, e.recs[b].id)
	})
	nf := len(e.feats)
	// u from random pairs (nearly all non-matches).
	rng := rand.New(rand.NewPCG(1, 2))
	uAcc := make([][]float64, nf)
	for f := range nf {
		uAcc[f] = make([]float64, len(e.model.u[f]))
	}
	cmpBuf := make([]fres, nf)
	nRandom := min(300_000, n*(n-1)/2)
	for range nRandom {
		a, b := order[rng.IntN(n)], order[rng.IntN(n)]
		if a == b || e.recs[a].typ != e.recs[b].typ {
			continue
		}
		e.compare(&e.recs[a], &e.recs[b], cmpBuf, nil)
		for f, c := range cmpBuf {
			if c.level >= 0 {
				uAcc[f][c.level]++
			}
		}
	}
	for f := range nf {
		normInto(e.model.u[f], uAcc[f])
		copy(e.model.uRand[f], e.model.u[f])
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Patterns of candidate pairs, from records taken in hash order until
	// EMPairs pairs are seen.
	counts := make([]map[pattern]int, e.cfg.Workers)
	scr := make([]scratch, e.cfg.Workers)
	for w := range scr {
		scr[w].names = nameMemo{}
	}
	bufs := make([][]byte, e.cfg.Workers)
	perRec := 1
	{
		// Estimate candidates per record on a small prefix to size the sample.
		var s scratch
		tot := 0
		m := min(n, 2000)
		for _, i := range order[:m] {
			tot += len(e.candidates(i, uint32(n), &s))
		}
		perRec = max(1, tot/m)
	}
	take := min(n, max(1000, e.cfg.EMPairs/perRec))
	e.parallel(take, func(w, k int) {
		if counts[w] == nil {
			counts[w] = map[pattern]int{}
		}
		i := order[k]
		s := &scr[w]
		if cap(s.cmp) < nf {
			s.cmp = make([]fres, nf)
		}
		s.cmp = s.cmp[:nf]
		for _, c := range e.candidates(i, uint32(n), s) {
			// Each unordered pair once: from its record with the smaller hash.
			if hashes[c] < hashes[i] || (hashes[c] == hashes[i] && c < i) {
				continue
			}
			e.compare(&e.recs[i], &e.recs[c], s.cmp, s.memo())
			bufs[w] = patternOf(s.cmp, bufs[w])
			counts[w][pattern(bufs[w])]++
		}
	})
	all := map[pattern]int{}
	for _, c := range counts {
		for p, k := range c {
			all[p] += k
		}
	}
	// Fit m from anchor pairs (same document number) where there are
	// enough; EM fits the rest and the prior.
	uRand := make([][]float64, nf)
	for f := range nf {
		uRand[f] = slices.Clone(e.model.u[f])
	}
	anchored := e.anchoredM(all)
	// Identifier values are blocking keys, so every pair sharing one is a
	// candidate: among candidates, equal personal documents are no measure
	// of chance agreement between different people, and EM cannot tell the
	// classes apart on features seen mostly equal (a prisoner's number in
	// each visit record). Their u stays at the random-pair estimate.
	// Contacts (phones, e-mail) keep the candidate-pair estimate, which
	// sees what households and look-alike addresses share.
	fixedU := map[int]bool{}
	for f := range e.feats {
		if e.feats[f].kind == kindIdent && isDocumentKind(e.feats[f].sub) {
			fixedU[f] = true
		}
	}
	// With m pinned by anchors for the identity features (when there are
	// enough), EM fits u among candidate pairs, the prior and m of the
	// other features.
	e.model.estimate(all, !e.cfg.FixedU, 60, anchored, fixedU)
	return ctx.Err()
}

// isDocumentKind reports whether an identifier kind names a personal
// document (passport, licence, national ID, ...), as opposed to a contact
// (phone, e-mail) that households and offices share.
func isDocumentKind(kind string) bool {
	switch kind {
	case "phone", "mobile", "telephone", "tel", "fax", "email", "e-mail", "mail":
		return false
	}
	return true
}

// anchoredM estimates m for features from candidate pairs that agree on a
// personal document number of another feature (such pairs are matches
// with near certainty), when at least minAnchor such pairs show the
// feature. It returns the features it set.
func (e *Engine) anchoredM(pats map[pattern]int) map[int]bool {
	const minAnchor = 200
	nf := len(e.feats)
	acc := make([][]float64, nf)
	for f := range nf {
		acc[f] = make([]float64, len(e.model.m[f]))
	}
	for p, n := range pats {
		for f := 0; f < nf && f < len(p); f++ {
			l := int(p[f]) - 1
			if l < 0 {
				continue
			}
			anchor := false
			for g := numFixedFeatures; g < nf && g < len(p); g++ {
				if g != f && e.feats[g].kind == kindIdent && isDocumentKind(e.feats[g].sub) && int(p[g])-1 == 2 {
					anchor = true
					break
				}
			}
			if anchor {
				acc[f][l] += float64(n)
			}
		}
	}
	set := map[int]bool{}
	for f := range nf {
		s := 0.0
		for _, v := range acc[f] {
			s += v
		}
		if s >= minAnchor {
			normInto(e.model.m[f], acc[f])
			set[f] = true
		}
	}
	if !set[featName] {
		return nil // too few anchors to trust: plain EM
	}
	return set
}
