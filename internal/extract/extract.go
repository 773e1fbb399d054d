// Package extract reads English text and finds the people, groups, places,
// dates and identifiers in it, the aliases they go by, the relations
// between them and the events they take part in, each with the byte span
// of its evidence.
//
// The pipeline is: tokenise and split sentences (package tokenize), tag
// PER/ORG/LOC/MISC with the embedded two-pass perceptron (package ner),
// add rule-based dates, times, figures and identifiers (package rules),
// chain mentions of the same referent within the document, then find
// aliases, relations and events from lexical patterns over each sentence.
//
// # Concurrency
//
// An Extractor is immutable after New and safe for concurrent use.
//
// # Cost
//
// Extract runs in time linear in the length of the text: every stage works
// sentence by sentence or over sorted spans, and pattern matching uses RE2.
package extract

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mosaic-intel/mosaic/internal/extract/gazetteer"
	"github.com/mosaic-intel/mosaic/internal/extract/ner"
	"github.com/mosaic-intel/mosaic/internal/extract/rules"
	"github.com/mosaic-intel/mosaic/internal/extract/tokenize"
)

// Span is a half-open byte span [Start, End) into the text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"` // exclusive
}

// Entity types.
const (
	PER      = "PER"
	ORG      = "ORG"
	LOC      = "LOC"
	MISC     = "MISC"
	DATE     = "DATE"
	TIME     = "TIME"
	MONEY    = "MONEY"
	QUANTITY = "QUANTITY"
	PERCENT  = "PERCENT"
	PHONE    = "PHONE"
	EMAIL    = "EMAIL"
	DOCNUM   = "DOCNUM"
	VEHREG   = "VEHREG"
	IBAN     = "IBAN"
)

// Entity is one mention.
type Entity struct {
	Type string `json:"type"`
	Span
	Text string `json:"text"`
	// Normalized is the ISO 8601 value of a DATE or TIME, the canonical
	// form of an identifier, or empty.
	Normalized string `json:"normalized,omitempty"`
	Sentence   int    `json:"sentence"`
	// Cluster chains mentions of one referent within the document: the
	// same Cluster means the same referent ("Abedi" after "Salman Abedi").
	Cluster int `json:"cluster"`
}

// Alias says that Entities[Alias] is another name of Entities[Entity].
type Alias struct {
	Entity   int  `json:"entity"`
	Alias    int  `json:"alias"`
	Evidence Span `json:"evidence"`
	// Kind is how the alias was written: "parenthesis", "aka", "acronym",
	// "or", "so-called".
	Kind string `json:"kind,omitempty"`
}

// Relation predicates.
const (
	MemberOf         = "member_of"
	AffiliatedWith   = "affiliated_with"
	SupporterOf      = "supporter_of"
	LeaderOf         = "leader_of"
	FamilyOf         = "family_of"
	CommunicatedWith = "communicated_with"
	Met              = "met"
	Visited          = "visited"
	TravelledTo      = "travelled_to"
	LocatedIn        = "located_in"
	Title            = "title"
	EmployedAs       = "employed_as"
	Arrested         = "arrested"
	Charged          = "charged"
	Convicted        = "convicted"
	Released         = "released"
)

// Relation is a typed link between two entities found in one sentence.
type Relation struct {
	Subject int `json:"subject"`
	// Object is an index into Entities, or -1 when the relation has no
	// entity object (a title held, an arrest with no place).
	Object     int     `json:"object"`
	Predicate  string  `json:"predicate"`
	Detail     string  `json:"detail,omitempty"` // "brother", "Director of National Intelligence"
	Confidence float64 `json:"confidence"`
	Evidence   Span    `json:"evidence"` // the sentence
}

// Event types.
const (
	EventAttack     = "attack"
	EventPlotFoiled = "plot_foiled"
	EventArrest     = "arrest"
	EventTravel     = "travel"
	EventDeployment = "deployment"
)

