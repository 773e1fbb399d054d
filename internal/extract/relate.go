package extract

import (
	"regexp"
	"sort"

	"github.com/mosaic-intel/mosaic/internal/extract/gazetteer"
	"strings"
)

// relPattern is a lexical pattern over the text between two entities of a
// sentence: subject first, object second (or swapped when swap is set).
type relPattern struct {
	pred       string
	between    *regexp.Regexp
	subj, obj  string // allowed types, e.g. "PER", "PER ORG"
	conf       float64
	swap       bool // the second entity is the subject
	maxBetween int  // bytes
}

func rp(pred, subj, obj string, conf float64, maxB int, expr string) relPattern {
	return relPattern{pred: pred, subj: subj, obj: obj, conf: conf, maxBetween: maxB, between: regexp.MustCompile(expr)}
}

// relPatterns are tried in order; the first that matches a pair wins.
var relPatterns = func() []relPattern {
	ps := []relPattern{
		rp(FamilyOf, PER, PER, 0.85, 60, `(?i)^(?:'s|’s)\s+(?:older |younger |elder |twin |late )?(brother|sister|father|mother|son|daughter|wife|husband|cousin|uncle|aunt|nephew|niece|brother-in-law|sister-in-law|stepfather|stepson|grandfather|grandson)\s*,?\s*$`),
		rp(FamilyOf, PER, PER, 0.85, 60, `(?i)^\s*,?\s*(?:the |his |her |a )?(?:older |younger |elder |twin |late )?(brother|sister|father|mother|son|daughter|wife|husband|cousin|uncle|aunt|nephew|niece|brother-in-law|sister-in-law|stepfather|stepson|grandfather|grandson) of\s*$`),
		rp(FamilyOf, PER, PER, 0.8, 40, `(?i)^\s*(?:and|,)\s+(?:his|her) (brother|sister|father|mother|son|daughter|wife|husband|cousin|uncle|aunt|nephew|niece)\s*,?\s*$`),
		rp(LeaderOf, PER, ORG+" "+MISC, 0.8, 60, `(?i)\b(?:leader|head|chief|founder|co-founder|commander|emir|boss|chairman|spiritual leader|self-declared caliph) of\s+(?:the\s+)?$|\b(?:leads|led|founded|heads|headed|commands|commanded)\s+(?:the\s+)?$`),
		rp(MemberOf, PER, ORG+" "+MISC, 0.8, 80, `(?i)\b(?:a |an |the )?(?:senior |leading |prominent |former )?(?:member|members|fighter|fighters|militant|militants|operative|operatives|recruit|recruits|activist|activists|jihadi|jihadis|jihadist|jihadists)\s+(?:of|for|with|in)\s+(?:the\s+)?$|\b(?:joined|join|joining|recruited (?:by|into|to)|fought for|fighting for|fights for|fought with|belonged to|belongs to|signed up (?:to|with))\s+(?:the\s+)?$`),
		rp(SupporterOf, PER+" "+ORG, ORG+" "+MISC, 0.75, 80, `(?i)\b(?:pledg\w* (?:his |her |their )?(?:allegiance|loyalty) to|sw[oa]re (?:allegiance|loyalty) to|supporters? of|supportive of|sympathi[sz]ers? (?:of|with)|sympathetic to|inspired by|support(?:ed|s|ing)?(?: for)?|declared support for|backed|backing)\s+(?:the\s+)?$`),
		rp(AffiliatedWith, PER+" "+ORG+" "+MISC, ORG+" "+MISC+" "+PER, 0.65, 80, `(?i)\b(?:(?:direct |close |alleged |suspected )?links? (?:to|with)|linked (?:to|with)|ties (?:to|with)|tied to|connected (?:to|with)|connections (?:to|with)|associated with|associates? of|affiliated (?:to|with)|affiliates? of|allied (?:to|with)|in league with|on behalf of|directed by|funded by)\s+(?:the\s+)?$`),
		rp(CommunicatedWith, PER, PER+" "+ORG, 0.75, 80, `(?i)\b(?:spoke (?:to|with)|talked (?:to|with)|called|phoned|rang|messaged|texted|e-?mailed|contacted|(?:was |were |been )?in (?:contact|touch|communication) with|communicated with|exchanged (?:messages|calls|texts) with|wrote to|sent (?:messages|a message) to)\s+$`),
		rp(Met, PER, PER, 0.75, 60, `(?i)\b(?:met|meets|meeting|met up with|met with|had a meeting with|held talks with)\s+$`),
		rp(Visited, PER, LOC+" "+ORG, 0.7, 60, `(?i)\b(?:visit(?:ed|ing|s)?|toured)\s+(?:the\s+)?$`),
		rp(Visited, PER, LOC, 0.6, 60, `(?i)\b(?:visit(?:ed|ing|s)?|toured)\s+(?:[\p{L}\-]+\s+){0,3}in\s+$`),
		rp(TravelledTo, PER, LOC, 0.75, 80, `(?i)\b(?:travell?(?:ed|ing|s)?|flew|flown|went|gone|returned|moved|headed|fled|journeyed|drove|crossed|smuggled)\s+(?:back\s+|out\s+|abroad\s+)?(?:to|into|for)\s+(?:the\s+)?$|\b(?:left for|arrived in|entered)\s+(?:the\s+)?$`),
		rp(LocatedIn, LOC, LOC, 0.7, 3, `^\s*,\s*$`),
		rp(LocatedIn, ORG, LOC, 0.55, 40, `(?i)^\s*(?:[\p{L}\-]+\s+){0,3}(?:in|based in|operating in|active in|headquartered in)\s+(?:the\s+)?$`),
	}
	// "Isis leader Abu Bakr al-Baghdadi": the person is the second entity.
	lead := rp(LeaderOf, PER, ORG+" "+MISC, 0.75, 30, `(?i)^\s*(?:'s\s+|’s\s+)?(?:leader|chief|head|commander|founder|emir|boss|spokesman)\s*,?\s*$`)
	lead.swap = true
	mem := rp(MemberOf, PER, ORG+" "+MISC, 0.7, 30, `(?i)^\s*(?:'s\s+|’s\s+)?(?:member|fighter|militant|operative|recruit|supporter|jihadi|jihadist|suspect)\s*,?\s*$`)
	mem.swap = true
	return append(ps, lead, mem)
}()

