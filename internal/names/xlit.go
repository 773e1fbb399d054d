package names

import (
	_ "embed"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// A learned transliteration model of Latin spellings of Arabic-script
// names. Each letter (or digraph: th, sh, kh, dh, gh, zh, ch) of a name's
// romanisation (translit.go) is written in Latin as a string of zero to
// three letters, with a learned probability ("q" as q, k, g or kh; "h"
// as h or nothing), and between them the Latin spelling inserts short
// vowels the Arabic script leaves unwritten, with learned probabilities
// for the start, the middle and the end of a word. The probability of a
// Latin spelling given the romanisation is that of its best alignment
// (Viterbi); XlitSimilarity compares it with the most probable spelling.
//
// The probabilities in data/xlit.tsv were counted by TestXlitTable
// (`go test -run TestXlitTable -update ./internal/names`) over four
// fifths of the shared Arabic-Latin name pairs (Google's ar2en pairs,
// Apache License 2.0; Wikidata pairs, CC0), by hard expectation
// maximisation from a spelling-distance start. See data/NOTICE.md.

//go:embed data/xlit.tsv
var xlitTSV string

// xlEmit is a Latin string and its log probability.
type xlEmit struct {
	s  string
	lp float64
}

// Insertion contexts: the start of the word (before a vowel letter or a
// consonant), between two graphemes (each a vowel letter or not), and the
// end (after a vowel letter or not).
const xlContexts = 8

// xlVowel reports whether a romanised grapheme is a vowel letter (a long
// vowel, or w and y, which are often vowels).
func xlVowel(g string) bool { return len(g) == 1 && strings.IndexByte("aeiouwy", g[0]) >= 0 }

// xlContext is the insertion context after grapheme i-1 and before i
// (i in 0..len(gs)).
func xlContext(gs []string, i int) int {
	switch {
	case i == 0:
		return int(b2u(xlVowel(gs[0])))
	case i == len(gs):
		return 6 + int(b2u(xlVowel(gs[i-1])))
	}
	return 2 + 2*int(b2u(xlVowel(gs[i-1]))) + int(b2u(xlVowel(gs[i])))
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// xlitModel holds emission and insertion log probabilities.
type xlitModel struct {
	emit     map[string][]xlEmit  // grapheme -> Latin strings (no empty string)
	del      map[string]float64   // grapheme -> log P(written as nothing)
	ins      [xlContexts][]xlEmit // non-empty insertions per context
	insNone  [xlContexts]float64  // log P(no insertion) per context
	bestEmit map[string]float64   // grapheme -> best emission log P (empty included)
	bestIns  [xlContexts]float64
	// The same emissions and insertions by their first letter (a-z).
	emitBy map[string]*[26][]xlEmit
	insBy  [xlContexts][26][]xlEmit
	// learn, when set, prices Latin strings of one to three letters the
	// table does not list for a grapheme (while learning the table).
	learn func(g, s string) float64
}

// Floors for what the table does not list: a grapheme written as one
// other letter, or as nothing, and a Latin letter inserted.
const (
	xlFloorSub = -9.0
	xlFloorDel = -9.0
	xlFloorIns = -9.0
)

func newXlitModel() *xlitModel {
	return &xlitModel{emit: map[string][]xlEmit{}, del: map[string]float64{}, bestEmit: map[string]float64{}}
}

// finish sorts, indexes and computes the best emissions.
func (m *xlitModel) finish() {
	m.emitBy = map[string]*[26][]xlEmit{}
	for g, es := range m.emit {
		sortEmits(es)
		by := new([26][]xlEmit)
		for _, e := range es {
			if c := e.s[0]; c >= 'a' && c <= 'z' {
				by[c-'a'] = append(by[c-'a'], e)
			}
		}
		m.emitBy[g] = by
		b := xlFloorDel
		if d, ok := m.del[g]; ok {
			b = d
		}
		if len(es) > 0 {
			b = max(b, es[0].lp)
		}
		m.bestEmit[g] = b
	}
	for g, d := range m.del {
		if _, ok := m.emit[g]; !ok {
			m.bestEmit[g] = d
		}
	}
	for p := range m.ins {
		sortEmits(m.ins[p])
		m.insBy[p] = [26][]xlEmit{}
		for _, e := range m.ins[p] {
			if c := e.s[0]; c >= 'a' && c <= 'z' {
				m.insBy[p][c-'a'] = append(m.insBy[p][c-'a'], e)
			}
		}
		m.bestIns[p] = m.insNone[p]
		if len(m.ins[p]) > 0 {
			m.bestIns[p] = max(m.bestIns[p], m.ins[p][0].lp)
		}
	}
}

var xlitDefault = sync.OnceValue(func() *xlitModel { return parseXlit(xlitTSV) })

// xlitRegret is the default model with every log probability made
// relative to the best choice of its kind: a grapheme's most probable
// spelling costs nothing, and neither does inserting no vowel or the
// most probable vowel string of the context (Latin spellings differ most
// in how many short vowels they write, which says nothing of the name).
var xlitRegret = sync.OnceValue(func() *xlitModel { return xlitDefault().regret() })

func (m *xlitModel) regret() *xlitModel {
	r := newXlitModel()
	for g, es := range m.emit {
		b := m.bestEmit[g]
		for _, e := range es {
			r.emit[g] = append(r.emit[g], xlEmit{e.s, e.lp - b})
		}
	}
	for g, d := range m.del {
		r.del[g] = d - m.bestEmit[g]
	}
	for c := range m.ins {
		b := math.Inf(-1)
		if len(m.ins[c]) > 0 {
			b = m.ins[c][0].lp
		}
		for _, e := range m.ins[c] {
			r.ins[c] = append(r.ins[c], xlEmit{e.s, e.lp - b})
		}
		r.insNone[c] = 0
	}
	r.finish()
	return r
}

// parseXlit reads the table format written by the learner: "E g s lp"
// (s "-" for nothing) and "I ctx s lp" (context 0-7; s "-" for none).
func parseXlit(tsv string) *xlitModel {
	m := newXlitModel()
	for p := range m.insNone {
		m.insNone[p] = xlFloorIns
	}
	eachLine(tsv, func(l string) {
		f := strings.Split(l, "\t")
		if len(f) < 4 {
			return
		}
		lp, err := strconv.ParseFloat(f[3], 64)
		if err != nil {
			return
		}
		switch f[0] {
		case "E":
			if f[2] == "-" {
				m.del[f[1]] = lp
			} else {
				m.emit[f[1]] = append(m.emit[f[1]], xlEmit{f[2], lp})
			}
		case "I":
			p, err := strconv.Atoi(f[1])
			if err != nil || p < 0 || p >= xlContexts {
				return
			}
			if f[2] == "-" {
				m.insNone[p] = lp
			} else {
				m.ins[p] = append(m.ins[p], xlEmit{f[2], lp})
			}
		}
	})
	m.finish()
	return m
}

// xlGraphemes splits an abjad romanisation into its letters and digraphs.
func xlGraphemes(a string, dst []string) []string {
	for i := 0; i < len(a); {
		if i+1 < len(a) && a[i+1] == 'h' && strings.IndexByte("tskdgzc", a[i]) >= 0 {
			dst = append(dst, a[i:i+2])
			i += 2
			continue
		}
		dst = append(dst, a[i:i+1])
		i++
	}
	return dst
}

// xlMaxLen bounds the tokens the model aligns.
const xlMaxLen = 24

// xlStep is one step of a best alignment, for learning.
type xlStep struct {
	ins  bool   // an insertion (pos) or an emission (g)
	g    string // the grapheme, or the context as "0"-"7"
	s    string // the Latin string ("" for nothing)
	lp   float64
	orig bool // from the table, not a floor
}

// align returns the log probability of the best alignment of Latin b
// with the romanisation's graphemes gs, and, when trace is set, its
// steps. It returns -Inf when none exists.
func (m *xlitModel) align(gs []string, b string, trace bool) (float64, []xlStep) {
	n, w := len(gs), len(b)
	if n == 0 || w == 0 || n > xlMaxLen || w > xlMaxLen+8 {
		return math.Inf(-1), nil
	}
	const stride = xlMaxLen + 9
	var vBuf, eBuf [(xlMaxLen + 1) * stride]float64
	type back struct {
		from int16
		s    int8 // length of the Latin string
		lp   float32
		orig bool
	}
	var vBack, eBack [][stride]back
	if trace {
		vBack = make([][stride]back, n+1)
		eBack = make([][stride]back, n+1)
	}
	ninf := math.Inf(-1)
	V := vBuf[:(n+1)*stride]
	E := eBuf[:(n+1)*stride]
	for i := range V {
		V[i], E[i] = ninf, ninf
	}
	// insert relaxes V[i][j+l] from E[i][j] with the insertions at pos.
	insert := func(i, pos int) {
		row := i * stride
		for j := 0; j <= w; j++ {
			base := E[row+j]
			if base == ninf {
				continue
			}
			try := func(l int, lp float64, orig bool) {
				if c := base + lp; c > V[row+j+l] {
					V[row+j+l] = c
					if trace {
						vBack[i][j+l] = back{int16(j), int8(l), float32(lp), orig}
					}
				}
			}
			try(0, m.insNone[pos], true)
			rest := b[j:]
			if len(rest) > 0 && rest[0] >= 'a' && rest[0] <= 'z' {
				for _, e := range m.insBy[pos][rest[0]-'a'] {
					if strings.HasPrefix(rest, e.s) {
						try(len(e.s), e.lp, true)
					}
				}
			}
			for l := 1; l <= 2 && l <= len(rest); l++ {
				try(l, float64(l)*xlFloorIns, false)
			}
		}
	}
	E[0] = 0
	insert(0, xlContext(gs, 0))
	for i := 0; i < n; i++ {
		g := gs[i]
		es := m.emit[g]
		by := m.emitBy[g]
		del, okDel := m.del[g]
		if !okDel {
			del = xlFloorDel
		}
		row, next := i*stride, (i+1)*stride
		for j := 0; j <= w; j++ {
			base := V[row+j]
			if base == ninf {
				continue
			}
			try := func(l int, lp float64, orig bool) {
				if c := base + lp; c > E[next+j+l] {
					E[next+j+l] = c
					if trace {
						eBack[i+1][j+l] = back{int16(j), int8(l), float32(lp), orig}
					}
				}
			}
			try(0, del, okDel)
			rest := b[j:]
			listed := false
			var cand []xlEmit
			if by != nil && len(rest) > 0 && rest[0] >= 'a' && rest[0] <= 'z' {
				cand = by[rest[0]-'a']
			}
			for _, e := range cand {
				if strings.HasPrefix(rest, e.s) {
					try(len(e.s), e.lp, true)
					if len(e.s) == 1 {
						listed = true
					}
				}
			}
			if m.learn != nil {
				for l := 1; l <= 3 && l <= len(rest); l++ {
					if !xlListed(es, rest[:l]) {
						try(l, m.learn(g, rest[:l]), false)
					}
				}
			} else if !listed && len(rest) > 0 {
				try(1, xlFloorSub, false)
			}
		}
		insert(i+1, xlContext(gs, i+1))
	}
	lp := V[n*stride+w]
	if !trace || lp == ninf {
		return lp, nil
	}
	var steps []xlStep
	i, j := n, w
	for {
		vb := vBack[i][j]
		pos := xlContext(gs, i)
		steps = append(steps, xlStep{ins: true, g: strconv.Itoa(pos), s: b[vb.from:j], lp: float64(vb.lp), orig: vb.orig})
		j = int(vb.from)
		if i == 0 {
			break
		}
		eb := eBack[i][j]
		steps = append(steps, xlStep{g: gs[i-1], s: b[eb.from:j], lp: float64(eb.lp), orig: eb.orig})
		j = int(eb.from)
		i--
	}
	for a, z := 0, len(steps)-1; a < z; a, z = a+1, z-1 {
		steps[a], steps[z] = steps[z], steps[a]
	}
	return lp, steps
}

// XlitSurprise returns how much less probable the Latin spelling latin of
// the abjad romanisation abjad is than the most probable spelling, step
// by step, under the learned model, in nats: 0 when every letter is
// spelt the most probable way and every inserted vowel string is the
// most probable of its context (or none); +Inf when the two cannot be
// aligned.
func XlitSurprise(abjad, latin string) float64 {
	m := xlitRegret()
	var buf [xlMaxLen + 1]string
	gs := xlGraphemes(abjad, buf[:0])
	lp, _ := m.align(gs, latin, false)
	if math.IsInf(lp, -1) {
		return math.Inf(1)
	}
	return max(0, -lp)
}

func xlListed(es []xlEmit, s string) bool {
	for _, e := range es {
		if e.s == s {
			return true
		}
	}
	return false
}

// sortEmits orders es most probable first (ties by string, so that
// learning is reproducible).
func sortEmits(es []xlEmit) {
	sort.Slice(es, func(i, j int) bool {
		if es[i].lp != es[j].lp {
			return es[i].lp > es[j].lp
		}
		return es[i].s < es[j].s
	})
}
