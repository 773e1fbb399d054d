package watchlist

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/shareddata"
)

func load(t *testing.T, path string, f Format) Result {
	t.Helper()
	res, err := LoadFile(context.Background(), path, f, "", DefaultMapping())
	if err != nil {
		t.Fatalf("LoadFile(%s): %v", path, err)
	}
	return res
}

func byID(res Result) map[string]Entry {
	m := map[string]Entry{}
	for _, e := range res.Entries {
		m[e.EntryID] = e
	}
	return m
}

func problemLines(ps []Problem) []int {
	var out []int
	for _, p := range ps {
		out = append(out, p.Line)
	}
	return out
}

func TestDetectFormat(t *testing.T) {
	for path, want := range map[string]Format{
		"testdata/sample_un.xml":    FormatUN,
		"testdata/ofac":             FormatOFAC,
		"testdata/ofac/sdn.csv":     FormatOFAC,
		"testdata/sample.ftm.jsonl": FormatFTM,
		"testdata/sample.csv":       FormatCSV,
	} {
		got, err := DetectFormat(path)
		if err != nil || got != want {
			t.Errorf("DetectFormat(%s) = %q, %v; want %q", path, got, err, want)
		}
	}
	if _, err := DetectFormat("testdata/missing"); err == nil {
		t.Error("DetectFormat of a missing file succeeded")
	}
}

func TestParseUNSample(t *testing.T) {
	res := load(t, "testdata/sample_un.xml", "")
	m := byID(res)
	if len(res.Entries) != 2 {
		t.Fatalf("got %d entries, want 2: %+v", len(res.Entries), res.Entries)
	}
	if got := problemLines(res.Problems); !reflect.DeepEqual(got, []int{17}) || !strings.Contains(res.Problems[0].Reason, "no name") {
		t.Errorf("problems = %v, want one 'no name' on line 17", res.Problems)
	}
	p := m["QDi.900"]
	if p.Schema != Person || p.List != "un" || p.Caption() != "ALI EXAMPLE" {
		t.Errorf("person = %+v", p)
	}
	if !reflect.DeepEqual(p.BirthDates, []string{"1970", "1971", "1972"}) {
		t.Errorf("birth dates = %v", p.BirthDates)
	}
	if !reflect.DeepEqual(p.Countries, []string{"SY"}) {
		t.Errorf("countries = %v", p.Countries)
	}
	if len(p.Identifiers) != 1 || p.Identifiers[0] != (Identifier{Type: "Passport", Number: "N123", Country: "SY"}) {
		t.Errorf("identifiers = %+v", p.Identifiers)
	}
	var scripts, weak []string
	for _, n := range p.Names {
		scripts = append(scripts, n.Script)
		if n.Weak {
			weak = append(weak, n.Value)
		}
	}
	if !reflect.DeepEqual(scripts, []string{"latin", "latin", "latin", "arabic"}) || !reflect.DeepEqual(weak, []string{"Abu Example"}) {
		t.Errorf("names = %+v", p.Names)
	}
	o := m["CDe.900"]
	if o.Schema != Organization || len(o.Names) != 3 || o.Names[1].Value != "EXAMPLE AIR CARGO" {
		t.Errorf("entity = %+v", o)
	}
}

func TestParseOFACSample(t *testing.T) {
	res := load(t, "testdata/ofac", "")
	m := byID(res)
	if len(res.Entries) != 3 {
		t.Fatalf("got %d entries, want 3", len(res.Entries))
	}
	want := []string{"sdn.csv:3: ent_num", "sdn.csv:4: entry 102 has no name", "alt.csv:3: alias for unknown ent_num"}
	if len(res.Problems) != len(want) {
		t.Fatalf("problems = %v, want %d", res.Problems, len(want))
	}
	for i, w := range want {
		if !strings.Contains(res.Problems[i].String(), w) {
			t.Errorf("problem %d = %q, want it to contain %q", i, res.Problems[i], w)
		}
	}
	p := m["100"]
	if p.Schema != Person || p.Caption() != "Ali Hassan EXAMPLE" || len(p.Names) != 2 || p.Names[1].Value != "Aly Hasan EXEMPLE" {
		t.Errorf("person = %+v", p)
	}
	if !reflect.DeepEqual(p.BirthDates, []string{"1960-01-01", "1961"}) || !reflect.DeepEqual(p.Countries, []string{"IQ"}) {
		t.Errorf("dob/countries = %v %v", p.BirthDates, p.Countries)
	}
	if len(p.Identifiers) != 1 || p.Identifiers[0].Number != "A1234567" || p.Identifiers[0].Country != "IQ" {
		t.Errorf("identifiers = %+v", p.Identifiers)
	}
	if c := m["101"].Countries; !reflect.DeepEqual(c, []string{"AE"}) {
		t.Errorf("org countries = %v", c)
	}
	if m["103"].Schema != Vessel {
		t.Errorf("103 schema = %v", m["103"].Schema)
	}
}

func TestParseFTMSample(t *testing.T) {
	res := load(t, "testdata/sample.ftm.jsonl", "")
	m := byID(res)
	if len(res.Entries) != 3 {
		t.Fatalf("got %d entries: %+v", len(res.Entries), res.Entries)
	}
	if got := problemLines(res.Problems); !reflect.DeepEqual(got, []int{4, 5}) {
		t.Errorf("problem lines = %v (%v), want [4 5]", got, res.Problems)
	}
	p := m["fx-person-1"]
	if p.List != "sample.ftm" || p.Schema != Person || len(p.Names) != 4 || !p.Names[3].Weak || p.Names[1].Script != "cyrillic" {
		t.Errorf("person = %+v", p)
	}
	if !reflect.DeepEqual(p.Countries, []string{"RU"}) || p.Identifiers[0].Number != "7500123456" {
		t.Errorf("person facts = %+v", p)
	}
	if m["fx-org-1"].Schema != Organization || m["fx-person-2"].Countries[0] != "IQ" {
		t.Errorf("org/person2 = %+v %+v", m["fx-org-1"], m["fx-person-2"])
	}
}

