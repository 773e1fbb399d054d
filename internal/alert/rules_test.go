package alert_test

import (
	"errors"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/alert"
)

func TestDefaultRules(t *testing.T) {
	rs := alert.DefaultRules()
	want := []string{"watchlisted_travel", "precursor_near_subject", "subjects_same_flight", "prison_visit_of_concern", "hire_near_precursor"}
	if len(rs.Rules) != len(want) {
		t.Fatalf("%d rules, want %d", len(rs.Rules), len(want))
	}
	for i, r := range rs.Rules {
		if r.Name != want[i] {
			t.Errorf("rule %d is %s, want %s", i, r.Name, want[i])
		}
	}
}

const head = "version: 1\nassociations:\n  paths:\n    - {name: phone contact, via: [has_phone, communicated_with, has_phone]}\n" +
	"sets:\n  things: [acetone]\nrules:\n"

// TestSpecialCategoryRefused: a rule that uses special-category data, as
// a record kind, a field, a value, a set or a list, is refused at load,
// naming the rule and the attribute.
func TestSpecialCategoryRefused(t *testing.T) {
	cases := []struct {
		name, rule, rulename, term string
	}{
		{"field", "  - {name: r_field, record: travel, who: passenger, subject: true, where: {religion: {in: [x]}}}", "r_field", "religion"},
		{"camel-case property", "  - {name: doc, record: travel, who: passenger, subject: true, where: {documentCountry: {in: [SYR]}}}", "doc", "document country"},
		{"nationality field", "  - {name: nat, record: person, who: person, subject: true, where: {nationality: {not_in: [GBR]}}}", "nat", "nationality"},
		{"ethnic value", "  - {name: eth, record: person, who: person, subject: true, where: {notes: {contains_any: [ethnic minority]}}}", "eth", "ethnic"},
		{"demonym value", "  - {name: dem, record: travel, who: passenger, subject: true, where: {notes: {contains_any: [Pakistani]}}}", "dem", "pakistani"},
		{"religious value", "  - {name: rel, record: person, who: person, subject: true, where: {notes: {in: [Muslim]}}}", "rel", "muslim"},
		{"record kind", "  - {name: med, record: medical_record, who: patient, subject: true}", "med", "medical"},
		{"politics", "  - {name: pol, record: person, who: person, subject: true, where: {political_party: {in: [x]}}}", "pol", "political party"},
		{"sexuality", "  - {name: r_so, record: person, who: person, subject: true, where: {sexual_orientation: {in: [x]}}}", "r_so", "sexual orientation"},
		{"health", "  - {name: hl, record: person, who: person, subject: true, where: {health_condition: {in: [x]}}}", "hl", "health"},
		{"subject list", "  - {name: lst, record: travel, who: passenger, subject: {lists: [race-register]}}", "lst", "race"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := alert.ParseRules([]byte(head+c.rule+"\n"), "test.yaml")
			if err == nil {
				t.Fatal("loaded")
			}
			var sc *alert.SpecialCategoryError
			if !errors.As(err, &sc) {
				t.Fatalf("error %v is not a SpecialCategoryError", err)
			}
			if sc.Rule != c.rulename || sc.Term != c.term {
				t.Errorf("refused rule %q for %q, want %q for %q (%v)", sc.Rule, sc.Term, c.rulename, c.term, err)
			}
			if mosaic.KindOf(err) != mosaic.KindRefused {
				t.Errorf("kind %v, want refused", mosaic.KindOf(err))
			}
			if !strings.Contains(err.Error(), c.rulename) || !strings.Contains(err.Error(), c.term) {
				t.Errorf("message %q does not name the rule and the attribute", err)
			}
		})
	}
	// A set shared by rules is checked too.
	_, err := alert.ParseRules([]byte("version: 1\nsets:\n  x: [Jewish]\nrules: []\n"), "t.yaml")
	var sc *alert.SpecialCategoryError
	if !errors.As(err, &sc) || sc.Section != "sets" {
		t.Errorf("special-category set: %v", err)
	}
}

func TestParseRulesErrors(t *testing.T) {
	cases := []struct{ name, rules, want string }{
		{"unknown field", "  - {name: a, record: travel, who: passenger, subject: true, hopz: 2}", "hopz"},
		{"no subject condition", "  - {name: a, record: travel, who: passenger}", "rules are about subjects"},
		{"unknown via", "  - {name: a, record: purchase, who: buyer, near_subject: {hops: 2, via: [telepathy]}}", "telepathy"},
		{"unknown set", "  - {name: a, record: purchase, who: buyer, near_subject: 1, where: {item: {contains_any: $nope}}}", "nope"},
		{"bad key", "  - {name: a, record: travel, who: passenger, subject: true, key: flight}", "key"},
		{"too many hops", "  - {name: a, record: purchase, who: buyer, near_subject: 9}", "hops"},
		{"bad window", "  - {name: a, record: vehicle_hire, who: hirer, subject: true, with: {record: purchase, who: buyer, within: soon}}", "duration"},
		{"duplicate", "  - {name: a, record: travel, who: passenger, subject: true}\n  - {name: a, record: travel, who: passenger, subject: true}", "twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := alert.ParseRules([]byte(head+c.rules+"\n"), "t.yaml")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

func TestFilterMatch(t *testing.T) {
	rs, err := alert.ParseRules([]byte(head+"  - {name: a, record: purchase, who: buyer, near_subject: 1, where: {item: {contains_any: [hydrogen peroxide, $things]}}}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_ = rs
	rs, err = alert.ParseRules([]byte(head+"  - {name: a, record: purchase, who: buyer, near_subject: 1, where: {item: {contains_any: $things}}}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := rs.Rules[0].Where["item"]
	for v, want := range map[string]bool{"acetone": true, "Acetone 99%": true, "pure ACETONE": true, "acetones": false, "nail polish remover": false, "": false} {
		if got := f.Match(v); got != want {
			t.Errorf("Match(%q) = %v, want %v", v, got, want)
		}
	}
}
