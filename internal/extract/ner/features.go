package ner

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mosaic-intel/mosaic/internal/extract/gazetteer"
)

// Doc is a document to tag: its sentences, each a slice of token texts.
type Doc [][]string

// tok is what the featuriser computes once per token.
type tok struct {
	word, lower, shape, short string
	gazHash                   uint64
	cap, allCap, hasDigit     bool
	caseClass                 byte // 'x' lower, 'X' capitalised, 'A' all caps, 'd' digit, 'p' other
}

func shapeOf(w string) (shape, short string) {
	var b, s strings.Builder
	var last rune = -1
	n := 0
	for _, r := range w {
		var c rune
		switch {
		case unicode.IsUpper(r):
			c = 'X'
		case unicode.IsLower(r):
			c = 'x'
		case unicode.IsDigit(r):
			c = 'd'
		default:
			c = r
		}
		if n < 12 {
			b.WriteRune(c)
		}
		n++
		if c != last {
			s.WriteRune(c)
			last = c
		}
	}
	return b.String(), s.String()
}

func newTok(w string) tok {
	t := tok{word: w, lower: strings.ToLower(w), gazHash: gazetteer.HashToken(w)}
	t.shape, t.short = shapeOf(w)
	r, _ := utf8.DecodeRuneInString(w)
	letters, uppers := 0, 0
	for _, c := range w {
		if unicode.IsLetter(c) {
			letters++
			if unicode.IsUpper(c) {
				uppers++
			}
		}
		if unicode.IsDigit(c) {
			t.hasDigit = true
		}
	}
	t.cap = unicode.IsUpper(r)
	t.allCap = letters > 0 && uppers == letters
	switch {
	case t.allCap && letters > 1:
		t.caseClass = 'A'
	case t.cap:
		t.caseClass = 'X'
	case unicode.IsLower(r):
		t.caseClass = 'x'
	case unicode.IsDigit(r):
		t.caseClass = 'd'
	default:
		t.caseClass = 'p'
	}
	return t
}

// docInfo holds a featurised document.
type docInfo struct {
	sents      [][]tok
	gaz        [][]gazetteer.Match
	allCapSent []bool
	// lowerMid: lower-case forms seen written in lower case; capMid: forms
	// seen capitalised inside a mixed-case sentence, not first.
	lowerMid, capMid map[string]bool
}

func (f *featurizer) prepare(d Doc) *docInfo {
	di := &docInfo{
		sents:      make([][]tok, len(d)),
		gaz:        make([][]gazetteer.Match, len(d)),
		allCapSent: make([]bool, len(d)),
		lowerMid:   map[string]bool{},
		capMid:     map[string]bool{},
	}
	hashes := []uint64{}
	for s, words := range d {
		ts := make([]tok, len(words))
		hashes = hashes[:0]
		letters, caps := 0, 0
		for i, w := range words {
			ts[i] = newTok(w)
			hashes = append(hashes, ts[i].gazHash)
			if ts[i].caseClass == 'A' || ts[i].caseClass == 'X' || ts[i].caseClass == 'x' {
				letters++
				if ts[i].caseClass == 'A' {
					caps++
				}
			}
		}
		di.sents[s] = ts
		di.allCapSent[s] = letters >= 3 && caps*10 >= letters*8
		if f.gaz != nil {
			di.gaz[s] = f.gaz.Find(hashes)
		}
		for i, t := range ts {
			if t.caseClass == 'x' {
				di.lowerMid[t.lower] = true
			}
			if i > 0 && t.caseClass == 'X' && !di.allCapSent[s] && !isQuoteOrOpen(ts[i-1].word) {
				di.capMid[t.lower] = true
			}
		}
	}
	return di
}

func isQuoteOrOpen(w string) bool {
	switch w {
	case "\"", "“", "‘", "'", "(", "[", ":", "-", "—", "–", "``":
		return true
	}
	return false
}

// featurizer turns tokens into hashed feature buckets.
type featurizer struct {
	bits uint
	gaz  *gazetteer.Gazetteer
}

const (
	hashSeed  = 14695981039346656037
	hashPrime = 1099511628211
)

