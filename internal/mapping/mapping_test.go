package mapping

import (
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
)

func TestBuiltinParses(t *testing.T) {
	s := Builtin()
	if len(s.Mappings) < 10 {
		t.Fatalf("%d built-in mappings, want 10", len(s.Mappings))
	}
	for _, p := range []string{"w/records/travel.csv", "out.zip!/records/person.csv", "records/communication.jsonl", "x/reports/RPT-000001.txt", "watchlist/watchlist.csv"} {
		if s.For(p) == nil {
			t.Errorf("no built-in mapping for %s", p)
		}
	}
	if m := s.For("notes/travel.csv"); m != nil {
		t.Errorf("notes/travel.csv matched %s", m.Name)
	}
}

func TestTravelFacts(t *testing.T) {
	m := Builtin().For("records/travel.csv")
	row := map[string]string{"record_id": "TRV-1", "passenger_name": "SMIRNOV/NIKOLAY", "date_of_birth": "1943-02-14", "document_number": "RY2962932",
		"document_country": "", "carrier": "Sunward", "flight": "W5149", "from": "BOM", "to": "EDI", "date": "2024-07-13", "booking_reference": "JKTQ4X"}
	it, err := m.Item("travel.csv", 7, row, mosaic.NewMarking("extra"))
	if err != nil {
		t.Fatal(err)
	}
	r := it.Record
	if r.Kind != mosaic.KindTravel || r.Locator != "travel.csv:7" || r.Observed.Format("2006-01-02") != "2024-07-13" || !it.Marking.Equal(mosaic.NewMarking("EXTRA", "TRAVEL")) {
		t.Errorf("record = %+v marking %v", r, it.Marking)
	}
	f := it.Facts
	roles := map[string]mosaic.Mention{}
	for _, mn := range f.Mentions {
		roles[mn.Role] = mn
	}
	if len(roles) != 6 || roles["flight"].Caption != "Sunward W5149 2024-07-13" || roles["passenger"].Type != mosaic.TypePerson {
		t.Errorf("mentions = %+v", f.Mentions)
	}
	for _, st := range f.Statements {
		if st.Origin.Record != r.ID || st.Origin.Field == "" || st.Source != "passenger-records" {
			t.Errorf("statement without provenance: %+v", st)
		}
		if mosaic.OriginOf(st.ID) != r.ID {
			t.Errorf("statement id %s does not lead to its record", st.ID)
		}
		if st.Prop == "documentCountry" {
			t.Errorf("empty column became a statement: %+v", st)
		}
	}
	var travelled *mosaic.Link
	for i, l := range f.Links {
		if l.Predicate == "travelled_on" {
			travelled = &f.Links[i]
		}
	}
	if travelled == nil || len(travelled.Evidence) != 2 || travelled.Start.IsZero() || travelled.Subject != roles["passenger"].ID {
		t.Fatalf("travelled_on link = %+v", travelled)
	}
	// Same row, same IDs (idempotent re-ingest); another row, another ID.
	it2, _ := m.Item("elsewhere.csv", 9, row, nil)
	if it2.ID != it.ID {
		t.Errorf("same row gave ids %s and %s", it.ID, it2.ID)
	}
	row2 := map[string]string{"passenger_name": "X", "date": "2024-07-13"}
	it3, _ := m.Item("travel.csv", 8, row2, nil)
	if it3.ID == it.ID {
		t.Error("different rows share an id")
	}
	if len(it3.Facts.Mentions) != 1 || it3.Facts.Mentions[0].Role != "passenger" {
		t.Errorf("row with only a name and a date: mentions %+v, want the passenger alone", it3.Facts.Mentions)
	}
	for _, l := range it3.Facts.Links {
		if l.Predicate == "travelled_on" {
			t.Error("link to a mention with no name was kept")
		}
	}
}

func TestSplitAliases(t *testing.T) {
	m := Builtin().For("watchlist/watchlist.csv")
	it, err := m.Item("wl.csv", 2, map[string]string{"entry_id": "WL-1", "name": "Ana Lima", "aliases": "Ana L.; Anna Lima;;", "list": "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var aliases []string
	for _, st := range it.Facts.Statements {
		if st.Prop == "alias" {
			aliases = append(aliases, st.Value)
		}
	}
	if strings.Join(aliases, "|") != "Ana L.|Anna Lima" {
		t.Errorf("aliases = %q", aliases)
	}
}

func TestValidate(t *testing.T) {
	for name, y := range map[string]string{
		"unknown field": "source: s\nkind: travel\nbogus: 1\n",
		"no source":     "kind: travel\n",
		"bad kind":      "source: s\nkind: spaceship\n",
		"bad type":      "source: s\nkind: travel\nentities: [{role: a, type: Dragon, props: {name: x}}]\n",
		"bad link":      "source: s\nkind: travel\nentities: [{role: a, type: Person, props: {name: x}}]\nlinks: [{subject: a, predicate: p, object: b}]\n",
		"no name prop":  "source: s\nkind: travel\nentities: [{role: a, type: Person, props: {dob: x}}]\n",
		"bad role":      "source: s\nkind: travel\nentities: [{role: A B, type: Person, props: {name: x}}]\n",
		"not yaml":      "{{{",
	} {
		if _, err := Parse(strings.NewReader(y), name); mosaic.KindOf(err) != mosaic.KindInvalid {
			t.Errorf("%s: err = %v, want an invalid-kind error", name, err)
		}
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]string{
		"2024-07-13": "2024-07-13T00:00:00Z", "2024-08-09T08:24:49Z": "2024-08-09T08:24:49Z", "13/07/2024": "2024-07-13T00:00:00Z",
		"2024-07-13 10:00:00": "2024-07-13T10:00:00Z", "": "", "soon": "",
	} {
		got, ok := ParseTime(in)
		s := ""
		if ok {
			s = got.Format("2006-01-02T15:04:05Z07:00")
		}
		if s != want {
			t.Errorf("ParseTime(%q) = %q, want %q", in, s, want)
		}
	}
}

func FuzzItem(f *testing.F) {
	m := Builtin().For("records/travel.csv")
	f.Add("A B", "2024-01-01", "X1", "{", "")
	f.Fuzz(func(t *testing.T, name, date, flight, carrier, booking string) {
		it, err := m.Item("f.csv", 1, map[string]string{"passenger_name": name, "date": date, "flight": flight, "carrier": carrier, "booking_reference": booking}, nil)
		if err != nil {
			return
		}
		for _, st := range it.Facts.Statements {
			if st.Origin.IsZero() || st.Value == "" {
				t.Fatalf("bad statement %+v", st)
			}
		}
	})
}

func TestRequiredColumns(t *testing.T) {
	m := Builtin().For("records/travel.csv")
	got := strings.Join(m.RequiredColumns(), ",")
	// The passenger's name is required; the flight's name template needs
	// carrier, flight and date; optional props (date of birth) are not.
	for _, want := range []string{"passenger_name", "carrier", "flight", "date"} {
		if !strings.Contains(got, want) {
			t.Errorf("required columns %s lack %s", got, want)
		}
	}
	if strings.Contains(got, "date_of_birth") {
		t.Errorf("an optional column is required: %s", got)
	}
}
