package resolve

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// Config sets the engine's thresholds and collaborators. The zero Config
// is usable: every zero field takes its documented default.
type Config struct {
	// Namer normalises names (default NamesNamer).
	Namer Namer
	// Model holds estimated parameters from an earlier run (default: the
	// built-in priors, until Estimate or AddBatch fits them to the data).
	Model *Model
	// MergeAt is the match probability at and above which two records are
	// the same entity (default 0.9).
	MergeAt float64
	// PossibleAt is the probability at and above which a pair that is not
	// merged goes to the review queue (default 0.5).
	PossibleAt float64
	// HubDiversity is how many different identities (estimated from name
	// spellings, or birth dates for names) may share a value before it is
	// a hub that cannot join entities on its own (default 10).
	HubDiversity float64
	// MaxBlock is the largest number of records a blocking key may hold
	// and still be used to find candidates (default 100).
	MaxBlock int
	// MaxCandidates bounds how many candidates one record is compared
	// with: those sharing the most blocking keys (default 64). It bounds
	// the latency of Add; when it bites, which candidates are kept can
	// depend on arrival order (ties go to the earlier record).
	MaxCandidates int
	// MaxTF bounds the term-frequency adjustment, in bits (default 8;
	// negative disables it).
	MaxTF float64
	// BlockAttributes also blocks on whole attribute values (off by default:
	// attributes such as a postcode or a year are rarely identifying).
	BlockAttributes bool
	// Estimate makes AddBatch fit the model to the data by EM when Model
	// is nil (default true; see NoEstimate).
	NoEstimate bool
	// EMPairs bounds how many candidate pairs feed the estimation (default 1,000,000).
	EMPairs int
	// FixedU keeps u at its random-pair estimate during EM (default: u
	// starts there and is re-fitted on candidate pairs, which describes the
	// non-matches that blocking actually returns far better).
	FixedU bool
	// Workers is the parallelism of the batch path (default GOMAXPROCS).
	Workers int
	// DistinctBits: two records or clusters whose features other than the
	// name disagree by this many bits or more (different phones and
	// addresses, say) are taken for different people, so a shared name
	// cannot join them, and they count as alternatives that make a weak
	// link ambiguous (default 3).
	DistinctBits float64
	// MaxWeak bounds how many weak links one record keeps, strongest first
	// (default 8).
	MaxWeak int
	// WeakMargin: a cluster weakly linked to X counts as a rival of Y (and
	// makes the weak link X-Y ambiguous) only if its link is no more than
	// this many bits weaker than X-Y's (default 4).
	WeakMargin float64
	// ConflictBits: a different date of birth, or different values of an
	// identifier a person holds one of (a driving licence), whose
	// disagreement weighs this much or more against a match keeps two
	// records (and their entities) apart whatever else agrees, except an
	// equal personal document (default 6).
	ConflictBits float64
}

