package format

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/shareddata"
)

func TestWalkDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.csv", []byte("a,b\n1,2\n"))
	writeFile(t, dir, "a.txt", []byte("hello\n"))
	writeFile(t, dir, "sub/c.md", []byte("# C\n"))
	writeFile(t, dir, "sub/d.jsonl", []byte(`{"x":1}`+"\n"))
	writeFile(t, dir, "empty.txt", nil)
	writeFile(t, dir, "spaces.txt", []byte("  \n\t\n"))
	writeFile(t, dir, "image.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	writeFile(t, dir, "noext", []byte("just some notes\n"))
	writeFile(t, dir, "mislabelled.csv", makeZip(t, zipEntry{name: "x.txt", data: []byte("x")}))
	writeFile(t, dir, "book.docx", makeZip(t, zipEntry{name: "word/document.xml", data: []byte("<w/>")}))
	writeFile(t, dir, "bin.txt", []byte("abc\x00\x01\x02def"))
	if err := os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "zlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "a.txt"), filepath.Join(dir, "alink.txt")); err != nil {
		t.Fatal(err)
	}
	w := walkAll(t, dir, Options{})
	var got []string
	for _, p := range w.paths() {
		got = append(got, strings.TrimPrefix(p, dir+"/"))
	}
	want := []string{"a.txt", "alink.txt", "b.csv", "noext", "sub/c.md", "sub/d.jsonl"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items %q, want %q", got, want)
	}
	rejected := map[string]error{
		"empty.txt": ErrEmpty, "spaces.txt": ErrEmpty, "image.png": ErrUnknownFormat, "mislabelled.csv": ErrUnknownFormat,
		"book.docx": ErrUnknownFormat, "bin.txt": ErrUnknownFormat, "zlink": ErrNotRegular,
	}
	for name, kind := range rejected {
		if !w.rejected(filepath.Join(dir, name), kind) {
			t.Errorf("%s not rejected as %v; rejections %v", name, kind, w.rejects)
		}
	}
	if len(w.rejects) != len(rejected) {
		t.Errorf("%d rejections, want %d: %v", len(w.rejects), len(rejected), w.rejects)
	}
	// Missing path: a rejection, not an error.
	w = walkAll(t, filepath.Join(dir, "missing.csv"), Options{})
	if len(w.rejects) != 1 || !errors.Is(&w.rejects[0], ErrIO) {
		t.Errorf("missing file: %v", w.rejects)
	}
}

