package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Script is the writing system a name is written in.
type Script uint8

// Scripts recognised by DetectScript. Other scripts are reported as
// ScriptOther and pass through folding with their diacritics removed.
const (
	ScriptUnknown Script = iota // no letters
	ScriptLatin
	ScriptArabic
	ScriptCyrillic
	ScriptHebrew
	ScriptGreek
	ScriptOther
	ScriptMixed
)

var scriptNames = [...]string{"unknown", "latin", "arabic", "cyrillic", "hebrew", "greek", "other", "mixed"}

// String returns the lower-case name of the script ("latin", "arabic", ...).
func (s Script) String() string {
	if int(s) < len(scriptNames) {
		return scriptNames[s]
	}
	return "invalid"
}

// Abjad reports whether the script usually omits short vowels (Arabic,
// Hebrew), so that a transliteration lacks them and comparisons should lean
// on consonant keys.
func (s Script) Abjad() bool { return s == ScriptArabic || s == ScriptHebrew }

func runeScript(r rune) Script {
	switch {
	case r < 0x80:
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return ScriptLatin
		}
		return ScriptUnknown
	case unicode.Is(unicode.Latin, r):
		return ScriptLatin
	case unicode.Is(unicode.Arabic, r):
		if unicode.IsLetter(r) {
			return ScriptArabic
		}
		return ScriptUnknown
	case unicode.Is(unicode.Cyrillic, r):
		return ScriptCyrillic
	case unicode.Is(unicode.Hebrew, r):
		if unicode.IsLetter(r) {
			return ScriptHebrew
		}
		return ScriptUnknown
	case unicode.Is(unicode.Greek, r):
		return ScriptGreek
	case unicode.IsLetter(r):
		return ScriptOther
	}
	return ScriptUnknown
}

// DetectScript returns the script of the letters of s: ScriptMixed when
// letters of more than one script occur, ScriptUnknown when there are none.
func DetectScript(s string) Script {
	got := ScriptUnknown
	for _, r := range s {
		sc := runeScript(r)
		if sc == ScriptUnknown {
			continue
		}
		if got == ScriptUnknown {
			got = sc
		} else if got != sc {
			return ScriptMixed
		}
	}
	return got
}

// Arabic letters (Arabic, Persian and Urdu forms) to a plain Latin
// romanisation close to the common English-language practice of sanction
// lists (ALA-LC without diacritics). و and ي are decided in context, ال is
// split off as the article "al".
var arabicMap = map[rune]string{
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ٱ': "a", 'ء': "", 'ؤ': "u", 'ئ': "i",
	'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d",
	'ذ': "dh", 'ر': "r", 'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s", 'ض': "dh",
	'ط': "t", 'ظ': "dh", 'ع': "", 'غ': "gh", 'ف': "f", 'ق': "q", 'ك': "k",
	'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'ة': "a", 'ى': "a",
	'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g", 'ک': "k", 'ڤ': "v", 'ی': "i",
	'ے': "e", 'ۃ': "a", 'ہ': "h", 'ھ': "h", 'ٹ': "t", 'ڈ': "d", 'ڑ': "r", 'ں': "n",
	// Pashto letters.
	'ځ': "z", 'څ': "s", 'ټ': "t", 'ډ': "d", 'ړ': "r", 'ږ': "zh", 'ښ': "sh",
	'ګ': "g", 'ڼ': "n", 'ې': "e", 'ۍ': "i",
}

var cyrillicMap = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g", 'ђ': "dj", 'ј': "j", 'љ': "lj",
	'њ': "nj", 'ћ': "c", 'џ': "dz", 'ў': "u", 'қ': "k", 'ғ': "g", 'ҳ': "h", 'ң': "ng",
	'ө': "o", 'ү': "u", 'ә': "a",
}

var hebrewMap = map[rune]string{
	'א': "", 'ב': "b", 'ג': "g", 'ד': "d", 'ה': "h", 'ו': "v", 'ז': "z", 'ח': "kh",
	'ט': "t", 'י': "y", 'כ': "k", 'ך': "kh", 'ל': "l", 'מ': "m", 'ם': "m", 'נ': "n",
	'ן': "n", 'ס': "s", 'ע': "", 'פ': "p", 'ף': "f", 'צ': "ts", 'ץ': "ts", 'ק': "k",
	'ר': "r", 'ש': "sh", 'ת': "t",
}

var greekMap = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
}

// latinSpecial folds Latin letters that do not decompose under NFD.
var latinSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'ø': "o", 'œ': "oe", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th",
	'ı': "i", 'ħ': "h", 'ŋ': "ng", 'ƒ': "f", 'ſ': "s", 'ĸ': "k",
}

