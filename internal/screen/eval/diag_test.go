package eval

import (
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/shareddata"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// TestDiagnose lists the tuning half's misses and false alerts with their
// explanations (MOSAIC_DIAG=1; the test half is not looked at).
func TestDiagnose(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") == "" {
		t.Skip("MOSAIC_DIAG not set")
	}
	entries := loadUN(t)
	ix := screen.NewIndex()
	ix.ReplaceList("un", entries)
	pq := Positives(entries, TunePart, TunePosSeed, V2)
	pos := Run(ix, pq)
	nq := Negatives(entries, 50000, TuneNegSeed, V2)
	neg := Run(ix, nq)
	th := screen.DefaultThreshold
	byID := map[string]string{}
	for _, e := range entries {
		byID[e.EntryID] = latinName(e)
	}
	for i, o := range pos {
		if o.True >= th {
			continue
		}
		q := pq[i].Query
		q.MinScore = 0.01
		q.Limit = 50
		var ex []string
		for _, h := range ix.Screen(q) {
			if h.EntryID == pq[i].EntryID {
				ex = h.Explanation
				break
			}
		}
		t.Logf("MISS %-16s %.3f (other %.3f) %q -> %s %q\n\t%s", pq[i].Kind, o.True, o.Other, q.Name, pq[i].EntryID, byID[pq[i].EntryID], strings.Join(ex, "\n\t"))
	}
	type fa struct {
		s    float64
		line string
	}
	var fas []fa
	for i, o := range neg {
		if o.Other < th-0.1 {
			continue
		}
		h := ix.Screen(screen.Query{Name: nq[i].Query.Name, Schema: nq[i].Query.Schema, MinScore: 0.01, Limit: 1})
		fas = append(fas, fa{o.Other, "NEG " + strings.Repeat("*", b2i(o.Other >= th)) + " " + fmt3(o.Other) + " " + nq[i].Query.Name + " -> " + h[0].EntryID + " " + h[0].Matched + "\n\t" + strings.Join(h[0].Explanation, "\n\t")})
	}
	sort.Slice(fas, func(i, j int) bool { return fas[i].s > fas[j].s })
	for _, f := range fas {
		t.Log(f.line)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func fmt3(f float64) string { return strings.TrimRight(strings.TrimRight(strconvF(f), "0"), ".") }

func strconvF(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// TestDiagTrainEval trains on the tuning half and prints the tuning-half
// figures (MOSAIC_DIAG=train; MOSAIC_MODEL=out.json writes the model).
func TestDiagTrainEval(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "train" {
		t.Skip("MOSAIC_DIAG=train not set")
	}
	entries := loadUN(t)
	r, err := LoadRenderer(shareddata.Path(t, "data/screening/variants"))
	if err != nil {
		t.Fatal(err)
	}
	m := screen.DefaultModel()
	if os.Getenv("MOSAIC_NOTRAIN") == "" {
		m, err = Train(entries, TrainOptions{Renderer: r})
		if err != nil {
			t.Fatal(err)
		}
		t.Log(m.Note)
		if p := os.Getenv("MOSAIC_MODEL"); p != "" {
			b, _ := json.MarshalIndent(m, "", "  ")
			os.WriteFile(p, append(b, '\n'), 0o644)
		}
	}
	ix := screen.NewIndex()
	ix.SetModel(m)
	ix.ReplaceList("un", entries)
	rep := Evaluate(ix, entries, Options{Model: m, Renderer: r})
	var b strings.Builder
	rep.Write(&b)
	os.WriteFile("/tmp/sdiag/last_eval.txt", []byte(b.String()), 0o644)
	for _, l := range strings.Split(b.String(), "\n")[2:4] {
		t.Log(l)
	}
	rc, _ := Rates(rep.TunePos, nil, screen.DefaultThreshold)
	t.Logf("tuning recall at default %.4f", rc)
}

// TestDiagCross lists the tuning half's cross-script misses
// (MOSAIC_DIAG=cross; the test half is not looked at).
func TestDiagCross(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "cross" {
		t.Skip("MOSAIC_DIAG=cross not set")
	}
	entries := loadUN(t)
	ix := screen.NewIndex()
	ix.ReplaceList("un", WithoutScript(entries, "arabic"))
	byID := map[string]watchlist.Entry{}
	for _, e := range entries {
		byID[e.EntryID] = e
	}
	miss := 0
	qs := ArabicQueriesPart(entries, TunePart)
	for _, l := range qs {
		q := l.Query
		q.MinScore = 0.01
		q.Limit = 50
		var best screen.Hit
		other := 0.0
		for _, h := range ix.Screen(q) {
			if h.EntryID == l.EntryID {
				if h.Score > best.Score {
					best = h
				}
			} else {
				other = max(other, h.Score)
			}
		}
		if best.Score >= screen.DefaultThreshold {
			continue
		}
		miss++
		var latin []string
		for _, n := range byID[l.EntryID].Names {
			if n.Script != "arabic" {
				latin = append(latin, n.Value)
			}
		}
		t.Logf("XMISS %.3f (other %.3f) %q -> %s %q\n\t%s", best.Score, other, q.Name, l.EntryID, strings.Join(latin, " | "), strings.Join(best.Explanation, "\n\t"))
	}
	t.Logf("%d of %d missed", miss, len(qs))
}

// TestDiagCrossNeg lists the tuning half's generated names written in
// Arabic script that score highest (MOSAIC_DIAG=crossneg).
func TestDiagCrossNeg(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "crossneg" {
		t.Skip("MOSAIC_DIAG=crossneg not set")
	}
	entries := loadUN(t)
	r, err := LoadRenderer(shareddata.Path(t, "data/screening/variants"))
	if err != nil {
		t.Fatal(err)
	}
	ix := screen.NewIndex()
	ix.ReplaceList("un", entries)
	type fa struct {
		s    float64
		line string
	}
	var fas []fa
	negs := r.ArabicNegativesFor(entries, 50000, TuneNegSeed, V2)
	for _, l := range negs {
		h := ix.Screen(screen.Query{Name: l.Query.Name, Schema: l.Query.Schema, MinScore: 0.5, Limit: 1})
		if len(h) == 0 {
			continue
		}
		fas = append(fas, fa{h[0].Score, fmt3(h[0].Score) + " " + l.Query.Name + " -> " + h[0].EntryID + " " + h[0].Matched + "\n\t" + strings.Join(h[0].Explanation, "\n\t")})
	}
	sort.Slice(fas, func(i, j int) bool { return fas[i].s > fas[j].s })
	for i, f := range fas {
		if i < 60 {
			t.Log(f.line)
		}
	}
	t.Logf("%d negatives", len(negs))
}

// TestDiagCrossTune measures the tuning half's cross-script recall and
// the tuning half's generated Arabic-script names' false alerts at the
// default threshold (MOSAIC_DIAG=crosstune).
func TestDiagCrossTune(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "crosstune" {
		t.Skip("MOSAIC_DIAG=crosstune not set")
	}
	entries, r, ix := crossScriptSetup(t)
	hit := 0
	qs := ArabicQueriesPart(entries, TunePart)
	var pos []float64
	for _, l := range qs {
		best := bestFor(ix, l.Query, l.EntryID)
		pos = append(pos, best)
		if best >= screen.DefaultThreshold {
			hit++
		}
	}
	full := screen.NewIndex()
	full.ReplaceList("un", entries)
	negs := r.ArabicNegativesFor(entries, 50000, TuneNegSeed, V2)
	var neg []float64
	for _, l := range negs {
		h := full.Screen(screen.Query{Name: l.Query.Name, Schema: l.Query.Schema, MinScore: 0.5, Limit: 1})
		s := 0.0
		if len(h) > 0 {
			s = h[0].Score
		}
		neg = append(neg, s)
	}
	rate := func(xs []float64, th float64) float64 {
		n := 0
		for _, x := range xs {
			if x >= th {
				n++
			}
		}
		return float64(n) / float64(len(xs))
	}
	t.Logf("tuning cross recall %d/%d = %.4f at %.2f; tuning Arabic-script negatives %d, false alerts %.4f (%.0f)",
		hit, len(qs), float64(hit)/float64(len(qs)), screen.DefaultThreshold, len(negs), rate(neg, screen.DefaultThreshold),
		rate(neg, screen.DefaultThreshold)*float64(len(negs)))
	for th := 0.70; th < 0.951; th += 0.025 {
		t.Logf("  at %.3f: recall %.4f, false alerts %.4f", th, rate(pos, th), rate(neg, th))
	}
}

// TestDiagTrainAbjad fits only the model for Arabic-script queries on the
// tuning half, keeping the model in MOSAIC_BASE for Latin-script queries,
// and writes the result to MOSAIC_MODEL (MOSAIC_DIAG=trainabjad); with
// MOSAIC_XLIT=1 it fits only the base's xlit, xlit_max and Arabic-script
// offset weights instead (TrainOptions.FitXlit).
func TestDiagTrainAbjad(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "trainabjad" {
		t.Skip("MOSAIC_DIAG=trainabjad not set")
	}
	b, err := os.ReadFile(os.Getenv("MOSAIC_BASE"))
	if err != nil {
		t.Fatal(err)
	}
	base, err := screen.ParseModel(b)
	if err != nil {
		t.Fatal(err)
	}
	r, err := LoadRenderer(shareddata.Path(t, "data/screening/variants"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Train(loadUN(t), TrainOptions{Renderer: r, Base: base, AbjadModel: os.Getenv("MOSAIC_XLIT") == "", FitXlit: os.Getenv("MOSAIC_XLIT") != ""})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(m.Note)
	out, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(os.Getenv("MOSAIC_MODEL"), append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDiagCrossRunOn screens the tuning half's Arabic-script person names
// with two neighbouring words typed run together where the first ends in
// a letter that does not join (no space is then visible), one variant per
// such pair of words, against the Latin-only entries (MOSAIC_DIAG=runon):
// a development set for splitRunOn built from tuning data only.
func TestDiagCrossRunOn(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "runon" {
		t.Skip("MOSAIC_DIAG=runon not set")
	}
	entries, _, ix := crossScriptSetup(t)
	var tally devTally
	for _, l := range ArabicQueriesPart(entries, TunePart) {
		if l.Query.Schema != watchlist.Person {
			continue
		}
		ws := strings.Fields(l.Query.Name)
		for i := 0; i+1 < len(ws); i++ {
			rs := []rune(ws[i])
			if len(rs) < 3 || len([]rune(ws[i+1])) < 3 || !strings.ContainsRune("اأإآدذرزوؤژ", rs[len(rs)-1]) {
				continue
			}
			run := append(append(append([]string{}, ws[:i]...), ws[i]+ws[i+1]), ws[i+2:]...)
			q := l.Query
			q.Name = strings.Join(run, " ")
			tally.add(t, "RMISS", bestFor(ix, q, l.EntryID), q.Name)
		}
	}
	t.Logf("run-together words: %d names, found %d at %.2f", tally.n, tally.hit, screen.DefaultThreshold)
}

// TestDiagCrossYa screens the tuning half's Arabic-script names that have
// a word ending in ya (ي) with every such ya written as alif maqsura (ى),
// as Egyptian and Persian spelling often does, against the Latin-only
// entries (MOSAIC_DIAG=ya): a development set for the final-ya reading
// built from tuning data only.
func TestDiagCrossYa(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "ya" {
		t.Skip("MOSAIC_DIAG=ya not set")
	}
	entries, _, ix := crossScriptSetup(t)
	var tally devTally
	for _, l := range ArabicQueriesPart(entries, TunePart) {
		ws := strings.Fields(l.Query.Name)
		changed := false
		for i, w := range ws {
			if x, ok := strings.CutSuffix(w, "ي"); ok && len([]rune(x)) >= 2 {
				ws[i] = x + "ى"
				changed = true
			}
		}
		if !changed {
			continue
		}
		q := l.Query
		q.Name = strings.Join(ws, " ")
		tally.add(t, "YMISS", bestFor(ix, q, l.EntryID), q.Name)
	}
	t.Logf("final ya written as alif maqsura: %d names, found %d at %.2f", tally.n, tally.hit, screen.DefaultThreshold)
}

// bestFor screens q down to a score of 0.01 (top 50) and returns the best
// score of the entry id among the hits (0 when it is not among them).
func bestFor(ix *screen.Index, q screen.Query, id string) float64 {
	q.MinScore = 0.01
	q.Limit = 50
	best := 0.0
	for _, h := range ix.Screen(q) {
		if h.EntryID == id {
			best = max(best, h.Score)
		}
	}
	return best
}

// devTally counts a development set's names and those found at the
// default threshold, logging the misses with MOSAIC_V set.
type devTally struct{ n, hit int }

func (d *devTally) add(t *testing.T, tag string, best float64, name string) {
	d.n++
	if best >= screen.DefaultThreshold {
		d.hit++
	} else if os.Getenv("MOSAIC_V") != "" {
		t.Logf("%s %.3f %q", tag, best, name)
	}
}

// TestDiagCrossDropBest screens each Arabic-script name of the tuning
// half against the Latin-only entries, its own entry less the
// Latin-script name it scores best against (MOSAIC_DIAG=dropbest): a
// harder cross-script development set, in which the entry's other Latin
// names are shorter, longer or spelt otherwise. Entries with one
// Latin-script name are left out.
func TestDiagCrossDropBest(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "dropbest" {
		t.Skip("MOSAIC_DIAG=dropbest not set")
	}
	entries := loadUN(t)
	latinOnly := WithoutScript(entries, "arabic")
	at := map[string]int{}
	for i, e := range latinOnly {
		at[e.EntryID] = i
	}
	var tally devTally
	for _, l := range ArabicQueriesPart(entries, TunePart) {
		i, ok := at[l.EntryID]
		if !ok || len(latinOnly[i].Names) < 2 {
			continue
		}
		e := latinOnly[i]
		one := screen.NewIndex()
		one.ReplaceList("un", []watchlist.Entry{e})
		q := l.Query
		q.MinScore, q.Limit = 0.001, 50
		best, bs := "", -1.0
		for _, h := range one.Screen(q) {
			if h.Score > bs {
				bs, best = h.Score, h.Matched
			}
		}
		c := e
		c.Names = nil
		for _, n := range e.Names {
			if n.Value != best {
				c.Names = append(c.Names, n)
			}
		}
		if len(c.Names) == 0 || len(c.Names) == len(e.Names) {
			continue
		}
		others := append([]watchlist.Entry(nil), latinOnly...)
		others[i] = c
		ix := screen.NewIndex()
		ix.ReplaceList("un", others)
		tally.add(t, "DMISS", bestFor(ix, l.Query, l.EntryID), l.Query.Name+" (left out: "+best+")")
	}
	t.Logf("best Latin-script name left out: %d names, found %d at %.2f", tally.n, tally.hit, screen.DefaultThreshold)
}

// TestDiagArabicSelf screens the tuning half's Arabic-script names,
// respelt, against the whole list, their own Arabic-script names
// included (MOSAIC_DIAG=self): each name with a long vowel letter (ا, و,
// ي) inside its first word of four letters or more left out, and each
// name holding ة with it written ه. A check that Arabic-script spellings
// still meet each other.
func TestDiagArabicSelf(t *testing.T) {
	if os.Getenv("MOSAIC_DIAG") != "self" {
		t.Skip("MOSAIC_DIAG=self not set")
	}
	entries := loadUN(t)
	full := screen.NewIndex()
	full.ReplaceList("un", entries)
	var exact, vowel, taa devTally
	for _, l := range ArabicQueriesPart(entries, TunePart) {
		exact.add(t, "EMISS", bestFor(full, l.Query, l.EntryID), l.Query.Name)
		ws := strings.Fields(l.Query.Name)
	words:
		for i, w := range ws {
			rs := []rune(w)
			if len(rs) < 4 {
				continue
			}
			for k := 1; k < len(rs)-1; k++ {
				if rs[k] == 'ا' || rs[k] == 'و' || rs[k] == 'ي' {
					ws2 := append([]string(nil), ws...)
					ws2[i] = string(rs[:k]) + string(rs[k+1:])
					q := l.Query
					q.Name = strings.Join(ws2, " ")
					vowel.add(t, "VMISS", bestFor(full, q, l.EntryID), q.Name)
					break words
				}
			}
		}
		if strings.Contains(l.Query.Name, "ة") {
			q := l.Query
			q.Name = strings.ReplaceAll(q.Name, "ة", "ه")
			taa.add(t, "TMISS", bestFor(full, q, l.EntryID), q.Name)
		}
	}
	t.Logf("Arabic-script names against the whole list: as written %d of %d, a long vowel left out %d of %d, ة as ه %d of %d",
		exact.hit, exact.n, vowel.hit, vowel.n, taa.hit, taa.n)
}
