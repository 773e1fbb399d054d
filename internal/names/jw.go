package names

// JaroWinkler returns the Jaro-Winkler similarity of a and b in [0,1],
// computed over bytes (inputs are folded ASCII). Prefix scale 0.1, up to
// four prefix bytes.
func JaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > lb {
		a, b = b, a
		la, lb = lb, la
	}
	win := lb/2 - 1
	if win < 0 {
		win = 0
	}
	var ma, mb [64]bool
	if lb > 64 {
		a, b = a[:min(la, 64)], b[:64]
		la, lb = len(a), len(b)
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-win), min(lb-1, i+win)
		for j := lo; j <= hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	tr, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			tr++
		}
		k++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(tr)/2)/fm) / 3
	p := 0
	for p < 4 && p < la && a[p] == b[p] {
		p++
	}
	return jaro + float64(p)*0.1*(1-jaro)
}
