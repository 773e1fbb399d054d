package linkgraph

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// TestCellsDiag is a development harness that shows where the cells ARI
// of a stored, generated world is lost (docs/benchmarks/graph.md):
// MOSAIC_CELLS_DIAG=DATA:WORLD,... For every truth cell member it lists
// the entities holding the member's mentions (their source kinds, other
// people merged in, the community they landed in), and it scores two
// counterfactual partitions beside the real one: every fragment given its
// person's main entity's community (what joining the fragments would give
// if the communities stayed as they are) and the real one scored on main
// entities only; and the first split by where the fragments were: only
// those in no cell moved, only those in another found cell moved. None of
// the counterfactuals is a figure of the product; they only apportion the
// loss. Nothing here is used by the product.
func TestCellsDiag(t *testing.T) {
	worlds := os.Getenv("MOSAIC_CELLS_DIAG")
	if worlds == "" {
		t.Skip("set MOSAIC_CELLS_DIAG=DATA:WORLD,...")
	}
	ctx := context.Background()
	o := graph.CellOptions{MinSize: 3}
	o.Filter.NodeTypes = []mosaic.EntityType{mosaic.TypePerson}
	for _, dw := range strings.Split(worlds, ",") {
		st, tr, truth := openWorld(ctx, t, dw)
		world := worldName(dw)
		kind := mentionKinds(ctx, t, st)
		entMentions := map[mosaic.ID][]mosaic.ID{}
		caption := map[mosaic.ID]string{}
		if err := st.ResolvedMentions(ctx, func(m store.MentionRow) error {
			if m.Type == mosaic.TypePerson {
				entMentions[m.Entity] = append(entMentions[m.Entity], m.Mention)
				caption[m.Mention] = m.Caption
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		g, err := graph.Load(ctx, Source{Store: st})
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		cells, err := g.Cells(ctx, access.Local(), o)
		if err != nil {
			t.Fatal(err)
		}
		found := map[mosaic.ID]int{}
		major := map[int]string{} // found cell -> the truth cell most of its truth members are in
		for _, c := range cells {
			cnt := map[string]int{}
			for _, m := range c.Members {
				found[m.ID] = c.ID
				if tc := truth[m.ID]; tc != "" {
					cnt[tc]++
				}
			}
			best, bn := "", 0
			for tc, n := range cnt {
				if n > bn || n == bn && tc < best {
					best, bn = tc, n
				}
			}
			major[c.ID] = best
		}
		// Each member's entities, main first (most of the member's mentions).
		personEnts := map[string]map[mosaic.ID]int{}
		for e, ms := range entMentions {
			for _, m := range ms {
				if p := tr.MP[m]; p != "" && tr.PC[p] != "" {
					if personEnts[p] == nil {
						personEnts[p] = map[mosaic.ID]int{}
					}
					personEnts[p][e]++
				}
			}
		}
		people := make([]string, 0, len(tr.PC))
		for p := range tr.PC {
			people = append(people, p)
		}
		sort.Slice(people, func(i, j int) bool {
			if tr.PC[people[i]] != tr.PC[people[j]] {
				return tr.PC[people[i]] < tr.PC[people[j]]
			}
			return people[i] < people[j]
		})
		main := map[string]mosaic.ID{}
		var lines []string
		stats := map[string]int{}
		for _, p := range people {
			es := make([]mosaic.ID, 0, len(personEnts[p]))
			for e := range personEnts[p] {
				es = append(es, e)
			}
			sort.Slice(es, func(i, j int) bool {
				a, b := personEnts[p][es[i]], personEnts[p][es[j]]
				return a > b || a == b && es[i] < es[j]
			})
			if len(es) == 0 {
				stats["member without mentions"]++
				continue
			}
			main[p] = es[0]
			for k, e := range es {
				kinds := map[string]int{}
				others := map[string]int{}
				var caps []string
				for _, m := range entMentions[e] {
					q := tr.MP[m]
					switch {
					case q == p:
						kinds[kind[m]]++
						if len(caps) < 4 && !contains(caps, caption[m]) {
							caps = append(caps, caption[m])
						}
					case q != "":
						others[q]++
					}
				}
				role := "main"
				if k > 0 {
					role = "fragment"
				}
				if tr.EP[e] != p {
					role += "(entity is " + tr.EP[e] + "'s)"
				}
				where := "no cell"
				if c, ok := found[e]; ok {
					mc, mok := found[es[0]]
					switch {
					case k == 0 && major[c] == tr.PC[p]:
						where = "own cell"
					case k == 0:
						where = fmt.Sprintf("other cell (%s)", major[c])
					case mok && mc == c:
						where = "main's cell"
					default:
						where = fmt.Sprintf("another cell (%s)", major[c])
					}
				}
				deg, mates := personDegree(ctx, g, e, truth, tr.PC[p])
				if tr.EP[e] == p || k == 0 {
					stats[fmt.Sprintf("%s: %s", strings.SplitN(role, "(", 2)[0], where)]++
				}
				if k > 0 && tr.EP[e] == p {
					stats["fragment kinds "+kindList(kinds)]++
					if deg == 0 {
						stats["fragment without Person edges"]++
					}
				}
				if len(others) > 0 {
					stats["member entities merging other people"]++
				}
				lines = append(lines, fmt.Sprintf("  %s %s %s %s: %s kinds %s; others %v; deg %d (cellmates %d); %s %q",
					tr.PC[p], p, role, e, where, kindList(kinds), others, deg, mates, "", caps))
			}
		}
		// Counterfactuals.
		merged := make([]graph.Cell, 0, len(cells))
		idx := map[int]int{}
		for _, c := range cells {
			idx[c.ID] = len(merged)
			merged = append(merged, graph.Cell{ID: c.ID})
		}
		var extra []graph.Cell
		for e := range truth {
			p := tr.EP[e]
			m := main[p]
			c, ok := found[m]
			if m == "" {
				m = e
				c, ok = found[e]
			}
			if ok {
				merged[idx[c]].Members = append(merged[idx[c]].Members, graph.NodeInfo{ID: e})
			} else if m != e {
				// The main entity is in no cell: its fragments join it
				// in a group of its own.
				extra = append(extra, graph.Cell{ID: -1000 - len(extra), Members: []graph.NodeInfo{{ID: e}, {ID: m}}})
			}
		}
		// The same, by kind of fragment: those in no cell only, those in
		// a found cell other than their main entity's only.
		joinOnly := func(placed bool) []graph.Cell {
			cs := make([]graph.Cell, len(cells))
			at := map[int]int{}
			for i, c := range cells {
				cs[i] = graph.Cell{ID: c.ID, Members: append([]graph.NodeInfo(nil), c.Members...)}
				at[c.ID] = i
			}
			for e := range truth {
				m := main[tr.EP[e]]
				if m == "" || m == e {
					continue
				}
				c, ok := found[e]
				mc, mok := found[m]
				if !mok || ok != placed || ok && c == mc {
					continue
				}
				if ok {
					i := at[c]
					cs[i].Members = slices.DeleteFunc(cs[i].Members, func(n graph.NodeInfo) bool { return n.ID == e })
				}
				cs[at[mc]].Members = append(cs[at[mc]].Members, graph.NodeInfo{ID: e})
			}
			return cs
		}
		stats[fmt.Sprintf("~ARI with fragments in no cell joined to their main's cell %.3f", graph.CellsARI(joinOnly(false), truth))]++
		stats[fmt.Sprintf("~ARI with fragments in other cells joined to their main's cell %.3f", graph.CellsARI(joinOnly(true), truth))]++
		mainTruth := map[mosaic.ID]string{}
		for p, e := range main {
			if truth[e] != "" {
				mainTruth[e] = tr.PC[p]
			}
		}
		// Per truth cell: how its entities spread over the found cells
		// (found cell: its truth entities of this cell / its size).
		size := map[int]int{}
		for _, c := range cells {
			size[c.ID] = len(c.Members)
		}
		spread := map[string]map[int]int{}
		for e, tc := range truth {
			if spread[tc] == nil {
				spread[tc] = map[int]int{}
			}
			c, ok := found[e]
			if !ok {
				c = -1
			}
			spread[tc][c]++
		}
		tcs := make([]string, 0, len(spread))
		for tc := range spread {
			tcs = append(tcs, tc)
		}
		sort.Strings(tcs)
		for _, tc := range tcs {
			var parts []string
			for c, n := range spread[tc] {
				if c < 0 {
					parts = append(parts, fmt.Sprintf("none:%d", n))
				} else {
					parts = append(parts, fmt.Sprintf("cell %d:%d/%d", c, n, size[c]))
				}
			}
			sort.Strings(parts)
			stats["spread "+tc+" "+strings.Join(parts, " ")]++
		}
		keys := make([]string, 0, len(stats))
		for k := range stats {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var sb strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&sb, "\n  %s: %d", k, stats[k])
		}
		t.Logf("%s: ARI %.3f; fragments given their main entity's community %.3f; main entities only %.3f; %d members, %d scored entities%s",
			world, graph.CellsARI(cells, truth), graph.CellsARI(append(merged, extra...), truth), graph.CellsARI(cells, mainTruth),
			len(tr.PC), len(truth), sb.String())
		if os.Getenv("MOSAIC_CELLS_DIAG_DETAIL") != "" {
			t.Logf("%s entities:\n%s", world, strings.Join(lines, "\n"))
		}
	}
}

func kindList(k map[string]int) string {
	ks := make([]string, 0, len(k))
	for x, n := range k {
		ks = append(ks, fmt.Sprintf("%s×%d", x, n))
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// personDegree returns an entity's Person neighbours and how many of them
// are entities of its truth cell.
func personDegree(ctx context.Context, g *graph.Graph, e mosaic.ID, truth map[mosaic.ID]string, cell string) (int, int) {
	f := graph.Filter{NodeTypes: []mosaic.EntityType{mosaic.TypePerson}}
	sg, err := g.Neighbours(ctx, access.Local(), []mosaic.ID{e}, graph.NeighbourOptions{Hops: 1, Filter: f, HubDegree: -1, Limit: 1 << 20})
	if err != nil {
		return 0, 0
	}
	deg, mates := 0, 0
	for _, n := range sg.Nodes {
		if n.ID == e {
			continue
		}
		deg++
		if truth[n.ID] == cell {
			mates++
		}
	}
	return deg, mates
}

// mentionKinds maps each person mention to the kind of item it came from
// (a record kind and role, or "report").
func mentionKinds(ctx context.Context, t *testing.T, st store.ItemReader) map[mosaic.ID]string {
	out := map[mosaic.ID]string{}
	eval := mosaic.Principal{Name: "eval", All: true}
	for _, k := range []mosaic.RecordKind{mosaic.KindPerson, mosaic.KindTravel, mosaic.KindPurchase, mosaic.KindVehicleHire, mosaic.KindPrisonVisit, mosaic.KindReferral, mosaic.KindWatchlistEntry, "document"} {
		err := st.ItemsOfKind(ctx, eval, string(k), func(it *store.Item) error {
			if it.Facts == nil {
				return nil
			}
			for _, m := range it.Facts.Mentions {
				if m.Type != mosaic.TypePerson {
					continue
				}
				if it.Document != nil {
					out[m.ID] = "report"
				} else {
					out[m.ID] = string(k) + "/" + m.Role
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
