package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/linkgraph"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Follower keeps an API node's in-memory indexes current while workers
// run the pipeline elsewhere:
//
//   - the link graph: it follows the link stage's done ranges in the
//     store (a cursor of ranges already applied) and adds the links of
//     newly linked items; a "moved" event (resolution moved mentions)
//     marks the graph for rebuilding;
//   - the watch-list index: a "watchlist" event names the entries the
//     screen stage passed, which it loads from the store; a newer version
//     of an entry is never replaced by an older one.
//
// Events say what to look at (see Events); the link cursor is polled as
// well. When a watch-list entry cannot be loaded, the next round
// rebuilds the graph and reloads the watch lists whole (Resync).
type Follower struct {
	Store  store.Store
	Graph  *linkgraph.Manager
	Screen *stages.Screen // the watch-list index to keep (nil: none)
	Poll   time.Duration  // default 1s
	Log    *slog.Logger

	mu       sync.Mutex
	linked   []store.Range // link-stage ranges whose links the graph has
	versions map[string]int64
	resync   bool // rebuild the graph and reload the lists
	reload   bool // reload the lists
	kick     chan struct{}
}

func (f *Follower) init() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.kick == nil {
		f.kick = make(chan struct{}, 1)
		f.versions = map[string]int64{}
	}
	if f.Poll <= 0 {
		f.Poll = time.Second
	}
	if f.Log == nil {
		f.Log = slog.New(slog.DiscardHandler)
	}
}

// Event handles one event (pass it to Events.Subscribe).
func (f *Follower) Event(kind string, seqs []int64) {
	f.init()
	f.Log.Debug("event", "kind", kind, "seqs", len(seqs))
	switch kind {
	case EventMoved:
		if f.Graph != nil {
			f.Graph.Moved()
		}
	case EventLinked:
		f.wake()
	case EventWatchlist:
		if len(seqs) == 0 { // a new screen holder: anything may have been missed
			f.mu.Lock()
			f.reload = true
			f.mu.Unlock()
			f.wake()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, s := range seqs {
			items, err := f.Store.ItemsInRange(ctx, pipeline.System, store.Range{Lo: s, Hi: s})
			if err != nil {
				f.Log.Warn("could not load a watch-list entry; reloading the lists", "seq", s, "err", err)
				f.Resync()
				return
			}
			for _, it := range items {
				f.load(it)
			}
		}
	}
}

// Resync makes the next round rebuild the graph and reload the watch
// lists (when an event could not be applied).
func (f *Follower) Resync() {
	f.init()
	f.mu.Lock()
	f.resync = true
	f.mu.Unlock()
	f.wake()
}

func (f *Follower) wake() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// Run loads the watch lists and follows the store until ctx ends.
func (f *Follower) Run(ctx context.Context) error {
	f.init()
	done, err := f.Store.DoneRanges(ctx, pipeline.Link)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.linked = done // the graph loads these from the store when first used
	f.mu.Unlock()
	if err := f.loadLists(ctx); err != nil {
		return err
	}
	t := time.NewTicker(f.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-f.kick:
		}
		if err := f.round(ctx); err != nil && ctx.Err() == nil {
			f.Log.Warn("could not follow the store; will retry", "err", err)
		}
	}
}

// round applies what changed since the last one.
func (f *Follower) round(ctx context.Context) error {
	f.mu.Lock()
	resync, reload := f.resync, f.reload
	f.resync, f.reload = false, false
	f.mu.Unlock()
	if resync && f.Graph != nil {
		f.Graph.Moved()
	}
	if resync || reload {
		if err := f.loadLists(ctx); err != nil {
			f.Resync()
			return err
		}
	}
	return f.CatchUp(ctx)
}

// CatchUp adds to the graph the links of every item the link stage has
// finished since the last call.
func (f *Follower) CatchUp(ctx context.Context) error {
	f.init()
	done, err := f.Store.DoneRanges(ctx, pipeline.Link)
	if err != nil {
		return err
	}
	f.mu.Lock()
	fresh := pipeline.Subtract(done, f.linked)
	f.mu.Unlock()
	for _, r := range fresh {
		for lo := r.Lo; lo <= r.Hi; lo += 2000 {
			items, err := f.Store.ItemsInRange(ctx, pipeline.System, store.Range{Lo: lo, Hi: min(r.Hi, lo+1999)})
			if err != nil {
				return err
			}
			if f.Graph != nil {
				f.Graph.Linked(ctx, f.Store, items)
			}
		}
	}
	f.mu.Lock()
	f.linked = done
	f.mu.Unlock()
	return nil
}

// loadLists loads every stored watch-list entry, in Seq order.
func (f *Follower) loadLists(ctx context.Context) error {
	if f.Screen == nil {
		return nil
	}
	return f.Store.ItemsOfKind(ctx, pipeline.System, string(mosaic.KindWatchlistEntry), func(it *store.Item) error {
		f.load(it)
		return nil
	})
}

// load applies one watch-list item unless a later version of its entry
// is already in the index.
func (f *Follower) load(it *store.Item) {
	if f.Screen == nil || it.Record == nil || it.Record.Kind != mosaic.KindWatchlistEntry {
		return
	}
	key := EntryKey(it)
	f.mu.Lock()
	defer f.mu.Unlock()
	if it.Seq <= f.versions[key] {
		return
	}
	f.versions[key] = it.Seq
	f.Screen.Load(it)
}

// EntryKey names the watch-list entry a watchlist_entry item adds,
// changes or removes ("list\x00entry").
func EntryKey(it *store.Item) string {
	r := it.Record
	list, entry := r.Fields["list"], r.Fields["entry_id"]
	if list == "" {
		list = r.Source
	}
	if r.Fields[stages.FieldRemoved] != "true" {
		if e, ok := stages.EntryOf(it); ok {
			list, entry = e.List, e.EntryID
		}
	}
	return list + "\x00" + entry
}
