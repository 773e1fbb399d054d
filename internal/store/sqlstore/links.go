package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Links by item
//
// A link is stored with the item it was found in, and nearly always joins
// two mentions of that item (the passenger and the flight of a travel
// record, two people named in one sentence). So links are kept by item
// alone (SQLite: a table clustered by item) and found from a mention
// through the mention's item (see resolution.go); the rare
// end that is a mention of another item is listed in link_ends, by
// mention, with the item holding the link. The link stage then appends
// its rows in item order instead of writing to random pages of indexes
// on hashed link and mention IDs, which made most of the pages the store
// wrote (14 MB a transaction at 5,000 records/s; docs/benchmarks/alerts.md).

// PutLinks implements store.Tx. The links are checked at once and written
// with the transaction's other links just before it commits: one DELETE
// for every item whose links are replaced and multi-row INSERTs, instead
// of a statement per link (the link stage indexes a batch of items in one
// transaction). A second PutLinks for the same item in the transaction
// replaces the first, as if each were written at once.
func (t *tx) PutLinks(ctx context.Context, seq int64, links []mosaic.Link) error {
	for _, l := range links {
		if l.ID == "" || l.Subject == "" || l.Object == "" || l.Predicate == "" {
			return mosaic.Errorf(mosaic.KindInvalid, "store.PutLinks", "link %q lacks an id, endpoint or predicate", l.ID)
		}
		if len(l.Evidence) == 0 {
			return mosaic.Errorf(mosaic.KindInvalid, "store.PutLinks", "link %s has no evidence", l.ID)
		}
		if math.IsNaN(l.Confidence) || math.IsInf(l.Confidence, 0) {
			return mosaic.Errorf(mosaic.KindInvalid, "store.PutLinks", "link %s: confidence %v is not a number", l.ID, l.Confidence)
		}
	}
	if t.links == nil {
		t.links = map[int64][]mosaic.Link{}
	}
	if _, ok := t.links[seq]; !ok {
		t.linkItems = append(t.linkItems, seq)
	}
	t.links[seq] = links
	return nil
}

// flushLinks writes the links PutLinks collected.
func (t *tx) flushLinks(ctx context.Context) error {
	if len(t.linkItems) == 0 {
		return nil
	}
	items := t.linkItems
	t.linkItems = nil
	ids := map[int64]string{} // item seq -> item ID
	for lo := 0; lo < len(items); lo += insertChunk {
		chunk := items[lo:min(len(items), lo+insertChunk)]
		args := make([]any, len(chunk))
		for i, seq := range chunk {
			args[i] = seq
		}
		in := `(?` + strings.Repeat(",?", len(chunk)-1) + `)`
		for _, table := range []string{"links", "link_ends"} {
			if err := t.exec(ctx, t.s.d.Rebind(`DELETE FROM `+table+` WHERE item IN `+in), args...); err != nil {
				return fmt.Errorf("replace links: %w", err)
			}
		}
		if err := t.itemIDs(ctx, in, args, ids); err != nil {
			return fmt.Errorf("replace links: %w", err)
		}
	}
	var ends []any // mention, item: ends that are not of the link's item
	seen := map[linkEnd]bool{}
	for _, seq := range items {
		for _, l := range t.links[seq] {
			for _, m := range []mosaic.ID{l.Subject, l.Object} {
				e := linkEnd{m, seq}
				if ofItem(m, ids[seq]) || seen[e] {
					continue
				}
				seen[e] = true
				ends = append(ends, string(m), seq)
			}
		}
	}
	for lo := 0; lo < len(ends); lo += 2 * insertChunk {
		part := ends[lo:min(len(ends), lo+2*insertChunk)]
		q := `INSERT INTO link_ends(mention, item) VALUES (?,?)` + strings.Repeat(`,(?,?)`, len(part)/2-1) + ` ON CONFLICT DO NOTHING`
		if err := t.exec(ctx, t.s.d.Rebind(q), part...); err != nil {
			return fmt.Errorf("index link ends: %w", err)
		}
	}
	var rows []any
	n := 0
	var ev []byte
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := `INSERT INTO links(id, item, subject, predicate, object, evidence, start_at, end_at, confidence, source, marking) VALUES` +
			strings.Repeat(`(?,?,?,?,?,?,?,?,?,?,?),`, n-1) + `(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`
		err := t.exec(ctx, t.s.d.Rebind(q), rows...)
		rows, n = rows[:0], 0
		if err != nil {
			return fmt.Errorf("index links: %w", err)
		}
		return nil
	}
	for _, seq := range items {
		for _, l := range t.links[seq] {
			ev = appendIDs(ev[:0], l.Evidence)
			rows = append(rows, string(l.ID), seq, string(l.Subject), l.Predicate, string(l.Object), string(ev), micros(l.Start), micros(l.End), l.Confidence, l.Source, l.Marking.String())
			if n++; n == insertChunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	t.links = nil
	return flush()
}

type linkEnd struct {
	mention mosaic.ID
	item    int64
}

// ofItem reports whether mention is a mention of the item with ID item
// (mention IDs begin with their item's ID, see mosaic.MentionID).
func ofItem(mention mosaic.ID, item string) bool {
	return item != "" && len(mention) > len(item) && string(mention[:len(item)]) == item && mention[len(item)] == '/'
}

// itemIDs adds to ids the IDs of the items whose seqs are args (in is
// the placeholder list).
func (t *tx) itemIDs(ctx context.Context, in string, args []any, ids map[int64]string) error {
	rows, err := t.tx.QueryContext(ctx, t.s.d.Rebind(`SELECT seq, id FROM items WHERE seq IN `+in), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var id string
		if err := rows.Scan(&seq, &id); err != nil {
			return err
		}
		ids[seq] = id
	}
	return rows.Err()
}

// appendIDs appends ids as a JSON array of strings.
func appendIDs(b []byte, ids []mosaic.ID) []byte {
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, string(id))
	}
	return append(b, ']')
}

