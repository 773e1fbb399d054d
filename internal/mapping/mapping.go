// Package mapping turns rows of tabular files into records and their facts
// by declarative YAML mappings: which source and record kind a file holds,
// which mentions (people, phones, places, ...) a row names, which
// statements each mention carries (with the column each came from), and
// which links join them.
//
// A mapping file (see docs/ingest.md and builtin/*.yaml):
//
//	name: travel
//	match: ["travel.csv", "*/travel.csv"]
//	source: passenger-records
//	kind: travel
//	marking: [TRAVEL]
//	observed: date
//	entities:
//	  - role: passenger
//	    type: Person
//	    props: {name: passenger_name, birthDate: date_of_birth}
//	  - role: flight
//	    type: Event
//	    props: {name: "{carrier} {flight} {date}"}
//	links:
//	  - {subject: passenger, predicate: travelled_on, object: flight, start: date}
//
// A prop's value is a column name or a template of columns in braces.
// Mentions whose required prop (default: name) is empty are left out, as
// are links touching them.
package mapping

import (
	"embed"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
	"gopkg.in/yaml.v3"
)

// Mapping maps the rows of matching files to records of one kind, or
// matching documents to a source.
type Mapping struct {
	Name        string            `yaml:"name"`
	Match       []string          `yaml:"match"`
	Source      string            `yaml:"source"`
	SourceKind  string            `yaml:"source_kind"`
	Description string            `yaml:"description"`
	Kind        mosaic.RecordKind `yaml:"kind"` // a record kind, or "document"
	Marking     []string          `yaml:"marking"`
	Observed    string            `yaml:"observed"` // column holding the observed time
	Key         []string          `yaml:"key"`      // columns identifying a record (default: all)
	Entities    []EntitySpec      `yaml:"entities"`
	Links       []LinkSpec        `yaml:"links"`
}

// EntitySpec declares one mention per row.
type EntitySpec struct {
	Role     string            `yaml:"role"`
	Type     mosaic.EntityType `yaml:"type"`
	Props    map[string]string `yaml:"props"`
	Split    map[string]string `yaml:"split"`    // prop -> separator for multi-valued columns
	Required string            `yaml:"required"` // prop that must be non-empty (default "name")
}

// LinkSpec declares one link per row between two mentions.
type LinkSpec struct {
	Subject    string  `yaml:"subject"`
	Predicate  string  `yaml:"predicate"`
	Object     string  `yaml:"object"`
	Start      string  `yaml:"start"` // column holding the link's time
	Confidence float64 `yaml:"confidence"`
}

// KindDocument is the Kind of mappings that assign documents to a source.
const KindDocument mosaic.RecordKind = "document"

var (
	knownKinds = map[mosaic.RecordKind]bool{
		mosaic.KindPerson: true, mosaic.KindOrganization: true, mosaic.KindTravel: true, mosaic.KindPurchase: true,
		mosaic.KindVehicleHire: true, mosaic.KindPrisonVisit: true, mosaic.KindReferral: true,
		mosaic.KindCommunication: true, mosaic.KindWatchlistEntry: true, KindDocument: true,
	}
	knownTypes = map[mosaic.EntityType]bool{
		mosaic.TypePerson: true, mosaic.TypeOrganization: true, mosaic.TypeLocation: true, mosaic.TypeVehicle: true,
		mosaic.TypePhone: true, mosaic.TypeEmail: true, mosaic.TypeIdentifier: true, mosaic.TypeEvent: true,
		mosaic.TypeItem: true, mosaic.TypeMisc: true,
	}
	templateRE = regexp.MustCompile(`\{([^{}]+)\}`)
	roleRE     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// Parse reads and validates a mapping.
func Parse(r io.Reader, name string) (*Mapping, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, mosaic.Errorf(mosaic.KindInvalid, "mapping", "%s: %v", name, err)
	}
	if err := m.Validate(); err != nil {
		return nil, mosaic.Errorf(mosaic.KindInvalid, "mapping", "%s: %v", name, err)
	}
	return &m, nil
}

// Load reads a mapping file.
func Load(file string) (*Mapping, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, file)
}

