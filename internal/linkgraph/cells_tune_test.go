package linkgraph

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/graph/analytics"
)

// tuneTypes are the Person-to-Person edge types the tuning harness
// separates.
var tuneTypes = []string{"co_mentioned", "same_event", "visited_same", "communicated", "same_flight", "same_booking",
	"same_address", "same_phone", "same_vehicle", "visited", "referred", "arrested", "communicated_with", "affiliated_with", "member_of"}

type tuneWorld struct {
	name  string
	ids   []mosaic.ID
	pairs map[[2]int32][]float64 // per type: weight (count) between two nodes
	truth map[mosaic.ID]string
	g     *graph.Graph
}

// TestCellsTune is a development harness for the cell finder's
// parameters (docs/benchmarks/graph.md). MOSAIC_CELLS_TUNE=DATA:WORLD,...
// names stored, generated worlds as for TestCellsEval.
//
//   - MOSAIC_CELLS_TUNE_SEEDS=N with MOSAIC_CELLS_TUNE_RES=0.07/0.1/0.15:
//     the product's graph.Cells at each resolution, ARI averaged over N
//     Louvain visit orders (one order's ARI moves by a member or two),
//     with the errors summed over worlds and orders (see cellLoss) and
//     the number and size of the cells.
//   - MOSAIC_CELLS_TUNE_CONFIGS="name|type=w,...|f|res/res;...": the Person
//     projection re-weighted outside the product: per-type weights, f one
//     of lin, sqrt, log, cap3, pow1.5, sq applied to each type's count,
//     and the pseudo-types multi (factor for pairs tied by two types or
//     more), cmulti (the same counting only report, event, flight,
//     booking and call ties), hh (factor for pairs sharing an address),
//     hhp (an address or a phone), single (factor for pairs tied by one
//     occasion in all), strength (each weight divided by the product of
//     its ends' total weights to that power, rescaled to the same total)
//     and restarts (keep the best CPM quality of that many visit orders).
//     MOSAIC_CELLS_TUNE_ORDERS=N averages a config's ARI over N visit
//     orders instead.
//     MOSAIC_CELLS_TUNE_KEEPSMALL=1 sets graph.CellOptions.KeepSmall,
//     MOSAIC_CELLS_TUNE_MINSIZE=N its MinSize (3, the CLI's default).
//   - MOSAIC_CELLS_TUNE_DETAIL=1 prints, per truth cell, the community of
//     each member entity and the edges of members outside their cell's
//     main community; with MOSAIC_CELLS_TUNE_SEEDS, for the first visit
//     order, each misplaced member entity, the edge types tying
//     non-members into cells that hold members, and each cell found in
//     parts.
//
// Nothing here is used by the product; it reads the truth only to score.
func TestCellsTune(t *testing.T) {
	worlds := os.Getenv("MOSAIC_CELLS_TUNE")
	if worlds == "" {
		t.Skip("set MOSAIC_CELLS_TUNE=DATA:WORLD,...")
	}
	ctx := context.Background()
	var ws []tuneWorld
	for _, dw := range strings.Split(worlds, ",") {
		st, _, truth := openWorld(ctx, t, dw)
		world := worldName(dw)
		g, err := graph.Load(ctx, Source{Store: st})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		w := tuneWorld{name: world, pairs: map[[2]int32][]float64{}, truth: truth, g: g}
		idx := map[mosaic.ID]int32{}
		f := graph.Filter{NodeTypes: []mosaic.EntityType{mosaic.TypePerson}}
		for ti, typ := range tuneTypes {
			tw := map[string]float64{}
			for _, x := range tuneTypes {
				tw[x] = 0
			}
			tw[typ] = 1
			pr, err := g.Project(ctx, access.Local(), graph.ProjectOptions{Filter: f, TypeWeights: tw})
			if err != nil {
				t.Fatal(err)
			}
			for u := 0; u < pr.G.Len(); u++ {
				for i := pr.G.Off[u]; i < pr.G.Off[u+1]; i++ {
					v := int(pr.G.Nbr[i])
					if v <= u {
						continue
					}
					a, b := pr.IDs[u], pr.IDs[v]
					for _, x := range []mosaic.ID{a, b} {
						if _, ok := idx[x]; !ok {
							idx[x] = int32(len(w.ids))
							w.ids = append(w.ids, x)
						}
					}
					k := [2]int32{min(idx[a], idx[b]), max(idx[a], idx[b])}
					if w.pairs[k] == nil {
						w.pairs[k] = make([]float64, len(tuneTypes))
					}
					w.pairs[k][ti] += pr.G.W[i]
				}
			}
		}
		// check completeness: all-ones projection total equals the per-type sum.
		all, _ := g.Project(ctx, access.Local(), graph.ProjectOptions{Filter: f, TypeWeights: map[string]float64{"co_mentioned": 1, "same_event": 1, "visited_same": 1}})
		var tot, sum float64
		for _, x := range all.G.W {
			tot += x
		}
		for _, p := range w.pairs {
			for _, x := range p {
				sum += 2 * x
			}
		}
		t.Logf("%s: %d nodes, %d pairs; all-types weight %.0f, per-type sum %.0f", w.name, len(w.ids), len(w.pairs), tot, sum)
		diag(t, w)
		ws = append(ws, w)
	}
	// The product's own path (graph.Cells) at each resolution, averaged
	// over Louvain visit orders.
	if n, _ := strconv.Atoi(os.Getenv("MOSAIC_CELLS_TUNE_SEEDS")); n > 0 {
		for _, res := range strings.Split(os.Getenv("MOSAIC_CELLS_TUNE_RES"), "/") {
			r, _ := strconv.ParseFloat(res, 64)
			var line []string
			var all, pur []float64
			var loss cellLoss
			var ncells, largest, inCells int
			for _, w := range ws {
				var a []float64
				placeable := placeableOf(w)
				for sd := 0; sd < n; sd++ {
					o := graph.CellOptions{MinSize: 3}
					if m, _ := strconv.Atoi(os.Getenv("MOSAIC_CELLS_TUNE_MINSIZE")); m > 0 {
						o.MinSize = m
					}
					o.Filter.NodeTypes = []mosaic.EntityType{mosaic.TypePerson}
					o.Resolution, o.Seed = r, uint64(sd)
					o.KeepSmall = os.Getenv("MOSAIC_CELLS_TUNE_KEEPSMALL") != ""
					cells, err := w.g.Cells(ctx, access.Local(), o)
					if err != nil {
						t.Fatal(err)
					}
					s := scoreCells(cells, w.truth)
					a, pur = append(a, s.ari), append(pur, s.purity)
					ncells += len(cells)
					for _, c := range cells {
						largest = max(largest, len(c.Members))
						inCells += len(c.Members)
					}
					l, d := lossOf(cells, w.truth, placeable)
					loss.add(l)
					if sd == 0 && os.Getenv("MOSAIC_CELLS_TUNE_DETAIL") != "" {
						t.Log(joinDetail(w.name, d))
						t.Logf("%s: non-members in member cells, by the edge types tying them in: %v", w.name, pulledInTypes(w, cells, placeable))
						t.Logf("%s: cells in parts:%s", w.name, halvesDetail(w, cells, placeable))
					}
				}
				line = append(line, fmt.Sprintf("%.3f", mean(a)))
				all = append(all, mean(a))
			}
			t.Logf("graph.Cells res %-5s ARI over %d orders: %s mean %.3f purity %.2f; summed over worlds and orders: %v; per world and order %.0f cells holding %.0f nodes, largest %d", res, n, strings.Join(line, " "), mean(all), mean(pur), loss,
				float64(ncells)/float64(n*len(ws)), float64(inCells)/float64(n*len(ws)), largest)
		}
	}
	for _, c := range strings.Split(os.Getenv("MOSAIC_CELLS_TUNE_CONFIGS"), ";") {
		if c == "" {
			continue
		}
		parts := strings.Split(c, "|")
		tw := map[string]float64{}
		for _, kv := range strings.Split(parts[1], ",") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				tw[k], _ = strconv.ParseFloat(v, 64)
			}
		}
		for _, res := range strings.Split(parts[3], "/") {
			r, _ := strconv.ParseFloat(res, 64)
			var aris, purs []float64
			var line []string
			for _, w := range ws {
				a, p := tuneScore(ctx, w, tw, parts[2], r)
				aris, purs = append(aris, a), append(purs, p)
				line = append(line, fmt.Sprintf("%.3f", a))
			}
			t.Logf("%-20s res %-5s ARI %s mean %.3f purity %.2f", parts[0], res, strings.Join(line, " "), mean(aris), mean(purs))
		}
	}
}

