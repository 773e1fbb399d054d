package format

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// JSON Lines: one JSON object a line (LF or CRLF). Blank lines are
// skipped. A line is rejected, and reading goes on with the next, when it
// is not valid JSON, not an object, not valid UTF-8, or longer than
// MaxLineSize. When a key repeats, the last value wins (a null removes it).

type jsonlParser struct {
	rr   *rowReader
	line []byte
	keys map[string]string // interned keys, by their quoted form
}

func newJSONLSource(ctx context.Context, r io.Reader, path string, maxLine int64) *RowSource {
	rr := newRowReader(r, path, maxLine)
	p := &jsonlParser{rr: rr, keys: map[string]string{}}
	return &RowSource{ctx: ctx, path: path, format: FormatJSONL, charset: rr.charset, next: p.next}
}

// readLine reads one physical line, keeping at most maxLine bytes of it.
func (p *jsonlParser) readLine() (line int, off int64, tooLong bool, err error) {
	rr := p.rr
	p.line = p.line[:0]
	line, off = rr.line, rr.off
	for {
		chunk, ended, err := rr.chunk()
		if err != nil {
			return line, off, false, err
		}
		if !tooLong {
			if int64(len(p.line)+len(chunk)) > rr.maxLine+2 { // +2: the line break is not content
				tooLong = true
				p.line = p.line[:0]
			} else {
				p.line = append(p.line, chunk...)
			}
		}
		if ended {
			return line, off, tooLong, nil
		}
	}
}

func (p *jsonlParser) next() (Row, error) {
	rr := p.rr
	for {
		line, off, tooLong, err := p.readLine()
		if err == io.EOF {
			return Row{}, io.EOF
		}
		if err != nil {
			return Row{}, rr.fatal(err)
		}
		if tooLong {
			return Row{}, rr.reject(line, off, ErrLineTooLong, "line longer than %d bytes", rr.maxLine)
		}
		b := bytes.TrimSpace(p.line)
		if len(b) == 0 {
			continue
		}
		if rr.win1252 {
			b = decode1252(b)
		} else if !utf8.Valid(b) {
			return Row{}, rr.reject(line, off, ErrEncoding, "invalid UTF-8")
		}
		fields, reason, at := parseJSONObject(b, p.keys)
		if reason != "" {
			if at >= 0 {
				off += int64(at)
			}
			return Row{}, rr.reject(line, off, ErrMalformed, "%s", reason)
		}
		return Row{Line: line, Offset: off, Fields: fields}, nil
	}
}

// parseJSONObject decodes one JSON object into flat fields. It returns a
// reason (and the offset within b, or -1) when b is not a JSON object.
// json.Valid checks the syntax first; the object is then split by a small
// scanner that knows its input is valid, which is several times faster
// than decoding into a map with encoding/json.
func parseJSONObject(b []byte, keys map[string]string) (map[string]string, string, int) {
	if !json.Valid(b) {
		var v any
		err := json.Unmarshal(b, &v)
		if err == nil {
			return nil, "invalid JSON", -1
		}
		return nil, "invalid JSON: " + err.Error(), syntaxOffset(err)
	}
	if b[0] != '{' {
		return nil, "not a JSON object", 0
	}
	line := string(b) // one allocation; plain string values are substrings of it
	fields := make(map[string]string, 8)
	i := skipWS(b, 1)
	if b[i] == '}' {
		return fields, "", -1
	}
	for {
		i = skipWS(b, i)
		kEnd := stringEnd(b, i)
		key, ok := keys[string(b[i:kEnd])] // interned: no allocation for known keys
		if !ok {
			if key, ok = jsonString(b[i:kEnd]); !ok {
				return nil, "invalid JSON string key", i
			}
			if keys != nil && len(keys) < 4096 {
				keys[string(b[i:kEnd])] = key
			}
		}
		i = skipWS(b, kEnd)
		i = skipWS(b, i+1) // ':'
		vEnd := valueEnd(b, i)
		v := b[i:vEnd]
		switch v[0] {
		case 'n': // null: left out
			delete(fields, key)
		case '"':
			if plainJSONString(v) {
				fields[key] = line[i+1 : vEnd-1]
				break
			}
			s, ok := jsonString(v)
			if !ok {
				return nil, "invalid JSON string in " + strconv.Quote(key), i
			}
			fields[key] = s
		case '{', '[':
			var buf bytes.Buffer
			if err := json.Compact(&buf, v); err != nil {
				return nil, "invalid JSON in " + strconv.Quote(key), i
			}
			fields[key] = buf.String()
		default: // number, true, false
			fields[key] = line[i:vEnd]
		}
		i = skipWS(b, vEnd)
		if b[i] == '}' {
			return fields, "", -1
		}
		i++ // ','
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the valid JSON string starting at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index after the valid JSON value starting at i.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

// jsonString unquotes a valid JSON string literal.
func jsonString(v []byte) (string, bool) {
	if s, ok := simpleJSONString(v); ok {
		return s, true
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", false
	}
	return s, true
}

// plainJSONString reports whether v is a JSON string literal without
// escapes, whose content is its bytes between the quotes.
func plainJSONString(v []byte) bool {
	if len(v) < 2 || v[len(v)-1] != '"' {
		return false
	}
	for _, c := range v[1 : len(v)-1] {
		if c == '\\' || c == '"' || c < 0x20 {
			return false
		}
	}
	return true
}

// simpleJSONString unquotes a JSON string without escapes.
func simpleJSONString(v []byte) (string, bool) {
	if len(v) < 2 || v[len(v)-1] != '"' {
		return "", false
	}
	in := v[1 : len(v)-1]
	for _, c := range in {
		if c == '\\' || c == '"' || c < 0x20 {
			return "", false
		}
	}
	return string(in), true
}

func syntaxOffset(err error) int {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return int(se.Offset)
	}
	return -1
}
