package format

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Row is one record of a tabular file.
type Row struct {
	// Line is the 1-based line where the record starts (the header of a
	// CSV file is line 1).
	Line int
	// Offset is the byte offset where the record starts: in the file for
	// UTF-8 and Windows-1252 input, in the decoded UTF-8 stream for UTF-16.
	Offset int64
	// Fields maps column names to values. For CSV/TSV the columns are the
	// header's; for JSON Lines the top-level keys, with strings unquoted,
	// numbers and booleans as written, objects and arrays as compact JSON
	// text, and null values left out.
	Fields map[string]string
}

// RowSource streams the rows of one tabular file. Next returns the rows
// one at a time; a malformed row yields a *Rejection error for that row
// and the next call goes on with the following row. Only the current
// record is held in memory, and never more than MaxLineSize of it.
//
// A RowSource is valid only during the emit call that delivered it.
type RowSource struct {
	ctx     context.Context
	path    string
	format  Format
	columns []string
	charset string
	next    func() (Row, error)
	done    bool
	rows    int
}

// Format returns the file's format.
func (s *RowSource) Format() Format { return s.format }

// Columns returns the CSV/TSV header's column names (nil for JSON Lines).
// Empty names become "column_N" and repeated ones get a "_2", "_3" suffix.
func (s *RowSource) Columns() []string { return s.columns }

// Charset returns the text encoding the rows are read in: "utf-8",
// "utf-16le", "utf-16be", or "windows-1252" when the start of the file was
// not valid UTF-8.
func (s *RowSource) Charset() string { return s.charset }

// Next returns the next row. At the end it returns io.EOF. A malformed row
// returns a *Rejection (errors.As) and iteration may go on; a read error
// that ends the file early is also returned as a *Rejection, followed by
// io.EOF. Cancellation of the walk's context returns its error.
func (s *RowSource) Next() (Row, error) {
	if s.done {
		return Row{}, io.EOF
	}
	if s.rows++; s.rows&1023 == 0 {
		if err := s.ctx.Err(); err != nil {
			s.done = true
			return Row{}, err
		}
	}
	r, err := s.next()
	if err != nil && !errors.Is(err, io.EOF) {
		if cerr := s.ctx.Err(); cerr != nil {
			s.done = true // the read failed because the walk was cancelled
			return Row{}, cerr
		}
	}
	if err != nil {
		var rj *Rejection
		if !errors.As(err, &rj) || rj.Line == 0 {
			s.done = true // EOF, or the stream itself failed
		}
	}
	return r, err
}

// All returns an iterator over the rows and the row rejections. It stops
// at the end of the file, or after yielding an error that is not a row
// rejection.
func (s *RowSource) All() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for {
			r, err := s.Next()
			if err == io.EOF {
				return
			}
			if !yield(r, err) {
				return
			}
			if err != nil && s.done {
				return
			}
		}
	}
}

// rowReader is the stream under a RowSource: a buffered reader that counts
// lines and offsets and reads physical lines in chunks.
type rowReader struct {
	br      *bufio.Reader
	path    string
	off     int64 // offset of the next unread byte
	line    int   // number of the line the next byte is on
	maxLine int64
	win1252 bool
	charset string
}

const rowBufSize = 64 << 10

// newRowReader sniffs the encoding of a tabular stream: a byte-order mark
// selects UTF-8 or UTF-16; otherwise the first 64 KiB decide between UTF-8
// and Windows-1252.
func newRowReader(r io.Reader, path string, maxLine int64) *rowReader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < rowBufSize {
		br = bufio.NewReaderSize(r, rowBufSize)
	}
	rr := &rowReader{br: br, path: path, line: 1, maxLine: maxLine, charset: "utf-8"}
	head, _ := br.Peek(rowBufSize)
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		_, _ = br.Discard(3)
		rr.off = 3
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		order, cs := xunicode.LittleEndian, "utf-16le"
		if head[0] == 0xfe {
			order, cs = xunicode.BigEndian, "utf-16be"
		}
		dec := xunicode.UTF16(order, xunicode.ExpectBOM).NewDecoder()
		rr.br = bufio.NewReaderSize(transform.NewReader(br, dec), rowBufSize)
		rr.charset = cs
	default:
		if !validUTF8Prefix(head) {
			rr.win1252, rr.charset = true, "windows-1252"
		}
	}
	return rr
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing an
// incomplete rune at the very end (the sample may cut one).
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
		if utf8.Valid(b[:len(b)-i]) && !utf8.FullRune(b[len(b)-i:]) {
			return true
		}
	}
	return false
}

// chunk returns the next piece of the current physical line: up to and
// including '\n', or a buffer-full piece of a longer line, or the last
// bytes before EOF. ended reports whether the piece ends the line.
func (r *rowReader) chunk() (b []byte, ended bool, err error) {
	b, err = r.br.ReadSlice('\n')
	r.off += int64(len(b))
	switch {
	case err == nil:
		r.line++
		return b, true, nil
	case errors.Is(err, bufio.ErrBufferFull):
		return b, false, nil
	case errors.Is(err, io.EOF):
		if len(b) == 0 {
			return nil, true, io.EOF
		}
		return b, true, nil
	}
	return b, true, err
}

func (r *rowReader) reject(line int, off int64, kind error, format string, args ...any) *Rejection {
	return &Rejection{Path: r.path, Line: line, Offset: off, Reason: fmt.Sprintf(format, args...), Err: kind}
}

// fatal converts a read error that ends the stream into a rejection.
func (r *rowReader) fatal(err error) *Rejection {
	var rj *Rejection
	if errors.As(err, &rj) {
		return &Rejection{Path: r.path, Offset: r.off, Reason: "reading stopped: " + rj.Reason, Err: rj.Err}
	}
	kind := ErrIO
	var le *limitError
	if errors.As(err, &le) {
		kind = le.kind
	} else if errors.Is(err, ErrMalformed) || isFormatError(err) {
		kind = ErrMalformed
	}
	return &Rejection{Path: r.path, Offset: r.off, Reason: "reading stopped: " + err.Error(), Err: kind}
}

// decode1252 decodes Windows-1252 bytes to UTF-8.
func decode1252(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		if c < 0x80 {
			out = append(out, c)
		} else {
			out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(c))
		}
	}
	return out
}
