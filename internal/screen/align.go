package screen

import (
	"math"
	"strings"

	"github.com/mosaic-intel/mosaic/internal/names"
)

// exactFloor is the least logit of an exact match of a whole name, before
// evidence: a score of about 0.93.
const exactFloor = 2.5

// maxPairs bounds the aligned parts of one name.
const maxPairs = 12

// Pair kinds.
const (
	pairPlain   uint8 = iota
	pairInitial       // an initial against a part
	pairJoinC         // the query part against two entry parts written joined
	pairJoinQ         // two query parts against one entry part written joined
)

// pair is an aligned query part and entry part (with a second part of
// either side when they are written joined on the other).
type pair struct {
	q, c   int8
	q2, c2 int8 // -1, or the second part of a joined pair
	kind   uint8
	sim    float32
}

// scored is a scored name before it is explained.
type scored struct {
	rid, ent  int32
	feat      Features
	logit     float64 // the model's, before evidence
	evidence  float64
	score     float64
	pairs     [maxPairs]pair
	npairs    int
	usedQ     uint32
	usedC     uint32
	dobNote   string
	ctryNote  string
	identNote string
}

// partWeight is the rarity weight of entry part cj of a name.
func (ix *Index) partWeight(tid int32, role names.Role) float64 {
	n := ix.live
	switch role {
	case names.RoleInitial:
		return 1
	case names.RoleGeneric:
		return 0.2 * idf(int32(n/100+1), n)
	}
	dt := &ix.toks[tid]
	return idf(max(dt.df, ix.canonDF[dt.tok.Canon]), n)
}

// initialSim compares an initial with a part (or two initials): the letter
// must agree.
func initialSim(a, b string, bothInitials bool) float32 {
	if a[0] != b[0] {
		return 0
	}
	if bothInitials {
		return 1
	}
	return 0.8
}

// abjadVowelStart reports whether an abjad romanisation begins with a
// vowel letter (a written alif, or a vowel after an unwritten ayn).
func abjadVowelStart(s string) bool {
	return s != "" && strings.IndexByte("aiueo", s[0]) >= 0
}

// scoreName aligns the query with name rid and scores it; it reports
// false when no identifying part of the two agrees well.
func (ix *Index) scoreName(s *scratch, rid int32, qv facts, sc *scored) bool {
	nr := &ix.recs[rid]
	toks := ix.recToks[nr.toks.off : nr.toks.off+nr.toks.n]
	roles := ix.recRoles[nr.toks.off : nr.toks.off+nr.toks.n]
	qts := s.qts
	if len(toks) > 32 {
		toks, roles = toks[:32], roles[:32]
	}
	var buf [96]pair
	cand := buf[:0]
	for cj, tid := range toks {
		r := s.sims(tid)
		for qi := range qts {
			qt := &qts[qi]
			var sim float32
			switch {
			case qt.tok.Abjad && roles[cj] == names.RoleInitial && abjadVowelStart(qt.tok.Text):
				// An Arabic-script part beginning with alif or ayn: a Latin
				// initial of it may be any vowel letter.
			case qt.tok.Role == names.RoleInitial || roles[cj] == names.RoleInitial:
				sim = initialSim(qt.tok.Text, ix.toks[tid].tok.Text, qt.tok.Role == roles[cj])
			case r != nil:
				sim = r[qi]
			}
			if sim > 0 && len(cand) < cap(cand) {
				cand = append(cand, pair{q: int8(qi), c: int8(cj), q2: -1, c2: -1, sim: sim})
			}
		}
	}
	if len(cand) == 0 {
		return false
	}
	// Insertion sort, best first (cand is small). Ties keep the parts'
	// order, so equal names align in order.
	for i := 1; i < len(cand); i++ {
		for j := i; j > 0 && cand[j].sim > cand[j-1].sim; j-- {
			cand[j], cand[j-1] = cand[j-1], cand[j]
		}
	}
	*sc = scored{rid: rid, ent: nr.ent}
	strong := false
	for _, p := range cand {
		if sc.usedQ&(1<<p.q) != 0 || sc.usedC&(1<<p.c) != 0 {
			continue
		}
		if sc.npairs == maxPairs {
			break
		}
		sc.usedQ |= 1 << p.q
		sc.usedC |= 1 << p.c
		if qts[p.q].tok.Role == names.RoleInitial || roles[p.c] == names.RoleInitial {
			p.kind = pairInitial
		}
		sc.pairs[sc.npairs] = p
		sc.npairs++
		if p.sim >= 0.8 && p.kind == pairPlain {
			strong = true
		}
	}
	ix.pairShortAbjad(s, sc, toks, roles)
	ix.joinParts(s, sc, toks, roles)
	for _, p := range sc.pairs[:sc.npairs] {
		if p.sim >= 0.8 && p.kind != pairInitial {
			strong = true
		}
	}
	if !strong {
		return false
	}
	ix.features(s, sc, nr, toks, roles)
	sc.logit = ix.model.Logit(&sc.feat)
	if sc.feat[FExact] == 1 {
		// The whole listed name, exactly: however short or common, it
		// alerts unless other evidence speaks against it.
		sc.logit = max(sc.logit, exactFloor)
	}
	ix.evidence(sc, qv)
	sc.score = sigmoid(sc.logit + sc.evidence)
	return true
}

