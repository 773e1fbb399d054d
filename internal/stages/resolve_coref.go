package stages

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Document coreference.
//
// A report names a person in full once and then by a shorter or garbled
// form: "Bogdan Makarov ... Makarov ...", "B. Makarov ... Bogdn Makarov",
// "Vázquez S." beside "Sergio Vázquez". The extractor chains some of these
// (a repeated surname), not all: what it leaves as separate mentions the
// engine sees as separate records, and a surname or an initial alone
// cannot be matched across documents safely. Within one document the
// question is much easier: if exactly one fuller name of the document
// fits the short form, that is who it stands for.
//
// docCoref links each person mention of a document to the fullest
// mention of the document it can stand for, when that is unambiguous:
//
//   - the short form's tokens (canonical, as the engine sees them) fit
//     the fuller name's: every whole word equals a distinct word of it, or
//     is a spelling variant or a one-letter slip of one (words of four
//     letters or more), or is two of its words run together; every initial
//     is the first letter of a distinct remaining word; at least one whole
//     word is needed (initials alone say too little);
//   - mentions are taken fullest first (most whole words, then most
//     words, then order in the document), and a mention joins the group of
//     the fuller mentions it fits only if they all belong to one group:
//     "Makarov" in a report naming "Bogdan Makarov" and "Irina Makarova"
//     stays alone.
//
// The link goes to the engine as Record.Coref with its evidence, so the
// two mentions are one entity whatever their scores, and an analyst can
// still split them.

// corefMention is a person mention of one document with its name's tokens.
type corefMention struct {
	id    mosaic.ID
	name  string
	toks  []string
	whole int // tokens longer than one letter
	first int // offset of its first span in the document
}

// docCoref returns the context links of the person mentions of a document
// item (none for records).
func docCoref(it *store.Item, namer resolve.Namer) map[mosaic.ID]resolve.Coref {
	if it.Document == nil || it.Facts == nil {
		return nil
	}
	var ms []*corefMention
	for _, m := range it.Facts.Mentions {
		if m.Type != mosaic.TypePerson {
			continue
		}
		cm := &corefMention{id: m.ID, first: -1}
		for _, st := range it.Facts.StatementsOf(m.ID) {
			if st.Prop != mosaic.PropName && st.Prop != mosaic.PropMentionText && st.Prop != mosaic.PropAlias {
				continue
			}
			if cm.first < 0 || st.Origin.Start < cm.first {
				cm.first = st.Origin.Start
			}
			if st.Prop != mosaic.PropName {
				continue
			}
			toks := namer.Tokens(st.Value, resolve.TypePerson)
			if len(toks) > len(cm.toks) {
				cm.name, cm.toks = st.Value, toks
			}
		}
		if len(cm.toks) == 0 {
			continue
		}
		for _, t := range cm.toks {
			if len(t) > 1 {
				cm.whole++
			}
		}
		if cm.whole == 0 {
			continue
		}
		ms = append(ms, cm)
	}
	if len(ms) < 2 {
		return nil
	}
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.whole != b.whole {
			return a.whole > b.whole
		}
		if len(a.toks) != len(b.toks) {
			return len(a.toks) > len(b.toks)
		}
		if a.first != b.first {
			return a.first < b.first
		}
		return a.id < b.id
	})
	group := make([]int, len(ms)) // index of the group's first (fullest) mention
	out := map[mosaic.ID]resolve.Coref{}
	doc := it.Document.Path
	if doc == "" {
		doc = string(it.Document.ID)
	}
	doc = path.Base(doc)
	for i, s := range ms {
		group[i] = i
		target := -1
		ambiguous := false
		for j := range i {
			if !fits(s.toks, ms[j].toks) {
				continue
			}
			switch g := group[j]; {
			case target < 0:
				target = g
			case target != g:
				ambiguous = true
			}
		}
		if target < 0 || ambiguous {
			continue
		}
		group[i] = target
		out[s.id] = resolve.Coref{
			Record:   string(ms[target].id),
			Evidence: fmt.Sprintf("in %s, %q stands for %q, the only person named there that it fits", doc, s.name, ms[target].name),
		}
	}
	return out
}

