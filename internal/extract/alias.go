package extract

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

var (
	// "X (Y)": the name in brackets right after an entity.
	parenRe = regexp.MustCompile(`^\s*\(\s*([^()\n]{1,60}?)\s*\)`)
	// "so-called X" / "also known as X" before a capitalised name.
	introRe   = regexp.MustCompile(`(?i:so-called|so called|also known as|known as|a\.k\.a\.|aka|calling itself|calls itself|dubbed)\s+((?:(?:the|al|el)[\s-])?\p{Lu}[\p{L}\-']*(?:\s+(?:of|and|in|the|for|al|el|\p{Lu}[\p{L}\-']*))*)`)
	orShortRe = regexp.MustCompile(`^\s+or\s+(\p{Lu}[\p{L}\-.&]{0,9}[\p{L}])`)
	// What may stand between a name and its alias.
	akaBetween = regexp.MustCompile(`^(?i:,?\s*(?:also known as|known as|aka|a\.k\.a\.|also called|dubbed|nicknamed|calling itself|which calls itself|or|otherwise known as)\s*(?:the\s+)?)$`)
)

// looksLikeName reports whether s is a plausible name: it starts with an
// upper-case letter or digit and has no lower-case word other than
// connectives.
func looksLikeName(s string) bool {
	ws := strings.Fields(s)
	if len(ws) == 0 || len(ws) > 8 {
		return false
	}
	for i, w := range ws {
		r := []rune(w)
		if unicode.IsUpper(r[0]) {
			continue
		}
		switch strings.ToLower(w) {
		case "of", "and", "in", "the", "for", "al", "el", "de", "&":
			if i > 0 {
				continue
			}
		}
		return false
	}
	return true
}

// addAliasNames adds, as entities, the names that alias constructions
// introduce when the tagger missed them: "(Rusi)" after an organisation,
// "so-called Islamic State", "also known as Daesh".
func (d *doc) addAliasNames() {
	d.acronymDefinitions()
	ents := d.res.Entities
	var add []Entity
	has := func(s, e int) bool {
		k := sort.Search(len(ents), func(i int) bool { return ents[i].End > s })
		return k < len(ents) && ents[k].Start < e
	}
	for _, e := range ents {
		if e.Type != ORG && e.Type != MISC && e.Type != PER {
			continue
		}
		m := parenRe.FindStringSubmatchIndex(d.text[e.End:min(len(d.text), e.End+80)])
		if m == nil {
			continue
		}
		s, t := e.End+m[2], e.End+m[3]
		name := d.text[s:t]
		if has(s, t) || !looksLikeName(name) {
			continue
		}
		if acr := acronymLetters(name); acr == "" || (!strings.HasPrefix(initials(e.Text), acr[:1])) {
			continue
		}
		if si := d.sentenceAt(s); si >= 0 {
			add = append(add, Entity{Type: e.Type, Span: Span{s, t}, Text: name, Sentence: si})
		}
	}
	// "IS-Khorasan or IS-K": a short form offered as an alternative.
	for _, e := range ents {
		if e.Type != ORG && e.Type != MISC {
			continue
		}
		m := orShortRe.FindStringSubmatchIndex(d.text[e.End:min(len(d.text), e.End+40)])
		if m == nil {
			continue
		}
		s, t := e.End+m[2], e.End+m[3]
		if has(s, t) || !shortFormOf(d.text[s:t], d.text[e.Start:e.End]) {
			continue
		}
		if si := d.sentenceAt(s); si >= 0 {
			add = append(add, Entity{Type: e.Type, Span: Span{s, t}, Text: d.text[s:t], Sentence: si})
		}
	}
	for _, m := range introRe.FindAllStringSubmatchIndex(d.text, -1) {
		s, t := m[2], m[3]
		// Trim trailing connectives the greedy pattern took.
		for {
			name := d.text[s:t]
			trimmed := false
			for _, w := range []string{" of", " and", " in", " the", " for", " al", " el"} {
				if strings.HasSuffix(name, w) {
					t -= len(w)
					trimmed = true
				}
			}
			if !trimmed {
				break
			}
		}
		if has(s, t) {
			continue
		}
		if si := d.sentenceAt(s); si >= 0 {
			add = append(add, Entity{Type: ORG, Span: Span{s, t}, Text: d.text[s:t], Sentence: si})
		}
	}
	if len(add) == 0 {
		return
	}
	ents = append(ents, add...)
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].Start < ents[j].Start })
	d.res.Entities = ents
}

