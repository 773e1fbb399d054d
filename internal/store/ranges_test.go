package store

import (
	"slices"
	"testing"
)

func TestMergeRanges(t *testing.T) {
	for _, tc := range []struct {
		in, want []Range
	}{
		{nil, nil},
		{[]Range{{5, 9}}, []Range{{5, 9}}},
		{[]Range{{10, 12}, {1, 3}, {4, 6}}, []Range{{1, 6}, {10, 12}}}, // adjacent merge, order fixed
		{[]Range{{1, 10}, {2, 3}}, []Range{{1, 10}}},                   // contained
		{[]Range{{1, 4}, {3, 8}, {20, 20}, {9, 9}}, []Range{{1, 9}, {20, 20}}},
		{[]Range{{7, 7}, {5, 5}}, []Range{{5, 5}, {7, 7}}}, // a gap of one stays
	} {
		in := slices.Clone(tc.in)
		got := MergeRanges(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("MergeRanges(%v) = %v, want %v", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("MergeRanges modified its input: %v became %v", in, tc.in)
		}
	}
}
