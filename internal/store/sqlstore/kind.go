package sqlstore

import (
	"context"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// ItemsOfKind implements store.ItemReader.
func (s *Store) ItemsOfKind(ctx context.Context, p mosaic.Principal, kind string, fn func(*store.Item) error) error {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT seq, id, source, kind, marking, observed, stored, locator, body, facts FROM items WHERE kind = ? ORDER BY seq`), kind)
	if err != nil {
		return err
	}
	var items []*store.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return err
		}
		if access.Can(p, it.Marking) {
			items = append(items, it)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if kind == kindDocument {
		if err := s.loadContent(ctx, items); err != nil {
			return err
		}
	}
	for _, it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}