func (c Config) withDefaults() Config {
	if c.Namer == nil {
		c.Namer = NamesNamer{}
	}
	if c.MergeAt == 0 {
		c.MergeAt = 0.9
	}
	if c.PossibleAt == 0 {
		c.PossibleAt = 0.5
	}
	if c.HubDiversity == 0 {
		c.HubDiversity = 10
	}
	if c.MaxBlock == 0 {
		c.MaxBlock = 100
	}
	if c.MaxCandidates <= 0 {
		c.MaxCandidates = 64
	}
	if c.MaxTF == 0 {
		c.MaxTF = 8
	}
	if c.EMPairs == 0 {
		c.EMPairs = 1_000_000
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.DistinctBits == 0 {
		c.DistinctBits = 3
	}
	if c.MaxWeak <= 0 {
		c.MaxWeak = 8
	}
	if c.ConflictBits == 0 {
		c.ConflictBits = 6
	}
	if c.WeakMargin == 0 {
		c.WeakMargin = 4
	}
	return c
}

// Engine resolves records into entities. It is safe for concurrent use:
// writers (Add, AddBatch, Judge, Split, Undo, Estimate, Recluster) are
// serialised; readers (Cluster, Explain, Clusters, Reviews) share a read
// lock.
type Engine struct {
	mu                sync.RWMutex
	cfg               Config
	describer         TokenDescriber // nil when the Namer describes no tokens
	dict              *dict
	feats             []featureSpec
	fidx              map[string]int
	model             compiledModel
	mergeW, possibleW float64

	recs []prepared
	byID map[string]uint32
	idx  *index
	cl   clusters
	adj  [][]edge // scored pairs at or above PossibleAt, both directions
	judg judgements
	// coref holds the context links of records (Record.Coref) as "same"
	// edges, and corefWhy their evidence by pair.
	coref    judgements
	corefWhy map[[2]string]string

	buf     []byte   // scratch for interning (writers only)
	newHubs []uint64 // blocking keys of values that just became hubs (streaming)
	// distinctNames counts distinct whole names; with valueInfo.names it
	// gives name-token frequencies by name rather than by record, so that
	// a person with many records does not make their name look common.
	distinctNames int
}

// edge is a scored pair seen from one of its records.
type edge struct {
	to    uint32
	w     float32 // match weight
	merge bool    // strong: may join entities on its own (see classify)
	doc   bool    // the strong match rests on an equal personal document
	weak  bool    // attachable: a rival for weak links of its clusters (see weak.go)
	join  bool    // weak and good enough to join entities when exclusive
}

// New returns an empty engine.
func New(cfg Config) *Engine {
	cfg = cfg.withDefaults()
	e := &Engine{
		cfg:   cfg,
		dict:  newDict(),
		fidx:  map[string]int{},
		byID:  map[string]uint32{},
		idx:   newIndex(cfg.MaxBlock),
		judg:  newJudgements(),
		coref: newJudgements(), corefWhy: map[[2]string]string{},
	}
	e.describer, _ = cfg.Namer.(TokenDescriber)
	for _, f := range []featureSpec{
		{name: "name", kind: kindName},
		{name: "dob", kind: kindDate},
		{name: "address", kind: kindAddress},
		{name: "country", kind: kindCountry},
	} {
		e.fidx[f.name] = len(e.feats)
		e.feats = append(e.feats, f)
	}
	e.model = compileModel(cfg.Model, e.feats)
	e.mergeW = probWeight(cfg.MergeAt)
	e.possibleW = probWeight(cfg.PossibleAt)
	return e
}

func probWeight(p float64) float64 {
	p = max(1e-12, min(1-1e-12, p))
	return math.Log2(p / (1 - p))
}

// Probability converts a match weight (bits) into a match probability.
func Probability(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }

// feature returns the index of the feature named name, adding it.
func (e *Engine) feature(kind int, sub string) uint16 {
	prefix := "id:"
	if kind == kindAttr {
		prefix = "attr:"
	}
	name := prefix + sub
	if i, ok := e.fidx[name]; ok {
		return uint16(i)
	}
	i := len(e.feats)
	e.fidx[name] = i
	e.feats = append(e.feats, featureSpec{name: name, kind: kind, sub: sub})
	fresh := compileModel(e.cfg.Model, e.feats[i:])
	e.model.m = append(e.model.m, fresh.m[0])
	e.model.u = append(e.model.u, fresh.u[0])
	e.model.w = append(e.model.w, fresh.w[0])
	e.model.uRand = append(e.model.uRand, fresh.uRand[0])
	return uint16(i)
}

// intern turns a normalised record into a prepared one, counting its
// values. Writers only.
func (e *Engine) intern(n *normRecord) prepared {
	p := prepared{id: n.id, typ: n.typ}
	if len(n.keys) > 0 {
		p.nameSig = nameSignature(n.keys[0])
	}
	if len(n.dates) > 0 {
		p.dateSig = sig(n.dates[0])
	}
	var bag []uint32 // organisations: the distinct tokens of all names
	for i, toks := range n.names {
		pn := pname{toks: make([]uint32, len(toks))}
		for j, t := range toks {
			id := e.dict.intern(nsToken, t, e.buf)
			if e.dict.info[id].key == "" && n.keys[i][j] != "" {
				e.dict.info[id].key = n.keys[i][j]
				e.dict.info[id].kid = e.dict.intern(nsKey, n.keys[i][j], e.buf) + 1
			}
			e.describe(id, t, n.typ)
			e.dict.observe(id, 0)
			pn.toks[j] = id
			if n.typ == typOrg && !slices.Contains(bag, id) {
				bag = append(bag, id)
			}
		}
		pn.full = e.dict.intern(nsName, sortedJoin(toks), e.buf)
		if sp := n.spells[i]; sp != nil {
			s := &spelling{toks: make([]uint32, len(sp)), full: e.dict.intern(nsSpells, sortedJoin(sp), e.buf)}
			for j, t := range sp {
				s.toks[j] = pn.toks[j] // kept canonical
				if t != toks[j] {
					s.toks[j] = e.dict.intern(nsSpell, t, e.buf)
				}
			}
			pn.spell = s
		}
		if e.dict.info[pn.full].count == 0 {
			// A new distinct name: its tokens' identity-level frequency.
			e.distinctNames++
			for j, t := range pn.toks {
				if !slices.Contains(pn.toks[:j], t) {
					e.dict.info[t].names++
				}
			}
		}
		e.dict.observe(pn.full, p.dateSig)
		p.names = append(p.names, pn)
	}
	if len(bag) > 0 {
		p.bag = pname{toks: bag, full: e.dict.intern(nsName, "\x01"+e.sortedTokens(bag), e.buf)}
	}
	for _, d := range n.dates {
		id := e.dict.intern(nsDate, d, e.buf)
		e.dict.observe(id, p.nameSig)
		p.dates = append(p.dates, id)
	}
	for _, kv := range n.idents {
		f := e.feature(kindIdent, kv[0])
		id := e.dict.intern(nsIdent, kv[0]+"\x00"+kv[1], e.buf)
		e.observeHub(id, p.nameSig, keyIdent)
		p.idents = append(p.idents, fval{feat: f, val: id})
	}
	for _, a := range n.addrs {
		p.addrs = append(p.addrs, e.internText(nsAddress, nsAddrTok, "", a, p.nameSig))
	}
	for _, c := range n.country {
		p.country = append(p.country, e.dict.intern(nsCountry, c, e.buf))
	}
	for _, kv := range n.attrs {
		f := e.feature(kindAttr, kv[0])
		p.attrs = append(p.attrs, pattr{feat: f, v: e.internText(nsAttr, nsAttrTok, kv[0], wordTokens(kv[1]), p.nameSig)})
	}
	slices.SortFunc(p.idents, func(a, b fval) int { return int(a.feat) - int(b.feat) })
	slices.SortStableFunc(p.attrs, func(a, b pattr) int { return int(a.feat) - int(b.feat) })
	return p
}

func (e *Engine) internText(ns, tokNS byte, scope string, toks []string, sig uint64) pname {
	pn := pname{toks: make([]uint32, len(toks))}
	for j, t := range toks {
		id := e.dict.intern(tokNS, t, e.buf)
		e.dict.observe(id, 0)
		pn.toks[j] = id
	}
	full := joinSpace(toks)
	if scope != "" {
		full = scope + "\x00" + full
	}
	pn.full = e.dict.intern(ns, full, e.buf)
	if ns == nsAddress {
		e.observeHub(pn.full, sig, keyAddress)
	} else {
		e.dict.observe(pn.full, sig)
	}
	return pn
}

// describe records what the Namer knows of a name token the first time it
// is seen (and, for organisation names, whether it is generic).
func (e *Engine) describe(id uint32, tok string, typ uint8) {
	if e.describer == nil {
		return
	}
	first := e.dict.info[id].count == 0
	if !first && typ != typOrg {
		return
	}
	t := TypePerson
	if typ == typOrg {
		t = TypeOrganization
	}
	info := e.describer.Describe(tok, t)
	if first && len(info.Groups) > 0 {
		gs := make([]uint32, len(info.Groups))
		for i, g := range info.Groups {
			gs[i] = e.dict.intern(nsGroup, g, e.buf)
		}
		slices.Sort(gs)
		e.dict.groups[id] = gs
		e.dict.info[id].flags |= flagGroups
	}
	if info.Generic {
		e.dict.info[id].flags |= flagGeneric
	}
}

// sortedTokens joins the strings of token IDs in sorted order.
func (e *Engine) sortedTokens(toks []uint32) string {
	s := make([]string, len(toks))
	for i, t := range toks {
		s[i] = e.dict.str(t)
	}
	return sortedJoin(s)
}

// observeHub counts a value that can be a hub and notes its blocking key
// when this record makes it one.
func (e *Engine) observeHub(id uint32, sig uint64, kind byte) {
	was := e.dict.diversity(id) >= e.cfg.HubDiversity
	e.dict.observe(id, sig)
	if !was && e.dict.diversity(id) >= e.cfg.HubDiversity {
		e.newHubs = append(e.newHubs, uint64(newKey(kind).u32(id)))
	}
}

func sortedJoin(toks []string) string {
	s := slices.Clone(toks)
	slices.Sort(s)
	return joinSpace(s)
}

func joinSpace(toks []string) string {
	n := 0
	for _, t := range toks {
		n += len(t) + 1
	}
	b := make([]byte, 0, n)
	for i, t := range toks {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, t...)
	}
	return string(b)
}

