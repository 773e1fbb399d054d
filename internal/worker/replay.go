package worker

import (
	"context"

	"github.com/mosaic-intel/mosaic/internal/stages"
)

// Replay brings a new resolve stage to the state of the one that resolved
// the stored items: every finished item's records one at a time in Seq
// order, the model refitted after the same records, and every analyst's
// judgement applied after the record at which it was applied (see
// stages.Resolve.Replay). A new lease holder then decides exactly as its
// predecessor would have, and agrees with the assignments in the store.
func Replay(ctx context.Context, st stages.ReplayStore, r *stages.Resolve) error {
	return r.Replay(ctx, st)
}
