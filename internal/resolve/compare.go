package resolve

import (
	"math"

	"github.com/mosaic-intel/mosaic/internal/names"
)

// fres is the comparison of two records on one feature.
type fres struct {
	level int8    // -1: one side has no value (the feature is skipped)
	sim   float32 // the similarity behind the level
	tfU   float64 // chance that a random record shares the agreeing values (0: no adjustment)
	hub   bool    // the agreeing value is a hub
	ai    int16   // index of the value of a that was compared (for explanations)
	bi    int16   // likewise for b
}

// Level counts and labels per feature kind; level 0 is "differs" and the
// last level is the strongest agreement.
var kindLevels = [...][]string{
	kindName:    {"differs", "some parts agree, others differ", "all parts similar", "parts missing, rest close", "close variant", "exact"},
	kindDate:    {"differs", "same year or a year off", "one typo or day/month swapped", "equal"},
	kindIdent:   {"differs", "one typo", "equal"},
	kindAddress: {"differs", "some words shared", "most words shared", "equal"},
	kindCountry: {"differs", "equal"},
	kindAttr:    {"differs", "similar", "very similar", "equal"},
}

// Token similarities at and above which two name parts are a close
// variant (simClose) or similar (simNear).
const (
	simClose = 0.92
	simNear  = 0.80
	// simGroup is the similarity of two parts listed as variants or
	// nicknames of one name; simShort that of a short form ("bayo" of
	// "adebayo"); simInitial that of an initial and a part it begins.
	simGroup   = 0.95
	simShort   = 0.88
	simInitial = 0.85
	// simTypo is that of two written forms one edit apart whose
	// canonical forms differ (see spellSim): similar, not a variant.
	simTypo = 0.85
)

// tokenSim is the similarity of two tokens: 1 if equal; for name tokens
// (keyed), a shared variant group simGroup, an initial simInitial, a
// shared phonetic key at least 0.9, a short form simShort; else
// Jaro-Winkler.
func (e *Engine) tokenSim(x, y uint32, keyed bool) float64 {
	if x == y {
		return 1
	}
	sx, sy := e.dict.str(x), e.dict.str(y)
	if len(sx) == 1 || len(sy) == 1 {
		if sx[0] == sy[0] {
			return simInitial
		}
		return 0
	}
	if keyed {
		switch e.dict.groupRelation(x, y) {
		case groupsShared:
			return simGroup
		case groupsDisjoint:
			// Both are listed names of different groups ("hasan" and
			// "hussein" share a phonetic key): spelling similarity only.
			return JaroWinkler(sx, sy)
		}
	}
	if !keyed && (sx[0] <= '9' || sy[0] <= '9' || len(sx) > len(sy)+3 || len(sy) > len(sx)+3) {
		// Address words: house numbers must be equal, and words of
		// lengths this far apart are not one word mistyped.
		return 0
	}
	s := JaroWinkler(sx, sy)
	if keyed && s < simClose && e.dict.info[x].kid == e.dict.info[y].kid && e.dict.info[x].kid != 0 {
		// Same phonetic key: a spelling variant, if the spellings are not
		// too far apart. Short tokens share keys by chance more often
		// ("kaya"/"ji", "park"/"burak"), so they need a closer spelling
		// and the same first letter, and count as less close.
		switch {
		case len(sx) >= 5 && len(sy) >= 5 && s >= 0.6:
			s = simClose
		case s >= 0.75 && sx[0] == sy[0]:
			s = max(s, 0.9)
		}
	}
	if keyed && s < simShort && ShortForm(sx, sy) {
		s = simShort
	}
	return s
}

// writtenAs returns token i of a name as written: spell[i] when kept, else
// the token itself.
func writtenAs(toks, spell []uint32, i int) uint32 {
	if spell != nil {
		return spell[i]
	}
	return toks[i]
}

