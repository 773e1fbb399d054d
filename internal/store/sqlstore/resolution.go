package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Resolution by item
//
// The resolution table says which entity each mention belongs to. It is
// keyed by item and mention (a unique index; on SQLite the table keeps
// its rowid, see ResolutionByItemSchemaSQLite), not by mention: mention
// IDs begin with a hashed item ID, so an index on them puts each new row
// on a random page, and the resolve stage, which assigns a thousand
// mentions or more a transaction, wrote most of its pages there
// (docs/benchmarks/alerts.md). Rows now go in item order; only the
// entity index stays random.
//
// A mention is found by its item: mention IDs begin with their item's ID
// and a slash (mosaic.MentionID), so the items whose IDs are a prefix of
// the mention's, ending before a slash, are looked up (usually one), and
// the mention among their rows. The rare mention whose ID does not begin
// with its item's ID is listed in mention_items with its item.
// A mention belongs to one item: assigning it again under another item
// keeps both rows.

// rowQuerier runs a query: a *sql.DB, or a *sql.Tx to see the
// transaction's own writes.
type rowQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// placed is a stored resolution row: the mention's item and entity.
type placed struct {
	item   int64
	entity mosaic.ID
}

// itemPrefixes adds to add the prefixes of m that end before a slash:
// the IDs of the items m may be a mention of.
func itemPrefixes(m mosaic.ID, add func(string)) {
	for i := 1; i < len(m); i++ {
		if m[i] == '/' {
			add(string(m[:i]))
		}
	}
}