// fits reports whether the tokens of a short form fit those of a fuller
// name (see docCoref).
func fits(short, full []string) bool {
	if len(short) == 0 {
		return false
	}
	used := make([]bool, len(full))
	whole := 0
	// Whole words first, exact matches before looser ones.
	for pass := 0; pass < 2; pass++ {
		for _, t := range short {
			if len(t) < 2 || (pass == 0) != contains(full, t) {
				continue
			}
			k := -1
			for j, f := range full {
				if used[j] || len(f) < 2 {
					continue
				}
				if t == f || pass == 1 && wordFits(t, f) {
					k = j
					break
				}
			}
			if k < 0 && pass == 1 {
				// Two adjacent words run together ("vasquezrodriguez").
				for j := 0; j+1 < len(full); j++ {
					if !used[j] && !used[j+1] && len(full[j]) > 1 && len(full[j+1]) > 1 && len(t) >= 8 && names.EditDistance(t, full[j]+full[j+1]) <= 2 {
						used[j], used[j+1] = true, true
						k = -2
						break
					}
				}
			}
			if k == -1 {
				return false
			}
			if k >= 0 {
				used[k] = true
			}
			whole++
		}
	}
	if whole == 0 {
		return false
	}
	for _, t := range short {
		if len(t) != 1 {
			continue
		}
		k := -1
		for j, f := range full {
			if !used[j] && f[0] == t[0] {
				k = j
				break
			}
		}
		if k < 0 {
			return false
		}
		used[k] = true
	}
	return true
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// wordFits reports whether two different whole words are spellings of one
// name: variants the name tables know, the same phonetic key with the same
// first letter, or one slip (an insertion, deletion, substitution or swap)
// in words of four letters or more.
func wordFits(a, b string) bool {
	if names.SameGroup(a, b) {
		return true
	}
	if a[0] == b[0] && names.Key(a) == names.Key(b) {
		return true
	}
	return len(a) >= 4 && len(b) >= 4 && names.EditDistance(a, b) <= 1
}

// withCoref adds a mention's context link to its engine record.
func withCoref(rec resolve.Record, links map[mosaic.ID]resolve.Coref) resolve.Record {
	if c, ok := links[mosaic.ID(rec.ID)]; ok {
		rec.Coref = append(rec.Coref, c)
	}
	return rec
}

// Context across documents.
//
// A name-only mention of a report that the engine could not place (its
// name fits several entities, "Samira Jafari" beside a second "Samira
// Jafari" known apart by another phone) may still be placed by the company
// it keeps: if exactly one of the identified entities its name fits (one
// holding records) has been seen with a person this document also names,
// in another item or through a call between their phones, the mention is
// that entity (and any entity of report mentions alone seen with them
// too). The choice is asserted to the engine as a context link (AddCoref)
// carrying that evidence.

// maxContextMembers bounds the entities whose co-occurrences the context
// pass reads (a bigger one is a hub, not a person).
const maxContextMembers = 500

// noteItem records which item each engine record of it came from, and the
// person records of items naming two or more people. s.mu is held.
func (s *Resolve) noteItem(it *store.Item, people []string) {
	if s.recItem == nil {
		s.recItem = map[string]int64{}
		s.itemPeople = map[int64][]string{}
		s.docItem = map[int64]bool{}
		s.recPhones = map[string][]string{}
		s.calls = map[string][]string{}
		s.orgMembers = map[string][]string{}
		s.orgCaption = map[string]string{}
		s.memberCaption = map[string]string{}
		s.memberWhere = map[string]string{}
		s.memberOrgs = map[string][]string{}
		s.keyRecs = map[string][]string{}
		s.recKeys = map[string][]string{}
		s.phoneRecs = map[string][]string{}
		s.recCaption = map[string]string{}
	}
	seq := it.Seq
	if it.Document != nil {
		s.docItem[seq] = true
	}
	// Only records of documents and of items naming several people are
	// kept: the context pass reads no other (a record missing here is
	// from a record item, so no report mention).
	if it.Document != nil || len(people) > 1 {
		for _, r := range people {
			s.recItem[r] = seq
		}
	}
	if len(people) > 1 {
		s.itemPeople[seq] = people
	}
	if it.Facts == nil {
		return
	}
	isPerson := map[mosaic.ID]bool{}
	for _, r := range people {
		isPerson[mosaic.ID(r)] = true
	}
	phones := map[mosaic.ID]string{}
	for _, m := range it.Facts.Mentions {
		if m.Type == mosaic.TypePhone && m.Caption != "" {
			phones[m.ID] = NormalizeKey(mosaic.TypePhone, m.Caption)
		}
	}
	for _, st := range it.Facts.Statements {
		if st.Prop == mosaic.PropPhone && isPerson[st.Subject] {
			if k := NormalizeKey(mosaic.TypePhone, st.Value); k != "" && !slices.Contains(s.recPhones[string(st.Subject)], k) {
				s.recPhones[string(st.Subject)] = append(s.recPhones[string(st.Subject)], k)
				if len(s.phoneRecs[k]) <= maxHolders {
					s.phoneRecs[k] = append(s.phoneRecs[k], string(st.Subject))
				}
			}
		}
	}
	// The things a person record shares with others: a flight on a
	// day, a booking.
	captionOf := map[mosaic.ID]mosaic.Mention{}
	for _, m := range it.Facts.Mentions {
		captionOf[m.ID] = m
		if isPerson[m.ID] {
			s.recCaption[string(m.ID)] = m.Caption
		}
	}
	for _, l := range it.Facts.Links {
		if !sharedPredicates[l.Predicate] || !isPerson[l.Subject] {
			continue
		}
		o := captionOf[l.Object]
		if o.Caption == "" {
			continue
		}
		k := l.Predicate + "\x00" + NormalizeKey(o.Type, o.Caption)
		r := string(l.Subject)
		if slices.Contains(s.recKeys[r], k) {
			continue
		}
		s.recKeys[r] = append(s.recKeys[r], k)
		if len(s.keyRecs[k]) <= maxShared {
			s.keyRecs[k] = append(s.keyRecs[k], r)
		}
	}
	orgs := map[mosaic.ID]string{} // organisation mentions -> caption
	personCaption := map[mosaic.ID]string{}
	for _, m := range it.Facts.Mentions {
		switch {
		case m.Type == mosaic.TypeOrganization:
			orgs[m.ID] = m.Caption
			if m.Caption == "" {
				orgs[m.ID] = string(m.ID)
			}
		case isPerson[m.ID]:
			personCaption[m.ID] = m.Caption
		}
	}
	for _, l := range it.Facts.Links {
		if memberPredicates[l.Predicate] && isPerson[l.Subject] && orgs[l.Object] != "" {
			o, p := string(l.Object), string(l.Subject)
			if !slices.Contains(s.orgMembers[o], p) {
				s.orgMembers[o] = append(s.orgMembers[o], p)
			}
			s.orgCaption[o] = orgs[l.Object]
			s.memberCaption[p] = personCaption[l.Subject]
			if it.Document == nil && it.Record != nil {
				// A record said to belong (a watch-list entry's
				// reason): orgRecordPass may place it.
				if _, ok := s.memberWhere[p]; !ok {
					s.memberRecords = append(s.memberRecords, p)
				}
				s.memberWhere[p] = recordWhere(it.Record)
				if !slices.Contains(s.memberOrgs[p], o) {
					s.memberOrgs[p] = append(s.memberOrgs[p], o)
				}
			}
			continue
		}
		if l.Predicate != "communicated_with" {
			continue
		}
		a, b := phones[l.Subject], phones[l.Object]
		if a == "" || b == "" || a == b {
			continue
		}
		s.addCall(a, b)
		s.addCall(b, a)
	}
}

// sharedPredicates are the links from a person record to a thing that
// puts the people linked to it together (a flight on a day, a booking).
var sharedPredicates = map[string]bool{"travelled_on": true, "booked_under": true}

// maxShared: a flight or booking of more person records than this is a
// hub (a charter, a group booking) that says nothing about who knows whom;
// maxHolders: the same for the person records stating one phone.
const (
	maxShared  = 8
	maxHolders = 8
)

// company returns the entities the entity cluster was seen with, each
// with the record of it that was: people named in the same item (a
// prisoner and the visitor, a report's people), on the same flight on the
// same day or booking, and the holders of phones its phones were in
// contact with. Hubs (a thing shared by more than maxShared records, a
// phone in contact with more than maxContacts phones or stated by more
// than maxHolders records) count for nothing. s.mu is held.
func (s *Resolve) company(cluster string, skipPhones map[string]bool) (map[string]companion, error) {
	members, in, err := s.contextMembers(cluster)
	if err != nil || members == nil {
		return nil, err
	}
	out := map[string]companion{}
	add := func(r, how string) {
		if in[r] {
			return
		}
		c, err := s.eng.Cluster(r)
		if err != nil || c == cluster {
			return
		}
		if old, ok := out[c]; !ok || r < old.record {
			out[c] = companion{r, how}
		}
	}
	for _, m := range members {
		if seq, ok := s.recItem[m]; ok {
			for _, o := range s.itemPeople[seq] {
				add(o, "named in the same item")
			}
		}
		for _, k := range s.recKeys[m] {
			if rs := s.keyRecs[k]; len(rs) <= maxShared {
				pred, thing, _ := strings.Cut(k, "\x00")
				how := "under the same booking " + strings.TrimPrefix(thing, "booking ")
				if pred == "travelled_on" {
					how = "on the same flight " + thing
				}
				for _, o := range rs {
					add(o, how)
				}
			}
		}
		for _, ph := range s.recPhones[m] {
			if len(s.calls[ph]) > maxContacts || skipPhones[ph] {
				continue
			}
			for _, x := range s.calls[ph] {
				if rs := s.phoneRecs[x]; len(rs) <= maxHolders {
					for _, o := range rs {
						add(o, "in contact by phone")
					}
				}
			}
		}
	}
	return out, nil
}

// companion is a record of an entity another was seen with, and how.
type companion struct{ record, how string }

// weakCand is an entity that a fragment's records link to weakly, with
// the record and probability of the best such link.
type weakCand struct {
	cluster, record string
	p               float64
}

// weakCandidates returns the entities other than own that the records
// members link to weakly, in the order first met, each with its best
// link.
func (s *Resolve) weakCandidates(own string, members []string) ([]weakCand, error) {
	var cands []weakCand
	seen := map[string]int{}
	for _, m := range members {
		links, err := s.eng.WeakLinks(m)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			if l.Cluster == own {
				continue
			}
			if k, ok := seen[l.Cluster]; ok {
				if l.Probability > cands[k].p {
					cands[k] = weakCand{l.Cluster, l.Record, l.Probability}
				}
				continue
			}
			seen[l.Cluster] = len(cands)
			cands = append(cands, weakCand{l.Cluster, l.Record, l.Probability})
		}
	}
	return cands, nil
}