var legal = []struct {
	pred string
	re   *regexp.Regexp
}{
	{Arrested, regexp.MustCompile(`(?i)\b(arrested|detained|held|captured|apprehended)\b`)},
	{Charged, regexp.MustCompile(`(?i)\b(charged|indicted|accused)\b`)},
	{Convicted, regexp.MustCompile(`(?i)\b(convicted|jailed|sentenced|found guilty|imprisoned)\b`)},
	{Released, regexp.MustCompile(`(?i)\b(released|freed|bailed|acquitted|released without charge)\b`)},
}

// After a person: "X was arrested", "X, 23, was charged".
var legalAfter = regexp.MustCompile(`(?i)^(?:\s*,\s*\d{1,2}\s*,)?\s*(?:who\s+)?(?:was|were|has been|have been|had been|is|are|being|been|will be|later)?\s*(?:later\s+|subsequently\s+|also\s+)?(arrested|detained|captured|charged|indicted|convicted|jailed|sentenced|released|freed|bailed|acquitted|found guilty)\b`)

// Before a person: "police arrested X", "charged X".
var legalBefore = regexp.MustCompile(`(?i)\b(arrested|detained|captured|charged|convicted|jailed|released|freed)\s+(?:\p{Lu}\p{Ll}*\s+)?$`)

var rolesRe = regexp.MustCompile(`(?i)\b(minister|secretary|director|president|chief|commander|leader|spokes(?:man|woman|person)|officer|correspondent|adviser|advisor|coordinator|co-ordinator|reviewer|head|chairman|chairwoman|chair|ambassador|general|commissioner|detective|inspector|judge|prosecutor|mayor|governor|senator|mp|qc|analyst|editor|professor|lecturer|founder|emir|imam|preacher|recruiter|student|driver|worker|teacher|nurse|doctor|engineer|guard|employee|agent|official|chancellor|premier|king|queen|prince|captain|colonel|major|sergeant|constable|superintendent|lawyer|solicitor|barrister|manager|owner|executive|ceo)\b`)

