package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestPdftextServe(t *testing.T) {
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader("%PDF-1.4\nnot a real pdf"), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := Run(context.Background(), env, []string{"pdftext", "--serve"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep struct{ Kind, Reason string }
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Kind != "malformed input" || rep.Reason == "" {
		t.Fatalf("reply %q: %v", out.String(), err)
	}
	if code := Run(context.Background(), env, []string{"pdftext"}); code != 2 {
		t.Errorf("no FILE: exit %d, want 2", code)
	}
}
