package screen

import (
	"strings"
	"unicode/utf8"

	"github.com/mosaic-intel/mosaic/internal/names"
)

// Typo repair of Arabic name compounds in Latin-script queries.
//
// names.Parse splits "Abdul Rahman", "Abdulrahman" and "Najibullah" into
// their common parts ("abd", "allah") and the name ("rahman", "najib"), so
// every spelling of a compound yields the same tokens. A typo in the
// common part ("Adbul", "Azbdul", "Abrdelmalek", "Najibullh") defeats the
// split: the query then holds one unknown token where the listed name
// holds two, and the name part itself is never compared. repairCompounds
// rewrites such a word, when it is not a token of the index, to the
// nearest spelling the parser knows, within one edit of the common part,
// and parses the query again.

// abdLong are spellings of "Abd al-" long enough (five letters) that one
// edit from them is still unambiguous.
var abdLong = [...]string{"abdul", "abdel", "abdoul", "abdol", "abdal", "abdur", "abdou"}

// abdAll are the spellings the parser joins (names.Parse's abdForms).
var abdAll = [...]string{"abdoul", "abdul", "abdel", "abdal", "abdol", "abdur", "abdus", "abdou", "abdu", "abd"}

// allahSuffixes are the endings the parser splits off as "allah".
var allahSuffixes = [...]string{"ullah", "ollah", "illah", "allah", "ulla", "alla"}

// repairCompounds returns pq, or the query parsed again with its mistyped
// compound words rewritten. Called under the read lock.
func (ix *Index) repairCompounds(name string, pq names.Name, k names.Kind) names.Name {
	if len(pq.Tokens) > 0 && pq.Tokens[0].Abjad {
		changed := false
		if s, ok := splitAbuAl(name); ok {
			name, changed = s, true
		}
		if changed {
			pq = names.Parse(name, k)
		}
		return repairAbjad(pq)
	}
	if pq.Script != names.ScriptLatin {
		return pq
	}
	words := strings.Fields(names.Fold(name))
	changed := false
	if k == names.KindOrganization {
		// A trailing run of single letters is one legal form ("P.L.K.").
		n := len(words)
		for n > 1 && len(words[n-1]) == 1 {
			n--
		}
		if len(words)-n >= 2 && n > 0 {
			words = append(words[:n], strings.Join(words[n:], ""))
			changed = true
		}
	}
	for i, w := range words {
		if k != names.KindPerson {
			if r, ok := ix.repairOrgWord(w, i == len(words)-1 && i > 0); ok {
				words[i] = r
				changed = true
				continue
			}
		}
		if k == names.KindOrganization {
			continue
		}
		if i == 0 && len(words) > 1 && !ix.known(w) {
			// A title with a typo ("HJAI", "MAUTANA") would count as an
			// unknown identifying part. Titles come first; elsewhere the
			// word is more likely a name ("Nasir Hadui").
			if r, ok := names.NearTitle(w); ok {
				words[i] = r
				changed = true
				continue
			}
		}
		if r, ok := ix.repairWord(w); ok {
			words[i] = r
			changed = true
		}
	}
	if !changed {
		return pq
	}
	return names.Parse(strings.Join(words, " "), k)
}

