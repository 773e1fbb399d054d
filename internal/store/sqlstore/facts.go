package sqlstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// # The stored form of facts
//
// An item's facts are stored in items.facts as compact JSON (version 2):
// everything that repeats the item itself is left implicit and restored on
// reading. IDs derived from the item ("rec-…/m-passenger") are stored from
// their slash ("/m-passenger"), the item's own ID as "=", and an ID that
// happens to begin with '/', '=' or '~' is escaped with a leading '~'. A
// statement's or link's source, marking and time, and a mention's origin
// and marking, are written only where they differ from the item's; a
// statement's type only where it differs from its subject mention's; a
// link's end only where it differs from its start, and its confidence only
// where it is not 1. A record of three mentions, eight statements and two
// links takes about a quarter of the bytes of plain JSON, which is most of
// what a record costs to store and to read back in every stage.
//
//	{"v":2,
//	 "m":[{"i":"/m-caller","t":"Phone","r":"caller","c":"+44…"}],
//	 "s":[{"i":"/578f0fd1cdcb","u":"/m-caller","p":"name","v":"+44…","or":"=","of":"from"}],
//	 "l":[{"i":"/lnk-7218…","u":"/m-caller","p":"communicated_with","o":"/m-callee","e":["/578f…","/7815…"]}]}
//
// Facts written before version 2 (plain JSON of store.Facts) are still
// read as they are.

// factsVersion marks the compact form; older rows start with `{"mentions"`,
// `{"statements"`, `{"links"` or `{}`.
const factsVersion = `{"v":2`

// itemContext is what the compact form of an item's facts leaves implicit:
// the item's ID, source and marking, and its observed time as the store
// reads it back (UTC, microseconds).
type itemContext struct {
	id       mosaic.ID
	source   string
	marking  mosaic.Marking
	observed time.Time
}

// storedContext returns the context of an item as it will be read back
// from its stored columns.
func storedContext(id mosaic.ID, source string, marking mosaic.Marking, observed time.Time) itemContext {
	return itemContext{id: id, source: source, marking: mosaic.ParseMarking(marking.String()), observed: fromMicros(micros(observed))}
}

