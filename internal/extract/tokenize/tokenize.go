// Package tokenize splits English news text into tokens and sentences with
// byte offsets into the original text.
//
// The tokeniser keeps abbreviations and titles whole ("Mr.", "U.S.",
// "L/Cpl"), hyphenated names ("al-Baghdadi", "IS-K"), numbers with
// separators ("1,200.50", "08:35"), e-mail addresses and URLs, and splits
// possessives ("Abedi's" -> "Abedi" "'s"), curly and straight quotes,
// brackets and dashes. Sentence splitting follows terminal punctuation,
// paragraph breaks and headline lines; lines that are page furniture
// ("Subscribe", "Sign up", "Share this article") are kept out of sentences.
//
// Every function runs in time linear in the length of its input and never
// panics on any byte sequence (invalid UTF-8 is treated rune by rune).
package tokenize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one token: its text and its byte span [Start, End) in the input.
type Token struct {
	Text       string
	Start, End int
	// NewlineBefore is the number of line breaks between the previous token
	// and this one (0 when on the same line).
	NewlineBefore int
}

// Span is a half-open byte span.
type Span struct{ Start, End int }

// Sentence is a run of tokens [First, Last) and the byte span it covers.
type Sentence struct {
	Span
	First, Last int
}

// Tokenize returns the tokens of text in order.
func Tokenize(text string) []Token {
	toks := make([]Token, 0, len(text)/5+1)
	nl := 0
	i := 0
	for i < len(text) {
		r, sz := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			nl++
			i += sz
			continue
		case isSpace(r):
			i += sz
			continue
		}
		var end int
		switch {
		case hasURLPrefix(text[i:]):
			end = scanNonSpace(text, i)
			end = trimTrailingPunct(text, i, end)
		case isWordRune(r):
			end = scanWord(text, i)
		default:
			end = scanPunct(text, i, r, sz)
		}
		toks = appendWord(toks, text, i, end, nl)
		nl = 0
		i = end
	}
	return toks
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\v' || r == '\f' || r == 0xa0 || r == 0x200b || r == 0xfeff || unicode.IsSpace(r)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func hasURLPrefix(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "www.")
}

func scanNonSpace(text string, i int) int {
	for i < len(text) {
		r, sz := utf8.DecodeRuneInString(text[i:])
		if isSpace(r) {
			break
		}
		i += sz
	}
	return i
}

// trimTrailingPunct removes sentence punctuation and closing brackets or
// quotes from the end of a URL-like run, keeping at least one byte.
func trimTrailingPunct(text string, start, end int) int {
	for end > start+1 {
		r, sz := utf8.DecodeLastRuneInString(text[start:end])
		if !strings.ContainsRune(".,;:!?)]}\"'”’»", r) {
			break
		}
		end -= sz
	}
	return end
}

// joiner reports whether r may join two word runs into one token when it
// stands between word runes: "al-Baghdadi", "U.S", "L/Cpl", "AT&T",
// "O'Neill", "08:35", "1,200", "a.b@c.org".
func joiner(r rune) bool {
	switch r {
	case '-', '.', '\'', '’', '&', '/', '@', '_', '‑', '+':
		return true
	}
	return false
}

// scanWord scans a word run starting at i and returns its end.
func scanWord(text string, i int) int {
	start := i
	for i < len(text) {
		r, sz := utf8.DecodeRuneInString(text[i:])
		if isWordRune(r) {
			i += sz
			continue
		}
		// A joiner (or a digit separator) followed by a word rune continues
		// the token.
		if joiner(r) || r == ',' || r == ':' {
			if i+sz >= len(text) {
				break
			}
			nr, _ := utf8.DecodeRuneInString(text[i+sz:])
			if !isWordRune(nr) {
				break
			}
			if r == ',' || r == ':' {
				// Only between digits: "1,200", "08:35".
				pr, _ := utf8.DecodeLastRuneInString(text[start:i])
				if !unicode.IsDigit(pr) || !unicode.IsDigit(nr) {
					break
				}
			}
			if r == '+' {
				break
			}
			i += sz
			continue
		}
		break
	}
	// A trailing period belongs to abbreviations and initials.
	if i < len(text) && text[i] == '.' && isAbbrev(text[start:i], text[i+1:]) {
		i++
	}
	return i
}

