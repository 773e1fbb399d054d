package linkgraph

import (
	"fmt"
	"sort"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/graph"
)

// cellLoss sorts the errors of one partition against the truth, counting
// only member entities the bound can place (those with a Person edge to a
// cellmate): each truth cell's main found cell is the one holding most of
// its placeable entities; an entity elsewhere is "no cell" (in a
// community under the minimum size), "half" (in another found cell whose
// placeable members are mostly of its own truth cell: the cell found in
// parts), "merged" (in the main found cell of another truth cell) or
// "outsiders" (in a found cell where no other truth cell has its main
// cell: the member pulled into a family or circle). Pairs: member pairs
// of different truth cells put together (merges). "Pulled in" is the
// number of non-members in found cells that hold placeable members.
type cellLoss struct {
	placeable, right, noCell, half, merged, outsiders int
	mergedPairs, pulledIn                             int
}

func (l cellLoss) String() string {
	return fmt.Sprintf("placeable %d: right %d, no cell %d, cell in parts %d, in another truth cell's cell %d, with outsiders %d; cross-cell member pairs together %d; non-members in member cells %d",
		l.placeable, l.right, l.noCell, l.half, l.merged, l.outsiders, l.mergedPairs, l.pulledIn)
}

func (l *cellLoss) add(o cellLoss) {
	l.placeable += o.placeable
	l.right += o.right
	l.noCell += o.noCell
	l.half += o.half
	l.merged += o.merged
	l.outsiders += o.outsiders
	l.mergedPairs += o.mergedPairs
	l.pulledIn += o.pulledIn
}

// placeable returns the truth entities with a Person edge to a cellmate.
func placeableOf(w tuneWorld) map[mosaic.ID]bool {
	out := map[mosaic.ID]bool{}
	for k := range w.pairs {
		a, b := w.ids[k[0]], w.ids[k[1]]
		if c := w.truth[a]; c != "" && c == w.truth[b] {
			out[a], out[b] = true, true
		}
	}
	return out
}

func lossOf(cells []graph.Cell, truth map[mosaic.ID]string, placeable map[mosaic.ID]bool) (cellLoss, []string) {
	found := map[mosaic.ID]int{}
	for _, c := range cells {
		for _, m := range c.Members {
			found[m.ID] = c.ID
		}
	}
	cnt := map[string]map[int]int{} // truth cell -> found cell -> placeable entities
	for e := range placeable {
		if cnt[truth[e]] == nil {
			cnt[truth[e]] = map[int]int{}
		}
		if c, ok := found[e]; ok {
			cnt[truth[e]][c]++
		}
	}
	mainOf := map[string]int{}
	mainFor := map[int]string{}
	for tc, m := range cnt {
		b, bn := -1, 0
		for c, n := range m {
			if n > bn || n == bn && c < b {
				b, bn = c, n
			}
		}
		mainOf[tc] = b
		if b >= 0 {
			mainFor[b] = tc
		}
	}
	var l cellLoss
	var detail []string
	for e := range placeable {
		l.placeable++
		tc := truth[e]
		c, ok := found[e]
		kind := ""
		switch {
		case !ok:
			l.noCell++
			kind = "no cell"
		case c == mainOf[tc]:
			l.right++
			continue
		case mainFor[c] != "":
			l.merged++
			kind = "in " + mainFor[c] + "'s cell"
		default:
			own := 0
			for _, x := range cells[c].Members {
				if truth[x.ID] == tc && placeable[x.ID] {
					own++
				}
			}
			if own >= 2 {
				l.half++
				kind = "cell in parts"
			} else {
				l.outsiders++
				kind = "with outsiders"
			}
		}
		detail = append(detail, fmt.Sprintf("%s %s: %s", tc, e, kind))
	}
	for _, c := range cells {
		per := map[string]int{}
		members := 0
		for _, m := range c.Members {
			if placeable[m.ID] {
				per[truth[m.ID]]++
				members++
			}
		}
		if members == 0 {
			continue
		}
		for _, m := range c.Members {
			if truth[m.ID] == "" {
				l.pulledIn++
			}
		}
		sum2 := 0
		for _, n := range per {
			sum2 += n * n
		}
		l.mergedPairs += (members*members - sum2) / 2
	}
	sort.Strings(detail)
	return l, detail
}

