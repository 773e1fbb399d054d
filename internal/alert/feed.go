package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// DefaultGrace is how far behind its cursor a feed looks again, for
// alerts whose transaction committed after a later one (their Last is
// stamped inside the transaction).
const DefaultGrace = 5 * time.Second

// Cursor is a position in the alert feed: every alert raised or folded
// up to Last has been seen, and Seen holds the versions (alert ID ->
// Last, in Unix microseconds) seen within the grace window before Last,
// so that looking back again yields no duplicates. A cursor is plain
// JSON and can be stored (see CursorFile).
type Cursor struct {
	Last time.Time           `json:"last"`
	Seen map[mosaic.ID]int64 `json:"seen,omitempty"`
}

// Feed reads alerts in the order they were raised or last folded, from
// the store, which is the system of record: a feed loses nothing across
// restarts of either side.
type Feed struct {
	Store     store.AlertReader
	Principal mosaic.Principal
	// State and Rule filter the alerts ("" for any).
	State, Rule string
	// Grace defaults to DefaultGrace.
	Grace time.Duration
}

// Next returns the alerts raised or folded after cur, oldest first, and
// the cursor after them.
func (f *Feed) Next(ctx context.Context, cur Cursor) ([]*mosaic.Alert, Cursor, error) {
	grace := f.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	var since time.Time
	if !cur.Last.IsZero() {
		since = cur.Last.Add(-grace)
	}
	as, err := f.Store.Alerts(ctx, f.Principal, store.AlertFilter{Since: since, State: f.State, Rule: f.Rule, Limit: 1 << 30})
	if err != nil {
		return nil, cur, fmt.Errorf("read alert feed: %w", err)
	}
	slices.SortFunc(as, func(a, b *mosaic.Alert) int {
		if c := a.Last.Compare(b.Last); c != 0 {
			return c
		}
		return compareIDs(a.ID, b.ID)
	})
	next := Cursor{Last: cur.Last, Seen: maps.Clone(cur.Seen)}
	if next.Seen == nil {
		next.Seen = map[mosaic.ID]int64{}
	}
	var out []*mosaic.Alert
	for _, a := range as {
		v := a.Last.UnixMicro()
		if seen, ok := next.Seen[a.ID]; ok && seen >= v {
			continue
		}
		if !cur.Last.IsZero() && a.Last.Before(since) {
			continue
		}
		out = append(out, a)
		next.Seen[a.ID] = v
		if a.Last.After(next.Last) {
			next.Last = a.Last
		}
	}
	floor := next.Last.Add(-grace).UnixMicro()
	for id, v := range next.Seen {
		if v < floor {
			delete(next.Seen, id)
		}
	}
	return out, next, nil
}

func compareIDs(a, b mosaic.ID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Follow calls fn with each new run of alerts after cur until ctx ends
// or fn fails. It wakes when notify fires (alerts committed in this
// process) and every poll otherwise (alerts committed by another
// process). fn receives the cursor after the alerts, to store.
func (f *Feed) Follow(ctx context.Context, cur Cursor, notify *Notifier, poll time.Duration, fn func([]*mosaic.Alert, Cursor) error) error {
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTimer(poll)
	defer t.Stop()
	for {
		var wake <-chan struct{}
		if notify != nil {
			wake = notify.C() // before reading, so a commit meanwhile still wakes us
		}
		as, next, err := f.Next(ctx, cur)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if len(as) > 0 {
			if err := fn(as, next); err != nil {
				return err
			}
		}
		cur = next
		t.Reset(poll)
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-t.C:
		}
	}
}

// CursorFile stores a cursor durably in a file (written to a temporary
// file, synced and renamed over the old one).
type CursorFile string

// Load reads the cursor (the zero cursor when the file does not exist).
func (p CursorFile) Load() (Cursor, error) {
	var c Cursor
	err := readJSON(string(p), &c)
	return c, err
}

// Save writes the cursor.
func (p CursorFile) Save(c Cursor) error { return writeJSON(string(p), c) }

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeJSON replaces path atomically and durably.
func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