// scanPunct scans a punctuation token: one rune, or a run of the same
// rune for "...", "--", "!!", "??".
func scanPunct(text string, i int, r rune, sz int) int {
	end := i + sz
	if r == '.' || r == '-' || r == '!' || r == '?' || r == '*' || r == '=' || r == '_' || r == '#' || r == '~' {
		for end < len(text) {
			nr, nsz := utf8.DecodeRuneInString(text[end:])
			if nr != r {
				break
			}
			end += nsz
		}
	}
	// Hashtags and mentions stay whole: "#Isis", "@user".
	if (r == '#' || r == '@') && end == i+sz && end < len(text) {
		nr, _ := utf8.DecodeRuneInString(text[end:])
		if isWordRune(nr) {
			return scanWord(text, end)
		}
	}
	return end
}

// appendWord appends the token text[start:end), splitting possessive and
// negation clitics ("Abedi's" -> "Abedi" + "'s", "don't" -> "do" + "n't").
func appendWord(toks []Token, text string, start, end, nl int) []Token {
	w := text[start:end]
	if n := len(w); n > 3 {
		for _, suf := range [...]string{"'s", "’s", "'S", "n't", "n’t", "'re", "’re", "'ve", "’ve", "'ll", "’ll", "'d", "’d", "'m", "’m"} {
			if strings.HasSuffix(w, suf) && len(w) > len(suf)+1 {
				cut := end - len(suf)
				toks = append(toks, Token{Text: text[start:cut], Start: start, End: cut, NewlineBefore: nl})
				return append(toks, Token{Text: text[cut:end], Start: cut, End: end})
			}
		}
	}
	// A trailing apostrophe of a plural possessive ("soldiers'") is split.
	if n := len(w); n > 2 && w[n-1] == '\'' {
		toks = append(toks, Token{Text: text[start : end-1], Start: start, End: end - 1, NewlineBefore: nl})
		return append(toks, Token{Text: "'", Start: end - 1, End: end})
	}
	return append(toks, Token{Text: w, Start: start, End: end, NewlineBefore: nl})
}

// abbrevs are words that take a period without ending a sentence.
var abbrevs = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "mt": true, "ft": true,
	"gen": true, "maj": true, "col": true, "lt": true, "capt": true, "cpt": true, "sgt": true, "cpl": true,
	"pte": true, "pvt": true, "adm": true, "cmdr": true, "brig": true, "insp": true, "supt": true, "det": true,
	"rev": true, "fr": true, "sen": true, "rep": true, "gov": true, "pres": true, "hon": true, "amb": true,
	"jr": true, "sr": true, "inc": true, "ltd": true, "co": true, "corp": true, "plc": true, "bros": true,
	"vs": true, "etc": true, "no": true, "nos": true, "vol": true, "fig": true, "approx": true, "dept": true,
	"est": true, "tel": true, "ext": true, "ave": true, "rd": true, "blvd": true, "univ": true, "assn": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true, "sep": true,
	"sept": true, "oct": true, "nov": true, "dec": true, "mon": true, "tue": true, "tues": true, "wed": true,
	"thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true, "al": true, "op": true,
	"cf": true, "ca": true, "pp": true, "ed": true, "eds": true, "govt": true, "mssrs": true, "messrs": true,
}

// isAbbrev reports whether w followed by "." is an abbreviation. rest is
// the text after the period.
func isAbbrev(w, rest string) bool {
	if w == "" {
		return false
	}
	// Initials and dotted abbreviations: "J", "U.S", "e.g".
	if utf8.RuneCountInString(w) == 1 {
		r, _ := utf8.DecodeRuneInString(w)
		return unicode.IsLetter(r)
	}
	if strings.Contains(w, ".") && !strings.ContainsAny(w, "@/") {
		// "U.S" and "e.g" but not "example.com" style runs ending a sentence.
		parts := strings.Split(w, ".")
		short := true
		for _, p := range parts {
			if utf8.RuneCountInString(p) > 2 {
				short = false
				break
			}
		}
		if short {
			return true
		}
	}
	if len(w) > 6 {
		return false
	}
	if abbrevs[strings.ToLower(w)] {
		// "No." is an abbreviation only before a number.
		if strings.EqualFold(w, "no") || strings.EqualFold(w, "nos") {
			r := strings.TrimLeft(rest, " ")
			return r != "" && r[0] >= '0' && r[0] <= '9'
		}
		return true
	}
	return false
}
