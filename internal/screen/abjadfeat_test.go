package screen

import (
	"math"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// An Arabic-script query's letters are counted on the Latin spellings it
// is aligned with, and its parts aligned with Arabic-script spellings
// count their letter edits, as two Latin spellings do.
func TestAbjadQueryFeatures(t *testing.T) {
	ix := testIndex()
	ix.ReplaceList("x", []watchlist.Entry{
		person("x1", "", "", "MOHAMED OSMAN"),
		person("x2", "", "", "فيصل بوغانمي"),
	})
	feat := func(q, id string) (Features, bool) {
		for _, c := range ix.Candidates(Query{Name: q, Schema: watchlist.Person}) {
			if c.EntryID == id {
				return c.Features, true
			}
		}
		return Features{}, false
	}
	f, ok := feat("محمد عثمان", "x1")
	if !ok {
		t.Fatal("محمد عثمان: MOHAMED OSMAN not scored")
	}
	if want := float64(len("mohamed")+len("osman")) / 10; math.Abs(f[FLetters]-want) > 1e-9 {
		t.Errorf("محمد عثمان against MOHAMED OSMAN: letters %.1f, want %.1f (the Latin spelling's)", f[FLetters], want)
	}
	f, ok = feat("فيصل غانم", "x2")
	if !ok {
		t.Fatal("فيصل غانم: فيصل بوغانمي not scored")
	}
	if f[FMaxEdits] != 3 || f[FFirstDiff] != 1 {
		t.Errorf("فيصل غانم against فيصل بوغانمي: max edits %v, first letters differ %v; want 3 and 1", f[FMaxEdits], f[FFirstDiff])
	}
	// Latin-script queries: unchanged.
	f, _ = feat("MOHAMED OSMAN", "x1")
	if f[FLetters] != 1.2 || f[FMaxEdits] != 0 {
		t.Errorf("MOHAMED OSMAN: letters %v, max edits %v", f[FLetters], f[FMaxEdits])
	}
}

// An Arabic-script part beginning with a vowel (alif, ayn) does not meet
// a Latin initial: its first Latin letter may be any vowel.
func TestAbjadVowelInitial(t *testing.T) {
	ix := testIndex()
	ix.ReplaceList("x", []watchlist.Entry{person("x1", "", "", "A. KABIR")})
	initials := func(q string) (float64, bool) {
		for _, c := range ix.Candidates(Query{Name: q, Schema: watchlist.Person}) {
			if c.EntryID == "x1" {
				return c.Features[FInitials], true
			}
		}
		return 0, false
	}
	if n, ok := initials("أنس جابر"); ok && n != 0 {
		t.Errorf("أنس جابر against A. KABIR: %v initials aligned, want 0", n)
	}
	if n, ok := initials("Anas Kabir"); !ok || n != 1 {
		t.Errorf("Anas Kabir against A. KABIR: %v initials aligned (scored %v), want 1", n, ok)
	}
}
