package genworld

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/resolve/eval"
)

func roleOf(id string) string {
	i := strings.LastIndexByte(id, '#')
	pre := id[:3]
	return pre + "#" + id[i+1:]
}

func readLinks(dir string) map[[2]string]string {
	f, _ := os.Open(filepath.Join(dir, "truth/links.csv"))
	defer f.Close()
	rows, _ := csv.NewReader(f).ReadAll()
	out := map[[2]string]string{}
	for _, r := range rows[1:] {
		a, b := r[0], r[1]
		if b < a {
			a, b = b, a
		}
		if r[2] == "family" || out[[2]string{a, b}] == "" {
			out[[2]string{a, b}] = r[2]
		}
	}
	return out
}

func readPeople(dir string) map[string][]string {
	f, _ := os.Open(filepath.Join(dir, "truth/people.csv"))
	defer f.Close()
	rows, _ := csv.NewReader(f).ReadAll()
	out := map[string][]string{}
	for _, r := range rows[1:] {
		out[r[0]] = r
	}
	return out
}

// diagWorld reads the world named by MOSAIC_DIAG, skipping the test
// when none is.
func diagWorld(t *testing.T) (string, *World) {
	t.Helper()
	dir := os.Getenv("MOSAIC_DIAG")
	if dir == "" {
		t.Skip("set MOSAIC_DIAG=DIR (a mosaic gen output)")
	}
	w, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, w
}