// scratch is per-goroutine working memory for candidate search and scoring.
type scratch struct {
	keys  []uint64
	cands []uint32
	cmp   []fres
	edges []edge
	names nameMemo
}

// memo returns the scratch's name memo (nil unless a batch path set one).
func (s *scratch) memo() nameMemo { return s.names }

// candidates returns the records sharing a non-hub blocking key with rec
// (sorted, without rec itself and without records of another type).
// Only records below limit are returned.
func (e *Engine) candidates(rec uint32, limit uint32, s *scratch) []uint32 {
	p := &e.recs[rec]
	s.keys = e.blockKeys(p, s.keys[:0])
	s.cands = s.cands[:0]
	add := func(r uint32) {
		if r < limit && r != rec && e.recs[r].typ == p.typ {
			s.cands = append(s.cands, r)
		}
	}
	for _, k := range s.keys {
		e.idx.each(k, add)
	}
	// An identifier or address held by many records of few identities (a
	// person's own phone in hundreds of call records) is no hub: its key
	// still finds the first MaxBlock records holding it, which is enough to
	// reach their cluster.
	for _, v := range p.idents {
		if e.dict.info[v.val].count > uint32(e.cfg.MaxBlock) && e.dict.diversity(v.val) < e.cfg.HubDiversity {
			e.idx.eachStored(uint64(newKey(keyIdent).u32(v.val)), add)
		}
	}
	for _, a := range p.addrs {
		if e.dict.info[a.full].count > uint32(e.cfg.MaxBlock) && e.dict.diversity(a.full) < e.cfg.HubDiversity {
			e.idx.eachStored(uint64(newKey(keyAddress).u32(a.full)), add)
		}
	}
	slices.Sort(s.cands)
	if max := e.cfg.MaxCandidates; len(s.cands) > max {
		return e.topCandidates(s, max)
	}
	return slices.Compact(s.cands)
}