// fb accumulates the feature buckets of one token.
type fb struct {
	bits uint
	out  []uint32
}

func (b *fb) addHash(h uint64) {
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
	b.out = append(b.out, uint32(h>>(64-b.bits)))
}

func mixStr(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= hashPrime
	}
	h ^= 0xff
	h *= hashPrime
	return h
}

func start(tmpl uint64) uint64 { return (hashSeed ^ (tmpl * 0x9e3779b97f4a7c15)) * hashPrime }

func (b *fb) f1(tmpl uint64, s string) { b.addHash(mixStr(start(tmpl), s)) }
func (b *fb) f2(tmpl uint64, s, t string) {
	b.addHash(mixStr(mixStr(start(tmpl), s), t))
}
func (b *fb) f3(tmpl uint64, s, t, u string) {
	b.addHash(mixStr(mixStr(mixStr(start(tmpl), s), t), u))
}

var gazPos = [...]string{"B", "I", "L", "U"}

// Feature templates (stable numbers: changing one invalidates models).
const (
	tBias = iota + 1
	tW0
	tL0
	tLm1
	tLp1
	tLm2
	tLp2
	tSh0
	tShm1
	tShp1
	tShm1Sh0
	tSh0Shp1
	tShm1Sh0Shp1
	tPre
	tSuf
	tLm1L0
	tL0Lp1
	tFirst
	tGaz
	tGazm1
	tGazp1
	tLm1Sh0
	tLp1Sh0
	tAllCapSent
	tDocCase
	tLen
	tGazSh0
	tS1
	tS1m1
	tS1p1
	tAgg
	tPart
	tS1Agg
	tSh0Long
	tLm1Lm2
	tLp1Lp2
	tCluster
)

// token appends the stage-1 features of token i of sentence s to b.out.
func (f *featurizer) token(d *docInfo, s, i int, b *fb) {
	ts := d.sents[s]
	t := &ts[i]
	at := func(j int) *tok {
		if j < 0 || j >= len(ts) {
			return nil
		}
		return &ts[j]
	}
	lw := func(j int) string {
		if x := at(j); x != nil {
			return x.lower
		}
		if j < 0 {
			return "<s>"
		}
		return "</s>"
	}
	sh := func(j int) string {
		if x := at(j); x != nil {
			return x.short
		}
		return "_"
	}
	b.f1(tBias, "")
	b.f1(tW0, t.word)
	b.f1(tL0, t.lower)
	b.f1(tLm1, lw(i-1))
	b.f1(tLp1, lw(i+1))
	b.f1(tLm2, lw(i-2))
	b.f1(tLp2, lw(i+2))
	b.f1(tSh0, t.short)
	b.f1(tSh0Long, t.shape)
	b.f1(tShm1, sh(i-1))
	b.f1(tShp1, sh(i+1))
	b.f2(tShm1Sh0, sh(i-1), t.short)
	b.f2(tSh0Shp1, t.short, sh(i+1))
	b.f3(tShm1Sh0Shp1, sh(i-1), t.short, sh(i+1))
	b.f2(tLm1L0, lw(i-1), t.lower)
	b.f2(tL0Lp1, t.lower, lw(i+1))
	b.f2(tLm1Lm2, lw(i-2), lw(i-1))
	b.f2(tLp1Lp2, lw(i+1), lw(i+2))
	b.f2(tLm1Sh0, lw(i-1), t.short)
	b.f2(tLp1Sh0, lw(i+1), t.short)
	// Affixes of up to four runes.
	lo := t.lower
	n := utf8.RuneCountInString(lo)
	if n > 1 {
		k := 0
		for j := range lo {
			if k > 0 && k <= 4 && k < n {
				b.f1(tPre, lo[:j])
			}
			k++
		}
		if n <= 4 {
			b.f1(tPre, lo)
		}
		k = 0
		for j := len(lo); j > 0 && k < 4; {
			_, sz := utf8.DecodeLastRuneInString(lo[:j])
			j -= sz
			k++
			b.f1(tSuf, lo[j:])
		}
	}
	if i == 0 {
		b.f1(tFirst, t.short)
	}
	ln := n
	if ln > 8 {
		ln = 8
	}
	b.f1(tLen, string(rune('0'+ln)))
	if d.allCapSent[s] {
		b.f2(tAllCapSent, t.short, "")
	}
	// Document-level case evidence: is this word written in lower case, or
	// capitalised mid-sentence, elsewhere in the document?
	if t.caseClass == 'X' || t.caseClass == 'A' {
		dc := "-"
		switch {
		case d.capMid[t.lower] && d.lowerMid[t.lower]:
			dc = "both"
		case d.capMid[t.lower]:
			dc = "cap"
		case d.lowerMid[t.lower]:
			dc = "low"
		}
		first := "m"
		if i == 0 || isQuoteOrOpen(lw(i-1)) || d.allCapSent[s] {
			first = "f"
		}
		b.f3(tDocCase, dc, first, string(t.caseClass))
	}
	// Gazetteer matches covering this token, and at its neighbours.
	for _, m := range d.gaz[s] {
		if m.Start > i+1 {
			break
		}
		if m.End < i {
			continue
		}
		for l := gazetteer.List(0); l < gazetteer.NumFeatureLists; l++ {
			if !m.Has(l) {
				continue
			}
			switch {
			case m.Start <= i && i < m.End:
				p := posI
				switch {
				case m.End-m.Start == 1:
					p = posU
				case i == m.Start:
					p = posB
				case i == m.End-1:
					p = posL
				}
				b.f2(tGaz, l.String(), gazPos[p])
				b.f3(tGazSh0, l.String(), gazPos[p], string(t.caseClass))
			case m.End == i:
				b.f1(tGazm1, l.String())
			case m.Start == i+1:
				b.f1(tGazp1, l.String())
			}
		}
	}
}

