package screen

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

func TestDebugQuery(t *testing.T) {
	qs := os.Getenv("MOSAIC_Q")
	if qs == "" {
		t.Skip()
	}
	res, err := watchlist.LoadFile(context.Background(), "/work/shared/data/screening/lists/UN_consolidated.xml", "", "", watchlist.DefaultMapping())
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex()
	ix.ReplaceList("un", res.Entries)
	for _, q := range strings.Split(qs, "|") {
		pq := names.Parse(q, names.KindPerson)
		ix.mu.RLock()
		s := ix.getScratch()
		s.qts = ix.matchTokens(pq, s)
		for _, qt := range s.qts {
			var ms []string
			for i, m := range qt.matches {
				if i < 6 {
					ms = append(ms, ix.toks[m.id].tok.Text+":"+strings.TrimRight(strings.TrimRight(ftoa(float64(m.sim)), "0"), "."))
				}
			}
			t.Logf("%q %s w=%.2f postable=%v matches %v", q, qt.tok.Text, qt.weight, postable(&qt), ms)
		}
		ix.prepareSims(s)
		c := ix.gather(s, watchlist.Person)
		var cn []string
		for _, rid := range c {
			cn = append(cn, ix.strs.str(ix.recs[rid].value))
		}
		t.Logf("gathered %d: %v", len(c), cn[:min(8, len(cn))])
		ix.mu.RUnlock()
	}
}

func ftoa(f float64) string { return strings.TrimSpace(strings.Replace(fmtF(f), " ", "", -1)) }

func fmtF(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }
