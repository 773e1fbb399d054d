// Package screen matches names (with a date of birth, a country and
// document numbers when known) against watch-list entries.
//
// An Index holds the entries of several lists. Each entry's names are
// parsed by package names into tokens; every distinct token goes into a
// dictionary with retrieval keys (its canonical variant, its phonetic key
// and deletions of it, its text and one- and two-letter deletions of it),
// and postings map each identifying token to the names that hold it.
//
// Screen parses the query, finds the dictionary tokens close to each query
// token, and gathers the names that hold at least half of the query's
// rarity-weighted parts: query parts are taken rarest first, and once the
// parts left could not lift a new name to that share they only check the
// names already gathered (the MaxScore method of search engines), so common
// given names never cost a pass over their long postings. The best of
// those names are aligned part by part with the query (in any order,
// allowing initials, nicknames, spelling and script variants, and parts
// written joined or apart) and scored by a logistic model over features of
// the alignment (see Model), adjusted by date of birth, country and
// identifiers.
//
// # Concurrency
//
// An Index is safe for concurrent use: any number of Screen calls run in
// parallel under a read lock; Upsert, Remove and ReplaceList take the write
// lock briefly per entry, so lists are updated as diffs without a rebuild
// and without stopping readers for long.
//
// # Memory
//
// Entries and names are kept in large slices of plain values (store.go):
// a million names cost a few hundred megabytes and give the garbage
// collector almost nothing to scan.
package screen

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// Query is one name to screen, with what else is known of its bearer.
type Query struct {
	Name        string
	Schema      watchlist.Schema // "" matches every schema
	BirthDate   string           // "YYYY-MM-DD", "YYYY-MM" or "YYYY"; optional
	Country     string           // nationality or document country, ISO alpha-2 or a name; optional
	Identifiers []string         // document numbers; optional
	Limit       int              // maximum hits; default 10
	MinScore    float64          // hits below are dropped; default DefaultThreshold
}

// DefaultThreshold is the score at and above which a hit is reported by
// default: the operating point measured in docs/benchmarks/screen.md. The
// model's intercept is set when it is trained so that this threshold
// keeps false alerts at 0.1% on the tuning half of the labelled set.
const DefaultThreshold = 0.82

// Hit is one matching entry.
type Hit struct {
	List        string   `json:"list"`
	EntryID     string   `json:"entry_id"`
	Schema      string   `json:"schema"`
	Caption     string   `json:"caption"`
	Matched     string   `json:"matched"` // the entry's name that matched best
	Score       float64  `json:"score"`   // in [0,1]; rises with the odds of a true match
	Explanation []string `json:"explanation"`
}

const (
	maxQueryParts = 16   // query parts beyond are ignored
	gateShare     = 0.5  // share of the query's weight a candidate must hold
	minTokenSim   = 0.7  // dictionary tokens below are not matches
	maxCandidates = 50   // names fully scored per query
	postMinSim    = 0.70 // matches below do not count towards the gate
	strongSim     = 0.97 // matches at or above count in full when ranking candidates
)

// qtok is a query part with its matching dictionary tokens.
type qtok struct {
	tok     names.Token
	weight  float64
	matches []tokMatch
}

