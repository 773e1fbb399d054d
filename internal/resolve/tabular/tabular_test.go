package tabular

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseMapping(t *testing.T) {
	tests := []struct {
		spec    string
		want    Mapping
		wantErr bool
	}{
		{"id=key,name=first+last,id:passport=doc", Mapping{{"id", []string{"key"}}, {"name", []string{"first", "last"}}, {"id:passport", []string{"doc"}}}, false},
		{" attr:Title = t ", Mapping{{"attr:title", []string{"t"}}}, false},
		{"colour=c", nil, true},
		{"name", nil, true},
		{"", nil, true},
		{"id:=x", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseMapping(tt.spec)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseMapping(%q) error %v", tt.spec, err)
			continue
		}
		if err != nil && !errors.Is(err, ErrMapping) {
			t.Errorf("ParseMapping(%q) error %v is not ErrMapping", tt.spec, err)
		}
		if len(got) != len(tt.want) {
			t.Errorf("ParseMapping(%q) = %v, want %v", tt.spec, got, tt.want)
			continue
		}
		for i := range got {
			if got[i].Target != tt.want[i].Target || !slices.Equal(got[i].Columns, tt.want[i].Columns) {
				t.Errorf("ParseMapping(%q)[%d] = %v, want %v", tt.spec, i, got[i], tt.want[i])
			}
		}
	}
}

func TestRead(t *testing.T) {
	m, _ := ParseMapping("id=key,name=first+last,name=alias,dob=born,id:phone=tel,attr:city=city")
	in := "key, first, last, alias, born, tel, city, who\n7, Ann, Lee, Annie Lee, 1990-01-02, +44 1, Leeds, p1\n, Bo, , , , , , p2\n"
	f, err := Read(strings.NewReader(in), m, "L:", "who")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 2 {
		t.Fatalf("%d records", len(f.Records))
	}
	r := f.Records[0]
	if r.ID != "L:7" || !slices.Equal(r.Names, []string{"Ann Lee", "Annie Lee"}) || r.BirthDates[0] != "1990-01-02" ||
		r.Identifiers["phone"][0] != "+44 1" || r.Attributes["city"][0] != "Leeds" {
		t.Errorf("record = %+v", r)
	}
	if f.Records[1].ID != "L:3" || f.Truth["L:3"] != "p2" || f.Truth["L:7"] != "p1" {
		t.Errorf("generated id or truth wrong: %+v %v", f.Records[1], f.Truth)
	}
	if _, err := Read(strings.NewReader(in), Mapping{{"name", []string{"nope"}}}, "", ""); !errors.Is(err, ErrMapping) {
		t.Errorf("missing column: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add("a,b\n1,x\n", "id=a,name=b")
	f.Add("a\n\"unterminated\n", "name=a")
	f.Fuzz(func(t *testing.T, csv, spec string) {
		m, err := ParseMapping(spec)
		if err != nil {
			return
		}
		file, err := Read(strings.NewReader(csv), m, "", "")
		if err != nil {
			return
		}
		for _, r := range file.Records {
			if r.ID == "" {
				t.Fatalf("record without id from %q", csv)
			}
		}
	})
}
