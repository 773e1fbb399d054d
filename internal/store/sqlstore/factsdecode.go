package sqlstore

import (
	"strconv"
	"unicode/utf8"
)

// A hand-written reader for what appendFacts and appendFields write: every
// stage of the pipeline reads the facts of every item, and encoding/json's
// reflection was the largest part of that. It reads exactly what
// encoding/json would into the same structs, or reports that it cannot
// (a \u escape, invalid UTF-8, null, a key it does not know or sees twice,
// a number in a form the encoder never writes, ...), and then the caller
// falls back on encoding/json, which also gives the errors: so for every
// input the result is encoding/json's (FuzzCompactMatchesJSON checks it).
// Strings without escapes are slices of the input, not copies.

type jsonReader struct {
	s string
	i int
}

func (r *jsonReader) ws() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// lit consumes c (after any white space).
func (r *jsonReader) lit(c byte) bool {
	r.ws()
	if r.i < len(r.s) && r.s[r.i] == c {
		r.i++
		return true
	}
	return false
}

// str reads a string.
func (r *jsonReader) str() (string, bool) {
	if !r.lit('"') {
		return "", false
	}
	start := r.i
	var buf []byte // set once an escape is seen
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			out := r.s[start:r.i]
			if buf != nil {
				out = string(append(buf, out...))
			}
			r.i++
			return out, true
		case c == '\\':
			if r.i+1 >= len(r.s) {
				return "", false
			}
			var e byte
			switch r.s[r.i+1] {
			case '"', '\\', '/':
				e = r.s[r.i+1]
			case 'b':
				e = '\b'
			case 'f':
				e = '\f'
			case 'n':
				e = '\n'
			case 'r':
				e = '\r'
			case 't':
				e = '\t'
			default: // \u and anything else: encoding/json's business
				return "", false
			}
			buf = append(append(buf, r.s[start:r.i]...), e)
			r.i += 2
			start = r.i
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			r.i++
		default:
			ru, size := utf8.DecodeRuneInString(r.s[r.i:])
			if ru == utf8.RuneError && size == 1 {
				return "", false
			}
			r.i += size
		}
	}
	return "", false
}

