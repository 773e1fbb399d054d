package format

import (
	"strings"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic"
)

func TestDocuments(t *testing.T) {
	w := walkAll(t, "testdata/docs", Options{})
	if len(w.rejects) != 0 {
		t.Fatalf("rejections: %v", w.rejects)
	}
	date := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		path      string
		format    Format
		title     string
		contains  []string
		excludes  []string
		published time.Time
		meta      map[string]string
	}{
		{path: "report.txt", format: FormatText, title: "INTELLIGENCE REPORT 7",
			contains: []string{"John Smith met Ahmed Khan in Leeds.\n"}, excludes: []string{"\r"},
			published: date("2024-03-14T00:00:00Z"), meta: map[string]string{MetaCharset: "utf-8"}},
		{path: "memo.txt", format: FormatText, title: "Dispute between neighbours", published: date("2024-08-11T00:00:00Z"),
			contains: []string{"Title: Dispute between neighbours\n", "Officers attended"},
			meta:     map[string]string{"source": "local policing", "title": "Dispute between neighbours", "date": "2024-08-11"}},
		{path: "latin1.txt", format: FormatText, title: "Café meeting with José Müller",
			meta: map[string]string{MetaCharset: "windows-1252", MetaCharsetGuessed: "true"}},
		{path: "utf16.txt", format: FormatText, title: "München report", contains: []string{"line two"},
			excludes: []string{"\uFEFF"}, meta: map[string]string{MetaCharset: "utf-16le"}},
		{path: "notes.md", format: FormatMarkdown, title: "Field notes", published: date("2024-05-01T00:00:00Z"),
			contains: []string{"Met Anna Berg at the harbour (see the map).", "first point\n", "second point with code", "Ali\tOslo", "raw_code_line *kept*"},
			excludes: []string{"**", "http://", "](", "|---", "```", "title:"}},
		{path: "page.html", format: FormatHTML, title: "Cell arrested", published: date("2017-06-05T10:00:00Z"),
			contains: []string{"Three arrested\n\nPolice arrested three men in&around Leeds.", "Name\tAge\nAli\t31", "line one\n  line two"},
			excludes: []string{"secret", "color", "enable js", "<", "Cell arrested"},
			meta:     map[string]string{"description": "Three held", "lang": "en", MetaCharset: "utf-8"}},
		{path: "page-1252.html", format: FormatHTML, title: "Café", contains: []string{"José"}, meta: map[string]string{MetaCharset: "windows-1252"}},
		{path: "message.eml", format: FormatEmail, title: "Meeting in München", published: date("2024-03-05T08:30:00Z"),
			contains: []string{"We meet at the café on Friday. This line is long and soft-wrapped so it continues here."},
			excludes: []string{"HTML version", "=C3", "name,phone"},
			meta: map[string]string{"From": "Jörg Müller <jorg@example.com>", "To": "Anna Berg <anna@example.org>, bob@example.net",
				"Cc": "José <jose@example.com>", "Message-Id": "<abc123@example.com>", "Date": "Tue, 5 Mar 2024 09:30:00 +0100"}},
		{path: "htmlonly.eml", format: FormatEmail, title: "html only", contains: []string{"Café at noon"}, excludes: []string{"x()", "<p>"}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			d := w.doc(t, "testdata/docs/"+tc.path)
			it := findItem(w, "testdata/docs/"+tc.path)
			if it.Format != tc.format {
				t.Errorf("format %s, want %s", it.Format, tc.format)
			}
			if d.Title != tc.title {
				t.Errorf("title %q, want %q", d.Title, tc.title)
			}
			for _, s := range tc.contains {
				if !strings.Contains(d.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, d.Text)
				}
			}
			for _, s := range tc.excludes {
				if strings.Contains(d.Text, s) {
					t.Errorf("text has %q:\n%s", s, d.Text)
				}
			}
			if !tc.published.IsZero() && !d.Published.Equal(tc.published) {
				t.Errorf("published %v, want %v", d.Published, tc.published)
			}
			for k, v := range tc.meta {
				if d.Meta[k] != v {
					t.Errorf("meta[%q] = %q, want %q", k, d.Meta[k], v)
				}
			}
			if d.ID != mosaic.DocumentID(d.Raw) || len(d.Raw) == 0 || d.Path != it.Path || d.MediaType == "" {
				t.Errorf("id/raw/path/media type not set: %q %q %q", d.ID, d.Path, d.MediaType)
			}
		})
	}
	// The CSV attachment of message.eml is walked as rows, its name made safe.
	rows := w.rows["testdata/docs/message.eml!/contacts.csv"]
	if len(rows) != 1 || rows[0].Fields["name"] != "Anna" || rows[0].Fields["phone"] != "+44 1234" {
		t.Errorf("attachment rows %v (items %v)", rows, w.paths())
	}
}

