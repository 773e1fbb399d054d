// Package gazetteer matches token sequences against embedded name lists
// (countries, regions, cities, nationalities, organisation suffixes,
// titles, given names). See NOTICE.md for the sources and licences.
//
// Matching is case-insensitive on whole tokens and finds, at every token,
// every list entry that starts there (up to MaxLen tokens long). A
// Gazetteer is immutable after New and safe for concurrent use.
package gazetteer

import (
	"bufio"
	"embed"
	"fmt"
	"strings"
)

//go:embed data/*.txt
var files embed.FS

// List identifies one name list.
type List uint8

// The lists, in bit order.
const (
	Country List = iota
	Region
	City
	Demonym
	OrgSuffix
	Title
	FirstName
	// OrgWord holds further words that end business and group names
	// ("Centre", "Supplies"); the tagger does not see it.
	OrgWord
	// Rank holds further ranks and offices written before names
	// ("Fusilier"); the tagger does not see it.
	Rank
	// GivenName holds further given names from many languages, beyond
	// firstnames.txt; the tagger does not see it.
	GivenName
	NumLists
)

// NumFeatureLists is the number of lists the tagger uses as features
// (the first ones, in bit order).
const NumFeatureLists = FirstName + 1

var listFiles = [NumLists]string{
	Country:   "countries.txt",
	Region:    "regions.txt",
	City:      "cities.txt",
	Demonym:   "demonyms.txt",
	OrgSuffix: "orgsuffix.txt",
	Title:     "titles.txt",
	FirstName: "firstnames.txt",
	OrgWord:   "orgwords.txt",
	Rank:      "ranks.txt",
	GivenName: "givennames.txt",
}

var listNames = [NumLists]string{"country", "region", "city", "demonym", "orgsuffix", "title", "firstname", "orgword", "rank", "givenname"}

// String returns the list's short name.
func (l List) String() string {
	if l < NumLists {
		return listNames[l]
	}
	return fmt.Sprintf("list%d", l)
}

// MaxLen is the longest entry, in tokens, that is matched.
const MaxLen = 6

// Gazetteer holds the lists keyed by hashes of their lower-cased tokens.
type Gazetteer struct {
	entries map[uint64]uint16 // hash of token sequence -> bit set of lists
	prefix  map[uint64]bool   // hashes of proper prefixes of multi-token entries
}

// New loads the embedded lists.
func New() (*Gazetteer, error) {
	g := &Gazetteer{entries: make(map[uint64]uint16, 40000), prefix: make(map[uint64]bool, 8000)}
	for l := List(0); l < NumLists; l++ {
		f, err := files.Open("data/" + listFiles[l])
		if err != nil {
			return nil, fmt.Errorf("gazetteer %s: %w", l, err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			g.add(line, l)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("gazetteer %s: %w", l, err)
		}
	}
	return g, nil
}

func (g *Gazetteer) add(entry string, l List) {
	words := Words(entry)
	if len(words) == 0 || len(words) > MaxLen {
		return
	}
	var h uint64 = seed
	for i, w := range words {
		h = Combine(h, HashToken(w))
		if i < len(words)-1 {
			g.prefix[h] = true
		}
	}
	g.entries[h] |= 1 << l
}

// Words splits an entry into tokens the way the tokeniser would for names:
// on spaces, with a trailing possessive or punctuation left attached.
func Words(s string) []string {
	return strings.Fields(s)
}

const seed = 14695981039346656037

// HashToken hashes a token case-insensitively (ASCII folding plus
// strings.ToLower for non-ASCII).
func HashToken(w string) uint64 {
	var h uint64 = seed
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		w = strings.ToLower(w)
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// Combine extends a sequence hash with the next token's hash.
func Combine(h, t uint64) uint64 {
	h ^= t + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
	return h * 1099511628211
}

// Match is a list entry found at tokens [Start, End).
type Match struct {
	Start, End int
	Lists      uint16 // bit set of List
}

// Has reports whether the match is in list l.
func (m Match) Has(l List) bool { return m.Lists&(1<<l) != 0 }

// Find returns every match in a sentence given the hashes of its tokens
// (HashToken of each). Matches come in order of start, then length.
func (g *Gazetteer) Find(hashes []uint64) []Match {
	var out []Match
	for i := range hashes {
		var h uint64 = seed
		for j := i; j < len(hashes) && j-i < MaxLen; j++ {
			h = Combine(h, hashes[j])
			if l, ok := g.entries[h]; ok {
				out = append(out, Match{Start: i, End: j + 1, Lists: l})
			}
			if !g.prefix[h] {
				break
			}
		}
	}
	return out
}

// Lookup returns the lists that hold the phrase (split on spaces).
func (g *Gazetteer) Lookup(phrase string) uint16 {
	var h uint64 = seed
	for _, w := range Words(phrase) {
		h = Combine(h, HashToken(w))
	}
	return g.entries[h]
}