// Diagnostics of resolution on a generated world, against its truth (not
// run by default):
//
//	MOSAIC_DIAG=DIR [MOSAIC_DIAG_ALL=1] [MOSAIC_DIAG_OUT=DIR] [KIND=prefix] go test ./internal/resolve/genworld -run 'TestDiag$' -v
//
// counts false pairs by the true relation of the two people (family, same
// name, unrelated) and by the roles of the records whose link joined
// them, missed mentions by why (no link, an ambiguous or distinct weak
// link, a possible match), and writes samples with explanations.
// TestDiagPairs explains chosen pairs (PAIRS="A B C D"); TestDiagTime
// times a batch and prints the estimated model (MOSAIC_TIME=DIR).
func TestDiag(t *testing.T) {
	dir, w := diagWorld(t)
	if os.Getenv("MOSAIC_DIAG_ALL") == "" {
		w = w.Named()
	}
	links := readLinks(dir)
	people := readPeople(dir)
	byID, e, cl := resolveWorld(t, w)
	rep := eval.Compare(cl, w.Truth)
	t.Logf("%v", rep)
	rel := func(a, b string) string {
		if b < a {
			a, b = b, a
		}
		r := links[[2]string{a, b}]
		pa, pb := people[a], people[b]
		if pa != nil && pb != nil && pa[1] == pb[1] {
			r += "+samename"
		}
		if r == "" {
			r = "unrelated"
		}
		return r
	}
	// false merges
	byCl := map[string][]string{}
	for id, c := range cl {
		byCl[c] = append(byCl[c], id)
	}
	fpRel := map[string]int64{}
	fpRoles := map[string]int64{}
	var fpSamples []string
	for _, mem := range byCl {
		sort.Strings(mem)
		groups := map[string][]string{}
		for _, m := range mem {
			groups[w.Truth[m]] = append(groups[w.Truth[m]], m)
		}
		if len(groups) < 2 {
			continue
		}
		var ps []string
		for p := range groups {
			ps = append(ps, p)
		}
		sort.Strings(ps)
		for i := range ps {
			for j := i + 1; j < len(ps); j++ {
				n := int64(len(groups[ps[i]]) * len(groups[ps[j]]))
				r := rel(ps[i], ps[j])
				fpRel[r] += n
				// find strongest direct link between groups
				best, bp := "", -1.0
				for _, a := range groups[ps[i]] {
					ls, _ := e.Links(a)
					for _, l := range ls {
						if w.Truth[l.Record] == ps[j] && l.Merge && l.Probability > bp {
							bp = l.Probability
							best = a + " " + l.Record
						}
					}
				}
				if best != "" {
					f := strings.Fields(best)
					fpRoles[roleOf(f[0])+"-"+roleOf(f[1])] += n
					if len(fpSamples) < 400 {
						x, _ := e.Explain(f[0], f[1])
						fpSamples = append(fpSamples, fmt.Sprintf("[%s n=%d] %s %v | %s %v\n    %s", r, n, f[0], recStr(byID[f[0]]), f[1], recStr(byID[f[1]]), x))
					}
				} else {
					var bx resolve.Explanation
					bx.Weight = -1e9
					for _, a := range groups[ps[i]] {
						for _, b := range groups[ps[j]] {
							x, _ := e.Explain(a, b)
							if x.Weight > bx.Weight {
								bx = x
							}
						}
					}
					fpRoles["indirect "+bx.Link+" "+roleOf(bx.A)+"-"+roleOf(bx.B)] += n
					if len(fpSamples) < 400 {
						fpSamples = append(fpSamples, fmt.Sprintf("[indirect %s n=%d] %s %v | %s %v\n    %s", r, n, bx.A, recStr(byID[bx.A]), bx.B, recStr(byID[bx.B]), bx))
					}
				}
			}
		}
	}
	t.Logf("FALSE pairs by relation: %v", top(fpRel))
	t.Logf("FALSE pairs by direct edge roles: %v", top(fpRoles))
	// missed
	byT := map[string][]string{}
	for id, p := range w.Truth {
		byT[p] = append(byT[p], id)
	}
	missRoles := map[string]int64{}
	missKind := map[string]int64{}
	var missSamples []string
	singles := map[string]int{}
	for _, mem := range byT {
		fs := fragments(mem, cl)
		if fs == nil {
			continue
		}
		for _, f := range fs[1:] {
			n := int64(len(f) * (len(mem) - len(f)))
			_ = n
			// describe fragment: roles
			var rs []string
			for _, m := range f {
				rs = append(rs, roleOf(m))
			}
			sort.Strings(rs)
			key := strings.Join(rs, ",")
			if len(f) == 1 {
				singles[roleOf(f[0])+" "+evidence(byID[f[0]])]++
			}
			missRoles[key] += int64(len(f))
			// classify best link from f to main
			bp := -1.0
			best := ""
			for _, a := range f {
				ls, _ := e.Links(a)
				for _, l := range ls {
					if w.Truth[l.Record] == w.Truth[a] && cl[l.Record] != cl[a] && l.Probability > bp {
						bp, best = l.Probability, a+" "+l.Record
					}
				}
			}
			k := "nolink"
			switch {
			case bp >= 0.9:
				k = "merge-refused"
			case bp >= 0.5:
				k = "possible"
			}
			if best != "" {
				ff := strings.Fields(best)
				x, _ := e.Explain(ff[0], ff[1])
				if x.Link == "weak" {
					k = "weak-ambiguous"
					if x.Conflict != "" {
						k = "weak-distinct"
					}
					same := 0
					for _, a := range x.Alternatives {
						if w.Truth[a] == w.Truth[ff[0]] {
							same++
						}
					}
					if len(x.Alternatives) > 0 {
						if same == len(x.Alternatives) {
							k += "(alts all same person)"
						} else {
							k += "(alts other people)"
						}
					}
				}
			}
			missKind[k] += int64(len(f))
			if len(missSamples) < 400 && (os.Getenv("KIND") == "" || strings.HasPrefix(k, os.Getenv("KIND"))) {
				a := f[0]
				other := fs[0][0]
				if best != "" {
					ff := strings.Fields(best)
					a, other = ff[0], ff[1]
				}
				x, _ := e.Explain(a, other)
				alts := ""
				for _, al := range x.Alternatives {
					alts += fmt.Sprintf("\n      alt %s %v (%s)", al, recStr(byID[al]), w.Truth[al])
				}
				missSamples = append(missSamples, fmt.Sprintf("[%s] %s %v | %s %v\n    %s%s", k, a, recStr(byID[a]), other, recStr(byID[other]), x, alts))
			}
		}
	}
	t.Logf("MISSED fragment records by kind: %v", top(missKind))
	t.Logf("MISSED singleton fragments by role/evidence: %v", topI(singles))
	t.Logf("MISSED fragments by roles: %v", top(missRoles))
	out := os.Getenv("MOSAIC_DIAG_OUT")
	if out == "" {
		out = t.TempDir()
	}
	for name, samples := range map[string][]string{"false.txt": fpSamples, "missed.txt": missSamples} {
		if err := os.WriteFile(filepath.Join(out, name), []byte(strings.Join(samples, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("samples with explanations in %s (false.txt, missed.txt)", out)
}

func evidence(r *resolve.Record) string {
	var s []string
	if len(r.BirthDates) > 0 {
		s = append(s, "dob")
	}
	for k := range r.Identifiers {
		s = append(s, k)
	}
	if len(r.Addresses) > 0 {
		s = append(s, "addr")
	}
	sort.Strings(s)
	if len(s) == 0 {
		return "nameonly"
	}
	return strings.Join(s, "+")
}

func recStr(r *resolve.Record) string {
	if r == nil {
		return "?"
	}
	return fmt.Sprintf("%q %v %v %v", r.Names, r.BirthDates, r.Identifiers, r.Addresses)
}

func top(m map[string]int64) string {
	type kv struct {
		k string
		v int64
	}
	var s []kv
	var tot int64
	for k, v := range m {
		s = append(s, kv{k, v})
		tot += v
	}
	sort.Slice(s, func(i, j int) bool { return s[i].v > s[j].v })
	var b strings.Builder
	fmt.Fprintf(&b, "total %d:", tot)
	for i, x := range s {
		if i == 25 {
			break
		}
		fmt.Fprintf(&b, "\n   %8d %s", x.v, x.k)
	}
	return b.String()
}

func topI(m map[string]int) string {
	m2 := map[string]int64{}
	for k, v := range m {
		m2[k] = int64(v)
	}
	return top(m2)
}

func TestDiagPairs(t *testing.T) {
	dir := os.Getenv("MOSAIC_DIAG")
	pairs := strings.Fields(os.Getenv("PAIRS"))
	if dir == "" || len(pairs) == 0 {
		t.Skip()
	}
	w, _ := Read(dir)
	if os.Getenv("MOSAIC_DIAG_ALL") == "" {
		w = w.Named()
	}
	byID := map[string]*resolve.Record{}
	for i := range w.Records {
		byID[w.Records[i].ID] = &w.Records[i]
	}
	e := resolve.New(resolve.Config{})
	e.AddBatch(context.Background(), w.Records)
	for i := 0; i+1 < len(pairs); i += 2 {
		x, _ := e.Explain(pairs[i], pairs[i+1])
		t.Logf("%s %v (%s)\n%s %v (%s)\n  %s", pairs[i], recStr(byID[pairs[i]]), w.Truth[pairs[i]], pairs[i+1], recStr(byID[pairs[i+1]]), w.Truth[pairs[i+1]], x)
		for _, id := range pairs[i : i+2] {
			m, _ := e.Members(id)
			for _, mm := range m {
				t.Logf("   member of %s: %s %v (%s)", id, mm, recStr(byID[mm]), w.Truth[mm])
			}
			ls, _ := e.Links(id)
			t.Logf("   links of %s: %+v", id, ls)
		}
	}
}

func TestDiagTime(t *testing.T) {
	dir := os.Getenv("MOSAIC_TIME")
	if dir == "" {
		t.Skip()
	}
	w, _ := Read(dir)
	w = w.Named()
	e := resolve.New(resolve.Config{NoEstimate: os.Getenv("NOEST") != ""})
	e.AddBatch(context.Background(), w.Records)
	t.Log(eval.Compare(e.Clusters(), w.Truth))
	m := e.Model()
	t.Logf("prior %.4f", m.Prior)
	var fs []string
	for f := range m.Features {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	for _, f := range fs {
		var b strings.Builder
		for _, l := range m.Features[f].Levels {
			fmt.Fprintf(&b, " | %.10s m=%.3g u=%.3g ur=%.3g w=%.1f", l.Label, l.M, l.U, l.URandom, math.Log2(l.M/l.U))
		}
		t.Logf("%s%s", f, b.String())
	}
}

// fragments splits one true person's mentions by the cluster each was put
// in, largest fragment first (ties by first mention); nil when they are
// all in one cluster.
func fragments(mem []string, cl map[string]string) [][]string {
	sort.Strings(mem)
	frag := map[string][]string{}
	for _, m := range mem {
		frag[cl[m]] = append(frag[cl[m]], m)
	}
	if len(frag) < 2 {
		return nil
	}
	var fs [][]string
	for _, f := range frag {
		fs = append(fs, f)
	}
	sort.Slice(fs, func(i, j int) bool {
		if len(fs[i]) != len(fs[j]) {
			return len(fs[i]) > len(fs[j])
		}
		return fs[i][0] < fs[j][0]
	})
	return fs
}

// resolveWorld resolves w's records in one batch and returns them by ID,
// the engine and its clusters.
func resolveWorld(t *testing.T, w *World) (map[string]*resolve.Record, *resolve.Engine, map[string]string) {
	t.Helper()
	byID := map[string]*resolve.Record{}
	for i := range w.Records {
		byID[w.Records[i].ID] = &w.Records[i]
	}
	e := resolve.New(resolve.Config{})
	if err := e.AddBatch(context.Background(), w.Records); err != nil {
		t.Fatal(err)
	}
	return byID, e, e.Clusters()
}
