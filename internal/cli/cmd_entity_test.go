package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/store"
)

func runEntityCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "USER" {
			return "tester"
		}
		return ""
	}}
	code := Run(context.Background(), env, args)
	return out.String(), errb.String(), code
}

// personMentions ingests a person file into data and returns the person
// mention of each record_id.
func personMentions(t *testing.T, data string, rows ...string) map[string]mosaic.ID {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "records")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := "record_id,full_name,date_of_birth,nationality,phone,email,address,source,prison_number\n" + strings.Join(rows, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "person.csv"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runEntityCLI(t, "ingest", "--data", data, dir); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	st, err := daemon.OpenStore(context.Background(), daemon.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := map[string]mosaic.ID{}
	last, _ := st.LastSeq(context.Background())
	items, err := st.ItemsInRange(context.Background(), mosaic.Principal{All: true}, store.Range{Lo: 1, Hi: last})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		out[it.Record.Fields["record_id"]] = mosaic.MentionID(it.ID, "person")
	}
	return out
}

func entityOf(t *testing.T, data string, ms ...mosaic.ID) map[mosaic.ID]mosaic.ID {
	t.Helper()
	st, err := daemon.OpenStore(context.Background(), daemon.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e, err := st.EntityOf(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEntityCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	ms := personMentions(t, data,
		`PER-1,Olivia Owen,1961-03-04,,07700 900123,,"1 Mill Lane, Leeds",customer-records,`,
		`PER-2,Olivia Owen,,,+447700900123,,"1 Mill Lane, Leeds",customer-records,`)
	m1, m2 := ms["PER-1"], ms["PER-2"]
	if e := entityOf(t, data, m1, m2); e[m1] != e[m2] {
		t.Fatalf("setup: not merged %v", e)
	}
	out, errs, code := runEntityCLI(t, "entity", "explain", "--data", data, string(m1), string(m2))
	if code != 0 || !strings.Contains(out, "id:phone") || !strings.Contains(out, "total") || !strings.Contains(out, "same entity now") {
		t.Fatalf("explain: exit %d\n%s%s", code, out, errs)
	}
	// Split, with this process owning the data directory.
	out, errs, code = runEntityCLI(t, "entity", "split", "--data", data, "--note", "two women", string(m2))
	if code != 0 || !strings.Contains(out, "applied") || !strings.Contains(out, "recorded judgement") {
		t.Fatalf("split: exit %d\n%s%s", code, out, errs)
	}
	if e := entityOf(t, data, m1, m2); e[m1] == e[m2] {
		t.Fatalf("split not stored: %v", e)
	}
	// A contradiction fails; the log shows both.
	if out, errs, code = runEntityCLI(t, "entity", "judge", "--data", data, string(m1), string(m2), "same"); code == 0 || !strings.Contains(errs, "rejected") {
		t.Errorf("contradiction accepted: exit %d\n%s%s", code, out, errs)
	}
	out, _, code = runEntityCLI(t, "entity", "judgements", "--data", data, string(m2))
	if code != 0 || !strings.Contains(out, "split") || !strings.Contains(out, "rejected") || !strings.Contains(out, "tester") {
		t.Errorf("judgements:\n%s", out)
	}
	if _, errs, code = runEntityCLI(t, "entity", "split", "--data", data, "ent-00"); code != 2 {
		t.Errorf("split of an entity ID: exit %d %s", code, errs)
	}

	// With a server owning the directory, the CLI only stores the
	// judgement and the server applies it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, err := daemon.Open(ctx, daemon.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if !n.Owner {
		t.Fatal("test node does not own the directory")
	}
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e := entityOf(t, data, m1, m2)
	out, errs, code = runEntityCLI(t, "entity", "merge", "--data", data, string(e[m1]), string(e[m2]))
	if code == 0 || !strings.Contains(errs, "rejected") {
		t.Errorf("merge against the split: exit %d\n%s%s", code, out, errs)
	}
	js, err := n.Store.Judgements(ctx, store.JudgementFilter{Mention: m2, State: store.JudgementApplied})
	if err != nil || len(js) < 2 {
		t.Fatalf("judgements: %+v %v", js, err)
	}
	d := js[len(js)-1]
	out, errs, code = runEntityCLI(t, "entity", "undo", "--data", data, string(d.A), string(d.B))
	if code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("undo through the server: exit %d\n%s%s", code, out, errs)
	}
	if e := entityOf(t, data, m1, m2); e[m1] != e[m2] {
		t.Errorf("undo not applied by the server: %v", e)
	}
	if _, errs, code = runEntityCLI(t, "entity", "explain", "--data", data, string(m1), string(m2)); code == 0 || !strings.Contains(errs, "--server") {
		t.Errorf("explain with a server owning the data: exit %d %s", code, errs)
	}
}
