package alert_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/mapping"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// fixture feeds records, mapped by the built-in mappings and resolved by
// the real resolution engine, to a rules engine.
type fixture struct {
	t     *testing.T
	res   *stages.Resolve
	eng   *alert.Engine
	maps  *mapping.Set
	seq   int64
	items map[string]*store.Item // by the row's record_id / entry_id
}

func newFixture(t *testing.T, rules *alert.RuleSet) *fixture {
	t.Helper()
	res := stages.NewResolve(resolve.New(resolve.Config{}))
	eng, err := alert.NewEngine(alert.EngineConfig{Rules: rules, Resolver: alert.EngineResolver{Engine: res.Engine()}})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, res: res, eng: eng, maps: mapping.Builtin(), items: map[string]*store.Item{}}
}

// row builds the item of one row of a generator file ("person.csv",
// "watchlist.csv", ...); kv alternates column names and values.
func (f *fixture) row(file string, kv ...string) *store.Item {
	f.t.Helper()
	path := "world/records/" + file
	if file == "watchlist.csv" {
		path = "world/watchlist/" + file
	}
	m := f.maps.For(path)
	if m == nil {
		f.t.Fatalf("no mapping for %s", path)
	}
	fields := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		fields[kv[i]] = kv[i+1]
	}
	it, err := m.Item(path, 2, fields, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	f.seq++
	it.Seq = f.seq
	f.items[fields["record_id"]+fields["entry_id"]] = it
	return it
}

// feed resolves the items and evaluates the rules over them.
func (f *fixture) feed(items ...*store.Item) []*mosaic.Alert {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.res.Process(ctx, items); err != nil {
		f.t.Fatal(err)
	}
	as, err := f.eng.Evaluate(ctx, items)
	if err != nil {
		f.t.Fatal(err)
	}
	return as
}

func (f *fixture) id(key string) mosaic.ID { return f.items[key].ID }

func byRule(as []*mosaic.Alert, rule string) []*mosaic.Alert {
	var out []*mosaic.Alert
	for _, a := range as {
		if a.Rule == rule {
			out = append(out, a)
		}
	}
	return out
}

func (f *fixture) subject(entry, name, dob, list string) *store.Item {
	return f.row("watchlist.csv", "entry_id", entry, "name", name, "date_of_birth", dob, "nationality", "GBR", "list", list, "reason", "x")
}

func (f *fixture) person(id, name, dob, phone string) *store.Item {
	return f.row("person.csv", "record_id", id, "full_name", name, "date_of_birth", dob, "phone", phone, "address", id+" High Street, Leeds", "source", "customer-records")
}

func (f *fixture) call(id, from, to string) *store.Item {
	return f.row("communication.jsonl", "record_id", id, "from", from, "to", to, "channel", "call", "time", "2024-03-01T10:00:00Z")
}

func (f *fixture) buy(id, name, phone, item, date string) *store.Item {
	return f.row("purchase.csv", "record_id", id, "buyer_name", name, "buyer_phone", phone, "item", item, "quantity", "2", "unit", "L", "seller", "ShopHub", "date", date)
}

func (f *fixture) fly(id, name, dob, flight, date string) *store.Item {
	return f.row("travel.csv", "record_id", id, "passenger_name", name, "date_of_birth", dob, "document_number", "", "document_country", "GBR",
		"carrier", "Skyline", "flight", flight, "from", "LHR", "to", "IST", "date", date, "booking_reference", "B"+id)
}