// Event is something that happened, found from a trigger word.
type Event struct {
	Type         string         `json:"type"`
	Trigger      Span           `json:"trigger"`
	Date         string         `json:"date,omitempty"` // ISO 8601 when known
	Place        int            `json:"place"`          // index into Entities, -1 if none
	Participants []int          `json:"participants,omitempty"`
	Figures      map[string]int `json:"figures,omitempty"` // killed, injured, plots
	Evidence     Span           `json:"evidence"`
}

// Result is everything found in one text.
type Result struct {
	Sentences []Span     `json:"sentences"`
	Entities  []Entity   `json:"entities"`
	Aliases   []Alias    `json:"aliases"`
	Relations []Relation `json:"relations"`
	Events    []Event    `json:"events"`
}

// Extractor holds the loaded models. Use New.
type Extractor struct {
	gaz    *gazetteer.Gazetteer
	tagger *ner.Tagger
	rules  *rules.Matcher
}

// New loads the embedded gazetteers and NER model.
func New() (*Extractor, error) {
	g, err := gazetteer.New()
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	t, err := ner.Default(g)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	return &Extractor{gaz: g, tagger: t, rules: rules.New()}, nil
}

// Tagger returns the NER tagger (for CoNLL-format tagging and evaluation).
func (x *Extractor) Tagger() *ner.Tagger { return x.tagger }

// doc is the working state of one extraction.
type doc struct {
	text  string
	date  time.Time
	toks  []tokenize.Token
	sents []tokenize.Sentence
	res   *Result
	// tokSent maps a token to its sentence (-1 outside sentences).
	tokSent []int
	gaz     *gazetteer.Gazetteer
	// surTitles holds title words used as surnames in this text
	// ("Sheikh" of "Saadia Sheikh"), lower-cased.
	surTitles map[string]bool
}

// Extract reads text written on docDate (zero if unknown).
func (x *Extractor) Extract(text string, docDate time.Time) *Result {
	d := &doc{text: text, date: docDate, res: &Result{}, gaz: x.gaz}
	d.toks = tokenize.Tokenize(text)
	d.sents = tokenize.Sentences(text, d.toks)
	d.tokSent = make([]int, len(d.toks))
	for i := range d.tokSent {
		d.tokSent[i] = -1
	}
	nd := make(ner.Doc, len(d.sents))
	for si, s := range d.sents {
		d.res.Sentences = append(d.res.Sentences, Span(s.Span))
		words := make([]string, 0, s.Last-s.First)
		for i := s.First; i < s.Last; i++ {
			d.tokSent[i] = si
			words = append(words, NormalizeToken(d.toks[i].Text))
		}
		nd[si] = caseRuns(words)
	}
	var ents []Entity
	for si, es := range x.tagger.Tag(nd) {
		s := d.sents[si]
		for _, e := range es {
			a, b := d.toks[s.First+e.Start], d.toks[s.First+e.End-1]
			ents = append(ents, Entity{Type: e.Type, Span: Span{a.Start, b.End}, Sentence: si})
		}
	}
	ents = d.trimEntities(ents)
	ents = d.mergeRules(ents, x.rules.Find(text, docDate))
	ents = d.propagateNames(ents)
	ents = d.findOrgNames(ents)
	ents = d.multiwordPlaces(ents)
	ents = d.trimEntities(ents)
	ents = d.agencyCodes(ents)
	d.placesAfterPrepositions(ents)
	for i := range ents {
		ents[i].Text = text[ents[i].Start:ents[i].End]
	}
	d.res.Entities = ents
	d.findAliases()
	d.cluster()
	d.findRelations()
	d.findEvents()
	d.anchorRelativeDates()
	return d.res
}

// NormalizeToken maps typographic variants to the plain forms the tagger
// was trained on (CoNLL-2003 Reuters text): curly quotes, dashes.
func NormalizeToken(w string) string {
	switch w {
	case "“", "”", "„", "«", "»", "″":
		return "\""
	case "‘", "’", "‚", "′":
		return "'"
	case "—", "–", "―", "‒":
		return "-"
	case "…":
		return "..."
	}
	if strings.ContainsAny(w, "’‘") {
		w = strings.NewReplacer("’", "'", "‘", "'").Replace(w)
	}
	return w
}