// topCandidates keeps the max candidates that share the most blocking
// keys with the record (ties: the earlier record), from sorted s.cands.
func (e *Engine) topCandidates(s *scratch, max int) []uint32 {
	type cc struct{ r, n uint32 }
	var counted []cc
	for i := 0; i < len(s.cands); {
		j := i
		for j < len(s.cands) && s.cands[j] == s.cands[i] {
			j++
		}
		counted = append(counted, cc{s.cands[i], uint32(j - i)})
		i = j
	}
	if len(counted) <= max {
		return slices.Compact(s.cands)
	}
	slices.SortStableFunc(counted, func(a, b cc) int { return int(b.n) - int(a.n) })
	out := s.cands[:0]
	for _, c := range counted[:max] {
		out = append(out, c.r)
	}
	slices.Sort(out)
	return out
}

// scorePair compares two records and returns the edge from a to b, and
// whether it is worth keeping (at or above PossibleAt, or attachable).
func (e *Engine) scorePair(a, b uint32, s *scratch) (edge, bool) {
	if cap(s.cmp) < len(e.feats) {
		s.cmp = make([]fres, len(e.feats))
	}
	s.cmp = s.cmp[:len(e.feats)]
	e.compare(&e.recs[a], &e.recs[b], s.cmp, s.memo())
	w, hubW := e.weigh(s.cmp)
	ed := edge{to: b, w: float32(w)}
	ed.merge, ed.doc, ed.weak = e.classify(s.cmp, w, hubW)
	ed.join = ed.weak
	return ed, ed.merge || ed.weak || w >= e.possibleW
}

// classify decides what a scored pair may do.
//
// A pair is strong (it joins entities on its own) when it reaches MergeAt,
// not on hub values alone (without them it must still be a possible
// match), and it is corroborated: an equal personal document (passport,
// licence, ...), or a compatible name together with another identifying
// feature that agrees (date of birth, a phone or e-mail that is no hub, an
// address), or a name differing in a part but with an equal date of
// birth. A shared phone, e-mail or address never joins two people whose
// given names differ (a household), and a name alone never joins anyone.
//
// A pair that is not strong is weak (attachable) when the names are
// compatible, or one side has no name and an identifier that is no hub
// agrees, and nothing conflicts: no different date of birth or
// single-valued identifier, and the other features do not disagree by
// Config.DistinctBits or more. Weak links join entities only when they are
// exclusive (see weak.go).
//
// A strong pair resting on a document or on an equal date of birth with
// names that differ in a part is marked doc: the clusters it joins may
// hold names that differ.
func (e *Engine) classify(cmp []fres, w, hubW float64) (strong, doc, weak bool) {
	docAgrees := e.documentAgrees(cmp)
	hard := e.hardConflict(cmp)
	name := cmp[featName].level
	if w >= e.mergeW && w-hubW >= e.possibleW {
		switch {
		case docAgrees:
			return true, true, false
		case !hard && name >= nameSimilar && e.otherAgrees(cmp):
			return true, false, false
		case !hard && name == nameConflict && cmp[featDate].level == 3:
			return true, true, false
		}
	}
	if hard || name == nameConflict || name == nameDiffers {
		return false, false, false
	}
	if name < 0 && !e.identAgrees(cmp) {
		return false, false, false
	}
	for f := numFixedFeatures; f < len(cmp); f++ {
		if e.feats[f].kind == kindIdent && cmp[f].level == 0 && isDocumentKind(e.feats[f].sub) {
			return false, false, false // different documents: more than a name apart
		}
	}
	return false, false, e.otherWeight(cmp) > -e.cfg.DistinctBits
}