func TestWatchlistedTravel(t *testing.T) {
	f := newFixture(t, nil)
	f.feed(f.subject("WL-1", "Tobias Quennell-Farrow", "1980-02-03", "domestic-subjects"))
	as := byRule(f.feed(f.fly("TRV-1", "Tobias Quennell-Farrow", "1980-02-03", "SK101", "2024-05-01")), "watchlisted_travel")
	if len(as) != 1 {
		t.Fatalf("got %d watchlisted_travel alerts, want 1", len(as))
	}
	a := as[0]
	if a.Key != "domestic-subjects:WL-1" || !slices.Contains(a.Records, f.id("TRV-1")) {
		t.Errorf("alert key %q records %v", a.Key, a.Records)
	}
	if !strings.Contains(strings.Join(a.Explanation, "\n"), "watch-list entry domestic-subjects:WL-1") {
		t.Errorf("explanation does not name the entry: %q", a.Explanation)
	}
	if !a.Marking.Equal(mosaic.NewMarking("TRAVEL")) {
		t.Errorf("marking %v, want the travel record's", a.Marking)
	}
	// A second trip folds into the same alert (same rule and key).
	as2 := byRule(f.feed(f.fly("TRV-2", "Tobias Quennell-Farrow", "1980-02-03", "SK102", "2024-05-09")), "watchlisted_travel")
	if len(as2) != 1 || mosaic.AlertID(as2[0].Rule, as2[0].Key) != mosaic.AlertID(a.Rule, a.Key) {
		t.Fatalf("second trip: %+v, want the same alert ID", as2)
	}
	// Someone of the same name born decades apart is not the subject, even
	// if resolution put them together.
	as3 := byRule(f.feed(f.fly("TRV-3", "Tobias Quennell-Farrow", "1951-11-30", "SK103", "2024-06-01")), "watchlisted_travel")
	for _, a := range as3 {
		if slices.Contains(a.Records, f.id("TRV-3")) {
			t.Errorf("travel of a namesake with another date of birth alerted: %v", a.Explanation)
		}
	}
	// Evaluating the same items again raises nothing new.
	if again := f.feed(f.items["TRV-1"]); len(again) != 0 {
		t.Errorf("redelivery raised %d alerts", len(again))
	}
}

// chain builds subject S -(call)- friend F -(call)- buyer B, each with a
// person record giving their phone.
func chain(f *fixture) {
	f.feed(
		f.subject("WL-7", "Evander Okonkwo-Lindqvist", "1979-07-07", "domestic-subjects"),
		f.person("PER-S", "Evander Okonkwo-Lindqvist", "1979-07-07", "07700 900001"),
		f.person("PER-F", "Casimir Vanterpool", "1985-01-15", "07700 900002"),
		f.person("PER-B", "Philippa Drummond-Achebe", "1990-09-09", "07700 900003"),
		f.call("COM-1", "+447700900001", "+447700900002"),
		f.call("COM-2", "+447700900002", "+447700900003"),
	)
}

func TestPrecursorNearSubject(t *testing.T) {
	f := newFixture(t, nil)
	chain(f)
	as := byRule(f.feed(f.buy("PUR-1", "Philippa Drummond-Achebe", "07700 900003", "acetone", "2024-04-01")), "precursor_near_subject")
	if len(as) != 1 {
		t.Fatalf("got %d precursor alerts, want 1", len(as))
	}
	ex := strings.Join(as[0].Explanation, "\n")
	if !strings.Contains(ex, "2 hop(s)") || !strings.Contains(ex, "phone contact") {
		t.Errorf("explanation lacks the hops: %s", ex)
	}
	if len(as[0].Entities) < 3 {
		t.Errorf("entities %v: want the buyer, the intermediary and the subject", as[0].Entities)
	}
	if as := byRule(f.feed(f.buy("PUR-2", "Philippa Drummond-Achebe", "07700 900003", "lawn seed", "2024-04-02")), "precursor_near_subject"); len(as) != 0 {
		t.Errorf("unlisted item alerted: %v", as[0].Explanation)
	}
}

