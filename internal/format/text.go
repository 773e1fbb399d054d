package format

import (
	"bytes"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// decodeText returns raw as valid UTF-8 with the name of the encoding it
// was read as. A byte-order mark decides UTF-8 or UTF-16; otherwise valid
// UTF-8 is taken as such, and anything else as Windows-1252 (a superset of
// the printable Latin-1 range), reported as guessed.
func decodeText(raw []byte) (text, charset string, guessed bool) {
	switch {
	case bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")):
		return strings.ToValidUTF8(string(raw[3:]), "\uFFFD"), "utf-8", false
	case bytes.HasPrefix(raw, []byte{0xff, 0xfe}):
		return decodeWith(xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM), raw), "utf-16le", false
	case bytes.HasPrefix(raw, []byte{0xfe, 0xff}):
		return decodeWith(xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM), raw), "utf-16be", false
	case utf8.Valid(raw):
		return string(raw), "utf-8", false
	}
	return decodeWith(charmap.Windows1252, raw), "windows-1252", true
}

// decodeWith decodes raw with enc, always returning valid UTF-8.
func decodeWith(enc encoding.Encoding, raw []byte) string {
	out, err := enc.NewDecoder().Bytes(raw)
	if err != nil {
		return strings.ToValidUTF8(string(raw), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// cleanText normalises line endings to \n, no-break spaces to spaces, drops a leading byte-order mark,
// NUL and other control characters (tab and newline are kept; form feed
// becomes a newline) and guarantees valid UTF-8.
func cleanText(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return strings.ReplaceAll(s, "\u00a0", " ")
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case r == '\f' || r == '\v':
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\u00a0':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			// dropped
		case r == utf8.RuneError && size == 1:
			b.WriteString("\uFFFD")
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isBlank reports whether s holds only white space.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

const maxTitleRunes = 200

// firstLineTitle returns the first non-blank line of text, trimmed and cut
// to at most maxTitleRunes runes at a word boundary.
func firstLineTitle(text string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if t := strings.TrimSpace(line); t != "" {
			return shorten(t, maxTitleRunes)
		}
	}
	return ""
}

// shorten cuts s to at most n runes, at the last space if there is one in
// the second half.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if n == 0 {
			cut = i
			break
		}
		n--
	}
	t := s[:cut]
	if sp := strings.LastIndexByte(t, ' '); sp > len(t)/2 {
		t = t[:sp]
	}
	return strings.TrimRightFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
}

var dateLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
	"2 January 2006 15:04", "2 January 2006", "Monday 2 January 2006 15:04 MST", "Monday 2 January 2006 15:04", "Monday 2 January 2006",
	"Monday, 2 January 2006", "January 2, 2006", "Jan 2, 2006", "2 Jan 2006", "02 Jan 2006",
	"20060102",
}

// parseDate parses a date in one of the common forms (RFC 5322, RFC 3339,
// ISO dates, "2 January 2006"). Times without a zone are taken as UTC.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 100 {
		return time.Time{}, false
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t, true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// headerDate looks for a "Date:" (or "Dated:", "Published:", "Sent:") line
// among the first lines of text and parses it.
func headerDate(text string) (time.Time, bool) {
	n := 0
	for line := range strings.SplitSeq(text, "\n") {
		if n++; n > 30 {
			break
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(strings.TrimLeft(key, "*#> "))) {
		case "date", "dated", "published", "sent", "date of report":
			if t, ok := parseDate(strings.Trim(val, " *_")); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// textDocument builds a document from plain text. A leading block of
// "Key: value" lines (as in memos and generated reports: Title, Subject,
// Date, Source, From, ...) goes into Meta under lower-case keys; Title or
// Subject becomes the title, else the first line does.
func textDocument(raw []byte) *Document {
	text, cs, guessed := decodeText(raw)
	text = cleanText(text)
	meta := charsetMeta(cs, guessed)
	d := &Document{Text: text, MediaType: "text/plain", Meta: meta}
	for k, v := range headerBlock(text) {
		if _, taken := meta[k]; !taken {
			meta[k] = v
		}
	}
	switch {
	case meta["title"] != "":
		d.Title = shorten(meta["title"], maxTitleRunes)
	case meta["subject"] != "":
		d.Title = shorten(meta["subject"], maxTitleRunes)
	default:
		d.Title = firstLineTitle(text)
	}
	if t, ok := headerDate(text); ok {
		d.Published = t
	} else if t, ok := dateLine(text); ok {
		d.Published = t
	}
	return d
}

// dateLine finds a line among the first 15 that is a date and nothing
// else (as under the headline of a news article), or whose first
// " | "-separated part is one.
func dateLine(text string) (time.Time, bool) {
	n := 0
	for line := range strings.SplitSeq(text, "\n") {
		if n++; n > 15 {
			break
		}
		line, _, _ = strings.Cut(line, " | ")
		if !strings.ContainsAny(line, " -/:") { // a bare number is no date here
			continue
		}
		if t, ok := parseDate(line); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// headerBlock returns the "Key: value" lines at the very top of text, if
// every line up to the first blank one (at most 20) has that form.
func headerBlock(text string) map[string]string {
	var m map[string]string
	n := 0
	for line := range strings.SplitSeq(text, "\n") {
		if isBlank(line) {
			break
		}
		if n++; n > 20 {
			return nil
		}
		k, v, ok := strings.Cut(line, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" || len(k) > 30 || !isHeaderKey(k) {
			return nil
		}
		if m == nil {
			m = map[string]string{}
		}
		m[strings.ToLower(k)] = shorten(v, 1000)
	}
	return m
}

func isHeaderKey(k string) bool {
	for _, r := range k {
		if !unicode.IsLetter(r) && r != ' ' && r != '-' && r != '_' {
			return false
		}
	}
	return unicode.IsLetter([]rune(k)[0])
}

func charsetMeta(cs string, guessed bool) map[string]string {
	m := map[string]string{MetaCharset: cs}
	if guessed {
		m[MetaCharsetGuessed] = "true"
	}
	return m
}