// Screen returns the entries matching q, best first.
func (ix *Index) Screen(q Query) []Hit {
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	minScore := q.MinScore
	if minScore == 0 {
		minScore = DefaultThreshold
	}
	var hits []Hit
	ix.query(q, func(pq names.Name, qv facts, s *scratch) {
		best := ix.scoreAll(pq, q.Schema, qv, s)
		for i := range best {
			if best[i].score >= minScore {
				hits = append(hits, ix.hit(&best[i], s.qts))
			}
		}
	})
	if alts, ok := translatedOrg(q); ok {
		hits = ix.screenAlternatives(q, alts, "common words translated: ", minScore, hits)
	}
	if alt, ok := ix.runOnSplit(q); ok {
		hits = ix.screenAlternatives(q, []string{alt}, "words written apart: ", minScore, hits)
	}
	if alt, ok := finalYa(q.Name); ok {
		hits = ix.screenAlternatives(q, []string{alt}, "final ى read as ي: ", minScore, hits)
	}
	if alt, ok := withoutNasab(q); ok {
		hits = ix.screenAlternatives(q, []string{alt}, "father's and forefathers' names left out: ", minScore, hits)
	}
	sortHits(hits)
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

// translatedOrg returns the Latin-script renderings of the common words of
// an organisation's name written in Arabic script
// (names.TranslateArabicOrg): lists often give such names by their
// meaning ("الجماعة الإسلامية المقاتلة", Islamic Fighting Group), which
// no transliteration reaches. Only queries for organisations are
// translated.
func translatedOrg(q Query) ([]string, bool) {
	if kindOf(q.Schema) != names.KindOrganization {
		return nil, false
	}
	return names.TranslateArabicOrg(q.Name)
}

// runOnSplit returns q's name with its Arabic-script words typed run
// together written apart (splitRunOn), if it has such words. The name as
// typed is screened too: a word the index has no close spelling of may
// be one name all the same (كلاوديا, Claudia).
func (ix *Index) runOnSplit(q Query) (string, bool) {
	if names.DetectScript(q.Name) != names.ScriptArabic {
		return "", false
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.live == 0 {
		return "", false
	}
	return ix.splitRunOn(q.Name, kindOf(q.Schema))
}

// finalYa returns an Arabic-script name with each word-final alif
// maqsura (ى, romanised "a": مصطفى, Mustafa) written as ya (ي, "i"): Persian,
// Afghan and Egyptian spelling write a final ya so (حقانى, Haqqani; على,
// Ali), and nothing in the name tells the two apart.
func finalYa(name string) (string, bool) {
	if !strings.Contains(name, "ى") || names.DetectScript(name) != names.ScriptArabic {
		return "", false
	}
	words := strings.Fields(name)
	changed := false
	for i, w := range words {
		if x, ok := strings.CutSuffix(w, "ى"); ok && utf8.RuneCountInString(x) >= 2 {
			words[i] = x + "ي"
			changed = true
		}
	}
	return strings.Join(words, " "), changed
}

// nasabWords introduce a father's or forefather's name in an
// Arabic-script name ("son of", "daughter of"; ولد in Mauritanian names).
var nasabWords = map[string]bool{"بن": true, "ابن": true, "إبن": true, "بنت": true, "ولد": true}

// withoutNasab returns a person's Arabic-script name with its clauses
// "بن X" (son of X) left out, but for one that ends the name (بن لادن,
// a family name): a Latin spelling often gives the given and family
// names alone (محرز بن محمود بن ساسي العمدوني, Meherez Hamdouni), and
// each such part left unmatched would cost the name as much as a wrong
// one. At least two words must remain. The name as written is screened
// too.
func withoutNasab(q Query) (string, bool) {
	if kindOf(q.Schema) != names.KindPerson || !strings.Contains(q.Name, "بن") && !strings.Contains(q.Name, "ولد") ||
		names.DetectScript(q.Name) != names.ScriptArabic {
		return "", false // most names hold neither word: no allocation
	}
	words := strings.Fields(q.Name)
	out := words[:0:0]
	for i := 0; i < len(words); i++ {
		if i == 0 || !nasabWords[words[i]] {
			out = append(out, words[i])
			continue
		}
		n := 1 // the father's name
		if i+1 < len(words) && (words[i+1] == "عبد" || words[i+1] == "أبو" || words[i+1] == "ابو") {
			n = 2 // a compound one (بن عبد الله)
		}
		if i+n >= len(words)-1 {
			out = append(out, words[i:]...) // it ends the name
			break
		}
		i += n
	}
	if len(out) == len(words) || len(out) < 2 {
		return "", false
	}
	return strings.Join(out, " "), true
}

// screenAlternatives screens each of alts in place of q's name and adds
// its hits to hits, keeping each entry's best; a hit found through an
// alternative says so in its explanation (note, then the alternative).
func (ix *Index) screenAlternatives(q Query, alts []string, note string, minScore float64, hits []Hit) []Hit {
	at := map[[2]string]int{}
	for i, h := range hits {
		at[[2]string{h.List, h.EntryID}] = i
	}
	for _, alt := range alts {
		qa := q
		qa.Name = alt
		ix.query(qa, func(pq names.Name, qv facts, s *scratch) {
			best := ix.scoreAll(pq, q.Schema, qv, s)
			for i := range best {
				if best[i].score < minScore {
					continue
				}
				h := ix.hit(&best[i], s.qts)
				h.Explanation = append([]string{note + alt}, h.Explanation...)
				k := [2]string{h.List, h.EntryID}
				if j, ok := at[k]; ok {
					if h.Score > hits[j].Score {
						hits[j] = h
					}
					continue
				}
				at[k] = len(hits)
				hits = append(hits, h)
			}
		})
	}
	return hits
}

// scoreAll gathers and scores the candidates of a parsed query, keeping
// the best name of each entry. The result lives in s.
func (ix *Index) scoreAll(pq names.Name, schema watchlist.Schema, qv facts, s *scratch) []scored {
	best := s.best[:0]
	ix.scoreNames(pq, schema, qv, s, func(sc *scored) {
		for i := range best {
			if best[i].ent == sc.ent {
				if sc.score > best[i].score {
					best[i] = *sc
				}
				return
			}
		}
		best = append(best, *sc)
	})
	s.best = best
	return best
}

// scoreNames gathers the candidates of a parsed query and calls fn with
// each name scored.
func (ix *Index) scoreNames(pq names.Name, schema watchlist.Schema, qv facts, s *scratch, fn func(*scored)) {
	s.qts = ix.matchTokens(pq, s)
	s.xlit = s.xlit[:0]
	ix.prepareSims(s)
	cands := ix.gather(s, schema)
	var sc scored
	sk := schemaCode(schema)
	consider := func(rid int32) {
		if !ix.recInfo[rid].ok(sk) {
			return
		}
		if ix.scoreName(s, rid, qv, &sc) {
			fn(&sc)
		}
	}
	for _, rid := range cands {
		consider(rid)
	}
	// Entries carrying one of the query's identifiers are always scored.
	for _, id := range qv.ids {
		ix.byIdent.each(ix.hash.str(id), func(slot int32) bool {
			er := &ix.ents[slot]
			for _, rid := range ix.entNames[er.names.off : er.names.off+er.names.n] {
				if !contains32(cands, rid) {
					consider(rid)
				}
			}
			return true
		})
	}
}

func contains32(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// matchTokens finds, for every compared query part, the dictionary tokens
// similar enough to it, and its rarity weight.
func (ix *Index) matchTokens(pq names.Name, s *scratch) []qtok {
	out := s.qts[:0]
	for _, t := range pq.Tokens {
		if t.Role > names.RoleGeneric {
			continue
		}
		if len(out) == maxQueryParts {
			break // a name, not a document
		}
		qt := qtok{tok: t}
		if t.Role == names.RolePart || t.Role == names.RoleGeneric {
			qt.matches = ix.similarTokens(t, s)
		}
		qt.weight = ix.queryWeight(&qt)
		out = append(out, qt)
	}
	for qi := 0; qi+1 < len(out); qi++ {
		ix.joinedMatches(&out[qi], &out[qi+1], s)
	}
	return out
}

// joinedMatchSim is the similarity filed for a Latin token matched by two
// neighbouring Arabic-script query parts written together: high enough
// to gather the name, below what joinParts then finds for the two parts
// aligned with it.
const joinedMatchSim = 0.75

// joinedMatches adds to two neighbouring Arabic-script query parts the
// Latin dictionary tokens whose letters the two written together match
// at least 0.9 ("ولی جان", WALIJAN): a Latin spelling often joins what Arabic
// script writes apart. The names holding such a token are then gathered,
// and joinParts aligns the two parts with it.
func (ix *Index) joinedMatches(a, b *qtok, s *scratch) {
	if a.tok.Role != names.RolePart || b.tok.Role != names.RolePart || !a.tok.Abjad || !b.tok.Abjad {
		return
	}
	jt := joined(a.tok.Text, b.tok.Text)
	jt.Abjad = true
	var extra []tokMatch
	for _, m := range ix.similarTokens(jt, s) {
		if m.sim < 0.9 {
			break // best first
		}
		dt := ix.toks[m.id].tok
		if dt.Abjad || !joinable(dt.Text, a.tok.Text, b.tok.Text) || hasMatch(a.matches, m.id) || hasMatch(b.matches, m.id) {
			continue
		}
		// The letters must align, not only share a beginning (Jaro-Winkler
		// makes "allah didi" like ALLAHDAD).
		if names.AbjadSimilarity(jt.Text, dt.Text) < 0.9 {
			continue
		}
		extra = append(extra, tokMatch{m.id, joinedMatchSim})
	}
	if len(extra) == 0 {
		return
	}
	// The match lists are shared with the cache: copy before adding.
	add := func(qt *qtok) {
		ms := make([]tokMatch, 0, len(qt.matches)+len(extra))
		ms = append(ms, qt.matches...)
		ms = append(ms, extra...)
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].sim > ms[j].sim })
		qt.matches = ms
	}
	add(a)
	add(b)
}

