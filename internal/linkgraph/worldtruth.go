package linkgraph

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// WorldTruth reads a generated world's truth (docs/gen.md) and maps the
// resolved entities in a store back to the world's people: each Person
// entity gets the true person most of its mentions belong to (record and
// report mentions alike). It returns entity -> person ID and person -> cell
// ID.
func WorldTruth(ctx context.Context, st interface {
	store.ItemReader
	store.EntityReader
}, world string) (entityPerson map[mosaic.ID]string, personCell map[string]string, err error) {
	mp, err := MentionTruth(ctx, st, world)
	if err != nil {
		return nil, nil, err
	}
	personCell, err = PersonCells(world)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]mosaic.ID, 0, len(mp))
	for m := range mp {
		ids = append(ids, m)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	votes := map[mosaic.ID]map[string]int{}
	for lo := 0; lo < len(ids); lo += 10000 {
		chunk := ids[lo:min(len(ids), lo+10000)]
		ents, err := st.EntityOf(ctx, chunk)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range chunk {
			e := ents[id]
			if e == "" {
				continue
			}
			if votes[e] == nil {
				votes[e] = map[string]int{}
			}
			votes[e][mp[id]]++
		}
	}
	if len(votes) == 0 {
		return nil, nil, fmt.Errorf("no stored record matches the truth of %s: was this world ingested?", world)
	}
	entityPerson = map[mosaic.ID]string{}
	for e, vs := range votes {
		ps := make([]string, 0, len(vs))
		for p := range vs {
			ps = append(ps, p)
		}
		sort.Slice(ps, func(i, j int) bool { return vs[ps[i]] > vs[ps[j]] || vs[ps[i]] == vs[ps[j]] && ps[i] < ps[j] })
		entityPerson[e] = ps[0]
	}
	return entityPerson, personCell, nil
}

// PersonCells reads a generated world's truth/cells.csv: person -> cell.
func PersonCells(world string) (map[string]string, error) {
	cells, err := readRows(filepath.Join(world, "truth", "cells.csv"))
	if err != nil {
		return nil, err
	}
	personCell := map[string]string{}
	for _, c := range cells {
		personCell[c["person_id"]] = c["cell_id"]
	}
	return personCell, nil
}

// MentionTruth maps the Person mentions stored from a generated world to
// the world's true people: record mentions through truth/mentions.csv
// (record ID and role), report mentions through truth/report_mentions.csv
// (a mention's name spans; the person most of them name). Mentions the
// truth does not name are left out.
func MentionTruth(ctx context.Context, st store.ItemReader, world string) (map[mosaic.ID]string, error) {
	mentions, err := readRows(filepath.Join(world, "truth", "mentions.csv"))
	if err != nil {
		return nil, err
	}
	// (record_id, role) -> person; watchlist rows are keyed by entry_id.
	truth := map[string]string{}
	for _, m := range mentions {
		if strings.HasSuffix(m["file"], ".jsonl") {
			continue // phones
		}
		truth[m["record_id"]+"\x00"+m["role"]] = m["person_id"]
	}
	out := map[mosaic.ID]string{}
	eval := mosaic.Principal{Name: "eval", All: true}
	for _, kind := range []mosaic.RecordKind{mosaic.KindPerson, mosaic.KindTravel, mosaic.KindPurchase, mosaic.KindVehicleHire, mosaic.KindPrisonVisit, mosaic.KindReferral, mosaic.KindWatchlistEntry} {
		err := st.ItemsOfKind(ctx, eval, string(kind), func(it *store.Item) error {
			key := it.Record.Fields["record_id"]
			if key == "" {
				key = it.Record.Fields["entry_id"]
			}
			if it.Facts == nil || key == "" {
				return nil
			}
			for _, m := range it.Facts.Mentions {
				if p := truth[key+"\x00"+m.Role]; p != "" && m.Type == mosaic.TypePerson {
					out[m.ID] = p
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// Reports: a PER span (file, start, end) -> person. The stored text
	// may or may not keep the report's header, so spans are matched by
	// their text at an offset shifted by the header's length.
	spans, err := readRows(filepath.Join(world, "truth", "report_mentions.csv"))
	if err != nil {
		return nil, err
	}
	type span struct {
		start, end int
		person     string
	}
	byFile := map[string][]span{}
	for _, s := range spans {
		if s["type"] != "PER" {
			continue
		}
		a, err1 := strconv.Atoi(s["start"])
		b, err2 := strconv.Atoi(s["end"])
		if err1 != nil || err2 != nil {
			continue
		}
		f := filepath.Base(s["file"])
		byFile[f] = append(byFile[f], span{a, b, s["entity_id"]})
	}
	err = st.ItemsOfKind(ctx, eval, "document", func(it *store.Item) error {
		d := it.Document
		if d == nil || it.Facts == nil {
			return nil
		}
		ss := byFile[filepath.Base(d.Path)]
		if len(ss) == 0 {
			return nil
		}
		raw, err := os.ReadFile(filepath.Join(world, "reports", filepath.Base(d.Path)))
		if err != nil {
			return nil // the world's file is gone: leave the report out
		}
		shift := strings.Index(string(raw), d.Text)
		if shift < 0 {
			return nil
		}
		at := map[[2]int]string{}
		for _, s := range ss {
			at[[2]int{s.start - shift, s.end - shift}] = s.person
		}
		votes := map[mosaic.ID]map[string]int{}
		for _, s := range it.Facts.Statements {
			if p := at[[2]int{s.Origin.Start, s.Origin.End}]; p != "" && s.Origin.Document == d.ID {
				if votes[s.Subject] == nil {
					votes[s.Subject] = map[string]int{}
				}
				votes[s.Subject][p]++
			}
		}
		for _, m := range it.Facts.Mentions {
			if m.Type != mosaic.TypePerson || votes[m.ID] == nil {
				continue
			}
			best, bn := "", 0
			for p, n := range votes[m.ID] {
				if n > bn || n == bn && p < best {
					best, bn = p, n
				}
			}
			out[m.ID] = best
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no stored record matches the truth of %s: was this world ingested?", world)
	}
	return out, nil
}

// CellTruth maps entities to the cells their true people belong to
// (entities of people in no cell are left out).
func CellTruth(entityPerson map[mosaic.ID]string, personCell map[string]string) map[mosaic.ID]string {
	out := map[mosaic.ID]string{}
	for e, p := range entityPerson {
		if c := personCell[p]; c != "" {
			out[e] = c
		}
	}
	return out
}

func readRows(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []map[string]string
	for {
		row, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			if i < len(row) {
				m[h] = row[i]
			}
		}
		out = append(out, m)
	}
}
