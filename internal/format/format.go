// Package format turns bytes on disk into documents and rows, safely.
//
// Walk reads a file, a directory (recursively) or an archive (recursing into
// nested archives and e-mail attachments) and hands every item it finds to a
// callback: a Document for text-like files (plain text, Markdown, HTML,
// e-mail, PDF) or a RowSource for tabular files (CSV, TSV, JSON Lines).
//
// # Bad input
//
// Bad input never stops a walk. Every problem (an empty file, an unknown or
// binary format, a malformed CSV row, invalid UTF-8, an over-long line, a
// corrupt or hostile archive) becomes a *Rejection naming the path, the line
// or byte offset where known, and the reason; the walk goes on with the next
// item. Rejection.Err holds one of the sentinel errors in errors.go so that
// callers can count rejections by kind with errors.Is. No input makes the
// package panic: third-party parsers (the PDF reader) run behind recover and
// resource budgets, and every parser has a fuzz target.
//
// # Limits
//
// Options caps what one input may cost: the size of a document held in
// memory, the size of one CSV record or JSON line, and for archives the
// total expanded size, the size of one entry, the compression ratio, the
// nesting depth and the number of entries. Sizes are counted on the bytes
// actually produced while streaming; sizes declared in archive headers are
// never trusted.
//
// # Concurrency
//
// Walk is synchronous: it calls emit and reject on the calling goroutine,
// one item at a time, in a deterministic order. A RowSource is valid only
// during the emit call that delivered it (it streams from an open file or
// archive entry); it is not safe for concurrent use.
package format

import (
	"context"
	"strconv"
	"strings"

	"github.com/mosaic-intel/mosaic"
)

// Format names the format of an emitted item.
type Format string

// Item formats.
const (
	FormatCSV      Format = "csv"
	FormatTSV      Format = "tsv"
	FormatJSONL    Format = "jsonl"
	FormatText     Format = "text"
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
	FormatEmail    Format = "email"
	FormatPDF      Format = "pdf"
)

// Document is a text document read from an input. Walk fills ID (the hash
// of Raw), Path, Title, Text, MediaType, Published (when known), Meta and
// Raw; the caller fills Source, Observed and Marking.
type Document = mosaic.Document

// Meta keys set on documents besides the format-specific ones (e-mail
// headers, HTML meta names, PDF info keys).
const (
	// MetaCharset is the text encoding the document was decoded from:
	// "utf-8", "utf-16le", "utf-16be", "windows-1252", or a charset named
	// by the document itself (HTML meta, MIME parameter).
	MetaCharset = "charset"
	// MetaCharsetGuessed is "true" when the charset was not declared and
	// the bytes were not valid UTF-8, so Windows-1252 was assumed.
	MetaCharsetGuessed = "charset-guessed"
)

// Item is one thing found by Walk: a document or a source of rows.
type Item struct {
	// Path is the display path: the file path as reached from the walked
	// path, with "!/" separating an archive (or e-mail) from its entry,
	// e.g. "batch.zip!/reports/a.txt".
	Path   string
	Format Format
	// Doc is set for text-like formats.
	Doc *Document
	// Rows is set for tabular formats. It is valid only during the emit
	// call that delivered it.
	Rows *RowSource
}

// Options limits what Walk will read. A zero field takes its value from
// DefaultOptions.
type Options struct {
	// MaxFileSize is the largest document held in memory whole (text,
	// HTML, e-mail, PDF) and the largest nested archive spooled for
	// random access.
	MaxFileSize int64
	// MaxLineSize is the largest CSV/TSV record (quoted newlines
	// included) or JSON line. Longer ones are rejected without being
	// held in memory.
	MaxLineSize int64
	// MaxArchiveExpanded caps the bytes produced by decompression (and
	// by stored ZIP entries) within one top-level archive, nested
	// archives included.
	MaxArchiveExpanded int64
	// MaxArchiveEntrySize caps one archive entry, however it is used.
	MaxArchiveEntrySize int64
	// MaxArchiveRatio caps the expanded/compressed ratio of one
	// compressed entry or stream; it is checked once the entry has
	// produced more than RatioFloor bytes.
	MaxArchiveRatio float64
	// RatioFloor is the expanded size below which the ratio is not
	// checked (tiny, highly compressible files are harmless).
	RatioFloor int64
	// MaxArchiveDepth is how deep archives (and e-mail attachments) may
	// nest: 1 allows an archive but no archive inside it.
	MaxArchiveDepth int
	// MaxArchiveEntries caps the entries within one top-level archive,
	// nested archives included.
	MaxArchiveEntries int
	// MaxPDFPages caps the pages read from one PDF.
	MaxPDFPages int
	// TempDir is where nested archives too big to spool in memory are
	// written while they are read; "" means os.TempDir().
	TempDir string
	// PDF, when set, extracts PDF text in place of the in-process
	// ExtractPDF, e.g. (*pdfsandbox.Sandbox).Extract, which runs it in a
	// memory- and time-limited child process. Its errors should wrap one
	// of the sentinel errors.
	PDF func(ctx context.Context, raw []byte) (*Document, error)
}

// DefaultOptions returns the default limits.
func DefaultOptions() Options {
	return Options{
		MaxFileSize:         128 << 20,
		MaxLineSize:         1 << 20,
		MaxArchiveExpanded:  4 << 30,
		MaxArchiveEntrySize: 1 << 30,
		MaxArchiveRatio:     100,
		RatioFloor:          1 << 20,
		MaxArchiveDepth:     4,
		MaxArchiveEntries:   100_000,
		MaxPDFPages:         5_000,
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	orDefault(&o.MaxFileSize, d.MaxFileSize)
	orDefault(&o.MaxLineSize, d.MaxLineSize)
	orDefault(&o.MaxArchiveExpanded, d.MaxArchiveExpanded)
	orDefault(&o.MaxArchiveEntrySize, d.MaxArchiveEntrySize)
	orDefault(&o.MaxArchiveRatio, d.MaxArchiveRatio)
	orDefault(&o.RatioFloor, d.RatioFloor)
	orDefault(&o.MaxArchiveDepth, d.MaxArchiveDepth)
	orDefault(&o.MaxArchiveEntries, d.MaxArchiveEntries)
	orDefault(&o.MaxPDFPages, d.MaxPDFPages)
	return o
}

// orDefault sets *v to d when *v is zero or negative.
func orDefault[T int | int64 | float64](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Rejection reports one piece of input that was not read: a whole file or
// archive entry (Line 0), or one row of a tabular file.
type Rejection struct {
	Path   string // display path, as in Item.Path
	Line   int    // 1-based line where the problem starts; 0 if not line-based
	Offset int64  // byte offset of the problem (of the row's start for rows); -1 if unknown
	Reason string // what is wrong, for people
	Err    error  // one of the sentinel errors (ErrMalformed, ErrTooLarge, ...)
}

// Error formats the rejection as "path:line: reason (byte N)".
func (r *Rejection) Error() string {
	var b strings.Builder
	b.WriteString(r.Path)
	if r.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(r.Line))
	}
	b.WriteString(": ")
	b.WriteString(r.Reason)
	if r.Offset >= 0 && (r.Line > 0 || r.Offset > 0) {
		b.WriteString(" (byte ")
		b.WriteString(strconv.FormatInt(r.Offset, 10))
		b.WriteByte(')')
	}
	return b.String()
}

// Unwrap returns the sentinel error naming the kind of rejection.
func (r *Rejection) Unwrap() error { return r.Err }
