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
