package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Search implements store.Searcher: full-text search over documents and
// records, plus the entities whose names in the matching items contain
// every query word. Entities come first, then items, best first.
func (s *Store) Search(ctx context.Context, p mosaic.Principal, query string, limit int) ([]store.Hit, error) {
	const op = "store.Search"
	words := queryWords(query)
	if len(words) == 0 {
		return nil, mosaic.Errorf(mosaic.KindInvalid, op, "empty query")
	}
	if limit <= 0 {
		limit = 20
	}
	// Index what waits first: a search never misses a committed item.
	if err := s.FlushIndex(ctx); err != nil {
		return nil, mosaic.E(mosaic.KindUnavailable, op, err)
	}
	// Ask for more text hits than we return: some will be hidden from p.
	var th []TextHit
	var err error
	if s.ti != nil {
		th, err = s.ti.Search(ctx, strings.Join(words, " "), 4*limit+20)
	} else {
		th, err = s.d.SearchText(ctx, s.db, strings.Join(words, " "), 4*limit+20)
	}
	if err != nil {
		return nil, mosaic.E(mosaic.KindOther, op, err)
	}
	q := s.d.Rebind(`SELECT seq, id, source, kind, marking, observed, stored, locator, body, facts FROM items WHERE seq = ?`)
	var items, entities []store.Hit
	seenEntity := map[mosaic.ID]bool{}
	for _, h := range th {
		it, err := scanItem(s.db.QueryRowContext(ctx, q, h.Seq))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, mosaic.E(mosaic.KindOther, op, err)
		}
		if !access.Can(p, it.Marking) {
			continue
		}
		hit := store.Hit{ID: it.ID, Score: h.Score, Snippet: h.Snippet}
		if it.Document != nil {
			hit.Kind, hit.Title = "document", it.Document.Title
		} else {
			hit.Kind, hit.Title = "record", string(it.Record.Kind)+" from "+it.Source
		}
		if len(items) < limit {
			items = append(items, hit)
		}
		if it.Facts == nil {
			continue
		}
		for _, st := range it.Facts.Statements {
			if (st.Prop != mosaic.PropName && st.Prop != mosaic.PropAlias) || !containsAll(st.Value, words) {
				continue
			}
			ents, err := s.EntityOf(ctx, []mosaic.ID{st.Subject})
			if err != nil {
				return nil, mosaic.E(mosaic.KindOther, op, err)
			}
			eid := ents[st.Subject]
			if eid == "" || seenEntity[eid] {
				continue
			}
			seenEntity[eid] = true
			if len(entities) < limit {
				entities = append(entities, store.Hit{Kind: "entity", ID: eid, Title: st.Value, Snippet: string(st.Type), Score: h.Score})
			}
		}
	}
	out := append(entities, items...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// queryWords splits a query into lower-case words of letters and digits,
// dropping the operators and punctuation of full-text query languages.
func queryWords(q string) []string {
	return strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func containsAll(s string, words []string) bool {
	have := map[string]bool{}
	for _, w := range queryWords(s) {
		have[w] = true
	}
	for _, w := range words {
		if !have[w] {
			return false
		}
	}
	return true
}
