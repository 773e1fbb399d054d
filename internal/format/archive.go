package format

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// budget is shared by a top-level archive and everything nested in it.
type budget struct {
	expanded int64 // bytes produced by decompression
	entries  int
	spent    bool // the expansion budget ran out: stop reading the archive
}

// limitError is a read error caused by a limit.
type limitError struct {
	kind error
	msg  string
}

func (e *limitError) Error() string { return e.msg }
func (e *limitError) Unwrap() error { return e.kind }

// isFormatError reports whether err says the data is corrupt.
func isFormatError(err error) bool {
	var ce flate.CorruptInputError
	return errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) ||
		errors.Is(err, gzip.ErrChecksum) || errors.Is(err, tar.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &ce)
}

// enter checks that src may hold n more entries one level deeper and
// returns the budget they share.
func (w *walker) enter(src *source, n int) (*budget, bool) {
	if src.depth+1 > w.o.MaxArchiveDepth {
		w.rejectf(src.display, ErrTooDeep, "archive nested more than %d deep", w.o.MaxArchiveDepth)
		return nil, false
	}
	b := src.budget
	if b == nil {
		b = &budget{}
	}
	if b.entries+n > w.o.MaxArchiveEntries {
		w.rejectf(src.display, ErrTooManyEntries, "%d entries would pass the limit of %d per archive", b.entries+n, w.o.MaxArchiveEntries)
		return nil, false
	}
	b.entries += n
	return b, true
}

// container reads a ZIP, tar or gzip input.
func (w *walker) container(src *source, k kind, br *bufio.Reader) error {
	switch k {
	case kindZip:
		ra, size, cleanup, err := w.randomAccess(src, br)
		if err != nil {
			if cerr := w.ctx.Err(); cerr != nil {
				return cerr
			}
			w.rejectErr(src.display, err)
			return nil
		}
		defer cleanup()
		zr, err := zip.NewReader(ra, size)
		if err != nil {
			w.rejectf(src.display, ErrMalformed, "corrupt ZIP archive: %v", err)
			return nil
		}
		return w.zip(src, zr)
	case kindTar:
		return w.tar(src, br, src.display)
	}
	return w.gzip(src, br)
}

// randomAccess returns src as an io.ReaderAt: directly for disk files,
// else spooled to memory (up to 16 MiB) or to a temporary file, up to
// MaxFileSize.
func (w *walker) randomAccess(src *source, r io.Reader) (io.ReaderAt, int64, func(), error) {
	if src.ra != nil && src.size >= 0 {
		return src.ra, src.size, func() {}, nil
	}
	const inMemory = 16 << 20
	max := w.o.MaxFileSize
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(&ctxReader{ctx: w.ctx, r: r}, inMemory+1))
	if err != nil {
		return nil, 0, nil, err
	}
	if n <= inMemory {
		return bytes.NewReader(buf.Bytes()), n, func() {}, nil
	}
	f, err := os.CreateTemp(w.o.TempDir, "mosaic-archive-*")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%w: cannot spool nested archive: %v", ErrIO, err)
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	if _, err := f.Write(buf.Bytes()); err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("%w: cannot spool nested archive: %v", ErrIO, err)
	}
	m, err := io.Copy(f, io.LimitReader(&ctxReader{ctx: w.ctx, r: r}, max-n+1))
	if err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	if n+m > max {
		cleanup()
		return nil, 0, nil, &limitError{kind: ErrTooLarge, msg: fmt.Sprintf("nested archive larger than the %d-byte limit", max)}
	}
	return f, n + m, cleanup, nil
}

