package extract

import (
	"strings"
	"unicode"

	"github.com/mosaic-intel/mosaic/internal/extract/gazetteer"
)

const gazDemonym = gazetteer.Demonym

// unionFind is a disjoint-set forest over entity indices.
type unionFind []int

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = i
	}
	return u
}

func (u unionFind) find(i int) int {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

func (u unionFind) union(a, b int) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if ra < rb {
		u[rb] = ra
	} else {
		u[ra] = rb
	}
}

func isName(t string) bool { return t == PER || t == ORG || t == LOC || t == MISC }

// nameKey is the form under which two mentions of a name are the same:
// lower case, without a leading article or trailing possessive.
func nameKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "the ")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "'s"), "’s")
	s = strings.TrimRight(s, "'’")
	return strings.Join(strings.Fields(s), " ")
}

// courtesy titles dropped before comparing person names.
var courtesy = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "dr": true, "sir": true, "lord": true, "lady": true, "prof": true, "mr.": true, "mrs.": true, "ms.": true, "dr.": true, "prof.": true}

func personWords(s string) []string {
	ws := strings.Fields(s)
	for len(ws) > 1 && courtesy[strings.ToLower(ws[0])] {
		ws = ws[1:]
	}
	return ws
}

// cluster assigns Cluster ids: same name, a surname after the full name,
// and aliases chain mentions; ids count referents in order of first mention.
func (d *doc) cluster() {
	ents := d.res.Entities
	u := newUnionFind(len(ents))
	byKey := map[string]int{}
	lastFull := map[string]int{} // surname -> latest multi-word PER
	for i, e := range ents {
		var key string
		switch {
		case e.Type == PER:
			ws := personWords(e.Text)
			key = "P:" + nameKey(strings.Join(ws, " "))
			if len(ws) == 1 {
				if j, ok := lastFull[strings.ToLower(ws[0])]; ok {
					u.union(i, j)
				}
			} else {
				lastFull[strings.ToLower(ws[len(ws)-1])] = i
			}
		case e.Type == ORG || e.Type == MISC:
			key = "O:" + nameKey(e.Text)
		case e.Type == LOC:
			key = "L:" + nameKey(e.Text)
		case e.Normalized != "":
			key = e.Type + ":" + e.Normalized
		default:
			key = e.Type + ":" + nameKey(e.Text)
		}
		if j, ok := byKey[key]; ok {
			u.union(i, j)
		} else {
			byKey[key] = i
		}
	}
	for _, a := range d.res.Aliases {
		u.union(a.Entity, a.Alias)
	}
	d.harmoniseTypes(u)
	ids := map[int]int{}
	for i := range ents {
		r := u.find(i)
		id, ok := ids[r]
		if !ok {
			id = len(ids)
			ids[r] = id
		}
		ents[i].Cluster = id
	}
}

// initials returns the upper-case initials of the capitalised words of s
// ("Islamic State in Iraq and the Levant" -> "ISIL"), splitting on spaces
// and hyphens.
func initials(s string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' }) {
		r := []rune(w)
		if len(r) > 0 && unicode.IsUpper(r[0]) {
			b.WriteRune(r[0])
		}
	}
	return b.String()
}

// acronymLetters returns the letters of a short acronym-like token in
// upper case ("Isis" -> "ISIS", "IS-K" -> "ISK"), or "" when s does not
// look like an acronym (one word, 2 to 6 letters).
func acronymLetters(s string) string {
	if strings.ContainsAny(s, " ") {
		return ""
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToUpper(r))
			n++
		case r == '-' || r == '.' || r == '&':
		default:
			return ""
		}
	}
	if n < 2 || n > 6 {
		return ""
	}
	return b.String()
}