// shortAbjadSim is the least similarity at which pairShortAbjad aligns
// an Arabic-script query part left over with a Latin entry part.
const shortAbjadSim = 0.9

// pairShortAbjad aligns each Arabic-script query part left over with the
// free Latin entry part its letters align with best, at least
// shortAbjadSim: a short romanisation ("th" for طه) has too common a key
// for the dictionary to list its Latin spellings ("Taha"), so the name
// was gathered by its other parts.
func (ix *Index) pairShortAbjad(s *scratch, sc *scored, toks []int32, roles []names.Role) {
	qts := s.qts
	for qi := range qts {
		qt := &qts[qi]
		if !qt.tok.Abjad || qt.tok.Role != names.RolePart || len(qt.tok.Text) > 3 || sc.usedQ&(1<<qi) != 0 || sc.npairs == maxPairs {
			continue
		}
		best, bsim := -1, float32(shortAbjadSim)
		for cj, tid := range toks {
			ct := &ix.toks[tid].tok
			if roles[cj] != names.RolePart || ct.Abjad || sc.usedC&(1<<cj) != 0 {
				continue
			}
			if sim := float32(names.AbjadSimilarity(qt.tok.Text, ct.Text)); sim >= bsim {
				best, bsim = cj, sim
			}
		}
		if best >= 0 {
			sc.addPair(pair{q: int8(qi), c: int8(best), q2: -1, c2: -1, sim: bsim})
		}
	}
}

