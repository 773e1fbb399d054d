package format

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/mosaic-intel/mosaic"
)

// Walk reads path (a file, a directory recursively, or an archive,
// recursing into nested archives and e-mail attachments) and calls emit for
// every item in a deterministic order: directory entries and ZIP entries
// sorted by name, tar entries and attachments in stored order. Bad input
// never stops the walk: each problem is passed to reject with where and
// why, and the rest goes on. Only ctx cancellation or an emit error stops
// it; Walk then returns that error.
//
// Symbolic links are followed for path itself and for files met in a
// directory walk; symbolic links to directories met in a walk are rejected
// (they may loop).
func Walk(ctx context.Context, path string, opts Options, emit func(Item) error, reject func(Rejection)) error {
	w := &walker{ctx: ctx, o: opts.withDefaults(), emit: emit, reject: reject}
	fi, err := os.Stat(path)
	if err != nil {
		w.rejectf(path, ErrIO, "%v", pathErr(err))
		return nil
	}
	if fi.IsDir() {
		return w.dir(path)
	}
	return w.file(path, fi)
}

// WalkReader reads one input of size bytes from r, as Walk reads a file,
// naming it display in items and rejections: an upload, named as its
// sender named it. Archives in it are walked as on disk.
func WalkReader(ctx context.Context, r io.ReaderAt, size int64, display string, opts Options, emit func(Item) error, reject func(Rejection)) error {
	w := &walker{ctx: ctx, o: opts.withDefaults(), emit: emit, reject: reject}
	return w.dispatch(&source{display: display, name: path.Base(display), r: io.NewSectionReader(r, 0, size), ra: r, size: size})
}

type walker struct {
	ctx    context.Context
	o      Options
	emit   func(Item) error
	reject func(Rejection)
}

func (w *walker) rejectf(p string, kind error, format string, args ...any) {
	w.reject(Rejection{Path: p, Offset: -1, Reason: fmt.Sprintf(format, args...), Err: kind})
}

func (w *walker) rejectErr(p string, err error) {
	var rj *Rejection
	if errors.As(err, &rj) {
		r := *rj
		if r.Path == "" {
			r.Path = p
		}
		w.reject(r)
		return
	}
	kind := ErrMalformed
	if name := KindOf(err); name != "" {
		kind = KindNamed(name)
	}
	var le *limitError
	if errors.As(err, &le) {
		kind = le.kind
	}
	w.rejectf(p, kind, "%v", err)
}

func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (w *walker) dir(dir string) error {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		w.rejectf(dir, ErrIO, "cannot read directory: %v", pathErr(err))
		if len(entries) == 0 {
			return nil
		}
	}
	for _, e := range entries {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		p := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(p)
		if err != nil {
			w.rejectf(p, ErrIO, "%v", pathErr(err))
			continue
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			target, err := os.Stat(p)
			if err != nil {
				w.rejectf(p, ErrNotRegular, "broken symbolic link: %v", pathErr(err))
				continue
			}
			if target.IsDir() {
				w.rejectf(p, ErrNotRegular, "symbolic link to a directory, not followed")
				continue
			}
			fi = target
		}
		switch {
		case fi.IsDir():
			err = w.dir(p)
		case fi.Mode().IsRegular():
			err = w.file(p, fi)
		default:
			w.rejectf(p, ErrNotRegular, "not a regular file (%v)", fi.Mode().Type())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) file(p string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		w.rejectf(p, ErrNotRegular, "not a regular file (%v)", fi.Mode().Type())
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		w.rejectf(p, ErrIO, "%v", pathErr(err))
		return nil
	}
	defer f.Close()
	return w.dispatch(&source{display: p, name: filepath.Base(p), r: f, ra: f, size: fi.Size()})
}

// source is one input: a file on disk or an entry of an archive.
type source struct {
	display string
	name    string
	r       io.Reader
	ra      io.ReaderAt // random access when available (disk files, spooled data)
	size    int64       // size when known (ra != nil), else -1
	depth   int         // archive nesting: 0 on disk
	budget  *budget     // of the top-level archive; nil on disk
}

// dispatch detects the kind of src and reads it.
func (w *walker) dispatch(src *source) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if src.ra == nil {
		src.size = -1
	}
	if src.size == 0 {
		w.rejectf(src.display, ErrEmpty, "empty file")
		return nil
	}
	br := bufio.NewReaderSize(src.r, rowBufSize)
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		w.rejectErr(src.display, err)
		return nil
	}
	if len(head) == 0 {
		w.rejectf(src.display, ErrEmpty, "empty file")
		return nil
	}
	k, reason, kindErr := detect(src.name, head)
	if kindErr != nil {
		w.rejectf(src.display, kindErr, "%s", reason)
		return nil
	}
	if !k.container() && !k.tabular() && k != kindPDF && len(head) < sniffLen && isBlank(string(head)) {
		w.rejectf(src.display, ErrEmpty, "empty file (only white space)")
		return nil
	}
	switch {
	case k.container():
		return w.container(src, k, br)
	case k.tabular():
		return w.rows(src, k, br)
	}
	raw, err := w.readAll(src, br)
	if err != nil {
		if cerr := w.ctx.Err(); cerr != nil {
			return cerr
		}
		w.rejectErr(src.display, err)
		return nil
	}
	return w.document(src, k, raw)
}