func diag(t *testing.T, w tuneWorld) {
	type st struct {
		n   int
		sum float64
	}
	in, out := make([]st, len(tuneTypes)), make([]st, len(tuneTypes))
	var inMulti, inAll, outMulti, outAll int
	for k, p := range w.pairs {
		ca, cb := w.truth[w.ids[k[0]]], w.truth[w.ids[k[1]]]
		var s []st
		switch {
		case ca != "" && ca == cb:
			s = in
		case ca != "" || cb != "":
			s = out
		default:
			continue
		}
		nt := 0
		for ti, x := range p {
			if x > 0 {
				s[ti].n++
				s[ti].sum += x
				nt++
			}
		}
		if ca != "" && ca == cb {
			inAll++
			if nt >= 2 {
				inMulti++
			}
		} else {
			outAll++
			if nt >= 2 {
				outMulti++
			}
		}
	}
	for ti, typ := range tuneTypes {
		if in[ti].n+out[ti].n == 0 {
			continue
		}
		t.Logf("  %-16s within-cell pairs %4d (mean count %.1f); member-outsider pairs %5d (mean %.1f)", typ, in[ti].n, in[ti].sum/math.Max(1, float64(in[ti].n)), out[ti].n, out[ti].sum/math.Max(1, float64(out[ti].n)))
	}
	t.Logf("  multi-type: within %d/%d, member-outsider %d/%d", inMulti, inAll, outMulti, outAll)
}