func joinDetail(world string, d []string) string {
	return world + ": " + strings.Join(d, "; ")
}

// pulledInTypes tallies, for the non-members in found cells that hold
// placeable members, the edge types tying them to the rest of their found
// cell (type -> number of such non-members with that type), and how many
// of them have a single Person neighbour.
func pulledInTypes(w tuneWorld, cells []graph.Cell, placeable map[mosaic.ID]bool) map[string]int {
	pos := map[mosaic.ID]int32{}
	for i, id := range w.ids {
		pos[id] = int32(i)
	}
	nbrs := map[int32]int{}
	for k := range w.pairs {
		nbrs[k[0]]++
		nbrs[k[1]]++
	}
	out := map[string]int{}
	for _, c := range cells {
		has := false
		for _, m := range c.Members {
			has = has || placeable[m.ID]
		}
		if !has {
			continue
		}
		for _, m := range c.Members {
			if w.truth[m.ID] != "" {
				continue
			}
			a := pos[m.ID]
			types := map[string]bool{}
			for _, x := range c.Members {
				b := pos[x.ID]
				if p, ok := w.pairs[[2]int32{min(a, b), max(a, b)}]; ok && a != b {
					for ti, v := range p {
						if v > 0 {
							types[tuneTypes[ti]] = true
						}
					}
				}
			}
			for ty := range types {
				out[ty]++
			}
			out["(all)"]++
			if nbrs[a] == 1 {
				out["(pendant)"]++
			}
		}
	}
	return out
}

// halvesDetail describes, for each truth cell found in parts, the found
// cells holding its placeable members: size, members, internal weight,
// and the weight between each two of them (with the store's type
// weights).
func halvesDetail(w tuneWorld, cells []graph.Cell, placeable map[mosaic.ID]bool) string {
	pos := map[mosaic.ID]int32{}
	for i, id := range w.ids {
		pos[id] = int32(i)
	}
	tw := Source{}.EdgeWeights()
	pw := func(a, b int32) float64 {
		p := w.pairs[[2]int32{min(a, b), max(a, b)}]
		x := 0.0
		for ti, c := range p {
			m, ok := tw[tuneTypes[ti]]
			if !ok {
				m = 1
			}
			x += m * c
		}
		return x
	}
	by := map[string]map[int]bool{}
	for _, c := range cells {
		for _, m := range c.Members {
			if placeable[m.ID] {
				if by[w.truth[m.ID]] == nil {
					by[w.truth[m.ID]] = map[int]bool{}
				}
				by[w.truth[m.ID]][c.ID] = true
			}
		}
	}
	var sb strings.Builder
	for tc, cs := range by {
		if len(cs) < 2 {
			continue
		}
		var ids []int
		for c := range cs {
			ids = append(ids, c)
		}
		sort.Ints(ids)
		for _, c := range ids {
			mem, in := 0, 0.0
			for i, a := range cells[c].Members {
				if w.truth[a.ID] == tc {
					mem++
				}
				for _, b := range cells[c].Members[i+1:] {
					in += pw(pos[a.ID], pos[b.ID])
				}
			}
			fmt.Fprintf(&sb, " %s cell %d: size %d, members %d, internal weight %.0f;", tc, c, len(cells[c].Members), mem, in)
		}
		for i, c := range ids {
			for _, d := range ids[i+1:] {
				x := 0.0
				for _, a := range cells[c].Members {
					for _, b := range cells[d].Members {
						x += pw(pos[a.ID], pos[b.ID])
					}
				}
				fmt.Fprintf(&sb, " between %d and %d: %.0f;", c, d, x)
			}
		}
	}
	return sb.String()
}
