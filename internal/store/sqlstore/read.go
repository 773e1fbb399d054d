package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/store"
)

type scanner interface{ Scan(...any) error }

// scanItem reads an item row (without document text and bytes).
func scanItem(sc scanner) (*store.Item, error) {
	var (
		it                         store.Item
		id, kind, marking, locator string
		observed, stored           int64
		body                       string
		facts                      sql.NullString
	)
	if err := sc.Scan(&it.Seq, &id, &it.Source, &kind, &marking, &observed, &stored, &locator, &body, &facts); err != nil {
		return nil, err
	}
	it.ID, it.Marking, it.Stored = mosaic.ID(id), mosaic.ParseMarking(marking), fromMicros(stored)
	if kind == kindDocument {
		var b docBody
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			return nil, fmt.Errorf("decode document %s: %w", id, err)
		}
		it.Document = &mosaic.Document{
			ID: it.ID, Source: it.Source, Title: b.Title, MediaType: b.MediaType, Path: b.Path,
			Published: fromMicros(b.Published), Observed: fromMicros(observed), Meta: b.Meta, Marking: it.Marking,
		}
	} else {
		r := &mosaic.Record{ID: it.ID, Source: it.Source, Kind: mosaic.RecordKind(kind), Observed: fromMicros(observed), Locator: locator, Marking: it.Marking}
		var ok bool
		if r.Fields, ok = readFields(body); !ok {
			if err := json.Unmarshal([]byte(body), &r.Fields); err != nil {
				return nil, fmt.Errorf("decode record %s: %w", id, err)
			}
		}
		it.Record = r
	}
	if facts.Valid {
		var err error
		c := itemContext{id: it.ID, source: it.Source, marking: it.Marking, observed: fromMicros(observed)}
		if it.Facts, err = decodeFactsString(facts.String, c); err != nil {
			return nil, fmt.Errorf("decode facts of %s: %w", id, err)
		}
	}
	return &it, nil
}

// loadContent fills in the text and original bytes of document items.
func (s *Store) loadContent(ctx context.Context, items []*store.Item) error {
	q := s.d.Rebind(`SELECT text, raw FROM doc_content WHERE seq = ?`)
	for _, it := range items {
		if it.Document == nil {
			continue
		}
		if err := s.db.QueryRowContext(ctx, q, it.Seq).Scan(&it.Document.Text, &it.Document.Raw); err != nil {
			return fmt.Errorf("load document %s: %w", it.ID, err)
		}
	}
	return nil
}

