package format

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/format/pdftest"
)

func simplePDF(pages ...string) []byte {
	kids := ""
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Title (Test Title) /Author (Ann Berg) /CreationDate (D:20240102030405Z) >>"}
	for _, p := range pages {
		n := len(objs) + 1
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>", n+1))
		objs = append(objs, pdftest.Stream([]byte("BT /F1 12 Tf 72 712 Td ("+p+") Tj ET")))
		kids += fmt.Sprintf("%d 0 R ", n)
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages))
	return pdftest.Build(objs, "/Info 4 0 R")
}

func TestPDF(t *testing.T) {
	d, err := pdfDocument(simplePDF("Hello PDF World", "Second page"), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Test Title" || d.Meta["Author"] != "Ann Berg" || d.Meta["pages"] != "2" {
		t.Errorf("title %q meta %v", d.Title, d.Meta)
	}
	if !strings.Contains(d.Text, "Hello PDF World") || !strings.Contains(d.Text, "Second page") {
		t.Errorf("text %q", d.Text)
	}
	if d.Published.Year() != 2024 {
		t.Errorf("published %v", d.Published)
	}
}

func TestHostilePDF(t *testing.T) {
	cat := "<< /Type /Catalog /Pages 2 0 R >>"
	page := "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>"
	content := pdftest.Stream([]byte("BT (x) Tj ET"))
	good := simplePDF("ok")
	tests := []struct {
		name string
		data []byte
		kind error
	}{
		{"page tree cycle", pdftest.Build([]string{cat, "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 5 >>", page, content}, ""), nil},
		{"self parent", pdftest.Build([]string{cat, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>", content}, ""), nil},
		{"huge count", pdftest.Build([]string{cat, "<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>", page, content}, ""), nil},
		{"prev cycle", bytes.Replace(good, []byte("/Info 4 0 R"), []byte("/Info 4 0 R /Prev "+fmt.Sprint(bytes.Index(good, []byte("xref")))), 1), ErrMalformed},
		{"flate bomb", pdftest.Build([]string{cat, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, pdftest.FlateStream(bytes.Repeat([]byte("0 "), 40<<20))}, ""), ErrBomb},
		{"truncated", good[:len(good)/2], ErrMalformed},
		{"garbage", []byte("%PDF-1.4\n" + strings.Repeat("garbage ", 100)), ErrMalformed},
		{"bad xref", bytes.Replace(good, []byte("startxref\n"), []byte("startxref\n9"), 1), ErrMalformed},
		{"pdf 2.0", append([]byte("%PDF-2.0\n"), good[9:]...), ErrUnsupported},
		{"unknown filter", pdftest.Build([]string{cat, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, "<< /Length 3 /Filter /JBIG2Decode >>\nstream\nabc\nendstream"}, ""), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := pdfDocument(tc.data, DefaultOptions())
			if tc.kind == nil {
				if err != nil && !errors.Is(err, ErrMalformed) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				if err == nil && d == nil {
					t.Fatal("nil document without error")
				}
				return
			}
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err %v, want %v", err, tc.kind)
			}
		})
	}
}