func findItem(w *walked, path string) Item {
	for _, it := range w.items {
		if it.Path == path {
			return it
		}
	}
	return Item{}
}

func TestMboxStyleEmail(t *testing.T) {
	raw := []byte("From jorg@example.com Tue Mar  5 09:30:00 2024\nFrom: jorg@example.com\nTo: anna@example.org\nSubject: Hello\nDate: Tue, 5 Mar 2024 09:30:00 +0100\n\nSee you.\n")
	if k, _, err := detect("message", raw); err != nil || k != kindEmail {
		t.Fatalf("detected %v %v", k, err)
	}
	res, err := emailDocument(raw)
	if err != nil || res.doc.Title != "Hello" || res.doc.Text != "See you.\n" {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestStripMarkdownInline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"**bold** and *em* and __b__ and _e_", "bold and em and b and e"},
		{"snake_case_name and a*b*c", "snake_case_name and a*b*c"},
		{"see [link](http://x.y/z) and ![alt text](img.png)", "see link and alt text"},
		{"ref [text][1] here", "ref text here"},
		{"`code *x*` stays", "code *x* stays"},
		{`escaped \*star\*`, "escaped *star*"},
		{"~~gone~~ text", "gone text"},
		{"mail anna_berg@example.com", "mail anna_berg@example.com"},
		{"tag <span class=x>in</span> html", "tag in html"},
		{"unclosed [bracket and `tick", "unclosed [bracket and `tick"},
	}
	for _, tc := range tests {
		if got := stripInline(tc.in); got != tc.want {
			t.Errorf("stripInline(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"Tue, 5 Mar 2024 09:30:00 +0100", "2024-03-05T08:30:00Z"},
		{"2024-05-01", "2024-05-01T00:00:00Z"},
		{"2017-06-05T10:00:00+02:00", "2017-06-05T08:00:00Z"},
		{"14 March 2024", "2024-03-14T00:00:00Z"},
		{"Wednesday 27 April 2016", "2016-04-27T00:00:00Z"},
		{"March 14, 2024", "2024-03-14T00:00:00Z"},
		{"Thursday 23 November 2017 21:40 GMT", "2017-11-23T21:40:00Z"},
		{"Nov 23, 2018", "2018-11-23T00:00:00Z"},
	}
	for _, tc := range tests {
		got, ok := parseDate(tc.in)
		if !ok || got.UTC().Format(time.RFC3339) != tc.want {
			t.Errorf("parseDate(%q) = %v %v, want %s", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"", "soon", "32 March 2024", strings.Repeat("9", 500)} {
		if _, ok := parseDate(bad); ok {
			t.Errorf("parseDate(%q) succeeded", bad)
		}
	}
	if d, ok := pdfDate("D:20240102030405+01'00'"); !ok || d.UTC().Format(time.RFC3339) != "2024-01-02T02:04:05Z" {
		t.Errorf("pdfDate = %v %v", d, ok)
	}
}