// spellSim is the similarity of two name tokens as written, for a pair
// whose canonical forms are far apart: a variant table maps "Miguel" to
// "mikhail" and "Ebrima" to "ibrahim", so that a typo of the written form
// ("Msguel") or its initial ("E.") no longer resembles the canonical
// form, though it still resembles what was written. An initial matches
// the first letter (simInitial); two written forms of four letters or
// more one edit apart are similar (simTypo); anything else is 0. Closer
// spellings are not enough: "Saeed" and "Samira", "Hussain" and "Hassan"
// are near by Jaro-Winkler, and the tables know them as different names.
func (e *Engine) spellSim(x, y uint32) float64 {
	sx, sy := e.dict.str(x), e.dict.str(y)
	if len(sx) == 1 || len(sy) == 1 {
		if sx[0] == sy[0] {
			return simInitial
		}
		return 0
	}
	if len(sx) >= 4 && len(sy) >= 4 && EditDistanceAtMost(sx, sy, 1) {
		return simTypo
	}
	return 0
}

// alignment is the outcome of matching two token lists.
type alignment struct {
	mean, min float64 // mean and smallest similarity of matched tokens
	strong    int     // matched tokens with similarity >= simClose
	short     int     // length of the shorter list
	exactFreq float64 // product of the frequencies of exactly matched tokens (1: none)
	// leftA and leftB count the tokens of each list left unmatched (no
	// partner at or above simNear), generic words excluded; matchedReal
	// counts matched pairs of which a token is not generic.
	leftA, leftB, matchedReal int
	// fullLeftA and fullLeftB count unmatched tokens of more than one
	// letter; byInitialA and byInitialB count tokens of more than one
	// letter matched only to an initial of the other list.
	fullLeftA, fullLeftB, byInitialA, byInitialB int
}

const maxAlignTokens = 8

// align matches the tokens of two lists one to one, best pairs first.
// mean, min and strong describe the pairs of the shorter list; leftA and
// leftB count the tokens of a and b that found no partner at or above
// simNear.
func (e *Engine) align(a, b []uint32, keyed bool) alignment {
	return e.alignWith(a, b, nil, nil, keyed)
}

// alignSpelled aligns two names' tokens, each pair at the better of its
// canonical and its written similarity (sa, sb: the spellings, or nil).
func (e *Engine) alignSpelled(a, b, sa, sb []uint32) alignment {
	return e.alignWith(a, b, sa, sb, true)
}

func (e *Engine) alignWith(a, b, sa, sb []uint32, keyed bool) alignment {
	swapped := false
	if len(a) > len(b) {
		a, b = b, a
		sa, sb = sb, sa
		swapped = true
	}
	r := alignment{exactFreq: 1, short: len(a), min: 1}
	if len(a) == 0 {
		r.min = 0
		r.leftA = e.countReal(b)
		if !swapped {
			r.leftA, r.leftB = 0, r.leftA
		}
		return r
	}
	n := float64(max(e.distinctNames, 1))
	if len(a) > maxAlignTokens {
		a = a[:maxAlignTokens]
		r.short = maxAlignTokens
	}
	if len(b) > maxAlignTokens {
		b = b[:maxAlignTokens]
	}
	var s [maxAlignTokens][maxAlignTokens]float64
	for i, x := range a {
		for j, y := range b {
			s[i][j] = e.tokenSim(x, y, keyed)
			if (sa != nil || sb != nil) && s[i][j] < simClose {
				if u, v := writtenAs(a, sa, i), writtenAs(b, sb, j); u != x || v != y {
					s[i][j] = max(s[i][j], e.spellSim(u, v))
				}
			}
		}
	}
	var usedA, usedB [maxAlignTokens]bool
	total := 0.0
	for range a {
		bi, bj, best := -1, -1, -1.0
		for i := range a {
			if usedA[i] {
				continue
			}
			for j := range b {
				if !usedB[j] && s[i][j] > best {
					bi, bj, best = i, j, s[i][j]
				}
			}
		}
		usedA[bi], usedB[bj] = true, true
		total += best
		r.min = min(r.min, best)
		if best >= simClose {
			r.strong++
		}
		if best == 1 {
			r.exactFreq *= float64(max(e.dict.info[a[bi]].names, 1)) / n
		}
		if best >= simNear {
			if !e.dict.isGeneric(a[bi]) || !e.dict.isGeneric(b[bj]) {
				r.matchedReal++
			}
			la, lb := len(e.dict.str(a[bi])), len(e.dict.str(b[bj]))
			if la == 1 && lb > 1 {
				r.byInitialB++
			} else if lb == 1 && la > 1 {
				r.byInitialA++
			}
		} else {
			// Matched only for want of better: both tokens are left over.
			r.leftA += e.left(a[bi], &r.fullLeftA)
			r.leftB += e.left(b[bj], &r.fullLeftB)
		}
	}
	for j := range b {
		if !usedB[j] {
			r.leftB += e.left(b[j], &r.fullLeftB)
		}
	}
	r.mean = total / float64(len(a))
	if swapped {
		r.leftA, r.leftB = r.leftB, r.leftA
		r.fullLeftA, r.fullLeftB = r.fullLeftB, r.fullLeftA
		r.byInitialA, r.byInitialB = r.byInitialB, r.byInitialA
	}
	return r
}

