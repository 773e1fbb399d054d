package ner

import (
	"github.com/mosaic-intel/mosaic/internal/extract/conll"
)

// Types are the entity types the tagger learns, in label order.
var Types = []string{"PER", "ORG", "LOC", "MISC"}

// BILOU positions of a label inside its entity.
const (
	posB = iota
	posI
	posL
	posU
	numPos
)

// NumLabels is O plus BILOU positions of every type.
var NumLabels = 1 + numPos*len(Types)

// label returns the label id of position pos of type t (t >= 0).
func label(t, pos int) int { return 1 + t*numPos + pos }

// labelType returns the type index of a label (-1 for O).
func labelType(l int) int {
	if l == 0 {
		return -1
	}
	return (l - 1) / numPos
}

func labelPos(l int) int { return (l - 1) % numPos }

// LabelName returns "O" or e.g. "B-PER".
func LabelName(l int) string {
	if l == 0 {
		return "O"
	}
	return string("BILU"[labelPos(l)]) + "-" + Types[labelType(l)]
}

func typeIndex(t string) int {
	for i, x := range Types {
		if x == t {
			return i
		}
	}
	return -1
}

// allowed reports whether label b may follow label a under BILOU (a = -1
// is the sentence start).
func allowed(a, b int) bool {
	aIn := a > 0 && (labelPos(a) == posB || labelPos(a) == posI)
	if aIn {
		return b > 0 && labelType(b) == labelType(a) && (labelPos(b) == posI || labelPos(b) == posL)
	}
	return b == 0 || labelPos(b) == posB || labelPos(b) == posU
}

// canEnd reports whether a sentence may end on label l.
func canEnd(l int) bool {
	return l == 0 || labelPos(l) == posL || labelPos(l) == posU
}

// Entity is a tagged entity: tokens [Start, End) of a type.
type Entity struct {
	Start, End int
	Type       string
}

// FromTags reads entities from a tag sequence in any IOB scheme (IOB1,
// IOB2, BILOU) by conlleval's rules. Types outside Types are dropped.
func FromTags(tags []string) []Entity {
	var out []Entity
	for _, c := range conll.Chunks(tags) {
		if typeIndex(c.Type) >= 0 {
			out = append(out, Entity{c.Start, c.End, c.Type})
		}
	}
	return out
}

// encode returns the BILOU label ids of n tokens holding ents.
func encode(n int, ents []Entity) []int {
	out := make([]int, n)
	for _, e := range ents {
		t := typeIndex(e.Type)
		if t < 0 || e.Start < 0 || e.End > n || e.End <= e.Start {
			continue
		}
		if e.End-e.Start == 1 {
			out[e.Start] = label(t, posU)
			continue
		}
		out[e.Start] = label(t, posB)
		for i := e.Start + 1; i < e.End-1; i++ {
			out[i] = label(t, posI)
		}
		out[e.End-1] = label(t, posL)
	}
	return out
}

// decode returns the entities of a BILOU label sequence. Ill-formed runs
// (which Viterbi never produces) are read leniently.
func decode(labels []int) []Entity {
	var out []Entity
	start := -1
	for i, l := range labels {
		if l == 0 {
			start = -1
			continue
		}
		t, p := labelType(l), labelPos(l)
		switch p {
		case posU:
			out = append(out, Entity{i, i + 1, Types[t]})
			start = -1
		case posB:
			start = i
		case posI:
			if start < 0 {
				start = i
			}
		case posL:
			if start < 0 {
				start = i
			}
			out = append(out, Entity{start, i + 1, Types[t]})
			start = -1
		}
	}
	return out
}

// IOB2 returns IOB2 tags ("B-PER", "I-PER", "O") for n tokens.
func IOB2(n int, ents []Entity) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "O"
	}
	for _, e := range ents {
		for i := e.Start; i < e.End && i < n; i++ {
			p := "I-"
			if i == e.Start {
				p = "B-"
			}
			out[i] = p + e.Type
		}
	}
	return out
}
