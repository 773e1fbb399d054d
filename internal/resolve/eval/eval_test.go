package eval

import (
	"math"
	"testing"
)

func TestCompare(t *testing.T) {
	truth := map[string]string{"a": "1", "b": "1", "c": "1", "d": "2", "e": "3"}
	tests := []struct {
		name           string
		pred           map[string]string
		pp, pr, bp, br float64
	}{
		{"perfect", map[string]string{"a": "x", "b": "x", "c": "x", "d": "y", "e": "z"}, 1, 1, 1, 1},
		{"all apart", map[string]string{"a": "a", "b": "b", "c": "c", "d": "d", "e": "e"}, 1, 0, 1, (1.0/3*3 + 2) / 5},
		{"one lost", map[string]string{"a": "x", "b": "x", "c": "c", "d": "d", "e": "e"}, 1, 1.0 / 3, 1, (2.0/3*2 + 1.0/3 + 2) / 5},
		{"over-merged", map[string]string{"a": "x", "b": "x", "c": "x", "d": "x", "e": "e"}, 3.0 / 6, 1, (3.0/4*3 + 1.0/4 + 1) / 5, 1},
	}
	for _, tt := range tests {
		r := Compare(tt.pred, truth)
		for _, c := range []struct {
			what      string
			got, want float64
		}{{"pairwise P", r.Pairwise.Precision, tt.pp}, {"pairwise R", r.Pairwise.Recall, tt.pr}, {"B3 P", r.BCubed.Precision, tt.bp}, {"B3 R", r.BCubed.Recall, tt.br}} {
			if math.Abs(c.got-c.want) > 1e-9 {
				t.Errorf("%s: %s = %v, want %v", tt.name, c.what, c.got, c.want)
			}
		}
	}
}