// left counts an unmatched token (1 unless generic), and in full those of
// more than one letter.
func (e *Engine) left(t uint32, full *int) int {
	if e.dict.isGeneric(t) {
		return 0
	}
	if len(e.dict.str(t)) > 1 {
		*full++
	}
	return 1
}

// exactFreq is the product of the name frequencies of the tokens of a
// name agreeing exactly (align's exactFreq without the alignment).
func (e *Engine) exactFreq(toks []uint32) float64 {
	n := float64(max(e.distinctNames, 1))
	f := 1.0
	for i, t := range toks {
		if i == maxAlignTokens {
			break
		}
		f *= float64(max(e.dict.info[t].names, 1)) / n
	}
	return f
}

func (e *Engine) countReal(toks []uint32) int {
	k := 0
	for _, t := range toks {
		if !e.dict.isGeneric(t) {
			k++
		}
	}
	return k
}

// Name comparison levels.
const (
	nameDiffers  = 0 // no part agrees
	nameConflict = 1 // some parts agree, a part on each side has no partner
	nameSimilar  = 2 // every part of one side similar to a part of the other
	nameMissing  = 3 // parts missing on one side, the rest close
	nameVariant  = 4 // every part a close variant
	nameExact    = 5
)

// nameMemo caches the levels of name pairs for one worker: common names
// meet again and again among candidate pairs. It is cleared when it grows
// beyond nameMemoSize.
type nameMemo map[uint64]nameRes

type nameRes struct {
	lv  int8
	sim float32
}

const nameMemoSize = 1 << 16

// nameLevelMemo is nameLevel through memo (which may be nil). The term
// frequency it returns is that of an exact agreement (the only level that
// uses it).
func (e *Engine) nameLevelMemo(x, y *pname, memo nameMemo) (int8, float64, float64) {
	if x.full == y.full || memo == nil {
		return e.nameLevel(x, y)
	}
	a, b := x.memoKey(), y.memoKey()
	if b < a {
		a, b = b, a
	}
	k := uint64(a)<<32 | uint64(b)
	if r, ok := memo[k]; ok {
		return r.lv, float64(r.sim), 0
	}
	lv, sim, _ := e.nameLevel(x, y)
	if len(memo) >= nameMemoSize {
		clear(memo)
	}
	memo[k] = nameRes{lv, float32(sim)}
	return lv, sim, 0
}