func TestWalkArchives(t *testing.T) {
	dir := t.TempDir()
	inner := makeZip(t, zipEntry{name: "deep/inner.txt", data: []byte("inner text\n")})
	csv := []byte("name,city\nAnn,Leeds\nBob,York\n")
	batch := makeZip(t,
		zipEntry{name: "reports/b.txt", data: []byte("report b\n")},
		zipEntry{name: "reports/a.md", data: []byte("# A\n")},
		zipEntry{name: "people.csv", data: csv, store: true},
		zipEntry{name: "nested.zip", data: inner},
		zipEntry{name: "dir/", mode: os.ModeDir | 0o755},
		zipEntry{name: "../evil.txt", data: []byte("x")},
		zipEntry{name: "/etc/passwd.txt", data: []byte("x")},
		zipEntry{name: `..\win.txt`, data: []byte("x")},
		zipEntry{name: "a/../../up.txt", data: []byte("x")},
		zipEntry{name: "link.txt", data: []byte("/etc/passwd"), mode: os.ModeSymlink | 0o777},
		zipEntry{name: "secret.txt", data: []byte("x"), encrypt: true},
		zipEntry{name: "reports/b.txt", data: []byte("duplicate\n")},
		zipEntry{name: "blob.bin", data: []byte{0, 1, 2, 3, 0xff, 0xfe}},
		zipEntry{name: "corrupt.zip", data: []byte("PK\x03\x04 not really")},
	)
	tgz := gz(t, makeTar(t,
		tarEntry{name: "t/one.txt", data: []byte("one\n")},
		tarEntry{name: "t/sym", typeflag: tar.TypeSymlink, link: "/etc/passwd"},
		tarEntry{name: "t/hard", typeflag: tar.TypeLink, link: "t/one.txt"},
		tarEntry{name: "t/fifo", typeflag: tar.TypeFifo},
		tarEntry{name: "../t/escape.txt", data: []byte("x")},
		tarEntry{name: "t/data.jsonl", data: []byte(`{"k":"v"}` + "\n")},
	))
	writeFile(t, dir, "batch.zip", batch)
	writeFile(t, dir, "bundle.tar.gz", tgz)
	writeFile(t, dir, "rows.csv.gz", gz(t, csv))
	writeFile(t, dir, "plain.tar", makeTar(t, tarEntry{name: "p.txt", data: []byte("plain tar\n")}))
	writeFile(t, dir, "broken.zip", []byte("PK\x03\x04 garbage that is not a zip"))
	writeFile(t, dir, "truncated.zip", batch[:len(batch)/2])
	writeFile(t, dir, "broken.gz", []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1, 2, 3})

	w := walkAll(t, dir, Options{})
	var got []string
	for _, p := range w.paths() {
		got = append(got, strings.TrimPrefix(p, dir+"/"))
	}
	want := []string{
		"batch.zip!/nested.zip!/deep/inner.txt", "batch.zip!/people.csv", "batch.zip!/reports/a.md", "batch.zip!/reports/b.txt",
		"bundle.tar.gz!/t/one.txt", "bundle.tar.gz!/t/data.jsonl",
		"plain.tar!/p.txt", "rows.csv.gz!/rows.csv",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items\n %q\nwant\n %q", got, want)
	}
	if d := w.doc(t, dir+"/batch.zip!/reports/b.txt"); d.Text != "report b\n" {
		t.Errorf("b.txt text %q (the first of two duplicate entries is read)", d.Text)
	}
	if rows := w.rows[dir+"/batch.zip!/people.csv"]; len(rows) != 2 || rows[1].Fields["city"] != "York" {
		t.Errorf("zip csv rows %v", rows)
	}
	if rows := w.rows[dir+"/rows.csv.gz!/rows.csv"]; len(rows) != 2 {
		t.Errorf("gz csv rows %v", rows)
	}
	if rows := w.rows[dir+"/bundle.tar.gz!/t/data.jsonl"]; len(rows) != 1 || rows[0].Fields["k"] != "v" {
		t.Errorf("tar jsonl rows %v", rows)
	}
	rejected := map[string]error{
		"batch.zip!/../evil.txt":         ErrUnsafePath,
		"batch.zip!//etc/passwd.txt":     ErrUnsafePath,
		`batch.zip!/..\win.txt`:          ErrUnsafePath,
		"batch.zip!/a/../../up.txt":      ErrUnsafePath,
		"batch.zip!/link.txt":            ErrNotRegular,
		"batch.zip!/secret.txt":          ErrUnsupported,
		"batch.zip!/reports/b.txt":       ErrMalformed,
		"batch.zip!/blob.bin":            ErrUnknownFormat,
		"batch.zip!/corrupt.zip":         ErrMalformed,
		"bundle.tar.gz!/t/sym":           ErrNotRegular,
		"bundle.tar.gz!/t/hard":          ErrNotRegular,
		"bundle.tar.gz!/t/fifo":          ErrNotRegular,
		"bundle.tar.gz!/../t/escape.txt": ErrUnsafePath,
		"broken.zip":                     ErrMalformed,
		"truncated.zip":                  ErrMalformed,
		"broken.gz!/broken":              ErrMalformed,
	}
	for name, kind := range rejected {
		if !w.rejected(dir+"/"+name, kind) {
			t.Errorf("%s not rejected as %v", name, kind)
		}
	}
	if len(w.rejects) != len(rejected) {
		for _, r := range w.rejects {
			t.Logf("rejection: %v", r.Error())
		}
		t.Errorf("%d rejections, want %d", len(w.rejects), len(rejected))
	}
}