const entityLinkCols = `l.id, l.item, l.subject, l.predicate, l.object, l.evidence, l.start_at, l.end_at, l.confidence, l.source, l.marking, rs.entity, ro.entity`

// ownEnds joins each end of a link l to its resolution row when the end
// is a mention of the link's own item, as nearly all are; resolveEnds
// finds the others.
const ownEnds = ` LEFT JOIN resolution rs ON rs.item = l.item AND rs.mention = l.subject
	LEFT JOIN resolution ro ON ro.item = l.item AND ro.mention = l.object`

func scanEntityLink(sc scanner) (store.EntityLink, error) {
	var (
		el                         store.EntityLink
		id, subj, obj, ev, marking string
		se, oe                     sql.NullString
		start, end                 int64
	)
	if err := sc.Scan(&id, &el.Item, &subj, &el.Predicate, &obj, &ev, &start, &end, &el.Confidence, &el.Source, &marking, &se, &oe); err != nil {
		return el, err
	}
	el.ID, el.Subject, el.Object = mosaic.ID(id), mosaic.ID(subj), mosaic.ID(obj)
	el.Start, el.End, el.Marking = fromMicros(start), fromMicros(end), mosaic.ParseMarking(marking)
	el.SubjectEntity, el.ObjectEntity = mosaic.ID(se.String), mosaic.ID(oe.String)
	if err := json.Unmarshal([]byte(ev), &el.Evidence); err != nil {
		return el, fmt.Errorf("decode evidence of link %s: %w", id, err)
	}
	return el, nil
}

// resolveEnds sets the entities of the ends of ls that the join on the
// link's own item (ownEnds) left empty, and drops the links with an end
// that no entity holds. It keeps the order of ls.
func (s *Store) resolveEnds(ctx context.Context, q rowQuerier, ls []store.EntityLink) ([]store.EntityLink, error) {
	var missing []mosaic.ID
	for _, l := range ls {
		if l.SubjectEntity == "" {
			missing = append(missing, l.Subject)
		}
		if l.ObjectEntity == "" {
			missing = append(missing, l.Object)
		}
	}
	if len(missing) == 0 {
		return ls, nil
	}
	at := make(map[mosaic.ID]placed, len(missing))
	if err := s.locate(ctx, q, missing, at); err != nil {
		return nil, err
	}
	out := ls[:0]
	for _, l := range ls {
		if l.SubjectEntity == "" {
			l.SubjectEntity = at[l.Subject].entity
		}
		if l.ObjectEntity == "" {
			l.ObjectEntity = at[l.Object].entity
		}
		if l.SubjectEntity != "" && l.ObjectEntity != "" {
			out = append(out, l)
		}
	}
	return out, nil
}

