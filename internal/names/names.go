// Package names turns personal and organisation names, in any of the
// scripts Mosaic meets, into comparable parts.
//
// The pipeline is Parse(s, kind): Unicode normalisation (NFKC), romanisation
// of Arabic, Persian, Cyrillic, Hebrew and Greek letters to Latin
// (Transliterate), removal of diacritics, lower-casing, splitting into
// tokens; Arabic compounds are normalised to the same tokens whatever the
// spelling ("Abd al-Rahman", "Abdul Rahman" and "Abdurrahman" -> "abd
// rahman"; "Abu Bakr" and "Abubakr" -> "abu bakr"; "Nur al-Din" and
// "Nuruddin" -> "nur din"); articles, "bin"/"ibn"
// and titles are marked as non-identifying; organisation legal forms
// ("LLC", "S.A.") and generic words ("Trading", "Group") are marked so that
// they never make a match alone; known organisation aliases ("Daesh",
// "ISIL") are replaced by their canonical name.
//
// Every Token carries its folded text, a canonical form (spelling variants
// and nicknames collapse: "Mohamed" and "Mehmet" -> "muhammad", "Bill" ->
// "william"), the variant groups it belongs to (a nickname that stands for
// several formal names, such as "Harry" for Henry and Harrison, keeps its
// own text as canonical form and belongs to each of their groups; see
// Groups) and a phonetic Key (see Key). Similarity compares two tokens.
//
// The tables under data/ are the project's own (see data/NOTICE.md). The
// package has no global mutable state; the tables are parsed once, lazily,
// and read-only afterwards, so every function is safe for concurrent use.
package names

import (
	"bufio"
	_ "embed"
	"slices"
	"strings"
	"sync"
)

// Kind says what sort of name is parsed.
type Kind uint8

// Kinds of name. KindAny applies no person- or organisation-specific rules
// beyond those safe for both.
const (
	KindAny Kind = iota
	KindPerson
	KindOrganization
)

// Role says what a token contributes to identity.
type Role uint8

// Token roles. Only RolePart, RoleInitial and RoleGeneric tokens are
// compared; RoleGeneric tokens count a little and never alone.
const (
	RolePart     Role = iota // an identifying name part
	RoleInitial              // a single letter standing for a part
	RoleGeneric              // a generic organisation word ("trading")
	RoleParticle             // bin, ibn, van, de, al ...
	RoleTitle                // Mr, Dr, Sheikh ...
	RoleLegal                // LLC, GmbH, S.A. ...
)

var roleNames = [...]string{"part", "initial", "generic", "particle", "title", "legal"}

func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "invalid"
}

// Token is one part of a parsed name.
type Token struct {
	Text  string // folded Latin text, e.g. "mehmet"
	Canon string // canonical variant, e.g. "muhammad"; equals Text when none is known
	Key   string // phonetic key of Text, e.g. "MHMT"
	Role  Role
	// Abjad is set when the token was romanised from a script that leaves
	// short vowels unwritten (Arabic, Hebrew): its vowels are guesses, so
	// Similarity trusts its phonetic key more than its spelling.
	Abjad bool
	// Groups are the variant groups of the token (their canonical heads,
	// sorted); nil when the token is in no table. Two tokens sharing a
	// group are spellings or nicknames of one name.
	Groups []string
}

// Name is a parsed name.
type Name struct {
	Original string
	Script   Script
	Kind     Kind
	Tokens   []Token
}

// Parts returns the tokens that are compared: parts, initials and generic
// words, in order.
func (n Name) Parts() []Token {
	out := make([]Token, 0, len(n.Tokens))
	for _, t := range n.Tokens {
		if t.Role <= RoleGeneric {
			out = append(out, t)
		}
	}
	return out
}

// Identifying reports whether the name has a part that can make a match on
// its own: a RolePart token. "Trading LLC" has none.
func (n Name) Identifying() bool {
	for _, t := range n.Tokens {
		if t.Role == RolePart {
			return true
		}
	}
	return false
}

// Folded returns the compared parts' canonical forms joined by spaces.
func (n Name) Folded() string {
	var b strings.Builder
	for _, t := range n.Tokens {
		if t.Role > RoleGeneric {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Canon)
	}
	return b.String()
}

var (
	//go:embed data/given_variants.txt
	givenVariantsTxt string
	//go:embed data/variants_world.txt
	worldVariantsTxt string
	//go:embed data/nicknames.txt
	nicknamesTxt string
	//go:embed data/nicknames_world.txt
	worldNicknamesTxt string
	//go:embed data/legal_forms.txt
	legalFormsTxt string
	//go:embed data/org_generic.txt
	orgGenericTxt string
	//go:embed data/person_stop.txt
	personStopTxt string
	//go:embed data/org_aliases.txt
	orgAliasesTxt string
)

