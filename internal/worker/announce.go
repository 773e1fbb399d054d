package worker

import (
	"context"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// AnnounceWatchlist wraps the screen stage so that, once a batch holding
// watch-list entries has committed, an EventWatchlist names them for the
// API nodes' indexes.
func AnnounceWatchlist(st pipeline.Stage, ev *Events) pipeline.Stage {
	return &announcer{Stage: st, ev: ev}
}

type announcer struct {
	pipeline.Stage
	ev *Events
}

func (a *announcer) Process(ctx context.Context, items []*store.Item) (pipeline.Outcome, error) {
	out, err := a.Stage.Process(ctx, items)
	if err != nil {
		return out, err
	}
	var seqs []int64
	for _, it := range items {
		if it.Record != nil && it.Record.Kind == mosaic.KindWatchlistEntry {
			seqs = append(seqs, it.Seq)
		}
	}
	if len(seqs) > 0 {
		after := out.After
		out.After = func() {
			if after != nil {
				after()
			}
			a.ev.Publish(EventWatchlist, seqs)
		}
	}
	return out, nil
}