// Validate checks a mapping for mistakes a user could make.
func (m *Mapping) Validate() error {
	if m.Source == "" {
		return fmt.Errorf("no source")
	}
	if !knownKinds[m.Kind] {
		return fmt.Errorf("unknown kind %q (want one of %s)", m.Kind, strings.Join(sortedKinds(), ", "))
	}
	for _, g := range m.Match {
		if _, err := path.Match(g, "x"); err != nil {
			return fmt.Errorf("bad match pattern %q: %v", g, err)
		}
	}
	roles := map[string]bool{}
	for i, e := range m.Entities {
		if !roleRE.MatchString(e.Role) {
			return fmt.Errorf("entity %d: role %q must be lower-case letters, digits and _", i+1, e.Role)
		}
		if roles[e.Role] {
			return fmt.Errorf("entity role %q declared twice", e.Role)
		}
		roles[e.Role] = true
		if !knownTypes[e.Type] {
			return fmt.Errorf("entity %s: unknown type %q", e.Role, e.Type)
		}
		if len(e.Props) == 0 {
			return fmt.Errorf("entity %s: no props", e.Role)
		}
		req := e.required()
		if _, ok := e.Props[req]; !ok {
			return fmt.Errorf("entity %s: required prop %q is not mapped", e.Role, req)
		}
		for p := range e.Split {
			if _, ok := e.Props[p]; !ok {
				return fmt.Errorf("entity %s: split names unmapped prop %q", e.Role, p)
			}
		}
	}
	for i, l := range m.Links {
		if !roles[l.Subject] || !roles[l.Object] {
			return fmt.Errorf("link %d (%s): subject %q and object %q must be declared entity roles", i+1, l.Predicate, l.Subject, l.Object)
		}
		if l.Predicate == "" {
			return fmt.Errorf("link %d: no predicate", i+1)
		}
		if l.Confidence < 0 || l.Confidence > 1 {
			return fmt.Errorf("link %d: confidence %v outside [0,1]", i+1, l.Confidence)
		}
	}
	return nil
}

func sortedKinds() []string {
	var ks []string
	for k := range knownKinds {
		ks = append(ks, string(k))
	}
	sort.Strings(ks)
	return ks
}

func (e EntitySpec) required() string {
	if e.Required != "" {
		return e.Required
	}
	return mosaic.PropName
}

// Matches reports whether the mapping applies to an item path (compared
// on its last segments, so "records/travel.csv" matches "w/records/travel.csv"
// and "batch.zip!/records/travel.csv").
func (m *Mapping) Matches(p string) bool {
	p = strings.ReplaceAll(p, "!/", "/")
	for _, g := range m.Match {
		n := strings.Count(g, "/") + 1
		segs := strings.Split(p, "/")
		if len(segs) < n {
			continue
		}
		if ok, _ := path.Match(g, strings.Join(segs[len(segs)-n:], "/")); ok {
			return true
		}
	}
	return false
}

