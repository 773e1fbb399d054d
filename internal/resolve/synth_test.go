package resolve

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var syllables = strings.Fields("ka ri mo ha sa na li to de ba el an or us ve zu pe ja qu fi ro si ma ne lu go te ar in ol bre dan kel mir tos val wen yor zan")

// variantGroups are given names with their usual Latin spellings.
var variantGroups = [][]string{
	{"mohammed", "muhammad", "mohamed", "mohamad"},
	{"yusuf", "youssef", "yousef"},
	{"ahmed", "ahmad"},
	{"hussein", "husain", "hussain"},
	{"olga", "olha"},
	{"aleksandr", "alexander", "aleksander"},
	{"sergei", "sergey"},
	{"katherine", "catherine", "kathryn"},
	{"mikhail", "michail"},
	{"abdulrahman", "abd al-rahman", "abdul rahman"},
}

// synthWorld makes n synthetic people with k records each: syllable names
// drawn with a skewed (Zipf-like) frequency, common given names with
// their transliteration variants, typos, initials, reordered and missing
// parts, missing and mistyped dates of birth, passports and phones, and a
// few hotel addresses shared by many (hubs). It returns the records and
// the truth (record ID -> person).
func synthWorld(n, k int, seed uint64) ([]Record, map[string]string) {
	rng := rand.New(rand.NewPCG(seed, 7))
	skew := func(m int) int { u := rng.Float64(); return int(float64(m) * u * u) }
	word := func(parts int) string {
		var b strings.Builder
		for range parts {
			b.WriteString(syllables[skew(len(syllables))])
		}
		return b.String()
	}
	typo := func(s string) string {
		if len(s) < 4 {
			return s
		}
		i := 1 + rng.IntN(len(s)-2)
		switch rng.IntN(3) {
		case 0:
			return s[:i] + s[i+1:i+2] + s[i:i+1] + s[i+2:]
		case 1:
			return s[:i] + s[i+1:]
		default:
			return s[:i] + string(rune('a'+rng.IntN(26))) + s[i+1:]
		}
	}
	hotels := []string{"1 Grand Hotel Plaza, Metropolis", "22 Station Road Inn, Gotham", "5 Airport Lodge, Springfield"}
	var recs []Record
	truth := map[string]string{}
	for p := range n {
		var given []string
		if rng.IntN(5) == 0 {
			given = variantGroups[rng.IntN(len(variantGroups))]
		} else {
			given = []string{word(2 + rng.IntN(2))}
		}
		family := word(2 + rng.IntN(2))
		middle := ""
		if rng.IntN(3) == 0 {
			middle = word(2)
		}
		dob := fmt.Sprintf("%04d-%02d-%02d", 1940+rng.IntN(65), 1+rng.IntN(12), 1+rng.IntN(28))
		pass := fmt.Sprintf("P%07d", rng.IntN(10_000_000))
		phone := fmt.Sprintf("+44 7700 %06d", rng.IntN(1_000_000))
		for j := range k {
			g := given[rng.IntN(len(given))]
			f := family
			if rng.IntN(4) == 0 {
				f = typo(f)
			} else if rng.IntN(6) == 0 {
				g = typo(g)
			}
			parts := []string{g}
			if middle != "" && rng.IntN(2) == 0 {
				parts = append(parts, middle)
			}
			parts = append(parts, f)
			switch rng.IntN(20) {
			case 0:
				parts[0] = parts[0][:1] + "."
			case 1:
				parts = append(parts[1:], parts[0])
			}
			r := Record{ID: fmt.Sprintf("p%d-r%d", p, j), Names: []string{strings.Join(parts, " ")}}
			if rng.IntN(4) > 0 {
				d := dob
				if rng.IntN(20) == 0 {
					d = typo(d)
				}
				r.BirthDates = []string{d}
			}
			if rng.IntN(2) == 0 {
				r.Identifiers = map[string][]string{"passport": {pass}}
			}
			if rng.IntN(4) == 0 {
				if r.Identifiers == nil {
					r.Identifiers = map[string][]string{}
				}
				r.Identifiers["phone"] = []string{phone}
			}
			if rng.IntN(20) == 0 {
				r.Addresses = []string{hotels[rng.IntN(len(hotels))]}
			}
			recs = append(recs, r)
			truth[r.ID] = fmt.Sprint(p)
		}
	}
	return recs, truth
}
