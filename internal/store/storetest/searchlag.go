package storetest

import (
	"context"
	"fmt"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// SearchComplete tests that search finds every committed item, whether
// or not the store indexes text in the transaction that adds it: right
// after the commit, through another handle on the same data while the
// first is still open (a process that stopped without closing its store,
// as after a crash, leaves what it had not indexed to the next one), and
// after the abandoned handle is finally closed, each item exactly once.
func SearchComplete(t *testing.T, open Opener) {
	ctx := context.Background()
	s, reopen := open(t)
	t.Cleanup(func() { s.Close() })
	word := func(i int) string { return fmt.Sprintf("zqword%dx", i) }
	items := func(lo, hi int) []*store.Item {
		var out []*store.Item
		for i := lo; i < hi; i++ {
			if i%5 == 4 {
				out = append(out, NewDocument("reports", fmt.Sprintf("Report %d", i), "Seen near the bridge: "+word(i)+".", nil))
				continue
			}
			out = append(out, NewRecord("src", mosaic.KindPerson, map[string]string{"name": word(i), "n": fmt.Sprint(i)}, nil, word(i)))
		}
		return out
	}
	// found checks that a search for each word in lo..hi finds its item,
	// once.
	found := func(s store.Store, what string, all_ []*store.Item, lo, hi int) {
		t.Helper()
		for i := lo; i < hi; i++ {
			hits, err := s.Search(ctx, all, word(i), 10)
			if err != nil {
				t.Fatalf("%s: search %s: %v", what, word(i), err)
			}
			n := 0
			for _, h := range hits {
				if h.Kind == "entity" {
					continue
				}
				if h.ID != all_[i].ID {
					t.Errorf("%s: search %s found %s, want only %s", what, word(i), h.ID, all_[i].ID)
				}
				n++
			}
			if n != 1 {
				t.Errorf("%s: search %s found the item %d times, want once", what, word(i), n)
			}
		}
	}
	all_ := items(0, 40)
	// Several small commits: searched right away.
	for lo := 0; lo < 10; lo += 2 {
		put(t, s, all_[lo:lo+2]...)
		found(s, "right after the commit", all_, lo, lo+2)
	}
	// Commits that nobody searches, then another handle.
	for lo := 10; lo < 20; lo += 5 {
		put(t, s, all_[lo:lo+5]...)
	}
	s2 := reopen()
	t.Cleanup(func() { s2.Close() })
	found(s2, "from a second handle", all_, 0, 20)
	// The second handle commits, a third opens while the first two are
	// still open and searches.
	put(t, s2, all_[20:30]...)
	put(t, s, all_[30:40]...)
	s3 := reopen()
	t.Cleanup(func() { s3.Close() })
	if err := s3.Check(ctx); err != nil {
		t.Errorf("Check after reopening over unindexed items: %v", err)
	}
	found(s3, "from a third handle", all_, 0, 40)
	// The first handles close, having nothing left of their own to
	// index; nothing is indexed twice.
	if err := s.Close(); err != nil {
		t.Errorf("close the first handle: %v", err)
	}
	if err := s2.Close(); err != nil {
		t.Errorf("close the second handle: %v", err)
	}
	found(s3, "after the other handles closed", all_, 0, 40)
	if err := s3.Check(ctx); err != nil {
		t.Errorf("Check: %v", err)
	}
}