// nameLevel compares two names (token lists) and returns the level, the
// mean similarity and the term frequency of an exact agreement.
func (e *Engine) nameLevel(x, y *pname) (lv int8, sim, tf float64) {
	if x.full == y.full {
		return nameExact, 1, e.exactFreq(x.toks)
	}
	al := e.alignSpelled(x.toks, y.toks, x.spelled(), y.spelled())
	sim, tf = al.mean, al.exactFreq
	if tf == 1 {
		tf = 0
	}
	oneSided := al.leftA == 0 || al.leftB == 0
	// "Suresh N. Dhillon" and "Neha Dhillon": a name matched only to an
	// initial while a full name is left over on the initial's side is a
	// different given name.
	byInitial := (al.fullLeftA > 0 && al.byInitialB > 0) || (al.fullLeftB > 0 && al.byInitialA > 0)
	switch {
	case al.matchedReal == 0:
		lv = nameDiffers
	case !oneSided || byInitial:
		lv = nameConflict
	case al.min >= simClose && al.leftA == 0 && al.leftB == 0 && len(x.toks) == len(y.toks):
		lv = nameVariant
	case al.min >= simClose:
		lv = nameMissing
	case al.min >= simNear:
		lv = nameSimilar
	default:
		lv = nameConflict
	}
	if lv < nameVariant && len(x.toks) != len(y.toks) && e.squashedEqual(x.toks, y.toks) {
		lv, sim = nameVariant, 1 // "mc carthy" / "mccarthy", "perez castillo paula" / "perezcastillo paula"
	}
	return lv, sim, tf
}

func (e *Engine) compareNames(a, b *prepared, memo nameMemo) fres {
	r := fres{level: -1}
	if len(a.names) == 0 || len(b.names) == 0 {
		return r
	}
	if a.typ == typOrg {
		// Organisations are compared on all their names at once, so
		// that a shared generic alias ("Farm Stores") cannot hide that
		// "London Farm Stores" and "Swindon Farm Stores" differ.
		lv, sim, tf := e.nameLevelMemo(&a.bag, &b.bag, memo)
		r = fres{level: lv, sim: float32(sim), tfU: tf, ai: -1, bi: -1}
		if lv == nameExact {
			r.hub = e.dict.diversity(a.bag.full) >= e.cfg.HubDiversity
		} else {
			r.tfU = 0
		}
		return r
	}
	r.level = 0
	for i := range a.names {
		for j := range b.names {
			x, y := &a.names[i], &b.names[j]
			lv, sim, tf := e.nameLevelMemo(x, y, memo)
			hub := lv == nameExact && e.dict.diversity(x.full) >= e.cfg.HubDiversity
			if lv > r.level || (lv == r.level && float32(sim) > r.sim) || (i == 0 && j == 0) {
				r = fres{level: lv, sim: float32(sim), tfU: tf, hub: hub, ai: int16(i), bi: int16(j)}
			}
		}
	}
	if r.level < nameExact {
		// Only an exact agreement is adjusted: the frequency of some
		// exactly matched parts says nothing comparable about a fuzzy level.
		r.tfU = 0
	}
	return r
}

func (e *Engine) compareDates(a, b *prepared) fres {
	r := fres{level: -1}
	if len(a.dates) == 0 || len(b.dates) == 0 {
		return r
	}
	r.level = 0
	for i, x := range a.dates {
		for j, y := range b.dates {
			lv := dateLevel(e.dict.str(x), e.dict.str(y))
			if x == y {
				lv = 3
			}
			if lv > r.level {
				r = fres{level: lv, ai: int16(i), bi: int16(j)}
			}
		}
	}
	return r
}

// dateLevel compares two YYYYMMDD dates (00 for unknown parts).
func dateLevel(x, y string) int8 {
	if x == y {
		if x[4:] == "0000" {
			return 1 // equal years only
		}
		return 3
	}
	if x[4:6] == "00" || y[4:6] == "00" || x[6:] == "00" || y[6:] == "00" {
		if x[:4] == y[:4] {
			return 1
		}
		return 0
	}
	if x[:4] == y[:4] && x[4:6] == y[6:8] && x[6:8] == y[4:6] {
		return 2 // day and month swapped
	}
	if EditDistanceAtMost(x, y, 1) {
		return 2
	}
	if x[:4] == y[:4] {
		return 1
	}
	// A year apart on the same day and month is a common slip that one
	// edit does not reach across a decade (1989-12-31 for 1990-12-31): it
	// counts against a match like another date in the same year, but is
	// no conflict that keeps records apart whatever else agrees.
	if x[4:] == y[4:] && yearsApart(x[:4], y[:4]) == 1 {
		return 1
	}
	return 0
}