// RequiredColumns lists the columns a file must have for the mapping to
// apply: those of every entity's required prop (its name, by default) and
// of the key. Other columns are optional: a file without one simply gives
// no statement for it (an older export, a source that lacks a field).
func (m *Mapping) RequiredColumns() []string {
	set := map[string]bool{}
	for _, e := range m.Entities {
		for _, c := range specColumns(e.Props[e.required()]) {
			set[c] = true
		}
	}
	for _, k := range m.Key {
		set[k] = true
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Columns lists the columns the mapping reads.
func (m *Mapping) Columns() []string {
	set := map[string]bool{}
	add := func(spec string) {
		for _, c := range specColumns(spec) {
			set[c] = true
		}
	}
	for _, e := range m.Entities {
		for _, v := range e.Props {
			add(v)
		}
	}
	for _, l := range m.Links {
		if l.Start != "" {
			set[l.Start] = true
		}
	}
	if m.Observed != "" {
		set[m.Observed] = true
	}
	for _, k := range m.Key {
		set[k] = true
	}
	var out []string
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func specColumns(spec string) []string {
	if ms := templateRE.FindAllStringSubmatch(spec, -1); ms != nil {
		var out []string
		for _, m := range ms {
			out = append(out, m[1])
		}
		return out
	}
	return []string{spec}
}

// value evaluates a prop spec on a row: the column's value, or the
// template with its columns filled in ("" if any is empty).
func value(spec string, fields map[string]string) string {
	if !strings.Contains(spec, "{") {
		return strings.TrimSpace(fields[spec])
	}
	empty := false
	out := templateRE.ReplaceAllStringFunc(spec, func(s string) string {
		v := strings.TrimSpace(fields[s[1:len(s)-1]])
		if v == "" {
			empty = true
		}
		return v
	})
	if empty {
		return ""
	}
	return strings.Join(strings.Fields(out), " ")
}

// ParseTime reads the date and time forms found in records: RFC 3339,
// "2006-01-02 15:04:05", ISO dates, and day-first dates (02/01/2006).
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02", "02/01/2006", "2 January 2006", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 1e9 && n < 1e11 {
		return time.Unix(n, 0).UTC(), true
	}
	return time.Time{}, false
}

// Item builds the record item, with its facts, for one row read from the
// file at locPath (Locator is "locPath:line").
func (m *Mapping) Item(locPath string, line int, fields map[string]string, marking mosaic.Marking) (*store.Item, error) {
	if m.Kind == KindDocument {
		return nil, fmt.Errorf("mapping %s maps documents, not rows", m.Name)
	}
	marking = marking.Union(mosaic.NewMarking(m.Marking...))
	idFields := fields
	if len(m.Key) > 0 {
		idFields = map[string]string{}
		for _, k := range m.Key {
			idFields[k] = fields[k]
			if strings.TrimSpace(fields[k]) == "" {
				return nil, fmt.Errorf("key column %q is empty", k)
			}
		}
	}
	id := mosaic.RecordID(m.Source, m.Kind, idFields)
	rec := &mosaic.Record{ID: id, Source: m.Source, Kind: m.Kind, Fields: fields, Locator: fmt.Sprintf("%s:%d", locPath, line), Marking: marking}
	if m.Observed != "" {
		if t, ok := ParseTime(fields[m.Observed]); ok {
			rec.Observed = t
		}
	}
	return &store.Item{ID: id, Source: m.Source, Record: rec, Facts: m.Facts(rec), Marking: marking}, nil
}

// Facts derives a record's mentions, statements and links.
func (m *Mapping) Facts(rec *mosaic.Record) *store.Facts {
	f := &store.Facts{}
	present := map[string]mosaic.ID{}
	evidence := map[string][]mosaic.ID{}
	for _, e := range m.Entities {
		if value(e.Props[e.required()], rec.Fields) == "" {
			continue
		}
		mid := mosaic.MentionID(rec.ID, e.Role)
		present[e.Role] = mid
		props := make([]string, 0, len(e.Props))
		for p := range e.Props {
			props = append(props, p)
		}
		sort.Strings(props)
		var caption string
		for _, p := range props {
			spec := e.Props[p]
			v := value(spec, rec.Fields)
			if v == "" {
				continue
			}
			vals := []string{v}
			if sep := e.Split[p]; sep != "" {
				vals = vals[:0]
				for _, part := range strings.Split(v, sep) {
					if part = strings.TrimSpace(part); part != "" {
						vals = append(vals, part)
					}
				}
			}
			o := mosaic.Origin{Record: rec.ID, Field: strings.Join(specColumns(spec), ",")}
			for _, v := range vals {
				st := mosaic.Statement{
					ID: mosaic.StatementID(mid, p, v, o), Subject: mid, Type: e.Type, Prop: p, Value: v,
					Origin: o, Source: rec.Source, Marking: rec.Marking, Time: rec.Observed,
				}
				f.Statements = append(f.Statements, st)
				if p == e.required() {
					evidence[e.Role] = append(evidence[e.Role], st.ID)
					if caption == "" {
						caption = v
					}
				}
			}
		}
		f.Mentions = append(f.Mentions, mosaic.Mention{ID: mid, Type: e.Type, Origin: rec.ID, Role: e.Role, Caption: caption, Marking: rec.Marking})
	}
	for _, l := range m.Links {
		s, ok1 := present[l.Subject]
		o, ok2 := present[l.Object]
		if !ok1 || !ok2 {
			continue
		}
		conf := l.Confidence
		if conf == 0 {
			conf = 1 // a record states the link outright
		}
		lk := mosaic.Link{
			ID: mosaic.LinkID(rec.ID, s, l.Predicate, o), Subject: s, Predicate: l.Predicate, Object: o,
			Evidence:   append(append([]mosaic.ID(nil), evidence[l.Subject]...), evidence[l.Object]...),
			Confidence: conf, Source: rec.Source, Marking: rec.Marking,
		}
		if l.Start != "" {
			if t, ok := ParseTime(rec.Fields[l.Start]); ok {
				lk.Start, lk.End = t, t
			}
		} else {
			lk.Start, lk.End = rec.Observed, rec.Observed
		}
		f.Links = append(f.Links, lk)
	}
	return f
}

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Set is an ordered list of mappings; the first that matches a path wins.
type Set struct{ Mappings []*Mapping }

// Builtin returns the built-in mappings for the files `mosaic gen` writes.
func Builtin() *Set {
	ents, err := builtinFS.ReadDir("builtin")
	if err != nil {
		panic(err) // embedded at build time
	}
	s := &Set{}
	for _, e := range ents {
		f, err := builtinFS.Open("builtin/" + e.Name())
		if err != nil {
			panic(err)
		}
		m, err := Parse(f, "builtin/"+e.Name())
		f.Close()
		if err != nil {
			panic(err) // a test parses every built-in mapping
		}
		s.Mappings = append(s.Mappings, m)
	}
	return s
}

// Named returns the mapping called name, or nil.
func (s *Set) Named(name string) *Mapping {
	for _, m := range s.Mappings {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// Names returns the mappings' names, in order.
func (s *Set) Names() []string {
	out := make([]string, len(s.Mappings))
	for i, m := range s.Mappings {
		out[i] = m.Name
	}
	return out
}

// For returns the mapping for an item path, or nil.
func (s *Set) For(p string) *Mapping {
	for _, m := range s.Mappings {
		if m.Matches(p) {
			return m
		}
	}
	return nil
}
