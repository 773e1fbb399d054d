package format

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CSV follows RFC 4180: fields separated by commas, records by LF or CRLF,
// fields optionally quoted with '"' (quotes doubled inside; delimiters and
// line breaks allowed; CRLF inside quotes becomes LF). The first record is
// the header. A record is rejected, and reading goes on at the next line,
// when it has a bare quote in an unquoted field, text after a closing
// quote, a different number of fields from the header, invalid UTF-8, a
// NUL byte, or more than MaxLineSize bytes. An unterminated quote runs to
// the end of the file (or of MaxLineSize), as in every CSV reader: the
// rejection names the line where it opened. Blank lines are skipped.
//
// TSV is read as IANA text/tab-separated-values: fields separated by tabs,
// no quoting (quotes are data), no escapes.

// maxColumns caps the columns of a CSV/TSV header.
const maxColumns = 10_000

type csvState int

const (
	stFieldStart csvState = iota
	stUnquoted
	stQuoted
	stQuoteInQuoted
)

type csvParser struct {
	rr      *rowReader
	delim   byte
	quoting bool
	special [256]bool // bytes that end a run in an unquoted field
	rec     []byte    // field bytes of the current record
	ends    []int     // end of each field in rec
	ncols   int
	columns []string

	fieldStart int  // where the current field starts in rec
	overflow   bool // the record is over MaxLineSize: stop storing it
	quoteLine  int  // line where the current quoted field opened
}

func newCSVParser(rr *rowReader, delim byte, quoting bool) *csvParser {
	p := &csvParser{rr: rr, delim: delim, quoting: quoting}
	p.special[delim] = true
	p.special['\n'] = true
	p.special['\r'] = true
	if quoting {
		p.special['"'] = true
	}
	return p
}

// newCSVSource reads the header and returns the row source, or a
// rejection of the whole file.
func newCSVSource(ctx context.Context, r io.Reader, path string, f Format, maxLine int64) (*RowSource, *Rejection) {
	rr := newRowReader(r, path, maxLine)
	delim, quoting := byte(','), true
	if f == FormatTSV {
		delim, quoting = '\t', false
	}
	p := newCSVParser(rr, delim, quoting)
	_, _, rj, err := p.record()
	switch {
	case err == io.EOF:
		return nil, &Rejection{Path: path, Offset: -1, Reason: "empty file: no header row", Err: ErrEmpty}
	case err != nil:
		return nil, rr.fatal(err)
	case rj != nil:
		rj.Reason = "bad header row: " + rj.Reason
		return nil, rj
	}
	if len(p.ends) > maxColumns {
		return nil, &Rejection{Path: path, Line: 1, Offset: 0, Reason: fmt.Sprintf("header has %d columns, more than %d", len(p.ends), maxColumns), Err: ErrTooLarge}
	}
	p.columns = columnNames(p.fields(p.rec, p.ends))
	p.ncols = len(p.columns)
	return &RowSource{ctx: ctx, path: path, format: f, columns: p.columns, charset: rr.charset, next: p.next}, nil
}

// columnNames trims header names, names empty ones "column_N" and makes
// repeated ones unique with a "_2", "_3" suffix.
func columnNames(raw []string) []string {
	seen := make(map[string]bool, len(raw))
	out := make([]string, len(raw))
	for i, c := range raw {
		c = strings.TrimSpace(c)
		if c == "" {
			c = "column_" + strconv.Itoa(i+1)
		}
		base := c
		for n := 2; seen[c]; n++ {
			c = base + "_" + strconv.Itoa(n)
		}
		seen[c] = true
		out[i] = c
	}
	return out
}

func (p *csvParser) next() (Row, error) {
	line, off, rj, err := p.record()
	if err != nil {
		if err == io.EOF {
			return Row{}, io.EOF
		}
		return Row{}, p.rr.fatal(err)
	}
	if rj != nil {
		return Row{}, rj
	}
	if len(p.ends) != p.ncols {
		return Row{}, p.rr.reject(line, off, ErrMalformed, "row has %d fields, the header has %d", len(p.ends), p.ncols)
	}
	rec := p.rec
	if p.rr.win1252 {
		// Re-slice the fields of the decoded record.
		ends := p.ends
		dec := make([]byte, 0, len(rec)+len(rec)/8)
		start := 0
		for i, e := range ends {
			dec = append(dec, decode1252(rec[start:e])...)
			start = e
			ends[i] = len(dec)
		}
		rec = dec
	} else if !utf8.Valid(rec) {
		return Row{}, p.rr.reject(line, off, ErrEncoding, "invalid UTF-8 in field %q", p.columns[p.badField(rec, func(b []byte) bool { return !utf8.Valid(b) })])
	}
	if bytes.IndexByte(rec, 0) >= 0 {
		return Row{}, p.rr.reject(line, off, ErrEncoding, "NUL byte in field %q", p.columns[p.badField(rec, func(b []byte) bool { return bytes.IndexByte(b, 0) >= 0 })])
	}
	s := string(rec) // one allocation; fields are substrings of it
	fields := make(map[string]string, p.ncols)
	start := 0
	for i, e := range p.ends {
		fields[p.columns[i]] = s[start:e]
		start = e
	}
	return Row{Line: line, Offset: off, Fields: fields}, nil
}

