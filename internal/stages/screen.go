package stages

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// RuleWatchlist names the alerts raised when a record's person or
// organisation matches a watch-list entry.
const RuleWatchlist = "watchlist_match"

// FieldEntryJSON is the record field holding a whole watch-list entry as
// JSON (set by `mosaic watchlist import`).
const FieldEntryJSON = "entry_json"

// Screen screens every person and organisation named in every record
// against the watch lists (records of kind watchlist_entry, which update
// the index as they pass). It runs straight after extraction: screening
// needs a record's names, not resolution, so a screening alert does not
// wait for the resolve stage. The alert names the record's mention (its
// entity is not known yet); readers ask the store which entity holds it
// now (EntitiesNow), so that later merges and splits are followed.
//
// The index depends on the order in which entries and records pass, so
// the stage is Ordered.
type Screen struct {
	watchIndex
	// OnAlerts, if set, is called after commit with the alerts raised
	// (for live delivery).
	OnAlerts func([]*mosaic.Alert)
}

// NewScreen returns the screen stage.
func NewScreen(ix *screen.Index) *Screen {
	return &Screen{watchIndex: newWatchIndex(ix)}
}

// Index returns the stage's watch-list index.
func (s *Screen) Index() *screen.Index { return s.ix }

// Name implements pipeline.Stage.
func (*Screen) Name() string { return pipeline.Screen }

// Ordered implements pipeline.Ordered: the index a record is screened
// against is the entries stored before it.
func (*Screen) Ordered() bool { return true }

// watchIndex is a watch-list index as a stage keeps it: loaded from the
// watchlist_entry records as they pass, with each entry's marking.
type watchIndex struct {
	ix       *screen.Index
	minScore float64

	mu      sync.RWMutex
	marking map[string]mosaic.Marking // list + "\x00" + entry -> the entry's marking
}

func newWatchIndex(ix *screen.Index) watchIndex {
	return watchIndex{ix: ix, minScore: screen.DefaultThreshold, marking: map[string]mosaic.Marking{}}
}

// EntryOf returns the watch-list entry a watchlist_entry record holds.
func EntryOf(it *store.Item) (watchlist.Entry, bool) {
	r := it.Record
	if r == nil || r.Kind != mosaic.KindWatchlistEntry {
		return watchlist.Entry{}, false
	}
	if js := r.Fields[FieldEntryJSON]; js != "" {
		var e watchlist.Entry
		if err := json.Unmarshal([]byte(js), &e); err == nil && e.EntryID != "" {
			return e, true
		}
	}
	e := watchlist.Entry{List: firstNonEmpty(r.Fields["list"], r.Source), EntryID: firstNonEmpty(r.Fields["entry_id"], string(r.ID))}
	if it.Facts == nil {
		return e, false
	}
	for _, m := range it.Facts.Mentions {
		if m.Type != mosaic.TypePerson && m.Type != mosaic.TypeOrganization {
			continue
		}
		e.Schema = watchlist.ParseSchema(string(m.Type))
		for _, st := range it.Facts.StatementsOf(m.ID) {
			switch st.Prop {
			case mosaic.PropName:
				e.Names = append(e.Names, watchlist.Name{Value: st.Value, Primary: len(e.Names) == 0})
			case mosaic.PropAlias:
				e.Names = append(e.Names, watchlist.Name{Value: st.Value})
			case mosaic.PropBirthDate:
				e.BirthDates = append(e.BirthDates, st.Value)
			case mosaic.PropNationality, mosaic.PropCountry:
				e.Countries = append(e.Countries, st.Value)
			case mosaic.PropDocNumber:
				e.Identifiers = append(e.Identifiers, watchlist.Identifier{Type: "Passport", Number: st.Value})
			}
		}
		break
	}
	return e, len(e.Names) > 0
}

// Load applies a watchlist_entry item to the index (adding, replacing or
// removing its entry) and reports whether it was one.
func (s *watchIndex) Load(it *store.Item) bool {
	if r := it.Record; r != nil && r.Kind == mosaic.KindWatchlistEntry && r.Fields[FieldRemoved] == "true" {
		list := firstNonEmpty(r.Fields["list"], r.Source)
		s.ix.Remove(list, r.Fields["entry_id"])
		s.mu.Lock()
		delete(s.marking, list+"\x00"+r.Fields["entry_id"])
		s.mu.Unlock()
		return true
	}
	e, ok := EntryOf(it)
	if !ok {
		return false
	}
	s.ix.Upsert(e)
	s.mu.Lock()
	s.marking[e.List+"\x00"+e.EntryID] = it.Marking
	s.mu.Unlock()
	return true
}

