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

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.csv":    "name,city\nAnn,Leeds\nBob\n",
		"b.txt":    "Report title\nbody\n",
		"empty.md": "",
	}
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := Run(context.Background(), env, []string{"inspect", dir})
	if code != 1 {
		t.Fatalf("exit %d, want 1 (rejections); stderr %s", code, errb.String())
	}
	for _, want := range []string{"a.csv\tcsv\t1 rows\t1 rejected", "b.txt\ttext\t", `"Report title"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}
	for _, want := range []string{"a.csv:3: row has 1 fields, the header has 2", "empty.md: empty file"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
	out.Reset()
	errb.Reset()
	if code := Run(context.Background(), env, []string{"inspect", "--json", filepath.Join(dir, "b.txt")}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var item map[string]any
	if err := json.Unmarshal(out.Bytes(), &item); err != nil || item["title"] != "Report title" || item["format"] != "text" {
		t.Fatalf("json %q: %v", out.String(), err)
	}
	if code := Run(context.Background(), env, []string{"inspect"}); code != 2 {
		t.Errorf("no args: exit %d, want 2", code)
	}
}
