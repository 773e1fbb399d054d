package genworld

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/resolve/eval"
)

// TestDiagClasses counts a world's missed pairs by why each fragment of a
// person stays apart from the person's largest fragment (not run by
// default):
//
//	MOSAIC_DIAG=DIR go test ./internal/resolve/genworld -run 'TestDiagClasses$' -v
//
// A fragment's class is read from the explanation of its strongest pair
// with the main fragment; its missed pairs are |fragment| x |main|.
func TestDiagClasses(t *testing.T) {
	dir, w := diagWorld(t)
	w = w.Named()
	byID, e, cl := resolveWorld(t, w)
	t.Logf("%v", eval.Compare(cl, w.Truth))
	full, err := ReadNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	bearers := map[string]int{}
	for _, n := range full {
		bearers[strings.ToLower(n)]++
	}
	byT := map[string][]string{}
	for id, p := range w.Truth {
		byT[p] = append(byT[p], id)
	}
	pairs := map[string]int64{}
	frags := map[string]int{}
	samples := map[string][]string{}
	for _, mem := range byT {
		fs := fragments(mem, cl)
		if fs == nil {
			continue
		}
		for _, f := range fs[1:] {
			var bx resolve.Explanation
			bx.Weight = -1e18
			for _, a := range f {
				for _, b := range fs[0] {
					x, _ := e.Explain(a, b)
					if x.Weight > bx.Weight {
						bx = x
					}
				}
			}
			k := missClass(bx, byID, w.Truth)
			if strings.HasPrefix(k, "weak, ambiguous") {
				if bearers[strings.ToLower(full[w.Truth[f[0]]])] == 1 {
					k += " (full name unique)"
				} else {
					k += " (full name shared)"
				}
			}
			pairs[k] += int64(len(f) * len(fs[0]))
			frags[k]++
			if len(samples[k]) < 12 {
				sm := recStr(byID[bx.A]) + " (" + full[w.Truth[bx.A]] + ") | " + recStr(byID[bx.B]) + "\n      " + bx.String()
				for _, a := range bx.Alternatives {
					m, _ := e.Members(a)
					var ns []string
					for _, x := range m {
						ns = append(ns, fmt.Sprintf("%q", byID[x].Names))
					}
					sm += fmt.Sprintf("\n      alt %s true %q holds %s", a, full[w.Truth[a]], strings.Join(ns, " "))
				}
				samples[k] = append(samples[k], sm)
			}
		}
	}
	t.Logf("missed pairs (fragment x main) by class: %v", top(pairs))
	t.Logf("fragments by class: %v", topI(frags))
	if os.Getenv("MOSAIC_DIAG_SAMPLES") != "" {
		for k, s := range samples {
			t.Logf("== %s\n    %s", k, strings.Join(s, "\n    "))
		}
	}
}

func missClass(x resolve.Explanation, byID map[string]*resolve.Record, truth map[string]string) string {
	var name resolve.Contribution
	other := 0.0
	for _, c := range x.Contributions {
		if c.Feature == "name" {
			name = c
		} else if c.Weight > 0 {
			other += c.Weight
		}
	}
	nameBad := name.Level == "differs" || name.Level == "some parts agree, others differ"
	switch {
	case x.Link == "strong":
		// The entities are kept apart: say by what ("names differ").
		c := x.Conflict
		if i := strings.LastIndex(c, "; "); i >= 0 {
			return "strong link refused: " + c[i+2:]
		}
		return "strong link refused: other features"
	case nameBad && other >= 5:
		if initialOfVariant(byID[x.A], byID[x.B]) {
			return "names conflict, other evidence agrees: initial of a variant"
		}
		return "names conflict, other evidence agrees"
	case nameBad:
		return "names conflict, little else"
	case x.Link == "weak" && x.Conflict != "":
		c := x.Conflict
		if i := strings.Index(c, ";"); i >= 0 {
			c = c[:i]
		}
		if strings.Contains(c, "dob") || strings.Contains(c, "dates") {
			return "weak, entities distinct: dates"
		}
		return "weak, entities distinct: contacts"
	case x.Link == "weak" && len(x.Alternatives) > 0:
		same := 0
		for _, a := range x.Alternatives {
			if truth[a] == truth[x.A] {
				same++
			}
		}
		if same == len(x.Alternatives) {
			return "weak, ambiguous: rivals are the person's own fragments"
		}
		return "weak, ambiguous: namesakes"
	case x.Link == "weak":
		return "weak, exclusive but not joined"
	case x.Weight >= 0:
		return "no link, score above 0"
	}
	return "no link"
}

// initialOfVariant reports whether an initial of one record's name is the
// first letter of a part of the other's as written but not of its
// canonical form ("L. de Vries" / "Lotte de Vries", read "charlotte").
func initialOfVariant(a, b *resolve.Record) bool {
	for _, p := range [2][2]*resolve.Record{{a, b}, {b, a}} {
		for _, na := range p[0].Names {
			for _, ta := range names.Parse(na, names.KindPerson).Parts() {
				if len(ta.Text) != 1 {
					continue
				}
				for _, nb := range p[1].Names {
					for _, tb := range names.Parse(nb, names.KindPerson).Parts() {
						if len(tb.Text) > 1 && tb.Text[0] == ta.Text[0] && tb.Canon[0] != ta.Text[0] {
							return true
						}
					}
				}
			}
		}
	}
	return false
}
