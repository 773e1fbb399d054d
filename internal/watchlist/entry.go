// Package watchlist reads sanctions and watch lists into one Entry shape:
// the UN Security Council consolidated list (XML), the OFAC SDN files
// (sdn.csv, alt.csv, add.csv), FollowTheMoney JSON lines (the OpenSanctions
// format) and plain CSV with a column mapping.
//
// Every parser reads the whole input and keeps going past bad rows: a row
// it cannot use becomes a Problem naming the file, the line and the reason,
// and the rest still import. Only an unreadable input is an error.
package watchlist

import (
	"fmt"
	"strings"

	"github.com/mosaic-intel/mosaic/internal/names"
)

// Schema is the kind of listed thing, using FollowTheMoney's schema names.
type Schema string

// Schemas.
const (
	Person       Schema = "Person"
	Organization Schema = "Organization"
	Vessel       Schema = "Vessel"
	Aircraft     Schema = "Aircraft"
	Unknown      Schema = "LegalEntity" // FollowTheMoney's parent of Person and Organization
)

// ParseSchema maps a schema word from any supported list to a Schema.
func ParseSchema(s string) Schema {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "person", "individual", "people":
		return Person
	case "organization", "organisation", "entity", "company", "publicbody":
		return Organization
	case "vessel":
		return Vessel
	case "aircraft", "airplane":
		return Aircraft
	}
	return Unknown
}

// Name is one name of an entry.
type Name struct {
	Value   string `json:"value"`
	Script  string `json:"script"`            // "latin", "arabic", ... (names.Script)
	Primary bool   `json:"primary,omitempty"` // the list's main name
	Weak    bool   `json:"weak,omitempty"`    // a low-quality alias (UN "Low", FtM weakAlias)
}

// Identifier is a document or registration number.
type Identifier struct {
	Type    string `json:"type"` // e.g. "Passport", "National Identification Number"
	Number  string `json:"number"`
	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2 where known
}

// Entry is one listed person, organisation, vessel or aircraft.
type Entry struct {
	List        string       `json:"list"`
	EntryID     string       `json:"entry_id"` // the source's own id
	Schema      Schema       `json:"schema"`
	Names       []Name       `json:"names"`
	BirthDates  []string     `json:"birth_dates,omitempty"` // "YYYY", "YYYY-MM" or "YYYY-MM-DD"
	Countries   []string     `json:"countries,omitempty"`   // ISO alpha-2 where known, else as given
	Identifiers []Identifier `json:"identifiers,omitempty"`
	Programs    []string     `json:"programs,omitempty"`
	Remarks     string       `json:"remarks,omitempty"`
}

// Caption returns the primary name (or the first one).
func (e Entry) Caption() string {
	for _, n := range e.Names {
		if n.Primary {
			return n.Value
		}
	}
	if len(e.Names) > 0 {
		return e.Names[0].Value
	}
	return ""
}

// addName appends a name unless it is empty or already present.
func (e *Entry) addName(v string, primary, weak bool) {
	v = strings.Join(strings.Fields(v), " ")
	if v == "" {
		return
	}
	for _, n := range e.Names {
		if strings.EqualFold(n.Value, v) {
			return
		}
	}
	e.Names = append(e.Names, Name{Value: v, Script: names.DetectScript(v).String(), Primary: primary, Weak: weak})
}

// addNames adds v as addName does, split first when it is a name followed
// by a parenthesised list of other names, as some UN aliases are:
// "جبهة النصرة (the Victory Front; Jabhat al-Nusrah; Al-Nusra Front)" is
// four names. Notes such as "(original script)" are dropped.
func (e *Entry) addNames(v string, primary, weak bool) {
	main, items := splitAliasList(v)
	e.addName(main, primary, weak)
	for _, it := range items {
		e.addName(it, false, weak)
	}
}

// splitAliasList splits "NAME (ALIAS; ALIAS ...)" into the name and the
// aliases. A value comes back whole unless it ends in a parenthesised
// part that holds a ";" or is written in another script than the name.
func splitAliasList(v string) (string, []string) {
	v = strings.TrimSpace(v)
	if !strings.HasSuffix(v, ")") {
		return v, nil
	}
	depth, open := 0, -1
	for i := len(v) - 1; i >= 0; i-- {
		switch v[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				open = i
			}
		}
		if open >= 0 {
			break
		}
	}
	if open <= 0 {
		return v, nil
	}
	inner := v[open+1 : len(v)-1]
	if !strings.Contains(inner, ";") && names.DetectScript(dropNotes(inner)) == names.DetectScript(v[:open]) {
		return v, nil
	}
	var items []string
	depth, start := 0, 0
	for i := 0; i <= len(inner); i++ {
		if i < len(inner) {
			switch inner[i] {
			case '(':
				depth++
				continue
			case ')':
				depth--
				continue
			case ';':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		if it := dropNotes(inner[start:i]); it != "" {
			items = append(items, it)
		}
		start = i + 1
	}
	return strings.TrimSpace(v[:open]), items
}

// dropNotes removes parenthesised notes ("(original script)", "(HTS)")
// and a trailing " - sub-unit name" remark from an alias.
func dropNotes(s string) string {
	for {
		i := strings.IndexByte(s, '(')
		j := strings.IndexByte(s, ')')
		if i < 0 || j < i {
			break
		}
		s = s[:i] + s[j+1:]
	}
	if i := strings.Index(s, " - sub-unit"); i >= 0 {
		s = s[:i]
	}
	return strings.Join(strings.Fields(s), " ")
}

func appendUnique(s []string, v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return s
	}
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// Problem is a row that could not be imported.
type Problem struct {
	File   string
	Line   int
	Reason string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Reason)
}

// Result is what a parser read: the entries and the rows it rejected.
type Result struct {
	Entries  []Entry
	Problems []Problem
}