// repairOrgWord rewrites a word of an organisation's name that is not a
// token of the index to the legal form or generic word it is a spelling
// of: k for c ("KO." for "CO.", "KOMPANY"; for the last word, whether or
// not it is a token), the same romanisation skeleton ("EENDOSTRIAL"), or
// one letter off a legal form of four letters ("CORL" for "CORP"), or,
// for the last word, two off one of seven letters or more ("COPGANY").
func (ix *Index) repairOrgWord(w string, last bool) (string, bool) {
	if len(w) < 2 || !isLower(w) || names.IsLegalForm(w) || names.IsGeneric(w) {
		return "", false
	}
	c := strings.ReplaceAll(w, "k", "c")
	if last && c != w && names.IsLegalForm(c) {
		// A legal form is written last; "KO" there is "CO" even though
		// Ko is also a name.
		return c, true
	}
	if ix.known(w) {
		return "", false
	}
	if c != w && (names.IsLegalForm(c) || names.IsGeneric(c)) {
		return c, true
	}
	if len(w) >= 5 {
		// A generic word spelt as another romanisation would
		// ("EENDOSTRIAL" for "INDUSTRIAL"): the dictionary's tokens of the
		// same skeleton.
		sk := romanSkel(w)
		found := ""
		ix.keys.each(ix.hash.tagged(keySkel, sk), func(id int32) bool {
			t := ix.toks[id].tok.Text
			if (names.IsGeneric(t) || names.IsLegalForm(t)) && romanSkel(t) == sk {
				found = t
				return false
			}
			return true
		})
		if found != "" {
			return found, true
		}
	}
	if last {
		// Two typos in a long legal form written last ("COPGANY").
		if f, ok := names.NearLegalForm(w); ok {
			return f, true
		}
	}
	if len(w) == 4 {
		b := []byte(w)
		for i := 1; i < len(b); i++ {
			o := b[i]
			for l := byte('a'); l <= 'z'; l++ {
				b[i] = l
				if l != o && names.IsLegalForm(string(b)) {
					return string(b), true
				}
			}
			b[i] = o
		}
	}
	return "", false
}

// known reports whether w is a token of a live name of the index.
func (ix *Index) known(w string) bool {
	id, ok := ix.dict[w]
	return ok && ix.toks[id].df > 0
}

func (ix *Index) repairWord(w string) (string, bool) {
	if len(w) < 5 || !isLower(w) || ix.known(w) {
		return "", false
	}
	if w[0] == 'a' && parsedAbd(w) && !ix.parsedRestKnown(w) {
		// "Abdonlaye", "Abdoulae": a typo in the "Abd al-" spelling or in
		// the "-allah" ending after it.
		for n := 4; n <= 7 && n+2 <= len(w); n++ {
			for _, f := range abdLong {
				if d := editDistance(w[:n], f, 2); d <= 1 {
					rest := w[n:]
					if d == 1 && (ix.known(rest) || allahRests[rest]) {
						return f + rest, true
					}
					if d == 0 && !allahRests[rest] && !ix.known(rest) {
						for _, r := range allahRestList {
							if len(r) >= 3 && editDistance(rest, r, 2) == 1 {
								return f + r, true
							}
						}
					}
				}
			}
		}
	}
	if w[0] == 'a' && !parsedAbd(w) {
		if len(w) <= 7 {
			for _, f := range abdLong {
				if editDistance(w, f, 2) == 1 {
					return "abdul", true
				}
			}
		}
		for n := 4; n <= 7 && n+3 <= len(w); n++ {
			rest := w[n:]
			if !ix.known(rest) {
				continue
			}
			for _, f := range abdLong {
				if editDistance(w[:n], f, 2) == 1 {
					return f + rest, true
				}
			}
		}
	}
	if len(w) >= 7 && !hasAllahSuffix(w) {
		found, fix := 0, ""
		for n := 4; n <= 6 && len(w)-n >= 3; n++ {
			suf, base := w[len(w)-n:], w[:len(w)-n]
			if editDistance(suf, "ullah", 2) != 1 && editDistance(suf, "allah", 2) != 1 {
				continue
			}
			if ix.known(base) {
				return base + "ullah", true
			}
			found++
			fix = base + "ullah"
		}
		if found == 1 {
			return fix, true
		}
	}
	return "", false
}

// allahRests are the endings names.Parse reads as "allah" after "Abd"
// (its normRest).
var allahRests = map[string]bool{"lah": true, "la": true, "llah": true, "lla": true, "ullah": true, "allah": true,
	"alla": true, "illah": true, "ulla": true, "aye": true, "laye": true, "lai": true, "ai": true, "lie": true,
	"lahi": true, "llahi": true, "illahi": true, "ullahi": true, "allahi": true, "laahi": true, "ullaahi": true}

