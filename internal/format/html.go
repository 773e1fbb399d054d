package format

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// htmlDocument builds a document from HTML: the visible text only (no
// script, style, head or other non-rendered elements), block elements as
// line breaks, the <title> (or first <h1>) as the title and <meta> name or
// property values in Meta.
func htmlDocument(raw []byte) *Document {
	// A byte-order mark or a charset in the content type decides; else
	// valid UTF-8 is UTF-8; else the charset of a <meta> tag, or
	// Windows-1252 (both reported as guessed).
	var src string
	guessed := false
	enc, name, certain := charset.DetermineEncoding(raw, "text/html")
	switch {
	case hasUTF16BOM(raw) || bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) || utf8.Valid(raw):
		src, name, _ = decodeText(raw)
	case certain:
		src = decodeWith(enc, raw)
	default:
		src, guessed = decodeWith(enc, raw), true
	}
	text, title, meta := htmlText(src)
	for k, v := range charsetMeta(name, guessed) {
		meta[k] = v
	}
	d := &Document{Text: text, Title: shorten(title, maxTitleRunes), MediaType: "text/html", Meta: meta}
	if d.Title == "" {
		d.Title = firstLineTitle(text)
	}
	if t, ok := htmlPublished(meta); ok {
		d.Published = t
	}
	return d
}

var htmlDateKeys = []string{
	"article:published_time", "og:published_time", "datepublished", "date", "dc.date", "dc.date.issued",
	"dcterms.date", "dcterms.issued", "pubdate", "publishdate", "publish-date", "parsely-pub-date", "sailthru.date",
}