// stage2 appends the features that read the first pass's labels: the
// token's own first-pass label and its neighbours', the labels given to
// other occurrences of the same word in the document, and the types of
// longer first-pass entities that contain the word.
func (f *featurizer) stage2(d *docInfo, agg *aggregate, s, i int, b *fb) {
	lab := agg.labels[s]
	name := func(j int) string {
		if j < 0 || j >= len(lab) {
			return "_"
		}
		return LabelName(lab[j])
	}
	b.f1(tS1, name(i))
	b.f2(tS1m1, name(i-1), name(i))
	b.f2(tS1p1, name(i), name(i+1))
	t := &d.sents[s][i]
	if t.caseClass != 'X' && t.caseClass != 'A' {
		return
	}
	c := agg.words[t.lower]
	if c == nil {
		return
	}
	own := lab[i]
	ownT := labelType(own)
	total := 0
	for k := range c.types {
		total += c.types[k]
	}
	// Exclude this occurrence from the counts.
	total--
	for k, v := range c.types {
		if k == ownT+1 {
			v--
		}
		if v <= 0 || total <= 0 {
			continue
		}
		frac := "some"
		if v*2 >= total {
			frac = "most"
		}
		if v == total {
			frac = "all"
		}
		tn := "O"
		if k > 0 {
			tn = Types[k-1]
		}
		b.f2(tAgg, tn, frac)
		b.f3(tS1Agg, tn, frac, name(i))
	}
	for k, v := range c.inLonger {
		if v > 0 {
			b.f1(tPart, Types[k])
		}
	}
}

// aggregate is the first pass's view of a document.
type aggregate struct {
	labels [][]int
	words  map[string]*wordStats
}

type wordStats struct {
	types    [5]int // O, then each type: how often the word was labelled so
	inLonger [4]int // how often it was part of a multi-token entity of a type
}

func newAggregate(d *docInfo, labels [][]int) *aggregate {
	a := &aggregate{labels: labels, words: map[string]*wordStats{}}
	for s, ts := range d.sents {
		for i := range ts {
			t := &ts[i]
			if t.caseClass != 'X' && t.caseClass != 'A' {
				continue
			}
			w := a.words[t.lower]
			if w == nil {
				w = &wordStats{}
				a.words[t.lower] = w
			}
			l := labels[s][i]
			w.types[labelType(l)+1]++
			if l > 0 && (labelPos(l) != posU) {
				w.inLonger[labelType(l)]++
			}
		}
	}
	return a
}