// findAliases finds "X (Y)", "X, also known as Y", "X or Y" with Y an
// acronym or short form of X, "so-called Y", and acronyms whose expansion
// is named elsewhere in the document.
func (d *doc) findAliases() {
	d.addAliasNames()
	ents := d.res.Entities
	seen := map[[2]string]bool{}
	addAlias := func(i, j int, kind string, ev Span) {
		if i == j {
			return
		}
		k := [2]string{nameKey(ents[i].Text), nameKey(ents[j].Text)}
		if k[0] == k[1] || seen[k] {
			return
		}
		seen[k] = true
		d.res.Aliases = append(d.res.Aliases, Alias{Entity: i, Alias: j, Evidence: ev, Kind: kind})
	}
	sentSpan := func(e Entity) Span {
		if e.Sentence >= 0 && e.Sentence < len(d.sents) {
			return Span(d.sents[e.Sentence].Span)
		}
		return e.Span
	}
	for i := 0; i+1 < len(ents); i++ {
		a, b := ents[i], ents[i+1]
		if !isName(a.Type) || !isName(b.Type) || a.Sentence != b.Sentence || b.Start < a.End {
			continue
		}
		between := d.text[a.End:b.Start]
		switch {
		case parenRe.MatchString(d.text[a.End:min(len(d.text), b.End+2)]) && strings.TrimSpace(between) == "(":
			if a.Type != LOC || acronymLetters(b.Text) != "" {
				addAlias(i, i+1, "parenthesis", Span{a.Start, min(len(d.text), b.End+1)})
			}
		case akaBetween.MatchString(between):
			isOr := strings.Contains(strings.ToLower(between), "or")
			if isOr && !strings.Contains(strings.ToLower(between), "known") && !shortFormOf(b.Text, a.Text) {
				continue
			}
			addAlias(i, i+1, "aka", Span{a.Start, b.End})
		}
	}
	// Acronyms whose expansion is named elsewhere in the document.
	expansions := map[string]int{}
	for i, e := range ents {
		if (e.Type == ORG || e.Type == MISC) && strings.Contains(e.Text, " ") {
			if in := initials(e.Text); len(in) >= 2 {
				if _, ok := expansions[in]; !ok {
					expansions[in] = i
				}
			}
		}
	}
	acronyms := map[string]int{}
	for j, e := range ents {
		if e.Type != ORG && e.Type != MISC {
			continue
		}
		acr := acronymLetters(e.Text)
		if acr == "" {
			continue
		}
		if _, ok := acronyms[acr]; !ok {
			acronyms[acr] = j
		}
		if i, ok := expansions[acr]; ok {
			addAlias(i, j, "acronym", sentSpan(e))
		}
	}
	// "so-called Islamic State": the name's initials begin an acronym used
	// for the same group elsewhere ("IS" in "ISIS").
	for j, e := range ents {
		pre := strings.ToLower(d.text[max(0, e.Start-12):e.Start])
		if !strings.HasSuffix(strings.TrimSpace(pre), "so-called") && !strings.HasSuffix(strings.TrimSpace(pre), "so called") {
			continue
		}
		in := initials(e.Text)
		if len(in) < 2 {
			continue
		}
		best := -1
		for acr, i := range acronyms {
			if strings.HasPrefix(acr, in) && (best < 0 || i < best) {
				best = i
			}
		}
		if best >= 0 {
			addAlias(best, j, "so-called", sentSpan(e))
		}
	}
}

