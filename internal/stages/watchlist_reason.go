package stages

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Watch-list reasons.
//
// A watch list says why someone is on it in free text ("suspected member
// of Red Harbour Collective", "convicted of preparing acts of terrorism;
// suspected member of RHC"). When that text names an organisation the
// person is said to belong to, the entry's facts get an Organization
// mention and a member_of link from the entry's subject to it, whose
// evidence cites the reason (the organisation's name and the whole text,
// each stated from the reason's field). The resolve stage then places the
// organisation like any other, and its organisation rule (orgContext)
// can use the entry: an entry fitting two namesakes goes to the one said
// elsewhere to belong to the same organisation (orgRecordPass).
//
// Only membership is read, never anything about religion, ethnicity or
// origin: the link says "member of this organisation", as the list does.

// FieldReason is the field of a watch-list record holding the list's
// reason for the entry (the generator's lists, mapped records).
const FieldReason = "reason"

// reasonMembership finds "member of X", "supporter of X", "affiliated
// with X" and "leader of X" in a reason; X runs to the end of its clause.
var reasonMembership = regexp.MustCompile(`(?i)\b(member|supporter|leader)\s+of\s+|\baffiliated\s+(?:with|to)\s+`)

// ReasonMemberships returns the organisations a watch-list reason says
// its subject belongs to, each with the link's predicate (member_of,
// supporter_of, leader_of or affiliated_with), in the order written.
func ReasonMemberships(reason string) (orgs, predicates []string) {
	for _, loc := range reasonMembership.FindAllStringSubmatchIndex(reason, -1) {
		rest := reason[loc[1]:]
		if i := strings.IndexAny(rest, ";,.()\n"); i >= 0 {
			rest = rest[:i]
		}
		name := strings.Join(strings.Fields(rest), " ")
		if low := strings.ToLower(name); strings.HasPrefix(low, "the ") {
			name = name[4:]
		}
		if name == "" || !startsUpper(name) || slices.Contains(orgs, name) {
			continue // "member of a violent group": no name
		}
		pred := "affiliated_with"
		if loc[2] >= 0 {
			pred = strings.ToLower(reason[loc[2]:loc[3]]) + "_of"
		}
		orgs = append(orgs, name)
		predicates = append(predicates, pred)
	}
	return orgs, predicates
}

func startsUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r) || unicode.IsDigit(r)
	}
	return false
}

// reasonOrgRole is the role of an organisation mention read from a
// reason (numbered: "reason_organisation-1").
const reasonOrgRole = "reason_organisation"

// reasonConfidence is the confidence of a link read from a watch list's
// reason: the list says "suspected".
const reasonConfidence = 0.6

// AddReasonFacts adds to f, the facts of the watch-list record rec whose
// subject is the person mention subject, the organisations the reason
// text (read from field of rec) says the subject belongs to: an
// Organization mention per organisation, stating its name and the reason
// as written, and a link from the subject citing both. It reports
// whether it added anything; facts that already hold the links are left
// alone.
func AddReasonFacts(rec *mosaic.Record, f *store.Facts, subject mosaic.ID, field, reason string, marking mosaic.Marking) bool {
	orgs, preds := ReasonMemberships(reason)
	if len(orgs) == 0 || f == nil {
		return false
	}
	added := false
	for k, name := range orgs {
		role := reasonOrgRole + "-" + itoaSmall(k+1)
		m := mosaic.MentionID(rec.ID, role)
		if slices.ContainsFunc(f.Mentions, func(x mosaic.Mention) bool { return x.ID == m }) {
			continue
		}
		o := mosaic.Origin{Record: rec.ID, Field: field}
		stmt := func(subj mosaic.ID, prop, v string) mosaic.ID {
			st := mosaic.Statement{ID: mosaic.StatementID(subj, prop, v, o), Subject: subj, Type: mosaic.TypeOrganization,
				Prop: prop, Value: v, Origin: o, Source: rec.Source, Marking: marking}
			f.Statements = append(f.Statements, st)
			return st.ID
		}
		f.Mentions = append(f.Mentions, mosaic.Mention{ID: m, Type: mosaic.TypeOrganization, Origin: rec.ID, Role: role, Caption: name, Marking: marking})
		nameSt := stmt(m, mosaic.PropName, name)
		textSt := stmt(m, mosaic.PropMentionText, reason)
		f.Links = append(f.Links, mosaic.Link{ID: mosaic.LinkID(rec.ID, subject, preds[k], m), Subject: subject, Predicate: preds[k], Object: m,
			Evidence: []mosaic.ID{nameSt, textSt}, Confidence: reasonConfidence, Source: rec.Source, Marking: marking})
		added = true
	}
	return added
}

func itoaSmall(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoaSmall(n/10) + string(rune('0'+n%10))
}

// reasonItemFacts returns the facts of a watch-list record item with the
// organisations its reason names added (a copy), or nil when there are
// none to add.
func reasonItemFacts(it *store.Item) *store.Facts {
	if it.Record == nil || it.Record.Kind != mosaic.KindWatchlistEntry || it.Facts == nil {
		return nil
	}
	reason := it.Record.Fields[FieldReason]
	if reason == "" {
		return nil
	}
	var subject mosaic.ID
	for _, m := range it.Facts.Mentions {
		if m.Type == mosaic.TypePerson {
			subject = m.ID
			break
		}
	}
	if subject == "" {
		return nil
	}
	f := &store.Facts{
		Mentions:   slices.Clone(it.Facts.Mentions),
		Statements: slices.Clone(it.Facts.Statements),
		Links:      slices.Clone(it.Facts.Links),
	}
	if !AddReasonFacts(it.Record, f, subject, FieldReason, reason, it.Marking) {
		return nil
	}
	return f
}

// Organisation names and their acronyms.

// orgStopWords are the words an acronym skips ("Sons of the Fallen Gate",
// SFG).
var orgStopWords = map[string]bool{"the": true, "of": true, "and": true, "for": true, "a": true, "an": true}

// isAcronym reports whether name is written as an acronym: one word of 2
// to 6 capital letters (dots allowed: "R.H.C.").
func isAcronym(name string) bool {
	w := strings.ReplaceAll(strings.TrimSpace(name), ".", "")
	if len(w) < 2 || len(w) > 6 {
		return false
	}
	for _, r := range w {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// initials returns the capitalised first letters of a name's words,
// stop words left out ("Red Harbour Collective": RHC), or "" for a name
// of fewer than two such words.
func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' }) {
		if orgStopWords[strings.ToLower(w)] {
			continue
		}
		for _, r := range w {
			b.WriteRune(unicode.ToUpper(r))
			break
		}
	}
	if b.Len() < 2 {
		return ""
	}
	return b.String()
}

// acronymOf reports whether one of two organisation names is an acronym
// of the other ("RHC", "Red Harbour Collective"). Two full names with the
// same initials are not matched.
func acronymOf(a, b string) bool {
	switch {
	case isAcronym(a) && !isAcronym(b):
		return strings.ReplaceAll(strings.TrimSpace(a), ".", "") == initials(b)
	case isAcronym(b) && !isAcronym(a):
		return strings.ReplaceAll(strings.TrimSpace(b), ".", "") == initials(a)
	}
	return false
}

// isReasonOrg reports whether m is an organisation mention a watch-list
// reason added (AddReasonFacts).
func isReasonOrg(it *store.Item, m mosaic.Mention) bool {
	return it.Record != nil && it.Record.Kind == mosaic.KindWatchlistEntry && m.Type == mosaic.TypeOrganization && strings.HasPrefix(m.Role, reasonOrgRole+"-")
}
