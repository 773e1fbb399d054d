package daemon_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
)

const personHeader = "record_id,full_name,date_of_birth,nationality,phone,email,address,source,prison_number\n"

// writePeople writes a records/person.csv under dir/name and returns its
// directory.
func writePeople(t *testing.T, dir, name string, rows ...string) string {
	t.Helper()
	d := filepath.Join(dir, name, "records")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "person.csv"), []byte(personHeader+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// ingestPeople ingests a person file and returns the person mention of
// each record, by record_id.
func ingestPeople(ctx context.Context, t *testing.T, n *daemon.Node, path string) map[string]mosaic.ID {
	t.Helper()
	sum, err := ingest.New(n.Store, n.Pipeline, ingest.Options{}).Ingest(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := n.Pipeline.Wait(wctx, sum.LastSeq, nil); err != nil {
		t.Fatal(err)
	}
	items, err := n.Store.ItemsInRange(ctx, pipeline.System, store.Range{Lo: 1, Hi: sum.LastSeq})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]mosaic.ID{}
	for _, it := range items {
		if it.Record != nil {
			out[it.Record.Fields["record_id"]] = mosaic.MentionID(it.ID, "person")
		}
	}
	return out
}

func entities(ctx context.Context, t *testing.T, n *daemon.Node, ms ...mosaic.ID) []mosaic.ID {
	t.Helper()
	got, err := n.Store.EntityOf(ctx, ms)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]mosaic.ID, len(ms))
	for i, m := range ms {
		if got[m] == "" {
			t.Fatalf("mention %s has no entity", m)
		}
		out[i] = got[m]
	}
	return out
}

// judge stores a judgement and waits until the running node has applied it.
func judge(ctx context.Context, t *testing.T, n *daemon.Node, j store.Judgement) store.Judgement {
	t.Helper()
	if err := n.Store.Update(ctx, func(tx store.Tx) error { return tx.PutJudgement(ctx, &j) }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := n.Store.Judgement(ctx, j.Seq)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != store.JudgementPending {
			return *got
		}
		if time.Now().After(deadline) {
			t.Fatalf("judgement %d still pending", j.Seq)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSplitSurvivesNewRecordsAndRestart: two women of one name, one phone
// and one address are merged; an analyst splits them; the split holds as
// more records arrive and after a restart, and undoing it merges them
// again.
func TestSplitSurvivesNewRecordsAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	n, err := daemon.Open(ctx, daemon.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	first := ingestPeople(ctx, t, n, writePeople(t, dir, "a",
		"PER-1,Olivia Owen,1961-03-04,,07700 900123,,\"1 Mill Lane, Leeds\",customer-records,",
		"PER-2,Olivia Owen,,,+447700900123,,\"1 Mill Lane, Leeds\",customer-records,"))
	m1, m2 := first["PER-1"], first["PER-2"]
	if e := entities(ctx, t, n, m1, m2); e[0] != e[1] {
		t.Fatalf("setup: the two records are not merged: %v", e)
	}
	j := judge(ctx, t, n, store.Judgement{A: m2, Verdict: store.VerdictSplit, By: "analyst", Note: "mother and daughter"})
	if j.State != store.JudgementApplied {
		t.Fatalf("split not applied: %+v", j)
	}
	derived, err := n.Store.Judgements(ctx, store.JudgementFilter{Mention: m2, State: store.JudgementApplied})
	if err != nil || len(derived) != 2 || derived[1].Origin != j.Seq || derived[1].Verdict != store.VerdictNotSame {
		t.Fatalf("split left no not-same judgement: %+v %v", derived, err)
	}
	if e := entities(ctx, t, n, m1, m2); e[0] == e[1] {
		t.Fatalf("split did not move the mention: %v", e)
	}
	// More records of the same name, phone and address arrive.
	more := ingestPeople(ctx, t, n, writePeople(t, dir, "b",
		"PER-3,Olivia Owen,1961-03-04,,07700900123,,\"1 Mill Lane, Leeds\",police-records,"))
	m3 := more["PER-3"]
	if e := entities(ctx, t, n, m1, m2, m3); e[0] == e[1] {
		t.Fatalf("new record rejoined the split mentions: %v", e)
	}
	n.Close()

	// After a restart.
	n2, err := daemon.Open(ctx, daemon.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer n2.Close()
	if err := n2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	c1, _ := n2.Resolve.Engine().Cluster(string(m1))
	c2, _ := n2.Resolve.Engine().Cluster(string(m2))
	if c1 == c2 {
		t.Fatal("restored engine merged the split mentions")
	}
	later := ingestPeople(ctx, t, n2, writePeople(t, dir, "c",
		"PER-4,Olivia Owen,,,07700 900123,,\"1 Mill Lane, Leeds\",customer-records,"))
	if e := entities(ctx, t, n2, m1, m2, later["PER-4"]); e[0] == e[1] {
		t.Fatalf("after restart and a new record the split mentions are merged: %v", e)
	}
	// A contradiction is rejected, and undoing the split restores the
	// automatic decision.
	if r := judge(ctx, t, n2, store.Judgement{A: m1, B: m2, Verdict: store.VerdictSame}); r.State != store.JudgementRejected || r.Result == "" {
		t.Errorf("contradicting judgement: %+v", r)
	}
	if r := judge(ctx, t, n2, store.Judgement{A: derived[1].A, B: derived[1].B, Verdict: store.VerdictUndo}); r.State != store.JudgementApplied {
		t.Fatalf("undo: %+v", r)
	}
	if e := entities(ctx, t, n2, m1, m2); e[0] != e[1] {
		t.Errorf("undo did not merge them again: %v", e)
	}
}
