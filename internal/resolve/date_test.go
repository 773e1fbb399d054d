package resolve

import "testing"

func TestNormDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1975-03-09", "19750309"},
		{"19750309", "19750309"},
		{"9/3/1975", "19750309"},
		{"09.03.1975", "19750309"},
		{"1975", "19750000"},
		{"1975-3", "19750300"},
		{"1975-03-09T10:00:00Z", "19750309"},
		{"1975-13-09", ""},
		{"75-03-09", ""},
		{"", ""},
		{"abc", ""},
	}
	for _, tt := range tests {
		if got := normDate(tt.in); got != tt.want {
			t.Errorf("normDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzNormDate(f *testing.F) {
	f.Add("1975-03-09")
	f.Add("9/3/1975")
	f.Fuzz(func(t *testing.T, s string) {
		d := normDate(s)
		if d != "" && (len(d) != 8 || normDate(d) != d) {
			t.Fatalf("normDate(%q) = %q is not a fixed point", s, d)
		}
	})
}

func TestDateLevel(t *testing.T) {
	tests := []struct {
		x, y string
		want int8
	}{
		{"19891231", "19891231", 3},
		{"19850312", "19860312", 2}, // one edit
		{"19850312", "19851203", 2}, // day and month swapped
		{"19850312", "19850419", 1}, // same year
		{"19891231", "19901231", 1}, // a year off across a decade
		{"20000101", "19990101", 1}, // and a century
		{"19891231", "19911231", 0}, // two years off
		{"19891231", "19901230", 0}, // a year and a day off
		{"19890000", "19900000", 0}, // years only: no day to share
		{"19891200", "19901200", 0},
	}
	for _, tt := range tests {
		if got := dateLevel(tt.x, tt.y); got != tt.want {
			t.Errorf("dateLevel(%s, %s) = %d, want %d", tt.x, tt.y, got, tt.want)
		}
		if got := dateLevel(tt.y, tt.x); got != tt.want {
			t.Errorf("dateLevel(%s, %s) = %d, want %d", tt.y, tt.x, got, tt.want)
		}
	}
}

// dobModel weighs a different date of birth as an estimated model does
// (about -8.6 bits, a conflict), and another date in the same year at
// about -5 bits.
func dobModel() *Model {
	return &Model{Prior: 0.15, Features: map[string]*FeatureModel{"dob": {Levels: []Level{
		{Label: "differs", M: 0.0021, U: 0.835},
		{Label: "same year or a year off", M: 0.0049, U: 0.152},
		{Label: "one typo or day/month swapped", M: 0.052, U: 0.0071},
		{Label: "equal", M: 0.941, U: 0.0065},
	}}}}
}

// A birth date a year off on the same day (a slip one edit does not reach
// across a decade) no longer vetoes a match that another fact supports,
// but it does not join namesakes on the name alone, and a date further off
// still keeps records apart.
func TestYearOffDateIsNoConflict(t *testing.T) {
	e := New(Config{})
	e.SetModel(dobModel())
	mustAdd(t, e, person("a", "Adaeze Okafor", "1989-12-31", "phone=07700900111"))
	d := mustAdd(t, e, person("b", "Adaeze Okafor", "1990-12-31", "phone=07700900111"))
	if d.Action != ActionMerge {
		x, _ := e.Explain("a", "b")
		t.Fatalf("same name and phone, birth date a year off: not merged: %+v; %v", d, x)
	}
	d = mustAdd(t, e, person("c", "Adaeze Okafor", "1975-03-14", "phone=07700900111"))
	if d.Action == ActionMerge {
		t.Fatalf("birth dates far apart merged: %+v", d)
	}

	e = New(Config{})
	e.SetModel(dobModel())
	mustAdd(t, e, person("a", "Adaeze Okafor", "1989-12-31", "phone=07700900111"))
	d = mustAdd(t, e, person("b", "Adaeze Okafor", "1990-12-31", "phone=07700900222"))
	if d.Action == ActionMerge {
		x, _ := e.Explain("a", "b")
		t.Fatalf("namesakes a year apart with different phones merged: %+v; %v", d, x)
	}
}
