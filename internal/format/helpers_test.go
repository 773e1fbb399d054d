package format

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// walked is everything one Walk produced, with row streams drained.
type walked struct {
	items   []Item
	rows    map[string][]Row
	rowErrs map[string][]*Rejection
	rejects []Rejection
}

func (w *walked) paths() []string {
	var out []string
	for _, it := range w.items {
		out = append(out, it.Path)
	}
	return out
}

func (w *walked) doc(t testing.TB, path string) *Document {
	t.Helper()
	for _, it := range w.items {
		if it.Path == path && it.Doc != nil {
			return it.Doc
		}
	}
	t.Fatalf("no document %q; items %v; rejections %v", path, w.paths(), w.rejects)
	return nil
}

func (w *walked) rejected(path string, kind error) bool {
	for _, r := range w.rejects {
		if r.Path == path && errors.Is(&r, kind) {
			return true
		}
	}
	return false
}

func walkAll(t testing.TB, path string, o Options) *walked {
	t.Helper()
	res := &walked{rows: map[string][]Row{}, rowErrs: map[string][]*Rejection{}}
	err := Walk(context.Background(), path, o, func(it Item) error {
		res.items = append(res.items, it)
		if it.Rows != nil {
			for r, err := range it.Rows.All() {
				var rj *Rejection
				switch {
				case errors.As(err, &rj):
					res.rowErrs[it.Path] = append(res.rowErrs[it.Path], rj)
				case err != nil:
					t.Fatalf("row error that is not a rejection: %v", err)
				default:
					res.rows[it.Path] = append(res.rows[it.Path], r)
				}
			}
		}
		return nil
	}, func(r Rejection) {
		if r.Path == "" || r.Reason == "" || r.Err == nil {
			t.Errorf("incomplete rejection %+v", r)
		}
		res.rejects = append(res.rejects, r)
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return res
}

// writeFile writes data to dir/name, creating parents, and returns the path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// zipEntry is one entry of a ZIP built in a test.
type zipEntry struct {
	name    string
	data    []byte
	mode    os.FileMode // 0: regular 0644
	store   bool        // no compression
	encrypt bool        // set the encrypted flag
}

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
		if e.store {
			h.Method = zip.Store
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		if e.encrypt {
			h.Flags |= 1
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type tarEntry struct {
	name     string
	data     []byte
	typeflag byte
	link     string
}

func makeTar(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		tf := e.typeflag
		if tf == 0 {
			tf = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Typeflag: tf, Size: int64(len(e.data)), Mode: 0o644, Linkname: e.link, ModTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
		if tf != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if tf == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readRows drains a RowSource built directly over r.
func readRows(t testing.TB, rs *RowSource) ([]Row, []*Rejection) {
	t.Helper()
	var rows []Row
	var rejs []*Rejection
	for {
		r, err := rs.Next()
		if err == io.EOF {
			return rows, rejs
		}
		var rj *Rejection
		if errors.As(err, &rj) {
			rejs = append(rejs, rj)
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		rows = append(rows, r)
	}
}
