package screen

import (
	"math/bits"
	"sort"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// tokSlot points a dictionary token at its row of similarities to the
// query's parts, for the current query only.
type tokSlot struct {
	stamp uint32
	row   int32
}

// partBits is the set of names holding a match of one query part, as a
// bitset over name record ids, with the words that are not zero.
type partBits struct {
	words   []uint64 // names holding a match at least postMinSim alike
	strong  []uint64 // names holding a match at least strongSim alike
	touched []int32
}

func (p *partBits) set(rid int32, strong bool) {
	w := rid >> 6
	if p.words[w] == 0 {
		p.touched = append(p.touched, w)
	}
	p.words[w] |= 1 << (rid & 63)
	if strong {
		p.strong[w] |= 1 << (rid & 63)
	}
}

func (p *partBits) reset() {
	for _, w := range p.touched {
		p.words[w] = 0
		p.strong[w] = 0
	}
	p.touched = p.touched[:0]
}

// scratch is per-query working memory, pooled.
type scratch struct {
	parts   [maxQueryParts]partBits
	wseen   []uint32 // per bitset word: the query that last took it
	wgen    uint32
	cands   []cand
	pending []pendingWord
	out     []int32
	tslot   []tokSlot // per dictionary token
	tgen    uint32
	rows    [][maxQueryParts]float32
	dseen   []uint32 // per dictionary token, while finding similar tokens
	dgen    uint32
	keys    []retrievalKey
	qts     []qtok
	best    []scored
	order   []int
	xlit    []xlitMemo // this query's transliteration surprises, by part and token
}

// xlitMemo is names.XlitSurprise of query part q and dictionary token tid,
// remembered for the query: the same pairs recur across its candidates.
type xlitMemo struct {
	q   int
	tid int32
	x   float64
}

// manyParts lifts the rank of a name holding two query parts or more
// above any holding one.
const manyParts = 1 << 12

// pendingWord is a bitset word of names that hold only one query part
// (the part-th filled one).
type pendingWord struct {
	w    int32
	part int8
	bits uint64
}

// cand is a name that passed the gate, with its share of the query.
type cand struct {
	rid int32
	acc float32
}

func (ix *Index) getScratch() *scratch {
	s, _ := ix.scratch.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	if n := (len(ix.recs) + 63) / 64; len(s.wseen) < n {
		n += n / 4
		s.wseen = make([]uint32, n)
		s.wgen = 0
		for i := range s.parts {
			s.parts[i] = partBits{} // reallocated when first used
		}
	}
	if n := len(ix.toks); len(s.tslot) < n {
		s.tslot = make([]tokSlot, n+n/4)
		s.tgen = 0
	}
	s.out = s.out[:0]
	return s
}

// prepareSims files the similarity of every matched dictionary token to
// every query part, so that scoring a name looks each of its tokens up
// once.
func (ix *Index) prepareSims(s *scratch) {
	s.tgen++
	if s.tgen == 0 {
		clear(s.tslot)
		s.tgen = 1
	}
	s.rows = s.rows[:0]
	for qi, qt := range s.qts {
		for _, m := range qt.matches {
			sl := &s.tslot[m.id]
			if sl.stamp != s.tgen {
				sl.stamp = s.tgen
				sl.row = int32(len(s.rows))
				s.rows = append(s.rows, [maxQueryParts]float32{})
			}
			s.rows[sl.row][qi] = m.sim
		}
	}
}

// sims returns the similarities of dictionary token tid to the query's
// parts, or nil when it matches none.
func (s *scratch) sims(tid int32) *[maxQueryParts]float32 {
	sl := s.tslot[tid]
	if sl.stamp != s.tgen {
		return nil
	}
	return &s.rows[sl.row]
}

// gather returns the names that hold query parts making up at least
// gateShare of the query's weight (a part is held when the name has one of
// its matches at least postMinSim alike, as far as weakPostings allows),
// at most maxCandidates of them:
// names holding two parts or more before names holding one; then those
// whose held parts weigh most (a match at least strongSim alike counting
// in full, a weaker one 0.8); then those with fewer parts.
//
// For each query part the names holding it are collected from the
// postings into bitsets, small enough to stay in cache. Parts are split
// as in the MaxScore method of search engines: the lightest parts whose
// summed weight stays under the gate cannot admit a name on their own, so
// only the names in the other (essential) parts' sets are examined, and
// each one's held parts are read off the bitsets.
func (ix *Index) gather(s *scratch, schema watchlist.Schema) []int32 {
	qts := s.qts
	var total float64
	for _, qt := range qts {
		total += qt.weight
	}
	if total == 0 {
		return nil
	}
	gate := float32(gateShare * total)
	// Light parts: those that cannot be looked up, then the lightest of
	// the rest while their sum stays under the gate.
	order := s.order[:0]
	var light float64
	for qi := range qts {
		if postable(&qts[qi]) {
			order = append(order, qi)
		} else {
			light += qts[qi].weight
		}
	}
	sort.Slice(order, func(i, j int) bool { return qts[order[i]].weight < qts[order[j]].weight })
	k := 0
	for k < len(order) && float32(light+qts[order[k]].weight) < gate {
		light += qts[order[k]].weight
		k++
	}
	essential := order[k:]
	s.order = order
	nwords := (len(ix.recs) + 63) / 64
	var found int
	var filled [maxQueryParts]bool
	for _, qi := range essential {
		found += ix.fill(s, qi, nwords)
		filled[qi] = true
	}
	// A light part gives its weight only to the names holding it, unless
	// its postings dwarf the names found: then every name is assumed to
	// hold it. Parts that cannot be looked up count for every name when
	// they are initials or generic words, and for none otherwise (no name
	// holds them).
	var always float32
	for qi := range qts {
		qt := &qts[qi]
		switch {
		case filled[qi]:
		case postable(qt) && postingsOf(ix, qt) < 16*found:
			ix.fill(s, qi, nwords)
			filled[qi] = true
		case postable(qt) || qt.tok.Role == names.RoleInitial || qt.tok.Role == names.RoleGeneric && len(qt.matches) > 0:
			always += float32(qt.weight)
		}
	}
	s.wgen++
	if s.wgen == 0 {
		clear(s.wseen)
		s.wgen = 1
	}
	sk := schemaCode(schema)
	cands := s.cands[:0]
	var any, strong [maxQueryParts]uint64
	var ww [maxQueryParts]float32
	var used [maxQueryParts]int
	nused := 0
	for qi := range qts {
		if filled[qi] {
			used[nused] = qi
			ww[nused] = float32(qts[qi].weight)
			nused++
		}
	}
	// A name holding two or more parts is taken at once; names holding
	// only one (always an essential part, whose weight alone may pass the
	// gate) are kept aside word by word, and taken only when the others
	// are fewer than maxCandidates, heaviest part first.
	pending := s.pending[:0]
	take := func(rid int32, rank float32) {
		if ix.recInfo[rid].ok(sk) {
			// Among equal shares, prefer names with fewer parts left over.
			cands = append(cands, cand{rid, rank - 0.05*float32(ix.recLen[rid])})
		}
	}
	// A query part repeating an earlier one ("Mohamed Omar Mohamed") is
	// held only by names holding the name twice; otherwise every name
	// holding it once would rank as holding both. It matters, and is
	// checked, only when there are more candidates than are scored.
	dupJ := -1
	for j := 1; j < nused && dupJ < 0; j++ {
		for k := range j {
			if sameName(&qts[used[j]], &qts[used[k]]) {
				dupJ = j
				break
			}
		}
	}
	for _, qi := range essential {
		for _, w := range s.parts[qi].touched {
			if s.wseen[w] == s.wgen {
				continue
			}
			s.wseen[w] = s.wgen
			var union, once, twice uint64
			for j := range nused {
				p := &s.parts[used[j]]
				any[j], strong[j] = p.words[w], p.strong[w]
				twice |= once & any[j]
				once |= any[j]
			}
			for _, e := range essential {
				union |= s.parts[e].words[w]
			}
			if single := union &^ twice; single != 0 {
				for j := range nused {
					if b := single & any[j]; b != 0 && always+ww[j] >= gate {
						pending = append(pending, pendingWord{w, int8(j), b})
					}
				}
			}
			for multi := union & twice; multi != 0; multi &= multi - 1 {
				b := bits.TrailingZeros64(multi)
				bit := uint64(1) << b
				held, rank := always, always
				for j := range nused {
					switch {
					case strong[j]&bit != 0:
						held += ww[j]
						rank += ww[j]
					case any[j]&bit != 0:
						held += ww[j]
						rank += 0.8 * ww[j]
					}
				}
				if held >= gate {
					take(w<<6|int32(b), rank+manyParts)
				}
			}
		}
	}
	if len(cands) < maxCandidates && len(pending) > 0 {
		// Heaviest part first, and within a part the words in order; each
		// part's names are taken whole once begun, so that the ranking
		// below decides among them.
		sort.SliceStable(pending, func(a, b int) bool { return ww[pending[a].part] > ww[pending[b].part] })
		for i := 0; i < len(pending) && len(cands) < maxCandidates; {
			j := i
			for ; j < len(pending) && pending[j].part == pending[i].part; j++ {
				pw := pending[j]
				p := &s.parts[used[pw.part]]
				for m := pw.bits; m != 0; m &= m - 1 {
					b := bits.TrailingZeros64(m)
					rank := always + 0.8*ww[pw.part]
					if p.strong[pw.w]&(1<<b) != 0 {
						rank = always + ww[pw.part]
					}
					take(pw.w<<6|int32(b), rank)
				}
			}
			i = j
		}
	}
	s.pending = pending
	if dupJ >= 0 && len(cands) > maxCandidates {
		p := &s.parts[used[dupJ]]
		for i := range cands {
			rid := cands[i].rid
			if cands[i].acc >= manyParts && p.words[rid>>6]&(1<<(rid&63)) != 0 && ix.timesHeld(s, rid, used[dupJ]) < 2 {
				cands[i].acc -= ww[dupJ]
			}
		}
	}
	for qi := range qts {
		if filled[qi] {
			s.parts[qi].reset()
		}
	}
	if len(cands) > maxCandidates {
		cands = topK(cands, maxCandidates)
	}
	s.cands = cands
	out := s.out[:0]
	for _, c := range cands {
		out = append(out, c.rid)
	}
	s.out = out
	return out
}

// sameName reports whether two query parts are one name, or spellings
// so close that each is the other's best match ("Mohammad Mohammadi").
func sameName(a, b *qtok) bool {
	if a.tok.Canon == b.tok.Canon {
		return true
	}
	if len(a.matches) == 0 || len(b.matches) == 0 {
		return false
	}
	return hasMatchAt(b.matches, a.matches[0].id, 0.9) && hasMatchAt(a.matches, b.matches[0].id, 0.9)
}

func hasMatchAt(ms []tokMatch, id int32, min float32) bool {
	for _, m := range ms {
		if m.id == id {
			return m.sim >= min
		}
	}
	return false
}

// timesHeld counts the parts of name rid that are matches of query part
// qi.
func (ix *Index) timesHeld(s *scratch, rid int32, qi int) int {
	nr := &ix.recs[rid]
	n := 0
	for _, tid := range ix.recToks[nr.toks.off : nr.toks.off+nr.toks.n] {
		if r := s.sims(tid); r != nil && r[qi] >= postMinSim {
			n++
		}
	}
	return n
}

func postable(qt *qtok) bool {
	return qt.tok.Role == names.RolePart && len(qt.matches) > 0 && qt.matches[0].sim >= postMinSim
}

// recInfo packs what gather checks of every name before looking further:
// whether it is alive and its entry's schema.
type recInfo uint8

const recInfoAlive recInfo = 1 << 7

// schemaCode numbers the schemas; 0 is "any" (a query without schema, or
// an entry of unknown schema).
func schemaCode(s watchlist.Schema) recInfo {
	switch s {
	case watchlist.Person:
		return 1
	case watchlist.Organization:
		return 2
	case watchlist.Vessel:
		return 3
	case watchlist.Aircraft:
		return 4
	case "", watchlist.Unknown:
		return 0
	}
	return 5
}

// ok reports whether the name is alive and of a schema a query of schema
// code q may match (see schemaOK).
func (r recInfo) ok(q recInfo) bool {
	if r&recInfoAlive == 0 {
		return false
	}
	e := r &^ recInfoAlive
	return q == 0 || e == 0 || q == e
}

// postingsOf returns how many postings filling qt's set reads.
func postingsOf(ix *Index, qt *qtok) int {
	n := 0
	for _, m := range qt.matches {
		l := len(ix.toks[m.id].post)
		if m.sim < postMinSim || m.sim < strongSim && n+l > weakPostings {
			break
		}
		n += l
	}
	return n
}

// weakPostings bounds the postings a query part's weaker matches (under
// strongSim) may add to its set: a common name ("Muhammad") is held
// through its close spellings, not through every name a little like it.
const weakPostings = 1 << 12

// fill sets query part qi's bitset from the postings of its matches and
// returns how many postings it read.
func (ix *Index) fill(s *scratch, qi int, nwords int) int {
	p := &s.parts[qi]
	if len(p.words) < nwords {
		p.words = make([]uint64, nwords+nwords/4)
		p.strong = make([]uint64, nwords+nwords/4)
		p.touched = p.touched[:0]
	}
	n := 0
	for _, m := range s.qts[qi].matches {
		post := ix.toks[m.id].post
		if m.sim < postMinSim || m.sim < strongSim && n+len(post) > weakPostings {
			break // sorted best first
		}
		n += len(post)
		strong := m.sim >= strongSim
		for _, rid := range post {
			p.set(rid, strong)
		}
	}
	return n
}

// topK moves the k candidates with the largest share to the front of c
// (in no particular order) and returns them, using a min-heap of size k.
func topK(c []cand, k int) []cand {
	h := c[:k]
	less := func(a, b cand) bool { return a.acc < b.acc || a.acc == b.acc && a.rid > b.rid }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= k {
				return
			}
			m := l
			if r := l + 1; r < k && less(h[r], h[l]) {
				m = r
			}
			if !less(h[m], h[i]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for _, x := range c[k:] {
		if less(h[0], x) {
			h[0] = x
			down(0)
		}
	}
	return h
}