// allahRestList is allahRests in a fixed order, most common first.
var allahRestList = [...]string{"laye", "lah", "llah", "ullah", "allah", "lai", "lahi", "illahi", "ullahi", "aye", "lie", "lla", "alla", "ulla", "illah", "llahi", "allahi", "laahi", "ullaahi"}

// parsedRestKnown reports whether w, read as "Abd al-" joined to a name,
// leaves a name the index knows or an ending read as "allah".
func (ix *Index) parsedRestKnown(w string) bool {
	for _, f := range abdAll {
		if strings.HasPrefix(w, f) && len(w) >= len(f)+3 {
			rest := w[len(f):]
			for _, a := range [...]string{"al", "el", "ul"} {
				if strings.HasPrefix(rest, a) && len(rest) > len(a)+2 && ix.known(rest[len(a):]) {
					return true
				}
			}
			if allahRests[rest] || ix.known(rest) {
				return true
			}
		}
	}
	return false
}

// parsedAbd reports whether the parser already reads w as an "Abd al-"
// form, alone or joined.
func parsedAbd(w string) bool {
	for _, f := range abdAll {
		if w == f || strings.HasPrefix(w, f) && len(w) >= len(f)+3 {
			return true
		}
	}
	return false
}

func hasAllahSuffix(w string) bool {
	for _, s := range allahSuffixes {
		if strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

func isLower(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// abjadRoles are words of Arabic-script names, as names.Parse romanises
// them, that are not identifying parts: titles (حاجي haji, الحاج hajj, ملا
// mullah, مولوي mawlawi, مولانا maulana, الدكتور doctor, المهندس engineer,
// مفتي mufti), legal forms (لمتد limited) and generic organisation
// words (شركة company, شبكة network, مكتب office, تنظيم organisation,
// حركة movement, للصرافة/الصرافة/صرافة money exchange) and the words و
// "and" and في "in" written apart. names.Parse knows
// their Latin spellings only.
var abjadRoles = map[string]names.Role{
	"haja": names.RoleTitle, "hji": names.RoleTitle, "haji": names.RoleTitle, "hajji": names.RoleTitle,
	"mla": names.RoleTitle, "mula": names.RoleTitle, "mului": names.RoleTitle, "mulwi": names.RoleTitle, "mulwy": names.RoleTitle,
	"haj": names.RoleTitle, "mulana": names.RoleTitle, "dktur": names.RoleTitle, "mhndis": names.RoleTitle, "mfti": names.RoleTitle,
	"lmtd": names.RoleLegal, "limtd": names.RoleLegal, "lmitd": names.RoleLegal,
	"shrka": names.RoleGeneric, "shrkt": names.RoleGeneric, "shbka": names.RoleGeneric, "mktb": names.RoleGeneric,
	"tndhim": names.RoleGeneric, "tnzim": names.RoleGeneric, "hrka": names.RoleGeneric,
	"llsrafa": names.RoleGeneric, "lsrafa": names.RoleGeneric, "srafa": names.RoleGeneric,
	// و "and", في "in", written apart.
	"w": names.RoleParticle, "fi": names.RoleParticle,
}

// splitAbuAl writes apart the kunya أبو and the article ال that
// Arabic script often joins to the name after them ("أبواليزيد", Abu
// al-Yazid), as Latin spellings write them.
func splitAbuAl(name string) (string, bool) {
	words := strings.Fields(name)
	changed := false
	for i, w := range words {
		for _, p := range [...]string{"أبوال", "ابوال"} {
			if rest, ok := strings.CutPrefix(w, p); ok && utf8.RuneCountInString(rest) >= 2 {
				words[i] = p[:len(p)-len("ال")] + " ال" + rest
				changed = true
				break
			}
		}
	}
	return strings.Join(words, " "), changed
}

// nonJoining are the Arabic letters that do not join the letter after
// them: a word ending in one looks, in print and handwriting, the same
// with or without the space after it, so two words are often typed run
// together after it ("ظاهرعويس" for ظاهر عويس).
const nonJoining = "اأإآدذرزوؤژ"

// splitRunOn writes apart an Arabic-script word of six letters or more
// that the index has no close spelling of (no dictionary token at least
// runOnWhole alike) where it splits, after a letter that does not join,
// into two words of three letters or more that each have a closer one
// (or three such words). Called under the read lock.
func (ix *Index) splitRunOn(name string, k names.Kind) (string, bool) {
	words := strings.Fields(name)
	var s *scratch
	best := func(w string) float32 {
		pq := names.Parse(w, k)
		var part *names.Token
		for i := range pq.Tokens {
			t := &pq.Tokens[i]
			if !t.Abjad {
				return 0
			}
			if t.Role == names.RolePart {
				if part != nil {
					return 0
				}
				part = t
			}
		}
		if part == nil {
			return 0
		}
		if s == nil {
			s = ix.getScratch()
		}
		if ms := ix.similarTokens(*part, s); len(ms) > 0 {
			return ms[0].sim
		}
		return 0
	}
	// whole is the best similarity of the word being split.
	var whole float32
	good := func(w string) bool {
		b := best(w)
		return b >= runOnSim && b > whole
	}
	// split writes w apart into words the index has spellings of,
	// splitting its right-hand side again if need be.
	var split func(rs []rune, depth int) (string, bool)
	split = func(rs []rune, depth int) (string, bool) {
		for j := 3; j <= len(rs)-3; j++ {
			if !strings.ContainsRune(nonJoining, rs[j-1]) || !good(string(rs[:j])) {
				continue
			}
			b := string(rs[j:])
			if good(b) {
				return string(rs[:j]) + " " + b, true
			}
			if depth > 0 && len(rs)-j >= 6 {
				if r, ok := split(rs[j:], depth-1); ok {
					return string(rs[:j]) + " " + r, true
				}
			}
		}
		return "", false
	}
	changed := false
	for i, w := range words {
		rs := []rune(w)
		if len(rs) < 6 || names.DetectScript(w) != names.ScriptArabic {
			continue
		}
		if whole = best(w); whole >= runOnWhole {
			continue
		}
		if r, ok := split(rs, 1); ok {
			words[i] = r
			changed = true
		}
	}
	if s != nil {
		ix.scratch.Put(s)
	}
	if !changed {
		return name, false
	}
	return strings.Join(words, " "), true
}

// runOnWhole is the similarity to a dictionary token at which an
// Arabic-script word counts as having a spelling in the index, and is not
// split; runOnSim, the similarity each of its parts must then reach, and
// exceed the whole word's.
const (
	runOnWhole = 0.95
	runOnSim   = 0.9
)

// abjadSuffixes are words that Latin spellings write joined to the name
// before them (زاده "zada": Akhundzada, Kakazada).
var abjadSuffixes = map[string]bool{"zadh": true, "zada": true}

// repairAbjad retags the non-identifying words of an Arabic-script query
// and joins its suffix words to the part before them. pq's tokens are
// the caller's own.
func repairAbjad(pq names.Name) names.Name {
	var out []names.Token
	for i, t := range pq.Tokens {
		if !t.Abjad {
			continue
		}
		if r, ok := abjadRoles[t.Text]; ok && t.Role == names.RolePart {
			if out == nil {
				out = append([]names.Token(nil), pq.Tokens...)
			}
			out[i].Role = r
		}
	}
	if out != nil {
		pq.Tokens = out
	}
	for i := 1; i < len(pq.Tokens); i++ {
		t, p := pq.Tokens[i], pq.Tokens[i-1]
		if !t.Abjad || !abjadSuffixes[t.Text] || p.Role != names.RolePart || t.Role != names.RolePart {
			continue
		}
		toks := append([]names.Token(nil), pq.Tokens[:i-1]...)
		jt := joined(p.Text, t.Text)
		jt.Abjad = true
		toks = append(toks, jt)
		pq.Tokens = append(toks, pq.Tokens[i+1:]...)
		i--
	}
	return pq
}
