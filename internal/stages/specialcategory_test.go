package stages

import (
	"encoding/json"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
)

// TestNoSpecialCategoryInMatching: facts about religion, ethnicity,
// national origin or nationality may be stored, but never reach the
// resolution engine's comparison.
func TestNoSpecialCategoryInMatching(t *testing.T) {
	m := mosaic.Mention{ID: "rec-1/m-person", Type: mosaic.TypePerson}
	st := func(prop, v string) mosaic.Statement {
		return mosaic.Statement{Subject: m.ID, Prop: prop, Value: v, Origin: mosaic.Origin{Record: "rec-1", Field: prop}}
	}
	sts := []mosaic.Statement{
		st(mosaic.PropName, "Ana Lima"), st(mosaic.PropBirthDate, "1990-01-02"),
		st("religion", "RELIGIONVALUE"), st("ethnicity", "ETHNICVALUE"), st(mosaic.PropNationality, "NATIONALITYVALUE"),
		st("origin", "ORIGINVALUE"), st("placeOfBirth", "BIRTHPLACEVALUE"),
	}
	r, ok := EngineRecord(m, sts)
	if !ok {
		t.Fatal("no engine record for a named person")
	}
	b, _ := json.Marshal(r)
	for _, bad := range []string{"RELIGIONVALUE", "ETHNICVALUE", "NATIONALITYVALUE", "ORIGINVALUE", "BIRTHPLACEVALUE"} {
		if strings.Contains(string(b), bad) {
			t.Errorf("the resolution engine is given %s: %s", bad, b)
		}
	}
	if len(r.Names) != 1 || len(r.BirthDates) != 1 {
		t.Errorf("identifying facts lost: %s", b)
	}
}
