package eval

import (
	"os"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/screen"
)

// renderName writes a listed Latin-script name in Arabic script word by
// word (words split at spaces and hyphens, "al"/"el" joined to the word
// after it), or false when a word has no Arabic form in the tables.
func (r *Renderer) renderName(name string) (string, bool) {
	f := strings.FieldsFunc(names.Fold(name), func(c rune) bool { return c == ' ' || c == '-' || c == '\'' || c == ',' || c == '.' })
	var out []string
	for i := 0; i < len(f); i++ {
		w := f[i]
		if (w == "al" || w == "el") && i+1 < len(f) {
			a, ok := r.ar[f[i+1]]
			if !ok {
				return "", false
			}
			if !strings.HasPrefix(a, "ال") {
				a = "ال" + a
			}
			out = append(out, a)
			i++
			continue
		}
		a, ok := r.ar[w]
		if !ok {
			return "", false
		}
		out = append(out, a)
	}
	return strings.Join(out, " "), len(out) > 0
}

// TestDiagCrossSynth screens the tuning-half entries' Latin-script person
// names written in Arabic script from the shared pair tables against the
// entries' Latin-script names (MOSAIC_DIAG=synth): a cross-script set not
// used to design any rule. The test half is not looked at.
func TestDiagCrossSynth(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "synth" {
		t.Skip("MOSAIC_DIAG=synth not set")
	}
	entries, r, ix := crossScriptSetup(t)
	n, hit, retrieved := 0, 0, 0
	for i, e := range entries {
		if i%2 != TunePart || e.Schema != "Person" {
			continue
		}
		for _, nm := range e.Names {
			if nm.Script == "arabic" || nm.Weak {
				continue
			}
			a, ok := r.renderName(nm.Value)
			if !ok || len(strings.Fields(a)) < 2 {
				continue
			}
			n++
			best := 0.0
			var ex []string
			for _, h := range ix.Screen(screen.Query{Name: a, Schema: e.Schema, MinScore: 0.001, Limit: 50}) {
				if h.EntryID == e.EntryID && h.Score > best {
					best, ex = h.Score, h.Explanation
				}
			}
			if ex != nil {
				retrieved++
			}
			if best >= screen.DefaultThreshold {
				hit++
				continue
			}
			if os.Getenv("MOSAIC_V") != "" {
				t.Logf("SMISS %.3f %q <- %q\n\t%s", best, a, nm.Value, strings.Join(ex, "\n\t"))
			}
		}
	}
	t.Logf("synthetic cross-script: %d names, retrieved %d, found %d: recall %.4f", n, retrieved, hit, float64(hit)/float64(n))
}

// TestDiagCrossGen screens generated person names (seed 31, used by no
// other set) written in Arabic script against an index of the UN list's
// Latin-script names plus the generated names in Latin script
// (MOSAIC_DIAG=gen): a larger cross-script set for development. Only
// names whose every word the pair tables know solely from the held-out
// fifth of the pairs are used, so the learned tables have not seen them.
func TestDiagCrossGen(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "gen" {
		t.Skip("MOSAIC_DIAG=gen not set")
	}
	_, r, ix := crossScriptSetup(t)
	gen, qs := r.ArabicGenerated(31, 1500, true)
	ix.ReplaceList("gen", gen)
	out := Run(ix, qs)
	for _, th := range []float64{0.75, 0.8, screen.DefaultThreshold, 0.85, 0.9} {
		rc, _ := Rates(out, nil, th)
		t.Logf("generated names in Arabic script against their Latin spelling: %d names, recall at %.3f %.4f", len(qs), th, rc)
	}
	if os.Getenv("MOSAIC_V") != "" {
		for i, o := range out {
			if o.True < screen.DefaultThreshold {
				t.Logf("GMISS %.3f (other %.3f) %q <- %q", o.True, o.Other, qs[i].Query.Name, gen[i].Names[0].Value)
			}
		}
	}
}