// recordFragment returns the entity of engine record r and its members
// if it is a small fragment of records alone (at most limit, none from a
// document) not yet in done, which it then joins; ok is false
// otherwise.
func (s *Resolve) recordFragment(r string, done map[string]bool, limit int) (own string, members []string, ok bool, err error) {
	own, err = s.eng.Cluster(r)
	if err != nil || done[own] {
		return "", nil, false, nil
	}
	done[own] = true
	members, err = s.eng.Members(own)
	if err != nil {
		return "", nil, false, err
	}
	if len(members) > limit {
		return "", nil, false, nil
	}
	for _, m := range members {
		if seq, ok := s.recItem[m]; ok && s.docItem[seq] {
			return "", nil, false, nil
		}
	}
	return own, members, true, nil
}

// recordChoice is the context pass for a record on its own (its entity
// own, its records members): of the entities holding records that its
// weak or strong links reach, the one seen with someone it was seen with
// (or under the same booking as it), when exactly one is; a candidate
// reached only through report mentions may rival but is not chosen. It returns that
// entity's linked record and the evidence, or "" when none or several
// are. s.mu is held.
func (s *Resolve) recordChoice(own string, members []string) (string, string, error) {
	type cand struct {
		cluster, record string
		p               float64
		fromRecord      bool // a link to a record, not only to report mentions
	}
	var cands []cand
	seen := map[string]int{}
	for _, m := range members {
		links, err := s.eng.WeakLinks(m)
		if err != nil {
			return "", "", err
		}
		for _, l := range links {
			if l.Cluster == own {
				continue
			}
			seq, ok := s.recItem[l.Record]
			fromRecord := !ok || !s.docItem[seq]
			if k, ok := seen[l.Cluster]; ok {
				if l.Probability > cands[k].p {
					cands[k].record, cands[k].p = l.Record, l.Probability
				}
				cands[k].fromRecord = cands[k].fromRecord || fromRecord
				continue
			}
			seen[l.Cluster] = len(cands)
			cands = append(cands, cand{l.Cluster, l.Record, l.Probability, fromRecord})
		}
	}
	if len(cands) == 0 {
		return "", "", nil
	}
	mine, err := s.company(own, nil)
	// A phone the candidate states too is the engine's evidence, already
	// weighed: its contacts say nothing more.
	phones := map[string]bool{}
	for _, m := range members {
		for _, ph := range s.recPhones[m] {
			phones[ph] = true
		}
	}
	if err != nil || len(mine) == 0 {
		s.debugf("record context %q: candidates %v, no company", s.recCaption[members[0]], cands)
		return "", "", err
	}
	s.debugf("record context %q: candidates %v, company %v", s.recCaption[members[0]], cands, mine)
	chosen, evidence := -1, ""
	for k, c := range cands {
		docOnly, err := s.documentsOnly(c.cluster)
		if err != nil {
			return "", "", err
		}
		if docOnly {
			continue
		}
		var why string
		if w, ok := mine[c.cluster]; ok && strings.HasPrefix(w.how, "under the same booking") {
			// Seen with the candidate itself: only a booking counts (a
			// journey out and back). A call or a flight together is a
			// relative's or a companion's, not the person's own.
			why = fmt.Sprintf("%s was %s as %q of this entity", s.describe(members[0]), w.how, s.recCaption[w.record])
		} else {
			theirs, err := s.company(c.cluster, phones)
			if err != nil {
				return "", "", err
			}
			var with []string
			for x, w := range mine {
				if x == own {
					continue
				}
				if v, ok := theirs[x]; ok {
					with = append(with, fmt.Sprintf("%q (%s; this entity: %s)", s.recCaption[w.record], w.how, v.how))
				}
			}
			if len(with) == 0 {
				s.debugf("  %v: company %d, none shared", c, len(theirs))
				continue
			}
			sort.Strings(with)
			why = fmt.Sprintf("%s was seen with %s, also seen with this entity", s.describe(members[0]), quoteList(with))
		}
		s.debugf("  %v: %s", c, why)
		if chosen >= 0 {
			return "", "", nil // two identified candidates keep its company
		}
		chosen = k
		evidence = fmt.Sprintf("%s; of the %d entities the name fits, no other holding records is", why, len(cands))
	}
	if chosen < 0 || !cands[chosen].fromRecord {
		// A candidate the record reaches only through a report's
		// mention (a name, which fits anything the record does not
		// contradict) rivals the others but is not chosen.
		return "", "", nil
	}
	return cands[chosen].record, evidence, nil
}

