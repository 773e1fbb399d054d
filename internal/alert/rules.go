package alert

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	mosaic "github.com/mosaic-intel/mosaic"
)

//go:embed rules/default.yaml
var defaultRules []byte

// DefaultRulesYAML returns the text of the built-in rules file.
func DefaultRulesYAML() []byte { return slices.Clone(defaultRules) }

// DefaultRules returns the built-in rules (internal/alert/rules/default.yaml).
func DefaultRules() *RuleSet {
	rs, err := ParseRules(defaultRules, "default.yaml")
	if err != nil {
		panic("alert: built-in rules do not load: " + err.Error())
	}
	return rs
}

// LoadRules reads and validates a rules file.
func LoadRules(path string) (*RuleSet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	return ParseRules(data, path)
}

// RuleSet is a validated rules file: who counts as a subject, which links
// make two people associates (one hop), named value sets, and the rules.
type RuleSet struct {
	Version      int                 `yaml:"version"`
	Subjects     []SubjectSource     `yaml:"subjects"`
	Sets         map[string][]string `yaml:"sets"`
	Associations Associations        `yaml:"associations"`
	Rules        []*Rule             `yaml:"rules"`
}

// SubjectSource says where subjects come from. Exactly one of Record and
// Alert is set.
type SubjectSource struct {
	// Record: every person or organisation mentioned in records of this
	// kind (e.g. watchlist_entry) makes the entity it resolves into a
	// subject.
	Record mosaic.RecordKind `yaml:"record"`
	// Role limits the source to mentions of this role (e.g. the
	// prisoner of a prison visit).
	Role string `yaml:"role"`
	// ListField names the record field holding the list the subject is
	// on (default "list"; watch-list entries also carry it in their
	// entry).
	ListField string `yaml:"list_field"`
	// Alert: the entities of alerts of this rule (e.g. watchlist_match)
	// with at least MinScore are subjects.
	Alert    string  `yaml:"alert"`
	MinScore float64 `yaml:"min_score"`
	// Lists, if given, keeps only subjects on these lists (for an alert
	// source, the list of the matched entry).
	Lists []string `yaml:"lists"`
}

// Associations define one hop between two people (or organisations): a
// path of link predicates through things that are not people (a phone, a
// booking, an address), or a direct link.
type Associations struct {
	// MaxFanout is the most distinct things one step may fan out to; a
	// node with more (an airport, a prison, a shop's phone) is a hub and
	// is not crossed. Default 25.
	MaxFanout int    `yaml:"max_fanout"`
	Paths     []Path `yaml:"paths"`
	// Properties make contact details that a record gives as properties
	// of its person (a buyer's phone, a visitor's address) count as
	// links, as if the record had linked the person to them.
	Properties []Property `yaml:"properties"`
}

// Property makes a property of a person or organisation mention (e.g.
// phone) count as a link of Predicate (has_phone) to the thing the value
// names, keyed as an entity of Type (Phone) is: the phone a buyer gives
// is then the node that calls to that number reach.
type Property struct {
	Prop      string            `yaml:"prop"`
	Type      mosaic.EntityType `yaml:"type"`
	Predicate string            `yaml:"predicate"`
	// Records, if set, limits the property to records of these kinds
	// (a booking's contact phone is the booker's, not each passenger's).
	Records []mosaic.RecordKind `yaml:"records"`
	// AloneOn, a link predicate, makes the property count only while the
	// person is the only entity linked by it to the same thing (booked_under:
	// a booking's contact phone is the passenger's when they booked alone,
	// else the booker's, who cannot be told). Checked at each evaluation,
	// so a co-passenger who arrives later withdraws it.
	AloneOn string `yaml:"alone_on"`
}

// Path is one kind of association.
type Path struct {
	Name string   `yaml:"name"`
	Via  []string `yaml:"via"` // link predicates, in order, links read in either direction
	// Exclusive: the things at either end of the path must each belong
	// to one entity (a call from a number a household shares says
	// nothing about which of them called).
	Exclusive bool `yaml:"exclusive"`
}