// yearsApart is the distance between two four-digit years.
func yearsApart(x, y string) int {
	n := 0
	for i := range 4 {
		n = n*10 + int(x[i]) - int(y[i])
	}
	return max(n, -n)
}

// compareValues compares single-valued features (identifiers, countries)
// by exact and one-edit agreement.
func (e *Engine) compareIdents(av, bv []fval, feat uint16, out *fres) {
	*out = fres{level: -1}
	for i, x := range av {
		if x.feat != feat {
			continue
		}
		for j, y := range bv {
			if y.feat != feat {
				continue
			}
			if out.level < 0 {
				*out = fres{level: 0, ai: int16(i), bi: int16(j)}
			}
			var lv int8
			if x.val == y.val {
				lv = 2
			} else if sx, sy := e.dict.str(x.val), e.dict.str(y.val); len(sx) >= 5 && EditDistanceAtMost(sx, sy, 1) {
				lv = 1
			}
			if lv > out.level {
				*out = fres{level: lv, ai: int16(i), bi: int16(j)}
				if lv == 2 {
					out.hub = e.dict.diversity(x.val) >= e.cfg.HubDiversity
				}
			}
		}
	}
}

// compareText compares multi-word values (addresses, attributes): equal,
// or by the share of words matched (Jaro-Winkler >= 0.9 counts as a match)
// over the longer value.
func (e *Engine) compareText(a, b []pname, out *fres) {
	*out = fres{level: -1}
	for i := range a {
		for j := range b {
			if out.level < 0 {
				*out = fres{level: 0, ai: int16(i), bi: int16(j)}
			}
			x, y := &a[i], &b[j]
			var lv int8
			var sim float64
			if x.full == y.full {
				lv, sim = 3, 1
			} else {
				sim = e.overlap(x.toks, y.toks)
				switch {
				case sim >= 0.8:
					lv = 2
				case sim >= 0.5:
					lv = 1
				}
			}
			if lv > out.level || (lv == out.level && float32(sim) > out.sim) {
				*out = fres{level: lv, sim: float32(sim), ai: int16(i), bi: int16(j)}
				if lv == 3 {
					out.hub = e.dict.diversity(x.full) >= e.cfg.HubDiversity
				}
			}
		}
	}
}

// overlap is the number of matched words over the longer value's length.
func (e *Engine) overlap(a, b []uint32) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	long := max(len(a), len(b))
	al := e.align(a, b, false)
	return al.mean * float64(min(len(a), len(b))) / float64(long)
}

func (e *Engine) compareCountries(a, b *prepared) fres {
	r := fres{level: -1}
	if len(a.country) == 0 || len(b.country) == 0 {
		return r
	}
	r.level = 0
	for _, x := range a.country {
		for _, y := range b.country {
			if x == y {
				return fres{level: 1}
			}
		}
	}
	return r
}