var occupations = map[string]bool{"student": true, "driver": true, "worker": true, "teacher": true, "nurse": true, "doctor": true, "engineer": true, "guard": true, "employee": true, "lawyer": true, "solicitor": true, "manager": true, "owner": true, "lecturer": true, "analyst": true, "editor": true}

// After a person: ", the Director of National Intelligence,".
var apposRe = regexp.MustCompile(`^(?:\s+(?:QC|KC|MP|MEP|OBE|CBE|MBE|Jr|Sr))?\s*,\s*(?:the |a |an )?([^,.;:()“”"]{2,80}?)\s*(?:,|\.|;|$|\))`)

// Before a person: "security minister Ben Wallace", "Home Secretary Amber Rudd".
var preRoleRe = regexp.MustCompile(`(?:^|[\s(])((?:[\p{L}'’\-]+\s+){0,3}(?i:minister|secretary|director|president|chief|commander|leader|spokesman|spokeswoman|adviser|coordinator|general|commissioner|ambassador|mayor|governor|senator|chancellor|prosecutor|judge)(?:\s+(?:of|for|the|\p{Lu}[\p{L}\-]*)){0,6}?),?\s+$`)

func hasType(set, t string) bool {
	for _, s := range strings.Fields(set) {
		if s == t {
			return true
		}
	}
	return false
}

// findRelations applies the patterns to nearby entity pairs of each
// sentence, then the legal-status and title patterns around each person.
func (d *doc) findRelations() {
	ents := d.res.Entities
	seen := map[relKey]bool{}
	for i, a := range ents {
		if !isName(a.Type) {
			continue
		}
		ev := Span(d.sents[a.Sentence].Span)
		d.pairRelations(i, a, i+1, 0, seen)
		if a.Type != PER {
			continue
		}
		d.legalRelations(i, a, ev, 0)
		d.titleRelations(i, ev)
	}
	d.pronounRelations(seen)
}

// clausePronoun finds a subject pronoun that opens a new clause between a
// pair ("MI5 intelligence indicated he was supportive of Isis").
var clausePronoun = regexp.MustCompile(`(?i)\b(?:he|she|they|we|it)\b`)

type relKey struct {
	s, o int
	p    string
}

// pairRelations applies the pair patterns between a (standing for entity
// subj) and the next few name entities of its sentence, from index from.
// Only the next four names are tried, so the cost stays linear.
func (d *doc) pairRelations(subj int, a Entity, from int, confDelta float64, seen map[relKey]bool) {
	ents := d.res.Entities
	ev := Span(d.sents[a.Sentence].Span)
	blockers := 0 // names passed that can carry a relation of their own
	for j, seenNames := from, 0; j < len(ents) && seenNames < 4; j++ {
		b := ents[j]
		if b.Sentence != a.Sentence {
			break
		}
		if !isName(b.Type) || b.Start < a.End || j == subj {
			continue
		}
		seenNames++
		if j > from {
			if prev := ents[j-1]; isName(prev.Type) && prev.Start >= a.End && !(prev.Type == MISC && d.isNationality(prev)) {
				blockers++
			}
		}
		if blockers > 0 && confDelta != 0 {
			break // a pronoun relates only to the next name
		}
		between := d.text[a.End:b.Start]
		for _, p := range relPatterns {
			if len(between) > p.maxBetween {
				continue
			}
			s, o := subj, j
			sType := a.Type
			if p.swap {
				if confDelta != 0 {
					continue // a pronoun is never the second of a pair
				}
				s, o = j, subj
				sType = b.Type
			}
			oType := ents[o].Type
			if !hasType(p.subj, sType) || !hasType(p.obj, oType) {
				continue
			}
			m := p.between.FindStringSubmatch(between)
			if m == nil {
				continue
			}
			// A name standing between the two belongs to the cue instead
			// ("X and MI5 indicated he was supportive of Y").
			if confDelta == 0 && !p.swap && clausePronoun.MatchString(between) {
				continue // the cue belongs to another subject's clause
			}
			if blockers > 0 && !p.swap && p.pred != Title {
				continue
			}
			if p.pred == LocatedIn && a.Type == LOC && (d.inList(a, b) || !d.endsPhrase(b)) {
				continue
			}
			k := relKey{s, o, p.pred}
			if seen[k] {
				break
			}
			seen[k] = true
			detail := ""
			if len(m) > 1 {
				detail = strings.ToLower(m[1])
			}
			conf := p.conf - confDelta
			if len(between) > 40 {
				conf -= 0.1
			}
			d.res.Relations = append(d.res.Relations, Relation{Subject: s, Object: o, Predicate: p.pred, Detail: detail, Confidence: conf, Evidence: ev})
			break
		}
	}
}

