package screen

import (
	"math/bits"
	"sort"
	"sync"

	"github.com/mosaic-intel/mosaic/internal/names"
)

// Retrieval keys. Every distinct token of the index is filed under:
//
//   - its canonical form and its variant groups (spelling variants and
//     nicknames from the names tables);
//   - its phonetic key and, for keys of three or more symbols, the key's
//     one-symbol deletions (romanisations that differ in a consonant);
//   - its text and the text's one-letter deletions, and for tokens of six
//     letters or more also its two-letter deletions (symmetric-deletion
//     candidates: a query token looks up its own text and deletions, so two
//     tokens within one edit always meet, and most within two).
//
// A query token looks up the same kinds of key and keeps the dictionary
// tokens names.Similarity finds at least minTokenSim alike.
const (
	keyCanon  = 'c'
	keyGroup  = 'g'
	keyPhon   = 'k'
	keyPhonD  = 'K' // a one-symbol deletion of the phonetic key
	keyDelete = 'd' // the text or a deletion of it
	keySkel   = 's' // the romanisation skeleton of a Latin token (romanSkel)
)

type retrievalKey struct {
	kind byte
	s    string
}

// dictKeys appends the keys a dictionary token is filed under; alts are
// the other keys of an abjad-romanised token (names.AbjadKeys).
func dictKeys(t names.Token, alts []names.AltKey, dst []retrievalKey) []retrievalKey {
	dst = append(dst, retrievalKey{keyCanon, t.Canon})
	if !t.Abjad && len(t.Text) >= 2 {
		dst = append(dst, retrievalKey{keySkel, romanSkel(t.Text)})
	}
	for _, g := range t.Groups {
		dst = append(dst, retrievalKey{keyGroup, g})
	}
	if len(t.Key) == 1 {
		dst = append(dst, retrievalKey{keyPhon, t.Key}) // for abjad queries
	}
	dst = phoneticKeys(t.Key, dst)
	for _, a := range alts {
		dst = append(dst, retrievalKey{keyPhon, a.Key})
	}
	dst = deletionKeys(t.Text, deleteDepth(t.Text), dst)
	return dst
}

// queryKeys appends the keys a query token looks up; alts as for
// dictKeys.
func queryKeys(t names.Token, alts []names.AltKey, dst []retrievalKey) []retrievalKey {
	if !t.Abjad && len(t.Text) >= 2 {
		// First, so that tokens found under it are judged as such.
		dst = append(dst, retrievalKey{keySkel, romanSkel(t.Text)})
	}
	dst = append(dst, retrievalKey{keyCanon, t.Canon})
	for _, g := range t.Groups {
		dst = append(dst, retrievalKey{keyGroup, g})
	}
	if t.Abjad {
		// Vowels are unwritten: the text says little beyond the key (even
		// a key of one consonant, "yhya").
		// Symmetric deletion on keys: the key and its deletions are looked
		// up among the dictionary's keys and among their deletions, so
		// keys one consonant apart meet ("jbha" KBH, "Jabhat" KBHT).
		for _, k := range append([]names.AltKey{{Key: t.Key}}, alts...) {
			if len(k.Key) == 1 {
				dst = append(dst, retrievalKey{keyPhon, k.Key})
			}
			n := len(dst)
			dst = phoneticKeys(k.Key, dst)
			for _, x := range dst[n:] {
				if x.kind == keyPhon {
					dst = append(dst, retrievalKey{keyPhonD, x.s})
				} else {
					dst = append(dst, retrievalKey{keyPhon, x.s})
				}
			}
		}
		return dst
	}
	// Spelt with vowels: the key itself (transliterations such as
	// "Qaddafi"/"Gadhafi"), and the text's deletions for typos.
	switch {
	case len(t.Key) == 1 && len(t.Text) <= 4:
		// A short token of one consonant ("Ree", "Ri"): its vowels are
		// most of it, and spellings of them differ by more than a typo.
		dst = append(dst, retrievalKey{keyPhon, t.Key})
	case len(t.Key) >= 2:
		dst = append(dst, retrievalKey{keyPhon, t.Key})
	}
	if len(t.Key) >= 4 {
		// A consonant added or lost ("Dveekarna" TFKRN, "Dwikarna" TKRN:
		// w is a vowel to the key, v is not): the key's deletions among
		// the dictionary's keys.
		for i := range len(t.Key) {
			if i > 0 && t.Key[i] == t.Key[i-1] {
				continue
			}
			dst = append(dst, retrievalKey{keyPhon, t.Key[:i] + t.Key[i+1:]})
		}
	}
	return deletionKeys(t.Text, deleteDepth(t.Text), dst)
}

// deleteDepth is how many letters deletion keys drop from a token: one,
// two for tokens of six letters or more (the "AUTO" edit budget of
// Lucene's fuzzy queries), none for tokens of two letters or fewer.
func deleteDepth(s string) int {
	switch {
	case len(s) >= 6:
		return 2
	case len(s) >= 3:
		return 1
	}
	return 0
}

func phoneticKeys(k string, dst []retrievalKey) []retrievalKey {
	if len(k) >= 2 {
		dst = append(dst, retrievalKey{keyPhon, k})
	}
	if len(k) >= 3 {
		for i := range len(k) {
			if i > 0 && k[i] == k[i-1] {
				continue
			}
			dst = append(dst, retrievalKey{keyPhonD, k[:i] + k[i+1:]})
		}
	}
	return dst
}