// compare fills out (one entry per feature) with the comparison of a and b.
func (e *Engine) compare(a, b *prepared, out []fres, memo nameMemo) {
	for i := range out {
		out[i] = fres{level: -1}
	}
	out[featName] = e.compareNames(a, b, memo)
	out[featDate] = e.compareDates(a, b)
	e.compareText(a.addrs, b.addrs, &out[featAddress])
	// The issuing country belongs to a document: when documents are
	// compared, it says nothing of its own (a dual national's two
	// passports differ in both).
	docs := false
	for i := range a.idents {
		if isDocumentKind(e.feats[a.idents[i].feat].sub) && hasFeat(b.idents, a.idents[i].feat) {
			docs = true
			break
		}
	}
	if !docs {
		out[featCountry] = e.compareCountries(a, b)
	}
	// Documents issued by two different countries are not comparable: a
	// dual national's passports differ in number and country (only
	// records that each name their documents' country tell this).
	foreign := docs && len(a.country) > 0 && len(b.country) > 0 && !sharesCountry(a.country, b.country)
	// Identifier and attribute features present on both sides.
	for _, x := range a.idents {
		if foreign && isDocumentKind(e.feats[x.feat].sub) {
			continue
		}
		if out[x.feat].level < 0 && hasFeat(b.idents, x.feat) {
			e.compareIdents(a.idents, b.idents, x.feat, &out[x.feat])
		}
	}
	for _, x := range a.attrs {
		f := x.feat
		if out[f].level >= 0 {
			continue
		}
		av, bv := attrValues(a.attrs, f), attrValues(b.attrs, f)
		if len(bv) > 0 {
			e.compareText(av, bv, &out[f])
		}
	}
}

func sharesCountry(a, b []uint32) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func hasFeat(v []fval, f uint16) bool {
	for _, x := range v {
		if x.feat == f {
			return true
		}
	}
	return false
}

func attrValues(v []pattr, f uint16) []pname {
	var out []pname
	for _, x := range v {
		if x.feat == f {
			out = append(out, x.v)
		}
	}
	return out
}

// weigh turns a comparison into a match weight (log2 Bayes factor plus
// prior) and the part of it contributed by agreeing hub values.
func (e *Engine) weigh(cmp []fres) (w, hubW float64) {
	w = e.model.priorW
	for f := range cmp {
		c := &cmp[f]
		if c.level < 0 {
			continue
		}
		fw := e.model.w[f][c.level] + e.tfAdjust(f, c)
		w += fw
		if c.hub && fw > 0 {
			hubW += fw
		}
	}
	return w, hubW
}

// tfPrior is the weight, in records, of the level's u in the smoothed
// term frequency.
const tfPrior = 1000

// tfAdjust is the term-frequency adjustment of a feature comparison: how
// much rarer (positive) or commoner (negative) the agreeing value is than
// the average agreeing value at that level.
func (e *Engine) tfAdjust(f int, c *fres) float64 {
	if c.tfU <= 0 || e.cfg.MaxTF <= 0 {
		return 0
	}
	u := e.model.uRand[f][c.level]
	// tfU is the identity-level frequency of the agreeing name parts (the
	// product of their shares of distinct names). It is smoothed towards
	// the level's u with tfPrior pseudo-names, so that small populations
	// get no adjustment.
	n := float64(max(e.distinctNames, 1))
	tf := (c.tfU*n + u*tfPrior) / (n + tfPrior)
	adj := math.Log2(u / max(tf, 1e-9))
	return max(-e.cfg.MaxTF, min(e.cfg.MaxTF, adj))
}

// squashedEqual reports whether two names spell the same letters once
// spaces are removed, allowing the parts to be rotated (family name first
// or last): "perezcastillo paula" and "paula perez castillo".
func (e *Engine) squashedEqual(a, b []uint32) bool {
	var ba, bb [64]byte
	sa, sb := ba[:0], bb[:0]
	for _, t := range a {
		sa = append(sa, e.dict.str(t)...)
	}
	for _, t := range b {
		sb = append(sb, e.dict.str(t)...)
	}
	// Long names may also differ by one slip: an airline's
	// "VASQUEZRODRIGUEZ/SERGIO" for "Sergio Vázquez Rodríguez".
	slip := len(sa) >= 16 && len(sb) >= 16
	if len(sa) != len(sb) && !(slip && (len(sa) == len(sb)+1 || len(sb) == len(sa)+1)) {
		return false
	}
	// Try every rotation of b that starts at one of its token boundaries.
	off := 0
	for _, t := range b {
		rot := string(sb[off:]) + string(sb[:off])
		if rot == string(sa) || slip && names.EditDistance(rot, string(sa)) <= 1 {
			return true
		}
		off += len(e.dict.str(t))
	}
	return false
}