// isJoiner reports runes that join the letters around them without a
// break: apostrophes and the hamza/ayn signs of romanised Arabic.
func isJoiner(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', 'ʿ', 'ʾ', '`', '´', 'ʻ', '\u0640' /* tatweel */ :
		return true
	}
	return false
}

// Transliterate returns s romanised to lower-case Latin letters: Arabic,
// Persian, Cyrillic, Hebrew and Greek letters are mapped by the project's
// tables, Latin letters lose their diacritics, other letters are kept
// (lower-cased, without combining marks). Punctuation and spaces become
// single spaces; apostrophes vanish ("Ma'mun" -> "mamun"). The Arabic
// article is split off: "الحسن" -> "al hasan".
func Transliterate(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	space := true // at the start, or last written byte was a space
	emit := func(t string) {
		if t == "" {
			return
		}
		b.WriteString(t)
		space = false
	}
	brk := func() {
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	// Arabic needs lookahead and lookbehind within a word.
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r < utf8.RuneSelf {
			switch {
			case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
				b.WriteRune(r)
				space = false
			case r >= 'A' && r <= 'Z':
				b.WriteRune(r + 'a' - 'A')
				space = false
			case isJoiner(r):
			default:
				brk()
			}
			continue
		}
		if unicode.Is(unicode.Mn, r) || isJoiner(r) || r == '\u200c' || r == '\u200d' {
			continue
		}
		if t, ok := cyrillicMap[unicode.ToLower(r)]; ok {
			emit(t)
			continue
		}
		if isArabicLetter(r) {
			before := b.Len()
			i = transliterateArabicWord(rs, i, &b)
			if b.Len() > before {
				space = b.String()[b.Len()-1] == ' '
			}
			continue
		}
		if t, ok := hebrewMap[r]; ok {
			if r == 'ו' || r == 'י' {
				t = hebrewVowelLetter(rs, i)
			}
			emit(t)
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			// Decompose and drop the marks: "é" -> "e", "έ" -> "ε" -> "e".
			before := b.Len()
			for _, d := range norm.NFD.String(string(unicode.ToLower(r))) {
				if unicode.Is(unicode.Mn, d) {
					continue
				}
				if t, ok := latinSpecial[d]; ok {
					b.WriteString(t)
				} else if t, ok := cyrillicMap[d]; ok {
					b.WriteString(t)
				} else if t, ok := greekMap[d]; ok {
					b.WriteString(t)
				} else if t, ok := arabicMap[d]; ok {
					b.WriteString(t)
				} else if t, ok := hebrewMap[d]; ok {
					b.WriteString(t)
				} else {
					b.WriteRune(d)
				}
			}
			if b.Len() > before {
				space = false
			}
			continue
		}
		brk()
	}
	return strings.TrimRight(b.String(), " ")
}

func isArabicLetter(r rune) bool {
	_, ok := arabicMap[r]
	return ok || r == 'و' || r == 'ي'
}

// transliterateArabicWord writes the Arabic word starting at rs[i] and
// returns the index of its last rune.
func transliterateArabicWord(rs []rune, i int, b *strings.Builder) int {
	j := i
	var word []rune
	for ; j < len(rs); j++ {
		r := rs[j]
		if unicode.Is(unicode.Mn, r) || r == '\u0640' || r == '\u200c' || r == '\u200d' {
			continue
		}
		if !isArabicLetter(r) {
			break
		}
		word = append(word, r)
	}
	if w := string(word); w == "الله" || w == "اللہ" || w == "اللھ" {
		b.WriteString("allah")
		return j - 1
	}
	// Article: ال at the start of a word of four or more letters.
	if len(word) >= 4 && (word[0] == 'ا' || word[0] == 'ٱ') && word[1] == 'ل' {
		b.WriteString("al ")
		word = word[2:]
	}
	// Allah and its compounds: the doubled lam and final ha are "llah".
	if n := len(word); n >= 3 && (word[n-1] == 'ه' || word[n-1] == 'ہ') && word[n-2] == 'ل' && word[n-3] == 'ل' {
		defer b.WriteString("llah")
		word = word[:n-3]
		if len(word) == 0 || len(word) == 1 && word[0] == 'ا' {
			b.WriteString("a")
			return j - 1
		}
	}
	for k, r := range word {
		switch r {
		case 'ع':
			// A word-initial ayn before a consonant carries the vowel:
			// عبد -> abd, علي -> ali.
			if k == 0 && len(word) > 1 && word[1] != 'ا' && word[1] != 'و' && word[1] != 'ي' {
				b.WriteByte('a')
			}
		case 'و':
			// Consonant w at the start or before a long a; vowel u otherwise.
			if k == 0 || k+1 < len(word) && (word[k+1] == 'ا' || word[k+1] == 'ى') || k > 0 && word[k-1] == 'ا' {
				b.WriteByte('w')
			} else if k > 0 && word[k-1] == 'و' {
				b.WriteByte('w')
			} else {
				b.WriteByte('u')
			}
		case 'ي', 'ی':
			if k == 0 || k+1 < len(word) && (word[k+1] == 'ا' || word[k+1] == 'ى' || word[k+1] == 'و') {
				b.WriteByte('y')
			} else if k == len(word)-1 && k > 0 && word[k-1] == 'ا' {
				b.WriteByte('y') // -ay, -ai
			} else {
				b.WriteByte('i')
			}
		case 'ا':
			if k > 0 && word[k-1] == 'ا' {
				continue
			}
			b.WriteByte('a')
		case 'ة':
			b.WriteByte('a')
		default:
			b.WriteString(arabicMap[r])
		}
	}
	return j - 1
}

// hebrewVowelLetter decides whether vav and yod are consonants or vowels.
func hebrewVowelLetter(rs []rune, i int) string {
	r := rs[i]
	atStart := i == 0 || runeScript(rs[i-1]) != ScriptHebrew
	if r == 'ו' {
		if i+1 < len(rs) && rs[i+1] == 'ו' {
			return "v"
		}
		if atStart {
			return "v"
		}
		return "o"
	}
	if atStart {
		return "y"
	}
	return "i"
}

// Fold returns s transliterated to Latin, lower-cased and with punctuation
// turned to single spaces: the form every comparison in Mosaic works on.
// It is Transliterate under a name that says what callers use it for.
func Fold(s string) string { return Transliterate(s) }
