package pipeline

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/mosaic-intel/mosaic/internal/store"
)

// handoff holds the items one stage has committed for the next stage of
// the same process. Each entry holds every stored item of its range, so a
// stage asking for any range takes the parts of entries inside it and
// reads only the rest from the store. It holds at most max items, and
// documents also count by size (their text and original bytes, at most
// maxBytes in all): when the next stage lags further behind, later ranges
// are not held and the next stage reads them. What the next stage will
// never ask for (its work went to another process sharing the stage's
// consumer) is dropped after maxAge once room is needed.
type handoff struct {
	mu       sync.Mutex
	max, n   int
	maxBytes int64
	bytes    int64
	entries  []handed // sorted by range, not overlapping
	now      func() time.Time
}

// handed is every stored item of range r, in Seq order; stale lists the
// items the handing stage changed, which the taker reads again.
type handed struct {
	r     store.Range
	items []*store.Item
	stale map[int64]bool
	at    time.Time
	bytes int64 // the documents' text and original bytes
}

// maxHandedBytes is the most document text and bytes held for a stage.
const maxHandedBytes = 64 << 20

// docBytes is the size of the documents among items.
func docBytes(items []*store.Item) int64 {
	var n int64
	for _, it := range items {
		if d := it.Document; d != nil {
			n += int64(len(d.Text) + len(d.Raw))
		}
	}
	return n
}

// maxAge is how long a handed range is kept when room is needed.
const maxAge = 10 * time.Second

func newHandoff(max int) *handoff {
	return &handoff{max: max, now: time.Now, maxBytes: maxHandedBytes}
}

// allChanged marks every item of a range as changed.
var allChanged = map[int64]bool{-1: true}

// put holds items, every stored item of r, of which those in changed were
// changed by the handing stage's transaction. It replaces what was held
// for any part of r.
func (h *handoff) put(r store.Range, items []*store.Item, changed map[int64]bool) {
	if changed[-1] || h.max == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cut(r)
	now := h.now()
	size := docBytes(items)
	full := func() bool { return h.n+len(items) > h.max || h.bytes+size > h.maxBytes }
	if full() {
		kept := h.entries[:0]
		for _, e := range h.entries {
			if now.Sub(e.at) > maxAge {
				h.forget(e)
				continue
			}
			kept = append(kept, e)
		}
		h.entries = kept
	}
	if full() {
		return
	}
	i := sort.Search(len(h.entries), func(i int) bool { return h.entries[i].r.Lo > r.Lo })
	h.entries = append(h.entries, handed{})
	copy(h.entries[i+1:], h.entries[i:])
	h.entries[i] = handed{r: r, items: items, stale: changed, at: now, bytes: size}
	h.hold(h.entries[i])
}

func (h *handoff) hold(e handed)   { h.n += len(e.items); h.bytes += e.bytes }
func (h *handoff) forget(e handed) { h.n -= len(e.items); h.bytes -= e.bytes }

// cut removes r from the entries and returns the parts inside r (in
// order, no longer held); the parts of entries outside r stay held.
func (h *handoff) cut(r store.Range) []handed {
	var inside, out []handed
	for _, e := range h.entries {
		if e.r.Hi < r.Lo || e.r.Lo > r.Hi {
			out = append(out, e)
			continue
		}
		h.forget(e)
		if e.r.Lo < r.Lo {
			out = append(out, clip(e, store.Range{Lo: e.r.Lo, Hi: r.Lo - 1}))
			h.hold(out[len(out)-1])
		}
		inside = append(inside, clip(e, store.Range{Lo: max(e.r.Lo, r.Lo), Hi: min(e.r.Hi, r.Hi)}))
		if e.r.Hi > r.Hi {
			out = append(out, clip(e, store.Range{Lo: r.Hi + 1, Hi: e.r.Hi}))
			h.hold(out[len(out)-1])
		}
	}
	h.entries = out
	return inside
}

// clip returns the part of e within r (e holds every item of its range,
// so the part holds every item of r).
func clip(e handed, r store.Range) handed {
	lo := sort.Search(len(e.items), func(i int) bool { return e.items[i].Seq >= r.Lo })
	hi := sort.Search(len(e.items), func(i int) bool { return e.items[i].Seq > r.Hi })
	items := e.items[lo:hi:hi]
	return handed{r: r, items: items, stale: e.stale, at: e.at, bytes: docBytes(items)}
}

// take removes and returns what is held within r, and the parts of r
// that nothing held covers.
func (h *handoff) take(r store.Range) (got []handed, gaps []store.Range) {
	h.mu.Lock()
	defer h.mu.Unlock()
	got = h.cut(r)
	lo := r.Lo
	for _, e := range got {
		if e.r.Lo > lo {
			gaps = append(gaps, store.Range{Lo: lo, Hi: e.r.Lo - 1})
		}
		lo = e.r.Hi + 1
	}
	if lo <= r.Hi {
		gaps = append(gaps, store.Range{Lo: lo, Hi: r.Hi})
	}
	return got, gaps
}

// held returns the number of items held.
func (h *handoff) held() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// load returns the items of r for stage i: the parts the previous stage
// handed on (with the items it changed read again) and the rest read from
// the store, in Seq order.
func (p *Pipeline) load(ctx context.Context, i int, r store.Range) ([]*store.Item, error) {
	got, gaps := p.handoff[i].take(r)
	name := p.stages[i].Name()
	if len(got) == 0 {
		p.m.loaded.WithLabelValues(name, "store").Inc()
		return p.store.ItemsInRange(ctx, System, r)
	}
	from := "handed"
	if len(gaps) > 0 {
		from = "partly"
	}
	p.m.loaded.WithLabelValues(name, from).Inc()
	type part struct {
		handed
		gap bool
	}
	parts := make([]part, 0, len(got)+len(gaps))
	for _, e := range got {
		parts = append(parts, part{handed: e})
	}
	for _, g := range gaps {
		parts = append(parts, part{handed: handed{r: g}, gap: true})
	}
	sort.Slice(parts, func(a, b int) bool { return parts[a].r.Lo < parts[b].r.Lo })
	var out []*store.Item
	for _, pt := range parts {
		if pt.gap {
			items, err := p.store.ItemsInRange(ctx, System, pt.r)
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
			continue
		}
		for _, it := range pt.items {
			if !pt.stale[it.Seq] {
				out = append(out, it)
				continue
			}
			fresh, err := p.store.ItemsInRange(ctx, System, store.Range{Lo: it.Seq, Hi: it.Seq})
			if err != nil {
				return nil, err
			}
			out = append(out, fresh...)
		}
	}
	return out, nil
}

func (p *Pipeline) setRunning(i int, on bool) {
	p.runMu.Lock()
	defer p.runMu.Unlock()
	p.running[i] = on
}

func (p *Pipeline) isRunning(i int) bool {
	p.runMu.Lock()
	defer p.runMu.Unlock()
	return p.running[i]
}

// recordingTx notes which stored items a stage's Write changes, so that
// the items handed to the next stage are read again where they changed.
type recordingTx struct {
	store.Tx
	changed map[int64]bool
	added   bool
}

func (t *recordingTx) SetFacts(ctx context.Context, seq int64, f *store.Facts) error {
	if t.changed == nil {
		t.changed = map[int64]bool{}
	}
	t.changed[seq] = true
	return t.Tx.SetFacts(ctx, seq, f)
}

func (t *recordingTx) PutItems(ctx context.Context, items []*store.Item) (int, error) {
	t.added = true
	return t.Tx.PutItems(ctx, items)
}

// Every other Tx method leaves stored items as they are.
var _ store.Tx = (*recordingTx)(nil)
