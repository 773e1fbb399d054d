package resolve

import (
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Feature kinds.
const (
	kindName = iota
	kindDate
	kindIdent
	kindAddress
	kindCountry
	kindAttr
)

// Fixed feature indices; identifier and attribute features follow.
const (
	featName = iota
	featDate
	featAddress
	featCountry
	numFixedFeatures
)

type featureSpec struct {
	name string // "name", "dob", "address", "country", "id:passport", "attr:title"
	kind int
	sub  string // identifier kind or attribute name
}

// normRecord is a record normalised to comparable strings: the pure,
// parallelisable half of preparing a record.
// Record types as stored.
const (
	typPerson uint8 = iota
	typOrg
)

type normRecord struct {
	id      string
	typ     uint8 // typPerson or typOrg
	names   [][]string
	dates   []string
	idents  [][2]string // kind, value
	addrs   [][]string
	country []string
	attrs   [][2]string // name, value
	keys    [][]string  // phonetic keys per name token
	// spells are the names' telling spellings, parallel to names; nil
	// where none tells more than the tokens (see Speller and telling).
	spells [][]string
}

// prepared is a record as the engine stores it: interned values only.
type prepared struct {
	id      string
	typ     uint8
	names   []pname
	bag     pname // organisations: the distinct tokens of all names
	dates   []uint32
	idents  []fval // sorted by feature
	addrs   []pname
	country []uint32
	attrs   []pattr // sorted by feature
	nameSig uint64  // identity signature from the first name
	dateSig uint64  // identity signature from the first birth date
}

type pname struct {
	full uint32   // the whole value, tokens sorted
	toks []uint32 // tokens in order
	// spell is the name as written when a token's spelling tells more
	// than its canonical form (see telling), else nil. A pointer: most
	// names have none, and every name, address and attribute is a pname.
	spell *spelling
}

// spelling is a person name's tokens as written.
type spelling struct {
	full uint32   // the whole name as written, tokens sorted (nsSpells)
	toks []uint32 // parallel to pname.toks (nsSpell; a token kept canonical is repeated)
}

// spelled returns the name's tokens as written, or nil.
func (n *pname) spelled() []uint32 {
	if n.spell == nil {
		return nil
	}
	return n.spell.toks
}

// memoKey identifies what a name comparison depends on: the spelling when
// kept, else the canonical tokens.
func (n *pname) memoKey() uint32 {
	if n.spell == nil {
		return n.full
	}
	return n.spell.full
}

type fval struct {
	feat uint16
	val  uint32
}

type pattr struct {
	feat uint16
	v    pname
}

func normalize(r *Record, nm Namer) normRecord {
	n := normRecord{id: r.ID}
	typ := r.typ()
	if typ == TypeOrganization {
		n.typ = typOrg
	}
	sp, _ := nm.(Speller)
	for _, name := range r.Names {
		var toks, spell []string
		if sp != nil && typ != TypeOrganization {
			toks, spell = sp.Spellings(name, typ)
			spell = telling(toks, spell)
		} else {
			toks = nm.Tokens(name, typ)
		}
		if len(toks) == 0 || containsTokens(n.names, toks) {
			continue
		}
		n.spells = append(n.spells, spell)
		keys := make([]string, len(toks))
		for i, t := range toks {
			keys[i] = nm.Key(t)
		}
		n.names = append(n.names, toks)
		n.keys = append(n.keys, keys)
	}
	for _, d := range r.BirthDates {
		if d = normDate(d); d != "" && !slices.Contains(n.dates, d) {
			n.dates = append(n.dates, d)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Identifiers)) {
		kind := strings.ToLower(strings.TrimSpace(k))
		for _, v := range r.Identifiers[k] {
			if v = normIdent(kind, v); v != "" {
				n.idents = append(n.idents, [2]string{kind, v})
			}
		}
	}
	for _, a := range r.Addresses {
		if toks := wordTokens(a); len(toks) > 0 {
			n.addrs = append(n.addrs, toks)
		}
	}
	for _, c := range r.Countries {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			n.country = append(n.country, c)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Attributes)) {
		for _, v := range r.Attributes[k] {
			if v = strings.Join(wordTokens(v), " "); v != "" {
				n.attrs = append(n.attrs, [2]string{k, v})
			}
		}
	}
	return n
}

// telling returns the spellings of a name's tokens that can tell more
// than their canonical forms (spell[i] for those, toks[i] for the rest),
// or nil if none can. A spelling can tell more when the variant table
// took it far from its canonical form: another first letter ("Ebrima",
// "ibrahim": the initial "E."), or a spelling this unlike ("Miguel",
// "mikhail": the typo "Msguel"). Keeping only those spares the memory
// and the name memo's hits of the many near variants ("Mohammed").
func telling(toks, spell []string) []string {
	if len(spell) != len(toks) {
		return nil // not parallel: nothing to compare token by token
	}
	var out []string
	for i, s := range spell {
		if s == toks[i] || s == "" || toks[i] == "" || s[0] == toks[i][0] && JaroWinkler(s, toks[i]) >= simNear {
			continue
		}
		if out == nil {
			out = slices.Clone(toks)
		}
		out[i] = s
	}
	return out
}

func containsTokens(have [][]string, toks []string) bool {
	for _, h := range have {
		if slices.Equal(h, toks) {
			return true
		}
	}
	return false
}

// wordTokens folds s to lower-case Latin and splits it into letter and
// digit runs.
func wordTokens(s string) []string {
	return strings.FieldsFunc(FoldLatin(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// normIdent normalises an identifier value of a kind: phones to their last
// nine digits, e-mail addresses to lower case, anything else to upper-case
// letters and digits.
func normIdent(kind, v string) string {
	switch kind {
	case "phone", "mobile", "telephone", "tel":
		var b []byte
		for i := 0; i < len(v); i++ {
			if v[i] >= '0' && v[i] <= '9' {
				b = append(b, v[i])
			}
		}
		if len(b) < 6 {
			return ""
		}
		if len(b) > 9 {
			b = b[len(b)-9:]
		}
		return string(b)
	case "email", "e-mail":
		return strings.ToLower(strings.TrimSpace(v))
	}
	var b strings.Builder
	for _, r := range v {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

func sig(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	s := h.Sum64()
	if s == 0 {
		s = 1
	}
	return s
}

// nameSignature identifies a name up to spelling: its sorted phonetic keys.
func nameSignature(keys []string) uint64 {
	k := slices.Clone(keys)
	slices.Sort(k)
	return sig(k...)
}