// joinParts aligns a part left over on one side with two neighbouring
// parts of the other that are the same name written apart ("Changho" and
// "Chang-ho", "Abdulsalam" and "Abdul Salam" where the names tables do not
// know it), when that agrees better than what was aligned.
func (ix *Index) joinParts(s *scratch, sc *scored, toks []int32, roles []names.Role) {
	qts := s.qts
	for qi := range qts {
		if qts[qi].tok.Role != names.RolePart || sc.npairs == maxPairs {
			continue
		}
		cur := sc.pairOfQ(qi)
		if cur >= 0 && sc.pairs[cur].sim >= 0.999 {
			continue
		}
		qtext := qts[qi].tok.Text
		for cj := 0; cj+1 < len(toks); cj++ {
			if roles[cj] != names.RolePart || roles[cj+1] != names.RolePart {
				continue
			}
			a, b := ix.toks[toks[cj]].tok.Text, ix.toks[toks[cj+1]].tok.Text
			if !joinable(qtext, a, b) || !qts[qi].tok.Abjad && !closeJoined(qtext, a, b) {
				continue
			}
			// Both entry parts must be free, or held by this query part.
			if !sc.freeC(cj, cur) || !sc.freeC(cj+1, cur) {
				continue
			}
			sim := float32(names.Similarity(qts[qi].tok, joined(a, b)))
			if sim < 0.85 || cur >= 0 && sim <= sc.pairs[cur].sim {
				continue
			}
			sc.dropPair(cur)
			sc.addPair(pair{q: int8(qi), c: int8(cj), q2: -1, c2: int8(cj + 1), kind: pairJoinC, sim: sim})
			break
		}
	}
	for cj, tid := range toks {
		if roles[cj] != names.RolePart || sc.npairs == maxPairs {
			continue
		}
		cur := sc.pairOfC(cj)
		if cur >= 0 && sc.pairs[cur].sim >= 0.999 {
			continue
		}
		ctok := ix.toks[tid].tok
		for qi := 0; qi+1 < len(qts); qi++ {
			if qts[qi].tok.Role != names.RolePart || qts[qi+1].tok.Role != names.RolePart {
				continue
			}
			a, b := qts[qi].tok.Text, qts[qi+1].tok.Text
			if !joinable(ctok.Text, a, b) || !qts[qi].tok.Abjad && !closeJoined(ctok.Text, a, b) || !sc.freeQ(qi, cur) || !sc.freeQ(qi+1, cur) {
				continue
			}
			jt := joined(a, b)
			jt.Abjad = qts[qi].tok.Abjad
			sim := float32(names.Similarity(jt, ctok))
			if sim < 0.85 || cur >= 0 && sim <= sc.pairs[cur].sim {
				continue
			}
			sc.dropPair(cur)
			sc.addPair(pair{q: int8(qi), c: int8(cj), q2: int8(qi + 1), c2: -1, kind: pairJoinQ, sim: sim})
			break
		}
	}
}

// joinable reports whether a and b written together could be whole: about
// as long, and starting with the same letter.
func joinable(whole, a, b string) bool {
	n := len(a) + len(b)
	return whole[0] == a[0] && n >= len(whole)-2 && n <= len(whole)+2 && len(whole) >= 4
}

// closeJoined reports whether two Latin-script parts a and b written
// together are the short Latin-script part whole (under eight letters)
// but for one letter edit: a name written apart is the same letters
// ("Changho", "Chang-ho"); in a short name a spelling that also differs
// compounds two differences, and let unrelated names meet ("Chen" and
// "Che-son", "Sana Awan" and "Sanani"). Longer wholes are left to the
// similarity: the names tables split compounds such as "Abubakar" into
// parts whose joined spelling differs from a variant's ("Abobaqar").
func closeJoined(whole, a, b string) bool {
	if len(whole) >= 8 {
		return true
	}
	if len(a)+len(b) > 32 {
		return false
	}
	var buf [32]byte
	return editDistance(whole, string(append(append(buf[:0], a...), b...)), 2) <= 1
}

func joined(a, b string) names.Token {
	t := a + b
	return names.Token{Text: t, Canon: names.Canonical(t), Key: names.Key(t), Role: names.RolePart}
}

func (sc *scored) pairOfQ(qi int) int {
	for i, p := range sc.pairs[:sc.npairs] {
		if int(p.q) == qi || int(p.q2) == qi {
			return i
		}
	}
	return -1
}

func (sc *scored) pairOfC(cj int) int {
	for i, p := range sc.pairs[:sc.npairs] {
		if int(p.c) == cj || int(p.c2) == cj {
			return i
		}
	}
	return -1
}

// freeC reports whether entry part cj is unaligned or aligned by pair cur.
func (sc *scored) freeC(cj, cur int) bool {
	p := sc.pairOfC(cj)
	return p < 0 || p == cur
}

func (sc *scored) freeQ(qi, cur int) bool {
	p := sc.pairOfQ(qi)
	return p < 0 || p == cur
}