func TestArchiveLimits(t *testing.T) {
	zeros := bytes.Repeat([]byte("a"), 8<<20) // 8 MiB of one letter deflates ~1000:1
	text := bytes.Repeat([]byte("the same line of text\n"), 1<<18)
	nest := func(depth int) []byte {
		data := makeZip(t, zipEntry{name: "leaf.txt", data: []byte("leaf\n")})
		for i := 1; i < depth; i++ {
			data = makeZip(t, zipEntry{name: "n.zip", data: data})
		}
		return data
	}
	many := make([]zipEntry, 30)
	for i := range many {
		many[i] = zipEntry{name: "f" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".txt", data: []byte("x\n")}
	}
	tests := []struct {
		name    string
		file    string
		data    []byte
		opts    Options
		items   int
		rejPath string
		kind    error
	}{
		{name: "ratio bomb", file: "bomb.zip", data: makeZip(t, zipEntry{name: "zeros.txt", data: zeros}), rejPath: "bomb.zip!/zeros.txt", kind: ErrBomb},
		{name: "gzip ratio bomb", file: "bomb.txt.gz", data: gz(t, zeros), rejPath: "bomb.txt.gz!/bomb.txt", kind: ErrBomb},
		{name: "expanded cap", file: "big.zip", data: makeZip(t, zipEntry{name: "a.txt", data: text}, zipEntry{name: "b.txt", data: text}),
			opts: Options{MaxArchiveExpanded: 8 << 20, MaxArchiveRatio: 10000}, items: 1, rejPath: "big.zip!/b.txt", kind: ErrBomb},
		{name: "entry cap", file: "entry.zip", data: makeZip(t, zipEntry{name: "a.txt", data: text}),
			opts: Options{MaxArchiveEntrySize: 1 << 20, MaxArchiveRatio: 10000}, rejPath: "entry.zip!/a.txt", kind: ErrTooLarge},
		{name: "stored entry cap", file: "stored.zip", data: makeZip(t, zipEntry{name: "a.csv", data: append([]byte("a\n"), text...), store: true}),
			opts: Options{MaxArchiveEntrySize: 1 << 20}, items: 1, rejPath: "stored.zip!/a.csv", kind: ErrTooLarge},
		{name: "depth ok", file: "d4.zip", data: nest(4), items: 1},
		{name: "too deep", file: "d5.zip", data: nest(5), rejPath: "d5.zip!/n.zip!/n.zip!/n.zip!/n.zip", kind: ErrTooDeep},
		{name: "too many entries", file: "many.zip", data: makeZip(t, many...), opts: Options{MaxArchiveEntries: 20}, rejPath: "many.zip", kind: ErrTooManyEntries},
		{name: "document cap", file: "doc.txt", data: text, opts: Options{MaxFileSize: 1 << 20}, rejPath: "doc.txt", kind: ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeFile(t, dir, tc.file, tc.data)
			w := walkAll(t, p, tc.opts)
			if len(w.items) != tc.items {
				t.Errorf("%d items %v, want %d", len(w.items), w.paths(), tc.items)
			}
			// A CSV cut short by a limit reports it as a row-stream rejection.
			for path, rejs := range w.rowErrs {
				for _, r := range rejs {
					w.rejects = append(w.rejects, Rejection{Path: path, Err: r.Err, Reason: r.Reason})
				}
			}
			if tc.kind != nil && !w.rejected(filepath.Join(dir, tc.rejPath), tc.kind) {
				t.Errorf("%s not rejected as %v: %v", tc.rejPath, tc.kind, w.rejects)
			}
			if tc.kind == nil && len(w.rejects) != 0 {
				t.Errorf("rejections %v", w.rejects)
			}
		})
	}
}

func TestWalkStops(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.txt", "b.txt", "c.txt"} {
		writeFile(t, dir, n, []byte(n+"\n"))
	}
	boom := errors.New("store full")
	n := 0
	err := Walk(context.Background(), dir, Options{}, func(Item) error {
		n++
		if n == 2 {
			return boom
		}
		return nil
	}, func(Rejection) {})
	if !errors.Is(err, boom) || n != 2 {
		t.Errorf("emit error: err %v after %d items", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Walk(ctx, dir, Options{}, func(Item) error { t.Error("emitted after cancel"); return nil }, func(Rejection) {})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk returned %v", err)
	}
}

func TestCleanEntryName(t *testing.T) {
	ok := map[string]string{"a.txt": "a.txt", "d/e/f.csv": "d/e/f.csv", "./x.txt": "x.txt", "a//b.txt": "a/b.txt"}
	for in, want := range ok {
		if got, why := cleanEntryName(in); got != want || why != "" {
			t.Errorf("cleanEntryName(%q) = %q, %q; want %q", in, got, why, want)
		}
	}
	for _, bad := range []string{"", "../x", "a/../../x", "/abs", `c:\x`, "C:/x", `a\b`, "x\x00y", "..", "a/..", "q!/r"} {
		if got, why := cleanEntryName(bad); why == "" {
			t.Errorf("cleanEntryName(%q) = %q accepted", bad, got)
		}
	}
}

// TestLyingZipSizes patches the sizes a ZIP declares: reading must fail
// cleanly (the bytes read are counted, never the declared sizes).
func TestLyingZipSizes(t *testing.T) {
	text := bytes.Repeat([]byte("line of text\n"), 10000)
	data := makeZip(t, zipEntry{name: "a.txt", data: text})
	// The central directory record starts with PK\x01\x02; the
	// uncompressed size is at offset 24 from there, the local header's at 22.
	cd := bytes.LastIndex(data, []byte("PK\x01\x02"))
	lied := bytes.Clone(data)
	copy(lied[cd+24:], []byte{10, 0, 0, 0}) // claims 10 bytes
	dir := t.TempDir()
	w := walkAll(t, writeFile(t, dir, "lie.zip", lied), Options{})
	if len(w.items) != 0 || !w.rejected(filepath.Join(dir, "lie.zip!/a.txt"), ErrMalformed) {
		t.Errorf("items %v rejections %v", w.paths(), w.rejects)
	}
	// Claiming a huge size does not make Walk allocate or refuse: the
	// real content is read and checked against the CRC.
	big := bytes.Clone(data)
	copy(big[cd+24:], []byte{0xff, 0xff, 0xff, 0x7f})
	w = walkAll(t, writeFile(t, dir, "big.zip", big), Options{})
	if len(w.items) != 0 || len(w.rejects) != 1 {
		t.Errorf("items %v rejections %v", w.paths(), w.rejects)
	}
}