// shortFormOf reports whether s is a short form of long: its acronym, or
// the same hyphenated stem ("IS-K" of "IS-Khorasan").
func shortFormOf(s, long string) bool {
	if len(s) >= len(long) {
		return false
	}
	if acr := acronymLetters(s); acr != "" && strings.HasPrefix(initials(long), acr) {
		return true
	}
	if i := strings.IndexByte(s, '-'); i > 0 && strings.HasPrefix(long, s[:i+1]) {
		return true
	}
	return false
}

var parenAcr = regexp.MustCompile(`\(\s*(\p{Lu}[\p{L}\-.&]{1,9})\s*\)`)

// longForm finds the words before byte offset end whose capitalised
// initials spell acr ("Islamic State in Iraq and the Levant" before
// "(Isil)"), the acronym-definition pattern. It returns the start offset.
func longForm(text string, end int, acr string) (int, bool) {
	words := 0
	caps := []byte{}
	i := end
	for words < len(acr)+5 && i > 0 {
		// Skip spaces back to the previous word.
		j := i
		for j > 0 && (text[j-1] == ' ' || text[j-1] == '\t') {
			j--
		}
		k := j
		for k > 0 && text[k-1] != ' ' && text[k-1] != '\t' && text[k-1] != '\n' && text[k-1] != '(' && text[k-1] != ',' && text[k-1] != '.' {
			k--
		}
		if k == j {
			return 0, false
		}
		w := text[k:j]
		words++
		if w[0] >= 'A' && w[0] <= 'Z' {
			caps = append([]byte{w[0]}, caps...)
			if len(caps) == len(acr) {
				return k, string(caps) == acr
			}
		} else if !connective[strings.ToLower(w)] {
			return 0, false
		}
		i = k
	}
	return 0, false
}

var connective = map[string]bool{"of": true, "and": true, "in": true, "the": true, "for": true, "al": true, "on": true, "&": true, "de": true}

// acronymDefinitions turns "Long Form Words (LFW)" into two ORG entities,
// replacing whatever pieces the tagger found inside the long form.
func (d *doc) acronymDefinitions() {
	ents := d.res.Entities
	var add []Entity
	drop := map[int]bool{}
	for _, m := range parenAcr.FindAllStringSubmatchIndex(d.text, -1) {
		acr := acronymLetters(d.text[m[2]:m[3]])
		if len(acr) < 2 {
			continue
		}
		end := m[0]
		for end > 0 && d.text[end-1] == ' ' {
			end--
		}
		start, ok := longForm(d.text, end, acr)
		if !ok {
			continue
		}
		si, sj := d.sentenceAt(start), d.sentenceAt(m[2])
		if si < 0 || si != sj {
			continue
		}
		typ := ORG
		exact := false
		lo := sort.Search(len(ents), func(k int) bool { return ents[k].End > start })
		for k := lo; k < len(ents) && ents[k].Start < end; k++ {
			e := ents[k]
			if e.Start == start && e.End == end {
				exact, typ = true, e.Type
				continue
			}
			if isName(e.Type) {
				drop[k] = true
			}
		}
		if !exact {
			add = append(add, Entity{Type: typ, Span: Span{start, end}, Sentence: si})
		}
		covered := false
		for k := lo; k < len(ents) && ents[k].Start < m[3]; k++ {
			e := ents[k]
			if e.Start == m[2] && e.End == m[3] {
				covered = true
				ents[k].Type = typ
			} else if e.Start < m[3] && e.End > m[2] {
				drop[k] = true
			}
		}
		if !covered {
			add = append(add, Entity{Type: typ, Span: Span{m[2], m[3]}, Sentence: sj})
		}
	}
	if len(add) == 0 && len(drop) == 0 {
		return
	}
	out := ents[:0:0]
	for k, e := range ents {
		if !drop[k] {
			out = append(out, e)
		}
	}
	for _, e := range add {
		e.Text = d.text[e.Start:e.End]
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	d.res.Entities = out
}
