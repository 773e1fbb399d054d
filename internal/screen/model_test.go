package screen

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

func TestDefaultModel(t *testing.T) {
	m, err := ParseModel(modelJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, mm := range []*Model{m, m.Abjad} {
		if mm == nil {
			continue
		}
		for i, sign := range FeatureSigns {
			if w := mm.w[i]; sign != 0 && w*float64(sign) < 0 {
				t.Errorf("feature %s has weight %v against its sign %d", FeatureNames[i], w, sign)
			}
		}
	}
	// More of the query explained never scores lower.
	var lo, hi Features
	lo[FQCov], lo[FCCov], lo[FNameSim], lo[FInfo], lo[FMinSim] = 0.5, 0.5, 0.5, 1, 0.9
	hi = lo
	hi[FQCov], hi[FNameSim], hi[FInfo] = 0.9, 0.67, 1.8
	if m.Logit(&hi) <= m.Logit(&lo) {
		t.Errorf("more agreement scores %v <= %v", m.Logit(&hi), m.Logit(&lo))
	}
	// A Latin-script query is scored by the main model, an Arabic-script
	// one by the Arabic-script model when there is one.
	two, err := ParseModel([]byte(`{"bias": 1, "weights": {"qcov": 1}, "abjad": {"bias": -3, "weights": {"qcov": 2}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var lat, ar Features
	lat[FQCov], ar[FQCov], ar[FAbjadQuery] = 1, 1, 1
	if two.For(&lat) != two || two.For(&ar) != two.Abjad || m.Abjad == nil && m.For(&ar) != m {
		t.Error("For picks the wrong model")
	}
	if got := two.Logit(&lat); got != 2 {
		t.Errorf("Latin-script logit %v, want 2", got)
	}
	if got := two.Logit(&ar); got != -1 {
		t.Errorf("Arabic-script logit %v, want -1", got)
	}
	if _, err := ParseModel([]byte(`{"bias": 1, "abjad": {"weights": {"nonsense": 2}}}`)); err == nil {
		t.Error("unknown feature of the Arabic-script model accepted")
	}
	if _, err := ParseModel([]byte(`{"bias": 1, "weights": {"nonsense": 2}}`)); err == nil {
		t.Error("unknown feature accepted")
	}
}

// TestGatherExact checks gather against the rule it implements, by brute
// force over every name of a random index: a name is a candidate when the
// query parts it holds (a match at least postMinSim alike) weigh at least
// gateShare of the query.
func TestGatherExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	syll := []string{"ka", "ri", "mo", "sa", "ha", "li", "den", "tor", "ma", "bek", "nu", "zo"}
	word := func() string {
		w := ""
		for range 1 + rng.IntN(3) {
			w += syll[rng.IntN(len(syll))]
		}
		return w
	}
	ix := NewIndex()
	var entries []watchlist.Entry
	for i := range 3000 {
		n := ""
		for j := range 2 + rng.IntN(2) {
			if j > 0 {
				n += " "
			}
			n += word()
		}
		entries = append(entries, watchlist.Entry{EntryID: strconv.Itoa(i), Schema: watchlist.Person,
			Names: []watchlist.Name{{Value: n}}})
	}
	ix.ReplaceList("r", entries)
	compared := 0
	for q := range 200 {
		name := word() + " " + word()
		if q%3 == 0 {
			name += " " + word()
		}
		pq := names.Parse(name, names.KindPerson)
		s := ix.getScratch()
		s.qts = ix.matchTokens(pq, s)
		ix.prepareSims(s)
		got := slices.Clone(ix.gather(s, watchlist.Person))
		var total float64
		for _, qt := range s.qts {
			total += qt.weight
		}
		var want []int32
		for rid := range ix.recs {
			nr := &ix.recs[rid]
			if nr.flags&recAlive == 0 {
				continue
			}
			var held float64
			for qi, qt := range s.qts {
				for _, tid := range ix.recToks[nr.toks.off : nr.toks.off+nr.toks.n] {
					if r := s.sims(tid); r != nil && r[qi] >= postMinSim {
						held += qt.weight
						break
					}
				}
			}
			if float32(held) >= float32(gateShare*total) {
				want = append(want, int32(rid))
			}
		}
		ix.scratch.Put(s)
		if len(want) > maxCandidates {
			continue // ranked and cut; the set test needs fewer
		}
		if len(want) > 0 {
			compared++
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			for _, rid := range want {
				if !slices.Contains(got, rid) {
					nr := &ix.recs[rid]
					t.Logf("missing %d %q toks %v roles %v", rid, ix.strs.str(nr.value), ix.recToks[nr.toks.off:nr.toks.off+nr.toks.n], ix.recRoles[nr.toks.off:nr.toks.off+nr.toks.n])
					for qi, qt := range s.qts {
						t.Logf("  part %d %q w %.2f matches %v", qi, qt.tok.Text, qt.weight, qt.matches)
					}
				}
			}
			t.Fatalf("query %q: gather %v, brute force %v", name, got, want)
		}
	}
	if compared < 50 {
		t.Errorf("only %d queries had candidates to compare", compared)
	}
}