type tables struct {
	canon     map[string]string   // variant or nickname -> canonical
	groups    map[string][]string // variant or nickname -> its groups' heads, sorted
	legal     map[string]bool
	generic   map[string]bool
	titles    map[string]bool
	particles map[string]bool
	orgAlias  map[string]string // folded alias -> canonical folded name
}

// loadTables parses the embedded tables once; the result is read-only.
var loadTables = sync.OnceValue(func() *tables {
	t := &tables{
		canon: map[string]string{}, groups: map[string][]string{}, legal: map[string]bool{}, generic: map[string]bool{},
		titles: map[string]bool{}, particles: map[string]bool{}, orgAlias: map[string]string{},
	}
	join := func(tok, head string) {
		if !slices.Contains(t.groups[tok], head) {
			t.groups[tok] = append(t.groups[tok], head)
		}
	}
	variants := func(l string) {
		f := strings.Split(l, ",")
		c := Fold(f[0])
		if cc, ok := t.canon[c]; ok && len(t.groups[c]) == 1 {
			c = cc // a line extending a group of an earlier table
		}
		for _, v := range f {
			if v = Fold(v); v != "" {
				join(v, c)
				if _, dup := t.canon[v]; !dup {
					t.canon[v] = c
				}
			}
		}
	}
	nicknames := func(l string) {
		formal, nicks, ok := strings.Cut(l, ":")
		if !ok {
			return
		}
		c := Fold(formal)
		if cc, ok := t.canon[c]; ok {
			c = cc
		}
		join(c, c)
		for _, v := range strings.Split(nicks, ",") {
			if v = Fold(v); v != "" {
				join(v, c)
				if _, dup := t.canon[v]; !dup {
					t.canon[v] = c
				}
			}
		}
	}
	eachLine(givenVariantsTxt, variants)
	eachLine(worldVariantsTxt, variants)
	eachLine(nicknamesTxt, nicknames)
	eachLine(worldNicknamesTxt, nicknames)
	// A token standing for several names ("harry": henry, harrison) has
	// no single canonical form: it keeps its own and matches through its
	// groups.
	for v, gs := range t.groups {
		slices.Sort(gs)
		if len(gs) > 1 && !slices.Contains(gs, v) {
			t.canon[v] = v
		}
	}
	eachLine(legalFormsTxt, func(l string) { t.legal[strings.ReplaceAll(Fold(l), " ", "")] = true })
	eachLine(orgGenericTxt, func(l string) { t.generic[Fold(l)] = true })
	eachLine(personStopTxt, func(l string) {
		kind, words, _ := strings.Cut(l, ":")
		for _, w := range strings.Fields(words) {
			if kind == "title" {
				t.titles[w] = true
			} else {
				t.particles[w] = true
			}
		}
	})
	eachLine(orgAliasesTxt, func(l string) {
		f := strings.Split(l, "|")
		c := Fold(f[0])
		for _, v := range f {
			t.orgAlias[Fold(v)] = c
		}
	})
	return t
})

func eachLine(s string, fn func(string)) {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' {
			continue
		}
		fn(l)
	}
}

// Canonical returns the canonical form of a folded token: the head of its
// spelling-variant group or the formal name of a nickname, else tok.
func Canonical(tok string) string {
	if c, ok := loadTables().canon[tok]; ok {
		return c
	}
	return tok
}

// Groups returns the variant groups of a folded token (the canonical heads
// of the spelling-variant and nickname groups it belongs to, sorted), or
// nil. The result must not be modified.
func Groups(tok string) []string { return loadTables().groups[tok] }

// SameGroup reports whether two folded tokens are spellings or nicknames
// of one name: equal, or sharing a variant group.
func SameGroup(a, b string) bool {
	if a == b {
		return true
	}
	tb := loadTables()
	for _, g := range tb.groups[a] {
		if g == b || slices.Contains(tb.groups[b], g) {
			return true
		}
	}
	return slices.Contains(tb.groups[b], a)
}

// IsGeneric reports whether a folded token is a generic word of
// organisation names ("trading", "group", "stores"), which counts a little
// towards a match but never makes one alone.
func IsGeneric(tok string) bool { return loadTables().generic[tok] }

// IsLegalForm reports whether a folded token (or run of initials joined
// without spaces, "sa", "llc") is an organisation legal form.
func IsLegalForm(tok string) bool { return loadTables().legal[tok] }