// maxFragment: the record context pass places entities of at most this
// many records (all from records, none from reports). At 2 or 3 it also
// joins a person's first records, in the stream, to a namesake who keeps
// the same company: pairwise precision fell by up to 0.007 on the tuning
// worlds (docs/benchmarks/resolve.md).
const maxFragment = 1

// maxOrgFragment is maxFragment for the organisation rule
// (orgRecordPass): a watch-list entry that has joined a record of its own
// (the same name and date of birth, a passport-office record) is still
// placed by the organisation its reason names, which a fragment of one
// record would leave apart (docs/benchmarks/resolve.md, "Watch-list
// entries with a record of their own"). A variable for tests.
var maxOrgFragment = 2

// recordPass is the context pass for records on their own after an item:
// the entities of at most maxFragment records, none from a report, among
// the item's people, among the people whose company the item changed
// (those on the same flight or booking, holders of the phones in contact
// with theirs, or for a communication the holders of its two phones), and
// among the company of all those (whose company's company changed), are
// placed by the company they keep (recordChoice). It runs after record
// items and, for the company of the people a report names, after the
// report's own context pass. s.mu is held.
func (s *Resolve) recordPass(it *store.Item, people []string) ([]resolve.Move, error) {
	if s.noRecordContext || it.Facts == nil {
		return nil, nil
	}
	var seeds []string
	holders := func(ph string) {
		if rs := s.phoneRecs[ph]; len(rs) <= maxHolders {
			seeds = append(seeds, rs...)
		}
	}
	seeds = append(seeds, people...)
	for _, r := range people {
		for _, k := range s.recKeys[r] {
			if rs := s.keyRecs[k]; len(rs) <= maxShared {
				seeds = append(seeds, rs...)
			}
		}
		for _, ph := range s.recPhones[r] {
			if len(s.calls[ph]) > maxContacts {
				continue
			}
			for _, x := range s.calls[ph] {
				holders(x)
			}
		}
	}
	for _, l := range it.Facts.Links {
		if l.Predicate != "communicated_with" {
			continue
		}
		for _, m := range it.Facts.Mentions {
			if m.Type == mosaic.TypePhone && (m.ID == l.Subject || m.ID == l.Object) {
				holders(NormalizeKey(mosaic.TypePhone, m.Caption))
			}
		}
	}
	{
		// Those whose company's company changed: a record on its own
		// seen with someone who is now seen with a candidate of its.
		seen := map[string]bool{}
		for _, r := range slices.Clone(seeds) {
			c, err := s.eng.Cluster(r)
			if err != nil || seen[c] {
				continue
			}
			seen[c] = true
			comp, err := s.company(c, nil)
			if err != nil {
				return nil, err
			}
			near := make([]string, 0, len(comp))
			for _, w := range comp {
				near = append(near, w.record)
			}
			sort.Strings(near)
			seeds = append(seeds, near...)
		}
	}
	var moves []resolve.Move
	done := map[string]bool{}
	for _, r := range seeds {
		own, members, ok, err := s.recordFragment(r, done, maxFragment)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		target, why, err := s.recordChoice(own, members)
		if err != nil {
			return nil, err
		}
		if target == "" {
			continue
		}
		mv, err := s.eng.AddCoref(members[0], resolve.Coref{Record: target, Evidence: why})
		if err != nil {
			return nil, err
		}
		s.debugf("  linked %s -> %s: %d moves", members[0], target, len(mv))
		moves = append(moves, mv...)
	}
	return moves, nil
}