func TestPrecursorArrivesBeforeSubject(t *testing.T) {
	f := newFixture(t, nil)
	f.feed(
		f.person("PER-S", "Evander Okonkwo-Lindqvist", "1979-07-07", "07700 900001"),
		f.person("PER-B", "Philippa Drummond-Achebe", "1990-09-09", "07700 900003"),
		f.call("COM-1", "+447700900001", "+447700900003"),
	)
	if as := f.feed(f.buy("PUR-1", "Philippa Drummond-Achebe", "07700 900003", "hydrogen peroxide 12%", "2024-04-01")); len(as) != 0 {
		t.Fatalf("alert before any subject: %v", as[0].Explanation)
	}
	// The watch-list entry arrives later: the purchase alerts then.
	as := byRule(f.feed(f.subject("WL-7", "Evander Okonkwo-Lindqvist", "1979-07-07", "domestic-subjects")), "precursor_near_subject")
	if len(as) != 1 || !slices.Contains(as[0].Records, f.id("PUR-1")) {
		t.Fatalf("retrospective alert: got %d", len(as))
	}
	// And a link that arrives last also completes a pattern.
	f.feed(f.person("PER-C", "Ottoline Baptiste-Moreau", "1970-03-03", "07700 900009"),
		f.buy("PUR-9", "Ottoline Baptiste-Moreau", "07700 900009", "acetone", "2024-05-01"))
	as = byRule(f.feed(f.call("COM-9", "+447700900009", "+447700900001")), "precursor_near_subject")
	if len(as) != 1 || !slices.Contains(as[0].Records, f.id("PUR-9")) {
		t.Fatalf("alert completed by a late call: got %d", len(as))
	}
}

func TestHubIsNotCrossed(t *testing.T) {
	f := newFixture(t, nil)
	f.feed(f.subject("WL-7", "Evander Okonkwo-Lindqvist", "1979-07-07", "domestic-subjects"),
		f.person("PER-S", "Evander Okonkwo-Lindqvist", "1979-07-07", "07700 955555"))
	// Thirty different people give one switchboard number.
	var items []*store.Item
	given := []string{"Amara", "Bertil", "Celyn", "Dagny", "Eero", "Fenna", "Gaspard", "Hedda", "Ivo", "Jorun",
		"Kasimir", "Liesl", "Mette", "Niall", "Oona", "Piet", "Quirin", "Ragna", "Sten", "Tilde"}
	family := []string{"Abernathy", "Bellweather", "Coldstream", "Dunmore", "Everleigh", "Fairbairn", "Glenister", "Hollingworth",
		"Inchbald", "Jessop", "Kilbride", "Lockhart", "Mountjoy", "Northcote", "Ormerod", "Pendlebury", "Quarrington", "Rutherford",
		"Stanhope", "Thistlewood", "Underhill", "Vickery", "Wetherall", "Yelland", "Zouche", "Ashdown", "Blenkinsop", "Cresswell",
		"Dimmock", "Enderby"}
	for i, sur := range family {
		items = append(items, f.person("PER-H"+sur, given[i%len(given)]+" "+sur, "19"+[]string{"60", "70", "80"}[i%3]+"-0"+string(rune('1'+i%9))+"-1"+string(rune('0'+i%9)), "07700 955555"))
	}
	f.feed(items...)
	f.feed(f.person("PER-B", "Philippa Drummond-Achebe", "1990-09-09", "07700 955555"))
	if as := byRule(f.feed(f.buy("PUR-1", "Philippa Drummond-Achebe", "07700 955555", "acetone", "2024-04-01")), "precursor_near_subject"); len(as) != 0 {
		t.Errorf("a number shared by thirty people made the buyer an associate: %v", as[0].Explanation)
	}
}

func TestSubjectsSameFlight(t *testing.T) {
	f := newFixture(t, nil)
	f.feed(f.subject("WL-1", "Tobias Quennell-Farrow", "1980-02-03", "domestic-subjects"),
		f.subject("WL-2", "Marisol Etxeberria-Lund", "1984-12-12", "domestic-subjects"))
	f.feed(f.fly("TRV-1", "Tobias Quennell-Farrow", "1980-02-03", "SK101", "2024-05-01"),
		f.fly("TRV-9", "Gideon Ashworth-Pell", "1966-06-06", "SK101", "2024-05-01"))
	if as := byRule(f.feed(), "subjects_same_flight"); len(as) != 0 {
		t.Fatal("one subject on a flight alerted")
	}
	as := byRule(f.feed(f.fly("TRV-2", "Marisol Etxeberria-Lund", "1984-12-12", "SK101", "2024-05-01")), "subjects_same_flight")
	if len(as) != 1 {
		t.Fatalf("got %d same-flight alerts, want 1", len(as))
	}
	a := as[0]
	if a.Key != "sk101|2024 05 01" {
		t.Errorf("key %q", a.Key)
	}
	if !slices.Contains(a.Records, f.id("TRV-1")) || !slices.Contains(a.Records, f.id("TRV-2")) || slices.Contains(a.Records, f.id("TRV-9")) {
		t.Errorf("records %v: want both subjects' and not the other passenger's", a.Records)
	}
	// The same flight on another day is another flight.
	if as := byRule(f.feed(f.fly("TRV-3", "Marisol Etxeberria-Lund", "1984-12-12", "SK101", "2024-05-08")), "subjects_same_flight"); len(as) != 0 {
		t.Errorf("another day alerted")
	}
}

