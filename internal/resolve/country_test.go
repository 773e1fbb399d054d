package resolve

import (
	"strings"
	"testing"
)

// A dual national's passports differ in number and issuing country: two
// documents of different countries say nothing of each other, pair by
// pair and cluster by cluster, while two of one country that differ still
// count against a match.
func TestDocumentsOfTwoCountriesAreNotCompared(t *testing.T) {
	withCountry := func(r Record, c string) Record {
		r.Countries = []string{c}
		return r
	}
	for _, tc := range []struct {
		name       string
		ca, cb     string
		wantDiffer bool
	}{
		{"two countries", "GBR", "IRN", false},
		{"one country", "IRN", "IRN", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Config{})
			mustAdd(t, e, withCountry(person("a", "Samira Jafari", "1966-10-11", "passport=719359193"), tc.ca))
			mustAdd(t, e, withCountry(person("b", "Samira Jafari", "", "passport=AD4029817"), tc.cb))
			x, err := e.Explain("a", "b")
			if err != nil {
				t.Fatal(err)
			}
			differ := false
			for _, c := range x.Contributions {
				if c.Feature == "id:passport" && c.Level == "differs" {
					differ = true
				}
			}
			if differ != tc.wantDiffer {
				t.Errorf("passport differs = %v, want %v: %v", differ, tc.wantDiffer, x)
			}
			ia, ib := e.byID["a"], e.byID["b"]
			var why []string
			e.compareProfilesWhy(e.recordProfile(ia), e.recordProfile(ib), false, &why)
			got := strings.Contains(strings.Join(why, ","), "id:passport differs")
			if got != tc.wantDiffer {
				t.Errorf("profiles: passport differs = %v, want %v (%v)", got, tc.wantDiffer, why)
			}
			// A cluster holding both a document of the first country and
			// none of the second keeps the rule.
			pa := e.recordProfile(ia)
			pa.merge(e.recordProfile(ia))
			why = why[:0]
			e.compareProfilesWhy(pa, e.recordProfile(ib), false, &why)
			if got := strings.Contains(strings.Join(why, ","), "id:passport differs"); got != tc.wantDiffer {
				t.Errorf("merged profile: passport differs = %v, want %v (%v)", got, tc.wantDiffer, why)
			}
		})
	}
}