// EntityLinks implements store.LinkReader: the links in item order, a
// thousand at a time with their ends resolved.
func (s *Store) EntityLinks(ctx context.Context, fn func(store.EntityLink) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+entityLinkCols+` FROM links l`+ownEnds+` ORDER BY l.item, l.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	const batch = 1000
	buf := make([]store.EntityLink, 0, batch)
	emit := func() error {
		ls, err := s.resolveEnds(ctx, s.db, buf)
		if err != nil {
			return err
		}
		for _, l := range ls {
			if err := fn(l); err != nil {
				return err
			}
		}
		buf = buf[:0]
		return nil
	}
	for rows.Next() {
		el, err := scanEntityLink(rows)
		if err != nil {
			return err
		}
		if buf = append(buf, el); len(buf) == batch {
			if err := emit(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return emit()
}

// LinksOf implements store.LinkReader.
func (s *Store) LinksOf(ctx context.Context, p mosaic.Principal, mentions []mosaic.ID, limit int) ([]store.EntityLink, error) {
	if len(mentions) == 0 {
		return nil, nil
	}
	if limit <= 0 {
		limit = 1000
	}
	var out []store.EntityLink
	seen := map[mosaic.ID]bool{}
	// Chunk the IN lists to stay under backend parameter limits.
	for len(mentions) > 0 && len(out) < limit {
		n := min(len(mentions), 200)
		chunk := mentions[:n]
		mentions = mentions[n:]
		// The links of the mentions' own items, and of the items
		// listed in link_ends (see "Links by item" above).
		items, err := s.itemsOfMentions(ctx, chunk)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			continue
		}
		args := make([]any, 0, len(items)+2*n)
		args = append(args, items...)
		for range 2 {
			for _, m := range chunk {
				args = append(args, string(m))
			}
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", n), ",")
		q := s.d.Rebind(`SELECT ` + entityLinkCols + ` FROM links l` + ownEnds + `
			WHERE l.item IN (?` + strings.Repeat(",?", len(items)-1) + `)
			AND (l.subject IN (` + ph + `) OR l.object IN (` + ph + `)) ORDER BY l.start_at, l.id`)
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		var got []store.EntityLink
		for rows.Next() {
			el, err := scanEntityLink(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			got = append(got, el)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if got, err = s.resolveEnds(ctx, s.db, got); err != nil {
			return nil, err
		}
		for _, el := range got {
			if seen[el.ID] || !access.Can(p, el.Marking) {
				continue
			}
			seen[el.ID] = true
			out = append(out, el)
			if len(out) >= limit {
				break
			}
		}
	}
	return out, nil
}

// itemsOfMentions returns the seqs of the items that may hold links of
// mentions: the mentions' own items and those link_ends lists for them.
func (s *Store) itemsOfMentions(ctx context.Context, mentions []mosaic.ID) ([]any, error) {
	at := make(map[mosaic.ID]placed, len(mentions))
	if err := s.locate(ctx, s.db, mentions, at); err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var items []any
	add := func(seq int64) {
		if !seen[seq] {
			seen[seq] = true
			items = append(items, seq)
		}
	}
	for _, m := range mentions {
		if p, ok := at[m]; ok {
			add(p.item)
		}
	}
	args := make([]any, len(mentions))
	for i, m := range mentions {
		args[i] = string(m)
	}
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT DISTINCT item FROM link_ends WHERE mention IN (?`+strings.Repeat(",?", len(mentions)-1)+`)`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		add(seq)
	}
	return items, rows.Err()
}

// ResolvedMentions implements store.LinkReader.
func (s *Store) ResolvedMentions(ctx context.Context, fn func(store.MentionRow) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT r.mention, r.entity, r.type, r.caption, i.marking, i.stored FROM resolution r JOIN items i ON i.seq = r.item ORDER BY r.entity, r.mention`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m store.MentionRow
		var mention, entity, typ, marking string
		var stored int64
		if err := rows.Scan(&mention, &entity, &typ, &m.Caption, &marking, &stored); err != nil {
			return err
		}
		m.Mention, m.Entity, m.Type, m.Marking, m.Stored = mosaic.ID(mention), mosaic.ID(entity), mosaic.EntityType(typ), mosaic.ParseMarking(marking), fromMicros(stored)
		if err := fn(m); err != nil {
			return err
		}
	}
	return rows.Err()
}
