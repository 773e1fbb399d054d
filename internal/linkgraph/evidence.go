package linkgraph

import (
	"context"
	"sort"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Evidence is one statement behind an edge, with what a reader needs to
// judge it: the sentence (with the names in it marked) or the record.
type Evidence struct {
	Statement mosaic.ID         `json:"statement"`
	Item      mosaic.ID         `json:"item"`
	Kind      string            `json:"kind"` // "document" or the record kind
	Source    string            `json:"source"`
	Title     string            `json:"title,omitempty"`
	Prop      string            `json:"prop"`
	Value     string            `json:"value"`
	Origin    mosaic.Origin     `json:"origin"`
	Sentence  string            `json:"sentence,omitempty"` // documents: the text of the span
	Marks     []Span            `json:"marks,omitempty"`    // names inside Sentence, offsets relative to it
	Fields    map[string]string `json:"fields,omitempty"`   // records: the fields
	Locator   string            `json:"locator,omitempty"`  // records: file and line
}

// Span is a marked part of a sentence.
type Span struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

// Explain resolves evidence statement IDs for p; evidence p may not see is
// left out. At most limit are explained (0: all).
func Explain(ctx context.Context, st store.ItemReader, p mosaic.Principal, ids []mosaic.ID, limit int) ([]Evidence, error) {
	items := map[mosaic.ID]*store.Item{}
	var out []Evidence
	for _, id := range ids {
		if limit > 0 && len(out) >= limit {
			break
		}
		iid := mosaic.OriginOf(id)
		if iid == "" {
			iid = id // a record or document cited whole (co-occurrence evidence)
		}
		it, ok := items[iid]
		if !ok {
			var err error
			it, err = st.Item(ctx, p, iid)
			if err != nil && !mosaic.IsNotFound(err) {
				return nil, err
			}
			items[iid] = it
		}
		if it == nil || it.Facts == nil {
			continue
		}
		if iid == id {
			ev := Evidence{Statement: id, Item: it.ID, Source: it.Source}
			if d := it.Document; d != nil {
				ev.Kind, ev.Title = "document", d.Title
			} else {
				ev.Kind, ev.Fields, ev.Locator = string(it.Record.Kind), it.Record.Fields, it.Record.Locator
			}
			out = append(out, ev)
			continue
		}
		for _, s := range it.Facts.Statements {
			if s.ID != id {
				continue
			}
			ev := Evidence{Statement: s.ID, Item: it.ID, Source: s.Source, Prop: s.Prop, Value: s.Value, Origin: s.Origin}
			if d := it.Document; d != nil {
				ev.Kind, ev.Title = "document", d.Title
				ev.Sentence, ev.Marks = sentence(d.Text, it.Facts, s.Origin)
			} else {
				ev.Kind, ev.Fields, ev.Locator = string(it.Record.Kind), it.Record.Fields, it.Record.Locator
			}
			out = append(out, ev)
			break
		}
	}
	return out, nil
}

// sentence returns the text of a document span and the names inside it.
func sentence(text string, f *store.Facts, o mosaic.Origin) (string, []Span) {
	if o.Start < 0 || o.End > len(text) || o.Start >= o.End {
		return "", nil
	}
	var marks []Span
	seen := map[[2]int]bool{}
	for _, s := range f.Statements {
		so := s.Origin
		if s.Prop != mosaic.PropName && s.Prop != mosaic.PropAlias && s.Prop != mosaic.PropMentionText {
			continue
		}
		if so.Start < o.Start || so.End > o.End || seen[[2]int{so.Start, so.End}] {
			continue
		}
		seen[[2]int{so.Start, so.End}] = true
		marks = append(marks, Span{Start: so.Start - o.Start, End: so.End - o.Start, Text: text[so.Start:so.End]})
	}
	sort.Slice(marks, func(i, j int) bool { return marks[i].Start < marks[j].Start })
	return text[o.Start:o.End], marks
}

// Highlight renders a sentence with its marks in [brackets].
func Highlight(sentence string, marks []Span) string {
	var b strings.Builder
	at := 0
	for _, m := range marks {
		if m.Start < at || m.End > len(sentence) {
			continue
		}
		b.WriteString(sentence[at:m.Start])
		b.WriteString("[" + sentence[m.Start:m.End] + "]")
		at = m.End
	}
	b.WriteString(sentence[at:])
	return strings.Join(strings.Fields(b.String()), " ")
}