// Rule is one declarative alert rule. A rule fires on an anchor record of
// kind Record for the person in role Who when every condition given
// holds.
type Rule struct {
	Name        string            `yaml:"name"`
	Title       string            `yaml:"title"`
	Description string            `yaml:"description"`
	Record      mosaic.RecordKind `yaml:"record"`
	Who         string            `yaml:"who"`
	Where       map[string]Filter `yaml:"where"`
	// Subject: the Who entity is a subject (optionally on given lists).
	Subject *SubjectFilter `yaml:"subject"`
	// Linked: a link of the anchor record joins Who to a subject.
	Linked *Linked `yaml:"linked"`
	// NearSubject: a subject is within Hops associations of Who.
	NearSubject *Near `yaml:"near_subject"`
	// Together: other records of the same kind with equal fields (e.g.
	// the same flight and date) whose Who is also a subject.
	Together *Together `yaml:"together"`
	// With: other records (e.g. purchases) by Who or an associate within
	// Hops, within a time window.
	With *With `yaml:"with"`
	// Key says what repeated firings fold on: "record" (default), "subject"
	// (the subject's list entries), "entity" or "together".
	Key   string  `yaml:"key"`
	Score float64 `yaml:"score"`
}

// SubjectFilter matches subjects, optionally only those on some lists.
// In YAML it is `true` or `{lists: [...]}`.
type SubjectFilter struct {
	Lists []string `yaml:"lists"`
}

// UnmarshalYAML accepts a boolean or a mapping.
func (f *SubjectFilter) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var b bool
		if err := n.Decode(&b); err != nil || !b {
			return fmt.Errorf("line %d: subject must be true or {lists: [...]}", n.Line)
		}
		return nil
	}
	type plain SubjectFilter
	return decodeStrict(n, (*plain)(f))
}

// Linked requires a link of the anchor record, with Predicate, between Who
// and a mention whose entity matches Subject.
type Linked struct {
	Predicate string         `yaml:"predicate"`
	Subject   *SubjectFilter `yaml:"subject"`
}

// Near requires a subject within Hops associations (0: Who is one).
type Near struct {
	Hops  int      `yaml:"hops"`
	Via   []string `yaml:"via"`   // association names (default all)
	Lists []string `yaml:"lists"` // subjects on these lists only
}

// UnmarshalYAML accepts a number of hops or a mapping.
func (x *Near) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&x.Hops)
	}
	type plain Near
	return decodeStrict(n, (*plain)(x))
}

// Together groups records of the anchor kind with equal On fields and
// requires Count distinct subjects among them (the anchor's included).
type Together struct {
	On    []string `yaml:"on"`
	Count int      `yaml:"count"`
}

// With requires Count records of kind Record whose Who is the anchor's
// Who or within Hops associations of it, passing Where, dated within
// Within of the anchor (either side; 0: any time).
type With struct {
	Record mosaic.RecordKind `yaml:"record"`
	Who    string            `yaml:"who"`
	Where  map[string]Filter `yaml:"where"`
	Hops   int               `yaml:"hops"`
	Via    []string          `yaml:"via"`
	Within Duration          `yaml:"within"`
	Count  int               `yaml:"count"`
}

// Filter tests one record field. Values may name a set ("$precursors").
// Matching is case-insensitive; contains_any matches whole words.
type Filter struct {
	In          Values `yaml:"in"`
	NotIn       Values `yaml:"not_in"`
	ContainsAny Values `yaml:"contains_any"`

	in, notIn map[string]bool
	phrases   []string // " word word "
	contains  bool     // contains_any was given (even if no value has a word)
}

// compile prepares the filter's normalised values.
func (f *Filter) compile() {
	norm := func(vs []string) map[string]bool {
		if len(vs) == 0 {
			return nil
		}
		m := map[string]bool{}
		for _, v := range vs {
			m[strings.Join(tokens(v), " ")] = true
		}
		return m
	}
	f.in, f.notIn = norm(f.In.List), norm(f.NotIn.List)
	f.phrases, f.contains = nil, len(f.ContainsAny.List) > 0
	for _, v := range f.ContainsAny.List {
		if t := tokens(v); len(t) > 0 {
			f.phrases = append(f.phrases, " "+strings.Join(t, " ")+" ")
		}
	}
}

// Match reports whether a field value passes the filter.
func (f *Filter) Match(value string) bool {
	v := strings.Join(tokens(value), " ")
	if f.in != nil && !f.in[v] {
		return false
	}
	if f.notIn[v] {
		return false
	}
	if f.contains {
		padded := " " + v + " "
		for _, p := range f.phrases {
			if strings.Contains(padded, p) {
				return true
			}
		}
		return false
	}
	return true
}