// trimEntities drops trailing possessives or punctuation that name
// entities may include, titles before person names, and names with no
// letter. Other entities pass unchanged.
func (d *doc) trimEntities(ents []Entity) []Entity {
	out := ents[:0]
	for _, e := range ents {
		if !isName(e.Type) {
			out = append(out, e)
			continue
		}
		t := d.text[e.Start:e.End]
		endsSentence := e.Sentence >= 0 && e.Sentence < len(d.sents) && e.End == d.sents[e.Sentence].End
		for _, suf := range []string{"'s", "’s", "'", "’", ".", ","} {
			if strings.HasSuffix(t, suf) && len(t) > len(suf) && !(suf == "." && isAbbrevEnd(t) && !(endsSentence && !strings.Contains(t[:len(t)-1], "."))) {
				e.End -= len(suf)
				t = t[:len(t)-len(suf)]
			}
		}
		if !strings.ContainsFunc(t, unicode.IsLetter) {
			continue
		}
		if e.Type == PER {
			e.Start = d.skipTitles(e.Start, e.End)
		}
		out = append(out, e)
	}
	return out
}

// skipTitles moves start past leading titles and ranks ("Mr", "Maj Gen",
// "L/Cpl"), keeping at least one word: person entities are the name alone,
// as in CoNLL; the title is kept by title relations.
func (d *doc) skipTitles(start, end int) int {
	for {
		rest := d.text[start:end]
		sp := strings.IndexAny(rest, " \u00a0")
		if sp <= 0 {
			return start
		}
		w := rest[:sp]
		if d.gaz == nil || d.gaz.Lookup(w)&(1<<gazetteer.Title|1<<gazetteer.Rank) == 0 {
			return start
		}
		next := start + sp
		for next < end && (d.text[next] == ' ') {
			next++
		}
		if next >= end {
			return start
		}
		start = next
	}
}

func isAbbrevEnd(t string) bool {
	// "U.S." and "Inc." keep their period.
	i := strings.LastIndexAny(t[:len(t)-1], ". ")
	w := t[i+1 : len(t)-1]
	return utf8.RuneCountInString(w) <= 3
}