// describe names a record for evidence: its caption and source record.
func (s *Resolve) describe(r string) string {
	return fmt.Sprintf("%q", s.recCaption[r])
}

// maxContacts: a phone in contact with more phones than this is a hub (a
// switchboard, a shop) whose contacts say nothing about who its holder
// knows; the context pass ignores it.
const maxContacts = 200

// addCall records that phone a was in contact with phone b (once; a hub's
// list stops growing past maxContacts).
func (s *Resolve) addCall(a, b string) {
	if len(s.calls[a]) > maxContacts {
		return
	}
	for _, x := range s.calls[a] {
		if x == b {
			return
		}
	}
	s.calls[a] = append(s.calls[a], b)
}

// contextPass places the person mentions of a document that are still on
// their own (their entity holds nothing from other items) by the people
// the document names with them (see above). people are the engine records
// of the item's person mentions. s.mu is held.
func (s *Resolve) contextPass(it *store.Item, people []string) ([]resolve.Move, error) {
	if it.Document == nil || len(people) == 0 {
		return nil, nil
	}

	doc := path.Base(it.Document.Path)
	if it.Document.Path == "" {
		doc = string(it.Document.ID)
	}
	inItem := map[string]bool{}
	for _, r := range people {
		inItem[r] = true
	}
	captions := map[string]string{}
	for _, m := range it.Facts.Mentions {
		captions[string(m.ID)] = m.Caption
	}
	var moves []resolve.Move
	done := map[string]bool{} // clusters handled
	for _, r := range people {
		own, err := s.eng.Cluster(r)
		if err != nil || done[own] {
			continue
		}
		done[own] = true
		members, err := s.eng.Members(own)
		if err != nil {
			return nil, err
		}
		alone := true
		for _, m := range members {
			if !inItem[m] {
				alone = false
				break
			}
		}
		if !alone {
			continue
		}
		s.debugf("context: %s %q", doc, captions[members[0]])
		// Candidate entities: those the chain's records link to.
		cands, err := s.weakCandidates(own, members)
		if err != nil {
			return nil, err
		}
		seen := make(map[string]bool, len(cands))
		for _, c := range cands {
			seen[c.cluster] = true
		}
		s.debugf("  candidates %v", cands)
		if len(cands) == 0 {
			continue
		}
		// The entities of the other people the document names. One that
		// only reports name (nothing placed it yet) stands for the
		// entities its name fits: a candidate seen with one of those was
		// seen with someone of that name, who fits too.
		named := map[string]string{} // cluster -> a caption
		for _, o := range people {
			c, err := s.eng.Cluster(o)
			if err != nil || c == own {
				continue
			}
			if _, ok := named[c]; !ok {
				named[c] = captions[o]
			}
			docOnly, err := s.documentsOnly(c)
			if err != nil {
				return nil, err
			}
			if !docOnly {
				continue
			}
			links, err := s.eng.WeakLinks(o)
			if err != nil {
				return nil, err
			}
			for _, l := range links {
				if _, ok := seen[l.Cluster]; ok || l.Cluster == own {
					continue // one of this mention's own candidates
				}
				if _, ok := named[l.Cluster]; !ok {
					named[l.Cluster] = captions[o]
				}
			}
		}
		// Which of them each candidate was seen with, in other items. At
		// most one of those seen with them may hold records (which can
		// identify a person); the others, if any, are mentions of reports
		// no record backs, which nothing tells apart from it: the mention
		// joins them all.
		var chosen []int
		var evidence []string
		identified := 0
		for k, c := range cands {
			if len(named) == 0 {
				break
			}
			with, err := s.seenWith(c.cluster, it.Seq, named)
			if err != nil {
				return nil, err
			}
			s.debugf("  %v seen with %v", c, with)
			if len(with) == 0 {
				continue
			}
			docOnly, err := s.documentsOnly(c.cluster)
			if err != nil {
				return nil, err
			}
			if !docOnly {
				identified++
			}
			sort.Strings(with)
			chosen = append(chosen, k)
			evidence = append(evidence, fmt.Sprintf("%q in %s is named with %s, also seen with this entity elsewhere; of the %d entities the name fits, no other holding records is",
				captions[members[0]], doc, quoteList(with), len(cands)))
		}
		s.debugf("  chosen %v identified %d", chosen, identified)
		if identified > 1 {
			// A candidate the name only loosely fits ("B. Nur" for
			// "Bashir Nur") does not rival one it fits well.
			var best float64
			for _, k := range chosen {
				best = max(best, cands[k].p)
			}
			if best >= wellFit {
				var keep []int
				var kept []string
				identified = 0
				for n, k := range chosen {
					if cands[k].p < looseFit {
						continue
					}
					docOnly, err := s.documentsOnly(cands[k].cluster)
					if err != nil {
						return nil, err
					}
					if !docOnly {
						identified++
					}
					keep = append(keep, k)
					kept = append(kept, strings.Replace(evidence[n], "no other holding records is", fmt.Sprintf("no other holding records fits the name better than p=%.2f", looseFit), 1))
				}
				chosen, evidence = keep, kept
				s.debugf("  well-fitting: chosen %v identified %d", chosen, identified)
			}
		}
		if len(chosen) == 0 || identified > 1 {
			// Nobody the document names tells the candidates apart (or
			// several of them are seen with those it names): the
			// organisation it says the person belongs to may.
			pool := chosen
			if len(pool) == 0 {
				pool = make([]int, len(cands))
				for k := range cands {
					pool[k] = k
				}
			}
			clusters := make([]string, len(pool))
			for n, k := range pool {
				clusters[n] = cands[k].cluster
			}
			oc, oe, oi, err := s.orgContext(it.Seq, own, members, clusters, len(cands), captions[members[0]], doc, false)
			if err != nil {
				return nil, err
			}
			s.debugf("  by organisation among %v: chosen %v identified %d", pool, oc, oi)
			if len(oc) > 0 && oi <= 1 {
				chosen, evidence, identified = nil, nil, oi
				for n, i := range oc {
					chosen = append(chosen, pool[i])
					evidence = append(evidence, oe[n])
				}
			}
		}
		if len(chosen) == 0 || identified > 1 {
			continue
		}
		for n, k := range chosen {
			w := cands[k]
			mv, err := s.eng.AddCoref(members[0], resolve.Coref{
				Record:   w.record,
				Evidence: evidence[n],
			})
			if err != nil {
				return nil, err
			}
			s.debugf("  linked %s -> %s: %d moves", members[0], w.record, len(mv))
			moves = append(moves, mv...)
		}
	}
	return moves, nil
}

