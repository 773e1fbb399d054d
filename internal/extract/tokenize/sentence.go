package tokenize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences groups toks (from Tokenize(text)) into sentences. Tokens on
// lines that are page furniture belong to no sentence.
func Sentences(text string, toks []Token) []Sentence {
	skip := furnitureTokens(text, toks)
	var out []Sentence
	first := -1
	flush := func(last int) {
		if first >= 0 && last > first {
			out = append(out, Sentence{Span: Span{toks[first].Start, toks[last-1].End}, First: first, Last: last})
		}
		first = -1
	}
	for i := range toks {
		if skip != nil && skip[i] {
			flush(i)
			continue
		}
		if first >= 0 && breakBefore(toks, i) {
			flush(i)
		}
		if first < 0 {
			first = i
		}
	}
	flush(len(toks))
	return out
}

// breakBefore reports whether a sentence ends between toks[i-1] and toks[i].
func breakBefore(toks []Token, i int) bool {
	t := toks[i]
	if t.NewlineBefore >= 2 {
		return true
	}
	// Walk back over closing quotes and brackets to the last real token.
	j := i - 1
	for j > 0 && isCloser(toks[j].Text) {
		j--
	}
	prev := toks[j].Text
	terminal := isTerminal(prev)
	if t.NewlineBefore == 1 {
		// A single line break ends a sentence unless the text plainly goes on:
		// the next line starts in lower case after a non-terminal token.
		if terminal {
			return true
		}
		return !startsLower(t.Text) && !isContinuer(prev)
	}
	if isCloser(t.Text) {
		return false
	}
	if terminal {
		return !startsLower(t.Text) && !isInnerPunct(t.Text)
	}
	// Abbreviations that may also end a sentence ("in the U.S. The ...").
	if strings.HasSuffix(prev, ".") && len(prev) > 1 && !isTitleAbbrev(prev) {
		// Company suffixes rarely stand before a capitalised word inside a
		// sentence: "bought it from Lakeside Print Ltd. Harris was ...".
		switch strings.ToLower(strings.TrimSuffix(prev, ".")) {
		case "ltd", "inc", "plc", "llc", "corp", "co":
			if !startsLower(t.Text) && !isInnerPunct(t.Text) {
				return true
			}
		}
		return sentenceStarter[strings.ToLower(t.Text)]
	}
	return false
}

func isTerminal(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '.', '!', '?':
		return true
	}
	return s == "…"
}

func isCloser(s string) bool {
	switch s {
	case "\"", "'", "”", "’", ")", "]", "}", "»":
		return true
	}
	return false
}

func isInnerPunct(s string) bool {
	switch s {
	case ",", ";", ":", ")", "-", "–", "—":
		return true
	}
	return false
}

func isContinuer(s string) bool {
	switch s {
	case ",", ";", ":", "-", "–", "—", "(", "and", "or", "of", "the", "a", "to", "in":
		return true
	}
	return false
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

func isTitleAbbrev(s string) bool {
	w := strings.ToLower(strings.TrimSuffix(s, "."))
	switch w {
	case "mr", "mrs", "ms", "dr", "prof", "gen", "maj", "col", "lt", "capt", "sgt", "cpl", "st", "rev", "sen", "rep", "gov", "hon", "fr", "insp", "supt", "det", "brig", "adm":
		return true
	}
	// Single initials ("J.") almost always precede a surname.
	return utf8.RuneCountInString(w) == 1
}

// sentenceStarter holds words that, capitalised after an abbreviation,
// signal a new sentence.
var sentenceStarter = map[string]bool{
	"the": true, "he": true, "she": true, "it": true, "they": true, "we": true, "i": true, "but": true,
	"this": true, "that": true, "there": true, "these": true, "those": true, "his": true, "her": true,
	"their": true, "its": true, "a": true, "an": true, "in": true, "on": true, "at": true, "after": true,
	"when": true, "however": true, "meanwhile": true, "police": true, "officials": true, "you": true,
}

// furnitureWhole are whole lines of page furniture; furniturePrefixes
// start lines of it: subscription prompts, sharing widgets, comment links
// and image credits.
var furnitureWhole = map[string]bool{
	"subscribe": true, "share": true, "comments": true, "register": true, "advertisement": true,
	"newsletter": true, "sign up": true, "log in": true, "sign in": true, "menu": true, "search": true,
	"close": true, "most popular": true, "related": true, "more": true, "print": true, "email": true,
}

var furniturePrefixes = []string{
	"subscribe to", "subscribe &", "sign up for", "sign up to", "share this", "share on", "view comments",
	"show comments", "join our", "read more", "related articles", "related stories", "promoted stories",
	"to continue reading", "already a subscriber", "cancel or pause", "thank you for registering",
	"stay up to date", "notifications can be managed", "(image credit", "image credit", "click to follow",
	"follow us on", "copyright ©", "all rights reserved", "skip to ", "click here", "accept cookies",
}

// furnitureTokens marks the tokens on furniture lines, or returns nil when
// there are none.
func furnitureTokens(text string, toks []Token) []bool {
	var skip []bool
	for i := 0; i < len(toks); {
		j := i + 1
		for j < len(toks) && toks[j].NewlineBefore == 0 {
			j++
		}
		if isFurniture(text[toks[i].Start:toks[j-1].End]) {
			if skip == nil {
				skip = make([]bool, len(toks))
			}
			for k := i; k < j; k++ {
				skip[k] = true
			}
		}
		i = j
	}
	return skip
}

func isFurniture(line string) bool {
	if len(line) > 90 {
		return false
	}
	l := strings.ToLower(strings.TrimSpace(line))
	if furnitureWhole[l] {
		return true
	}
	for _, p := range furniturePrefixes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}
