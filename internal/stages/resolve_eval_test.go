package stages

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/linkgraph"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

// TestResolveEval replays the items of ingested generated worlds through a
// fresh resolve stage and scores its entities against the worlds' truth:
// pairwise precision and recall over the person mentions the truth names
// (records and reports), and how many entities each cell member and each
// person is split over. It reads stores written by `mosaic ingest` (their
// facts are already extracted), so a change to the stage can be measured
// in seconds, without ingesting again:
//
//	MOSAIC_RESOLVE_EVAL=/tmp/r/d5000-1:/tmp/r/w5000-1,... go test -run TestResolveEval -v ./internal/stages/
//
// MOSAIC_RESOLVE_EVAL_MISSED=n lists n missed pairs of cell members.
func TestResolveEval(t *testing.T) {
	spec := os.Getenv("MOSAIC_RESOLVE_EVAL")
	if spec == "" {
		t.Skip("set MOSAIC_RESOLVE_EVAL=data:world,... to evaluate")
	}
	ctx := context.Background()
	for _, pair := range strings.Split(spec, ",") {
		data, world, ok := strings.Cut(pair, ":")
		if !ok {
			t.Fatalf("bad MOSAIC_RESOLVE_EVAL entry %q", pair)
		}
		t.Run(filepath.Base(world), func(t *testing.T) { evalWorld(ctx, t, data, world) })
	}
}

// replayed is a world's store replayed through a fresh resolve stage.
type replayed struct {
	s          *Resolve
	truth      map[mosaic.ID]string // person mentions -> person
	cells      map[string]string    // person -> cell
	captions   map[mosaic.ID]string
	docMention map[mosaic.ID]bool
}

// replayWorld replays the items of an ingested world (a copy of its
// store) through a fresh resolve stage.
func replayWorld(ctx context.Context, t *testing.T, data, world string) replayed {
	// Work on a copy: the store must not change.
	dir := t.TempDir()
	for _, f := range []string{"mosaic.db", "mosaic.db-wal"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			continue
		}
		if err := copyFile(filepath.Join(data, f), filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "mosaic.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	truth, err := linkgraph.MentionTruth(ctx, st, world)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := linkgraph.PersonCells(world)
	if err != nil {
		t.Fatal(err)
	}
	s := NewResolve(resolve.New(resolve.Config{}))
	if os.Getenv("MOSAIC_RESOLVE_EVAL_DEBUG") != "" {
		s.debug = t.Logf
	}
	if os.Getenv("MOSAIC_RESOLVE_EVAL_NORECORDS") != "" {
		s.noRecordContext = true
	}
	if os.Getenv("MOSAIC_RESOLVE_EVAL_NOORGRECORDS") != "" {
		s.noOrgRecords = true
	}
	if os.Getenv("MOSAIC_RESOLVE_EVAL_ORGDIRECT") != "" {
		s.orgRecordsDirect = true
	}
	last, err := st.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	captions := map[mosaic.ID]string{}
	docMention := map[mosaic.ID]bool{}
	const batch = 256
	for lo := int64(1); lo <= last; lo += batch {
		items, err := st.ItemsInRange(ctx, mosaic.Principal{Name: "eval", All: true}, store.Range{Lo: lo, Hi: min(last, lo+batch-1)})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Facts == nil {
				continue
			}
			for _, m := range it.Facts.Mentions {
				if _, ok := truth[m.ID]; ok {
					captions[m.ID] = m.Caption
					docMention[m.ID] = it.Document != nil
				}
			}
		}
		if _, err := s.Process(ctx, items); err != nil {
			t.Fatal(err)
		}
	}
	return replayed{s: s, truth: truth, cells: cells, captions: captions, docMention: docMention}
}