func tuneScore(ctx context.Context, w tuneWorld, tw map[string]float64, f string, res float64) (float64, float64) {
	keys := make([][2]int32, 0, len(w.pairs))
	for k := range w.pairs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	var edges [][2]int
	var wt []float64
	var sum float64
	ents := 0
	for _, k := range keys {
		p := w.pairs[k]
		x := 0.0
		nt := 0
		for ti, typ := range tuneTypes {
			c := p[ti]
			if c <= 0 {
				continue
			}
			m, ok := tw[typ]
			if !ok {
				m = 1
			}
			if m <= 0 {
				continue
			}
			nt++
			switch f {
			case "sqrt":
				c = math.Sqrt(c)
			case "log":
				c = 1 + math.Log(c)
			case "cap3":
				c = math.Min(c, 3)
			case "pow1.5":
				c = math.Pow(c, 1.5)
			case "sq":
				c = c * c
			}
			x += m * c
			ents++
		}
		if x <= 0 {
			continue
		}
		if b, ok := tw["multi"]; ok && nt >= 2 {
			x *= b
		}
		covert := 0
		for ti, typ := range tuneTypes {
			switch typ {
			case "co_mentioned", "same_event", "same_flight", "same_booking", "communicated":
				if p[ti] > 0 {
					covert++
				}
			}
		}
		if b, ok := tw["cmulti"]; ok && covert >= 2 {
			x *= b
		}
		addr, phone := p[slices.Index(tuneTypes, "same_address")] > 0, p[slices.Index(tuneTypes, "same_phone")] > 0
		if b, ok := tw["hh"]; ok && addr {
			x *= b
		}
		if b, ok := tw["hhp"]; ok && (addr || phone) {
			x *= b
		}
		occ := 0.0
		for _, c := range p {
			occ += c
		}
		if b, ok := tw["single"]; ok && occ <= 1 {
			x *= b
		}
		edges = append(edges, [2]int{int(k[0]), int(k[1])})
		wt = append(wt, x)
		sum += x
	}
	if b, ok := tw["strength"]; ok {
		// w / (s_u s_v)^b, rescaled to the same total.
		str := make([]float64, len(w.ids))
		for i, e := range edges {
			str[e[0]] += wt[i]
			str[e[1]] += wt[i]
		}
		var ns float64
		for i, e := range edges {
			wt[i] /= math.Pow(str[e[0]]*str[e[1]], b)
			ns += wt[i]
		}
		for i := range wt {
			wt[i] *= sum / ns
		}
	}
	g := analytics.FromEdges(len(w.ids), edges, wt)
	gamma := res * sum / float64(ents)
	restarts := 1
	if tw["restarts"] > 0 {
		restarts = int(tw["restarts"])
	}
	orders, _ := strconv.Atoi(os.Getenv("MOSAIC_CELLS_TUNE_ORDERS"))
	if orders > 1 && restarts == 1 {
		var a, pu float64
		for sd := 0; sd < orders; sd++ {
			l, _ := analytics.Communities(ctx, g, analytics.CommunityOptions{Resolution: gamma, Seed: uint64(sd)})
			s := scoreCells(labelCells(w, l), w.truth)
			a += s.ari / float64(orders)
			pu += s.purity / float64(orders)
		}
		return a, pu
	}
	var lab []int
	bestQ := math.Inf(-1)
	for sd := 0; sd < restarts; sd++ {
		l, _ := analytics.Communities(ctx, g, analytics.CommunityOptions{Resolution: gamma, Seed: uint64(sd)})
		if q := cpmQuality(g, l, gamma); q > bestQ {
			bestQ, lab = q, l
		}
	}
	cells, groups := labelGroups(w, lab)
	s := scoreCells(cells, w.truth)
	if os.Getenv("MOSAIC_CELLS_TUNE_DETAIL") != "" {
		pos := map[mosaic.ID]int{}
		for i, id := range w.ids {
			pos[id] = i
		}
		byCell := map[string][]string{}
		for e, c := range w.truth {
			i, ok := pos[e]
			l := "none"
			if ok {
				l = strconv.Itoa(lab[i])
				if len(groups[lab[i]]) < 3 {
					l += "s"
				}
			}
			byCell[c] = append(byCell[c], l)
		}
		for c, ls := range byCell {
			sort.Strings(ls)
			fmt.Printf("%s %s %s: %v\n", w.name, f, c, ls)
		}
		// majority community per truth cell
		maj := map[string]int{}
		{
			cnt := map[string]map[int]int{}
			for e, c := range w.truth {
				if i, ok := pos[e]; ok {
					if cnt[c] == nil {
						cnt[c] = map[int]int{}
					}
					cnt[c][lab[i]]++
				}
			}
			for c, m := range cnt {
				b := -1
				for l, n := range m {
					if b < 0 || n > m[b] || n == m[b] && l < b {
						b = l
					}
				}
				maj[c] = b
			}
		}
		for k, p := range w.pairs {
			for side := 0; side < 2; side++ {
				a, b := k[side], k[1-side]
				ca := w.truth[w.ids[a]]
				if ca == "" || lab[a] == maj[ca] {
					continue
				}
				cb := w.truth[w.ids[b]]
				kind := "outsider"
				switch {
				case cb == ca && lab[b] == maj[ca]:
					kind = "MATE-in-main"
				case cb == ca:
					kind = "mate-stray"
				case cb != "":
					kind = "other-member"
				}
				var ts []string
				for ti, x := range p {
					if x > 0 {
						ts = append(ts, fmt.Sprintf("%s=%g", tuneTypes[ti], x))
					}
				}
				fmt.Printf("  stray %s %s (comm %d) -> %s (comm %d, %d nbrs): %v\n", ca, w.ids[a], lab[a], kind, lab[b], g.Off[b+1]-g.Off[b], ts)
			}
		}
	}
	return s.ari, s.purity
}

