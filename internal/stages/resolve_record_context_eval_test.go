package stages

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
)

// TestRecordContextPotential measures, on a replayed world, what the
// record context rule (recordChoice) could place: for every entity made
// of record mentions only (at most MOSAIC_RECORD_CONTEXT_SIZE of them,
// default 2), whether its company names exactly one candidate, and
// whether that candidate is its person's main entity (right) or someone
// else's (wrong). With MOSAIC_RESOLVE_EVAL_NORECORDS=1 it measures the
// state without the rule in the stage.
//
//	MOSAIC_RECORD_CONTEXT=/tmp/hx/d5000-1:/tmp/hx/w5000-1,... go test -run TestRecordContextPotential -v ./internal/stages/
func TestRecordContextPotential(t *testing.T) {
	spec := os.Getenv("MOSAIC_RECORD_CONTEXT")
	if spec == "" {
		t.Skip("set MOSAIC_RECORD_CONTEXT=data:world,... to measure")
	}
	maxSize := 2
	fmt.Sscan(os.Getenv("MOSAIC_RECORD_CONTEXT_SIZE"), &maxSize)
	ctx := context.Background()
	for _, pair := range strings.Split(spec, ",") {
		data, world, ok := strings.Cut(pair, ":")
		if !ok {
			t.Fatalf("bad entry %q", pair)
		}
		t.Run(filepath.Base(world), func(t *testing.T) { recordPotential(ctx, t, data, world, maxSize) })
	}
}

func recordPotential(ctx context.Context, t *testing.T, data, world string, maxSize int) {
	rp := replayWorld(ctx, t, data, world)
	s, truth := rp.s, rp.truth
	ent := map[mosaic.ID]string{}
	byPerson := map[string]map[string]int{}
	byEnt := map[string]map[string]int{}
	for m, p := range truth {
		e, err := s.entityOf(m)
		if err != nil {
			continue
		}
		ent[m] = e
		bump(byPerson, p, e)
		bump(byEnt, e, p)
	}
	majority := func(counts map[string]int) string {
		best, bn := "", 0
		for k, n := range counts {
			if n > bn || n == bn && k < best {
				best, bn = k, n
			}
		}
		return best
	}
	// Entities of record mentions only.
	type stat struct{ n, right, wrong, none int }
	var frag, fragCell, alone stat
	var samples []string
	why := map[string]int{}
	defer func() { t.Logf("fragments not placed, why: %v", why) }()
	direct, third := map[bool]int{}, map[bool]int{}
	directHow := map[string]int{}
	defer func() { t.Logf("direct: %v", directHow) }()
	done := map[string]bool{}
	ids := make([]mosaic.ID, 0, len(ent))
	for m := range ent {
		ids = append(ids, m)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, m := range ids {
		e := ent[m]
		if done[e] {
			continue
		}
		done[e] = true
		members, err := s.eng.Members(e)
		if err != nil || len(members) > maxSize {
			continue
		}
		recOnly := true
		for _, r := range members {
			if rp.docMention[mosaic.ID(r)] {
				recOnly = false
			}
		}
		if !recOnly {
			continue
		}
		person := majority(byEnt[e])
		main := majority(byPerson[person])
		isFrag := main != e
		if isFrag && rp.cells[person] != "" {
			s.debug = t.Logf
			t.Logf("cell member %s fragment %q (main %s)", person, rp.captions[m], main)
		}
		target, evidence, err := s.recordChoice(e, members)
		s.debug = nil
		if err != nil {
			t.Fatal(err)
		}
		var st *stat
		switch {
		case isFrag && rp.cells[person] != "":
			st = &fragCell
			frag.n++
		case isFrag:
			st = &frag
		default:
			st = &alone
		}
		st.n++
		if target == "" {
			st.none++
			if isFrag {
				why[s.whyNot(e, members, main)]++
			}
			continue
		}
		tc, _ := s.eng.Cluster(target)
		right := majority(byEnt[tc]) == person
		if strings.Contains(evidence, " as ") && !strings.Contains(evidence, "also seen with") {
			direct[right]++
			how := "other"
			for _, h := range []string{"by phone", "booking", "flight", "same item"} {
				if strings.Contains(evidence, h) {
					how = h
				}
			}
			directHow[fmt.Sprint(how, " ", right)]++
		} else {
			third[right]++
		}
		if isFrag && st == &fragCell {
			if right {
				frag.right++
			} else {
				frag.wrong++
			}
		}
		if right {
			st.right++
		} else {
			st.wrong++
			if len(samples) < 15 {
				samples = append(samples, fmt.Sprintf("WRONG %s %q -> %s (%s): %s", person, rp.captions[m], target, majority(byEnt[tc]), evidence))
			}
		}
		if right && len(samples) < 30 {
			samples = append(samples, fmt.Sprintf("right %s %q: %s", person, rp.captions[m], evidence))
		}
	}
	t.Logf("%s: record-only entities of <= %d records: fragments apart from their person's main entity %d (placed right %d, wrong %d); of cell members %d (right %d, wrong %d); main entities %d (linked to their person's %d, wrongly %d); seen directly right %d wrong %d, through a third right %d wrong %d",
		filepath.Base(world), maxSize, frag.n, frag.right, frag.wrong, fragCell.n, fragCell.right, fragCell.wrong, alone.n, alone.right, alone.wrong, direct[true], direct[false], third[true], third[false])
	if os.Getenv("MOSAIC_RECORD_CONTEXT_SAMPLES") != "" {
		for _, l := range samples {
			t.Log(l)
		}
	}
}

// whyNot files a record fragment the rule leaves alone (its entity own,
// its person's main entity main) under why.
func (s *Resolve) whyNot(own string, members []string, main string) string {
	cands := map[string]bool{}
	for _, m := range members {
		links, err := s.eng.WeakLinks(m)
		if err != nil {
			return "error"
		}
		for _, l := range links {
			if l.Cluster != own {
				cands[l.Cluster] = true
			}
		}
	}
	if len(cands) == 0 {
		return "no candidate"
	}
	mine, err := s.company(own, nil)
	if err != nil {
		return "error"
	}
	if len(mine) == 0 {
		return "no company"
	}
	if !cands[main] {
		return "company, main entity not a candidate"
	}
	phones := map[string]bool{}
	for _, m := range members {
		for _, ph := range s.recPhones[m] {
			phones[ph] = true
		}
	}
	shares := func(c string) bool {
		theirs, err := s.company(c, phones)
		if err != nil {
			return false
		}
		for x := range mine {
			if _, ok := theirs[x]; ok {
				return true
			}
		}
		return false
	}
	if !shares(main) {
		return "company, none shared with the main entity"
	}
	for c := range cands {
		if c == main {
			continue
		}
		if only, _ := s.documentsOnly(c); !only && shares(c) {
			return "company shared with the main entity and a rival"
		}
	}
	return "other (the main entity reached only through a report mention)"
}
