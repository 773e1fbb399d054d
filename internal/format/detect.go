package format

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path"
	"strings"
)

// kind is what dispatch does with an input: a tabular or document Format,
// or a container.
type kind int

const (
	kindUnknown kind = iota
	kindCSV
	kindTSV
	kindJSONL
	kindText
	kindMarkdown
	kindHTML
	kindEmail
	kindPDF
	kindZip
	kindTar
	kindGzip
)

var kindFormats = map[kind]Format{
	kindCSV: FormatCSV, kindTSV: FormatTSV, kindJSONL: FormatJSONL, kindText: FormatText,
	kindMarkdown: FormatMarkdown, kindHTML: FormatHTML, kindEmail: FormatEmail, kindPDF: FormatPDF,
}

var kindNames = map[kind]string{
	kindCSV: "CSV", kindTSV: "TSV", kindJSONL: "JSON Lines", kindText: "plain text",
	kindMarkdown: "Markdown", kindHTML: "HTML", kindEmail: "e-mail", kindPDF: "PDF",
	kindZip: "a ZIP archive", kindTar: "a tar archive", kindGzip: "gzip data",
}

func (k kind) container() bool { return k == kindZip || k == kindTar || k == kindGzip }
func (k kind) tabular() bool   { return k == kindCSV || k == kindTSV || k == kindJSONL }

var extKinds = map[string]kind{
	".csv": kindCSV, ".tsv": kindTSV, ".tab": kindTSV,
	".jsonl": kindJSONL, ".ndjson": kindJSONL, ".jsonlines": kindJSONL,
	".txt": kindText, ".text": kindText, ".log": kindText,
	".md": kindMarkdown, ".markdown": kindMarkdown,
	".html": kindHTML, ".htm": kindHTML, ".xhtml": kindHTML,
	".eml": kindEmail,
	".pdf": kindPDF,
	".zip": kindZip, ".tar": kindTar, ".gz": kindGzip, ".tgz": kindGzip,
}

// unsupportedExts are extensions whose content would otherwise be
// misread (zip-based office formats would be walked as archives; JSON and
// XML documents would be read as plain text).
var unsupportedExts = map[string]string{
	".docx": "Word documents", ".docm": "Word documents", ".xlsx": "Excel workbooks",
	".xlsm": "Excel workbooks", ".pptx": "PowerPoint files", ".odt": "OpenDocument files",
	".ods": "OpenDocument files", ".odp": "OpenDocument files", ".epub": "EPUB books",
	".jar": "Java archives", ".apk": "Android packages",
	".json": "JSON documents (use JSON Lines, one object a line)",
	".xml":  "XML documents", ".doc": "Word documents", ".xls": "Excel workbooks",
	".msg": "Outlook messages (export as .eml)", ".rtf": "RTF documents",
}

// sniffLen is how much of an input detect looks at.
const sniffLen = 8 << 10

// detect decides an input's kind from its name and its first bytes: the
// extension first, then the content. It returns a reason and kind error
// when the input must be rejected.
func detect(name string, head []byte) (kind, string, error) {
	ext := strings.ToLower(path.Ext(name))
	magic := magicKind(head)
	if what, ok := unsupportedExts[ext]; ok {
		return kindUnknown, "unsupported format: " + what + " (" + ext + ") are not read", ErrUnknownFormat
	}
	if k, ok := extKinds[ext]; ok {
		if k.container() || k == kindPDF {
			return k, "", nil // the parser says clearly if the content is not what the name claims
		}
		if magic != kindUnknown {
			return kindUnknown, "content is " + kindNames[magic] + ", not " + kindNames[k] + " as the name " + ext + " says", ErrUnknownFormat
		}
		if ct, bin := binaryContent(head); bin {
			return kindUnknown, "binary content (" + ct + ") in a " + ext + " file", ErrUnknownFormat
		}
		return k, "", nil
	}
	if magic != kindUnknown {
		return magic, "", nil
	}
	ct, bin := binaryContent(head)
	switch {
	case bin:
		return kindUnknown, "unknown format: binary content (" + ct + ")", ErrUnknownFormat
	case strings.HasPrefix(ct, "text/html"):
		return kindHTML, "", nil
	case looksLikeEmail(head):
		return kindEmail, "", nil
	case looksLikeJSONL(head):
		return kindJSONL, "", nil
	}
	return kindText, "", nil
}

func magicKind(head []byte) kind {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return kindZip
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return kindGzip
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return kindPDF
	case len(head) > 262 && bytes.Equal(head[257:262], []byte("ustar")):
		return kindTar
	}
	return kindUnknown
}

func hasUTF16BOM(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff})
}

// binaryContent reports whether head looks like binary data, with the
// content type net/http sniffs for it.
func binaryContent(head []byte) (string, bool) {
	if hasUTF16BOM(head) {
		return "text/plain; charset=utf-16", false
	}
	ct := http.DetectContentType(head)
	if !strings.HasPrefix(ct, "text/") {
		return ct, true
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "data with NUL bytes (UTF-16 without a byte-order mark is not supported)", true
	}
	ctrl := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b {
			ctrl++
		}
	}
	if ctrl*20 > len(head) { // more than 5% control characters
		return "data with control characters", true
	}
	return ct, false
}

var emailHeaders = map[string]bool{
	"from": true, "to": true, "subject": true, "date": true, "message-id": true, "received": true,
	"return-path": true, "mime-version": true, "delivered-to": true, "cc": true, "reply-to": true,
	"content-type": true,
}

// looksLikeEmail reports whether head starts with an RFC 5322 header block
// holding at least three well-known fields, one of them From or Received.
func looksLikeEmail(head []byte) bool {
	known, anchor := 0, false
	for i, line := range bytes.SplitN(skipMboxFrom(head), []byte("\n"), 60) {
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' { // folded continuation
			if i == 0 {
				return false
			}
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || bytes.ContainsAny(line[:colon], " \t") {
			return false
		}
		name := strings.ToLower(string(line[:colon]))
		if emailHeaders[name] {
			known++
			if name == "from" || name == "received" || name == "return-path" {
				anchor = true
			}
		}
	}
	return known >= 3 && anchor
}

func looksLikeJSONL(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	line, _, found := bytes.Cut(t, []byte("\n"))
	if !found && len(head) == sniffLen {
		return false // the first line does not fit in the sniffed bytes
	}
	var m map[string]json.RawMessage
	return json.Unmarshal(line, &m) == nil
}
