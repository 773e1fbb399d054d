package alertbench

import (
	"context"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/store"
)

// TestRunViaAPI streams a small world's records through the ingest route
// and the whole pipeline: every record is stored once, the pipeline
// drains, and the planted patterns raise screening alerts that reach the
// event stream.
func TestRunViaAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("streams a generated world through the pipeline")
	}
	var first *Report
	for _, via := range []bool{false, true} {
		rep, err := Run(context.Background(), Options{People: 300, Seed: 1, Dir: t.TempDir(), Rate: 20000, Tick: 50 * time.Millisecond, ViaAPI: via})
		if err != nil {
			t.Fatalf("via API %v: %v", via, err)
		}
		if rep.Records == 0 || rep.Screening.N == 0 || rep.Probes == 0 {
			t.Errorf("via API %v: %d records streamed, %d screening alerts timed, %d probes: want some of each", via, rep.Records, rep.Screening.N, rep.Probes)
		}
		// Every stage that stored something, and the upload or
		// commit of the records, held the store's writer.
		held := map[string]int{}
		for _, w := range rep.Writers {
			held[w.Writer] = w.Transactions
		}
		for _, w := range []string{"ingest", "screen", "resolve", "link"} {
			if held[w] == 0 {
				t.Errorf("via API %v: no write transaction of %s in the writer report %+v", via, w, rep.Writers)
			}
		}
		t.Logf("via API %v: %d records, screening p50 %.1f ms (n=%d), %d probes", via, rep.Records, rep.Screening.P50, rep.Screening.N, rep.Probes)
		if first == nil {
			first = rep
			continue
		}
		// The same records, sent over HTTP instead of committed directly,
		// raise the same screening alerts.
		if rep.Records != first.Records || rep.Screening.N != first.Screening.N || rep.Probes != first.Probes {
			t.Errorf("via the API: %d records, %d screened records alerted, %d probes; committed directly: %d, %d, %d",
				rep.Records, rep.Screening.N, rep.Probes, first.Records, first.Screening.N, first.Probes)
		}
	}
}

func TestByMapping(t *testing.T) {
	rows := []sentRow{{mapping: "travel"}, {mapping: "purchase"}, {mapping: "travel"}}
	g := byMapping(make([]*store.Item, 3), rows)
	if len(g) != 2 || g[0].mapping != "travel" || len(g[0].items) != 2 || g[1].mapping != "purchase" || len(g[1].items) != 1 {
		t.Fatalf("groups %+v: want travel (2) then purchase (1)", g)
	}
}
