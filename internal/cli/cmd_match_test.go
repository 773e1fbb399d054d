package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMatchCommand(t *testing.T) {
	dir := t.TempDir()
	left := filepath.Join(dir, "a.csv")
	right := filepath.Join(dir, "b.csv")
	os.WriteFile(left, []byte("key,first,last,born,passport,who\n"+
		"1,Mohamad,Al-Hassan,1980-04-12,X1234567,p1\n"+
		"2,Johanna,Schmidt,1955-01-30,,p2\n"), 0o644)
	os.WriteFile(right, []byte("key,first,last,born,passport,who\n"+
		"1,Mohammed,al Hassan,12/04/1980,X1234567,p1\n"+
		"9,Pavel,Novak,1990-02-02,,p3\n"), 0o644)
	out := filepath.Join(dir, "clusters.csv")
	var stdout, stderr bytes.Buffer
	env := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	code := Run(context.Background(), env, []string{"match", "--left", left, "--right", right,
		"--map", "id=key,name=first+last,dob=born,id:passport=passport", "--truth", "who", "--out", out})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{"record_id,cluster_id\n", "left:1,left:1\n", "right:1,left:1\n", "right:9,right:9\n", "left:2,left:2\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("clusters.csv lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(stdout.String(), "pairwise  precision 1.0000 recall 1.0000 F1 1.0000") {
		t.Errorf("summary: %s", stdout.String())
	}
	if code := Run(context.Background(), env, []string{"match", "--left", left, "--map", "nope=x", "--out", out}); code != 2 {
		t.Errorf("bad mapping: exit %d, want 2", code)
	}
}
