package names

// EditDistance returns the optimal-string-alignment distance of two short
// byte strings (folded tokens): insertions, deletions, substitutions and
// swaps of neighbouring letters each cost one ("aziz"/"aizz" is one
// edit). Strings over 32 bytes count as wholly different unless equal.
func EditDistance(a, b string) int {
	if a == b {
		return 0
	}
	return osaDistance(a, b)
}

// osaDistance is EditDistance.
func osaDistance(a, b string) int {
	if len(a) > 32 || len(b) > 32 {
		return max(len(a), len(b))
	}
	var rows [3][33]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				c = min(c, prev2[j-2]+1)
			}
			cur[j] = c
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// vowelVariant reports whether two folded tokens spell the same consonants
// in the same order, doubled letters aside, and begin alike (the same
// letter, or both a vowel), so that they differ only in how their vowels
// are written: "kim"/"keem", "said"/"sayd", "arif"/"areef",
// "ammari"/"amari". Transliterations of one name differ so ("Song" and
// "Sung", "Usama" and "Osama"); "Usman" and "Simon" do not. It returns 0
// when they are not such a pair, 2 when every vowel of one can sound as
// the vowel in its place in the other ("ee" and "i", "ai" and "ay", "o"
// and "u"), 1 otherwise ("nam"/"nim").
func vowelVariant(a, b string) int {
	if a == "" || b == "" {
		return 0
	}
	if a[0] != b[0] && !(isVowelW(a[0]) && isVowelW(b[0])) {
		return 0
	}
	level := 2
	i, j := 0, 0
	var la, lb byte
	for {
		var va, vb uint8 // the sounds of the vowels before the next consonant
		for i < len(a) && (isVowelW(a[i]) || a[i] == la) {
			if !isVowelW(a[i]) {
				la = a[i]
			} else {
				la = 0
				va |= vowelSound(a[i])
			}
			i++
		}
		for j < len(b) && (isVowelW(b[j]) || b[j] == lb) {
			if !isVowelW(b[j]) {
				lb = b[j]
			} else {
				lb = 0
				vb |= vowelSound(b[j])
			}
			j++
		}
		if va&vb == 0 && va|vb != 0 {
			level = 1
		}
		if i == len(a) || j == len(b) {
			if i == len(a) && j == len(b) {
				return level
			}
			return 0
		}
		if a[i] != b[j] {
			return 0
		}
		la, lb = a[i], b[j]
		i++
		j++
	}
}

// vowelSound is the sound a vowel letter can stand for in a
// transliteration, as bits: a; e (a or i); i and y; o, u and w.
func vowelSound(c byte) uint8 {
	switch c {
	case 'a':
		return 1
	case 'e':
		return 1 | 2
	case 'i', 'y':
		return 2
	case 'o', 'u', 'w':
		return 4
	}
	return 0
}

// isVowelW reports vowels and the semivowels that romanisations use as
// vowels (y, w).
func isVowelW(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'w':
		return true
	}
	return false
}