func TestNewsCorpus(t *testing.T) {
	dir := shareddata.Path(t, "corpus/news")
	w := walkAll(t, dir, Options{})
	if len(w.rejects) != 0 {
		t.Errorf("rejections: %v", w.rejects)
	}
	if len(w.items) < 5 {
		t.Fatalf("%d items", len(w.items))
	}
	for _, it := range w.items {
		if it.Doc == nil || it.Doc.Title == "" || len(it.Doc.Text) < 500 || it.Format != FormatText {
			t.Errorf("%s: not a titled text document", it.Path)
		}
		if strings.HasSuffix(it.Path, "000_acd89e220af594d6.txt") && it.Doc.Published.Format("2006-01-02 15:04") != "2016-04-27 08:35" {
			t.Errorf("%s: published %v, want the date under the headline", it.Path, it.Doc.Published)
		}
	}
}

// TestOverlappingZip points two directory records at one entry's data,
// the trick of non-recursive zip bombs.
func TestOverlappingZip(t *testing.T) {
	data := makeZip(t, zipEntry{name: "a.txt", data: []byte("alpha alpha alpha\n")}, zipEntry{name: "b.txt", data: []byte("beta\n")})
	second := bytes.LastIndex(data, []byte("PK\x01\x02"))
	bomb := bytes.Clone(data)
	copy(bomb[second+42:], []byte{0, 0, 0, 0}) // b.txt's local header offset := a.txt's
	dir := t.TempDir()
	w := walkAll(t, writeFile(t, dir, "overlap.zip", bomb), Options{})
	if len(w.items) != 0 || !w.rejected(filepath.Join(dir, "overlap.zip"), ErrBomb) {
		t.Errorf("items %v rejections %v", w.paths(), w.rejects)
	}
	w = walkAll(t, writeFile(t, dir, "fine.zip", data), Options{})
	if len(w.items) != 2 || len(w.rejects) != 0 {
		t.Errorf("items %v rejections %v", w.paths(), w.rejects)
	}
}

// TestWalkCancelInside cancels from inside emit, in the middle of a row
// stream: the stream and the walk end with the context's error.
func TestWalkCancelInside(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.csv", []byte("n\n"+strings.Repeat("1\n", 10000)))
	writeFile(t, dir, "b.txt", []byte("never read\n"))
	ctx, cancel := context.WithCancel(context.Background())
	items, rows := 0, 0
	var rowErr error
	err := Walk(ctx, dir, Options{}, func(it Item) error {
		items++
		for {
			_, err := it.Rows.Next()
			if err != nil {
				rowErr = err
				return err
			}
			if rows++; rows == 10 {
				cancel()
			}
		}
	}, func(r Rejection) { t.Errorf("rejection %v", r.Error()) })
	if !errors.Is(err, context.Canceled) || !errors.Is(rowErr, context.Canceled) || items != 1 || rows >= 10000 {
		t.Errorf("err %v, row err %v, %d items, %d rows", err, rowErr, items, rows)
	}
}

// TestWalkReader: an upload read from memory is walked as the same bytes
// in a file of its name would be, named as its sender named it.
func TestWalkReader(t *testing.T) {
	data := makeZip(t,
		zipEntry{name: "reports/a.txt", data: []byte("Ana Lima met Bo Chen.")},
		zipEntry{name: "records/travel.csv", data: []byte("id,name\n1,Ana Lima\n")},
		zipEntry{name: "bad.pdf", data: []byte("%PDF-1.4 not really")})
	var paths []string
	var rejects []Rejection
	err := WalkReader(context.Background(), bytes.NewReader(data), int64(len(data)), "uploads/batch.zip", Options{},
		func(it Item) error { paths = append(paths, it.Path); return nil },
		func(r Rejection) { rejects = append(rejects, r) })
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 2 {
		t.Fatalf("items %v: want the report and the records", paths)
	}
	fromDisk := walkAll(t, writeFile(t, t.TempDir(), "batch.zip", data), Options{})
	if len(paths) != len(fromDisk.items) || len(rejects) != len(fromDisk.rejects) {
		t.Fatalf("from memory: items %v, rejections %v; from disk: items %v, rejections %v", paths, rejects, fromDisk.paths(), fromDisk.rejects)
	}
	for _, p := range paths {
		if !strings.HasPrefix(p, "uploads/batch.zip!/") {
			t.Errorf("item %q is not named after the upload", p)
		}
	}
	for _, r := range rejects {
		if !strings.HasPrefix(r.Path, "uploads/batch.zip!/") {
			t.Errorf("rejection %+v is not named after the upload", r)
		}
	}
}
