package format

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// emailHeaders kept in Document.Meta, in canonical form.
var emailMetaHeaders = []string{
	"From", "To", "Cc", "Bcc", "Reply-To", "Sender", "Subject", "Date", "Message-Id",
	"In-Reply-To", "References", "Organization",
}

const (
	maxMIMEDepth = 20
	maxMIMEParts = 1000
)

// attachment is a non-text MIME part (or an attached message) of an
// e-mail, walked as an item of its own.
type attachment struct {
	name string
	data []byte
}

// emailResult is a parsed e-mail.
type emailResult struct {
	doc         *Document
	attachments []attachment
}

// emailDocument parses an RFC 5322 message: headers (RFC 2047 words
// decoded) into Meta, Subject as title, Date as published time; the body
// text from the text/plain parts, or from the HTML parts when there is no
// plain text; other parts as attachments.
func emailDocument(raw []byte) (*emailResult, error) {
	msg, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(skipMboxFrom(raw))))
	if err != nil {
		return nil, fmt.Errorf("not a valid e-mail message: %w", err)
	}
	dec := &mime.WordDecoder{CharsetReader: charsetReader}
	meta := map[string]string{}
	for _, h := range emailMetaHeaders {
		vals := msg.Header[textproto.CanonicalMIMEHeaderKey(h)]
		if len(vals) == 0 {
			continue
		}
		out := make([]string, 0, len(vals))
		for _, v := range vals {
			out = append(out, decodeHeader(dec, v))
		}
		meta[h] = shorten(strings.Join(out, ", "), 10000)
	}
	p := &mimeParser{}
	p.part(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	d := &Document{MediaType: "message/rfc822", Meta: meta, Title: shorten(meta["Subject"], maxTitleRunes)}
	switch {
	case p.plain.Len() > 0:
		d.Text = p.plain.String()
		meta[MetaCharset] = p.plainCharset
	case p.html.Len() > 0:
		d.Text = p.html.String()
		meta[MetaCharset] = p.htmlCharset
	}
	if p.guessed {
		meta[MetaCharsetGuessed] = "true"
	}
	if meta[MetaCharset] == "" {
		delete(meta, MetaCharset)
	}
	d.Text = strings.TrimLeft(d.Text, "\n")
	if d.Title == "" {
		d.Title = firstLineTitle(d.Text)
	}
	if t, err := mail.ParseDate(meta["Date"]); err == nil {
		d.Published = t
	}
	if p.problem != "" {
		meta["parse-warning"] = p.problem
	}
	return &emailResult{doc: d, attachments: p.attachments}, nil
}

// skipMboxFrom drops the "From sender date" line that mbox exports put
// before the headers.
func skipMboxFrom(b []byte) []byte {
	if bytes.HasPrefix(b, []byte("From ")) {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return b[i+1:]
		}
	}
	return b
}

func decodeHeader(dec *mime.WordDecoder, v string) string {
	if s, err := dec.DecodeHeader(v); err == nil {
		v = s
	}
	t, _, _ := decodeText([]byte(v))
	return strings.Join(strings.Fields(cleanText(t)), " ")
}

// charsetReader decodes the charsets mime.WordDecoder does not know.
func charsetReader(cs string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q: %w", cs, err)
	}
	return enc.NewDecoder().Reader(r), nil
}

type mimeParser struct {
	plain, html               strings.Builder
	plainCharset, htmlCharset string
	guessed                   bool
	attachments               []attachment
	parts                     int
	problem                   string
}

func (p *mimeParser) warn(format string, args ...any) {
	if p.problem == "" {
		p.problem = fmt.Sprintf(format, args...)
	}
}

func (p *mimeParser) part(h textproto.MIMEHeader, body io.Reader, depth int) {
	if p.parts++; p.parts > maxMIMEParts {
		p.warn("more than %d MIME parts; the rest ignored", maxMIMEParts)
		return
	}
	ct := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || ct == "" {
		mt, params = "text/plain", map[string]string{}
	}
	body = transferDecoder(h.Get("Content-Transfer-Encoding"), body)
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxMIMEDepth {
			p.warn("MIME parts nested more than %d deep; the rest ignored", maxMIMEDepth)
			return
		}
		p.multipart(mt, params["boundary"], body, depth)
		return
	}
	data, err := io.ReadAll(body)
	if err != nil {
		p.warn("part %d: %v", p.parts, err)
	}
	isAttachment := disp == "attachment" || (disp == "inline" && name != "")
	switch {
	case mt == "text/plain" && !isAttachment:
		text, cs, guessed := decodeCharset(data, params["charset"])
		appendText(&p.plain, cleanText(text))
		if p.plainCharset == "" {
			p.plainCharset, p.guessed = cs, p.guessed || guessed
		}
	case mt == "text/html" && !isAttachment:
		text, cs, guessed := decodeCharset(data, params["charset"])
		t, _, _ := htmlText(text)
		appendText(&p.html, t)
		if p.htmlCharset == "" {
			p.htmlCharset, p.guessed = cs, p.guessed || guessed
		}
	default:
		if len(data) == 0 {
			return
		}
		p.attachments = append(p.attachments, attachment{name: attachmentName(name, mt, len(p.attachments)+1), data: data})
	}
}

