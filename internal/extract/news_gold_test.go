package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/shareddata"
)

// newsGold is testdata/news_gold.json: a hand annotation of the five
// shared news articles (see testdata/mkgold.py for how it was made).
type newsGold struct {
	Files []struct {
		File     string   `json:"file"`
		SHA256   string   `json:"sha256"`
		Exclude  [][2]int `json:"exclude"`
		Entities []struct {
			Start, End int
			Type, Text string
		} `json:"entities"`
		Relations []struct {
			Subject, Predicate string
			Object             *string
		} `json:"relations"`
		Aliases []struct{ Entity, Alias string } `json:"aliases"`
	} `json:"files"`
}

type prf struct{ gold, guess, correct int }

func (c prf) String() string {
	p, r := 0.0, 0.0
	if c.guess > 0 {
		p = 100 * float64(c.correct) / float64(c.guess)
	}
	if c.gold > 0 {
		r = 100 * float64(c.correct) / float64(c.gold)
	}
	f := 0.0
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return fmt.Sprintf("P %5.1f R %5.1f F1 %5.1f (gold %d, found %d, correct %d)", p, r, f, c.gold, c.guess, c.correct)
}

func (c prf) recall() float64 {
	if c.gold == 0 {
		return 0
	}
	return float64(c.correct) / float64(c.gold)
}

// TestNewsGold scores entities (PER, ORG, LOC), relations and aliases on
// the shared news articles against the hand annotation. It fails if
// lenient entity recall drops under 80% or relation recall under 40%.
func TestNewsGold(t *testing.T) {
	dir := shareddata.Path(t, "corpus/news")
	b, err := os.ReadFile("testdata/news_gold.json")
	if err != nil {
		t.Fatal(err)
	}
	var g newsGold
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	x := newX(t)
	var strict, lenient, rels, aliases prf
	byType := map[string]*prf{}
	var misses []string
	for _, f := range g.Files {
		raw, err := os.ReadFile(dir + "/" + f.File)
		if err != nil {
			t.Skipf("skipping: %v", err)
		}
		sum := sha256.Sum256(raw)
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Fatalf("%s changed since it was annotated", f.File)
		}
		text := string(raw)
		r := x.Extract(text, DocumentDate(text))
		excluded := func(s Span) bool {
			for _, e := range f.Exclude {
				if s.Start < e[1] && s.End > e[0] {
					return true
				}
			}
			return false
		}
		var guess []Entity
		for _, e := range r.Entities {
			if (e.Type == PER || e.Type == ORG || e.Type == LOC) && !excluded(e.Span) {
				guess = append(guess, e)
			}
		}
		for _, typ := range []string{PER, ORG, LOC} {
			if byType[typ] == nil {
				byType[typ] = &prf{}
			}
		}
		for _, e := range guess {
			byType[e.Type].guess++
		}
		strict.guess += len(guess)
		lenient.guess += len(guess)
		usedStrict := map[int]bool{}
		usedLenient := map[int]bool{}
		for _, ge := range f.Entities {
			strict.gold++
			lenient.gold++
			byType[ge.Type].gold++
			hit := false
			for k, e := range guess {
				if e.Type != ge.Type {
					continue
				}
				if e.Start == ge.Start && e.End == ge.End && !usedStrict[k] {
					usedStrict[k] = true
					strict.correct++
					byType[ge.Type].correct++
				}
				if e.Start < ge.End && e.End > ge.Start && !usedLenient[k] && !hit {
					usedLenient[k] = true
					lenient.correct++
					hit = true
				}
			}
			if !hit {
				misses = append(misses, fmt.Sprintf("%s %s %q@%d", f.File[:3], ge.Type, ge.Text, ge.Start))
			}
		}
		// Relations: a predicted relation matches a gold one when the
		// predicate agrees and each end is, or is chained to, a mention
		// with the gold name (titles: any object).
		named := func(i int, name string) bool {
			if i < 0 {
				return false
			}
			c := r.Entities[i].Cluster
			for _, e := range r.Entities {
				if e.Cluster == c && (e.Text == name || strings.TrimPrefix(e.Text, "Mr ") == name) {
					return true
				}
			}
			return false
		}
		var guessRels []Relation
		for _, rel := range r.Relations {
			if !excluded(rel.Evidence) || !excluded(r.Entities[rel.Subject].Span) {
				guessRels = append(guessRels, rel)
			}
		}
		rels.gold += len(f.Relations)
		rels.guess += len(guessRels)
		for _, gr := range f.Relations {
			hit := false
			for _, rel := range guessRels {
				if rel.Predicate != gr.Predicate || !named(rel.Subject, gr.Subject) {
					continue
				}
				if gr.Object != nil && !named(rel.Object, *gr.Object) {
					continue
				}
				rels.correct++
				hit = true
				break
			}
			if !hit {
				obj := "-"
				if gr.Object != nil {
					obj = *gr.Object
				}
				misses = append(misses, fmt.Sprintf("%s REL %s %s %s", f.File[:3], gr.Subject, gr.Predicate, obj))
			}
		}
		aliases.gold += len(f.Aliases)
		aliases.guess += len(r.Aliases)
		for _, ga := range f.Aliases {
			for _, a := range r.Aliases {
				if (named(a.Entity, ga.Entity) && named(a.Alias, ga.Alias)) || (named(a.Entity, ga.Alias) && named(a.Alias, ga.Entity)) {
					aliases.correct++
					break
				}
			}
		}
	}
	sort.Strings(misses)
	t.Logf("entities strict:  %v", strict)
	t.Logf("entities lenient: %v", lenient)
	for _, typ := range []string{PER, ORG, LOC} {
		t.Logf("  %s strict: %v", typ, *byType[typ])
	}
	t.Logf("relations:        %v", rels)
	t.Logf("aliases:          %v", aliases)
	if testing.Verbose() {
		t.Logf("missed: %s", strings.Join(misses, "; "))
	}
	if lenient.recall() < 0.8 {
		t.Errorf("lenient entity recall %.2f < 0.80", lenient.recall())
	}
	if rels.recall() < 0.4 {
		t.Errorf("relation recall %.2f < 0.40", rels.recall())
	}
}