// locate adds to out the stored rows of mentions (those that have one),
// with one query per chunk of mentions.
func (s *Store) locate(ctx context.Context, q rowQuerier, mentions []mosaic.ID, out map[mosaic.ID]placed) error {
	want := make(map[mosaic.ID]bool, len(mentions))
	for lo := 0; lo < len(mentions); lo += insertChunk {
		chunk := mentions[lo:min(len(mentions), lo+insertChunk)]
		clear(want)
		var prefixes, ms []any
		seen := map[string]bool{}
		for _, m := range chunk {
			want[m] = true
			ms = append(ms, string(m))
			itemPrefixes(m, func(p string) {
				if !seen[p] {
					seen[p] = true
					prefixes = append(prefixes, p)
				}
			})
		}
		// The rows of the items named by the mentions' prefixes (a few
		// rows an item, filtered here), and the mentions listed on
		// their own.
		var b strings.Builder
		var args []any
		if len(prefixes) > 0 {
			b.WriteString(`SELECT mention, item, entity FROM resolution WHERE item IN (SELECT seq FROM items WHERE id IN (?` + strings.Repeat(",?", len(prefixes)-1) + `)) UNION ALL `)
			args = append(args, prefixes...)
		}
		b.WriteString(`SELECT r.mention, r.item, r.entity FROM mention_items o JOIN resolution r ON r.item = o.item AND r.mention = o.mention WHERE o.mention IN (?` + strings.Repeat(",?", len(ms)-1) + `)`)
		args = append(args, ms...)
		rows, err := q.QueryContext(ctx, s.d.Rebind(b.String()), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m, e string
			var item int64
			if err := rows.Scan(&m, &item, &e); err != nil {
				rows.Close()
				return err
			}
			if want[mosaic.ID(m)] {
				out[mosaic.ID(m)] = placed{item: item, entity: mosaic.ID(e)}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// EntityOf implements store.EntityReader, with one query per chunk of
// mentions (the screen stage asks for a whole batch's at once).
func (s *Store) EntityOf(ctx context.Context, mentions []mosaic.ID) (map[mosaic.ID]mosaic.ID, error) {
	got := make(map[mosaic.ID]placed, len(mentions))
	if err := s.locate(ctx, s.db, mentions, got); err != nil {
		return nil, err
	}
	out := make(map[mosaic.ID]mosaic.ID, len(mentions))
	for _, m := range mentions {
		out[m] = got[m].entity
	}
	return out, nil
}

// Assign implements store.Tx with multi-row upserts. When a mention is
// assigned twice in one call the last assignment wins, as it would one
// statement at a time (PostgreSQL refuses to upsert one row twice in a
// statement, so repeats are folded first). A mention whose ID does not
// begin with its item's ID is listed in mention_items as well.
func (t *tx) Assign(ctx context.Context, as []store.Assignment) error {
	for _, a := range as {
		if a.Mention == "" || a.Entity == "" {
			return mosaic.Errorf(mosaic.KindInvalid, "store.Assign", "assignment needs a mention and an entity")
		}
	}
	last := make(map[mosaic.ID]int, len(as))
	for i, a := range as {
		last[a.Mention] = i
	}
	keep := make([]store.Assignment, 0, len(last))
	for i, a := range as {
		if last[a.Mention] == i {
			keep = append(keep, a)
		}
	}
	// The items' IDs, to tell the mentions that do not begin with theirs.
	ids := map[int64]string{}
	var seqs []any
	for _, a := range keep {
		if _, ok := ids[a.Item]; !ok {
			ids[a.Item] = ""
			seqs = append(seqs, a.Item)
		}
	}
	for lo := 0; lo < len(seqs); lo += insertChunk {
		chunk := seqs[lo:min(len(seqs), lo+insertChunk)]
		if err := t.itemIDs(ctx, `(?`+strings.Repeat(",?", len(chunk)-1)+`)`, chunk, ids); err != nil {
			return fmt.Errorf("assign mentions: %w", err)
		}
	}
	var odd []any
	for lo := 0; lo < len(keep); lo += insertChunk {
		chunk := keep[lo:min(len(keep), lo+insertChunk)]
		args := make([]any, 0, 5*len(chunk))
		for _, a := range chunk {
			args = append(args, a.Item, string(a.Mention), string(a.Entity), string(a.Type), a.Caption)
			if !ofItem(a.Mention, ids[a.Item]) {
				odd = append(odd, string(a.Mention), a.Item)
			}
		}
		q := `INSERT INTO resolution(item, mention, entity, type, caption) VALUES` + strings.Repeat(`(?,?,?,?,?),`, len(chunk)-1) + `(?,?,?,?,?)
			ON CONFLICT (item, mention) DO UPDATE SET entity = excluded.entity, type = excluded.type, caption = excluded.caption`
		if err := t.exec(ctx, t.s.d.Rebind(q), args...); err != nil {
			return fmt.Errorf("assign mentions: %w", err)
		}
	}
	for lo := 0; lo < len(odd); lo += 2 * insertChunk {
		part := odd[lo:min(len(odd), lo+2*insertChunk)]
		q := `INSERT INTO mention_items(mention, item) VALUES (?,?)` + strings.Repeat(`,(?,?)`, len(part)/2-1) + ` ON CONFLICT (mention) DO UPDATE SET item = excluded.item`
		if err := t.exec(ctx, t.s.d.Rebind(q), part...); err != nil {
			return fmt.Errorf("assign mentions: %w", err)
		}
	}
	return nil
}

// MoveMentions implements store.Tx: the mentions' rows are located, then
// updated with one UPDATE ... FROM (VALUES ...) per chunk of moves, in
// mention order. A mention with no row is left unassigned, as an UPDATE
// of a missing row would.
func (t *tx) MoveMentions(ctx context.Context, moves map[mosaic.ID]mosaic.ID) error {
	ms := make([]mosaic.ID, 0, len(moves))
	for m, e := range moves {
		if e == "" {
			return mosaic.Errorf(mosaic.KindInvalid, "store.MoveMentions", "no entity for %s", m)
		}
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i] < ms[j] })
	at := make(map[mosaic.ID]placed, len(ms))
	if err := t.s.locate(ctx, t.tx, ms, at); err != nil {
		return fmt.Errorf("move mentions: %w", err)
	}
	args := make([]any, 0, 3*insertChunk)
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := `UPDATE resolution SET entity = v.column3 FROM (VALUES ` + strings.Repeat(`(CAST(? AS BIGINT),?,?),`, n-1) + `(CAST(? AS BIGINT),?,?)) AS v
			WHERE resolution.item = v.column1 AND resolution.mention = v.column2`
		err := t.exec(ctx, t.s.d.Rebind(q), args...)
		args, n = args[:0], 0
		if err != nil {
			return fmt.Errorf("move mentions: %w", err)
		}
		return nil
	}
	for _, m := range ms {
		p, ok := at[m]
		if !ok || p.entity == moves[m] {
			continue
		}
		args = append(args, p.item, string(m), string(moves[m]))
		if n++; n == insertChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