func evalWorld(ctx context.Context, t *testing.T, data, world string) {
	rp := replayWorld(ctx, t, data, world)
	s, truth, cells, captions, docMention := rp.s, rp.truth, rp.cells, rp.captions, rp.docMention
	ent := map[mosaic.ID]string{}
	for m := range truth {
		e, err := s.entityOf(m)
		if err != nil {
			continue
		}
		ent[m] = e
	}
	// Pairwise precision and recall over the truth's person mentions.
	byEnt := map[string]map[string]int{}
	byPerson := map[string]map[string]int{}
	for m, p := range truth {
		e, ok := ent[m]
		if !ok {
			e = "unresolved:" + string(m)
		}
		bump(byEnt, e, p)
		bump(byPerson, p, e)
	}
	c2 := func(n int) float64 { return float64(n) * float64(n-1) / 2 }
	var tp, predicted, actual float64
	for _, ps := range byEnt {
		n := 0
		for _, k := range ps {
			tp += c2(k)
			n += k
		}
		predicted += c2(n)
	}
	for _, es := range byPerson {
		n := 0
		for _, k := range es {
			n += k
		}
		actual += c2(n)
	}
	p, r := tp/max(predicted, 1), tp/max(actual, 1)
	// B-cubed: for each mention, the share of its entity that is its
	// person, and of its person that is in its entity.
	var bp, br float64
	for _, ps := range byEnt {
		n := 0
		for _, k := range ps {
			n += k
		}
		for q, k := range ps {
			pn := 0
			for _, kk := range byPerson[q] {
				pn += kk
			}
			bp += float64(k) * float64(k) / float64(n)
			br += float64(k) * float64(k) / float64(pn)
		}
	}
	bp, br = bp/float64(max(len(truth), 1)), br/float64(max(len(truth), 1))
	t.Logf("B-cubed P %.4f R %.4f F1 %.4f", bp, br, 2*bp*br/max(bp+br, 1e-9))
	// Entities per person (cell members and all with two or more mentions).
	var memberEnts, members, allEnts, all int
	for person, es := range byPerson {
		n := 0
		for _, k := range es {
			n += k
		}
		if n < 2 {
			continue
		}
		all++
		allEnts += len(es)
		if cells[person] != "" {
			members++
			memberEnts += len(es)
		}
	}
	// Extra entities of cell members: made of report mentions only, or
	// holding records.
	var extraDoc, extraRec int
	for person, es := range byPerson {
		if cells[person] == "" || len(es) < 2 {
			continue
		}
		best, bn := "", 0
		for e, k := range es {
			if k > bn || k == bn && e < best {
				best, bn = e, k
			}
		}
		for e := range es {
			if e == best {
				continue
			}
			docOnly := true
			for m, q := range truth {
				if q == person && ent[m] == e && !docMention[m] {
					docOnly = false
				}
			}
			if docOnly {
				extraDoc++
			} else {
				extraRec++
			}
		}
	}
	t.Logf("extra entities of cell members: %d of report mentions only, %d holding records", extraDoc, extraRec)
	// Report mentions outside their person's largest entity.
	var docMentions, docSplit int
	for m, person := range truth {
		if !docMention[m] {
			continue
		}
		docMentions++
		best, bn := "", 0
		for e, k := range byPerson[person] {
			if k > bn || k == bn && e < best {
				best, bn = e, k
			}
		}
		if ent[m] != best {
			docSplit++
		}
	}
	t.Logf("%s: pairwise P %.4f R %.4f F1 %.4f; cell members: %d entities for %d people (%.2f); people with 2+ mentions: %.3f entities each; report mentions outside their person's main entity: %d of %d",
		filepath.Base(world), p, r, 2*p*r/max(p+r, 1e-9), memberEnts, members, float64(memberEnts)/float64(max(members, 1)), float64(allEnts)/float64(max(all, 1)), docSplit, docMentions)
	// False merges among report mentions: entities holding two people.
	var wrongDoc int
	for m, person := range truth {
		if !docMention[m] {
			continue
		}
		e := ent[m]
		best, bn := "", 0
		for q, k := range byEnt[e] {
			if k > bn || k == bn && q < best {
				best, bn = q, k
			}
		}
		if best != person {
			wrongDoc++
		}
	}
	t.Logf("report mentions in an entity most of whose mentions are someone else's: %d", wrongDoc)
	if pair := os.Getenv("MOSAIC_RESOLVE_EVAL_PAIR"); pair != "" {
		a, b, _ := strings.Cut(pair, ",")
		x, err := s.Engine().Explain(a, b)
		t.Logf("explain %s %s: %v %v", a, b, x, err)
	}
	var show int
	fmt.Sscan(os.Getenv("MOSAIC_RESOLVE_EVAL_MISSED"), &show)
	if show == 0 {
		return
	}
	var lines []string
	for person, es := range byPerson {
		if cells[person] == "" || len(es) < 2 {
			continue
		}
		var parts []string
		for e := range es {
			var names []string
			for m, q := range truth {
				if q == person && ent[m] == e {
					kind := "rec"
					if docMention[m] {
						kind = "doc"
					}
					names = append(names, kind+":"+captions[m])
				}
			}
			sort.Strings(names)
			parts = append(parts, strings.Join(names, " | "))
		}
		sort.Strings(parts)
		lines = append(lines, person+"  "+strings.Join(parts, "  ##  "))
		if os.Getenv("MOSAIC_RESOLVE_EVAL_EXPLAIN") != "" {
			// Explain, for each split-off entity, its first mention against
			// the person's first record mention in the largest entity.
			best, bn := "", 0
			for e, k := range es {
				if k > bn || k == bn && e < best {
					best, bn = e, k
				}
			}
			var anchor mosaic.ID
			for m, q := range truth {
				if q == person && ent[m] == best && !docMention[m] && (anchor == "" || m < anchor) {
					anchor = m
				}
			}
			for e := range es {
				if e == best || anchor == "" {
					continue
				}
				var first mosaic.ID
				for m, q := range truth {
					if q == person && ent[m] == e && (first == "" || m < first) {
						first = m
					}
				}
				x, err := s.Engine().Explain(string(first), string(anchor))
				if err == nil {
					lines = append(lines, fmt.Sprintf("%s    explain %q vs %q: %s", person, captions[first], captions[anchor], x))
				}
			}
		}
	}
	sort.Strings(lines)
	for i, l := range lines {
		if i >= show {
			break
		}
		t.Log(l)
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// bump counts one more b under a in m.
func bump(m map[string]map[string]int, a, b string) {
	if m[a] == nil {
		m[a] = map[string]int{}
	}
	m[a][b]++
}
