package stages

import (
	"context"
	"fmt"
	"slices"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Rules evaluates cross-source alert rules over items that have been
// resolved and linked (alert.Engine). Evaluate returns the alerts raised
// or grown and, with State mosaic.AlertWithdrawn, the alerts raised
// before whose rule no longer holds (resolution split what made them
// fire); all are written with PutAlert in the batch's transaction, which
// withdraws the latter (see docs/alerts.md).
type Rules interface {
	Evaluate(ctx context.Context, items []*store.Item) ([]*mosaic.Alert, error)
}

// AlertRules is the last stage: it runs the cross-source alert rules over
// items once they are resolved and linked.
//
// Rules may take subjects from screening alerts (the built-in rules take
// prisoners found on the convicted-offenders list). The screen stage ran
// long before, in another batch and maybe another process, so this stage
// screens its items again against a watch-list index of its own, kept
// exactly as the screen stage keeps its (loaded from the entries as they
// pass, restored from the entries this stage has passed): it gets the
// very hits the screen stage stored, without reading them back (they are
// not stored again). An engine that learns subjects from them (an
// Observer) is given them once the batch's items are in, and the rules
// are evaluated around the new subjects at once, so that what they raise
// commits with the batch.
//
// The engine's memory depends on the order items come in, so the stage
// is Ordered.
type AlertRules struct {
	watchIndex
	engine Rules
	// OnAlerts, if set, is called after commit with the alerts the rules
	// raised or folded.
	OnAlerts func([]*mosaic.Alert)
}

// NewAlertRules returns the rules stage. ix is its own index (not the
// screen stage's); engine may be nil.
func NewAlertRules(engine Rules, ix *screen.Index) *AlertRules {
	return &AlertRules{watchIndex: newWatchIndex(ix), engine: engine}
}

// Name implements pipeline.Stage.
func (*AlertRules) Name() string { return pipeline.Rules }

// Ordered implements pipeline.Ordered.
func (*AlertRules) Ordered() bool { return true }

// Restore loads into the stage's index the stored watch-list entries the
// rules stage has passed (see Screen.Restore).
func (s *AlertRules) Restore(ctx context.Context, st interface {
	store.ItemReader
	store.Progress
}) error {
	return s.restore(ctx, st, pipeline.Rules)
}

// Observer is what a rules engine implements to learn subjects from
// screening alerts (alert.Engine): Observe reports whether any are new,
// and the next Evaluate (given no items) evaluates the rules around them.
type Observer interface {
	Observe(ctx context.Context, alerts []*mosaic.Alert) bool
}

// Process implements pipeline.Stage.
func (s *AlertRules) Process(ctx context.Context, items []*store.Item) (pipeline.Outcome, error) {
	hits := s.screen(items)
	var alerts []*mosaic.Alert
	if s.engine != nil {
		var err error
		if alerts, err = s.engine.Evaluate(ctx, items); err != nil {
			return pipeline.Outcome{}, fmt.Errorf("alert rules: %w", err)
		}
		if o, ok := s.engine.(Observer); ok && len(hits) > 0 && o.Observe(ctx, hits) {
			more, err := s.engine.Evaluate(ctx, nil)
			if err != nil {
				return pipeline.Outcome{}, fmt.Errorf("alert rules around subjects found by screening: %w", err)
			}
			alerts = append(alerts, more...)
		}
	}
	return alertOutcome(alerts, s.OnAlerts), nil
}

// EntitiesNow replaces, in each alert's Entities, the mentions that
// resolution has put in an entity by that entity, as it stands now
// (screening alerts name the mention: they are raised before the record
// is resolved). Entity IDs and unresolved mentions stay as they are.
func EntitiesNow(ctx context.Context, st store.EntityReader, alerts ...*mosaic.Alert) error {
	var ids []mosaic.ID
	for _, a := range alerts {
		ids = append(ids, a.Entities...)
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	ents, err := st.EntityOf(ctx, ids)
	if err != nil {
		return err
	}
	for _, a := range alerts {
		out := make([]mosaic.ID, 0, len(a.Entities))
		for _, id := range a.Entities {
			if e := ents[id]; e != "" {
				id = e
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		a.Entities = out
	}
	return nil
}