func (p *mimeParser) multipart(mt, boundary string, body io.Reader, depth int) {
	if boundary == "" {
		p.warn("%s without a boundary", mt)
		return
	}
	mr := multipart.NewReader(body, boundary)
	if mt != "multipart/alternative" {
		for {
			part, err := mr.NextRawPart()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					p.warn("%s: %v", mt, err)
				}
				return
			}
			p.part(part.Header, part, depth+1)
		}
	}
	// Alternatives: parse each into its own parser and keep the best:
	// text/plain, else HTML; attachments of every alternative are kept.
	var best *mimeParser
	for {
		part, err := mr.NextRawPart()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.warn("%s: %v", mt, err)
			}
			break
		}
		sub := &mimeParser{parts: p.parts}
		sub.part(part.Header, part, depth+1)
		p.parts = sub.parts
		p.attachments = append(p.attachments, sub.attachments...)
		if sub.problem != "" {
			p.warn("%s", sub.problem)
		}
		if best == nil || (best.plain.Len() == 0 && sub.plain.Len() > 0) || (best.plain.Len() == 0 && best.html.Len() == 0) {
			best = sub
		}
	}
	if best != nil {
		if best.plain.Len() > 0 {
			appendText(&p.plain, best.plain.String())
			if p.plainCharset == "" {
				p.plainCharset = best.plainCharset
			}
		} else if best.html.Len() > 0 {
			appendText(&p.html, best.html.String())
			if p.htmlCharset == "" {
				p.htmlCharset = best.htmlCharset
			}
		}
		p.guessed = p.guessed || best.guessed
	}
}

func appendText(b *strings.Builder, t string) {
	if isBlank(t) {
		return
	}
	if b.Len() > 0 {
		b.WriteString("\n\n")
	}
	b.WriteString(strings.TrimRight(t, "\n"))
	b.WriteByte('\n')
}

// transferDecoder undoes a Content-Transfer-Encoding.
func transferDecoder(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Filter{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Filter drops bytes outside the base64 alphabet (line breaks,
// stray spaces) and stops at the first padding run so that trailing junk
// does not fail the decode.
type base64Filter struct {
	r    io.Reader
	done bool
}

func (f *base64Filter) Read(p []byte) (int, error) {
	for {
		if f.done {
			return 0, io.EOF
		}
		n, err := f.r.Read(p)
		j := 0
		for i := 0; i < n; i++ {
			c := p[i]
			if c == '=' {
				p[j] = c
				j++
				continue
			}
			if j > 0 && p[j-1] == '=' && c != '=' && isB64(c) {
				f.done = true // data after padding: stop
				break
			}
			if isB64(c) {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil || f.done {
			if f.done && j == 0 {
				return 0, io.EOF
			}
			return j, err
		}
	}
}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// decodeCharset decodes a MIME part with its declared charset, falling
// back to decodeText's detection when none (or an unknown one) is given
// or the declared UTF-8 is invalid.
func decodeCharset(data []byte, cs string) (string, string, bool) {
	cs = strings.ToLower(strings.TrimSpace(cs))
	if cs != "" && cs != "utf-8" && cs != "utf8" && cs != "us-ascii" {
		if enc, err := htmlindex.Get(cs); err == nil {
			name, _ := htmlindex.Name(enc)
			return decodeWith(enc, data), name, false
		}
	}
	return decodeText(data)
}

var mimeExts = map[string]string{
	"text/plain": ".txt", "text/html": ".html", "text/csv": ".csv", "text/markdown": ".md",
	"application/pdf": ".pdf", "application/zip": ".zip", "application/gzip": ".gz",
	"application/x-gzip": ".gz", "message/rfc822": ".eml", "application/x-tar": ".tar",
}

// attachmentName returns a safe base name for an attachment: its own name
// without directories, or "part-N" with an extension from its type.
func attachmentName(name, mt string, n int) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(path.Clean("/" + name))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '!' {
			return '_'
		}
		return r
	}, name)
	if name == "/" || name == "." || name == "" || name == ".." {
		name = "part-" + strconv.Itoa(n) + mimeExts[mt]
	}
	return shorten(name, 200)
}