// groupCues are words that, next to a name, say it names a group:
// "Isis cells", "militants of X", "pledging allegiance to X".
var groupCues = map[string]bool{
	"cell": true, "cells": true, "group": true, "groups": true, "militants": true, "fighters": true,
	"supporters": true, "members": true, "member": true, "leader": true, "leaders": true, "commander": true,
	"commanders": true, "affiliates": true, "affiliate": true, "wing": true, "territory": true,
	"territories": true, "caliphate": true, "propaganda": true, "agents": true, "officers": true,
	"spokesman": true, "recruiters": true, "operatives": true, "jihadists": true, "claimed": true,
	"allegiance": true, "join": true, "joined": true, "bases": true, "strongholds": true,
}

// harmoniseTypes gives every name mention of a chain one type: the type
// with the most weight, where multi-word mentions weigh more than single
// words and a single-word MISC name with group cues around it (and not a
// nationality) counts as an organisation.
func (d *doc) harmoniseTypes(u unionFind) {
	ents := d.res.Entities
	type votes map[string]int
	byRoot := map[int]votes{}
	for i, e := range ents {
		if !isName(e.Type) {
			continue
		}
		r := u.find(i)
		v := byRoot[r]
		if v == nil {
			v = votes{}
			byRoot[r] = v
		}
		w := 1
		if strings.Contains(e.Text, " ") {
			w = 3
		}
		bare := e.Type == MISC && !strings.Contains(e.Text, " ") && !strings.ContainsRune(e.Text, '-') &&
			!adjectival(e.Text) && (d.gaz == nil || d.gaz.Lookup(e.Text)&(1<<gazDemonym) == 0)
		if bare {
			// A bare single-word MISC that is no nationality is weak
			// evidence: it counts only until a group cue is seen.
			v["bare"] += w
			if d.groupCue(e) {
				v[ORG] += 2
			}
			continue
		}
		v[e.Type] += w
	}
	for _, v := range byRoot {
		if v[ORG] == 0 {
			v[MISC] += v["bare"]
		}
	}
	for i, e := range ents {
		if !isName(e.Type) {
			continue
		}
		v := byRoot[u.find(i)]
		// Ties go to the type of the chain's first mention.
		first := ents[u.find(i)].Type
		best, bw := first, v[first]
		if bw == 0 {
			best, bw = e.Type, v[e.Type]
		}
		if bw == 0 {
			best, bw = ORG, v[ORG]
		}
		for _, t := range []string{PER, ORG, LOC, MISC} {
			if v[t] > bw {
				best, bw = t, v[t]
			}
		}
		// Hyphenated modifiers ("Isis-inspired") stay MISC.
		if e.Type == MISC && strings.ContainsRune(e.Text, '-') && best != MISC && !strings.Contains(e.Text, " ") {
			continue
		}
		ents[i].Type = best
	}
}

// groupCue reports whether a group cue word stands within two tokens
// after the entity or right before it ("of", "to", "join" X).
func (d *doc) groupCue(e Entity) bool {
	t := d.tokenAt(e.End)
	for k := t; k < len(d.toks) && k < t+2; k++ {
		if groupCues[strings.ToLower(d.toks[k].Text)] {
			return true
		}
		if w := d.toks[k].Text; w == "’" || w == "'" || w == "’s" || w == "'s" {
			continue
		}
	}
	s := d.tokenAt(e.Start)
	for k := s - 1; k >= 0 && k >= s-3; k-- {
		if groupCues[strings.ToLower(d.toks[k].Text)] {
			return true
		}
	}
	return false
}

// adjectival reports whether a word has the ending of an English adjective
// or adjectival noun ("-ist", "-ian", "-ish", "-ese", "-ic", "-an"), which a
// group name written as one word rarely has.
func adjectival(w string) bool {
	l := strings.ToLower(w)
	for _, suf := range []string{"ist", "ists", "ian", "ians", "ish", "ese", "ic", "an", "ans", "ite", "ites"} {
		if len(l) > len(suf)+2 && strings.HasSuffix(l, suf) {
			return true
		}
	}
	return false
}