// Restore loads into the index the stored watch-list entries the screen
// stage has already passed, in the order they were stored (so later
// versions and removals win). Entries it has not reached yet are loaded
// when it reaches them, so a restarted process screens every record
// against exactly the entries an uninterrupted one would have.
func (s *Screen) Restore(ctx context.Context, st interface {
	store.ItemReader
	store.Progress
}) error {
	return s.restore(ctx, st, pipeline.Screen)
}

// restore loads the stored entries the stage named has passed.
func (s *watchIndex) restore(ctx context.Context, st interface {
	store.ItemReader
	store.Progress
}, stage string) error {
	done, err := st.DoneRanges(ctx, stage)
	if err != nil {
		return err
	}
	return st.ItemsOfKind(ctx, pipeline.System, string(mosaic.KindWatchlistEntry), func(it *store.Item) error {
		if covered(done, it.Seq) {
			s.Load(it)
		}
		return nil
	})
}

func covered(rs []store.Range, seq int64) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].Hi >= seq })
	return i < len(rs) && rs[i].Lo <= seq
}

// Process implements pipeline.Stage.
func (s *Screen) Process(ctx context.Context, items []*store.Item) (pipeline.Outcome, error) {
	return alertOutcome(s.screen(items), s.OnAlerts), nil
}

// alertOutcome is the outcome of a stage that raises alerts: they are
// stored in the stage's transaction and, once it has committed, handed to
// onAlerts (when set) for live delivery.
//
// No alerts, nothing to store: the outcome is empty, and the batch's done
// mark may wait for a later commit (pipeline.Config.LazyDone).
func alertOutcome(alerts []*mosaic.Alert, onAlerts func([]*mosaic.Alert)) pipeline.Outcome {
	if len(alerts) == 0 {
		return pipeline.Outcome{}
	}
	out := pipeline.Outcome{
		Write: func(ctx context.Context, tx store.Tx) error {
			for _, a := range alerts {
				if _, err := tx.PutAlert(ctx, a); err != nil {
					return err
				}
			}
			return nil
		},
	}
	if onAlerts != nil {
		out.After = func() { onAlerts(alerts) }
	}
	return out
}

// screen loads the watch-list entries among items into the index and
// returns the screening alerts of the others' person and organisation
// mentions, each naming the mention (not its entity: the record may not
// be resolved yet) and with its ID set.
func (s *watchIndex) screen(items []*store.Item) []*mosaic.Alert {
	var alerts []*mosaic.Alert
	for _, it := range items {
		if s.Load(it) || it.Record == nil || it.Facts == nil {
			continue // watch-list entries are not screened against themselves; documents are screened by rules
		}
		for _, m := range it.Facts.Mentions {
			if m.Type != mosaic.TypePerson && m.Type != mosaic.TypeOrganization {
				continue
			}
			q := screen.Query{Schema: watchlist.ParseSchema(string(m.Type)), MinScore: s.minScore, Limit: 3}
			for _, st := range it.Facts.StatementsOf(m.ID) {
				switch st.Prop {
				case mosaic.PropName:
					if q.Name == "" {
						q.Name = st.Value
					}
				case mosaic.PropBirthDate:
					q.BirthDate = st.Value
				case mosaic.PropDocCountry:
					q.Country = st.Value
				case mosaic.PropDocNumber:
					q.Identifiers = append(q.Identifiers, st.Value)
				}
			}
			if q.Name == "" {
				continue
			}
			for _, h := range s.ix.Screen(q) {
				s.mu.RLock()
				em := s.marking[h.List+"\x00"+h.EntryID]
				s.mu.RUnlock()
				a := &mosaic.Alert{
					// One alert per listed entry: every record that matches it
					// folds in, whichever entity resolution (then or later)
					// puts the record's person in.
					Rule:        RuleWatchlist,
					Key:         h.List + ":" + h.EntryID,
					Title:       fmt.Sprintf("%s in %s record matches %s entry %s (%s)", q.Name, it.Record.Kind, h.List, h.EntryID, h.Caption),
					Entities:    []mosaic.ID{m.ID},
					Records:     []mosaic.ID{it.ID},
					Match:       h.List + ":" + h.EntryID,
					Score:       h.Score,
					Explanation: append([]string{"query " + q.Name + " ~ " + h.Matched}, h.Explanation...),
					Marking:     it.Marking.Union(em),
				}
				a.ID = mosaic.AlertID(a.Rule, a.Key)
				alerts = append(alerts, a)
			}
		}
	}
	return alerts
}
