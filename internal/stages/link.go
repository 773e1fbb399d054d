package stages

import (
	"context"

	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Link indexes each item's links (from its mapping or its extraction) so
// that they can be followed from either end, and tells a listener (the
// in-memory graph of a serving process) which items gained links.
type Link struct {
	// OnLinked, if set, is called after commit with the items whose
	// links were indexed.
	OnLinked func(items []*store.Item)
}

// Name implements pipeline.Stage.
func (*Link) Name() string { return pipeline.Link }

// Process implements pipeline.Stage.
func (s *Link) Process(ctx context.Context, items []*store.Item) (pipeline.Outcome, error) {
	var linked []*store.Item
	for _, it := range items {
		if it.Facts != nil && len(it.Facts.Links) > 0 {
			linked = append(linked, it)
		}
	}
	out := pipeline.Outcome{
		Write: func(ctx context.Context, tx store.Tx) error {
			for _, it := range linked {
				if err := tx.PutLinks(ctx, it.Seq, it.Facts.Links); err != nil {
					return err
				}
			}
			return nil
		},
	}
	if s.OnLinked != nil && len(linked) > 0 {
		out.After = func() { s.OnLinked(linked) }
	}
	return out, nil
}
