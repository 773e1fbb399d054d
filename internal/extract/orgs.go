package extract

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mosaic-intel/mosaic/internal/extract/gazetteer"
)

func capitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

var nameJoiners = map[string]bool{"of": true, "the": true, "&": true, "and": true, "for": true, "de": true, "al": true}

// groupIntro finds names introduced as groups: "linked to the Seventh
// Column", "members of the Red Harbour Collective".
var groupIntro = regexp.MustCompile(`\b(?:members? of|supporters? of|linked to|links to|associated with|affiliated (?:to|with)|connected to|allegiance to|joined|loyal to|belong(?:ed|s|ing)? to|recruited (?:by|into)|cell of)\s+(?:the\s+)?((?:\p{Lu}[\p{L}\-']+\s+(?:of\s+the\s+|of\s+)?){0,4}\p{Lu}[\p{L}\-']+)`)

// carrierRe finds airlines named before a flight number ("on Sunward
// flight W5398", "on N7 flight N7366").
var carrierRe = regexp.MustCompile(`\b(?:on|with|by)\s+(?:the\s+)?((?:\p{Lu}[\p{L}\-']+\s+){0,3}\p{Lu}[\p{L}\-']+|[A-Z0-9]{2})\s+flights?\s+(?:no\.?\s*)?[A-Z0-9]{2}\s?\d{1,4}\b`)

// perpetratorRe finds who a plot or an attack is ascribed to ("disrupted
// a plot by the Meridian"); people are told apart by their given names
// and by the people named elsewhere in the text.
var perpetratorRe = regexp.MustCompile(`\b(?:plots?|attacks?|bombings?|campaign) (?:by|of)\s+(?:the\s+)?((?:\p{Lu}[\p{L}\-']+\s+){0,3}\p{Lu}[\p{L}\-']+)\s*[.;,]`)

// sellerRe finds the seller after a purchase ("bought acetone from
// Handyman's Leeds").
var sellerRe = regexp.MustCompile(`\b(?:bought|buys|buying|purchased|purchases|purchasing|ordered|obtained|acquired)\b[^.;]{0,80}?\bfrom\s+(\p{Lu}[\p{L}\-]+(?:(?:'s|’s)?\s+\p{Lu}[\p{L}\-]+){1,4})\b`)

// prisonRe finds UK prison names ("HMP Marsh Lane"), which are places.
var prisonRe = regexp.MustCompile(`\bHMP(?:YOI)? (?:\p{Lu}[\p{L}'\-]+)(?: \p{Lu}[\p{L}'\-]+){0,2}`)