// mergeRules adds the rule matches. A rule match wins over an overlapping
// tagger entity unless the tagger's entity strictly contains it (a year
// inside "Euro 2016").
func (d *doc) mergeRules(ents []Entity, ms []rules.Match) []Entity {
	sort.Slice(ents, func(i, j int) bool { return ents[i].Start < ents[j].Start })
	var out []Entity
	drop := make([]bool, len(ents))
	j := 0
	for _, m := range ms {
		// Move j to the first tagger entity that may overlap m.
		for j < len(ents) && ents[j].End <= m.Start {
			j++
		}
		keep := true
		for k := j; k < len(ents) && ents[k].Start < m.End; k++ {
			e := ents[k]
			contains := e.Start <= m.Start && m.End <= e.End && e.End-e.Start > m.End-m.Start
			if contains && (m.Type == DATE || m.Type == QUANTITY || m.Type == MONEY || m.Type == VEHREG || m.Type == DOCNUM) {
				keep = false
			} else {
				drop[k] = true
			}
		}
		if !keep {
			continue
		}
		si := d.sentenceAt(m.Start)
		if si < 0 {
			continue
		}
		out = append(out, Entity{Type: m.Type, Span: Span{m.Start, m.End}, Normalized: m.Normalized, Sentence: si})
	}
	for k, e := range ents {
		if !drop[k] {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// sentenceAt returns the sentence holding byte offset off, or -1.
func (d *doc) sentenceAt(off int) int {
	i := sort.Search(len(d.sents), func(i int) bool { return d.sents[i].End > off })
	if i < len(d.sents) && d.sents[i].Start <= off {
		return i
	}
	return -1
}

// tokenAt returns the index of the first token ending after off.
func (d *doc) tokenAt(off int) int {
	return sort.Search(len(d.toks), func(i int) bool { return d.toks[i].End > off })
}

// personCue and personBefore are contexts that only people take: "X was
// seen", "X spent several hours", "X, aged 34", "a friend of X".
var (
	personCue    = regexp.MustCompile(`^(?:\s+(?:has been seen|had been seen|was seen|is seen|spent|belongs to|is a member of|was born|is married|was married|was arrested|has been arrested|was charged|was jailed|was sentenced|was convicted|pleaded (?:guilty|not guilty)|was released on bail|is serving a sentence|is serving a prison sentence|told (?:officers|police|detectives)|left first|is assessed to lead|is believed to lead|, a friend of|, who is|, aged)\b|\s*, \d{1,2}, )`)
	personBefore = regexp.MustCompile(`\b(?:a friend of|the wife of|the husband of|the son of|the daughter of|the brother of|the sister of|visited by|accompanied by)\s+$`)
)

// propagateNames applies document-level consistency: a capitalised token
// that repeats the surname of a person named in full earlier ("Abedi"
// after "Salman Abedi") is that person, whatever the tagger said.
func (d *doc) propagateNames(ents []Entity) []Entity {
	d.findSurnameTitles()
	// Words after a courtesy title ("Ms Greco") are surnames of people.
	titled := map[string]bool{}
	for t := 0; t+1 < len(d.toks); t++ {
		switch strings.TrimSuffix(d.toks[t].Text, ".") {
		case "Mr", "Mrs", "Ms", "Miss", "Dr", "Mx":
			if w := d.toks[t+1].Text; capitalised(w) {
				titled[w] = true
			}
		}
	}
	for k := range ents {
		e := &ents[k]
		if e.Type == PER || !isName(e.Type) {
			continue
		}
		ws := strings.Fields(d.text[e.Start:e.End])
		last := ws[len(ws)-1]
		if d.gaz == nil || d.gaz.Lookup(last)&(1<<gazetteer.OrgSuffix|1<<gazetteer.OrgWord) != 0 {
			continue
		}
		// "Ms Greco" elsewhere, or a given name first ("Federica Greco"):
		// a person, whatever the tagger said.
		given := len(ws) >= 2 && len(ws) <= 4 && (d.isGiven(ws[0]) &&
			d.gaz.Lookup(ws[0])&(1<<gazetteer.City|1<<gazetteer.Country|1<<gazetteer.Region) == 0 ||
			len(ws) <= 3 && (d.syllableName(ws[0]) || d.syllableName(last))) &&
			d.gaz.Lookup(ws[0]+" "+ws[1])&(1<<gazetteer.City|1<<gazetteer.Country|1<<gazetteer.Region) == 0 &&
			!placeNouns[strings.ToLower(last)]
		if titled[last] || given || personCue.MatchString(d.text[e.End:min(len(d.text), e.End+40)]) ||
			personBefore.MatchString(d.text[max(0, e.Start-30):e.Start]) {
			e.Type = PER
		}
	}
	d.extendNamesLeft(ents)
	ents = d.mergePersons(ents)
	surnames := map[string]bool{}
	for w := range titled {
		surnames[w] = true
	}
	for _, e := range ents {
		if e.Type != PER {
			continue
		}
		ws := strings.Fields(d.text[e.Start:e.End])
		if len(ws) >= 2 {
			surnames[ws[len(ws)-1]] = true
		}
	}
	if len(surnames) == 0 {
		return ents
	}
	covered := make(map[int]int, len(ents)) // token -> entity index
	for k, e := range ents {
		for t := d.tokenAt(e.Start); t < len(d.toks) && d.toks[t].Start < e.End; t++ {
			covered[t] = k
		}
	}
	var add []Entity
	for t, tk := range d.toks {
		if !surnames[tk.Text] || d.tokSent[t] < 0 {
			continue
		}
		if k, ok := covered[t]; ok {
			e := &ents[k]
			// A one-token entity that is just the surname becomes PER.
			if e.Start == tk.Start && e.End == tk.End && (e.Type == ORG || e.Type == LOC || e.Type == MISC) {
				e.Type = PER
			}
			continue
		}
		add = append(add, Entity{Type: PER, Span: Span{tk.Start, tk.End}, Sentence: d.tokSent[t]})
	}
	if len(add) > 0 {
		ents = append(ents, add...)
		sort.Slice(ents, func(i, j int) bool { return ents[i].Start < ents[j].Start })
	}
	ents = d.cuedPersons(ents)
	d.extendNamesLeft(ents)
	d.extendNamesRight(ents)
	ents = d.mergePersons(ents)
	d.personLists(ents)
	d.extendNamesLeft(ents)
	return d.mergePersons(ents)
}

// cuedPersons adds, as PER, a lone capitalised word that the tagger left
// out when a context only people take follows it ("Kiselyov was released
// on bail", "Marchand told officers").
func (d *doc) cuedPersons(ents []Entity) []Entity {
	var add []Entity
	k := 0
	for t, tk := range d.toks {
		for k < len(ents) && ents[k].End <= tk.Start {
			k++
		}
		if k < len(ents) && ents[k].Start < tk.End {
			continue // covered
		}
		si := d.tokSent[t]
		if si < 0 || !loneName.MatchString(tk.Text) || sentenceStart[strings.ToLower(tk.Text)] {
			continue
		}
		if d.gaz != nil && d.gaz.Lookup(tk.Text) != 0 && !d.isGiven(tk.Text) && !d.surTitles[strings.ToLower(tk.Text)] {
			continue
		}
		if t > 0 && d.tokSent[t-1] == si && (capitalised(d.toks[t-1].Text) || determiners[strings.ToLower(d.toks[t-1].Text)]) {
			continue
		}
		if !personCue.MatchString(d.text[tk.End:min(len(d.text), tk.End+40)]) {
			continue
		}
		add = append(add, Entity{Type: PER, Span: Span{tk.Start, tk.End}, Sentence: si})
	}
	if len(add) == 0 {
		return ents
	}
	ents = append(ents, add...)
	sort.Slice(ents, func(i, j int) bool { return ents[i].Start < ents[j].Start })
	return ents
}

// loneName matches a word written as a name: a capital, then lower case.
var loneName = regexp.MustCompile(`^\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}?\p{Ll}+)?$`)

var determiners = map[string]bool{"the": true, "a": true, "an": true, "this": true, "that": true, "its": true, "their": true, "his": true, "her": true}

// findSurnameTitles fills d.surTitles: a title or rank written right
// after a given name and before a lower-case word ("Saadia Sheikh is") is
// a surname in this text.
func (d *doc) findSurnameTitles() {
	if d.gaz == nil {
		return
	}
	for t := 1; t+1 < len(d.toks); t++ {
		w := d.toks[t].Text
		if d.tokSent[t] < 0 || d.tokSent[t-1] != d.tokSent[t] || !capitalised(w) ||
			d.gaz.Lookup(w)&(1<<gazetteer.Title|1<<gazetteer.Rank) == 0 || !d.isGiven(d.toks[t-1].Text) ||
			d.toks[t-1].End+1 != d.toks[t].Start || d.gaz.Lookup(d.toks[t-1].Text)&(1<<gazetteer.Title|1<<gazetteer.Rank) != 0 {
			continue
		}
		if n := d.toks[t+1].Text; capitalised(n) || !strings.ContainsFunc(n, unicode.IsLetter) {
			continue
		}
		if d.surTitles == nil {
			d.surTitles = map[string]bool{}
		}
		d.surTitles[strings.ToLower(w)] = true
	}
}

// extendNamesRight takes into a person's name the word right after it
// when that is a hyphenated given name written family name first
// ("Hwang" "Mi-kyung"), or a capitalised word after a known given name
// ("Chukwuemeka" "Okafor") that no list knows as anything else. A
// one-word entity of another type that is a given name becomes PER so.
func (d *doc) extendNamesRight(ents []Entity) {
	if d.gaz == nil {
		return
	}
	const place = 1<<gazetteer.City | 1<<gazetteer.Country | 1<<gazetteer.Region
	const other = place | 1<<gazetteer.Demonym | 1<<gazetteer.OrgSuffix | 1<<gazetteer.OrgWord | 1<<gazetteer.Title | 1<<gazetteer.Rank
	for k := range ents {
		e := &ents[k]
		if !isName(e.Type) {
			continue
		}
		ws := strings.Fields(d.text[e.Start:e.End])
		if len(ws) == 0 {
			continue
		}
		lastGiven := d.isGiven(ws[len(ws)-1]) && d.gaz.Lookup(ws[len(ws)-1])&(place|1<<gazetteer.OrgSuffix|1<<gazetteer.OrgWord) == 0
		if e.Type != PER && !(isName(e.Type) && len(ws) == 1 && lastGiven) {
			continue
		}
		t := d.tokenAt(e.End - 1)
		if t+1 >= len(d.toks) || d.tokSent[t+1] != d.tokSent[t] {
			continue
		}
		n := d.toks[t+1]
		if n.Start != e.End+1 || d.text[e.End] != ' ' {
			continue
		}
		if k+1 < len(ents) && ents[k+1].Start < n.End {
			continue
		}
		l := d.gaz.Lookup(n.Text)
		switch {
		case d.syllableName(n.Text) && e.Type == PER:
		case lastGiven && (loneName.MatchString(n.Text) || capsWord.MatchString(n.Text)) && !sentenceStart[strings.ToLower(n.Text)] &&
			(l&other == 0 || d.surTitles[strings.ToLower(n.Text)] && l&(other&^(1<<gazetteer.Title|1<<gazetteer.Rank)) == 0):
			// The word after must not start another name.
			if t+2 < len(d.toks) && d.tokSent[t+2] == d.tokSent[t] && capitalised(d.toks[t+2].Text) {
				continue
			}
		default:
			continue
		}
		e.End = n.End
		e.Type = PER
	}
}

// capsWord matches a word in capitals ("OKAFOR").
var capsWord = regexp.MustCompile(`^\p{Lu}{2,}(?:[-'’]\p{Lu}+)?$`)

// syllableName reports whether w is a given name written as two
// hyphenated syllables ("Ji-woo", "Mi-kyung"), as Korean names often are,
// and not a prefixed or compound word ("Co-op", "Anti-terror",
// "York-based", "Brazilian-born").
func (d *doc) syllableName(w string) bool {
	m := syllableRe.FindStringSubmatch(w)
	if m == nil || wordPrefixes[strings.ToLower(m[1])] || wordSuffixes[m[2]] {
		return false
	}
	return d.gaz == nil || d.gaz.Lookup(m[1])&(1<<gazetteer.City|1<<gazetteer.Country|1<<gazetteer.Region|1<<gazetteer.Demonym) == 0
}

var wordSuffixes = map[string]bool{
	"based": true, "born": true, "bred": true, "led": true, "run": true, "made": true, "owned": true, "held": true,
	"style": true, "type": true, "like": true, "era": true, "wide": true, "free": true, "rich": true, "only": true,
	"up": true, "in": true, "out": true, "off": true, "over": true, "year": true, "day": true, "time": true, "way": true,
	"side": true, "bound": true, "area": true, "level": true, "class": true, "match": true, "round": true,
}

var syllableRe = regexp.MustCompile(`^(\p{Lu}\p{Ll}{0,4})-(\p{Ll}{2,5})$`)

var wordPrefixes = map[string]bool{
	"co": true, "anti": true, "non": true, "pre": true, "post": true, "self": true, "ex": true, "pro": true, "re": true,
	"multi": true, "inter": true, "agri": true, "eco": true, "euro": true, "pan": true, "semi": true, "sub": true,
	"super": true, "ultra": true, "vice": true, "well": true, "cross": true, "mid": true, "neo": true, "bio": true,
	"all": true, "half": true, "part": true, "mini": true, "micro": true, "mega": true, "de": true, "un": true, "over": true,
	"out": true, "up": true, "off": true, "on": true, "in": true, "e": true, "x": true, "t": true, "u": true, "hi": true,
}

// personLists retypes as PER the items of a list of names ("A, B, C and
// D") in which at least two items are people, when an item is no known
// place and does not end in an organisation word: lists in reports name
// one kind of thing.
func (d *doc) personLists(ents []Entity) {
	if d.gaz == nil {
		return
	}
	const place = 1<<gazetteer.City | 1<<gazetteer.Country | 1<<gazetteer.Region | 1<<gazetteer.Demonym
	const orgw = 1<<gazetteer.OrgSuffix | 1<<gazetteer.OrgWord
	for i := 0; i < len(ents); {
		j := i + 1
		for j < len(ents) && isName(ents[j].Type) && isName(ents[j-1].Type) && ents[j].Sentence == ents[j-1].Sentence {
			sep := d.text[ents[j-1].End:ents[j].Start]
			if sep != ", " && sep != " and " && sep != ", and " {
				break
			}
			j++
		}
		if j-i >= 3 {
			per := 0
			for k := i; k < j; k++ {
				if ents[k].Type == PER {
					per++
				}
			}
			if per >= 2 {
				for k := i; k < j; k++ {
					e := &ents[k]
					if e.Type == PER {
						continue
					}
					ws := strings.Fields(d.text[e.Start:e.End])
					if len(ws) > 4 || d.gaz.Lookup(d.text[e.Start:e.End])&place != 0 || d.gaz.Lookup(ws[len(ws)-1])&(orgw|place) != 0 {
						continue
					}
					e.Type = PER
				}
			}
		}
		i = j
	}
}

// placeNouns end names of places, buildings and events, not people
// ("Grace Road", "Ross County").
var placeNouns = map[string]bool{
	"road": true, "street": true, "lane": true, "avenue": true, "drive": true, "close": true, "way": true, "square": true,
	"place": true, "park": true, "gardens": true, "green": true, "hill": true, "heights": true, "valley": true, "river": true,
	"lake": true, "island": true, "islands": true, "bay": true, "beach": true, "bridge": true, "station": true, "airport": true,
	"stadium": true, "arena": true, "county": true, "city": true, "town": true, "village": true, "province": true,
	"district": true, "state": true, "mountains": true, "mount": true, "open": true, "championship": true,
	"championships": true, "trophy": true, "games": true, "prize": true, "award": true, "memorial": true, "tower": true,
	"hall": true, "house": true, "palace": true, "castle": true, "abbey": true, "cathedral": true, "field": true, "fields": true,
}

// isGiven reports whether w is a known given name.
func (d *doc) isGiven(w string) bool {
	return d.gaz != nil && d.gaz.Lookup(w)&(1<<gazetteer.FirstName|1<<gazetteer.GivenName) != 0
}

// extendNamesLeft takes into a person's name the capitalised word or
// initial right before it that the tagger left out ("Farhiya" of "Farhiya
// Xasan Barre", "S." of "S. Lucy Gallagher"), unless that word is a title,
// a place, a nationality, or part of another entity.
func (d *doc) extendNamesLeft(ents []Entity) {
	if d.gaz == nil {
		return
	}
	const not = 1<<gazetteer.Title | 1<<gazetteer.Rank | 1<<gazetteer.Country | 1<<gazetteer.Region | 1<<gazetteer.City | 1<<gazetteer.Demonym | 1<<gazetteer.OrgSuffix | 1<<gazetteer.OrgWord
	for k := range ents {
		e := &ents[k]
		// A one-word entity of another type that no list knows, after a
		// known or hyphenated given name ("So-young" "Jeon" read as
		// MISC), is a person too.
		other := e.Type != PER && isName(e.Type) && !strings.Contains(d.text[e.Start:e.End], " ") &&
			d.gaz.Lookup(d.text[e.Start:e.End]) == 0
		if e.Type != PER && !other {
			continue
		}
		t := d.tokenAt(e.Start)
		if t == 0 || d.toks[t].NewlineBefore > 0 || d.tokSent[t-1] != d.tokSent[t] {
			continue
		}
		p := d.toks[t-1]
		if other && (!(d.isGiven(p.Text) || d.syllableName(p.Text)) || d.gaz.Lookup(p.Text)&not != 0) {
			continue
		}
		if p.End+1 != e.Start || d.text[p.End] != ' ' || !capitalised(p.Text) {
			continue
		}
		// A given name that is also a town ("Pilar") still counts.
		bad := d.gaz.Lookup(p.Text) & not
		if d.isGiven(p.Text) {
			bad &^= 1 << gazetteer.City
		}
		surTitle := d.surTitles[strings.ToLower(p.Text)]
		if surTitle {
			bad &^= 1<<gazetteer.Title | 1<<gazetteer.Rank
		}
		if bad != 0 {
			continue
		}
		// A one-word name takes only a word that looks like a given name:
		// a known one, an initial, or a hyphenated one ("So-young").
		if !strings.Contains(d.text[e.Start:e.End], " ") && !d.givenLike(p.Text) && !surTitle {
			continue
		}
		if k > 0 && ents[k-1].End > p.Start {
			continue
		}
		if sentenceStart[strings.ToLower(p.Text)] {
			continue
		}
		// The end of a role ("Secretary of State for Defence Gavin ...").
		if t >= 2 && d.tokSent[t-2] == d.tokSent[t] {
			switch strings.ToLower(d.toks[t-2].Text) {
			case "of", "for", "the", "'s", "’s":
				continue
			}
		}
		e.Start = p.Start
		e.Type = PER
	}
}

// givenLike reports whether w looks like a given name: a known one, an
// initial ("H."), or hyphenated syllables ("So-young").
func (d *doc) givenLike(w string) bool {
	return d.isGiven(w) || initialRe.MatchString(w) || d.syllableName(w)
}

var initialRe = regexp.MustCompile(`^\p{Lu}\.$`)

// mergePersons joins two person names that stand side by side with one
// space between them ("Patience" "Akosua Agyemang", "Gallagher" "Patrick
// N."): the tagger sometimes cuts a long or unfamiliar name in two.
func (d *doc) mergePersons(ents []Entity) []Entity {
	// A one-word entity of another type that looks like a given name
	// ("So-young", "S." read as MISC) joins the person next to it.
	givenLike := func(e Entity) bool {
		w := d.text[e.Start:e.End]
		if e.Type == PER || !isName(e.Type) || strings.ContainsRune(w, ' ') || !d.givenLike(w) {
			return false
		}
		return d.gaz == nil || d.gaz.Lookup(w)&(1<<gazetteer.Country|1<<gazetteer.Region|1<<gazetteer.Demonym|1<<gazetteer.OrgSuffix|1<<gazetteer.OrgWord|1<<gazetteer.Title) == 0
	}
	out := ents[:0]
	for _, e := range ents {
		if n := len(out); n > 0 && out[n-1].Sentence == e.Sentence && out[n-1].End+1 == e.Start && d.text[out[n-1].End] == ' ' &&
			(e.Type == PER && (out[n-1].Type == PER || givenLike(out[n-1])) || out[n-1].Type == PER && givenLike(e)) {
			out[n-1].End = e.End
			out[n-1].Type = PER
			continue
		}
		out = append(out, e)
	}
	return out
}

// sentenceStart holds capitalised words that begin sentences and are no
// part of names.
var sentenceStart = map[string]bool{
	"the": true, "a": true, "an": true, "on": true, "in": true, "at": true, "by": true, "and": true, "but": true,
	"when": true, "while": true, "after": true, "before": true, "yesterday": true, "today": true, "then": true,
	"meanwhile": true, "however": true, "officers": true, "police": true, "detectives": true, "suspect": true,
	"witness": true, "both": true, "neither": true, "later": true, "earlier": true, "since": true, "as": true,
	"if": true, "although": true, "he": true, "she": true, "they": true, "we": true, "i": true, "it": true,
	"this": true, "that": true, "there": true, "his": true, "her": true, "their": true, "our": true, "my": true,
	"with": true, "from": true, "for": true, "to": true, "of": true, "said": true, "says": true, "according": true,
	"nobody": true, "no-one": true, "everyone": true, "everybody": true, "someone": true, "somebody": true, "anyone": true,
	"one": true, "another": true, "none": true, "each": true, "all": true, "many": true, "some": true, "who": true,
	"which": true, "what": true, "nothing": true, "everything": true, "something": true, "these": true, "those": true,
}