// deletionKeys appends s and the strings made by deleting up to depth
// letters of it (distinct, in no particular order).
func deletionKeys(s string, depth int, dst []retrievalKey) []retrievalKey {
	start := len(dst)
	dst = append(dst, retrievalKey{keyDelete, s})
	if depth == 0 || len(s) > 24 {
		return dst
	}
	level := dst[start:]
	for d := 0; d < depth; d++ {
		n := len(dst)
		for _, k := range level {
			w := k.s
			if len(w) <= 2 {
				continue
			}
			for i := range len(w) {
				if i > 0 && w[i] == w[i-1] {
					continue // deleting either of a doubled letter gives one string
				}
				c := w[:i] + w[i+1:]
				dup := false
				for _, x := range dst[n:] {
					if x.s == c {
						dup = true
						break
					}
				}
				if !dup {
					dst = append(dst, retrievalKey{keyDelete, c})
				}
			}
		}
		level = dst[n:]
	}
	return dst
}

// maxKeyList bounds the dictionary tokens examined under one retrieval
// key: a key shared by more tokens is too unspecific to be worth it.
const maxKeyList = 2000

// tokMatch is a dictionary token similar to a query token.
type tokMatch struct {
	id  int32
	sim float32
}

// similarTokens returns the dictionary tokens at least minTokenSim alike
// to t, best first. Callers hold the read lock.
func (ix *Index) similarTokens(t names.Token, s *scratch) []tokMatch {
	ck := cacheKey{t.Text, t.Abjad}
	if m, ok := ix.cache.get(ck); ok {
		return m
	}
	var matches []tokMatch
	if len(s.dseen) < len(ix.toks) {
		s.dseen = make([]uint32, len(ix.toks)+len(ix.toks)/4)
		s.dgen = 0
	}
	s.dgen++
	if s.dgen == 0 {
		clear(s.dseen)
		s.dgen = 1
	}
	seen, gen := s.dseen, s.dgen
	if id, ok := ix.dict[t.Text]; ok {
		matches = append(matches, tokMatch{id, 1})
		seen[id] = gen
	}
	qm := letterMask(t.Text)
	qn := bits.OnesCount32(qm)
	var alts []names.AltKey
	if t.Abjad {
		alts = names.AbjadKeys(t.Text)
	}
	s.keys = queryKeys(t, alts, s.keys[:0])
	for _, k := range s.keys {
		h := ix.hash.tagged(k.kind, k.s)
		if (k.kind == keyPhon || k.kind == keyPhonD) && ix.keys.count(h) > maxKeyList {
			continue
		}
		ix.keys.each(h, func(id int32) bool {
			if seen[id] == gen {
				return true
			}
			seen[id] = gen
			dt := &ix.toks[id]
			if k.kind == keySkel {
				if !dt.tok.Abjad && romanSkel(dt.tok.Text) == k.s {
					sim := max(names.Similarity(t, dt.tok), skelSim)
					matches = append(matches, tokMatch{id, float32(sim)})
					return true
				}
				seen[id] = gen - 1 // a hash collision: judge it under the other keys
				return true
			}
			if !t.Abjad && !dt.tok.Abjad && dt.tok.Canon != t.Canon && k.kind != keyGroup {
				// Jaro-Winkler of minTokenSim needs most letters in common.
				common := bits.OnesCount32(qm & dt.mask)
				if 2*common < min(qn, bits.OnesCount32(dt.mask)) {
					return true
				}
			}
			var sim float64
			if t.Abjad && !dt.tok.Abjad {
				sim = names.AbjadLatinSimilarity(t, dt.tok)
			} else {
				sim = names.Similarity(t, dt.tok)
			}
			if sim < oneEditSim && !t.Abjad && !dt.tok.Abjad && len(t.Text) >= 3 && len(dt.tok.Text) >= 3 &&
				t.Text[0] == dt.tok.Text[0] && editDistance(t.Text, dt.tok.Text, 2) == 1 {
				// One typo past the first letter ("Sng"/"Song", "Aqst"/"Aqsa"):
				// the model's edit features judge it further.
				sim = oneEditSim
			}
			if sim >= minTokenSim {
				matches = append(matches, tokMatch{id, float32(sim)})
			}
			return true
		})
	}
	sort.Slice(matches, func(i, j int) bool {
		if matches[i].sim != matches[j].sim {
			return matches[i].sim > matches[j].sim
		}
		return matches[i].id < matches[j].id
	})
	if len(matches) > maxMatches {
		matches = matches[:maxMatches]
	}
	ix.cache.put(ck, matches)
	return matches
}

// oneEditSim is the least similarity of two Latin tokens of three letters
// or more that share their first letter and are one edit apart.
const oneEditSim = 0.88

// maxMatches bounds the dictionary tokens one query token stands for.
const maxMatches = 64

// matchCache remembers, per query token, the dictionary tokens that match
// it; names repeat, so most query tokens have been seen before. Writes to
// the index clear it; it is bounded and clears itself when full.
type matchCache struct {
	mu sync.RWMutex
	m  map[cacheKey][]tokMatch
}

type cacheKey struct {
	text  string
	abjad bool
}

const matchCacheMax = 1 << 17

func (c *matchCache) get(k cacheKey) ([]tokMatch, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

func (c *matchCache) put(k cacheKey, v []tokMatch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= matchCacheMax {
		c.m = make(map[cacheKey][]tokMatch, 1024)
	}
	c.m[k] = v
}

func (c *matchCache) reset() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
