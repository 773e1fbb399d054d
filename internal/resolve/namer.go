package resolve

import "github.com/mosaic-intel/mosaic/internal/names"

// NamesNamer is the default Namer, backed by package names: it
// transliterates Arabic, Persian, Cyrillic, Hebrew and Greek script, folds
// diacritics, joins Arabic compounds, drops particles, titles and legal
// forms, and maps spelling variants and nicknames to one canonical
// spelling ("Mehmet" -> "muhammad", "Bill" -> "william"). It is also a
// TokenDescriber: tokens carry their variant groups (a nickname standing
// for several formal names matches each) and, in organisation names,
// whether they are generic words ("trading", "stores").
type NamesNamer struct{}

var (
	_ Namer          = NamesNamer{}
	_ TokenDescriber = NamesNamer{}
	_ Speller        = NamesNamer{}
)

// Tokens implements Namer: the canonical forms of the compared parts.
func (n NamesNamer) Tokens(name, typ string) []string {
	toks, _ := n.Spellings(name, typ)
	return toks
}

// Spellings implements Speller: the canonical forms of the compared parts
// and their folded text.
func (NamesNamer) Spellings(name, typ string) (tokens, spellings []string) {
	k := names.KindPerson
	if typ == TypeOrganization {
		k = names.KindOrganization
	}
	parts := names.Parse(name, k).Parts()
	tokens = make([]string, 0, len(parts))
	spellings = make([]string, 0, len(parts))
	for _, t := range parts {
		if t.Canon != "" {
			tokens = append(tokens, t.Canon)
			spellings = append(spellings, t.Text)
		}
	}
	return tokens, spellings
}

// Key implements Namer.
func (NamesNamer) Key(token string) string { return names.Key(token) }

// Describe implements TokenDescriber.
func (NamesNamer) Describe(token, typ string) TokenInfo {
	info := TokenInfo{Groups: names.Groups(token)}
	if typ == TypeOrganization {
		info.Generic = names.IsGeneric(token)
	}
	return info
}

// ShortForm reports whether one token is a short form of the other
// ("bayo"/"adebayo"); see names.ShortForm.
func ShortForm(a, b string) bool { return names.ShortForm(a, b) }
