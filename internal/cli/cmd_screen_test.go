package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func screenCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

const sampleCSV = "../watchlist/testdata/sample.csv"

func TestScreenCommand(t *testing.T) {
	code, out, errs := screenCLI(t, "screen", "--list", sampleCSV, "--json", "Jane Exampel")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var hits []struct {
		EntryID string  `json:"entry_id"`
		Score   float64 `json:"score"`
	}
	if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) == 0 || hits[0].EntryID != "c1" {
		t.Fatalf("hits %s (%v)", out, err)
	}
	if !strings.Contains(errs, "list row rejected") {
		t.Errorf("bad list rows not reported: %q", errs)
	}
	code, out, _ = screenCLI(t, "screen", "--list", sampleCSV, "Trading Company Ltd")
	if code != 0 || strings.TrimSpace(out) != "no hits" {
		t.Errorf("generic org words: exit %d, %q", code, out)
	}
	// Without --list the stored lists of --data are used; an empty data
	// directory is an error that says so.
	if code, _, errs := screenCLI(t, "screen", "--data", t.TempDir(), "Jane"); code != 1 || !strings.Contains(errs, "no Mosaic data") {
		t.Errorf("no --list and no data: exit %d, %q", code, errs)
	}
	if code, _, _ := screenCLI(t, "screen", "--list", sampleCSV); code != 2 {
		t.Errorf("no name: exit %d, want 2", code)
	}
}

func TestScreenBatch(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "q.csv")
	outPath := filepath.Join(dir, "r.csv")
	os.WriteFile(in, []byte("query_id,name,dob,country\nq1,Jane Example,1985,GB\nq2,Nobody Atall,,\nq3\nq4,Juan Ejemplo Perez,,\n"), 0o644)
	code, _, errs := screenCLI(t, "screen", "--list", sampleCSV, "--batch", in, "--out", outPath)
	if code != 1 || !strings.Contains(errs, "q.csv:4") {
		t.Errorf("exit %d, stderr %q: want 1 with row 4 rejected", code, errs)
	}
	b, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if lines[0] != "query_id,rank,list,entry_id,score" || len(lines) != 3 ||
		!strings.HasPrefix(lines[1], "q1,1,sample,c1,") || !strings.HasPrefix(lines[2], "q4,1,sample,c4,") {
		t.Errorf("results:\n%s", b)
	}
}
