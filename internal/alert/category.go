package alert

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/extract/gazetteer"
)

// Special categories of data (GDPR Art. 9, and national origin and sex as
// protected characteristics). No rule may use them: not as a record kind,
// a field, a property, a value filter or a set.
var specialTerms = map[string][]string{
	"religious or philosophical beliefs": {
		"religion", "religious", "faith", "belief", "beliefs", "denomination", "worship", "church", "mosque",
		"synagogue", "temple", "gurdwara", "muslim", "islam", "islamic", "islamist", "christian", "christianity",
		"catholic", "protestant", "jewish", "judaism", "jew", "hindu", "hinduism", "sikh", "sikhism", "buddhist",
		"buddhism", "atheist", "agnostic", "sunni", "shia", "shiite", "salafi", "salafist", "evangelical",
		"halal", "kosher", "prayer", "imam", "rabbi", "priest", "pastor", "convert",
	},
	"racial or ethnic origin": {
		"race", "racial", "ethnicity", "ethnic", "ethnic origin", "ethnic group", "skin colour", "skin color",
		"complexion", "culture", "cultural background", "tribe", "tribal", "caste", "clan", "ancestry",
		"heritage", "mother tongue", "first language", "native language", "language", "dialect",
	},
	"national origin": {
		"nationality", "nationalities", "national origin", "citizenship", "citizen of", "country of birth",
		"birth country", "place of birth", "birthplace", "birth place", "document country", "issuing country",
		"passport country", "country of origin", "immigration status", "migrant", "refugee", "asylum",
	},
	"political opinions": {
		"politics", "political", "political party", "party membership", "voting", "voter", "vote",
		"political opinion", "opinion", "opinions", "ideology",
	},
	"trade union membership": {"trade union", "union membership", "union member"},
	"genetic or biometric data": {
		"genetic", "dna", "genome", "biometric", "biometrics", "fingerprint", "fingerprints", "facial",
		"face template",
	},
	"health": {
		"health", "medical", "diagnosis", "disability", "disabled", "illness", "disease", "mental health",
		"psychiatric", "medication", "pregnancy", "pregnant", "hiv", "prescription", "clinical",
	},
	"sex life or sexual orientation": {
		"sexuality", "sexual orientation", "sexual", "sex life", "gay", "lesbian", "bisexual", "homosexual",
		"heterosexual", "transgender", "lgbt", "lgbtq", "gender identity",
	},
	"sex or gender": {"sex", "gender"},
}

// Rule keys whose values are free text for people, never evaluated.
var freeText = map[string]bool{"title": true, "description": true}

type lexicon struct {
	phrases map[string]string // space-joined tokens -> category
	longest int
	gaz     *gazetteer.Gazetteer
}

func loadLexicon() (*lexicon, error) {
	l := &lexicon{phrases: map[string]string{}}
	for cat, terms := range specialTerms {
		for _, t := range terms {
			toks := tokens(t)
			l.phrases[strings.Join(toks, " ")] = cat
			l.longest = max(l.longest, len(toks))
		}
	}
	var err error
	l.gaz, err = gazetteer.New()
	return l, err
}

// tokens splits s into lower-case words at non-alphanumerics and camelCase
// boundaries ("documentCountry" -> document, country).
func tokens(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && prevLower {
				flush()
			}
			cur = append(cur, r)
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		default:
			flush()
			prevLower = false
		}
	}
	flush()
	return out
}

// find returns the special-category term and its category in s, if any.
func (l *lexicon) find(s string) (term, category string) {
	toks := tokens(s)
	for i := range toks {
		for n := min(l.longest, len(toks)-i); n >= 1; n-- {
			p := strings.Join(toks[i:i+n], " ")
			if c, ok := l.phrases[p]; ok {
				return p, c
			}
			if n == 1 {
				if c, ok := l.phrases[strings.TrimSuffix(p, "s")]; ok && len(p) > 3 {
					return p, c
				}
			}
		}
	}
	// Nationality and ethnic adjectives ("Pakistani", "Arab").
	if l.gaz != nil {
		for i := range toks {
			for n := min(3, len(toks)-i); n >= 1; n-- {
				p := strings.Join(toks[i:i+n], " ")
				if m := l.gaz.Lookup(p); m&(1<<gazetteer.Demonym) != 0 {
					return p, "national or ethnic origin"
				}
			}
		}
	}
	return "", ""
}

// SpecialCategoryError is the refusal of a rule that uses special-category
// data.
type SpecialCategoryError struct {
	File     string
	Rule     string // "" for a section outside the rules
	Section  string // e.g. "sets" when not in a rule
	Path     string // where in the rule, e.g. "where.religion"
	Term     string // the attribute or value found
	Category string
}

func (e *SpecialCategoryError) Error() string {
	where := fmt.Sprintf("rule %q", e.Rule)
	if e.Rule == "" {
		where = "section " + e.Section
	}
	return fmt.Sprintf("%s: %s uses the special-category attribute %q (%s) at %s: alert rules may not use religion, "+
		"ethnicity, national or ethnic origin, race, politics, sexuality, health or any other special-category data",
		e.File, where, e.Term, e.Category, e.Path)
}

// checkSpecialCategories walks every key and value of the rules file
// except titles and descriptions.
func checkSpecialCategories(root *yaml.Node, file string, l *lexicon) error {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil // the decoder reports the shape
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		section, body := doc.Content[i].Value, doc.Content[i+1]
		if section == "rules" && body.Kind == yaml.SequenceNode {
			for j, r := range body.Content {
				name := ruleName(r)
				if name == "" {
					name = "#" + strconv.Itoa(j+1)
				}
				if term, cat, path := walk(l, r, ""); term != "" {
					return mosaic.E(mosaic.KindRefused, "alert.ParseRules", &SpecialCategoryError{File: file, Rule: name, Path: path, Term: term, Category: cat})
				}
			}
			continue
		}
		if term, cat, path := walk(l, body, section); term != "" {
			return mosaic.E(mosaic.KindRefused, "alert.ParseRules", &SpecialCategoryError{File: file, Section: section, Path: path, Term: term, Category: cat})
		}
	}
	return nil
}

func ruleName(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" {
			return n.Content[i+1].Value
		}
	}
	return ""
}

func walk(l *lexicon, n *yaml.Node, path string) (term, category, at string) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if freeText[k.Value] {
				continue
			}
			if t, c := l.find(k.Value); t != "" {
				return t, c, join(k.Value)
			}
			if t, c, p := walk(l, v, join(k.Value)); t != "" {
				return t, c, p
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			if t, c, p := walk(l, v, fmt.Sprintf("%s[%d]", path, i)); t != "" {
				return t, c, p
			}
		}
	case yaml.ScalarNode:
		if t, c := l.find(n.Value); t != "" {
			return t, c, path
		}
	case yaml.AliasNode:
		if n.Alias != nil {
			return walk(l, n.Alias, path)
		}
	}
	return "", "", ""
}