// findOrgNames adds organisations the tagger split or missed: runs of
// capitalised words ending in an organisation word ("Liverpool Garden
// Centre", "Lakeside Print Ltd") and names introduced as groups. They
// replace the name entities they cover.
func (d *doc) findOrgNames(ents []Entity) []Entity {
	type typed struct {
		Span
		typ string
	}
	var add []typed
	for _, s := range d.sents {
		i := s.First
		for i < s.Last {
			if !capitalised(d.toks[i].Text) {
				i++
				continue
			}
			j := i + 1
			lastCap := i
			for j < s.Last {
				w := d.toks[j].Text
				if capitalised(w) {
					lastCap = j
					j++
					continue
				}
				if nameJoiners[strings.ToLower(w)] && j+1 < s.Last && capitalised(d.toks[j+1].Text) {
					j++
					continue
				}
				break
			}
			// Find the last org word in the run and end the name there.
			end := -1
			for k := lastCap; k > i; k-- {
				if d.gaz != nil && d.gaz.Lookup(d.toks[k].Text)&(1<<gazetteer.OrgSuffix|1<<gazetteer.OrgWord) != 0 {
					end = k
					break
				}
			}
			start := i
			if strings.EqualFold(d.toks[start].Text, "the") {
				start++
			}

			if end > start {
				add = append(add, typed{Span{d.toks[start].Start, d.toks[end].End}, ORG})
			}
			i = lastCap + 1
		}
	}
	for _, m := range groupIntro.FindAllStringSubmatchIndex(d.text, -1) {
		add = append(add, typed{Span{m[2], m[3]}, ORG})
	}
	// The patterns below are run only when their (lower-case) key words
	// occur: most texts have none, and a scan of the whole text costs.
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(d.text, w) {
				return true
			}
		}
		return false
	}
	carriers := [][]int(nil)
	if has("flight") {
		carriers = carrierRe.FindAllStringSubmatchIndex(d.text, -1)
	}
	for _, m := range carriers {
		add = append(add, typed{Span{m[2], m[3]}, ORG})
	}
	persons := newNameWordCount(d, ents)
	perps := [][]int(nil)
	if has("plot", "attack", "bombing", "campaign") {
		perps = perpetratorRe.FindAllStringSubmatchIndex(d.text, -1)
	}
	for _, m := range perps {
		if ws := strings.Fields(d.text[m[2]:m[3]]); !d.isGiven(ws[0]) && !persons.has(d, ws[len(ws)-1], ents, Span{m[2], m[3]}) {
			add = append(add, typed{Span{m[2], m[3]}, ORG})
		}
	}
	sellers := [][]int(nil)
	if has("bought", "buy", "purchas", "ordered", "obtained", "acquired") {
		sellers = sellerRe.FindAllStringSubmatchIndex(d.text, -1)
	}
	for _, m := range sellers {
		// "bought ... from Handyman's Leeds", "from Hobbycraft Corner
		// Leeds": a shop named with the town of its branch.
		name := d.text[m[2]:m[3]]
		ws := strings.Fields(strings.NewReplacer("'s ", " ", "’s ", " ").Replace(name))
		if len(ws) < 2 || d.isGiven(ws[0]) || persons.has(d, ws[0], ents, Span{m[2], m[3]}) {
			continue
		}
		for n := 1; n <= 2 && n < len(ws); n++ {
			if d.gaz != nil && d.gaz.Lookup(strings.Join(ws[len(ws)-n:], " "))&(1<<gazetteer.City) != 0 {
				add = append(add, typed{Span{m[2], m[3]}, ORG})
				break
			}
		}
	}
	for _, m := range prisonRe.FindAllStringIndex(d.text, -1) {
		add = append(add, typed{Span{m[0], m[1]}, LOC})
	}
	if len(add) == 0 {
		return ents
	}
	sort.Slice(add, func(i, j int) bool { return add[i].Start < add[j].Start })
	drop := make([]bool, len(ents))
	var out []Entity
	for _, a := range add {
		si := d.sentenceAt(a.Start)
		if si < 0 || d.sentenceAt(a.End-1) != si {
			continue
		}
		lo := sort.Search(len(ents), func(k int) bool { return ents[k].End > a.Start })
		ok := true
		var covered []int
		for k := lo; k < len(ents) && ents[k].Start < a.End; k++ {
			e := ents[k]
			if e.Start < a.Start || e.End > a.End || !isName(e.Type) {
				ok = false
				break
			}
			if e.Start == a.Start && e.End == a.End && e.Type == a.typ {
				ok = false // already found
				break
			}
			covered = append(covered, k)
		}
		if !ok {
			continue
		}
		for _, k := range covered {
			drop[k] = true
		}
		out = append(out, Entity{Type: a.typ, Span: a.Span, Sentence: si})
	}
	for k, e := range ents {
		if !drop[k] {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	// Candidates may overlap each other: keep the first of overlapping ones.
	res := out[:0]
	for _, e := range out {
		if n := len(res); n > 0 && e.Start < res[n-1].End {
			continue
		}
		res = append(res, e)
	}
	return res
}

// multiwordPlaces makes one LOC of a place name of two or more words that
// the tagger cut or mistyped ("Newcastle" of "Newcastle upon Tyne", "Ho
// Chi Minh City" as ORG), when the name entities it overlaps lie within it.
func (d *doc) multiwordPlaces(ents []Entity) []Entity {
	if d.gaz == nil {
		return ents
	}
	const places = 1<<gazetteer.City | 1<<gazetteer.Country | 1<<gazetteer.Region
	var hashes []uint64
	var add []Entity
	drop := map[int]bool{}
	for si, s := range d.sents {
		hashes = hashes[:0]
		for t := s.First; t < s.Last; t++ {
			hashes = append(hashes, gazetteer.HashToken(d.toks[t].Text))
		}
		for _, m := range d.gaz.Find(hashes) {
			if m.End-m.Start < 2 || m.Lists&places == 0 {
				continue
			}
			a, b := d.toks[s.First+m.Start], d.toks[s.First+m.End-1]
			if !capitalised(a.Text) || !capitalised(b.Text) {
				continue
			}
			lo := sort.Search(len(ents), func(k int) bool { return ents[k].End > a.Start })
			ok, n := true, 0
			var cov []int
			for k := lo; k < len(ents) && ents[k].Start < b.End; k++ {
				e := ents[k]
				if !isName(e.Type) || e.Start < a.Start || e.End > b.End || drop[k] {
					ok = false
					break
				}
				if e.Start == a.Start && e.End == b.End && e.Type == LOC {
					ok = false // already found
					break
				}
				cov = append(cov, k)
				n++
			}
			if !ok || n == 0 {
				continue
			}
			// A name the tagger found whole keeps its type (a city's
			// sports team is ORG) unless a preposition of place leads it.
			if n == 1 && ents[cov[0]].Start == a.Start && ents[cov[0]].End == b.End {
				t := s.First + m.Start
				if t == 0 || !placePreps[strings.ToLower(d.toks[t-1].Text)] {
					continue
				}
			}
			for _, k := range cov {
				drop[k] = true
			}
			add = append(add, Entity{Type: LOC, Span: Span{a.Start, b.End}, Sentence: si})
		}
	}
	if len(add) == 0 {
		return ents
	}
	out := ents[:0]
	for k, e := range ents {
		if !drop[k] {
			out = append(out, e)
		}
	}
	out = append(out, add...)
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

var placePreps = map[string]bool{"in": true, "at": true, "near": true, "from": true, "to": true, "into": true, "outside": true, "across": true}

// nameWordCount counts, per word, the full names (two words or more) of
// people that hold it; built once per text so that lookups stay cheap.
type nameWordCount map[string]int

func newNameWordCount(d *doc, ents []Entity) nameWordCount {
	pw := nameWordCount{}
	for _, e := range ents {
		if e.Type == PER && strings.Contains(d.text[e.Start:e.End], " ") {
			for _, x := range strings.Fields(d.text[e.Start:e.End]) {
				pw[x]++
			}
		}
	}
	return pw
}

// has reports whether w is a word of a person's full name found in the
// text outside sp (ents sorted by start).
func (pw nameWordCount) has(d *doc, w string, ents []Entity, sp Span) bool {
	n := pw[w]
	if n == 0 {
		return false
	}
	lo := sort.Search(len(ents), func(k int) bool { return ents[k].End > sp.Start })
	for k := lo; k < len(ents) && ents[k].Start < sp.End; k++ {
		e := ents[k]
		if e.Type == PER && strings.Contains(d.text[e.Start:e.End], " ") {
			for _, x := range strings.Fields(d.text[e.Start:e.End]) {
				if x == w {
					n--
				}
			}
		}
	}
	return n > 0
}

// caseRuns returns the tagger's view of a sentence's words: runs of two or
// more all-capital words (3+ letters) in a mixed-case sentence are written
// in title case ("ROSA MORENO SERRANO" -> "Rosa Moreno Serrano"), as the
// tagger learnt names from mixed-case text.
func caseRuns(words []string) []string {
	isCaps := func(w string) bool {
		n := 0
		for _, r := range w {
			if unicode.IsLower(r) || unicode.IsDigit(r) {
				return false
			}
			if unicode.IsLetter(r) {
				n++
			}
		}
		return n >= 3
	}
	lower := 0
	for _, w := range words {
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsLower(r) {
			lower++
		}
	}
	if lower*3 < len(words) {
		return words // a headline or all-caps text: leave it
	}
	for i := 0; i < len(words); {
		j := i
		for j < len(words) && isCaps(words[j]) {
			j++
		}
		if j-i >= 2 {
			for k := i; k < j; k++ {
				r, sz := utf8.DecodeRuneInString(words[k])
				words[k] = string(r) + strings.ToLower(words[k][sz:])
			}
		}
		if j == i {
			j++
		}
		i = j
	}
	return words
}

// placesAfterPrepositions retypes a one-word ORG that the gazetteers know
// as a place and that follows "in", "at", "near" or "from" ("a cafe in
// Leeds"): news-trained taggers often read city names as sports clubs.
func (d *doc) placesAfterPrepositions(ents []Entity) {
	if d.gaz == nil {
		return
	}
	const places = 1<<gazetteer.City | 1<<gazetteer.Country | 1<<gazetteer.Region
	for i := range ents {
		e := &ents[i]
		if e.Type != ORG || strings.ContainsRune(d.text[e.Start:e.End], ' ') {
			continue
		}
		if d.gaz.Lookup(d.text[e.Start:e.End])&places == 0 {
			continue
		}
		t := d.tokenAt(e.Start)
		if t == 0 {
			continue
		}
		switch strings.ToLower(d.toks[t-1].Text) {
		case "in", "at", "near", "from", "to", "into", "outside", "across":
			e.Type = LOC
		}
	}
}

// agencyCode matches short capital codes with a number ("MI5", "GCHQ" has
// none): agencies and units are often named so.
var agencyCode = regexp.MustCompile(`^\p{Lu}{2,4}[0-9]{1,2}$`)

var agencyCues = map[string]bool{
	"agent": true, "agents": true, "chief": true, "officers": true, "officer": true, "intelligence": true,
	"investigation": true, "investigators": true, "spokesman": true, "spokeswoman": true, "director": true,
	"police": true, "agency": true, "service": true, "services": true,
}

// agencyCodes adds, as ORG, capital codes with a number that the tagger
// left out when one of their mentions stands next to an agency word ("an
// MI5 agent", "police and MI5"); every mention of the code is added.
func (d *doc) agencyCodes(ents []Entity) []Entity {
	covered := func(t int) bool {
		k := sort.Search(len(ents), func(i int) bool { return ents[i].End > d.toks[t].Start })
		return k < len(ents) && ents[k].Start < d.toks[t].End
	}
	byText := map[string][]int{}
	cued := map[string]bool{}
	for t, tk := range d.toks {
		if d.tokSent[t] < 0 || !agencyCode.MatchString(tk.Text) || covered(t) {
			continue
		}
		byText[tk.Text] = append(byText[tk.Text], t)
		for k := max(0, t-2); k < min(len(d.toks), t+3); k++ {
			if k != t && (agencyCues[strings.ToLower(d.toks[k].Text)] || groupCues[strings.ToLower(d.toks[k].Text)]) {
				cued[tk.Text] = true
			}
		}
	}
	if len(cued) == 0 {
		return ents
	}
	for w, ts := range byText {
		if !cued[w] {
			continue
		}
		for _, t := range ts {
			ents = append(ents, Entity{Type: ORG, Span: Span{d.toks[t].Start, d.toks[t].End}, Sentence: d.tokSent[t]})
		}
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Start < ents[j].Start })
	return ents
}