// number returns the next JSON number's text, and whether it is a plain
// integer (no fraction or exponent).
func (r *jsonReader) number() (tok string, integer, ok bool) {
	r.ws()
	start := r.i
	if r.i < len(r.s) && r.s[r.i] == '-' {
		r.i++
	}
	digits := func() int {
		n := 0
		for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	first := r.i
	if n := digits(); n == 0 || n > 1 && r.s[first] == '0' {
		return "", false, false
	}
	integer = true
	if r.i < len(r.s) && r.s[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return "", false, false
		}
		integer = false
	}
	if r.i < len(r.s) && (r.s[r.i] == 'e' || r.s[r.i] == 'E') {
		r.i++
		if r.i < len(r.s) && (r.s[r.i] == '+' || r.s[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return "", false, false
		}
		integer = false
	}
	return r.s[start:r.i], integer, true
}

func (r *jsonReader) int() (int, bool) {
	tok, integer, ok := r.number()
	if !ok || !integer {
		return 0, false
	}
	n, err := strconv.Atoi(tok)
	return n, err == nil
}

func (r *jsonReader) float() (float64, bool) {
	tok, _, ok := r.number()
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(tok, 64)
	return f, err == nil
}

// strs reads an array of strings.
func (r *jsonReader) strs() ([]string, bool) {
	if !r.lit('[') {
		return nil, false
	}
	out := []string{}
	if r.lit(']') {
		return out, true
	}
	for {
		s, ok := r.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if r.lit(']') {
			return out, true
		}
		if !r.lit(',') {
			return nil, false
		}
	}
}

// object reads an object, calling field for each key; field reads the
// value and returns its bit (distinct per known key), or 0 to give up. A
// key seen twice gives up too.
func (r *jsonReader) object(field func(key string) uint32) bool {
	if !r.lit('{') {
		return false
	}
	if r.lit('}') {
		return true
	}
	var seen uint32
	for {
		key, ok := r.str()
		if !ok || !r.lit(':') {
			return false
		}
		bit := field(key)
		if bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		if r.lit('}') {
			return true
		}
		if !r.lit(',') {
			return false
		}
	}
}

// array reads an array of objects, calling elem for each.
func (r *jsonReader) array(elem func() bool) bool {
	if !r.lit('[') {
		return false
	}
	if r.lit(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if r.lit(']') {
			return true
		}
		if !r.lit(',') {
			return false
		}
	}
}

// end reports whether only white space is left.
func (r *jsonReader) end() bool {
	r.ws()
	return r.i == len(r.s)
}

// strField reads a string into *dst and returns bit.
func (r *jsonReader) strField(dst *string, bit uint32) uint32 {
	s, ok := r.str()
	if !ok {
		return 0
	}
	*dst = s
	return bit
}

// optStr reads a string into a new *dst.
func (r *jsonReader) optStr(dst **string, bit uint32) uint32 {
	s, ok := r.str()
	if !ok {
		return 0
	}
	*dst = &s
	return bit
}

// optStrs reads an array of strings into a new *dst.
func (r *jsonReader) optStrs(dst **[]string, bit uint32) uint32 {
	ss, ok := r.strs()
	if !ok {
		return 0
	}
	*dst = &ss
	return bit
}

func (r *jsonReader) intField(dst *int, bit uint32) uint32 {
	n, ok := r.int()
	if !ok {
		return 0
	}
	*dst = n
	return bit
}

// readCompact reads the compact form of facts into cf, or reports false
// (see above).
func readCompact(s string, cf *compactFacts) bool {
	r := &jsonReader{s: s}
	ok := r.object(func(key string) uint32 {
		switch key {
		case "v":
			return r.intField(&cf.V, 1)
		case "m":
			cf.M = []compactMention{}
			return bitIf(r.array(func() bool {
				var m compactMention
				ok := r.object(func(key string) uint32 { return r.mention(&m, key) })
				cf.M = append(cf.M, m)
				return ok
			}), 2)
		case "s":
			cf.S = []compactStatement{}
			return bitIf(r.array(func() bool {
				var st compactStatement
				ok := r.object(func(key string) uint32 { return r.statement(&st, key) })
				cf.S = append(cf.S, st)
				return ok
			}), 4)
		case "l":
			cf.L = []compactLink{}
			return bitIf(r.array(func() bool {
				var l compactLink
				ok := r.object(func(key string) uint32 { return r.link(&l, key) })
				cf.L = append(cf.L, l)
				return ok
			}), 8)
		}
		return 0
	})
	return ok && r.end()
}

func bitIf(ok bool, bit uint32) uint32 {
	if ok {
		return bit
	}
	return 0
}

func (r *jsonReader) mention(m *compactMention, key string) uint32 {
	switch key {
	case "i":
		return r.strField(&m.I, 1)
	case "t":
		return r.strField(&m.T, 2)
	case "o":
		return r.optStr(&m.O, 4)
	case "r":
		return r.strField(&m.R, 8)
	case "c":
		return r.strField(&m.C, 16)
	case "k":
		return r.optStrs(&m.K, 32)
	}
	return 0
}

func (r *jsonReader) statement(st *compactStatement, key string) uint32 {
	switch key {
	case "i":
		return r.strField(&st.I, 1)
	case "u":
		return r.strField(&st.U, 2)
	case "t":
		return r.optStr(&st.T, 4)
	case "p":
		return r.strField(&st.P, 8)
	case "v":
		return r.strField(&st.V, 16)
	case "od":
		return r.strField(&st.OD, 32)
	case "os":
		return r.intField(&st.OS, 64)
	case "oe":
		return r.intField(&st.OE, 128)
	case "or":
		return r.strField(&st.OR, 256)
	case "of":
		return r.strField(&st.OF, 512)
	case "src":
		return r.optStr(&st.Src, 1024)
	case "k":
		return r.optStrs(&st.K, 2048)
	case "tm":
		return r.optStr(&st.TM, 4096)
	}
	return 0
}

func (r *jsonReader) link(l *compactLink, key string) uint32 {
	switch key {
	case "i":
		return r.strField(&l.I, 1)
	case "u":
		return r.strField(&l.U, 2)
	case "p":
		return r.strField(&l.P, 4)
	case "o":
		return r.strField(&l.O, 8)
	case "e":
		e, ok := r.strs()
		if !ok {
			return 0
		}
		l.E = e
		return 16
	case "ts":
		return r.optStr(&l.TS, 32)
	case "te":
		return r.optStr(&l.TE, 64)
	case "c":
		f, ok := r.float()
		if !ok {
			return 0
		}
		l.C = &f
		return 128
	case "src":
		return r.optStr(&l.Src, 256)
	case "k":
		return r.optStrs(&l.K, 512)
	}
	return 0
}

// readFields reads a record's fields (a flat object of strings, as
// appendFields writes it), or reports false.
func readFields(s string) (map[string]string, bool) {
	r := &jsonReader{s: s}
	if !r.lit('{') {
		return nil, false
	}
	out := make(map[string]string, 8)
	if r.lit('}') {
		return out, r.end()
	}
	for {
		key, ok := r.str()
		if !ok || !r.lit(':') {
			return nil, false
		}
		v, ok := r.str()
		if !ok {
			return nil, false
		}
		if _, dup := out[key]; dup {
			return nil, false
		}
		out[key] = v
		if r.lit('}') {
			return out, r.end()
		}
		if !r.lit(',') {
			return nil, false
		}
	}
}
