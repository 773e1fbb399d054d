package conll

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Chunk is an entity found in a tag sequence: tokens [Start, End) of Type.
type Chunk struct {
	Start, End int
	Type       string
}

func split(tag string) (prefix, typ string) {
	if tag == "O" || tag == "" {
		return "O", ""
	}
	if i := strings.IndexByte(tag, '-'); i >= 0 {
		return tag[:i], tag[i+1:]
	}
	return tag, ""
}

// endOfChunk and startOfChunk follow conlleval's functions of the same
// names, so IOB1, IOB2, IOBES and BILOU (L as E, U as S) are all read the
// way conlleval reads them.
func endOfChunk(prevTag, tag, prevType, typ string) bool {
	end := false
	switch prevTag + tag {
	case "BB", "BS", "BO", "EE", "EI", "EO", "ES", "IB", "IS", "IO", "EB":
		end = true
	}
	if prevTag == "S" {
		end = true
	}
	if prevTag != "O" && prevTag != "." && prevType != typ {
		end = true
	}
	return end
}

func startOfChunk(prevTag, tag, prevType, typ string) bool {
	start := false
	switch prevTag + tag {
	case "BB", "IB", "OB", "SB", "EB", "EE", "EI", "OE", "OI", "SE", "SI":
		start = true
	}
	if tag == "S" {
		start = true
	}
	if tag != "O" && tag != "." && prevType != typ {
		start = true
	}
	return start
}

func normPrefix(p string) string {
	switch p {
	case "L":
		return "E"
	case "U":
		return "S"
	}
	return p
}

// Chunks returns the entities of a tag sequence.
func Chunks(tags []string) []Chunk {
	var out []Chunk
	prevTag, prevType := "O", ""
	start := -1
	for i, t := range tags {
		tag, typ := split(t)
		tag = normPrefix(tag)
		if start >= 0 && endOfChunk(prevTag, tag, prevType, typ) {
			out = append(out, Chunk{start, i, prevType})
			start = -1
		}
		if startOfChunk(prevTag, tag, prevType, typ) {
			start = i
		}
		prevTag, prevType = tag, typ
	}
	if start >= 0 {
		out = append(out, Chunk{start, len(tags), prevType})
	}
	return out
}

// Counts holds entity-level counts.
type Counts struct {
	Gold, Guessed, Correct int
}

// Precision, Recall and F1 are percentages (0 when undefined).
func (c Counts) Precision() float64 { return pct(c.Correct, c.Guessed) }

// Recall is the share of gold entities found.
func (c Counts) Recall() float64 { return pct(c.Correct, c.Gold) }

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// Score accumulates entity-level counts over sentences, overall and by type.
type Score struct {
	Total         Counts
	ByType        map[string]*Counts
	Tokens, Right int // token accuracy, as conlleval reports it
}

// NewScore returns an empty score.
func NewScore() *Score { return &Score{ByType: map[string]*Counts{}} }

func (s *Score) typ(t string) *Counts {
	c := s.ByType[t]
	if c == nil {
		c = &Counts{}
		s.ByType[t] = c
	}
	return c
}

// Add scores one sentence. gold and guess must have the same length.
func (s *Score) Add(gold, guess []string) {
	g, p := Chunks(gold), Chunks(guess)
	set := make(map[Chunk]bool, len(g))
	for _, c := range g {
		set[c] = true
		s.Total.Gold++
		s.typ(c.Type).Gold++
	}
	for _, c := range p {
		s.Total.Guessed++
		s.typ(c.Type).Guessed++
		if set[c] {
			s.Total.Correct++
			s.typ(c.Type).Correct++
		}
	}
	for i := range gold {
		s.Tokens++
		if i < len(guess) && gold[i] == guess[i] {
			s.Right++
		}
	}
}

// Write prints a conlleval-style report.
func (s *Score) Write(w io.Writer) {
	acc := pct(s.Right, s.Tokens)
	fmt.Fprintf(w, "processed %d tokens with %d phrases; found: %d phrases; correct: %d.\n",
		s.Tokens, s.Total.Gold, s.Total.Guessed, s.Total.Correct)
	fmt.Fprintf(w, "accuracy: %6.2f%%; precision: %6.2f%%; recall: %6.2f%%; FB1: %6.2f\n",
		acc, s.Total.Precision(), s.Total.Recall(), s.Total.F1())
	types := make([]string, 0, len(s.ByType))
	for t := range s.ByType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		c := s.ByType[t]
		fmt.Fprintf(w, "%17s: precision: %6.2f%%; recall: %6.2f%%; FB1: %6.2f  %d\n",
			t, c.Precision(), c.Recall(), c.F1(), c.Guessed)
	}
}