// appendFacts appends the compact form of f to b.
func appendFacts(b []byte, f *store.Facts, c itemContext) ([]byte, error) {
	b = append(b, factsVersion...)
	types := make(map[mosaic.ID]mosaic.EntityType, len(f.Mentions))
	if len(f.Mentions) > 0 {
		b = append(b, `,"m":[`...)
		for i, m := range f.Mentions {
			types[m.ID] = m.Type
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"i":`...)
			b = c.appendID(b, m.ID)
			b = appendField(b, "t", string(m.Type))
			if m.Origin != c.id {
				b = append(b, `,"o":`...)
				b = c.appendID(b, m.Origin)
			}
			b = appendField(b, "r", m.Role)
			b = appendField(b, "c", m.Caption)
			b = c.appendMarking(b, m.Marking)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(f.Statements) > 0 {
		b = append(b, `,"s":[`...)
		for i, s := range f.Statements {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"i":`...)
			b = c.appendID(b, s.ID)
			b = append(b, `,"u":`...)
			b = c.appendID(b, s.Subject)
			if s.Type != types[s.Subject] {
				b = append(b, `,"t":`...)
				b = appendString(b, string(s.Type))
			}
			b = appendField(b, "p", s.Prop)
			b = appendField(b, "v", s.Value)
			if o := s.Origin; o.Document != "" {
				b = append(b, `,"od":`...)
				b = c.appendID(b, o.Document)
			}
			if s.Origin.Start != 0 {
				b = append(b, `,"os":`...)
				b = strconv.AppendInt(b, int64(s.Origin.Start), 10)
			}
			if s.Origin.End != 0 {
				b = append(b, `,"oe":`...)
				b = strconv.AppendInt(b, int64(s.Origin.End), 10)
			}
			if o := s.Origin; o.Record != "" {
				b = append(b, `,"or":`...)
				b = c.appendID(b, o.Record)
			}
			b = appendField(b, "of", s.Origin.Field)
			b = c.appendSource(b, s.Source)
			b = c.appendMarking(b, s.Marking)
			b = appendTime(b, "tm", s.Time, c.observed)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(f.Links) > 0 {
		b = append(b, `,"l":[`...)
		for i, l := range f.Links {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"i":`...)
			b = c.appendID(b, l.ID)
			b = append(b, `,"u":`...)
			b = c.appendID(b, l.Subject)
			b = appendField(b, "p", l.Predicate)
			b = append(b, `,"o":`...)
			b = c.appendID(b, l.Object)
			if len(l.Evidence) > 0 {
				b = append(b, `,"e":[`...)
				for j, e := range l.Evidence {
					if j > 0 {
						b = append(b, ',')
					}
					b = c.appendID(b, e)
				}
				b = append(b, ']')
			}
			b = appendTime(b, "ts", l.Start, c.observed)
			b = appendTime(b, "te", l.End, l.Start)
			if l.Confidence != 1 {
				if math.IsNaN(l.Confidence) || math.IsInf(l.Confidence, 0) {
					return nil, fmt.Errorf("link %s: confidence %v is not a number JSON can hold", l.ID, l.Confidence)
				}
				b = append(b, `,"c":`...)
				b = strconv.AppendFloat(b, l.Confidence, 'g', -1, 64)
			}
			b = c.appendSource(b, l.Source)
			b = c.appendMarking(b, l.Marking)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendID appends id relative to the item.
func (c itemContext) appendID(b []byte, id mosaic.ID) []byte {
	s := string(id)
	switch {
	case s == string(c.id):
		return append(b, `"="`...)
	case len(s) > len(c.id) && s[len(c.id)] == '/' && s[:len(c.id)] == string(c.id):
		return appendString(b, s[len(c.id):])
	case s != "" && (s[0] == '/' || s[0] == '=' || s[0] == '~'):
		return appendString(b, "~"+s)
	}
	return appendString(b, s)
}

// absID reverses appendID.
func (c itemContext) absID(s string) mosaic.ID {
	switch {
	case s == "=":
		return c.id
	case s == "":
		return ""
	case s[0] == '/':
		return c.id + mosaic.ID(s)
	case s[0] == '~':
		return mosaic.ID(s[1:])
	}
	return mosaic.ID(s)
}

func (c itemContext) appendSource(b []byte, src string) []byte {
	if src == c.source {
		return b
	}
	b = append(b, `,"src":`...)
	return appendString(b, src)
}

func (c itemContext) appendMarking(b []byte, m mosaic.Marking) []byte {
	if m.Equal(c.marking) {
		return b
	}
	b = append(b, `,"k":[`...)
	for i, l := range m {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, l)
	}
	return append(b, ']')
}

// appendTime writes t under key unless it is exactly def ("" for the zero
// time when def is not zero).
func appendTime(b []byte, key string, t, def time.Time) []byte {
	if t.Equal(def) && t.Location() == def.Location() && t.IsZero() == def.IsZero() {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, `":"`...)
	if !t.IsZero() {
		b = t.AppendFormat(b, time.RFC3339Nano)
	}
	return append(b, '"')
}

// appendField writes a string field unless it is empty.
func appendField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

// appendFields appends a record's fields as a JSON object with sorted keys.
func appendFields(b []byte, fields map[string]string) []byte {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, fields[k])
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Like encoding/json it replaces
// invalid UTF-8 with U+FFFD; unlike it, it leaves <, > and & alone (the
// column is never embedded in HTML).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// The compact form as encoding/json decodes it. Pointers tell a field
// that is absent (take the item's value) from one that is present.
type (
	compactFacts struct {
		V int                `json:"v"`
		M []compactMention   `json:"m"`
		S []compactStatement `json:"s"`
		L []compactLink      `json:"l"`
	}
	compactMention struct {
		I string    `json:"i"`
		T string    `json:"t"`
		O *string   `json:"o"`
		R string    `json:"r"`
		C string    `json:"c"`
		K *[]string `json:"k"`
	}
	compactStatement struct {
		I   string    `json:"i"`
		U   string    `json:"u"`
		T   *string   `json:"t"`
		P   string    `json:"p"`
		V   string    `json:"v"`
		OD  string    `json:"od"`
		OS  int       `json:"os"`
		OE  int       `json:"oe"`
		OR  string    `json:"or"`
		OF  string    `json:"of"`
		Src *string   `json:"src"`
		K   *[]string `json:"k"`
		TM  *string   `json:"tm"`
	}
	compactLink struct {
		I   string    `json:"i"`
		U   string    `json:"u"`
		P   string    `json:"p"`
		O   string    `json:"o"`
		E   []string  `json:"e"`
		TS  *string   `json:"ts"`
		TE  *string   `json:"te"`
		C   *float64  `json:"c"`
		Src *string   `json:"src"`
		K   *[]string `json:"k"`
	}
)

// decodeFacts reads facts in either stored form.
func decodeFacts(data []byte, c itemContext) (*store.Facts, error) {
	return decodeFactsString(string(data), c)
}

// decodeFactsString reads facts in either stored form; the strings of the
// facts may share data's memory.
func decodeFactsString(data string, c itemContext) (*store.Facts, error) {
	if !strings.HasPrefix(data, factsVersion) {
		f := new(store.Facts)
		if err := json.Unmarshal([]byte(data), f); err != nil {
			return nil, err
		}
		return f, nil
	}
	var cf compactFacts
	if !readCompact(data, &cf) {
		cf = compactFacts{}
		if err := json.Unmarshal([]byte(data), &cf); err != nil {
			return nil, err
		}
	}
	f := &store.Facts{}
	types := make(map[mosaic.ID]mosaic.EntityType, len(cf.M))
	if len(cf.M) > 0 {
		f.Mentions = make([]mosaic.Mention, len(cf.M))
	}
	for i, m := range cf.M {
		o := c.id
		if m.O != nil {
			o = c.absID(*m.O)
		}
		f.Mentions[i] = mosaic.Mention{ID: c.absID(m.I), Type: mosaic.EntityType(m.T), Origin: o, Role: m.R, Caption: m.C, Marking: c.markingOr(m.K)}
		types[f.Mentions[i].ID] = f.Mentions[i].Type
	}
	if len(cf.S) > 0 {
		f.Statements = make([]mosaic.Statement, len(cf.S))
	}
	for i, s := range cf.S {
		st := mosaic.Statement{
			ID: c.absID(s.I), Subject: c.absID(s.U), Prop: s.P, Value: s.V,
			Origin:  mosaic.Origin{Document: c.absID(s.OD), Start: s.OS, End: s.OE, Record: c.absID(s.OR), Field: s.OF},
			Source:  c.sourceOr(s.Src),
			Marking: c.markingOr(s.K),
		}
		st.Type = types[st.Subject]
		if s.T != nil {
			st.Type = mosaic.EntityType(*s.T)
		}
		var err error
		if st.Time, err = timeOr(s.TM, c.observed); err != nil {
			return nil, fmt.Errorf("statement %s: %w", st.ID, err)
		}
		f.Statements[i] = st
	}
	if len(cf.L) > 0 {
		f.Links = make([]mosaic.Link, len(cf.L))
	}
	for i, l := range cf.L {
		lk := mosaic.Link{
			ID: c.absID(l.I), Subject: c.absID(l.U), Predicate: l.P, Object: c.absID(l.O),
			Confidence: 1, Source: c.sourceOr(l.Src), Marking: c.markingOr(l.K),
		}
		if len(l.E) > 0 {
			lk.Evidence = make([]mosaic.ID, len(l.E))
			for j, e := range l.E {
				lk.Evidence[j] = c.absID(e)
			}
		}
		if l.C != nil {
			lk.Confidence = *l.C
		}
		var err error
		if lk.Start, err = timeOr(l.TS, c.observed); err != nil {
			return nil, fmt.Errorf("link %s: %w", lk.ID, err)
		}
		if lk.End, err = timeOr(l.TE, lk.Start); err != nil {
			return nil, fmt.Errorf("link %s: %w", lk.ID, err)
		}
		f.Links[i] = lk
	}
	return f, nil
}

// countFacts returns the numbers of mentions, statements and links of
// stored facts without building them.
func countFacts(data []byte) (m, s, l int64, err error) {
	var fast compactFacts
	if bytes.HasPrefix(data, []byte(factsVersion)) && readCompact(string(data), &fast) {
		return int64(len(fast.M)), int64(len(fast.S)), int64(len(fast.L)), nil
	}
	if !bytes.HasPrefix(data, []byte(factsVersion)) {
		var f store.Facts
		if err := json.Unmarshal(data, &f); err != nil {
			return 0, 0, 0, err
		}
		return int64(len(f.Mentions)), int64(len(f.Statements)), int64(len(f.Links)), nil
	}
	var cf struct {
		M []json.RawMessage `json:"m"`
		S []json.RawMessage `json:"s"`
		L []json.RawMessage `json:"l"`
	}
	if err := json.Unmarshal(data, &cf); err != nil {
		return 0, 0, 0, err
	}
	return int64(len(cf.M)), int64(len(cf.S)), int64(len(cf.L)), nil
}

func (c itemContext) markingOr(k *[]string) mosaic.Marking {
	if k == nil {
		return c.marking
	}
	if len(*k) == 0 {
		return nil
	}
	return mosaic.Marking(*k)
}

func (c itemContext) sourceOr(s *string) string {
	if s == nil {
		return c.source
	}
	return *s
}

func timeOr(s *string, def time.Time) (time.Time, error) {
	switch {
	case s == nil:
		return def, nil
	case *s == "":
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, *s)
}
