package format

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/mosaic-intel/mosaic"
)

// PDF text comes from github.com/ledongthuc/pdf, a fork of rsc.io/pdf. It
// reads ordinary PDFs well but signals malformed input by panicking, and
// follows object references without cycle checks (a page tree or /Prev
// chain that refers to itself loops for ever). It is therefore run behind
// guards:
//   - recover turns any panic into a rejection;
//   - every read goes through a budget (pdfReadBudget times the file size):
//     the library re-reads objects from the file on every reference, so a
//     reference cycle exhausts the budget and fails instead of spinning;
//   - the page tree is walked here, bounded in depth and page count, and
//     fonts are gathered here with bounded /Parent walks, so the library's
//     unbounded walks are never used;
//   - before parsing, every Flate stream is inflated once with a cap
//     (pdfMaxStream per stream, pdfMaxInflate in all), rejecting
//     decompression bombs inside PDFs;
//   - extracted text is capped at the input's MaxFileSize.
const (
	pdfReadBudget = 64
	pdfMaxStream  = 64 << 20
	pdfMaxInflate = 512 << 20
	pdfMaxDepth   = 64
)

var pdfInfoKeys = []string{"Title", "Author", "Subject", "Keywords", "Creator", "Producer", "CreationDate", "ModDate"}

// ExtractPDF extracts the text and info of a PDF in this process, behind
// the guards described above. It is what Walk uses unless Options.PDF is
// set; a sandbox child process calls it too.
func ExtractPDF(raw []byte, o Options) (*Document, error) {
	d, err := pdfDocument(raw, o.withDefaults())
	if err != nil {
		return nil, err
	}
	d.Raw, d.ID = raw, mosaic.DocumentID(raw)
	return d, nil
}

