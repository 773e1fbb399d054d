package format

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mosaic-intel/mosaic/internal/format/pdftest"
)

// Fuzz targets: every parser must end, never panic, and give valid UTF-8.
// Run one with e.g. go test ./internal/format -run '^$' -fuzz '^FuzzCSV$' -fuzztime 60s.
// Crashers found are kept in testdata/fuzz/<target>/ as regression seeds.

func seedFiles(f *testing.F, glob string) {
	f.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata/docs", glob))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func drainRows(t *testing.T, rs *RowSource) {
	n := 0
	for {
		r, err := rs.Next()
		if err == io.EOF {
			return
		}
		if n++; n > 1<<20 {
			t.Fatal("too many rows")
		}
		var rj *Rejection
		if err != nil {
			if !errors.As(err, &rj) {
				t.Fatalf("non-rejection error %v", err)
			}
			if rj.Path == "" || rj.Reason == "" || rj.Err == nil {
				t.Fatalf("incomplete rejection %+v", rj)
			}
			continue
		}
		if r.Line <= 0 || r.Offset < 0 {
			t.Fatalf("row without position: %+v", r)
		}
		for k, v := range r.Fields {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				t.Fatalf("invalid UTF-8 in row %q=%q", k, v)
			}
		}
		if cols := rs.Columns(); cols != nil && len(r.Fields) != len(cols) {
			t.Fatalf("row has %d fields, %d columns", len(r.Fields), len(cols))
		}
	}
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,b\r\n\"x\"\"y\",\"z\nw\"\r\n", "a\n\"open\n", "\xef\xbb\xbfa,b\n1,\"2\"x\n", "a,b\n1,2,3\n\n", "\xff\xfea\x00,\x00b\x00\n\x00", "a\nJos\xe9\n"} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, tsv bool) {
		format := FormatCSV
		if tsv {
			format = FormatTSV
		}
		rs, rj := newCSVSource(context.Background(), bytes.NewReader(data), "f.csv", format, 256)
		if rj != nil {
			if rj.Err == nil || rj.Reason == "" {
				t.Fatalf("incomplete rejection %+v", rj)
			}
			return
		}
		for _, c := range rs.Columns() {
			if !utf8.ValidString(c) {
				t.Fatalf("invalid column %q", c)
			}
		}
		drainRows(t, rs)
	})
}

func FuzzJSONL(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":"x","c":[1,{"d":null}]}` + "\n", "{\"a\":\"\\u00e9\"}\r\n[1]\n\n{bad", `{"a":{"b":{"c":{}}}}`, "\xef\xbb\xbf{\"k\":true}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		drainRows(t, newJSONLSource(context.Background(), bytes.NewReader(data), "f.jsonl", 256))
	})
}

func checkDoc(t *testing.T, d *Document) {
	t.Helper()
	if d == nil {
		t.Fatal("nil document")
	}
	if !utf8.ValidString(d.Text) || !utf8.ValidString(d.Title) {
		t.Fatalf("invalid UTF-8 in title %q or text", d.Title)
	}
	for k, v := range d.Meta {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			t.Fatalf("invalid UTF-8 in meta %q=%q", k, v)
		}
	}
	if strings.ContainsAny(d.Text, "\x00\r") {
		t.Fatalf("control characters left in text %q", d.Text)
	}
}

func FuzzText(f *testing.F) {
	seedFiles(f, "*.txt")
	f.Add([]byte("Title\r\nDate: 2 January 2006\r\n\x00body\x7f\xff"))
	f.Fuzz(func(t *testing.T, data []byte) { checkDoc(t, textDocument(data)) })
}

func FuzzMarkdown(f *testing.F) {
	seedFiles(f, "*.md")
	f.Add([]byte("---\ntitle: x\n---\n# H\n**b** _i_ [l](u) ![a](i) `c` ~~s~~ <b>t</b>\n```\ncode\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkDoc(t, markdownDocument(data)) })
}

func FuzzHTML(f *testing.F) {
	seedFiles(f, "*.html")
	f.Add([]byte("<html><head><title>t</title><script>x</script></head><body><p>a<br>b<pre> c </pre><table><tr><td>1<td>2</table>"))
	f.Add([]byte("<svg><script><style><title></svg></title>text"))
	f.Fuzz(func(t *testing.T, data []byte) { checkDoc(t, htmlDocument(data)) })
}

func FuzzEmail(f *testing.F) {
	seedFiles(f, "*.eml")
	f.Add([]byte("From: a@b\nSubject: =?utf-8?b?w6k=?=\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/rfc822\n\nFrom: c\n\nhi\n--x--\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := emailDocument(data)
		if err != nil {
			return
		}
		checkDoc(t, res.doc)
		for _, a := range res.attachments {
			if a.name == "" || strings.Contains(a.name, "/") || strings.Contains(a.name, "!") {
				t.Fatalf("unsafe attachment name %q", a.name)
			}
		}
	})
}

func FuzzPDF(f *testing.F) {
	f.Add(simplePDF("Hello PDF World"))
	f.Add(pdftest.Build([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 9 >>",
		"<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>", pdftest.FlateStream([]byte("BT [(a) -300 (b)] TJ ET"))}, ""))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := pdfDocument(data, DefaultOptions())
		if err == nil {
			checkDoc(t, d)
		}
	})
}