// runContext runs the context pass on an item once: a redelivered item
// had it already, unless that delivery failed before reaching it. s.mu is
// held.
func (s *Resolve) runContext(it *store.Item, people []string) ([]resolve.Move, error) {
	if s.passed[it.Seq] {
		return nil, nil
	}
	var moves []resolve.Move
	var err error
	if it.Document != nil {
		moves, err = s.contextPass(it, people)
		if err == nil {
			// The people it names are now seen with each other: records
			// on their own in their company may be placed.
			var more []resolve.Move
			more, err = s.recordPass(it, people)
			moves = append(moves, more...)
		}
	} else {
		moves, err = s.recordPass(it, people)
	}
	if err == nil {
		var more []resolve.Move
		more, err = s.orgRecordPass(it)
		moves = append(moves, more...)
	}
	if err != nil {
		return nil, err
	}
	if s.passed == nil {
		s.passed = map[int64]bool{}
	}
	s.passed[it.Seq] = true
	return moves, nil
}

// contextMembers returns the records of an entity cluster, as a list and
// a set, or nil when it holds more than maxContextMembers (too large to
// be anyone's company). s.mu is held.
func (s *Resolve) contextMembers(cluster string) ([]string, map[string]bool, error) {
	members, err := s.eng.Members(cluster)
	if err != nil || len(members) > maxContextMembers {
		return nil, nil, err
	}
	in := make(map[string]bool, len(members))
	for _, m := range members {
		in[m] = true
	}
	return members, in, nil
}

// seenWith returns the captions of the entities of named that the
// entity cluster was seen with in items other than skip.
func (s *Resolve) seenWith(cluster string, skip int64, named map[string]string) ([]string, error) {
	members, in, err := s.contextMembers(cluster)
	if err != nil || members == nil {
		return nil, err
	}
	found := map[string]bool{}
	for _, m := range members {
		seq, ok := s.recItem[m]
		if !ok || seq == skip {
			continue
		}
		for _, o := range s.itemPeople[seq] {
			if in[o] {
				continue
			}
			c, err := s.eng.Cluster(o)
			if err != nil {
				continue
			}
			if _, ok := named[c]; ok {
				found[c] = true
			}
		}
	}
	// Calls between the entity's phones and theirs.
	var contacts map[string]bool
	for _, m := range members {
		for _, ph := range s.recPhones[m] {
			if len(s.calls[ph]) > maxContacts {
				continue
			}
			for _, x := range s.calls[ph] {
				if contacts == nil {
					contacts = map[string]bool{}
				}
				contacts[x] = true
			}
		}
	}
	if len(contacts) > 0 {
		for c := range named {
			if found[c] {
				continue
			}
			theirs, err := s.eng.Members(c)
			if err != nil || len(theirs) > maxContextMembers {
				continue
			}
		phones:
			for _, m := range theirs {
				for _, ph := range s.recPhones[m] {
					if contacts[ph] {
						found[c] = true
						break phones
					}
				}
			}
		}
	}
	out := make([]string, 0, len(found))
	for c := range found {
		out = append(out, fmt.Sprintf("%q", named[c]))
	}
	return out, nil
}

