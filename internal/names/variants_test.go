package names

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/shareddata"
)

// readPairs reads Arabic/Latin pairs from the shared variant tables:
// google_ar2en.tsv is "arabic<TAB>latin", the Wikidata table is
// "latin<TAB>spaced arabic<TAB>count".
func readPairs(tb testing.TB, file string) [][2]string {
	tb.Helper()
	f, err := os.Open(shareddata.Path(tb, "data/screening/variants/"+file))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 2 {
			continue
		}
		if strings.HasSuffix(file, "ar2en.tsv") {
			out = append(out, [2]string{c[0], c[1]})
		} else {
			out = append(out, [2]string{strings.ReplaceAll(c[1], " ", ""), c[0]})
		}
	}
	return out
}

// TestArabicLatinKeys measures how often the phonetic key of a
// transliterated Arabic name equals, or nearly equals, the key of its
// Latin spelling on the shared pair tables. The floors are set a little
// under the measured rates so a regression in the tables fails the test.
func TestArabicLatinKeys(t *testing.T) {
	for _, tc := range []struct {
		file       string
		exact, sim float64
	}{
		{"google_ar2en.tsv", 0.86, 0.95},
		{"amazon_wikidata_wd_arabic_20.tsv", 0.82, 0.91},
	} {
		pairs := readPairs(t, tc.file)
		var exact, near int
		var miss []string
		for _, p := range pairs {
			ka := KeyOf(strings.TrimPrefix(Fold(p[0]), "al "))
			kl := KeyOf(Fold(p[1]))
			ka = strings.ReplaceAll(ka, " ", "")
			kl = strings.ReplaceAll(kl, " ", "")
			if ka == kl {
				exact++
				near++
				continue
			}
			if JaroWinkler(ka, kl) >= 0.85 {
				near++
			}
			if len(miss) < 40 {
				miss = append(miss, p[1]+"="+kl+" "+Fold(p[0])+"="+ka)
			}
		}
		re := float64(exact) / float64(len(pairs))
		rn := float64(near) / float64(len(pairs))
		t.Logf("%s: %d pairs, key equal %.3f, key JW>=0.85 %.3f", tc.file, len(pairs), re, rn)
		if testing.Verbose() {
			t.Logf("misses: %s", strings.Join(miss, "; "))
		}
		if re < tc.exact || rn < tc.sim {
			t.Errorf("%s: key agreement %.3f/%.3f below floor %.3f/%.3f", tc.file, re, rn, tc.exact, tc.sim)
		}
	}
}