// pronounRelations reads "he"/"she" as the person last named before the
// sentence (or the person the sentence opens with), and applies the pair
// and legal patterns to the pronoun with lower confidence: "He became a
// subject of interest ... intelligence that he supported Isis".
func (d *doc) pronounRelations(seen map[relKey]bool) {
	ents := d.res.Entities
	lastPer := -1 // last PER entity of earlier sentences
	k := 0        // next entity to look at
	for si, s := range d.sents {
		first := -1
		for k < len(ents) && ents[k].Sentence < si {
			if ents[k].Type == PER {
				lastPer = k
			}
			k++
		}
		// A sentence that opens with a person's name: "Abedi ... he".
		if k < len(ents) && ents[k].Sentence == si && ents[k].Type == PER && d.tokenAt(ents[k].Start)-s.First <= 1 {
			first = k
		}
		for t := s.First; t < s.Last; t++ {
			w := d.toks[t].Text
			if w != "he" && w != "He" && w != "she" && w != "She" {
				continue
			}
			ante := lastPer
			if first >= 0 && ents[first].End <= d.toks[t].Start {
				ante = first
			}
			if ante < 0 || ents[ante].Sentence < si-3 {
				continue
			}
			tk := d.toks[t]
			pro := Entity{Type: PER, Span: Span{tk.Start, tk.End}, Sentence: si}
			from := sort.Search(len(ents), func(i int) bool { return ents[i].Start >= tk.End })
			d.pairRelations(ante, pro, from, 0.15, seen)
			d.legalRelations(ante, pro, Span(s.Span), 0.15)
		}
	}
}

// nextEntity returns the first name entity of types in the same sentence
// starting within maxGap bytes after off, or -1.
func (d *doc) nextEntity(from, sent, off, maxGap int, types string) int {
	for j := from; j < len(d.res.Entities); j++ {
		e := d.res.Entities[j]
		if e.Sentence != sent || e.Start > off+maxGap {
			break
		}
		if e.Start >= off && hasType(types, e.Type) {
			return j
		}
	}
	return -1
}

func (d *doc) legalRelations(i int, a Entity, ev Span, confDelta float64) {
	sentEnd := d.sents[a.Sentence].End
	after := d.text[a.End:min(sentEnd, a.End+80)]
	trig, at := "", -1
	if m := legalAfter.FindStringSubmatchIndex(after); m != nil {
		trig, at = strings.ToLower(after[m[2]:m[3]]), a.End+m[3]
	} else {
		before := d.text[max(d.sents[a.Sentence].Start, a.Start-40):a.Start]
		if m := legalBefore.FindStringSubmatch(before); m != nil {
			trig, at = strings.ToLower(m[1]), a.End
		}
	}
	if trig == "" {
		return
	}
	pred := ""
	for _, l := range legal {
		if l.re.MatchString(trig) {
			pred = l.pred
			break
		}
	}
	if pred == "" {
		return
	}
	obj := -1
	from := sort.Search(len(d.res.Entities), func(k int) bool { return d.res.Entities[k].Start >= a.End })
	if j := d.nextEntity(from, a.Sentence, at, 40, LOC+" "+ORG); j >= 0 {
		obj = j
	}
	d.res.Relations = append(d.res.Relations, Relation{Subject: i, Object: obj, Predicate: pred, Detail: trig, Confidence: 0.8 - confDelta, Evidence: ev})
}