// OrgAlias returns the canonical name of a known organisation alias
// ("daesh" -> "islamic state"); folded is Fold output with legal forms
// removed.
func OrgAlias(folded string) (string, bool) {
	c, ok := loadTables().orgAlias[folded]
	return c, ok
}

// abdForms are the spellings of "Abd al-" (servant of) that join the
// following name.
var abdForms = []string{"abdoul", "abdul", "abdel", "abdal", "abdol", "abdur", "abdus", "abdou", "abdu", "abd"}

// abuForms are the spellings of "Abu" (father of) that join the following name.
var abuForms = map[string]bool{"abu": true, "abou": true, "abo": true, "aboo": true, "abul": true, "abou l": true}

// dinForms are the spellings of "al-Din" that join the preceding name.
var dinForms = map[string]bool{"din": true, "deen": true, "dine": true, "ddin": true, "ddine": true, "eddine": true, "eddin": true, "uddin": true, "udin": true, "uddeen": true}

var articles = map[string]bool{"al": true, "el": true, "ul": true, "ad": true, "ar": true, "as": true, "ash": true,
	"at": true, "az": true, "an": true, "ed": true, "er": true, "es": true, "ez": true, "il": true, "ol": true}

// Parse parses s as a name of kind k.
func Parse(s string, k Kind) Name {
	tb := loadTables()
	n := Name{Original: s, Script: DetectScript(s), Kind: k}
	folded := Fold(s)
	words := strings.Fields(folded)
	if k != KindPerson {
		words = joinInitialRuns(words, tb)
		// Whole-name organisation aliases, judged without legal forms.
		core := words[:0:0]
		for _, w := range words {
			if !tb.legal[w] {
				core = append(core, w)
			}
		}
		if c, ok := tb.orgAlias[strings.Join(core, " ")]; ok {
			words = strings.Fields(c)
		}
	}
	if k != KindOrganization {
		words = joinArabicCompounds(words, tb)
	}
	n.Tokens = make([]Token, 0, len(words))
	for i, w := range words {
		t := Token{Text: w, Role: RolePart}
		switch {
		case k != KindPerson && tb.legal[w] && (i > 0 || len(words) > 1 && len(w) > 1):
			// A legal form also at the start when more follows ("LTD
			// RAHAT", written family-name first).
			t.Role = RoleLegal
		case k != KindPerson && tb.generic[w] && len(words) > 1:
			t.Role = RoleGeneric
		case k == KindOrganization && len(words) > 1 && tb.nearOrgWord(w) != RolePart:
			// A misspelt legal form or generic word ("COMPNAY").
			t.Role = tb.nearOrgWord(w)
		case k != KindOrganization && tb.titles[w] && len(words) > 1:
			t.Role = RoleTitle
		case tb.particles[w] && len(words) > 1 && (k != KindOrganization || articles[w]) && !(len(w) == 1 && initialIn(s, w[0])):
			t.Role = RoleParticle
		case len(w) == 1 && k != KindOrganization:
			t.Role = RoleInitial
		}
		t.Canon = w
		if c, ok := tb.canon[w]; ok && k != KindOrganization && t.Role != RoleInitial {
			t.Canon = c
			t.Groups = tb.groups[w]
		}
		t.Key = Key(w)
		t.Abjad = n.Script.Abjad()
		n.Tokens = append(n.Tokens, t)
	}
	// A name made only of legal forms keeps them as legal forms even at
	// the start ("LLC" alone identifies nothing).
	if k != KindPerson && len(n.Tokens) > 0 && tb.legal[n.Tokens[0].Text] {
		only := true
		for _, t := range n.Tokens[1:] {
			if t.Role == RolePart {
				only = false
			}
		}
		if only {
			n.Tokens[0].Role = RoleLegal
		}
	}
	return n
}

// initialIn reports whether the single letter c (lower case) stands in s
// as an initial rather than a conjunction ("y", "e" in Spanish and
// Portuguese names): written in capitals or followed by a full stop.
func initialIn(s string, c byte) bool {
	up := c - 'a' + 'A'
	for i := 0; i < len(s); i++ {
		if s[i] != c && s[i] != up {
			continue
		}
		before := i == 0 || !isLetterByte(s[i-1])
		after := i+1 == len(s) || !isLetterByte(s[i+1])
		if !before || !after {
			continue
		}
		if s[i] == up || (i+1 < len(s) && s[i+1] == '.') {
			return true
		}
	}
	return false
}

func isLetterByte(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80 }

