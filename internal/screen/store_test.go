package screen

import (
	"slices"
	"testing"
)

func TestChainMap(t *testing.T) {
	c := newChainMap()
	for v := range int32(5) {
		c.add(1, v)
	}
	c.add(2, 9)
	vals := func(h uint64) []int32 {
		var out []int32
		c.each(h, func(v int32) bool { out = append(out, v); return true })
		return out
	}
	for _, tc := range []struct {
		remove int32
		want   []int32
	}{
		{-1, []int32{4, 3, 2, 1, 0}},
		{2, []int32{4, 3, 1, 0}},
		{4, []int32{3, 1, 0}},
		{0, []int32{3, 1}},
		{7, []int32{3, 1}},
		{3, []int32{1}},
		{1, nil},
	} {
		if tc.remove >= 0 {
			c.remove(1, tc.remove)
		}
		if got := vals(1); !slices.Equal(got, tc.want) || c.count(1) != len(tc.want) {
			t.Errorf("after removing %d: %v (count %d), want %v", tc.remove, got, c.count(1), tc.want)
		}
	}
	if got := vals(2); !slices.Equal(got, []int32{9}) || c.count(2) != 1 {
		t.Errorf("other key: %v", got)
	}
}