func (p *csvParser) badField(rec []byte, bad func([]byte) bool) int {
	start := 0
	for i, e := range p.ends {
		if bad(rec[start:e]) {
			return i
		}
		start = e
	}
	return 0
}

func (p *csvParser) fields(rec []byte, ends []int) []string {
	out := make([]string, len(ends))
	start := 0
	for i, e := range ends {
		f := rec[start:e]
		if p.rr.win1252 {
			f = decode1252(f)
		}
		out[i] = strings.ToValidUTF8(string(f), "\uFFFD")
		start = e
	}
	return out
}

// record reads one record into p.rec and p.ends. It returns the line and
// offset where the record starts, a rejection for a malformed record (the
// rest of its line consumed), or io.EOF / a read error.
func (p *csvParser) record() (line int, off int64, rj *Rejection, err error) {
	rr := p.rr
	for {
		p.rec, p.ends, p.fieldStart, p.overflow = p.rec[:0], p.ends[:0], 0, false
		line, off = rr.line, rr.off
		state := stFieldStart
		bad := ""     // reason, once the record is known to be malformed
		blank := true // only line-break bytes so far
		for {
			chunkLine := rr.line
			chunk, ended, rerr := rr.chunk()
			atEOF := false
			if rerr == io.EOF {
				if blank {
					return line, off, nil, io.EOF
				}
				ended, atEOF = true, true
			} else if rerr != nil {
				return line, off, nil, rerr
			}
			if blank && !isLineBreak(chunk) {
				blank = false
			}
			if !p.overflow && rr.off-off > rr.maxLine {
				p.overflow = true
				p.rec, p.ends = p.rec[:0], p.ends[:0]
			}
			done := false
			if bad == "" {
				state, done, bad = p.scan(chunk, state, chunkLine)
			}
			if !ended {
				continue
			}
			if bad != "" || done {
				break
			}
			// The line ended inside a field.
			lastLF := len(chunk) > 0 && chunk[len(chunk)-1] == '\n'
			if state == stQuoted {
				if atEOF || !lastLF {
					bad = "unterminated quoted field (opened on line " + strconv.Itoa(p.quoteLine) + ")"
					break
				}
				continue // a quoted line break: the record goes on
			}
			// The file ends without a final line break: close the last field.
			p.endField()
			break
		}
		if blank {
			continue
		}
		switch {
		case p.overflow:
			return line, off, rr.reject(line, off, ErrLineTooLong, "record longer than %d bytes", rr.maxLine), nil
		case bad != "":
			return line, off, rr.reject(line, off, ErrMalformed, "%s", bad), nil
		}
		return line, off, nil, nil
	}
}

func isLineBreak(b []byte) bool {
	for _, c := range b {
		if c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func (p *csvParser) add(b []byte) {
	if !p.overflow {
		p.rec = append(p.rec, b...)
	}
}

func (p *csvParser) endField() {
	if !p.overflow {
		p.ends = append(p.ends, len(p.rec))
		p.fieldStart = len(p.rec)
	}
}

// scan runs the CSV state machine over one chunk (at most one physical
// line, ending with '\n' unless the line goes on or the file ends). It
// reports done when an unquoted line break ended the record, and a reason
// when the record is malformed.
func (p *csvParser) scan(chunk []byte, state csvState, chunkLine int) (csvState, bool, string) {
	n := len(chunk)
	for i := 0; i < n; i++ {
		switch state {
		case stFieldStart:
			if chunk[i] == '"' && p.quoting {
				state = stQuoted
				p.quoteLine = chunkLine
				continue
			}
			state = stUnquoted
			fallthrough
		case stUnquoted:
			j := i
			for j < n && !p.special[chunk[j]] {
				j++
			}
			p.add(chunk[i:j])
			if j == n {
				return state, false, ""
			}
			i = j
			switch chunk[i] {
			case p.delim:
				p.endField()
				state = stFieldStart
			case '\n':
				if !p.overflow && len(p.rec) > p.fieldStart && p.rec[len(p.rec)-1] == '\r' {
					p.rec = p.rec[:len(p.rec)-1] // CR of a CRLF split across chunks
				}
				p.endField()
				return stFieldStart, true, ""
			case '\r':
				if i+1 < n && chunk[i+1] == '\n' {
					continue // the LF ends the record
				}
				p.add(chunk[i : i+1])
			case '"':
				return state, false, `bare " in an unquoted field (quote the field and double the quote)`
			}
		case stQuoted:
			j := bytes.IndexByte(chunk[i:], '"')
			if j < 0 {
				seg := chunk[i:]
				if len(seg) >= 2 && seg[len(seg)-2] == '\r' && seg[len(seg)-1] == '\n' {
					p.add(seg[:len(seg)-2])
					p.add([]byte{'\n'})
				} else {
					p.add(seg)
				}
				return state, false, ""
			}
			p.add(chunk[i : i+j])
			i += j
			state = stQuoteInQuoted
		case stQuoteInQuoted:
			switch chunk[i] {
			case '"':
				p.add(chunk[i : i+1])
				state = stQuoted
			case p.delim:
				p.endField()
				state = stFieldStart
			case '\n':
				p.endField()
				return stFieldStart, true, ""
			case '\r':
				// the CR of the CRLF that ends the record
			default:
				return state, false, "text after a closing quote in field " + strconv.Itoa(len(p.ends)+1)
			}
		}
	}
	return state, false, ""
}