// Item implements store.ItemReader.
func (s *Store) Item(ctx context.Context, p mosaic.Principal, id mosaic.ID) (*store.Item, error) {
	const op = "store.Item"
	it, err := scanItem(s.db.QueryRowContext(ctx, s.q.itemByID, string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mosaic.Errorf(mosaic.KindNotFound, op, "no item %s", id)
	}
	if err != nil {
		return nil, mosaic.E(mosaic.KindOther, op, err)
	}
	if !access.Can(p, it.Marking) {
		return nil, mosaic.Errorf(mosaic.KindNotFound, op, "no item %s", id)
	}
	if err := s.loadContent(ctx, []*store.Item{it}); err != nil {
		return nil, mosaic.E(mosaic.KindOther, op, err)
	}
	return it, nil
}

// ItemsInRange implements store.ItemReader.
func (s *Store) ItemsInRange(ctx context.Context, p mosaic.Principal, r store.Range) ([]*store.Item, error) {
	rows, err := s.db.QueryContext(ctx, s.q.itemsInRange, r.Lo, r.Hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		if access.Can(p, it.Marking) {
			out = append(out, it)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.loadContent(ctx, out)
}

// LastSeq implements store.ItemReader.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, s.q.lastSeq).Scan(&n)
	return n, err
}

// CountInRange implements store.ItemReader.
func (s *Store) CountInRange(ctx context.Context, r store.Range) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT COUNT(*) FROM items WHERE seq >= ? AND seq <= ?`), r.Lo, r.Hi).Scan(&n)
	return n, err
}

// FirstInRange returns the lowest stored Seq with Lo <= Seq <= Hi (0 when
// the range holds no item): one index probe, where CountInRange reads the
// whole range. The pipeline asks it whether a stage still owes work.
func (s *Store) FirstInRange(ctx context.Context, r store.Range) (int64, error) {
	var seq int64
	err := s.db.QueryRowContext(ctx, s.q.firstInRange, r.Lo, r.Hi).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

// Members implements store.EntityReader.
func (s *Store) Members(ctx context.Context, entity mosaic.ID) ([]store.Assignment, error) {
	rows, err := s.db.QueryContext(ctx, s.q.members, string(entity))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Assignment
	for rows.Next() {
		var a store.Assignment
		var m, e, t string
		if err := rows.Scan(&m, &e, &t, &a.Item, &a.Caption); err != nil {
			return nil, err
		}
		a.Mention, a.Entity, a.Type = mosaic.ID(m), mosaic.ID(e), mosaic.EntityType(t)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Assignments implements store.EntityReader.
func (s *Store) Assignments(ctx context.Context, fn func(store.Assignment) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT mention, entity, type, item, caption FROM resolution ORDER BY item, mention`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a store.Assignment
		var m, e, t string
		if err := rows.Scan(&m, &e, &t, &a.Item, &a.Caption); err != nil {
			return err
		}
		a.Mention, a.Entity, a.Type = mosaic.ID(m), mosaic.ID(e), mosaic.EntityType(t)
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Entity implements store.EntityReader. The entity a caller sees is built
// only from the statements of items the caller may see; its marking is the
// union of those items' markings.
func (s *Store) Entity(ctx context.Context, p mosaic.Principal, id mosaic.ID) (*mosaic.Entity, error) {
	const op = "store.Entity"
	notFound := mosaic.Errorf(mosaic.KindNotFound, op, "no entity %s", id)
	if strings.HasPrefix(string(id), mosaic.PrefixDocument+"-") || strings.HasPrefix(string(id), mosaic.PrefixRecord+"-") {
		// A mention ID: find its entity.
		m, err := s.EntityOf(ctx, []mosaic.ID{id})
		if err != nil {
			return nil, mosaic.E(mosaic.KindOther, op, err)
		}
		if m[id] == "" {
			return nil, notFound
		}
		id = m[id]
	}
	members, err := s.Members(ctx, id)
	if err != nil {
		return nil, mosaic.E(mosaic.KindOther, op, err)
	}
	if len(members) == 0 {
		return nil, notFound
	}
	bySeq := map[int64][]mosaic.ID{}
	for _, a := range members {
		bySeq[a.Item] = append(bySeq[a.Item], a.Mention)
	}
	seqs := make([]int64, 0, len(bySeq))
	for q := range bySeq {
		seqs = append(seqs, q)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	e := &mosaic.Entity{ID: id, Type: members[0].Type}
	q := s.d.Rebind(`SELECT seq, id, source, kind, marking, observed, stored, locator, body, facts FROM items WHERE seq = ?`)
	for _, seq := range seqs {
		it, err := scanItem(s.db.QueryRowContext(ctx, q, seq))
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) { // erased
				continue
			}
			return nil, mosaic.E(mosaic.KindOther, op, err)
		}
		if !access.Can(p, it.Marking) || it.Facts == nil {
			continue
		}
		e.Marking = e.Marking.Union(it.Marking)
		for _, m := range bySeq[seq] {
			e.Mentions = append(e.Mentions, m)
			e.Statements = append(e.Statements, it.Facts.StatementsOf(m)...)
		}
	}
	if len(e.Mentions) == 0 {
		return nil, notFound
	}
	e.Caption = Caption(e.Statements)
	return e, nil
}

// Caption returns the most frequent name among statements (ties broken by
// the longer, then the lexically smaller name).
func Caption(sts []mosaic.Statement) string {
	counts := map[string]int{}
	for _, s := range sts {
		if s.Prop == mosaic.PropName {
			counts[s.Value]++
		}
	}
	best, bestN := "", 0
	for v, n := range counts {
		if n > bestN || n == bestN && (len(v) > len(best) || len(v) == len(best) && v < best) {
			best, bestN = v, n
		}
	}
	return best
}
