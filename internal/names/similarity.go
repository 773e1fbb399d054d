package names

// Similarity returns how alike two tokens are, in [0,1]:
//
//   - 1 for the same canonical form or a shared variant group (identical,
//     a listed spelling variant, or a nickname of the formal name);
//   - for an initial against a part, 0.8 when the letters agree, else 0;
//   - otherwise the Jaro-Winkler similarity j of their texts (or canonical
//     forms), lifted to 0.5j+0.5 when j >= 0.8 and their phonetic keys are equal;
//     tokens of four letters or fewer are capped at 1-0.8*edits/length
//     (a swap of neighbouring letters is one edit); at least 0.92 for
//     tokens that differ only in how their vowels are written ("Areef"
//     and "Arif"), 0.85 when the vowels also sound otherwise ("Nam" and
//     "Nim"; see vowelVariant);
//   - when one token was romanised from an abjad (Arabic, Hebrew) and the
//     other not, at least their AbjadSimilarity, so that a vowel-less
//     romanisation ("mhmd") meets its vowelled form ("Muhammad");
//   - two abjad romanisations are compared as their letters are, like
//     two Latin spellings.
func Similarity(a, b Token) float64 { return similarity(a, b, 1) }

// AbjadLatinSimilarity is Similarity for an abjad-romanised token against
// a Latin spelling (in either order), judged on the letter alignment
// (AbjadSimilarity): their Jaro-Winkler similarity counts only up to
// abjadJWCap. Jaro-Winkler rewards a vowel-less romanisation for sharing
// the beginning of a vowelled spelling whose letters it does not hold
// ("amran" and "Amr" 0.91, "ghama" and "Ghamdi" 0.89, "hjazi" and
// "Hamzi" 0.88), which the alignment finds letters short. Screening uses
// it for Arabic-script query parts; Similarity, which Latin-script
// queries meet romanised list names with, is unchanged.
func AbjadLatinSimilarity(a, b Token) float64 { return similarity(a, b, abjadJWCap) }

// abjadJWCap bounds the Jaro-Winkler part of AbjadLatinSimilarity: at 0.85
// a part matched so alone still gathers its names (the screen keeps
// tokens from 0.7) but weighs as a doubtful spelling.
const abjadJWCap = 0.85

func similarity(a, b Token, jwCap float64) float64 {
	if a.Text == "" || b.Text == "" {
		return 0
	}
	if a.Canon == b.Canon || sharesGroup(a.Groups, b.Groups) {
		return 1
	}
	if a.Role == RoleInitial || b.Role == RoleInitial {
		if a.Text[0] == b.Text[0] {
			if a.Role == b.Role {
				return 1
			}
			return 0.8
		}
		return 0
	}
	at, bt := a.Text, b.Text
	// Joined compounds ("abdrahman", "abubakr") are compared on the name
	// after the shared "abd"/"abu", which would otherwise dominate.
	for _, p := range [...]string{"abd", "abu"} {
		if len(at) > len(p)+2 && len(bt) > len(p)+2 && at[:len(p)] == p && bt[:len(p)] == p {
			at, bt = at[len(p):], bt[len(p):]
			break
		}
	}
	s := JaroWinkler(at, bt)
	// Short tokens: one edit is a large change ("sun"/"son", "min"/"ming");
	// a swap of neighbouring letters is one edit ("aziz"/"aizz").
	if n := max(len(at), len(bt)); n <= 4 {
		s = min(s, 1-0.8*float64(osaDistance(at, bt))/float64(n))
	}
	if a.Canon != a.Text || b.Canon != b.Text {
		s = max(s, JaroWinkler(a.Canon, b.Canon))
	}
	if a.Abjad != b.Abjad {
		s = min(s, jwCap)
	}
	if a.Key == "" || b.Key == "" {
		return s
	}
	if a.Abjad != b.Abjad {
		// Short vowels unwritten on one side: align the letters (see
		// AbjadSimilarity).
		if a.Abjad {
			return max(s, AbjadSimilarity(a.Text, b.Text))
		}
		return max(s, AbjadSimilarity(b.Text, a.Text))
	}

	// Both spelt with vowels: an equal key lifts the spelling score part
	// of the way ("Qadhafi" ~ "Gaddafi") without making unlike spellings
	// with one skeleton ("Usman", "Simon") alike.
	if a.Key == b.Key && s >= 0.8 {
		s = max(s, 0.5*s+0.5)
	}
	// The same consonants and first letter, only the vowels written
	// otherwise: a transliteration of one name ("Kim"/"Keem", "Song"/"Sung",
	// "Said"/"Sayd").
	switch vowelVariant(at, bt) {
	case 2:
		s = max(s, 0.92)
	case 1:
		s = max(s, 0.85)
	}
	return s
}

func sharesGroup(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// ShortForm reports whether one folded token is a short form of the other:
// at least three letters that begin or end the other, which is at least two
// letters longer ("bayo" of "adebayo", "funmi" of "funmilayo", "deb" of
// "deborah"). Many cultures shorten names so, beyond what nickname tables
// list; it is weaker evidence than a listed variant.
func ShortForm(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) < 3 || len(b) < len(a)+2 {
		return false
	}
	return b[:len(a)] == a || b[len(b)-len(a):] == a
}
