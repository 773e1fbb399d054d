package alert

import "testing"

func TestSameBirth(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"1958-01-02", "1958-01-02", true},
		{"1958-01-02", "1958-02-01", true},  // day and month swapped
		{"1958-01-02", "1959-01-02", true},  // year one off
		{"1958-01-02", "1957-01-02", true},  // year one off
		{"1958-01-02", "1958-01-05", true},  // day mistyped
		{"1958-01-02", "1958-07-02", true},  // month mistyped
		{"1958-01-30", "1958-02-02", true},  // days apart across a month
		{"1958-12-31", "1959-01-02", true},  // days apart across a year
		{"1958-01-02", "1951-01-02", false}, // years apart, one digit different
		{"1958-01-02", "1961-01-02", false},
		{"1958-01-02", "1968-03-02", false},
		{"1958-01-02", "1948-01-02", false},
		{"1990-11-15", "2000-06-15", false},
		{"1958-01-02", "unknown", true}, // not comparable
	} {
		if got := sameBirth(tc.a, tc.b); got != tc.want {
			t.Errorf("sameBirth(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := sameBirth(tc.b, tc.a); got != tc.want {
			t.Errorf("sameBirth(%s, %s) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
	}
}
