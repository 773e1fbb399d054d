package pdfsandbox

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/format"
	"github.com/mosaic-intel/mosaic/internal/format/pdftest"
)

// The test binary is its own child: run with MOSAIC_PDFSANDBOX_CHILD set,
// it serves one PDF on stdin and exits.
func TestMain(m *testing.M) {
	if os.Getenv("MOSAIC_PDFSANDBOX_CHILD") != "" {
		fs := flag.NewFlagSet("child", flag.ContinueOnError)
		mem := fs.Int64("max-memory", 0, "")
		args := os.Args[1:]
		for len(args) > 0 && args[0] != "--max-memory" {
			args = args[1:]
		}
		if err := fs.Parse(args); err != nil {
			os.Exit(2)
		}
		if os.Getenv("MOSAIC_PDFSANDBOX_CHILD") == "sleep" {
			time.Sleep(time.Minute)
		}
		if err := Serve(os.Stdin, os.Stdout, *mem, format.Options{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func child(t *testing.T, mode string) []string {
	t.Helper()
	t.Setenv("MOSAIC_PDFSANDBOX_CHILD", mode)
	return []string{os.Args[0], "-test.run=^$"}
}

// makePDF builds a one-page PDF whose page content is content.
func makePDF(content []byte, flate bool) []byte {
	stream := pdftest.Stream(content)
	if flate {
		stream = pdftest.FlateStream(content)
	}
	return pdftest.Build([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
		stream,
		"<< /Title (Sandboxed) >>",
	}, "/Info 5 0 R")
}

func TestSandboxExtracts(t *testing.T) {
	s := &Sandbox{Command: child(t, "serve")}
	raw := makePDF([]byte("BT (Hello from the child) Tj ET"), false)
	d, err := s.Extract(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Sandboxed" || !strings.Contains(d.Text, "Hello from the child") || len(d.Raw) != len(raw) || d.ID == "" {
		t.Errorf("document %+v", d)
	}
	_, err = s.Extract(context.Background(), []byte("%PDF-1.4\nnot really"))
	if !errors.Is(err, format.ErrMalformed) {
		t.Errorf("corrupt PDF: %v", err)
	}
}

// TestSandboxMemory feeds a page that pushes millions of operands (which
// the PDF library's interpreter holds all at once): the child hits its
// memory limit and the parent gets a rejection instead of swelling.
func TestSandboxMemory(t *testing.T) {
	flood := bytes.Repeat([]byte("1 "), 30<<20) // 30 M operands, no operator
	s := &Sandbox{Command: child(t, "serve"), MaxMemory: 384 << 20}
	_, err := s.Extract(context.Background(), makePDF(flood, true))
	if !errors.Is(err, format.ErrTooLarge) || !strings.Contains(err.Error(), "memory limit") {
		t.Fatalf("operand flood: %v", err)
	}
	t.Logf("operand flood: %v", err)
}

func TestSandboxTimeout(t *testing.T) {
	s := &Sandbox{Command: child(t, "sleep"), Timeout: 200 * time.Millisecond}
	_, err := s.Extract(context.Background(), makePDF([]byte("BT (x) Tj ET"), false))
	if !errors.Is(err, format.ErrTooLarge) || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("timeout: %v", err)
	}
}

// TestWalkWithSandbox wires the sandbox into Walk.
func TestWalkWithSandbox(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.pdf"), makePDF([]byte("BT (walked) Tj ET"), false), 0o644); err != nil {
		t.Fatal(err)
	}
	o := format.DefaultOptions()
	o.PDF = (&Sandbox{Command: child(t, "serve")}).Extract
	var texts []string
	err := format.Walk(context.Background(), dir, o, func(it format.Item) error {
		texts = append(texts, it.Doc.Text)
		return nil
	}, func(r format.Rejection) { t.Errorf("rejected: %v", r.Error()) })
	if err != nil || len(texts) != 1 || !strings.Contains(texts[0], "walked") {
		t.Fatalf("err %v texts %q", err, texts)
	}
}

// BenchmarkSandbox measures one extraction in a child process (the
// child here is the test binary, started afresh for each PDF).
func BenchmarkSandbox(b *testing.B) {
	b.Setenv("MOSAIC_PDFSANDBOX_CHILD", "serve")
	s := &Sandbox{Command: []string{os.Args[0], "-test.run=^$"}}
	raw := makePDF([]byte("BT (Hello) Tj ET"), false)
	for b.Loop() {
		if _, err := s.Extract(context.Background(), raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInProcess(b *testing.B) {
	raw := makePDF([]byte("BT (Hello) Tj ET"), false)
	for b.Loop() {
		if _, err := format.ExtractPDF(raw, format.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