func (w *walker) zip(src *source, zr *zip.Reader) error {
	files := slices.Clone(zr.File)
	slices.SortStableFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	b, ok := w.enter(src, len(files))
	if !ok {
		return nil
	}
	if why := zipOverlap(files); why != "" {
		w.rejectf(src.display, ErrBomb, "%s", why)
		return nil
	}
	seen := make(map[string]bool, len(files))
	for i, f := range files {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if b.spent {
			w.rejectf(src.display, ErrBomb, "expansion limit of %d bytes reached; %d remaining entries not read", w.o.MaxArchiveExpanded, len(files)-i)
			return nil
		}
		name, why := cleanEntryName(f.Name)
		display := src.display + "!/" + strings.ToValidUTF8(f.Name, "\uFFFD")
		if why != "" {
			w.rejectf(display, ErrUnsafePath, "unsafe entry name: %s", why)
			continue
		}
		mode := f.Mode()
		switch {
		case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
			continue
		case mode&fs.ModeSymlink != 0:
			w.rejectf(display, ErrNotRegular, "symbolic link in archive, not followed")
			continue
		case !mode.IsRegular():
			w.rejectf(display, ErrNotRegular, "not a regular file (%v)", mode.Type())
			continue
		case f.Flags&1 != 0:
			w.rejectf(display, ErrUnsupported, "encrypted entry")
			continue
		case seen[name]:
			w.rejectf(display, ErrMalformed, "duplicate entry name")
			continue
		}
		seen[name] = true
		display = src.display + "!/" + strings.ToValidUTF8(name, "\uFFFD")
		rc, err := f.Open()
		if err != nil {
			if errors.Is(err, zip.ErrAlgorithm) {
				w.rejectf(display, ErrUnsupported, "unsupported compression method %d", f.Method)
			} else {
				w.rejectf(display, ErrMalformed, "corrupt entry: %v", err)
			}
			continue
		}
		// Stored entries are metered too: they cannot expand, but they
		// count towards the bytes one archive may produce.
		var r io.Reader = &inflateMeter{r: rc, b: b, o: w.o, compressed: int64(f.CompressedSize64)}
		r = &entryCap{r: r, max: w.o.MaxArchiveEntrySize}
		err = w.dispatch(&source{display: display, name: name, r: r, size: -1, depth: src.depth + 1, budget: b})
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// zipOverlap reports entries whose data overlap: the trick of
// non-recursive zip bombs, where many entries share one compressed kernel.
func zipOverlap(files []*zip.File) string {
	type span struct {
		start, end int64
		name       string
	}
	spans := make([]span, 0, len(files))
	for _, f := range files {
		if f.CompressedSize64 == 0 {
			continue
		}
		off, err := f.DataOffset()
		if err != nil {
			continue // reading the entry will fail and reject it
		}
		spans = append(spans, span{off, off + int64(f.CompressedSize64), f.Name})
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	for i := 1; i < len(spans); i++ {
		if spans[i].start < spans[i-1].end {
			return fmt.Sprintf("entries %q and %q share compressed data (an overlapping-entry zip bomb)",
				strings.ToValidUTF8(spans[i-1].name, "\uFFFD"), strings.ToValidUTF8(spans[i].name, "\uFFFD"))
		}
	}
	return ""
}

// tar reads a tar stream (uncompressed, or from a gzip stream).
func (w *walker) tar(src *source, r io.Reader, display string) error {
	b, ok := w.enter(src, 0)
	if !ok {
		return nil
	}
	tr := tar.NewReader(r)
	seen := map[string]bool{}
	for {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if w.ctx.Err() != nil {
				return w.ctx.Err()
			}
			kind := ErrMalformed
			var le *limitError
			if errors.As(err, &le) {
				kind = le.kind
			}
			w.rejectf(display, kind, "tar archive: reading stopped: %v", err)
			return nil
		}
		if b.entries++; b.entries > w.o.MaxArchiveEntries {
			w.rejectf(display, ErrTooManyEntries, "more than %d entries; the rest not read", w.o.MaxArchiveEntries)
			return nil
		}
		name, why := cleanEntryName(hdr.Name)
		ed := display + "!/" + strings.ToValidUTF8(hdr.Name, "\uFFFD")
		if why != "" {
			w.rejectf(ed, ErrUnsafePath, "unsafe entry name: %s", why)
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeReg, '\x00': // '\x00' is the old-style regular file
		case tar.TypeDir:
			continue
		case tar.TypeSymlink, tar.TypeLink:
			w.rejectf(ed, ErrNotRegular, "link in archive (to %q), not followed", hdr.Linkname)
			continue
		default:
			w.rejectf(ed, ErrNotRegular, "not a regular file (tar type %q)", hdr.Typeflag)
			continue
		}
		if seen[name] {
			w.rejectf(ed, ErrMalformed, "duplicate entry name")
			continue
		}
		seen[name] = true
		ed = display + "!/" + strings.ToValidUTF8(name, "\uFFFD")
		if hdr.Size == 0 {
			w.rejectf(ed, ErrEmpty, "empty file")
			continue
		}
		err = w.dispatch(&source{display: ed, name: name, r: &entryCap{r: tr, max: w.o.MaxArchiveEntrySize}, size: -1, depth: src.depth + 1, budget: b})
		if err != nil {
			return err
		}
		if b.spent {
			w.rejectf(display, ErrBomb, "expansion limit of %d bytes reached; the rest not read", w.o.MaxArchiveExpanded)
			return nil
		}
	}
}

// gzip reads a gzip stream: a tar inside (.tar.gz, .tgz) is walked as
// one archive; any other content as one entry named without ".gz".
func (w *walker) gzip(src *source, r io.Reader) error {
	if src.depth+1 > w.o.MaxArchiveDepth {
		w.rejectf(src.display, ErrTooDeep, "archive nested more than %d deep", w.o.MaxArchiveDepth)
		return nil
	}
	b := src.budget
	if b == nil {
		b = &budget{}
	}
	cr := &countReader{r: r}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		w.rejectf(src.display, ErrMalformed, "corrupt gzip data: %v", err)
		return nil
	}
	defer zr.Close()
	m := &inflateMeter{r: zr, b: b, o: w.o, counter: cr}
	inner := src.name
	lower := strings.ToLower(inner)
	switch {
	case strings.HasSuffix(lower, ".tgz"):
		inner = inner[:len(inner)-4] + ".tar"
	case strings.HasSuffix(lower, ".gz"):
		inner = inner[:len(inner)-3]
	default:
		inner += ".out"
	}
	br := bufio.NewReaderSize(m, rowBufSize)
	head, _ := br.Peek(sniffLen)
	if strings.HasSuffix(strings.ToLower(inner), ".tar") || magicKind(head) == kindTar {
		nested := *src
		nested.budget = b
		return w.tar(&nested, br, src.display)
	}
	nb := b
	if nb.entries++; nb.entries > w.o.MaxArchiveEntries {
		w.rejectf(src.display, ErrTooManyEntries, "more than %d entries", w.o.MaxArchiveEntries)
		return nil
	}
	inner = path.Base(inner)
	return w.dispatch(&source{display: src.display + "!/" + inner, name: inner, r: &entryCap{r: br, max: w.o.MaxArchiveEntrySize}, size: -1, depth: src.depth + 1, budget: nb})
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// inflateMeter counts decompressed bytes against the archive budget and
// checks the compression ratio against the compressed bytes consumed
// (counter) or, for ZIP entries, the compressed size (which bounds what
// the ZIP reader will consume).
type inflateMeter struct {
	r          io.Reader
	b          *budget
	o          Options
	compressed int64
	counter    *countReader
	n          int64
	err        error
}

func (m *inflateMeter) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	n, err := m.r.Read(p)
	m.n += int64(n)
	m.b.expanded += int64(n)
	comp := m.compressed
	if m.counter != nil {
		comp = m.counter.n
	}
	switch {
	case m.b.expanded > m.o.MaxArchiveExpanded:
		m.b.spent = true
		m.err = &limitError{kind: ErrBomb, msg: fmt.Sprintf("archive expands beyond %d bytes", m.o.MaxArchiveExpanded)}
	case m.n > m.o.RatioFloor && float64(m.n) > m.o.MaxArchiveRatio*float64(max(comp, 1)):
		m.err = &limitError{kind: ErrBomb, msg: fmt.Sprintf("compression ratio above %.0f:1 (%d bytes from %d)", m.o.MaxArchiveRatio, m.n, comp)}
	}
	if m.err != nil {
		return 0, m.err
	}
	return n, err
}

// entryCap fails reads past max bytes.
type entryCap struct {
	r   io.Reader
	max int64
	n   int64
}

func (c *entryCap) Read(p []byte) (int, error) {
	if c.n > c.max {
		return 0, &limitError{kind: ErrTooLarge, msg: fmt.Sprintf("archive entry larger than %d bytes", c.max)}
	}
	if int64(len(p)) > c.max-c.n+1 {
		p = p[:c.max-c.n+1]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return 0, &limitError{kind: ErrTooLarge, msg: fmt.Sprintf("archive entry larger than %d bytes", c.max)}
	}
	return n, err
}
