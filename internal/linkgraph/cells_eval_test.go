package linkgraph

import (
	"context"
	"encoding/gob"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
)

// oracleStore replaces the entity of every Person mention the world's
// truth names with its true person: the graph as it would be with perfect
// resolution of people (everything else stays as resolved).
type oracleStore struct {
	Store
	person map[mosaic.ID]string
}

func (o oracleStore) ent(m, e mosaic.ID) mosaic.ID {
	if p := o.person[m]; p != "" {
		return mosaic.ID("truth-" + p)
	}
	return e
}

func (o oracleStore) EntityLinks(ctx context.Context, fn func(store.EntityLink) error) error {
	return o.Store.EntityLinks(ctx, func(l store.EntityLink) error {
		l.SubjectEntity = o.ent(l.Subject, l.SubjectEntity)
		l.ObjectEntity = o.ent(l.Object, l.ObjectEntity)
		return fn(l)
	})
}

func (o oracleStore) ResolvedMentions(ctx context.Context, fn func(store.MentionRow) error) error {
	var rows []store.MentionRow // regrouped by the new entity
	err := o.Store.ResolvedMentions(ctx, func(m store.MentionRow) error {
		m.Entity = o.ent(m.Mention, m.Entity)
		rows = append(rows, m)
		return nil
	})
	if err != nil {
		return err
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Entity < rows[j].Entity })
	for _, r := range rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// cellScore is how one partition scores against a world's truth.
type cellScore struct {
	ari float64
	// purity: of the members of found cells holding truth members, the
	// share that belong to the truth cell most of them are in.
	purity float64
	// size: the mean size of those found cells.
	size float64
}

func scoreCells(cells []graph.Cell, truth map[mosaic.ID]string) cellScore {
	s := cellScore{ari: graph.CellsARI(cells, truth)}
	var tot, best, n int
	for _, c := range cells {
		cnt := map[string]int{}
		mx := 0
		for _, m := range c.Members {
			if tc := truth[m.ID]; tc != "" {
				cnt[tc]++
				mx = max(mx, cnt[tc])
			}
		}
		if mx > 0 {
			tot += len(c.Members)
			best += mx
			n++
		}
	}
	if n > 0 {
		s.purity = float64(best) / float64(tot)
		s.size = float64(tot) / float64(n)
	}
	return s
}

// TestCellsEval scores `mosaic cells --node-types Person` on stored,
// generated worlds: MOSAIC_CELLS_WORLDS=DATA:WORLD,... (data directories
// of `mosaic ingest` and the worlds of `mosaic gen`). Per world it logs the
// adjusted Rand index against the truth with the resolved entities (every
// entity a truth cell member's record or report mentions resolved to, and
// only those with a record mention), with an oracle that resolves every
// person mention to its true person, the purity of the cells found, and
// how far resolution bounds any cell finder. MOSAIC_CELLS_CACHE=DIR keeps
// the truth mappings between runs.
func TestCellsEval(t *testing.T) {
	worlds := os.Getenv("MOSAIC_CELLS_WORLDS")
	if worlds == "" {
		t.Skip("set MOSAIC_CELLS_WORLDS=DATA:WORLD,... to score cells on stored generated worlds")
	}
	ctx := context.Background()
	o := graph.CellOptions{MinSize: 3}
	o.Filter.NodeTypes = []mosaic.EntityType{mosaic.TypePerson}
	var res, rec, orc, pur, opur, size, osize, bound []float64
	for _, dw := range strings.Split(worlds, ",") {
		st, tr, truth := openWorld(ctx, t, dw)
		world := worldName(dw)
		recTruth := map[mosaic.ID]string{}
		for e, c := range truth {
			if tr.RecEnt[e] {
				recTruth[e] = c
			}
		}
		members := len(tr.PC)
		ncells := map[string]bool{}
		for _, c := range tr.PC {
			ncells[c] = true
		}
		var r, ro cellScore
		var recARI, bnd float64
		for _, v := range []struct {
			oracle bool
			src    Source
		}{{false, Source{Store: st}}, {true, Source{Store: oracleStore{Store: st, person: tr.MP}}}} {
			g, err := graph.Load(ctx, v.src)
			if err != nil {
				t.Fatal(err)
			}
			cells, err := g.Cells(ctx, access.Local(), o)
			if err != nil {
				t.Fatal(err)
			}
			if v.oracle {
				ro = scoreCells(cells, oracleTruth(tr.PC))
				continue
			}
			r = scoreCells(cells, truth)
			recARI = graph.CellsARI(cells, recTruth)
			bnd = bounds(ctx, t, g, truth)
		}
		st.Close()
		t.Logf("%s: %d truth cells, %d members, %d resolved entities; ARI resolved %.3f (record-mentioned entities only %.3f), oracle %.3f; bound %.3f; purity %.2f (oracle %.2f), cell size %.1f (oracle %.1f)",
			world, len(ncells), members, len(truth), r.ari, recARI, ro.ari, bnd, r.purity, ro.purity, r.size, ro.size)
		res, rec, orc, bound = append(res, r.ari), append(rec, recARI), append(orc, ro.ari), append(bound, bnd)
		pur, opur, size, osize = append(pur, r.purity), append(opur, ro.purity), append(size, r.size), append(osize, ro.size)
	}
	t.Logf("mean ± sd over %d worlds: ARI resolved %s (record-mentioned only %s), oracle %s; bound %s; purity %s (oracle %s); cell size %s (oracle %s)",
		len(res), ms(res), ms(rec), ms(orc), ms(bound), ms(pur), ms(opur), ms(size), ms(osize))
}

