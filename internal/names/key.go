package names

import "strings"

// Key returns the phonetic key of one folded token: a consonant skeleton
// tuned for names romanised from Arabic, Persian, Cyrillic and Hebrew,
// where vowels are unwritten or spelt many ways. Vowels, w and y are
// dropped; consonants fall into classes that transliterations confuse
// (b/p; f/v/ph; t/d/th/dh; s/z/ts/soft c; sh/ch/zh; j/dj; k/q/c/g/gh/kh;
// h; l; m; n; r); adjacent repeats collapse; a word-final h after a vowel
// is dropped (Abdullah, Fatimah). So "Muhammad", "Mohamed", "Mehmet" and
// محمد all give "MHMT"; "Qaddafi", "Gadhafi" and "Kadhafi" give "KTF".
//
// The key of a token with no consonants is "" (e.g. "Ali" gives "L", but
// "Aya" gives ""). Input should be Fold output; other bytes are ignored.
func Key(tok string) string {
	var out [32]byte
	n := 0
	keyUnits(tok, func(c byte, _ string) {
		if n < len(out) {
			out[n] = c
			n++
		}
	})
	return string(out[:n])
}

// keyUnits calls emit with every symbol of tok's key, in order, and the
// letters of tok it stands for ("th" for the T of "thaqib").
func keyUnits(tok string, emit func(sym byte, g string)) {
	var last byte
	var syms [2]byte
	t := tok
	for i := 0; i < len(t); i++ {
		start := i
		ns := 0
		add := func(c byte) {
			if c == last {
				return
			}
			syms[ns] = c
			ns++
			last = c
		}
		c := t[i]
		var next, next2 byte
		if i+1 < len(t) {
			next = t[i+1]
		}
		if i+2 < len(t) {
			next2 = t[i+2]
		}
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'w':
			last = 0 // a vowel separates repeats: "Lulu" keeps both l's
		case 'b', 'p':
			if c == 'p' && next == 'h' {
				add('F')
				i++
				break
			}
			add('B')
		case 'f', 'v':
			add('F')
		case 't', 'd':
			switch {
			case next == 'h':
				add('T')
				i++
			case c == 't' && (next == 's' || next == 'z'):
				if next == 's' && next2 == 'c' && i+3 < len(t) && t[i+3] == 'h' { // tsch
					add('X')
					i += 3
					break
				}
				if next == 's' && next2 == 'h' { // tsh, Arabic-script ch
					add('X')
					i += 2
					break
				}
				add('S')
				i++
			case c == 't' && next == 'c' && next2 == 'h':
				add('X')
				i += 2
			case c == 'd' && next == 'j':
				add('K')
				i++
			case c == 'd' && next == 'z' && next2 == 'h':
				add('K')
				i += 2
			default:
				add('T')
			}
		case 's':
			switch {
			case next == 'h':
				if next2 == 'c' && i+3 < len(t) && t[i+3] == 'h' { // shch
					i += 2
				}
				add('X')
				i++
			case next == 'c' && next2 == 'h':
				add('X')
				i += 2
			case next == 'z': // Polish sz
				add('X')
				i++
			default:
				add('S')
			}
		case 'z':
			if next == 'h' {
				add('X')
				i++
				break
			}
			add('S')
		case 'c':
			switch {
			case next == 'h':
				add('X')
				i++
			case next == 'k' || next == 'q':
				add('K')
				i++
			case next == 'z': // Polish cz
				add('X')
				i++
			case next == 'e' || next == 'i' || next == 'y':
				add('S')
			default:
				add('K')
			}
		case 'j':
			add('K')
		case 'k', 'q', 'g':
			if next == 'h' {
				i++
			}
			add('K')
		case 'x':
			add('K')
			add('S')
		case 'h':
			// Only a word-final h after a vowel is dropped ("Abdullah",
			// "Fatimah"); "Mahmood" keeps its h.
			if i == len(t)-1 && i > 0 && isVowel(t[i-1]) {
				break
			}
			add('H')
		case 'l':
			add('L')
		case 'm':
			add('M')
		case 'n':
			add('N')
		case 'r':
			add('R')
		}
		for _, sym := range syms[:ns] {
			emit(sym, t[start:i+1])
		}
	}
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// KeyOf returns the space-separated keys of every token of a folded string.
func KeyOf(folded string) string {
	f := strings.Fields(folded)
	for i, t := range f {
		f[i] = Key(t)
	}
	return strings.Join(f, " ")
}
