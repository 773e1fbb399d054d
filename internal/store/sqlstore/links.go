package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/store"
)

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
	for lo := 0; lo < len(items); lo += insertChunk {
		chunk := items[lo:min(len(items), lo+insertChunk)]
		args := make([]any, len(chunk))
		for i, seq := range chunk {
			args[i] = seq
		}
		q := `DELETE FROM links WHERE item IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
		if err := t.exec(ctx, t.s.d.Rebind(q), args...); err != nil {
			return fmt.Errorf("replace links: %w", err)
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
			strings.Repeat(`(?,?,?,?,?,?,?,?,?,?,?),`, n-1) + `(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING`
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

func scanEntityLink(sc scanner) (store.EntityLink, error) {
	var (
		el                                 store.EntityLink
		id, subj, obj, ev, marking, se, oe string
		start, end                         int64
	)
	if err := sc.Scan(&id, &el.Item, &subj, &el.Predicate, &obj, &ev, &start, &end, &el.Confidence, &el.Source, &marking, &se, &oe); err != nil {
		return el, err
	}
	el.ID, el.Subject, el.Object = mosaic.ID(id), mosaic.ID(subj), mosaic.ID(obj)
	el.Start, el.End, el.Marking = fromMicros(start), fromMicros(end), mosaic.ParseMarking(marking)
	el.SubjectEntity, el.ObjectEntity = mosaic.ID(se), mosaic.ID(oe)
	if err := json.Unmarshal([]byte(ev), &el.Evidence); err != nil {
		return el, fmt.Errorf("decode evidence of link %s: %w", id, err)
	}
	return el, nil
}

// EntityLinks implements store.LinkReader.
func (s *Store) EntityLinks(ctx context.Context, fn func(store.EntityLink) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+entityLinkCols+` FROM links l
		JOIN resolution rs ON rs.mention = l.subject JOIN resolution ro ON ro.mention = l.object ORDER BY l.item, l.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		el, err := scanEntityLink(rows)
		if err != nil {
			return err
		}
		if err := fn(el); err != nil {
			return err
		}
	}
	return rows.Err()
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
		args := make([]any, 0, 2*n)
		for _, m := range chunk {
			args = append(args, string(m))
		}
		args = append(args, args...)
		ph := strings.TrimSuffix(strings.Repeat("?,", n), ",")
		q := s.d.Rebind(`SELECT ` + entityLinkCols + ` FROM links l
			JOIN resolution rs ON rs.mention = l.subject JOIN resolution ro ON ro.mention = l.object
			WHERE l.subject IN (` + ph + `) OR l.object IN (` + ph + `) ORDER BY l.start_at, l.id`)
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			el, err := scanEntityLink(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if seen[el.ID] || !access.Can(p, el.Marking) {
				continue
			}
			seen[el.ID] = true
			out = append(out, el)
			if len(out) >= limit {
				break
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
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