// pdfDocument extracts the text and info of a PDF.
func pdfDocument(raw []byte, o Options) (doc *Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("%w: PDF parser failed: %v", ErrMalformed, r)
		}
	}()
	if !bytes.HasPrefix(raw, []byte("%PDF-")) {
		return nil, fmt.Errorf("%w: not a PDF (no %%PDF- header)", ErrMalformed)
	}
	if bytes.HasPrefix(raw, []byte("%PDF-2")) {
		return nil, fmt.Errorf("%w: PDF 2.0 is not supported by the PDF reader", ErrUnsupported)
	}
	if err := checkPDFStreams(raw); err != nil {
		return nil, err
	}
	ra := &budgetReaderAt{r: bytes.NewReader(raw), left: pdfReadBudget*int64(len(raw)) + 4<<20}
	r, err := pdf.NewReader(ra, int64(len(raw)))
	if err != nil {
		if ra.spent() {
			return nil, fmt.Errorf("%w: PDF structure refers to itself (read budget exhausted)", ErrMalformed)
		}
		if strings.Contains(err.Error(), "encrypt") || strings.Contains(err.Error(), "password") {
			return nil, fmt.Errorf("%w: encrypted PDF: %v", ErrUnsupported, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	meta := map[string]string{}
	info := r.Trailer().Key("Info")
	for _, k := range pdfInfoKeys {
		if v := info.Key(k); v.Kind() == pdf.String {
			if s := strings.TrimSpace(cleanText(v.Text())); s != "" {
				meta[k] = shorten(s, 2000)
			}
		}
	}
	pages := pdfPages(r.Trailer().Key("Root").Key("Pages"), o.MaxPDFPages)
	ligatures := strings.NewReplacer("\ufb00", "ff", "\ufb01", "fi", "\ufb02", "fl", "\ufb03", "ffi", "\ufb04", "ffl", "\ufb05", "st", "\ufb06", "st")
	var b strings.Builder
	failed := 0
	var firstErr error
	for _, p := range pages {
		if ra.spent() {
			return nil, fmt.Errorf("%w: PDF structure refers to itself (read budget exhausted)", ErrMalformed)
		}
		t, err := pdfPageText(p)
		if err != nil {
			failed++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		t = strings.TrimSpace(ligatures.Replace(cleanText(t)))
		if t == "" {
			continue
		}
		if int64(b.Len()+len(t)) > o.MaxFileSize {
			return nil, fmt.Errorf("%w: PDF text exceeds %d bytes", ErrTooLarge, o.MaxFileSize)
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(t)
	}
	if len(pages) > 0 && failed == len(pages) {
		return nil, fmt.Errorf("%w: no page could be read: %v", ErrMalformed, firstErr)
	}
	if failed > 0 {
		meta["parse-warning"] = fmt.Sprintf("%d of %d pages could not be read: %v", failed, len(pages), firstErr)
	}
	meta["pages"] = fmt.Sprint(len(pages))
	text := b.String()
	if text != "" {
		text += "\n"
	}
	d := &Document{Text: text, MediaType: "application/pdf", Meta: meta, Title: shorten(meta["Title"], maxTitleRunes)}
	if d.Title == "" {
		d.Title = firstLineTitle(text)
	}
	if t, ok := pdfDate(meta["CreationDate"]); ok {
		d.Published = t
	}
	return d, nil
}

// pdfPageText returns the text of one page. It interprets the content
// stream itself (the library's GetPlainText glues words together in most
// TeX and office output, which position words instead of writing
// spaces): a line break where the text line moves vertically (Td, TD, Tm,
// T*, ', "), a space where it moves along the line or where a TJ array
// kerns by more than a fifth of an em.
func pdfPageText(p pdf.Page) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("page: %v", r)
		}
	}()
	contents := p.V.Key("Contents")
	if contents.IsNull() {
		return "", nil
	}
	fonts := pdfFonts(p)
	var enc pdf.TextEncoding
	w := &pdfTextWriter{}
	var y float64
	show := func(v pdf.Value) {
		s := v.RawString()
		if enc != nil {
			s = enc.Decode(s)
		}
		w.text(s)
	}
	interpret := func(strm pdf.Value) {
		pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
			args := make([]pdf.Value, stk.Len())
			for i := len(args) - 1; i >= 0; i-- {
				args[i] = stk.Pop()
			}
			switch op {
			case "Tf":
				enc = nil
				if len(args) == 2 {
					if f, ok := fonts[args[0].Name()]; ok {
						enc = f.Encoder()
					}
				}
			case "Td", "TD":
				if len(args) == 2 {
					ty := args[1].Float64()
					y += ty
					if ty > 0.01 || ty < -0.01 {
						w.newline()
					} else if args[0].Float64() != 0 {
						w.space()
					}
				}
			case "Tm":
				if len(args) == 6 {
					ny := args[5].Float64()
					if d := ny - y; d > 0.5 || d < -0.5 {
						w.newline()
					} else {
						w.space()
					}
					y = ny
				}
			case "T*":
				w.newline()
			case "'", "\"":
				w.newline()
				if len(args) > 0 {
					show(args[len(args)-1])
				}
			case "Tj":
				if len(args) == 1 {
					show(args[0])
				}
			case "TJ":
				if len(args) == 1 {
					a := args[0]
					for i := 0; i < a.Len() && i < 1<<20; i++ {
						switch x := a.Index(i); x.Kind() {
						case pdf.String:
							show(x)
						case pdf.Integer, pdf.Real:
							if x.Float64() < -200 {
								w.space()
							}
						}
					}
				}
			}
		})
	}
	if contents.Kind() == pdf.Array { // several content streams, read as one
		for i := 0; i < contents.Len() && i < 10000; i++ {
			interpret(contents.Index(i))
		}
	} else {
		interpret(contents)
	}
	return w.b.String(), nil
}

// pdfTextWriter joins shown strings with the spaces and line breaks that
// positioning implies, never doubling them.
type pdfTextWriter struct {
	b       strings.Builder
	pending byte // ' ' or '\n' owed before the next text
}

func (w *pdfTextWriter) space() {
	if w.pending == 0 {
		w.pending = ' '
	}
}

func (w *pdfTextWriter) newline() { w.pending = '\n' }

func (w *pdfTextWriter) text(s string) {
	if s == "" {
		return
	}
	if w.pending != 0 && w.b.Len() > 0 {
		last := w.b.String()[w.b.Len()-1]
		if !(w.pending == ' ' && (last == ' ' || last == '\n' || s[0] == ' ')) {
			w.b.WriteByte(w.pending)
		}
	}
	w.pending = 0
	w.b.WriteString(s)
}