func matchAll(where map[string]Filter, fields map[string]string) bool {
	for k, f := range where {
		if !f.Match(fields[k]) {
			return false
		}
	}
	return true
}

// Values is a list of strings or a "$set" reference, resolved at load.
type Values struct {
	List []string
	Set  string
}

// UnmarshalYAML accepts a sequence, a single string or "$name".
func (v *Values) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if strings.HasPrefix(n.Value, "$") {
			v.Set = n.Value[1:]
			return nil
		}
		v.List = []string{n.Value}
		return nil
	}
	return n.Decode(&v.List)
}

// Duration is a time.Duration that also reads days ("14d").
type Duration time.Duration

// UnmarshalYAML parses "14d", "36h", "90m".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	x, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(x)
	return nil
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// ParseDuration parses a Go duration or a number of days ("14d").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return time.Duration(n * 24 * float64(time.Hour)), nil
	}
	x, err := time.ParseDuration(s)
	if err != nil || x < 0 {
		return 0, fmt.Errorf("bad duration %q (use e.g. 14d or 36h)", s)
	}
	return x, nil
}

func decodeStrict(n *yaml.Node, v any) error {
	// Re-encode the node so the strict decoder sees unknown fields.
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}

// Rule keys.
const (
	KeyRecord   = "record"
	KeySubject  = "subject"
	KeyEntity   = "entity"
	KeyTogether = "together"
)

// ParseRules parses and validates a rules file. A rule that uses a
// special-category attribute is refused with a KindRefused error naming
// the rule and the attribute.
func ParseRules(data []byte, name string) (*RuleSet, error) {
	lex, err := loadLexicon()
	if err != nil {
		return nil, fmt.Errorf("load special-category lexicon: %w", err)
	}
	return parseRules(data, name, lex)
}

func parseRules(data []byte, name string, lex *lexicon) (*RuleSet, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, mosaic.Errorf(mosaic.KindInvalid, "alert.ParseRules", "%s: %v", name, err)
	}
	if err := checkSpecialCategories(&root, name, lex); err != nil {
		return nil, err
	}
	rs := new(RuleSet)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(rs); err != nil {
		return nil, mosaic.Errorf(mosaic.KindInvalid, "alert.ParseRules", "%s: %v", name, err)
	}
	if err := rs.validate(); err != nil {
		return nil, mosaic.Errorf(mosaic.KindInvalid, "alert.ParseRules", "%s: %v", name, err)
	}
	return rs, nil
}

func (rs *RuleSet) validate() error {
	if rs.Version != 1 {
		return fmt.Errorf("version must be 1 (got %d)", rs.Version)
	}
	if len(rs.Subjects) == 0 {
		rs.Subjects = []SubjectSource{{Record: mosaic.KindWatchlistEntry}}
	}
	for i := range rs.Subjects {
		s := &rs.Subjects[i]
		if (s.Record == "") == (s.Alert == "") {
			return fmt.Errorf("subjects[%d]: give exactly one of record and alert", i)
		}
		if s.ListField == "" {
			s.ListField = "list"
		}
	}
	if rs.Associations.MaxFanout <= 0 {
		rs.Associations.MaxFanout = 25
	}
	names := map[string]bool{}
	for i, p := range rs.Associations.Paths {
		if p.Name == "" {
			return fmt.Errorf("associations.paths[%d]: needs a name", i)
		}
		if names[p.Name] {
			return fmt.Errorf("associations: path %q defined twice", p.Name)
		}
		names[p.Name] = true
		if len(p.Via) == 0 || len(p.Via) > 4 {
			return fmt.Errorf("association %q: via needs 1 to 4 link predicates", p.Name)
		}
	}
	for i, p := range rs.Associations.Properties {
		if p.Prop == "" || p.Type == "" || p.Predicate == "" {
			return fmt.Errorf("associations.properties[%d]: needs prop, type and predicate", i)
		}
		if p.Type == mosaic.TypePerson || p.Type == mosaic.TypeOrganization {
			return fmt.Errorf("associations.properties[%d]: type %s: a property links a person to a thing, not to another person", i, p.Type)
		}
		used := false
		for _, q := range rs.Associations.Paths {
			used = used || slices.Contains(q.Via, p.Predicate)
		}
		if !used {
			return fmt.Errorf("associations.properties[%d]: predicate %q is on no association path", i, p.Predicate)
		}
	}
	seen := map[string]bool{}
	for i, r := range rs.Rules {
		if r.Name == "" {
			return fmt.Errorf("rules[%d]: needs a name", i)
		}
		if seen[r.Name] {
			return fmt.Errorf("rule %q defined twice", r.Name)
		}
		seen[r.Name] = true
		if err := rs.validateRule(r, names); err != nil {
			return fmt.Errorf("rule %q: %w", r.Name, err)
		}
	}
	return nil
}