// joinInitialRuns joins runs of single letters that spell a legal form
// ("s a" -> "sa", "l l c" -> "llc") so legal forms written with dots are
// recognised; other initials stay apart.
func joinInitialRuns(words []string, tb *tables) []string {
	out := words[:0:0]
	for i := 0; i < len(words); i++ {
		if len(words[i]) == 1 && i+1 < len(words) && len(words[i+1]) == 1 {
			j := i
			var b strings.Builder
			for j < len(words) && len(words[j]) == 1 {
				b.WriteString(words[j])
				j++
			}
			if tb.legal[b.String()] {
				out = append(out, b.String())
				i = j - 1
				continue
			}
		}
		out = append(out, words[i])
	}
	return out
}

// joinArabicCompounds normalises the compounds of Arabic names so that
// every spelling yields the same tokens: "Abd al-Rahman", "Abdul Rahman",
// "Abdurrahman" and "Abdelrahman" all become "abd rahman"; "Abu Bakr" and
// "Abubakr" become "abu bakr"; "Nur al-Din", "Nuruddin" and "Noureddine"
// become "nur din"; "Abdullah" and "Abd Allah" become "abd allah". The
// common parts ("abd", "abu", "din", "allah") stay as tokens, and their
// frequency makes them weigh little when names are compared.
func joinArabicCompounds(words []string, tb *tables) []string {
	out := words[:0:0]
	for i := 0; i < len(words); i++ {
		w := words[i]
		if len(w) > 4 && strings.HasPrefix(w, "cabd") {
			w = w[1:] // Somali spelling, c for the ayn: Cabdi, Cabdullaahi
		}
		switch {
		case isAbdForm(w):
			out = append(out, "abd")
			if i+2 < len(words) && articles[words[i+1]] {
				i++ // abd al X: drop the article
			}
			continue
		case abuForms[w]:
			out = append(out, "abu")
			if i+2 < len(words) && articles[words[i+1]] {
				i++
			}
			continue
		case w == "allah" || w == "ullah" || w == "illah" || w == "lah":
			out = append(out, "allah")
			continue
		case dinForms[w]:
			if len(out) > 0 && articles[out[len(out)-1]] {
				out = out[:len(out)-1]
			}
			out = append(out, "din")
			continue
		}
		if rest, ok := abdPrefix(w); ok {
			out = append(out, "abd", normRest(stripArticlePrefix(rest)))
			continue
		}
		if len(w) > 5 && strings.HasPrefix(w, "abu") && !tb.particles[w] {
			if _, known := tb.canon[w]; !known {
				out = append(out, "abu", stripArticlePrefix(w[3:]))
				continue
			}
		}
		if base, ok := dinSuffix(w); ok {
			out = append(out, base, "din")
			continue
		}
		if base, ok := allahSuffix(w); ok {
			out = append(out, base, "allah")
			continue
		}
		out = append(out, w)
	}
	return out
}

// normRest maps the spellings of "Allah" left after "abd" to one.
func normRest(r string) string {
	switch r {
	case "lah", "la", "llah", "lla", "ullah", "allah", "alla", "illah", "ulla",
		// West African and Somali forms: Abdoulaye, Abdulai, Abdoulie,
		// Abdillahi, Cabdullaahi.
		"aye", "laye", "lai", "ai", "lie", "lahi", "llahi", "illahi", "ullahi", "allahi", "laahi", "ullaahi":
		return "allah"
	}
	return r
}

// allahSuffix splits "Atiqullah", "Nasrallah", "Fazlullah" into the name
// and "allah", as their Arabic-script spellings are written apart.
func allahSuffix(w string) (string, bool) {
	for _, suf := range [...]string{"ullah", "ollah", "illah", "allah", "ulla", "alla"} {
		if len(w) >= len(suf)+3 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)], true
		}
	}
	return "", false
}

// dinSuffix splits "Nuruddin", "Salaheddine", "Alaaldin" into the name and
// "din".
func dinSuffix(w string) (string, bool) {
	for _, suf := range [...]string{"uddin", "uddeen", "eddine", "eddin", "aldin", "addin", "uldin", "ddin", "ddine"} {
		if len(w) >= len(suf)+3 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)], true
		}
	}
	return "", false
}

func isAbdForm(w string) bool {
	for _, f := range abdForms {
		if w == f {
			return true
		}
	}
	return false
}

// abdPrefix splits a joined "Abdulrahman"/"Abdurrahman"/"Abdallah" into
// its following name ("rahman", "lah").
func abdPrefix(w string) (string, bool) {
	for _, f := range abdForms {
		if strings.HasPrefix(w, f) && len(w) >= len(f)+3 {
			rest := w[len(f):]
			return rest, true
		}
	}
	return "", false
}

func stripArticlePrefix(w string) string {
	for _, a := range []string{"al", "el", "ul"} {
		if strings.HasPrefix(w, a) && len(w) > len(a)+2 {
			return w[len(a):]
		}
	}
	return w
}
