package stages

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

// traveller returns a travel record naming one passenger.
func traveller(name, dob string) *store.Item {
	fields := map[string]string{"passenger_name": name, "date_of_birth": dob}
	id := mosaic.RecordID("test", mosaic.KindTravel, fields)
	m := mosaic.MentionID(id, "passenger")
	st := func(prop, field, v string) mosaic.Statement {
		o := mosaic.Origin{Record: id, Field: field}
		return mosaic.Statement{ID: mosaic.StatementID(m, prop, v, o), Subject: m, Type: mosaic.TypePerson, Prop: prop, Value: v, Origin: o, Source: "test"}
	}
	return &store.Item{ID: id, Source: "test", Record: &mosaic.Record{ID: id, Source: "test", Kind: mosaic.KindTravel, Fields: fields},
		Facts: &store.Facts{
			Mentions:   []mosaic.Mention{{ID: m, Type: mosaic.TypePerson, Origin: id, Role: "passenger", Caption: name}},
			Statements: []mosaic.Statement{st(mosaic.PropName, "passenger_name", name), st(mosaic.PropBirthDate, "date_of_birth", dob)},
		}}
}

// commit runs a stage's outcome in a transaction of st, as the pipeline
// does, and returns the alerts stored.
func commit(ctx context.Context, t *testing.T, st store.Store, out pipeline.Outcome) []*mosaic.Alert {
	t.Helper()
	if err := st.Update(ctx, func(tx store.Tx) error { return out.Apply(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	if out.After != nil {
		out.After()
	}
	as, err := st.Alerts(ctx, pipeline.System, store.AlertFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func entryItem(t *testing.T, name string) *store.Item {
	t.Helper()
	it, err := EntryItem(entry("7", name), mosaic.NewMarking("WL"), "test.csv")
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// TestScreenNamesTheMention: the screen stage runs before resolution; its
// alert names the record's mention, folds by list entry, and is read
// back naming the entity resolution later puts the mention in.
func TestScreenNamesTheMention(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := NewScreen(screen.NewIndex())
	var raised []*mosaic.Alert
	s.OnAlerts = func(as []*mosaic.Alert) { raised = append(raised, as...) }
	// A record before the entry is not screened against it: the index is
	// the entries stored before the record.
	early, rec, other := traveller("Viktor Brannagh", "1980-02-03"), traveller("Viktor Brannagh", "1980-02-03"), traveller("Odile Marchetti", "1975-01-01")
	early.Record.Fields["n"] = "0"
	early.ID = "rec-early"
	out, err := s.Process(ctx, []*store.Item{early, entryItem(t, "Viktor Brannagh"), rec, other})
	if err != nil {
		t.Fatal(err)
	}
	as := commit(ctx, t, st, out)
	if len(as) != 1 || len(raised) != 1 {
		t.Fatalf("stored %d alerts, raised %d; want one hit", len(as), len(raised))
	}
	a := as[0]
	m := rec.Facts.Mentions[0].ID
	if a.Rule != RuleWatchlist || !slices.Equal(a.Records, []mosaic.ID{rec.ID}) || !slices.Equal(a.Entities, []mosaic.ID{m}) {
		t.Errorf("alert %+v: want rule %s, record %s, the mention %s", a, RuleWatchlist, rec.ID, m)
	}
	if raised[0].ID != mosaic.AlertID(RuleWatchlist, "test:7") || a.ID != raised[0].ID {
		t.Errorf("alert IDs %s (stored) %s (raised), want %s", a.ID, raised[0].ID, mosaic.AlertID(RuleWatchlist, "test:7"))
	}
	// Unresolved, the mention is shown as is; once resolution has put it
	// in an entity, readers see the entity.
	shown := *a
	if err := EntitiesNow(ctx, st, &shown); err != nil || !slices.Equal(shown.Entities, []mosaic.ID{m}) {
		t.Errorf("unresolved: shown %v, %v", shown.Entities, err)
	}
	ent := mosaic.EntityIDFor("c1")
	if err := st.Update(ctx, func(tx store.Tx) error {
		return tx.Assign(ctx, []store.Assignment{{Mention: m, Entity: ent, Type: mosaic.TypePerson, Item: rec.Seq}})
	}); err != nil {
		t.Fatal(err)
	}
	shown = *a
	if err := EntitiesNow(ctx, st, &shown); err != nil || !slices.Equal(shown.Entities, []mosaic.ID{ent}) {
		t.Errorf("resolved: shown %v, want %v (%v)", shown.Entities, ent, err)
	}
}

// fakeRules records what the rules stage gives it, and raises one alert
// per new subject when evaluated around subjects.
type fakeRules struct {
	evaluated [][]*store.Item
	observed  []*mosaic.Alert
	pending   []mosaic.ID
}

func (f *fakeRules) Evaluate(_ context.Context, items []*store.Item) ([]*mosaic.Alert, error) {
	f.evaluated = append(f.evaluated, items)
	var out []*mosaic.Alert
	for _, m := range f.pending {
		out = append(out, &mosaic.Alert{Rule: "around_subject", Key: string(m), Entities: []mosaic.ID{m}})
	}
	f.pending = nil
	return out, nil
}

func (f *fakeRules) Observe(_ context.Context, as []*mosaic.Alert) bool {
	f.observed = append(f.observed, as...)
	for _, a := range as {
		f.pending = append(f.pending, a.Entities...)
	}
	return len(f.pending) > 0
}

// TestRulesLearnFromScreening: the rules stage screens its items again
// with an index of its own (restored from the entries it has passed) and
// gives the engine the same hits the screen stage stored, once the items
// are in; what the rules raise around them commits with the batch.
func TestRulesLearnFromScreening(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	wl, rec := entryItem(t, "Viktor Brannagh"), traveller("Viktor Brannagh", "1980-02-03")
	if err := st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.PutItems(ctx, []*store.Item{wl, rec}); err != nil {
			return err
		}
		return tx.MarkDone(ctx, pipeline.Rules, store.Range{Lo: wl.Seq, Hi: wl.Seq}) // the stage has passed the entry
	}); err != nil {
		t.Fatal(err)
	}
	scr := NewScreen(screen.NewIndex())
	scr.Load(wl)
	out, err := scr.Process(ctx, []*store.Item{rec})
	if err != nil {
		t.Fatal(err)
	}
	stored := commit(ctx, t, st, out)

	eng := &fakeRules{}
	r := NewAlertRules(eng, screen.NewIndex())
	if err := r.Restore(ctx, st); err != nil {
		t.Fatal(err)
	}
	out, err = r.Process(ctx, []*store.Item{rec})
	if err != nil {
		t.Fatal(err)
	}
	if len(eng.evaluated) != 2 || len(eng.evaluated[0]) != 1 || len(eng.evaluated[1]) != 0 {
		t.Errorf("evaluated %d times (%v): want the batch, then around the new subjects", len(eng.evaluated), eng.evaluated)
	}
	if len(eng.observed) != 1 || len(stored) != 1 {
		t.Fatalf("observed %d hits; the screen stage stored %d", len(eng.observed), len(stored))
	}
	o, s := eng.observed[0], stored[0]
	if o.ID != s.ID || o.Match != s.Match || o.Score != s.Score || !slices.Equal(o.Records, s.Records) || !slices.Equal(o.Entities, s.Entities) {
		t.Errorf("observed %+v, the screen stage stored %+v", o, s)
	}
	all := commit(ctx, t, st, out)
	var rules []string
	for _, a := range all {
		if a.Rule == "around_subject" {
			rules = append(rules, fmt.Sprint(a.Entities))
		}
	}
	if want := fmt.Sprint([]mosaic.ID{rec.Facts.Mentions[0].ID}); len(rules) != 1 || rules[0] != want {
		t.Errorf("rule alerts committed with the batch: %v, want one about %s", rules, want)
	}
	// Without the entry in its index (the stage had not passed it), the
	// stage has no hit to give.
	eng2 := &fakeRules{}
	r2 := NewAlertRules(eng2, screen.NewIndex())
	if _, err := r2.Process(ctx, []*store.Item{rec}); err != nil {
		t.Fatal(err)
	}
	if len(eng2.observed) != 0 {
		t.Errorf("a stage that has not passed the entry observed %d hits", len(eng2.observed))
	}
}
