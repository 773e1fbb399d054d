package resolve

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Namer turns names into comparable tokens. The engine depends only on this
// interface so that the name handling (transliteration, variant tables,
// phonetic keys) can be swapped without touching the matcher.
type Namer interface {
	// Tokens returns the normalised Latin tokens of a name of the given
	// type ("Person" or "Organization"), in their original order, with
	// variants mapped to one canonical spelling and particles dropped.
	Tokens(name, typ string) []string
	// Key returns the phonetic key of one token as returned by Tokens.
	Key(token string) string
}

// TokenInfo is what a TokenDescriber knows of one token.
type TokenInfo struct {
	// Groups are the variant groups the token belongs to: two tokens
	// sharing a group are spellings or nicknames of one name.
	Groups []string
	// Generic marks a generic word of an organisation name ("trading",
	// "stores"): it never makes a match alone, and two names that differ
	// only in generic words do not conflict.
	Generic bool
}

// TokenDescriber is an optional extension of Namer: a description of each
// token Tokens returns.
type TokenDescriber interface {
	Describe(token, typ string) TokenInfo
}

// Speller is an optional extension of Namer: the tokens of a name as
// written (folded to Latin, but not mapped to a canonical variant),
// parallel to Tokens. A variant table maps "Miguel" to "mikhail" and
// "Lotte" to "charlotte"; the spelling keeps what a typo ("Msguel") or an
// initial ("L.") must be compared with.
type Speller interface {
	Spellings(name, typ string) (tokens, spellings []string)
}

// BasicNamer is a minimal Namer: Unicode compatibility folding, removal of
// diacritics, lower case, punctuation to spaces, common Arabic particles
// (al-, el-, bin, ibn) and organisation suffixes dropped, and Phonetic keys.
// It does not transliterate non-Latin scripts.
type BasicNamer struct{}

var _ Namer = BasicNamer{}

// Tokens implements Namer.
func (BasicNamer) Tokens(name, typ string) []string {
	return basicTokens(name, typ)
}

// Key implements Namer.
func (BasicNamer) Key(token string) string { return Phonetic(token) }

var particles = map[string]bool{
	"al": true, "el": true, "ul": true, "bin": true, "ibn": true, "ben": false,
	"van": false, "von": false, "de": false,
}

var orgSuffixes = map[string]bool{
	"ltd": true, "limited": true, "inc": true, "incorporated": true, "llc": true,
	"plc": true, "gmbh": true, "corp": true, "corporation": true, "co": true,
	"company": true, "sa": true, "ag": true, "bv": true, "srl": true, "the": true,
}

func basicTokens(name, typ string) []string {
	s := FoldLatin(name)
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		// "al-hassan" was split on the hyphen; "alhassan" stays whole.
		if particles[f] {
			continue
		}
		if typ == "Organization" && orgSuffixes[f] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// FoldLatin returns s in lower case with compatibility forms folded and
// combining marks (diacritics) removed: "Ḥasan ÇELİK" -> "hasan celik".
func FoldLatin(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'ı':
			r = 'i'
		case 'ø':
			r = 'o'
		case 'ß':
			b.WriteString("ss")
			continue
		case 'æ':
			b.WriteString("ae")
			continue
		case 'đ':
			r = 'd'
		case 'ł':
			r = 'l'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Phonetic returns a phonetic key of a lower-case Latin token: the first
// letter followed by a consonant skeleton in which letters that sound alike
// share a code and vowels, h after a consonant, w and y are dropped.
// Mohammed, Muhammad, Mohamed and Mehmet all give "mhmt"; Hassan and Hasan
// give "hsn".
func Phonetic(tok string) string {
	if tok == "" {
		return ""
	}
	var out [16]byte
	n := 0
	var last byte
	first := true
	for i := 0; i < len(tok) && n < len(out); i++ {
		c := tok[i]
		next := byte(0)
		if i+1 < len(tok) {
			next = tok[i+1]
		}
		var code byte
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'w':
			code = 'a' // vowel marker, never emitted after the first letter
		case 'b', 'p':
			code = 'b'
			if c == 'p' && next == 'h' {
				code = 'f'
				i++
			}
		case 'f', 'v':
			code = 'f'
		case 'c':
			switch next {
			case 'e', 'i', 'y':
				code = 's'
			case 'h':
				code = 'x'
				i++
			case 'k':
				code = 'k'
				i++
			default:
				code = 'k'
			}
		case 'g', 'k', 'q':
			code = 'k'
			if c == 'k' && next == 'h' {
				i++
			}
			if c == 'g' && next == 'h' {
				i++
			}
		case 'j':
			code = 'j'
		case 's', 'z', 'x':
			code = 's'
			if c == 's' && next == 'h' {
				code = 'x'
				i++
			}
		case 'd', 't':
			code = 't'
			if next == 'h' {
				i++
			}
		case 'l':
			code = 'l'
		case 'm', 'n':
			code = c
		case 'r':
			code = 'r'
		case 'h':
			code = 'h'
		default:
			if c >= '0' && c <= '9' {
				code = c
			} else if c >= 0x80 {
				code = c // non-Latin byte: keep as is
			} else {
				continue
			}
		}
		if first {
			first = false
			if code == 'a' {
				out[n] = 'a'
			} else {
				out[n] = code
			}
			n++
			last = code
			continue
		}
		if code == 'a' {
			last = 'a'
			continue
		}
		if code == 'h' && last != 'a' {
			continue // silent h after a consonant
		}
		if code == last {
			continue
		}
		out[n] = code
		n++
		last = code
	}
	return string(out[:n])
}