func TestPrisonVisitOfConcern(t *testing.T) {
	f := newFixture(t, nil)
	f.feed(f.subject("WL-3", "Leopold Fairweather-Nkemelu", "1975-05-05", "convicted-offenders"),
		f.subject("WL-4", "Rosalind Abernethy-Oyelaran", "1977-07-17", "domestic-subjects"))
	visit := func(id, prisoner string) *store.Item {
		return f.row("prison_visit.csv", "record_id", id, "visitor_name", "Hortense Calloway", "visitor_date_of_birth", "1950-01-01",
			"prisoner_name", prisoner, "prison", "HMP Longmead", "date", "2024-07-01")
	}
	as := byRule(f.feed(visit("PVS-1", "Leopold Fairweather-Nkemelu")), "prison_visit_of_concern")
	if len(as) != 1 || !strings.Contains(strings.Join(as[0].Explanation, " "), "linked by visited") {
		t.Fatalf("visit to a prisoner of concern: %d alerts", len(as))
	}
	if as := byRule(f.feed(visit("PVS-2", "Rosalind Abernethy-Oyelaran")), "prison_visit_of_concern"); len(as) != 0 {
		t.Errorf("visit to a subject on another list alerted")
	}
}

func TestHireNearPrecursor(t *testing.T) {
	f := newFixture(t, nil)
	chain(f) // S calls F
	hire := func(id, date string) *store.Item {
		return f.row("vehicle_hire.csv", "record_id", id, "hirer_name", "Evander Okonkwo-Lindqvist", "date_of_birth", "1979-07-07",
			"licence_number", "OKONK707079E99AB", "phone", "07700 900001", "vehicle", "Ford Transit van", "registration", "AB12 CDE", "date", date, "place", "Leeds")
	}
	f.feed(f.buy("PUR-F", "Casimir Vanterpool", "07700 900002", "acetone", "2024-06-10"))
	as := byRule(f.feed(hire("VHR-1", "2024-06-15")), "hire_near_precursor")
	if len(as) != 1 || !slices.Contains(as[0].Records, f.id("PUR-F")) || as[0].Key != string(f.id("VHR-1")) {
		t.Fatalf("hire 5 days after an associate's purchase: %d alerts", len(as))
	}
	if as := byRule(f.feed(hire("VHR-2", "2024-07-20")), "hire_near_precursor"); len(as) != 0 {
		t.Errorf("hire 40 days later alerted")
	}
	// A purchase arriving after the hire completes it too.
	as = byRule(f.feed(f.buy("PUR-G", "Casimir Vanterpool", "07700 900002", "potassium nitrate", "2024-07-25")), "hire_near_precursor")
	if len(as) != 1 || as[0].Key != string(f.id("VHR-2")) {
		t.Fatalf("late purchase: %d alerts", len(as))
	}
}

func TestWatchlistRemoval(t *testing.T) {
	f := newFixture(t, nil)
	f.feed(f.subject("WL-1", "Tobias Quennell-Farrow", "1980-02-03", "domestic-subjects"))
	f.feed(f.row("watchlist.csv", "entry_id", "WL-1", "list", "domestic-subjects", "removed", "true", "name", "Tobias Quennell-Farrow"))
	if as := byRule(f.feed(f.fly("TRV-1", "Tobias Quennell-Farrow", "1980-02-03", "SK101", "2024-05-01")), "watchlisted_travel"); len(as) != 0 {
		t.Errorf("travel after the entry was removed alerted")
	}
}