func quoteList(q []string) string {
	switch len(q) {
	case 0:
		return "nobody"
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// documentsOnly reports whether every record of an entity comes from a
// document (a report's mention: a name and no identifying facts).
func (s *Resolve) documentsOnly(cluster string) (bool, error) {
	members, err := s.eng.Members(cluster)
	if err != nil {
		return false, err
	}
	for _, m := range members {
		if seq, ok := s.recItem[m]; !ok || !s.docItem[seq] {
			return false, nil
		}
	}
	return true, nil
}

func (s *Resolve) debugf(format string, args ...any) {
	if s.debug != nil {
		s.debug(format, args...)
	}
}

// wellFit and looseFit: when several candidates are seen with the
// people a document names, those whose name fits the mention with a
// probability below looseFit are dropped if one fits with wellFit or more.
const (
	wellFit  = 0.9
	looseFit = 0.5
)

// memberPredicates are the links that say a person belongs to an
// organisation.
var memberPredicates = map[string]bool{"member_of": true, "affiliated_with": true, "supporter_of": true, "leader_of": true}

// orgContext is the context pass's second test, for a report mention on
// its own (the cluster own, its records members) whose candidates
// (clusters) none of the people its document names tell apart: the
// document says the person belongs to an organisation, and exactly one of
// the candidates holding records is said elsewhere to belong to it too, or
// failing that was seen (in other items, or through calls) with someone
// said to belong to it. An organisation is the same when its records are
// one entity or the engine links them as a possible match ("Iron Dawn",
// "Iron Dawn Movement"), or when one's name is an acronym of the other's
// ("RHC", "Red Harbour Collective"). With directOnly only the first test
// is made. The mention may also be a record (orgRecordPass): doc then
// names the record. It returns the chosen candidates (indexes into
// clusters, out of the fits entities the name fits), the evidence of each
// and how many of them hold records.
// s.mu is held.
func (s *Resolve) orgContext(skip int64, own string, members, clusters []string, fits int, caption, doc string, directOnly bool) ([]int, []string, int, error) {
	// The organisations the document puts the person in.
	docOrgs := map[string]bool{} // org clusters, with their possible matches
	var docNames []string        // and their names
	var orgName string
	orgRecs := make([]string, 0, len(s.orgMembers))
	for o := range s.orgMembers {
		orgRecs = append(orgRecs, o)
	}
	sort.Strings(orgRecs)
	for _, o := range orgRecs {
		for _, p := range s.orgMembers[o] {
			if !slices.Contains(members, p) {
				continue
			}
			cs, err := s.orgClusters(o)
			if err != nil {
				return nil, nil, 0, err
			}
			for _, c := range cs {
				docOrgs[c] = true
			}
			docNames = append(docNames, s.orgCaption[o])
			if orgName == "" {
				orgName = o
			}
		}
	}
	if len(docOrgs) == 0 {
		return nil, nil, 0, nil
	}
	orgCaption := s.orgCaption[orgName]
	// Everyone said to belong to the same organisation: their record
	// and entity.
	inOrg := map[string]bool{}   // person records
	named := map[string]string{} // person clusters -> a caption
	for _, o := range orgRecs {
		ps := s.orgMembers[o]
		cs, err := s.orgClusters(o)
		if err != nil {
			return nil, nil, 0, err
		}
		same := false
		for _, c := range cs {
			same = same || docOrgs[c]
		}
		for _, n := range docNames {
			// An acronym of the name ("RHC", "Red Harbour Collective").
			same = same || acronymOf(n, s.orgCaption[o])
		}
		if !same {
			continue
		}
		for _, p := range ps {
			if slices.Contains(members, p) {
				continue
			}
			inOrg[p] = true
			c, err := s.eng.Cluster(p)
			if err != nil || c == own {
				continue
			}
			if _, ok := named[c]; !ok {
				named[c] = s.memberCaption[p]
			}
		}
	}
	pick := func(direct bool) ([]int, []string, int, error) {
		var chosen []int
		var evidence []string
		identified := 0
		for k, c := range clusters {
			var why string
			if direct {
				ms, err := s.eng.Members(c)
				if err != nil {
					return nil, nil, 0, err
				}
				for _, m := range ms {
					if inOrg[m] {
						why = fmt.Sprintf("%q in %s is said to belong to %q, as this entity is elsewhere", caption, doc, orgCaption)
						break
					}
				}
			} else {
				with, err := s.seenWith(c, skip, named)
				if err != nil {
					return nil, nil, 0, err
				}
				if len(with) > 0 {
					sort.Strings(with)
					why = fmt.Sprintf("%q in %s is said to belong to %q; this entity was seen elsewhere with %s, said to belong to it", caption, doc, orgCaption, quoteList(with))
				}
			}
			if why == "" {
				continue
			}
			docOnly, err := s.documentsOnly(c)
			if err != nil {
				return nil, nil, 0, err
			}
			if !docOnly {
				identified++
			}
			chosen = append(chosen, k)
			if len(clusters) < fits {
				why = fmt.Sprintf("%s; of the %d entities the name fits, %d were seen with the people the document names, and no other of them holding records is", why, fits, len(clusters))
			} else {
				why = fmt.Sprintf("%s; of the %d entities the name fits, no other holding records is", why, fits)
			}
			evidence = append(evidence, why)
		}
		return chosen, evidence, identified, nil
	}
	chosen, evidence, identified, err := pick(true)
	if err != nil || len(chosen) > 0 || directOnly {
		return chosen, evidence, identified, err
	}
	return pick(false)
}

// orgClusters returns the entity of an organisation record and those the
// engine links it to as a possible match.
func (s *Resolve) orgClusters(o string) ([]string, error) {
	c, err := s.eng.Cluster(o)
	if err != nil {
		return nil, nil // not an engine record (no name)
	}
	out := []string{c}
	links, err := s.eng.WeakLinks(o)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		if l.Probability >= 0.5 && !slices.Contains(out, l.Cluster) {
			out = append(out, l.Cluster)
		}
	}
	return out, nil
}

// recordWhere names a record for evidence: a watch-list entry by its list
// and entry id, any other by its source and ID.
func recordWhere(r *mosaic.Record) string {
	if id := r.Fields["entry_id"]; id != "" {
		if list := firstNonEmpty(r.Fields["list"], r.Source); list != "" {
			return fmt.Sprintf("watch-list entry %s (%s)", id, list)
		}
		return "watch-list entry " + id
	}
	return fmt.Sprintf("record %s of %s", r.ID, r.Source)
}

// orgRecordPass is the organisation rule for records on their own: a
// record (a watch-list entry, whose reason says "suspected member of
// RHC") that its own item says belongs to an organisation, whose entity
// holds at most maxFragment records and nothing from a document, joins
// the one candidate its name fits (weak or strong links) that is said
// elsewhere (a report: "X is a member of Red Harbour Collective") to
// belong to the same organisation, or failing that, the one seen in
// other items or through calls with someone said to belong to it
// (orgContext; only the first test with orgRecordsDirect). With two such
// candidates holding records nothing is done. It runs after every item
// that says someone belongs to an organisation, over the records said to
// belong to one of its organisations: the entry's own item may come first
// (a watch list loaded before the reports) or last. s.mu is held.
func (s *Resolve) orgRecordPass(it *store.Item) ([]resolve.Move, error) {
	if s.noOrgRecords || it.Facts == nil || len(s.memberRecords) == 0 {
		return nil, nil
	}
	// The organisations this item names someone a member of.
	var itemOrgs []string
	orgMention := map[mosaic.ID]bool{}
	for _, m := range it.Facts.Mentions {
		if m.Type == mosaic.TypeOrganization {
			orgMention[m.ID] = true
		}
	}
	for _, l := range it.Facts.Links {
		if memberPredicates[l.Predicate] && orgMention[l.Object] && !slices.Contains(itemOrgs, string(l.Object)) {
			itemOrgs = append(itemOrgs, string(l.Object))
		}
	}
	if len(itemOrgs) == 0 {
		return nil, nil
	}
	itemClusters := map[string]bool{}
	var itemNames []string
	for _, o := range itemOrgs {
		cs, err := s.orgClusters(o)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			itemClusters[c] = true
		}
		itemNames = append(itemNames, s.orgCaption[o])
	}
	sameAsItem := func(o string) (bool, error) {
		cs, err := s.orgClusters(o)
		if err != nil {
			return false, err
		}
		for _, c := range cs {
			if itemClusters[c] {
				return true, nil
			}
		}
		for _, n := range itemNames {
			if n == s.orgCaption[o] || acronymOf(n, s.orgCaption[o]) {
				return true, nil
			}
		}
		return false, nil
	}
	var moves []resolve.Move
	done := map[string]bool{}
	for _, r := range s.memberRecords {
		concerned := false
		for _, o := range s.memberOrgs[r] {
			ok, err := sameAsItem(o)
			if err != nil {
				return nil, err
			}
			concerned = concerned || ok
		}
		if !concerned {
			continue
		}
		own, members, ok, err := s.recordFragment(r, done, maxOrgFragment)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		cands, err := s.weakCandidates(own, members)
		if err != nil {
			return nil, err
		}
		if len(cands) == 0 {
			continue
		}
		clusters := make([]string, len(cands))
		for k, c := range cands {
			clusters[k] = c.cluster
		}
		caption := s.memberCaption[r]
		chosen, evidence, identified, err := s.orgContext(0, own, members, clusters, len(cands), caption, s.memberWhere[r], s.orgRecordsDirect)
		if err != nil {
			return nil, err
		}
		s.debugf("org record context %q: candidates %v, chosen %v identified %d", caption, cands, chosen, identified)
		if len(chosen) != 1 || identified != 1 {
			continue
		}
		if len(members) > 1 {
			// An entry with a record of its own joins only a larger
			// entity: two small ones said to belong to the same
			// organisation are left for the smaller to join.
			to, err := s.eng.Members(cands[chosen[0]].cluster)
			if err != nil {
				return nil, err
			}
			if len(to) <= len(members) {
				continue
			}
		}
		mv, err := s.eng.AddCoref(members[0], resolve.Coref{Record: cands[chosen[0]].record, Evidence: evidence[0]})
		if err != nil {
			return nil, err
		}
		s.debugf("  linked %s -> %s: %d moves", members[0], cands[chosen[0]].record, len(mv))
		moves = append(moves, mv...)
	}
	return moves, nil
}
