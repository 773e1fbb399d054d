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

func runExtractCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := Run(context.Background(), env, args)
	return out.String(), errb.String(), code
}

func TestExtractCoNLL(t *testing.T) {
	in := "-DOCSTART- -X- O O\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\nvisited VBD I-VP O\nBrussels NNP I-NP I-LOC\n. . O O\n"
	out, errs, code := runExtractCLI(t, in, "extract", "--format", "conll")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	want := []string{
		"-DOCSTART- -X- O O O",
		"",
		"Peter NNP I-NP I-PER B-PER",
		"Blackburn NNP I-NP I-PER I-PER",
		"visited VBD I-VP O O",
		"Brussels NNP I-NP I-LOC B-LOC",
		". . O O O",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", out, strings.Join(want, "\n"))
	}
	out, _, code = runExtractCLI(t, in, "extract", "--format", "conll", "--eval")
	if code != 0 || !strings.Contains(out, "FB1: 100.00") {
		t.Fatalf("eval: exit %d\n%s", code, out)
	}
}

func TestExtractText(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	text := "Thursday 23 November 2017\n\nBen Wallace, the security minister, said Isis cells in the UK had links to al-Qaeda. He flew to Paris last week."
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runExtractCLI(t, "", "extract", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{"(date 2017-11-23)", `PER      "Ben Wallace"`, `"Paris"`, "title", "2017-W46"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	out, _, code = runExtractCLI(t, "", "extract", "--json", p)
	if code != 0 {
		t.Fatal(code)
	}
	var res struct {
		File     string
		Date     string
		Entities []struct {
			Type, Text string
			Start, End int
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Date != "2017-11-23" || len(res.Entities) == 0 {
		t.Fatalf("json %+v", res)
	}
	for _, e := range res.Entities {
		if text[e.Start:e.End] != e.Text {
			t.Errorf("entity %q at %d-%d", e.Text, e.Start, e.End)
		}
	}
	if _, _, code := runExtractCLI(t, "", "extract", filepath.Join(dir, "missing.txt")); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
	if _, _, code := runExtractCLI(t, "", "extract", "--format", "xml", p); code != 2 {
		t.Errorf("bad format: exit %d, want 2", code)
	}
}

func TestTrainNERUsage(t *testing.T) {
	if _, _, code := runExtractCLI(t, "", "train", "ner"); code != 2 {
		t.Errorf("train ner without --train: exit %d, want 2", code)
	}
}