func hasMatch(ms []tokMatch, id int32) bool {
	for _, m := range ms {
		if m.id == id {
			return true
		}
	}
	return false
}

// queryWeight is the rarity weight of a query part: the idf of its best
// dictionary matches, a middling weight when it matches nothing, and a
// small one for initials and generic words.
func (ix *Index) queryWeight(qt *qtok) float64 {
	n := ix.live
	switch qt.tok.Role {
	case names.RoleInitial:
		return 1
	case names.RoleGeneric:
		return 0.2 * idf(int32(n/100+1), n)
	}
	return idf(ix.effectiveDF(qt), n)
}

// effectiveDF is how many names hold the query part or a close variant of
// it: the larger of its canonical form's count and the summed counts of
// dictionary tokens at least 0.9 alike.
func (ix *Index) effectiveDF(qt *qtok) int32 {
	df := ix.canonDF[qt.tok.Canon]
	var sum int32
	for _, m := range qt.matches {
		if m.sim >= 0.9 {
			sum += ix.toks[m.id].df
		}
	}
	if len(qt.matches) == 0 && df == 0 {
		return int32(ix.live/10000 + 1)
	}
	return max(df, sum, 1)
}

// Candidate is a name scored for a query, with its features: what a
// model is trained on.
type Candidate struct {
	List, EntryID string
	Name          string // the entry's name
	Features      Features
	Evidence      float64 // logits from date of birth, country and identifiers
	Score         float64
}

// Candidates returns every name the index scores for q (whatever its
// score, q.Limit and q.MinScore aside), with its features. Screen keeps
// the best-scoring name of each entry of these.
func (ix *Index) Candidates(q Query) []Candidate {
	var out []Candidate
	ix.query(q, func(pq names.Name, qv facts, s *scratch) {
		ix.scoreNames(pq, q.Schema, qv, s, func(sc *scored) {
			er := &ix.ents[sc.ent]
			out = append(out, Candidate{List: ix.lists[er.list], EntryID: ix.strs.str(er.id),
				Name: ix.strs.str(ix.recs[sc.rid].value), Features: sc.feat, Evidence: sc.evidence, Score: sc.score})
		})
	})
	return out
}

// query parses q and calls fn under the read lock with working memory,
// unless the index is empty.
func (ix *Index) query(q Query, fn func(pq names.Name, qv facts, s *scratch)) {
	pq := names.Parse(q.Name, kindOf(q.Schema))
	qv := queryFacts(q)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.live == 0 {
		return
	}
	pq = ix.repairCompounds(q.Name, pq, kindOf(q.Schema))
	s := ix.getScratch()
	defer ix.scratch.Put(s)
	fn(pq, qv, s)
}
