package daemon_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/mapping"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func ingestWorld(ctx context.Context, t *testing.T, n *daemon.Node, world string) *ingest.Summary {
	t.Helper()
	sum, err := ingest.New(n.Store, n.Pipeline, ingest.Options{}).Ingest(ctx,
		[]string{filepath.Join(world, "watchlist"), filepath.Join(world, "records"), filepath.Join(world, "reports")})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := n.Pipeline.Wait(wctx, sum.LastSeq, nil); err != nil {
		t.Fatalf("pipeline did not finish: %v", err)
	}
	return sum
}

// TestEndToEnd runs a generated world through the whole embedded pipeline
// and checks provenance, resolution against the generator's truth,
// screening, idempotence and restart.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	world := filepath.Join(dir, "world")
	if _, err := gen.Generate(ctx, gen.Options{Out: world, People: 400, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	n, err := daemon.Open(ctx, daemon.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if !n.Owner {
		t.Fatal("first process does not own the data directory")
	}
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sum := ingestWorld(ctx, t, n, world)
	if len(sum.Rejected) != 0 {
		t.Errorf("generated world had rejections: %v", sum.Rejected)
	}
	if sum.Added == 0 || sum.Added != sum.Records+sum.Documents {
		t.Errorf("summary %+v: every item should be new", sum)
	}
	fails, err := n.Store.Failures(ctx, "", 10)
	if err != nil || len(fails) != 0 {
		t.Errorf("failed items: %+v %v", fails, err)
	}

	// Provenance and resolution of every mention.
	items, err := n.Store.ItemsInRange(ctx, pipeline.System, store.Range{Lo: 1, Hi: sum.LastSeq})
	if err != nil {
		t.Fatal(err)
	}
	var mentions []mosaic.ID
	byRecord := map[string]*store.Item{} // generator record_id -> item
	for _, it := range items {
		if it.Facts == nil {
			t.Fatalf("item %s has no facts after the pipeline", it.ID)
		}
		for _, s := range it.Facts.Statements {
			if s.Origin.IsZero() || mosaic.OriginOf(s.ID) != it.ID {
				t.Fatalf("statement %s of %s lacks provenance: %+v", s.ID, it.ID, s.Origin)
			}
		}
		for _, m := range it.Facts.Mentions {
			mentions = append(mentions, m.ID)
		}
		if it.Record != nil {
			byRecord[it.Record.Fields["record_id"]+"|"+it.Record.Fields["entry_id"]] = it
		}
	}
	ents, err := n.Store.EntityOf(ctx, mentions)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mentions {
		if ents[m] == "" {
			t.Fatalf("mention %s was not resolved", m)
		}
	}

	// Resolution against the truth: pairwise precision and recall over
	// the person mentions of records.
	truth := map[mosaic.ID]string{}
	for _, r := range readCSV(t, filepath.Join(world, "truth", "mentions.csv")) {
		if strings.HasSuffix(r["file"], ".jsonl") {
			continue // phones, not people
		}
		key := r["record_id"] + "|"
		if strings.HasPrefix(r["file"], "watchlist/") {
			key = "|" + r["record_id"]
		}
		it := byRecord[key]
		if it == nil {
			t.Fatalf("truth names record %s, which was not stored", r["record_id"])
		}
		truth[mosaic.MentionID(it.ID, r["role"])] = r["person_id"]
	}
	var tp, fp, fn float64
	ms := make([]mosaic.ID, 0, len(truth))
	for m := range truth {
		ms = append(ms, m)
	}
	for i := range ms {
		for j := i + 1; j < len(ms); j++ {
			same := truth[ms[i]] == truth[ms[j]]
			together := ents[ms[i]] == ents[ms[j]]
			switch {
			case same && together:
				tp++
			case together:
				fp++
			case same:
				fn++
			}
		}
	}
	p, r := tp/(tp+fp), tp/(tp+fn)
	t.Logf("resolution of %d record mentions: pairwise precision %.3f recall %.3f", len(ms), p, r)
	if p < 0.98 || r < 0.93 {
		t.Errorf("pairwise precision %.3f recall %.3f: too low for the pipeline to be wired right", p, r)
	}

	// Screening: every watchlisted traveller in the truth raises an alert
	// citing the travel record.
	alerts, err := n.Store.Alerts(ctx, access.Local(), store.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	alerted := map[mosaic.ID]bool{}
	for _, a := range alerts {
		for _, rid := range a.Records {
			alerted[rid] = true
		}
	}
	var want, got int
	for _, pat := range readCSV(t, filepath.Join(world, "truth", "patterns.csv")) {
		if pat["rule"] != "watchlisted_travel" {
			continue
		}
		for _, rid := range strings.Split(pat["record_ids"], ";") {
			want++
			if it := byRecord[rid+"|"]; it != nil && alerted[it.ID] {
				got++
			}
		}
	}
	t.Logf("watchlisted travel: %d of %d records alerted; %d alerts in all", got, want, len(alerts))
	if want == 0 || float64(got) < 0.8*float64(want) {
		t.Errorf("only %d of %d watchlisted-travel records raised an alert", got, want)
	}

	// Screening runs before resolution: its alerts name the records'
	// mentions, and readers see the entities that hold them now.
	var screened int
	for _, a := range alerts {
		if a.Rule != stages.RuleWatchlist {
			continue
		}
		screened++
		var want []mosaic.ID
		for _, id := range a.Entities {
			e, ok := ents[id]
			if !ok {
				t.Fatalf("screening alert %s names %s, which is no mention", a.ID, id)
			}
			if !slices.Contains(want, e) {
				want = append(want, e)
			}
		}
		shown := *a
		shown.Entities = slices.Clone(a.Entities)
		if err := stages.EntitiesNow(ctx, n.Store, &shown); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(shown.Entities, want) {
			t.Errorf("screening alert %s shows entities %v, want %v", a.ID, shown.Entities, want)
		}
	}
	if screened == 0 {
		t.Error("no screening alerts")
	}

	// Ingesting the same world again adds nothing.
	again := ingestWorld(ctx, t, n, world)
	if again.Added != 0 || again.Duplicates != sum.Added {
		t.Errorf("re-ingest: %+v", again)
	}
	st1, _ := n.Store.Stats(ctx)

	// A second process on the same directory is a client, not an owner.
	c, err := daemon.Open(ctx, daemon.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if c.Owner {
		t.Error("second process also owns the data directory")
	}
	// Its ingest is processed by the owner's pipeline.
	extra := filepath.Join(dir, "extra.csv")
	os.WriteFile(extra, []byte("record_id,passenger_name,date_of_birth,document_number,document_country,carrier,flight,from,to,date,booking_reference\nX-1,Zara Quint,1990-01-01,ZZ1234567,GBR,Sunward,W1,LHR,DXB,2025-01-01,QQQQQQ\n"), 0o600)
	m := filepath.Join(dir, "map.yaml")
	os.WriteFile(m, []byte("source: extra\nkind: travel\nentities:\n  - {role: passenger, type: Person, props: {name: passenger_name}}\n"), 0o600)
	csum, err := ingest.New(c.Store, c.Pipeline, ingest.Options{Mapping: mustLoad(t, m)}).Ingest(ctx, []string{extra})
	if err != nil || csum.Added != 1 {
		t.Fatalf("client ingest: %+v %v", csum, err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := n.Pipeline.Wait(wctx, csum.LastSeq, nil); err != nil {
		t.Fatalf("owner did not process the client's item: %v", err)
	}
	c.Close()

	// Restart: nothing is redone, nothing lost.
	n.Close()
	n2, err := daemon.Open(ctx, daemon.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer n2.Close()
	if err := n2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	st2, _ := n2.Store.Stats(ctx)
	if st2.Records != st1.Records+1 || st2.Entities < st1.Entities {
		t.Errorf("after restart: %+v, before: %+v", st2, st1)
	}
	if idle, err := n2.Pipeline.Idle(ctx, csum.LastSeq); err != nil || !idle {
		t.Errorf("after restart the pipeline is not idle: %v %v", idle, err)
	}
}

func mustLoad(t *testing.T, path string) *mapping.Mapping {
	t.Helper()
	m, err := mapping.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
