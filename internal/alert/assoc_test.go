package alert_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// rulesWith returns the built-in rules with the associations section
// edited by fn (on the YAML text) and extra rules appended.
func rulesWith(t *testing.T, fn func(string) string, extra string) *alert.RuleSet {
	t.Helper()
	y := string(alert.DefaultRulesYAML())
	if fn != nil {
		y = fn(y)
	}
	rs, err := alert.ParseRules([]byte(y+extra), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func withoutProperties(y string) string {
	i := strings.Index(y, "  properties:\n")
	j := strings.Index(y, "\nrules:\n")
	return y[:i] + y[j:]
}

// An online order gives the buyer's address as a property of the buyer,
// with no link: it still makes the buyer a household member of whoever
// lives there.
func TestPropertyAddressMakesHousehold(t *testing.T) {
	buy := func(f *fixture) []*store.Item {
		return []*store.Item{f.row("purchase.csv", "record_id", "PUR-1", "buyer_name", "Philippa Drummond-Achebe", "item", "acetone",
			"quantity", "2", "unit", "L", "seller", "ShopHub", "date", "2024-04-01", "buyer_address", "PER-S High Street, Leeds")}
	}
	for _, tc := range []struct {
		name  string
		rules *alert.RuleSet
		want  int
	}{
		{"built-in", nil, 1},
		{"without properties", rulesWith(t, withoutProperties, ""), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.rules)
			f.feed(f.subject("WL-7", "Evander Okonkwo-Lindqvist", "1979-07-07", "domestic-subjects"),
				f.person("PER-S", "Evander Okonkwo-Lindqvist", "1979-07-07", "07700 900001"))
			as := byRule(f.feed(buy(f)...), "precursor_near_subject")
			if len(as) != tc.want {
				t.Fatalf("got %d alerts, want %d", len(as), tc.want)
			}
			if tc.want > 0 && !strings.Contains(strings.Join(as[0].Explanation, "\n"), "household") {
				t.Errorf("explanation: %v", as[0].Explanation)
			}
		})
	}
}

const travelNear = `
  - name: travel_near_subject
    record: travel
    who: passenger
    near_subject: {hops: 1}
`

// A booking's contact phone is the passenger's while they are alone on
// the booking; a second passenger on it withdraws it.
func TestBookingContactPhoneOnlyWhenAlone(t *testing.T) {
	f := newFixture(t, rulesWith(t, nil, travelNear))
	fly := func(id, name, booking string) *store.Item {
		return f.row("travel.csv", "record_id", id, "passenger_name", name, "date_of_birth", "", "document_number", "", "document_country", "GBR",
			"carrier", "Skyline", "flight", "SK1", "from", "LHR", "to", "IST", "date", "2024-05-01", "booking_reference", booking, "contact_phone", "07700 900050")
	}
	f.feed(f.subject("WL-7", "Evander Okonkwo-Lindqvist", "1979-07-07", "domestic-subjects"),
		f.person("PER-S", "Evander Okonkwo-Lindqvist", "1979-07-07", "07700 900001"),
		f.call("COM-1", "+447700900050", "+447700900001"))
	as := byRule(f.feed(fly("TRV-1", "Philippa Drummond-Achebe", "BK1")), "travel_near_subject")
	if len(as) != 1 {
		t.Fatalf("got %d alerts for the sole passenger, want 1", len(as))
	}
	f.feed(fly("TRV-2", "Ottoline Baptiste-Moreau", "BK1"))
	tr, err := f.eng.TracePath(context.Background(), "travel_near_subject", f.id("TRV-1"))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Found {
		t.Errorf("with two passengers on the booking, its contact phone still counts: %+v", tr.Hops)
	}
}

// An intermediary with many records is not a hub: the hub guard counts
// the people they are associated with, not their records.
func TestBusyIntermediaryIsNotAHub(t *testing.T) {
	f := newFixture(t, nil)
	chain(f)
	var items []*store.Item
	for i := range 120 {
		items = append(items, f.buy(fmt.Sprintf("PUR-F%03d", i), "Casimir Vanterpool", "07700 900002", "lawn seed", "2024-03-01"))
	}
	f.feed(items...)
	as := byRule(f.feed(f.buy("PUR-1", "Philippa Drummond-Achebe", "07700 900003", "acetone", "2024-04-01")), "precursor_near_subject")
	if len(as) != 1 {
		t.Fatalf("got %d alerts through an intermediary with 121 records, want 1", len(as))
	}
}

// exclusive: a call from a number two people share says nothing about
// which of them called.
func TestExclusivePath(t *testing.T) {
	exclusive := func(y string) string {
		return strings.Replace(y, "via: [has_phone, communicated_with, has_phone]\n", "via: [has_phone, communicated_with, has_phone]\n      exclusive: true\n", 1)
	}
	for _, tc := range []struct {
		name  string
		rules *alert.RuleSet
		want  int
	}{
		{"built-in", nil, 1},
		{"exclusive", rulesWith(t, exclusive, ""), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.rules)
			f.feed(f.subject("WL-7", "Evander Okonkwo-Lindqvist", "1979-07-07", "domestic-subjects"),
				f.person("PER-S", "Evander Okonkwo-Lindqvist", "1979-07-07", "07700 900001"),
				// two people give one number; one of them called the subject
				f.person("PER-A", "Casimir Vanterpool", "1985-01-15", "07700 900002"),
				f.person("PER-B", "Philippa Drummond-Achebe", "1990-09-09", "07700 900002"),
				f.call("COM-1", "+447700900002", "+447700900001"))
			as := byRule(f.feed(f.buy("PUR-1", "Philippa Drummond-Achebe", "", "acetone", "2024-04-01")), "precursor_near_subject")
			if len(as) != tc.want {
				t.Fatalf("got %d alerts, want %d", len(as), tc.want)
			}
		})
	}
}

func TestPropertyRulesChecked(t *testing.T) {
	head := "version: 1\nassociations:\n  paths:\n    - {name: household, via: [lives_at, lives_at]}\n  properties:\n"
	rule := "rules:\n  - {name: r, record: purchase, who: buyer, near_subject: 1}\n"
	for _, tc := range []struct{ props, want string }{
		{"    - {prop: address, type: Location}\n", "needs prop, type and predicate"},
		{"    - {prop: address, type: Person, predicate: lives_at}\n", "not to another person"},
		{"    - {prop: phone, type: Phone, predicate: has_phone}\n", "on no association path"},
		{"    - {prop: address, type: Location, predicate: lives_at, alone_on: booked_under}\n", ""},
	} {
		_, err := alert.ParseRules([]byte(head+tc.props+rule), "t.yaml")
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.props, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.props, err, tc.want)
		}
	}
	// A property that is special-category data is refused like any rule.
	_, err := alert.ParseRules([]byte(head+"    - {prop: nationality, type: Misc, predicate: lives_at}\n"+rule), "t.yaml")
	var sc *alert.SpecialCategoryError
	if !errors.As(err, &sc) {
		t.Errorf("a nationality property: got %v, want a special-category refusal", err)
	}
}