// readAll reads a document whole, up to MaxFileSize.
func (w *walker) readAll(src *source, r io.Reader) ([]byte, error) {
	max := w.o.MaxFileSize
	if src.size > max {
		return nil, &limitError{kind: ErrTooLarge, msg: fmt.Sprintf("file is %d bytes, more than the %d-byte limit for documents", src.size, max)}
	}
	var buf bytes.Buffer
	if src.size > 0 {
		buf.Grow(int(src.size))
	}
	n, err := io.Copy(&buf, io.LimitReader(&ctxReader{ctx: w.ctx, r: r}, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, &limitError{kind: ErrTooLarge, msg: fmt.Sprintf("file is more than the %d-byte limit for documents", max)}
	}
	return buf.Bytes(), nil
}

// ctxReader fails reads once ctx is done, so long copies stop promptly.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (w *walker) document(src *source, k kind, raw []byte) error {
	var doc *Document
	var atts []attachment
	switch k {
	case kindText:
		doc = textDocument(raw)
	case kindMarkdown:
		doc = markdownDocument(raw)
	case kindHTML:
		doc = htmlDocument(raw)
	case kindEmail:
		res, err := emailDocument(raw)
		if err != nil {
			w.rejectErr(src.display, err)
			return nil
		}
		doc, atts = res.doc, res.attachments
	case kindPDF:
		var d *Document
		var err error
		if w.o.PDF != nil {
			d, err = w.o.PDF(w.ctx, raw)
			if err != nil && w.ctx.Err() != nil {
				return w.ctx.Err()
			}
		} else {
			d, err = pdfDocument(raw, w.o)
		}
		if err != nil {
			w.rejectErr(src.display, err)
			return nil
		}
		doc = d
	default:
		w.rejectf(src.display, ErrUnknownFormat, "unknown format")
		return nil
	}
	doc.Raw = raw
	doc.ID = mosaic.DocumentID(raw)
	doc.Path = src.display
	if err := w.send(Item{Path: src.display, Format: kindFormats[k], Doc: doc}); err != nil {
		return err
	}
	if len(atts) == 0 {
		return nil
	}
	b, ok := w.enter(src, len(atts))
	if !ok {
		return nil
	}
	for _, a := range atts {
		err := w.dispatch(&source{
			display: src.display + "!/" + a.name, name: a.name,
			r: bytes.NewReader(a.data), ra: bytes.NewReader(a.data), size: int64(len(a.data)),
			depth: src.depth + 1, budget: b,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// send emits an item; an emit error stops the walk.
func (w *walker) send(it Item) error {
	if err := w.emit(it); err != nil {
		return fmt.Errorf("emit %s: %w", it.Path, err)
	}
	return nil
}

func (w *walker) rows(src *source, k kind, r io.Reader) error {
	r = &ctxReader{ctx: w.ctx, r: r}
	var rs *RowSource
	if k == kindJSONL {
		rs = newJSONLSource(w.ctx, r, src.display, w.o.MaxLineSize)
	} else {
		var rj *Rejection
		rs, rj = newCSVSource(w.ctx, r, src.display, kindFormats[k], w.o.MaxLineSize)
		if rj != nil {
			if err := w.ctx.Err(); err != nil {
				return err
			}
			w.reject(*rj)
			return nil
		}
	}
	return w.send(Item{Path: src.display, Format: kindFormats[k], Rows: rs})
}

// cleanEntryName checks an archive entry name and returns it cleaned, or a
// reason it is unsafe: absolute paths, drive letters, backslashes, ".."
// elements, NUL bytes and "!/" (the display separator) are refused.
func cleanEntryName(name string) (string, string) {
	switch {
	case name == "":
		return "", "empty entry name"
	case strings.ContainsRune(name, 0):
		return "", "NUL byte in entry name"
	case strings.Contains(name, `\`):
		return "", `backslash in entry name (Windows path)`
	case strings.HasPrefix(name, "/"):
		return "", "absolute path"
	case len(name) >= 2 && name[1] == ':':
		return "", "drive-letter path"
	case strings.Contains("/"+name+"/", "/../"):
		return "", "path climbs out of the archive (..)"
	}
	c := path.Clean(name)
	if !fs.ValidPath(c) || c == "." {
		return "", "not a clean relative path"
	}
	if strings.Contains(c, "!/") {
		return "", `"!/" in entry name`
	}
	return c, ""
}