func (rs *RuleSet) validateRule(r *Rule, paths map[string]bool) error {
	if r.Record == "" || r.Who == "" {
		return errors.New("needs record (a record kind) and who (the role of the person it is about)")
	}
	if r.Title == "" {
		r.Title = strings.ReplaceAll(r.Name, "_", " ")
	}
	if r.Score == 0 {
		r.Score = 0.8
	}
	if r.Score < 0 || r.Score > 1 {
		return fmt.Errorf("score %.2f is outside [0, 1]", r.Score)
	}
	if err := rs.resolveFilters(r.Where); err != nil {
		return err
	}
	if r.Subject == nil && r.Linked == nil && r.NearSubject == nil {
		return errors.New("needs at least one of subject, linked and near_subject: rules are about subjects")
	}
	if l := r.Linked; l != nil {
		if l.Predicate == "" {
			return errors.New("linked needs a predicate")
		}
		if l.Subject == nil {
			l.Subject = &SubjectFilter{}
		}
	}
	checkVia := func(via []string) error {
		for _, v := range via {
			if !paths[v] {
				return fmt.Errorf("via names %q, which is not an association path", v)
			}
		}
		return nil
	}
	if n := r.NearSubject; n != nil {
		if n.Hops < 0 || n.Hops > 3 {
			return fmt.Errorf("near_subject hops %d: use 0 to 3", n.Hops)
		}
		if err := checkVia(n.Via); err != nil {
			return err
		}
	}
	if t := r.Together; t != nil {
		if len(t.On) == 0 {
			return errors.New("together needs on: the fields that must be equal")
		}
		if r.Subject == nil {
			return errors.New("together counts subjects: give subject too")
		}
		if t.Count < 2 {
			t.Count = 2
		}
	}
	if w := r.With; w != nil {
		if w.Record == "" || w.Who == "" {
			return errors.New("with needs record and who")
		}
		if w.Hops < 0 || w.Hops > 3 {
			return fmt.Errorf("with hops %d: use 0 to 3", w.Hops)
		}
		if w.Count <= 0 {
			w.Count = 1
		}
		if err := checkVia(w.Via); err != nil {
			return err
		}
		if err := rs.resolveFilters(w.Where); err != nil {
			return err
		}
	}
	switch r.Key {
	case "":
		r.Key = KeyRecord
	case KeyRecord, KeyEntity:
	case KeySubject:
		if r.Subject == nil {
			return errors.New("key subject needs subject")
		}
	case KeyTogether:
		if r.Together == nil {
			return errors.New("key together needs together")
		}
	default:
		return fmt.Errorf("key %q: use record, subject, entity or together", r.Key)
	}
	return nil
}

func (rs *RuleSet) resolveFilters(where map[string]Filter) error {
	for field, f := range where {
		for _, v := range []*Values{&f.In, &f.NotIn, &f.ContainsAny} {
			if v.Set == "" {
				continue
			}
			set, ok := rs.Sets[v.Set]
			if !ok {
				return fmt.Errorf("where %s: no set named %q", field, v.Set)
			}
			v.List = set
		}
		if len(f.In.List)+len(f.NotIn.List)+len(f.ContainsAny.List) == 0 {
			return fmt.Errorf("where %s: give in, not_in or contains_any", field)
		}
		for _, v := range f.ContainsAny.List {
			if len(tokens(v)) == 0 {
				return fmt.Errorf("where %s: contains_any value %q has no word", field, v)
			}
		}
		f.compile()
		where[field] = f
	}
	return nil
}

// reach is the most hops any rule looks across.
func (rs *RuleSet) reach() int {
	h := 0
	for _, r := range rs.Rules {
		if r.NearSubject != nil {
			h = max(h, r.NearSubject.Hops)
		}
		if r.With != nil {
			h = max(h, r.With.Hops)
		}
	}
	return h
}