// pdfPages walks the page tree depth-first, bounded in depth, in nodes
// visited and in pages, so a tree that refers to itself ends.
func pdfPages(root pdf.Value, maxPages int) []pdf.Page {
	var out []pdf.Page
	visits := 0
	var walk func(v pdf.Value, depth int)
	walk = func(v pdf.Value, depth int) {
		if depth > pdfMaxDepth || len(out) >= maxPages || visits > 4*maxPages+1000 {
			return
		}
		visits++
		switch v.Key("Type").Name() {
		case "Page":
			out = append(out, pdf.Page{V: v})
		case "Pages", "":
			kids := v.Key("Kids")
			if kids.Kind() != pdf.Array {
				if v.Key("Contents").Kind() != pdf.Null { // a page without /Type
					out = append(out, pdf.Page{V: v})
				}
				return
			}
			for i := 0; i < kids.Len() && len(out) < maxPages; i++ {
				walk(kids.Index(i), depth+1)
			}
		}
	}
	walk(root, 0)
	return out
}

// pdfFonts gathers the fonts of a page's (possibly inherited) resources
// with a bounded walk up the /Parent chain.
func pdfFonts(p pdf.Page) map[string]*pdf.Font {
	fonts := map[string]*pdf.Font{}
	v := p.V
	for i := 0; i < pdfMaxDepth && !v.IsNull(); i++ {
		if res := v.Key("Resources"); !res.IsNull() {
			fv := res.Key("Font")
			for _, name := range fv.Keys() {
				fonts[name] = &pdf.Font{V: fv.Key(name)}
			}
			break
		}
		v = v.Key("Parent")
	}
	return fonts
}

// checkPDFStreams inflates every zlib stream in the file once, with caps,
// and rejects decompression bombs before the parser meets them.
func checkPDFStreams(raw []byte) error {
	var total int64
	rest := raw
	for {
		i := bytes.Index(rest, []byte("stream"))
		if i < 0 {
			return nil
		}
		rest = rest[i+len("stream"):]
		if i >= 3 && bytes.HasSuffix(raw[:len(raw)-len(rest)-len("stream")], []byte("end")) {
			continue
		}
		data := rest
		if bytes.HasPrefix(data, []byte("\r\n")) {
			data = data[2:]
		} else if bytes.HasPrefix(data, []byte("\n")) || bytes.HasPrefix(data, []byte("\r")) {
			data = data[1:]
		} else {
			continue
		}
		if len(data) < 2 || data[0]&0x0f != 8 || (uint16(data[0])<<8|uint16(data[1]))%31 != 0 {
			continue // not a zlib header
		}
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			continue
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(zr, pdfMaxStream+1))
		if n > pdfMaxStream {
			return fmt.Errorf("%w: a PDF stream inflates beyond %d bytes", ErrBomb, pdfMaxStream)
		}
		if total += n; total > pdfMaxInflate {
			return fmt.Errorf("%w: PDF streams inflate beyond %d bytes in all", ErrBomb, int64(pdfMaxInflate))
		}
	}
}

// pdfDate parses a PDF date, "D:YYYYMMDDHHmmSSOHH'mm'".
func pdfDate(s string) (time.Time, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	if len(s) < 4 {
		return time.Time{}, false
	}
	s = strings.ReplaceAll(s, "'", "")
	layouts := []string{"20060102150405-0700", "20060102150405Z0700", "20060102150405Z", "20060102150405", "200601021504", "2006010215", "20060102", "200601", "2006"}
	for _, l := range layouts {
		if len(s) >= len(l)-5 {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

var errBudget = errors.New("pdf read budget exhausted")

// budgetReaderAt fails reads once left bytes have been read.
type budgetReaderAt struct {
	r    io.ReaderAt
	left int64
}

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if b.left <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.ReadAt(p, off)
	b.left -= int64(n)
	return n, err
}

func (b *budgetReaderAt) spent() bool { return b.left <= 0 }