func htmlPublished(meta map[string]string) (time.Time, bool) {
	for _, k := range htmlDateKeys {
		if t, ok := parseDate(meta[k]); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// skipped elements render nothing visible.
var htmlSkipped = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true,
	"svg": true, "math": true, "iframe": true, "object": true, "canvas": true, "audio": true, "video": true,
}

// htmlBreaks maps block elements to the breaks around them: 1 a line
// break, 2 a blank line.
var htmlBreaks = map[string]int{
	"address": 1, "article": 2, "aside": 2, "blockquote": 2, "br": 1, "dd": 1, "details": 1, "dialog": 1,
	"div": 1, "dl": 1, "dt": 1, "fieldset": 1, "figcaption": 1, "figure": 1, "footer": 1, "form": 1,
	"h1": 2, "h2": 2, "h3": 2, "h4": 2, "h5": 2, "h6": 2, "header": 1, "hgroup": 1, "hr": 2, "li": 1,
	"main": 1, "nav": 1, "ol": 1, "p": 2, "pre": 2, "section": 2, "summary": 1, "table": 2, "tr": 1,
	"ul": 1, "caption": 1, "option": 1, "body": 1, "html": 1, "title": 1, "legend": 1,
}

// htmlText extracts the visible text, the title and the meta values of
// an HTML document. It uses the streaming tokenizer, which is linear and
// bounded on any input (no tree, no recursion).
func htmlText(src string) (text, title string, meta map[string]string) {
	meta = map[string]string{}
	z := html.NewTokenizer(strings.NewReader(src))
	w := &textWriter{}
	skip := 0 // depth inside skipped elements
	pre := 0  // depth inside <pre>
	inTitle := false
	var titleB, h1 strings.Builder
	inH1, seenH1 := false, false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// io.EOF, or a read error (impossible: src is in memory).
			title = strings.Join(strings.Fields(titleB.String()), " ")
			if title == "" {
				title = strings.Join(strings.Fields(h1.String()), " ")
			}
			return w.String(), title, meta
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			switch {
			case inTitle:
				titleB.WriteString(t)
				continue
			case inH1 && !seenH1:
				h1.WriteString(t)
			}
			if pre > 0 {
				w.raw(t)
			} else {
				w.words(t)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			nameB, hasAttr := z.TagName()
			tag := string(nameB)
			if tag == "meta" && hasAttr {
				htmlMeta(z, meta)
				continue
			}
			if tag == "html" && hasAttr {
				for {
					k, v, more := z.TagAttr()
					if string(k) == "lang" && meta["lang"] == "" {
						meta["lang"] = shorten(string(v), 50)
					}
					if !more {
						break
					}
				}
			}
			if htmlSkipped[tag] {
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch tag {
			case "title":
				inTitle = tt == html.StartTagToken
				continue
			case "h1":
				inH1 = true
			case "pre":
				pre++
			case "td", "th":
				w.sep()
			case "img", "input":
				continue
			}
			if br := htmlBreaks[tag]; br > 0 {
				w.brk(br)
			}
		case html.EndTagToken:
			nameB, _ := z.TagName()
			tag := string(nameB)
			if htmlSkipped[tag] {
				if skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch tag {
			case "title":
				inTitle = false
				continue
			case "h1":
				if inH1 {
					seenH1 = true
				}
				inH1 = false
			case "pre":
				if pre > 0 {
					pre--
				}
			}
			if br := htmlBreaks[tag]; br > 0 {
				w.brk(br)
			}
		}
	}
}

func htmlMeta(z *html.Tokenizer, meta map[string]string) {
	var key, content string
	for {
		k, v, more := z.TagAttr()
		switch string(k) {
		case "name", "property", "itemprop", "http-equiv":
			if key == "" {
				key = strings.ToLower(strings.TrimSpace(string(v)))
			}
		case "content":
			content = string(v)
		case "charset":
			// handled by the encoding detection
		}
		if !more {
			break
		}
	}
	content = strings.TrimSpace(content)
	if key == "" || content == "" || len(key) > 100 || len(meta) >= 200 {
		return
	}
	if _, dup := meta[key]; !dup {
		meta[key] = shorten(content, 2000)
	}
}

// textWriter accumulates visible text, collapsing white space and
// merging breaks so that blocks are separated by at most one blank line.
type textWriter struct {
	b       strings.Builder
	pending int  // breaks owed before the next text: 0, 1 or 2
	space   bool // a space is owed before the next word
	cell    bool // a tab is owed (table cell)
}

func (w *textWriter) brk(n int) {
	if w.b.Len() > 0 && n > w.pending {
		w.pending = n
	}
	w.space, w.cell = false, false
}

func (w *textWriter) sep() {
	if w.b.Len() > 0 && w.pending == 0 {
		w.cell = true
	}
}

func (w *textWriter) flush() {
	switch {
	case w.pending > 0:
		w.b.WriteString("\n\n"[:w.pending])
	case w.cell:
		w.b.WriteByte('\t')
	case w.space:
		w.b.WriteByte(' ')
	}
	w.pending, w.space, w.cell = 0, false, false
}

// words writes text with its white space collapsed.
func (w *textWriter) words(t string) {
	lead := len(t) > 0 && isHTMLSpace(t[0])
	trail := len(t) > 0 && isHTMLSpace(t[len(t)-1])
	fields := strings.FieldsFunc(t, func(r rune) bool { return r < 0x80 && isHTMLSpace(byte(r)) })
	if len(fields) == 0 {
		if lead && w.b.Len() > 0 {
			w.space = true
		}
		return
	}
	if lead && w.b.Len() > 0 {
		w.space = true
	}
	for i, f := range fields {
		if i > 0 {
			w.space = true
		}
		w.flush()
		w.b.WriteString(cleanText(f))
	}
	if trail {
		w.space = true
	}
}

// raw writes preformatted text as it is.
func (w *textWriter) raw(t string) {
	if t == "" {
		return
	}
	w.flush()
	w.b.WriteString(cleanText(t))
}

func (w *textWriter) String() string {
	s := w.b.String()
	if s == "" {
		return ""
	}
	return strings.TrimRight(s, " \t\n") + "\n"
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}