// documentAgrees reports an equal (or one-typo) personal document that is
// no hub.
func (e *Engine) documentAgrees(cmp []fres) bool {
	for f := numFixedFeatures; f < len(cmp); f++ {
		if e.feats[f].kind == kindIdent && cmp[f].level >= 1 && !cmp[f].hub && isDocumentKind(e.feats[f].sub) {
			return true
		}
	}
	return false
}

// identAgrees reports an equal identifier that is no hub.
func (e *Engine) identAgrees(cmp []fres) bool {
	for f := numFixedFeatures; f < len(cmp); f++ {
		if e.feats[f].kind == kindIdent && cmp[f].level == 2 && !cmp[f].hub {
			return true
		}
	}
	return false
}

// otherAgrees reports an identifying feature other than the name that
// agrees: date of birth (equal, one typo or day and month swapped), an
// identifier that is no hub, or an address that is no hub.
func (e *Engine) otherAgrees(cmp []fres) bool {
	if cmp[featDate].level >= 2 {
		return true
	}
	if a := cmp[featAddress]; a.level >= 2 && !a.hub {
		return true
	}
	return e.identAgrees(cmp) || e.documentAgrees(cmp)
}

// hardConflict reports facts that two records of one person can hardly
// have: different dates of birth, or two values of a single-valued
// identifier (see singleValued) whose disagreement weighs
// Config.ConflictBits or more against a match (in data where such
// numbers are often mistyped, a difference counts by its weight only).
func (e *Engine) hardConflict(cmp []fres) bool {
	if cmp[featDate].level == 0 && e.model.w[featDate][0] <= -e.cfg.ConflictBits {
		return true
	}
	for f := numFixedFeatures; f < len(cmp); f++ {
		if e.identConflict(f, cmp[f].level) {
			return true
		}
	}
	return false
}

// identConflict reports whether level lv of feature f is a hard conflict.
func (e *Engine) identConflict(f int, lv int8) bool {
	return lv == 0 && e.feats[f].kind == kindIdent && singleValued(e.feats[f].sub) && e.model.w[f][0] <= -e.cfg.ConflictBits
}

// otherWeight is the weight of every feature but the name.
func (e *Engine) otherWeight(cmp []fres) float64 {
	w := 0.0
	for f := range cmp {
		if f == featName || cmp[f].level < 0 {
			continue
		}
		w += e.model.w[f][cmp[f].level] + e.tfAdjust(f, &cmp[f])
	}
	return w
}

// corroborated reports whether a pair could be strong on its evidence,
// whatever its weight (for explanations).
func (e *Engine) corroborated(cmp []fres) bool {
	name := cmp[featName].level
	hard := e.hardConflict(cmp)
	return e.documentAgrees(cmp) || (!hard && name >= nameSimilar && e.otherAgrees(cmp)) ||
		(!hard && name == nameConflict && cmp[featDate].level == 3)
}

// addRecord validates, normalises, interns and indexes one record and
// returns its index. Writers only.
func (e *Engine) addRecord(n *normRecord) uint32 {
	i := uint32(len(e.recs))
	e.recs = append(e.recs, e.intern(n))
	e.byID[n.id] = i
	e.adj = append(e.adj, nil)
	e.cl.grow(len(e.recs))
	return i
}

func (e *Engine) indexRecord(i uint32, s *scratch) {
	s.keys = e.blockKeys(&e.recs[i], s.keys[:0])
	for _, k := range s.keys {
		e.idx.add(k, i)
	}
}

func (e *Engine) link(a uint32, ed edge) {
	e.adj[a] = append(e.adj[a], ed)
	back := ed
	back.to = a
	e.adj[ed.to] = append(e.adj[ed.to], back)
}

// Len returns the number of records in the engine.
func (e *Engine) Len() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.recs)
}

// Model returns the engine's current parameters (for persisting them so
// that a restart scores exactly as before).
func (e *Engine) Model() *Model {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.model.export(e.feats)
}

func (e *Engine) lookup(id string) (uint32, error) {
	i, ok := e.byID[id]
	if !ok {
		return 0, fmt.Errorf("%w: %s", ErrUnknown, id)
	}
	return i, nil
}