func TestParseCSVSample(t *testing.T) {
	res := load(t, "testdata/sample.csv", "")
	m := byID(res)
	if len(res.Entries) != 3 {
		t.Fatalf("got %d entries", len(res.Entries))
	}
	if got := problemLines(res.Problems); !reflect.DeepEqual(got, []int{4, 5, 7}) {
		t.Errorf("problem lines = %v (%v)", got, res.Problems)
	}
	if !strings.Contains(res.Problems[2].Reason, "first on line 2") {
		t.Errorf("duplicate problem = %q", res.Problems[2].Reason)
	}
	if j := m["c1"]; len(j.Names) != 3 || j.BirthDates[0] != "1985-06-01" || j.Countries[0] != "GB" {
		t.Errorf("c1 = %+v", j)
	}
	if m["c2"].Schema != Organization || m["c4"].Countries[0] != "ES" {
		t.Errorf("c2/c4 = %+v %+v", m["c2"], m["c4"])
	}
	mp, err := ParseMapping("id=ref,name=full_name,sep=|")
	if err != nil || mp.ID != "ref" || mp.Name != "full_name" || mp.Sep != "|" || mp.Country != "country" {
		t.Errorf("ParseMapping = %+v, %v", mp, err)
	}
	if _, err := ParseMapping("bogus=x"); err == nil {
		t.Error("ParseMapping accepted an unknown field")
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("foo,bar\n1,2\n"), 0o644)
	if _, err := LoadFile(context.Background(), bad, FormatCSV, "", DefaultMapping()); err == nil {
		t.Error("CSV without id/name columns loaded")
	}
}

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{
		"Iraq": "IQ", "iq": "IQ", "Syrian Arab Republic": "SY", "Democratic People's Republic of Korea": "KP",
		"Germany": "DE", "United Kingdom of Great Britain and Northern Ireland": "GB", "Russian Federation": "RU",
	} {
		if got, ok := CountryCode(in); !ok || got != want {
			t.Errorf("CountryCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := CountryCode("Atlantis"); ok {
		t.Error("CountryCode(Atlantis) ok")
	}
}

func TestSharedLists(t *testing.T) {
	un := shareddata.Path(t, "data/screening/lists/UN_consolidated.xml")
	res := load(t, un, "")
	if len(res.Entries) != 1003 || len(res.Problems) != 0 {
		t.Errorf("UN: %d entries, %d problems (%v); want 1003, 0", len(res.Entries), len(res.Problems), res.Problems)
	}
	var arabic, dob, unknownCountry int
	for _, e := range res.Entries {
		for _, n := range e.Names {
			if n.Script == "arabic" {
				arabic++
				break
			}
		}
		if len(e.BirthDates) > 0 {
			dob++
		}
		for _, c := range e.Countries {
			if len(c) != 2 {
				unknownCountry++
				t.Logf("unknown country %q in %s", c, e.EntryID)
			}
		}
	}
	if arabic < 300 || dob < 600 || unknownCountry > 5 {
		t.Errorf("UN: %d with Arabic names, %d with birth dates, %d unknown countries", arabic, dob, unknownCountry)
	}
	ofac := load(t, shareddata.Path(t, "data/screening/lists/ofac_2021"), "")
	t.Logf("OFAC: %d entries, %d problems", len(ofac.Entries), len(ofac.Problems))
	for _, p := range ofac.Problems[:min(5, len(ofac.Problems))] {
		t.Logf("  %s", p)
	}
	if len(ofac.Entries) < 8900 || len(ofac.Problems) > 10 {
		t.Errorf("OFAC: %d entries, %d problems", len(ofac.Entries), len(ofac.Problems))
	}
}

func TestSplitAliasList(t *testing.T) {
	for _, tc := range []struct {
		in    string
		main  string
		items []string
	}{
		{"جبهة النصرة (the Victory Front; Jabhat al-Nusrah; Al-Nusra Front)", "جبهة النصرة", []string{"the Victory Front", "Jabhat al-Nusrah", "Al-Nusra Front"}},
		{"Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script); Hayat Tahrir al-Sham)", "Hay’at Tahrir al-Sham (HTS)", []string{"هيئة تحرير الشام", "Hayat Tahrir al-Sham"}},
		{"شبكة أنصار المجاهدين (Ansar al-Mujahideen Network - sub-unit name)", "شبكة أنصار المجاهدين", []string{"Ansar al-Mujahideen Network"}},
		{"MUHAMMAD JAMAL NETWORK (MJN)", "MUHAMMAD JAMAL NETWORK (MJN)", nil},
		{"Abu (Umar; Omar) Smith", "Abu (Umar; Omar) Smith", nil},
		{"(a; b)", "(a; b)", nil},
	} {
		main, items := splitAliasList(tc.in)
		if main != tc.main || !slices.Equal(items, tc.items) {
			t.Errorf("splitAliasList(%q) = %q, %q; want %q, %q", tc.in, main, items, tc.main, tc.items)
		}
	}
}