// FuzzWalk feeds arbitrary bytes under a chosen name through detection
// and the whole dispatch: archives, documents, attachments and rows.
func FuzzWalk(f *testing.F) {
	f.Add("a.zip", makeZip(f, zipEntry{name: "x.txt", data: []byte("hi\n")}, zipEntry{name: "n.zip", data: makeZip(f, zipEntry{name: "y.csv", data: []byte("a\n1\n")})}))
	f.Add("a.tar.gz", gz(f, makeTar(f, tarEntry{name: "x.jsonl", data: []byte(`{"a":1}`)})))
	f.Add("a.eml", []byte("From: a@b\nTo: c@d\nSubject: s\nContent-Type: multipart/mixed; boundary=q\n\n--q\n\nbody\n--q\nContent-Disposition: attachment; filename=r.csv\n\nk\nv\n--q--\n"))
	f.Add("noext", []byte("{\"a\":1}\n"))
	f.Add("x.csv.gz", gz(f, []byte("a,b\n1,2\n")))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		o := DefaultOptions()
		o.MaxArchiveExpanded, o.MaxArchiveEntrySize, o.MaxFileSize, o.MaxLineSize = 4<<20, 1<<20, 1<<20, 1024
		o.TempDir = t.TempDir()
		w := &walker{ctx: context.Background(), o: o, emit: func(it Item) error {
			if !utf8.ValidString(it.Path) {
				t.Fatalf("invalid path %q", it.Path)
			}
			if it.Doc != nil {
				checkDoc(t, it.Doc)
			}
			if it.Rows != nil {
				drainRows(t, it.Rows)
			}
			return nil
		}, reject: func(r Rejection) {
			if r.Reason == "" || r.Err == nil || r.Path == "" {
				t.Fatalf("incomplete rejection %+v", r)
			}
		}}
		// Disk names are the caller's (they are shown as they are); names
		// from inside archives and e-mail must come out valid UTF-8.
		name = filepath.Base(strings.ToValidUTF8(name, "_"))
		if name == "" || name == "." || name == "/" {
			name = "f"
		}
		err := w.dispatch(&source{display: name, name: name, r: bytes.NewReader(data), ra: bytes.NewReader(data), size: int64(len(data))})
		if err != nil {
			t.Fatalf("dispatch returned %v", err)
		}
	})
}

// FuzzJSONObject checks the fast object splitter against encoding/json.
func FuzzJSONObject(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":"x","c":[1,{"d":null}]}`, `{"a":"\u00e9\"","a":2, "n" : null , "o":{ "p" : [ ] }}`, `{}`, `[]`, `{"k":"v"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		b = bytes.TrimSpace(b)
		if len(b) == 0 || !utf8.Valid(b) {
			return
		}
		got, reason, _ := parseJSONObject(b, map[string]string{})
		var raw map[string]json.RawMessage
		refErr := json.Unmarshal(b, &raw)
		if refErr != nil || b[0] != '{' {
			if reason == "" {
				t.Fatalf("accepted %q that encoding/json rejects (%v)", b, refErr)
			}
			return
		}
		if reason != "" {
			t.Fatalf("rejected valid object %q: %s", b, reason)
		}
		want := map[string]string{}
		for k, v := range raw {
			var buf bytes.Buffer
			switch {
			case string(v) == "null":
			case v[0] == '"':
				var s string
				if err := json.Unmarshal(v, &s); err != nil {
					t.Fatal(err)
				}
				want[k] = s
			default:
				if err := json.Compact(&buf, v); err != nil {
					t.Fatal(err)
				}
				want[k] = buf.String()
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parse %q = %q, encoding/json says %q", b, got, want)
		}
	})
}
