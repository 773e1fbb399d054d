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

func TestGenCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "world")
	tests := []struct {
		name    string
		args    []string
		code    int
		stdout  string
		checkFS bool
	}{
		{"writes a world", []string{"gen", "--out", dir, "--people", "250", "--seed", "4"}, 0, "wrote 250 people (seed 4)", true},
		{"help", []string{"gen", "--help"}, 0, "Usage: mosaic gen", false},
		{"no out", []string{"gen", "--people", "10"}, 2, "", false},
		{"bad people", []string{"gen", "--out", dir, "--people", "0"}, 2, "", false},
		{"bad flag", []string{"gen", "--out", dir, "--nope"}, 2, "", false},
		{"stray argument", []string{"gen", "--out", dir, "extra"}, 2, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
			if code := Run(context.Background(), env, tc.args); code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errb.String())
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("stdout %q lacks %q", out.String(), tc.stdout)
			}
			if tc.checkFS {
				if errb.Len() != 0 {
					t.Errorf("progress or noise on a non-terminal stderr: %q", errb.String())
				}
				data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
				if err != nil {
					t.Fatal(err)
				}
				var m struct {
					People int            `json:"people"`
					Seed   int            `json:"seed"`
					Files  map[string]int `json:"files"`
				}
				if err := json.Unmarshal(data, &m); err != nil {
					t.Fatal(err)
				}
				if m.People != 250 || m.Seed != 4 || m.Files["records/travel.csv"] == 0 {
					t.Errorf("manifest %+v", m)
				}
			}
		})
	}
}