func (sc *scored) dropPair(i int) {
	if i < 0 {
		return
	}
	p := sc.pairs[i]
	sc.usedQ &^= 1 << p.q
	sc.usedC &^= 1 << p.c
	if p.q2 >= 0 {
		sc.usedQ &^= 1 << p.q2
	}
	if p.c2 >= 0 {
		sc.usedC &^= 1 << p.c2
	}
	copy(sc.pairs[i:], sc.pairs[i+1:sc.npairs])
	sc.npairs--
}

func (sc *scored) addPair(p pair) {
	sc.pairs[sc.npairs] = p
	sc.npairs++
	sc.usedQ |= 1 << p.q
	sc.usedC |= 1 << p.c
	if p.q2 >= 0 {
		sc.usedQ |= 1 << p.q2
	}
	if p.c2 >= 0 {
		sc.usedC |= 1 << p.c2
	}
}

// features computes the model's inputs from an alignment.
func (ix *Index) features(s *scratch, sc *scored, nr *nameRec, toks []int32, roles []names.Role) {
	qts := s.qts
	L := math.Log(1 + float64(ix.live))
	var f Features
	var tq, mq, tc, mc, missQ, missC float64
	var nMissQ, nMissC int
	for qi, qt := range qts {
		tq += qt.weight
		if sc.usedQ&(1<<qi) == 0 {
			missQ += qt.weight
			if qt.tok.Role == names.RolePart {
				nMissQ++
			}
		}
	}
	var cwBuf [32]float64
	cw := cwBuf[:len(toks)]
	for cj, tid := range toks {
		cw[cj] = ix.partWeight(tid, roles[cj])
		tc += cw[cj]
		if sc.usedC&(1<<cj) == 0 {
			missC += cw[cj]
			if roles[cj] == names.RolePart {
				nMissC++
			}
		}
	}
	minSim, loss, exact := 1.0, 0.0, true
	letters := 0
	latin := len(qts) > 0 && !qts[0].tok.Abjad
	same := true // every pair the same name (text or spelling variant)
	for _, p := range sc.pairs[:sc.npairs] {
		if p.kind != pairInitial {
			if ct := &ix.toks[toks[p.c]].tok; qts[p.q].tok.Abjad && !ct.Abjad {
				// An Arabic-script part aligned with a Latin spelling: the
				// spelling's letters, as a Latin-script query's would count
				// (the romanisation leaves short vowels out: "mhmd athman"
				// holds 10 letters, Mohamed Osman 12).
				letters += len(ct.Text)
				if p.c2 >= 0 {
					letters += len(ix.toks[toks[p.c2]].tok.Text)
				}
			} else {
				letters += len(qts[p.q].tok.Text)
				if p.q2 >= 0 {
					letters += len(qts[p.q2].tok.Text)
				}
			}
			if p.kind != pairPlain || qts[p.q].tok.Text != ix.toks[toks[p.c]].tok.Text {
				f[FDiffN]++
			}
			if (latin || qts[p.q].tok.Abjad && ix.toks[toks[p.c]].tok.Abjad) && p.kind == pairPlain && p.sim < 0.999 {
				// Two spellings in one script: their letter edits (two
				// Arabic-script spellings compare as romanised, "ghanm" and
				// "bughanmi" three edits apart).
				a, b := qts[p.q].tok.Text, ix.toks[toks[p.c]].tok.Text
				e := float64(editDistance(a, b, 3))
				f[FEdits] += e
				f[FMaxEdits] = max(f[FMaxEdits], e)
				if a == "" || b == "" || a[0] != b[0] && !sameSkelStart(a, b) {
					f[FFirstDiff]++
				}
			}
			if !latin && p.kind == pairPlain && p.q2 < 0 && p.c2 < 0 && qts[p.q].tok.Abjad {
				if ct := &ix.toks[toks[p.c]].tok; !ct.Abjad {
					x := min(s.xlitSurprise(int(p.q), toks[p.c], qts[p.q].tok.Text, ct.Text), 20) / 5
					f[FXlit] += x
					f[FXlitMax] = max(f[FXlitMax], x)
				}
			}
		}
		sim := float64(p.sim)
		s2 := sim * sim
		wq := qts[p.q].weight
		if p.q2 >= 0 {
			wq += qts[p.q2].weight
		}
		wc := cw[p.c]
		if p.c2 >= 0 {
			wc += cw[p.c2]
		}
		mq += s2 * wq
		mc += s2 * wc
		loss += 1 - sim
		if p.kind == pairInitial {
			f[FInitials]++
			if sim < 0.999 {
				exact = false // an initial for a name; two equal initials are exact
			}
		} else {
			minSim = min(minSim, sim)
		}
		if sim < 0.999 || p.kind != pairPlain {
			exact = false
		}
		if sim < 0.999 {
			same = false
		}
	}
	if nMissQ > 0 || nMissC > 0 || sc.usedQ != 1<<len(qts)-1 || sc.usedC != 1<<len(toks)-1 {
		exact = false
	}
	f[FQCov] = mq / tq
	f[FCCov] = mc / tc
	f[FNameSim] = math.Sqrt(f[FQCov] * f[FCCov])
	f[FInfo] = min(mq/L, 4)
	f[FQMiss] = min(missQ/L, 4)
	f[FCMiss] = min(missC/L, 4)
	f[FMinSim] = minSim
	f[FLoss] = loss
	if exact {
		f[FExact] = 1
	}
	if len(qts) == 1 {
		f[FSingle] = 1
	}
	if nr.flags&recWeak != 0 {
		f[FWeak] = 1
	}
	if nr.flags&recAbjad != 0 && (len(qts) == 0 || !qts[0].tok.Abjad) {
		f[FAbjadFallback] = 1
	}
	if len(qts) > 0 && qts[0].tok.Abjad {
		f[FAbjadQuery] = 1
	}
	f[FXlit] = min(f[FXlit], 8)
	f[FMissQN] = float64(nMissQ)
	f[FMissCN] = float64(nMissC)
	f[FLetters] = min(float64(letters)/10, 3)
	if nMissQ == 0 && nMissC == 0 {
		f[FComplete] = 1
	}
	if nMissQ == 0 && same {
		f[FQSubset] = 1
	}
	if sc.npairs >= 2 {
		inOrder := true
		for i := range sc.pairs[:sc.npairs] {
			for j := range sc.pairs[:sc.npairs] {
				pi, pj := &sc.pairs[i], &sc.pairs[j]
				if pi.q < pj.q && pi.c > pj.c {
					inOrder = false
				}
			}
		}
		if inOrder {
			f[FInOrder] = 1
		}
	}
	if nMissQ == 0 && nMissC > 0 {
		first := -1
		for cj := range toks {
			if roles[cj] == names.RolePart {
				first = cj
				break
			}
		}
		// The first part (a given name) kept: the parts left out are
		// middle names or trailing family and tribal names.
		if first >= 0 && sc.usedC&(1<<first) != 0 {
			f[FInnerMiss] = 1
		}
	}
	sc.feat = f
}

// editDistance is the optimal-string-alignment distance of a and b (a
// swap of neighbouring letters is one edit), or limit when it is limit or
// more.
func editDistance(a, b string, limit int) int {
	if len(a) > 32 || len(b) > 32 {
		return limit
	}
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	var rows [3][33]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		lo := i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			lo = min(lo, v)
		}
		if lo >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit)
}

// xlitSurprise is names.XlitSurprise of query part q (text a) and
// dictionary token tid (text b), computed once per query.
func (s *scratch) xlitSurprise(q int, tid int32, a, b string) float64 {
	for _, m := range s.xlit {
		if m.q == q && m.tid == tid {
			return m.x
		}
	}
	x := names.XlitSurprise(a, b)
	if len(s.xlit) < 256 {
		s.xlit = append(s.xlit, xlitMemo{q, tid, x})
	}
	return x
}
