package pipeline

import (
	"reflect"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

func items(seqs ...int64) []*store.Item {
	out := make([]*store.Item, len(seqs))
	for i, s := range seqs {
		out[i] = &store.Item{Seq: s}
	}
	return out
}

func seqsOf(hs []handed) [][]int64 {
	var out [][]int64
	for _, h := range hs {
		var s []int64
		for _, it := range h.items {
			s = append(s, it.Seq)
		}
		out = append(out, s)
	}
	return out
}

func TestHandoffTakeSplits(t *testing.T) {
	r := func(lo, hi int64) store.Range { return store.Range{Lo: lo, Hi: hi} }
	for _, tc := range []struct {
		name     string
		take     store.Range
		got      [][]int64
		gaps     []store.Range
		heldLeft int
	}{
		{"exactly one entry", r(1, 10), [][]int64{{1, 2, 5, 10}}, nil, 5},
		{"across two entries", r(1, 20), [][]int64{{1, 2, 5, 10}, {11, 15, 20}}, nil, 2},
		{"part of an entry", r(3, 12), [][]int64{{5, 10}, {11}}, nil, 6},
		{"beyond what is held", r(15, 40), [][]int64{{15, 20}, {21, 30}}, []store.Range{r(31, 40)}, 5},
		{"a gap inside", r(1, 100), [][]int64{{1, 2, 5, 10}, {11, 15, 20}, {21, 30}}, []store.Range{r(31, 100)}, 0},
		{"nothing held", r(50, 60), nil, []store.Range{r(50, 60)}, 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandoff(100)
			h.put(r(11, 20), items(11, 15, 20), nil)
			h.put(r(1, 10), items(1, 2, 5, 10), nil)
			h.put(r(21, 30), items(21, 30), nil)
			got, gaps := h.take(tc.take)
			if !reflect.DeepEqual(seqsOf(got), tc.got) || !reflect.DeepEqual(gaps, tc.gaps) {
				t.Errorf("take(%v) = %v, gaps %v; want %v, gaps %v", tc.take, seqsOf(got), gaps, tc.got, tc.gaps)
			}
			if n := h.held(); n != tc.heldLeft {
				t.Errorf("%d items held after the take, want %d", n, tc.heldLeft)
			}
			// What is left is still taken whole.
			rest, _ := h.take(r(1, 100))
			n := 0
			for _, e := range rest {
				n += len(e.items)
			}
			if n != tc.heldLeft || h.held() != 0 {
				t.Errorf("took %d more items (want %d), %d still held", n, tc.heldLeft, h.held())
			}
		})
	}
}

func TestHandoffLimits(t *testing.T) {
	h := newHandoff(5)
	now := time.Unix(1000, 0)
	h.now = func() time.Time { return now }
	h.put(store.Range{Lo: 1, Hi: 3}, items(1, 2, 3), nil)
	h.put(store.Range{Lo: 4, Hi: 6}, items(4, 5, 6), nil) // no room
	if h.held() != 3 {
		t.Fatalf("held %d items, want 3 (the second range did not fit)", h.held())
	}
	h.put(store.Range{Lo: 2, Hi: 2}, items(2), nil) // replaces part of the first
	if got, _ := h.take(store.Range{Lo: 1, Hi: 3}); !reflect.DeepEqual(seqsOf(got), [][]int64{{1}, {2}, {3}}) {
		t.Errorf("after a replacement, take = %v", seqsOf(got))
	}
	h.put(store.Range{Lo: 1, Hi: 3}, items(1, 2, 3), nil)
	now = now.Add(maxAge + time.Second)
	h.put(store.Range{Lo: 4, Hi: 6}, items(4, 5, 6), nil) // the stale range makes room
	if got, _ := h.take(store.Range{Lo: 1, Hi: 6}); !reflect.DeepEqual(seqsOf(got), [][]int64{{4, 5, 6}}) {
		t.Errorf("after ageing, take = %v", seqsOf(got))
	}
	h.put(store.Range{Lo: 7, Hi: 8}, items(7, 8), allChanged)
	if h.held() != 0 {
		t.Errorf("a range whose items were all changed is held")
	}

	// Documents count by size too.
	h = newHandoff(100)
	h.maxBytes = 100
	doc := func(seq int64, size int) *store.Item {
		return &store.Item{Seq: seq, Document: &mosaic.Document{Text: strings.Repeat("x", size)}}
	}
	h.put(store.Range{Lo: 1, Hi: 2}, []*store.Item{doc(1, 60), {Seq: 2}}, nil)
	h.put(store.Range{Lo: 3, Hi: 3}, []*store.Item{doc(3, 50)}, nil) // over 100 bytes
	h.put(store.Range{Lo: 4, Hi: 4}, []*store.Item{doc(4, 40)}, nil)
	if got, _ := h.take(store.Range{Lo: 1, Hi: 4}); !reflect.DeepEqual(seqsOf(got), [][]int64{{1, 2}, {4}}) {
		t.Errorf("with a 100-byte budget, take = %v; want the 60- and 40-byte documents", seqsOf(got))
	}
	if h.bytes != 0 || h.n != 0 {
		t.Errorf("after taking everything, %d items and %d bytes held", h.n, h.bytes)
	}
	h.put(store.Range{Lo: 1, Hi: 2}, []*store.Item{doc(1, 60), doc(2, 30)}, nil)
	h.take(store.Range{Lo: 2, Hi: 2})
	if h.bytes != 60 || h.n != 1 {
		t.Errorf("after taking part of a range, %d items and %d bytes held; want 1 and 60", h.n, h.bytes)
	}
}
