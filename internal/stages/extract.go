// Package stages implements the pipeline's stages on top of the domain
// packages: extraction (package extract), resolution (package resolve),
// the link index, and screening (packages screen and watchlist).
package stages

import (
	"context"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/extract"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Extract finds mentions, aliases, relations and events in documents and
// stores them as the documents' facts. Records pass through untouched
// (their facts came from their mapping), except that a watch-list entry
// whose reason names an organisation its subject belongs to gains the
// organisation and a link to it (AddReasonFacts).
type Extract struct {
	x *extract.Extractor
}

// NewExtract returns the extract stage.
func NewExtract(x *extract.Extractor) *Extract { return &Extract{x: x} }

// Name implements pipeline.Stage.
func (*Extract) Name() string { return pipeline.Extract }

// Process implements pipeline.Stage.
func (s *Extract) Process(ctx context.Context, items []*store.Item) (pipeline.Outcome, error) {
	type result struct {
		seq   int64
		facts *store.Facts
	}
	var results []result
	failed := map[int64]error{}
	for _, it := range items {
		if it.Document == nil {
			// A record's facts came from its mapping; a watch-list
			// entry's reason may add the organisations it names
			// (watchlist_reason.go).
			if f := reasonItemFacts(it); f != nil {
				results = append(results, result{it.Seq, f})
			}
			continue
		}
		if err := ctx.Err(); err != nil {
			return pipeline.Outcome{}, err
		}
		f, err := s.facts(it)
		if err != nil {
			failed[it.Seq] = err
			continue
		}
		results = append(results, result{it.Seq, f})
	}
	out := pipeline.Outcome{Failed: failed}
	if len(results) > 0 { // records alone: nothing to store (pipeline.Config.LazyDone)
		out.Write = func(ctx context.Context, tx store.Tx) error {
			for _, r := range results {
				if err := tx.SetFacts(ctx, r.seq, r.facts); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return out, nil
}

// entityTypes maps extractor types to entity types; others (dates,
// amounts) are not things and become statements of the events that use
// them.
var entityTypes = map[string]mosaic.EntityType{
	"PER": mosaic.TypePerson, "ORG": mosaic.TypeOrganization, "LOC": mosaic.TypeLocation, "MISC": mosaic.TypeMisc,
	"PHONE": mosaic.TypePhone, "EMAIL": mosaic.TypeEmail, "DOCNUM": mosaic.TypeIdentifier, "VEHREG": mosaic.TypeVehicle, "IBAN": mosaic.TypeIdentifier,
}

// facts converts one document's extraction into facts. Each chain of
// mentions of one referent (joined across aliases) becomes one mention
// whose statements cite every span; relations become links whose evidence
// is the sentence, stored as a statement.
func (s *Extract) facts(it *store.Item) (f *store.Facts, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("extractor failed: %v", r)
		}
	}()
	d := it.Document
	date := d.Published
	if date.IsZero() {
		date = d.Observed
	}
	res := s.x.Extract(d.Text, date)
	f = Facts(d, it.Marking, res)
	HeaderFacts(d, it.Marking, f)
	return f, nil
}

// emailHeaders are the e-mail headers whose addresses become facts.
var emailHeaders = []string{"From", "Sender", "Reply-To", "To", "Cc", "Bcc"}

// HeaderFacts adds the facts an e-mail's headers state: every address is
// an Email mention (with the person named beside it, if any), and the
// sender communicated with every recipient. Their origin is the header.
func HeaderFacts(d *mosaic.Document, marking mosaic.Marking, f *store.Facts) {
	if d.MediaType != "message/rfc822" || len(d.Meta) == 0 {
		return
	}
	seen := map[mosaic.ID]bool{}
	add := func(subject mosaic.ID, t mosaic.EntityType, prop, value, field string) mosaic.ID {
		o := mosaic.Origin{Document: d.ID, Field: field}
		st := mosaic.Statement{ID: mosaic.StatementID(subject, prop, value, o), Subject: subject, Type: t, Prop: prop, Value: value,
			Origin: o, Source: d.Source, Marking: marking, Time: d.Published}
		f.Statements = append(f.Statements, st)
		return st.ID
	}
	mention := func(id mosaic.ID, t mosaic.EntityType, role, caption string) {
		if !seen[id] {
			seen[id] = true
			f.Mentions = append(f.Mentions, mosaic.Mention{ID: id, Type: t, Origin: d.ID, Role: role, Caption: caption, Marking: marking})
		}
	}
	link := func(subj mosaic.ID, pred string, obj mosaic.ID, ev ...mosaic.ID) {
		f.Links = append(f.Links, mosaic.Link{ID: mosaic.LinkID(d.ID, subj, pred, obj), Subject: subj, Predicate: pred, Object: obj,
			Evidence: ev, Confidence: 1, Source: d.Source, Marking: marking, Start: d.Published, End: d.Published})
	}
	type addr struct {
		mention, stmt mosaic.ID
	}
	var from []addr
	var to []addr
	for _, h := range emailHeaders {
		v := d.Meta[h]
		if v == "" {
			continue
		}
		list, err := mail.ParseAddressList(v)
		if err != nil {
			continue // an unparseable header stays in Meta, stated by nobody
		}
		for _, a := range list {
			email := strings.ToLower(a.Address)
			role := "email:" + email
			em := mosaic.MentionID(d.ID, role)
			mention(em, mosaic.TypeEmail, role, email)
			st := add(em, mosaic.TypeEmail, mosaic.PropName, email, "header:"+h)
			if a.Name != "" && a.Name != a.Address {
				prole := "sender:" + email
				pm := mosaic.MentionID(d.ID, prole)
				mention(pm, mosaic.TypePerson, prole, a.Name)
				ps := add(pm, mosaic.TypePerson, mosaic.PropName, a.Name, "header:"+h)
				add(pm, mosaic.TypePerson, mosaic.PropEmail, email, "header:"+h)
				link(pm, "has_email", em, ps, st)
			}
			switch h {
			case "From", "Sender":
				from = append(from, addr{em, st})
			case "To", "Cc", "Bcc":
				to = append(to, addr{em, st})
			}
		}
	}
	done := map[[2]mosaic.ID]bool{}
	for _, a := range from {
		for _, b := range to {
			if a.mention == b.mention || done[[2]mosaic.ID{a.mention, b.mention}] {
				continue
			}
			done[[2]mosaic.ID{a.mention, b.mention}] = true
			link(a.mention, "communicated_with", b.mention, a.stmt, b.stmt)
		}
	}
}

// Facts converts an extraction result on document d into facts.
func Facts(d *mosaic.Document, marking mosaic.Marking, res *extract.Result) *store.Facts {
	n := len(res.Entities)
	// Union chains joined by aliases; identifiers chain by value.
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		if ra, rb := find(a), find(b); ra != rb {
			if ra < rb {
				parent[rb] = ra
			} else {
				parent[ra] = rb
			}
		}
	}
	firstOfChain := map[string]int{}
	for i, e := range res.Entities {
		if _, ok := entityTypes[e.Type]; !ok {
			continue
		}
		key := "c" + strconv.Itoa(e.Cluster)
		if e.Type != "PER" && e.Type != "ORG" && e.Type != "LOC" && e.Type != "MISC" {
			key = e.Type + ":" + strings.ToLower(firstNonEmpty(e.Normalized, e.Text))
		}
		if j, ok := firstOfChain[key]; ok {
			union(i, j)
		} else {
			firstOfChain[key] = i
		}
	}
	isAlias := map[int]bool{}
	for _, a := range res.Aliases {
		if a.Entity >= 0 && a.Entity < n && a.Alias >= 0 && a.Alias < n {
			if _, ok := entityTypes[res.Entities[a.Entity].Type]; ok {
				union(a.Entity, a.Alias)
				isAlias[a.Alias] = true
			}
		}
	}
	// Longest surface form per chain gives the names; shorter ones are
	// recorded as mentions ("Abedi" after "Salman Abedi").
	longest := map[int]int{}
	for i, e := range res.Entities {
		if _, ok := entityTypes[e.Type]; !ok || isAlias[i] {
			continue
		}
		r := find(i)
		if w := len(strings.Fields(e.Text)); w > longest[r] {
			longest[r] = w
		}
	}
	f := &store.Facts{}
	mentionOf := map[int]mosaic.ID{}
	byRoot := map[int]*mosaic.Mention{}
	var roots []int
	add := func(subject mosaic.ID, t mosaic.EntityType, prop, value string, start, end int) mosaic.ID {
		o := mosaic.Origin{Document: d.ID, Start: start, End: end}
		st := mosaic.Statement{ID: mosaic.StatementID(subject, prop, value, o), Subject: subject, Type: t, Prop: prop, Value: value,
			Origin: o, Source: d.Source, Marking: marking, Time: d.Published}
		f.Statements = append(f.Statements, st)
		return st.ID
	}
	for i, e := range res.Entities {
		t, ok := entityTypes[e.Type]
		if !ok {
			continue
		}
		r := find(i)
		m, ok := byRoot[r]
		if !ok {
			m = &mosaic.Mention{ID: mosaic.MentionID(d.ID, "e"+strconv.Itoa(r)), Type: t, Origin: d.ID, Role: "e" + strconv.Itoa(r), Marking: marking}
			byRoot[r] = m
			roots = append(roots, r)
		}
		mentionOf[i] = m.ID
		prop := mosaic.PropName
		switch {
		case isAlias[i]:
			prop = mosaic.PropAlias
		case len(strings.Fields(e.Text)) < longest[r]:
			prop = mosaic.PropMentionText
		}
		value := e.Text
		if e.Normalized != "" && t != mosaic.TypePerson && t != mosaic.TypeOrganization && t != mosaic.TypeLocation {
			value = e.Normalized
		}
		add(m.ID, m.Type, prop, value, e.Start, e.End)
		if prop == mosaic.PropName && m.Caption == "" {
			m.Caption = value
		}
	}
	sort.Ints(roots)
	for _, r := range roots {
		m := byRoot[r]
		if m.Caption == "" {
			m.Caption = res.Entities[r].Text
		}
		f.Mentions = append(f.Mentions, *m)
	}
	sentence := func(sp extract.Span) string {
		if sp.Start < 0 || sp.End > len(d.Text) || sp.Start >= sp.End {
			return ""
		}
		return strings.Join(strings.Fields(d.Text[sp.Start:sp.End]), " ")
	}
	seenLink := map[mosaic.ID]bool{}
	for _, rel := range res.Relations {
		subj, ok := mentionOf[rel.Subject]
		if !ok {
			continue
		}
		st := res.Entities[rel.Subject]
		text := sentence(rel.Evidence)
		if text == "" {
			continue
		}
		if rel.Object < 0 || rel.Object >= n {
			// A relation with no entity object: a title held, an arrest.
			v := rel.Predicate
			if rel.Detail != "" {
				v += ": " + rel.Detail
			}
			add(subj, entityTypes[st.Type], rel.Predicate, v, rel.Evidence.Start, rel.Evidence.End)
			continue
		}
		obj, ok := mentionOf[rel.Object]
		if !ok || obj == subj {
			continue
		}
		ev := add(subj, entityTypes[st.Type], "evidence", text, rel.Evidence.Start, rel.Evidence.End)
		l := mosaic.Link{ID: mosaic.LinkID(d.ID, subj, rel.Predicate, obj), Subject: subj, Predicate: rel.Predicate, Object: obj,
			Evidence: []mosaic.ID{ev}, Confidence: rel.Confidence, Source: d.Source, Marking: marking, Start: d.Published, End: d.Published}
		if seenLink[l.ID] {
			continue
		}
		seenLink[l.ID] = true
		f.Links = append(f.Links, l)
	}
	for i, ev := range res.Events {
		text := sentence(ev.Evidence)
		if text == "" {
			continue
		}
		role := "ev" + strconv.Itoa(i)
		m := mosaic.Mention{ID: mosaic.MentionID(d.ID, role), Type: mosaic.TypeEvent, Origin: d.ID, Role: role, Marking: marking}
		name := ev.Type
		if ev.Date != "" {
			name += " " + ev.Date
		}
		if ev.Place >= 0 && ev.Place < n {
			name += " in " + res.Entities[ev.Place].Text
		}
		m.Caption = name
		f.Mentions = append(f.Mentions, m)
		nameID := add(m.ID, m.Type, mosaic.PropName, name, ev.Trigger.Start, ev.Trigger.End)
		add(m.ID, m.Type, "eventType", ev.Type, ev.Trigger.Start, ev.Trigger.End)
		evidence := add(m.ID, m.Type, "evidence", text, ev.Evidence.Start, ev.Evidence.End)
		var when time.Time
		if ev.Date != "" {
			add(m.ID, m.Type, mosaic.PropDate, ev.Date, ev.Evidence.Start, ev.Evidence.End)
			if t, err := time.Parse("2006-01-02", ev.Date); err == nil {
				when = t
			}
		}
		figures := make([]string, 0, len(ev.Figures))
		for k := range ev.Figures {
			figures = append(figures, k)
		}
		sort.Strings(figures)
		for _, k := range figures {
			add(m.ID, m.Type, k, strconv.Itoa(ev.Figures[k]), ev.Evidence.Start, ev.Evidence.End)
		}
		link := func(subj mosaic.ID, pred string, obj mosaic.ID) {
			l := mosaic.Link{ID: mosaic.LinkID(d.ID, subj, pred, obj), Subject: subj, Predicate: pred, Object: obj,
				Evidence: []mosaic.ID{evidence, nameID}, Confidence: 0.8, Source: d.Source, Marking: marking, Start: when, End: when}
			if !seenLink[l.ID] {
				seenLink[l.ID] = true
				f.Links = append(f.Links, l)
			}
		}
		for _, p := range ev.Participants {
			if pm, ok := mentionOf[p]; ok {
				link(pm, "took_part_in", m.ID)
			}
		}
		if pm, ok := mentionOf[ev.Place]; ok {
			link(m.ID, "located_in", pm)
		}
	}
	return f
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
