package resolve

// JaroWinkler returns the Jaro-Winkler similarity of a and b in [0, 1]
// (prefix scale 0.1, prefix of at most four runes). Strings are compared
// rune by rune; two empty strings are equal (1).
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	if isASCII(a) && isASCII(b) {
		var abuf, bbuf [64]byte
		return jaroWinkler(append(abuf[:0], a...), append(bbuf[:0], b...))
	}
	var abuf, bbuf [64]rune
	ra, rb := toRunes(a, abuf[:0]), toRunes(b, bbuf[:0])
	return jaroWinkler(ra, rb)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func toRunes(s string, buf []rune) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}

func jaroWinkler[T byte | rune](a, b []T) float64 {
	j := jaro(a, b)
	if j <= 0.7 {
		return j
	}
	l := 0
	for l < len(a) && l < len(b) && l < 4 && a[l] == b[l] {
		l++
	}
	return j + float64(l)*0.1*(1-j)
}

func jaro[T byte | rune](a, b []T) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	window := len(b)/2 - 1
	if window < 0 {
		window = 0
	}
	// Match flags: a is the shorter string; bitsets keep this allocation
	// free for names of up to 64 runes.
	var amBuf, bmBuf [64]bool
	var am, bm []bool
	if len(b) <= 64 {
		am, bm = amBuf[:len(a)], bmBuf[:len(b)]
	} else {
		am, bm = make([]bool, len(a)), make([]bool, len(b))
	}
	matches := 0
	for i, r := range a {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > len(b) {
			hi = len(b)
		}
		for k := lo; k < hi; k++ {
			if !bm[k] && b[k] == r {
				am[i], bm[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	t, k := 0, 0
	for i := range a {
		if !am[i] {
			continue
		}
		for !bm[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(t/2))/m) / 3
}

// EditDistanceAtMost reports whether the Damerau (optimal string alignment)
// edit distance between a and b is at most k, for small k. It works on
// bytes, which is exact for the ASCII identifiers and dates it is used on.
func EditDistanceAtMost(a, b string, k int) bool {
	if a == b {
		return true
	}
	d := len(a) - len(b)
	if d < 0 {
		d = -d
	}
	if d > k {
		return false
	}
	if k == 1 {
		return withinOneEdit(a, b)
	}
	return osaDistance(a, b) <= k
}

// withinOneEdit reports, in linear time, whether a and b (a != b) differ
// by one substitution, insertion, deletion or transposition of adjacent
// bytes.
func withinOneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:] // b has one byte more
}

func osaDistance(a, b string) int {
	n, m := len(a), len(b)
	if n == 0 {
		return m
	}
	if m == 0 {
		return n
	}
	var buf [3 * 33]int
	var prev2, prev, cur []int
	if m+1 <= 33 {
		prev2, prev, cur = buf[0:m+1], buf[33:33+m+1], buf[66:66+m+1]
	} else {
		prev2, prev, cur = make([]int, m+1), make([]int, m+1), make([]int, m+1)
	}
	for j := 0; j <= m; j++ {
		prev[j] = j
	}
	for i := 1; i <= n; i++ {
		cur[0] = i
		for j := 1; j <= m; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[m]
}