// bounds returns the ARI of a cell finder that puts every truth entity
// linked to a cellmate (by any Person-to-Person edge) in its true cell and
// leaves the others alone: what resolution leaves reachable.
func bounds(ctx context.Context, t *testing.T, g *graph.Graph, truth map[mosaic.ID]string) float64 {
	f := graph.Filter{NodeTypes: []mosaic.EntityType{mosaic.TypePerson}}
	byCell := map[string]int{}
	var cells []graph.Cell
	for e, c := range truth {
		sg, err := g.Neighbours(ctx, access.Local(), []mosaic.ID{e}, graph.NeighbourOptions{Hops: 1, Filter: f, HubDegree: -1, Limit: 1 << 20})
		if err != nil {
			continue // not a node of the graph
		}
		mate := false
		for _, n := range sg.Nodes {
			if n.ID != e && truth[n.ID] == c {
				mate = true
			}
		}
		if !mate {
			continue
		}
		k, ok := byCell[c]
		if !ok {
			k = len(cells)
			byCell[c] = k
			cells = append(cells, graph.Cell{ID: k})
		}
		cells[k].Members = append(cells[k].Members, graph.NodeInfo{ID: e})
	}
	return graph.CellsARI(cells, truth)
}

func oracleTruth(pc map[string]string) map[mosaic.ID]string {
	out := map[mosaic.ID]string{}
	for p, c := range pc {
		out[mosaic.ID("truth-"+p)] = c
	}
	return out
}

// evalTruth is a world's truth as mapped onto one store.
type evalTruth struct {
	RecEnt map[mosaic.ID]bool   // entities with a record mention
	MP     map[mosaic.ID]string // mention -> person
	EP     map[mosaic.ID]string // entity -> person
	PC     map[string]string    // person -> cell
}

func loadTruth(ctx context.Context, t *testing.T, st interface {
	store.LinkReader
	store.ItemReader
	store.EntityReader
}, world string) evalTruth {
	var tr evalTruth
	cache := os.Getenv("MOSAIC_CELLS_CACHE")
	path := filepath.Join(cache, filepath.Base(world)+"-truth.gob")
	if cache != "" && readGob(path, &tr) == nil && tr.RecEnt != nil {
		return tr
	}
	var err error
	tr.RecEnt = map[mosaic.ID]bool{}
	if err := st.ResolvedMentions(ctx, func(m store.MentionRow) error {
		if strings.HasPrefix(string(m.Mention), mosaic.PrefixRecord+"-") {
			tr.RecEnt[m.Entity] = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if tr.MP, err = MentionTruth(ctx, st, world); err != nil {
		t.Fatal(err)
	}
	if tr.EP, tr.PC, err = WorldTruth(ctx, st, world); err != nil {
		t.Fatal(err)
	}
	if cache != "" {
		if err := writeGob(path, &tr); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func readGob(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return gob.NewDecoder(f).Decode(v)
}

func writeGob(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(v); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// ms renders mean ± sample standard deviation.
func ms(x []float64) string {
	m := mean(x)
	v := 0.0
	for _, y := range x {
		v += (y - m) * (y - m)
	}
	if len(x) > 1 {
		v /= float64(len(x) - 1)
	}
	return fmt.Sprintf("%.3f±%.3f", m, math.Sqrt(v))
}

// openWorld opens the store of a "DATA:WORLD" pair (an ingested generated
// world and its directory of truth files) and returns it with the world's
// truth and its cells by entity. The caller closes the store.
func openWorld(ctx context.Context, t *testing.T, dataWorld string) (*sqlstore.Store, evalTruth, map[mosaic.ID]string) {
	t.Helper()
	data, world, _ := strings.Cut(dataWorld, ":")
	st, err := sqlite.Open(ctx, filepath.Join(data, "mosaic.db"))
	if err != nil {
		t.Fatal(err)
	}
	tr := loadTruth(ctx, t, st, world)
	return st, tr, CellTruth(tr.EP, tr.PC)
}

// worldName is the name of the world of a "DATA:WORLD" pair, for logs.
func worldName(dataWorld string) string {
	_, world, _ := strings.Cut(dataWorld, ":")
	return filepath.Base(world)
}
