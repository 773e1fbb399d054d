// Package conll reads CoNLL-style token-per-line files and scores tag
// sequences at the entity level by the rules of the conlleval script.
//
// A file is a sequence of lines: one token per line with whitespace-separated
// columns, a blank line between sentences, "-DOCSTART-" lines between
// documents and, in some corpora (Universal NER), "#" comment lines. The
// reader keeps every line verbatim so that a tagger can write the file back
// with a column appended.
package conll

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Line is one line of a CoNLL file.
type Line struct {
	Raw    string   // the line as read, without its line break
	Fields []string // whitespace-separated columns (nil for blank lines)
}

// Kind classifies a line.
type Kind int

// Line kinds.
const (
	Token Kind = iota
	Blank
	DocStart
	Comment
)

// Kind returns the line's kind.
func (l Line) Kind() Kind {
	switch {
	case len(l.Fields) == 0:
		return Blank
	case l.Fields[0] == "-DOCSTART-":
		return DocStart
	case strings.HasPrefix(l.Raw, "# ") || l.Raw == "#":
		return Comment
	}
	return Token
}

// Sentence is a run of token lines between blank lines.
type Sentence struct {
	Lines []int // indices into File.Lines
}

// Document is a run of sentences between -DOCSTART- lines (a file without
// them is one document).
type Document struct {
	Sentences []Sentence
}

// File is a parsed CoNLL file.
type File struct {
	Lines     []Line
	Documents []Document
}

// Columns selects which columns hold the word and the gold tag. Negative
// indices count from the end (-1 is the last column).
type Columns struct {
	WordCol, TagCol int
}

// Default columns: the word first, the gold tag last (CoNLL-2003, BTC, WNUT).
var Default = Columns{WordCol: 0, TagCol: -1}

// UNER columns: "index word tag annotator..." (Universal NER .iob2 files).
var UNER = Columns{WordCol: 1, TagCol: 2}

func pick(f []string, i int) string {
	if i < 0 {
		i += len(f)
	}
	if i < 0 || i >= len(f) {
		return ""
	}
	return f[i]
}

// Word returns the word of token line l.
func (c Columns) Word(l Line) string { return pick(l.Fields, c.WordCol) }

// Tag returns the gold tag of token line l ("O" when the column is absent).
func (c Columns) Tag(l Line) string {
	if len(l.Fields) < 2 {
		return "O"
	}
	t := pick(l.Fields, c.TagCol)
	if t == "" {
		return "O"
	}
	return t
}

// Read parses r. Lines longer than 1 MiB are an error.
func Read(r io.Reader) (*File, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	f := &File{}
	var doc Document
	var sent Sentence
	endSent := func() {
		if len(sent.Lines) > 0 {
			doc.Sentences = append(doc.Sentences, sent)
			sent = Sentence{}
		}
	}
	endDoc := func() {
		endSent()
		if len(doc.Sentences) > 0 {
			f.Documents = append(f.Documents, doc)
			doc = Document{}
		}
	}
	for sc.Scan() {
		raw := strings.TrimRight(sc.Text(), "\r")
		l := Line{Raw: raw, Fields: strings.Fields(raw)}
		idx := len(f.Lines)
		f.Lines = append(f.Lines, l)
		switch l.Kind() {
		case Blank:
			endSent()
		case DocStart:
			endDoc()
		case Comment:
			// Universal NER marks documents with "# newdoc".
			if strings.HasPrefix(raw, "# newdoc") {
				endDoc()
			}
		default:
			sent.Lines = append(sent.Lines, idx)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read conll: %w", err)
	}
	endDoc()
	return f, nil
}

// Words returns the words of sentence s under columns c.
func (f *File) Words(s Sentence, c Columns) []string {
	out := make([]string, len(s.Lines))
	for i, li := range s.Lines {
		out[i] = c.Word(f.Lines[li])
	}
	return out
}

// Tags returns the gold tags of sentence s under columns c.
func (f *File) Tags(s Sentence, c Columns) []string {
	out := make([]string, len(s.Lines))
	for i, li := range s.Lines {
		out[i] = c.Tag(f.Lines[li])
	}
	return out
}