func (d *doc) titleRelations(i int, ev Span) {
	a := d.res.Entities[i]
	sent := d.sents[a.Sentence]
	role, roleStart, roleEnd := "", -1, -1
	after := d.text[a.End:min(sent.End, a.End+120)]
	if m := apposRe.FindStringSubmatchIndex(after); m != nil {
		phrase := after[m[2]:m[3]]
		if rolesRe.MatchString(phrase) && !strings.Contains(phrase, " said") && len(strings.Fields(phrase)) <= 10 {
			role, roleStart, roleEnd = phrase, a.End+m[2], a.End+m[3]
		}
	}
	if role == "" {
		before := d.text[max(sent.Start, a.Start-60):a.Start]
		if m := preRoleRe.FindStringSubmatchIndex(before); m != nil {
			role = before[m[2]:m[3]]
			roleStart, roleEnd = a.Start-len(before)+m[2], a.Start-len(before)+m[3]
			// Drop leading function words: "the security minister".
			for _, w := range []string{"the ", "The ", "a ", "A ", "and ", "said "} {
				role = strings.TrimPrefix(role, w)
			}
		}
	}
	if role == "" {
		role, roleStart, roleEnd = d.rankBefore(a.Start, sent.Start)
	}
	if role == "" {
		return
	}
	pred := Title
	if m := rolesRe.FindString(role); occupations[strings.ToLower(m)] {
		pred = EmployedAs
	}
	// An organisation inside the role phrase is the object.
	obj := -1
	ents := d.res.Entities
	lo := sort.Search(len(ents), func(k int) bool { return ents[k].Start >= roleStart })
	for j := lo; j < len(ents); j++ {
		e := ents[j]
		whole := e.Start <= roleStart+4 && e.End >= roleEnd
		if e.Start >= roleStart && e.End <= roleEnd && (e.Type == ORG || e.Type == LOC) && j != i && !whole {
			obj = j
			break
		}
		if e.Start > roleEnd {
			break
		}
	}
	d.res.Relations = append(d.res.Relations, Relation{Subject: i, Object: obj, Predicate: pred, Detail: strings.TrimSpace(role), Confidence: 0.7, Evidence: ev})
}

// inList reports whether a and b stand in a list of names ("Afghanistan,
// Libya, Egypt and the Philippines") rather than "Manchester, England".
func (d *doc) inList(a, b Entity) bool {
	before := strings.TrimRight(d.text[max(0, a.Start-3):a.Start], " ")
	after := strings.ToLower(d.text[b.End:min(len(d.text), b.End+5)])
	return strings.HasSuffix(before, ",") || strings.HasPrefix(after, ",") || strings.HasPrefix(after, " and ") || strings.HasPrefix(after, " or ")
}

// rankBefore returns the titles and ranks written right before a name
// ("Maj Gen", "L/Cpl", "Assistant Commissioner"), courtesy titles aside.
func (d *doc) rankBefore(start, sentStart int) (string, int, int) {
	if d.gaz == nil {
		return "", -1, -1
	}
	t := d.tokenAt(start)
	first := t
	for k := t - 1; k >= 0 && d.toks[k].Start >= sentStart && t-k <= 4; k-- {
		w := d.toks[k].Text
		if d.gaz.Lookup(w)&(1<<gazetteer.Title|1<<gazetteer.Rank) == 0 || !capitalised(w) {
			break
		}
		switch strings.ToLower(strings.TrimSuffix(w, ".")) {
		case "mr", "mrs", "ms", "miss", "sir", "dame", "lord", "lady":
			return "", -1, -1
		}
		first = k
	}
	if first == t {
		return "", -1, -1
	}
	s, e := d.toks[first].Start, d.toks[t-1].End
	return d.text[s:e], s, e
}

// endsPhrase reports whether e is followed by punctuation or the end of
// its sentence, as the country in "Manchester, England." is, while the
// one in "England, US intelligence" modifies a noun.
func (d *doc) endsPhrase(e Entity) bool {
	end := d.sents[e.Sentence].End
	rest := strings.TrimLeft(d.text[e.End:min(end, e.End+4)], " ")
	if rest == "" {
		return true
	}
	switch rest[0] {
	case '.', ',', ';', ':', ')', '!', '?', '"':
		return true
	}
	return strings.HasPrefix(rest, "’") || strings.HasPrefix(rest, "”") || strings.HasPrefix(rest, "–") || strings.HasPrefix(rest, "—")
}

// isNationality reports whether a MISC entity is a nationality or similar
// adjective ("British troops"), which does not interrupt a relation.
func (d *doc) isNationality(e Entity) bool {
	t := d.text[e.Start:e.End]
	return adjectival(t) || (d.gaz != nil && d.gaz.Lookup(t)&(1<<gazetteer.Demonym) != 0)
}
