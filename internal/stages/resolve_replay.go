package stages

import (
	"context"
	"fmt"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// ReplayStore is what Replay reads: the items, the stage's progress and
// the judgement log.
type ReplayStore interface {
	store.ItemReader
	store.Progress
	store.JudgementReader
}

// Replay brings the stage's new, empty engine to the state of the stage
// that resolved the stored items, as if it had never stopped: it adds the
// records of every item the resolve stage has finished one at a time, in
// Seq order, as Process did, with the model refits after the same records
// (Process refits after the record that makes the engine big enough), the
// context pass after each item (see contextPass) and every applied
// judgement of the log after the item that brought the engine to the
// record count at which it was applied (see AppliedAt; Process applies
// judgements between items only). Judgements applied after records that are not
// finished yet (their batch had not committed when the process stopped)
// wait for Process to reach those records.
//
// Adding the stored records as one batch (Engine.Restore) would cluster
// them canonically, strongest pairs first over everything, which can
// disagree with the streaming decisions already written to the store.
func (s *Resolve) Replay(ctx context.Context, st ReplayStore) error {
	log, err := st.Judgements(ctx, store.JudgementFilter{State: store.JudgementApplied})
	if err != nil {
		return fmt.Errorf("resolve: replay: judgements: %w", err)
	}
	graph, placed := judgementPlan(log)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eng.Len() > 0 {
		return fmt.Errorf("resolve: replay into an engine that holds %d records", s.eng.Len())
	}
	if err := s.eng.Restore(ctx, graph, func(func(resolve.Record) bool) {}); err != nil {
		return err
	}
	s.deferred = placed
	s.applyDeferred(ctx) // judgements applied before any record
	done, err := st.DoneRanges(ctx, pipeline.Resolve)
	if err != nil {
		return err
	}
	const chunk = 5000
	for _, rg := range done {
		for lo := rg.Lo; lo <= rg.Hi; lo += chunk {
			items, err := st.ItemsInRange(ctx, pipeline.System, store.Range{Lo: lo, Hi: min(rg.Hi, lo+chunk-1)})
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			for _, it := range items {
				if it.Facts == nil {
					continue
				}
				coref := docCoref(it, resolve.NamesNamer{})
				var people []string
				for _, m := range it.Facts.Mentions {
					rec, ok := EngineRecord(m, it.Facts.StatementsOf(m.ID))
					if !ok {
						continue
					}
					rec = withCoref(rec, coref)
					// A record the engine rejects was recorded as a
					// failure of the stage; it is rejected here again.
					if _, err := s.eng.Add(rec); err != nil {
						continue
					}
					if isReasonOrg(it, m) {
						s.reasonOrgs++
					}
					if m.Type == mosaic.TypePerson {
						people = append(people, rec.ID)
					}
					if _, err := s.afterRecord(ctx); err != nil {
						return err
					}
				}
				s.noteItem(it, people)
				if _, err := s.runContext(it, people); err != nil {
					return err
				}
				s.applyDeferred(ctx)
			}
		}
	}
	return nil
}