func cpmQuality(g *analytics.Weighted, lab []int, gamma float64) float64 {
	q := 0.0
	n := map[int]float64{}
	for u := 0; u < g.Len(); u++ {
		n[lab[u]]++
		for i := g.Off[u]; i < g.Off[u+1]; i++ {
			if v := int(g.Nbr[i]); v > u && lab[v] == lab[u] {
				q += g.W[i]
			}
		}
	}
	for _, c := range n {
		q -= gamma * c * (c - 1) / 2
	}
	return q
}

// labelCells turns community labels into cells of three or more.
func labelCells(w tuneWorld, lab []int) []graph.Cell {
	cells, _ := labelGroups(w, lab)
	return cells
}

// labelGroups turns community labels into cells of three or more, and
// returns every community's members by label too.
func labelGroups(w tuneWorld, lab []int) ([]graph.Cell, map[int][]mosaic.ID) {
	groups := map[int][]mosaic.ID{}
	for i, l := range lab {
		groups[l] = append(groups[l], w.ids[i])
	}
	var cells []graph.Cell
	for _, m := range groups {
		if len(m) < 3 {
			continue
		}
		c := graph.Cell{ID: len(cells)}
		for _, id := range m {
			c.Members = append(c.Members, graph.NodeInfo{ID: id})
		}
		cells = append(cells, c)
	}
	return cells, groups
}
