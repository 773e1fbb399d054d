// Package crash kills the real `mosaic ingest` process with SIGKILL at
// random points, over and over, and checks what the store promised:
//
//   - every item the process reported as stored (`ingest --json` prints a
//     {"stored": id} line after each commit) is there after the kill;
//   - the store passes its integrity check after every kill;
//   - running the same ingest again finishes the batch: the store ends
//     with exactly the items, facts and counts of a clean run (nothing
//     lost, nothing doubled), every pipeline stage has completed every
//     item, every mention is assigned to exactly one entity, the same
//     entity as in the clean run, and the link index and the alerts equal
//     the clean run's.
//
// Kills land while items are being stored, while the pipeline's stages
// run over them, and while the process starts up or recovers. The default
// run makes 20 kills on a small world; MOSAIC_LONG=1 makes 200 on a larger
// one. MOSAIC_CRASH_SEED replays a run's kill delays.
package crash

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

var all = mosaic.Principal{Name: "test", All: true}

func TestKillIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it 20 times (about 45 s); skipped with -short")
	}
	kills, people := 20, 1000
	if os.Getenv("MOSAIC_LONG") != "" {
		kills, people = 200, 4000
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("MOSAIC_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("MOSAIC_CRASH_SEED: %v", err)
		}
	}
	t.Logf("kill delays from seed %d (MOSAIC_CRASH_SEED=%d replays them)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	tmp := t.TempDir()
	bin := buildMosaic(t, tmp)
	world := filepath.Join(tmp, "world")
	if _, err := gen.Generate(context.Background(), gen.Options{Out: world, People: people, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	// The watch list goes in first. The screen stage screens each record
	// against the entries it has seen so far, and at start it loads every
	// stored entry, so with the list last a restart would screen records
	// against entries a clean run had not yet seen, and raise alerts the
	// clean run never did (see docs/benchmarks/ingest.md).
	inputs := []string{filepath.Join(world, "watchlist"), filepath.Join(world, "records"), filepath.Join(world, "reports")}

	// A clean run gives what every crashed-and-resumed run must end with,
	// and how long the phases take, to aim the kills.
	refDir := filepath.Join(tmp, "reference")
	ref := run(t, bin, refDir, inputs, 0)
	if ref.killed || ref.exit != 0 {
		t.Fatalf("clean run: exit %d\n%s", ref.exit, ref.stderr)
	}
	want := snapshot(t, refDir)
	if want.items == 0 || want.stats.Statements == 0 || len(want.hits) == 0 || want.links == 0 {
		t.Fatalf("the clean run stored too little to test with: %+v", want.stats)
	}
	storeEnd, total := ref.storeTime+ref.startup, ref.elapsed
	t.Logf("clean run: %d items, %d statements, %d alert hits; startup %.2fs, stored by %.2fs, done at %.2fs",
		want.items, want.stats.Statements, want.count, ref.startup.Seconds(), storeEnd.Seconds(), total.Seconds())

	round, killed, phases := 0, 0, map[string]int{}
	for killed < kills {
		round++
		dir := filepath.Join(tmp, fmt.Sprintf("round-%d", round))
		stored := map[mosaic.ID]bool{}
		for attempt := 0; ; attempt++ {
			// Half the kills aim at start-up and storing, half at the
			// pipeline after it; later attempts have less left to do, so
			// their kills fall ever later in the work.
			var delay time.Duration
			if rng.IntN(2) == 0 {
				delay = time.Duration(rng.Int64N(int64(storeEnd) + 1))
			} else {
				delay = storeEnd + time.Duration(rng.Int64N(int64(total-storeEnd)+1))
			}
			if killed >= kills || attempt >= 12 {
				delay = 0 // finish the round
			}
			r := run(t, bin, dir, inputs, delay)
			if testing.Verbose() {
				t.Logf("round %d attempt %d: kill after %v: killed=%v exit=%d stored=%d took %v", round, attempt, delay.Round(time.Millisecond), r.killed, r.exit, len(r.stored), r.elapsed.Round(time.Millisecond))
			}
			for _, id := range r.stored {
				stored[id] = true
			}
			if !r.killed {
				if r.exit != 0 {
					t.Fatalf("round %d: resumed ingest exit %d\n%s", round, r.exit, r.stderr)
				}
				break
			}
			killed++
			switch {
			case len(r.stored) == 0:
				r.phase = "starting"
			case len(r.stored) >= len(ref.stored):
				r.phase = "pipeline" // every item stored: the stages were running
			}
			phases[r.phase]++
			checkAfterKill(t, dir, stored, r)
		}
		got := snapshot(t, dir)
		compare(t, round, got, want)
		if t.Failed() {
			return
		}
	}
	t.Logf("%d kills in %d rounds; phase at the kill: %v", killed, round, phases)
}

// buildMosaic builds the mosaic binary into dir.
func buildMosaic(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "mosaic")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/mosaic-intel/mosaic/cmd/mosaic")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// result is what one run of `mosaic ingest` did.
type result struct {
	killed    bool
	exit      int
	stored    []mosaic.ID // reported stored before the kill
	phase     string      // what the last output said it was doing when killed
	stderr    string
	elapsed   time.Duration
	startup   time.Duration // until the first stored line
	storeTime time.Duration // from the summary of a finished run
}

// run runs `mosaic ingest --json` and, when delay > 0, kills it with
// SIGKILL after delay (if it is still running).
func run(t *testing.T, bin, dir string, inputs []string, delay time.Duration) result {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"ingest", "--json", "--data", dir}, inputs...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var r result
	lines := make(chan string)
	go func() {
		defer close(lines)
		br := bufio.NewReader(stdout)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return // a line cut by the kill is not a report
			}
			lines <- line
		}
	}()
	var timer <-chan time.Time
	if delay > 0 {
		timer = time.After(delay)
	}
	deadline := time.After(5 * time.Minute)
	var summary struct {
		StoreSeconds float64 `json:"store_seconds"`
	}
	r.phase = "starting"
	for open := true; open; {
		select {
		case line, ok := <-lines:
			if !ok {
				open = false
				break
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("ingest printed a line that is not JSON: %q", line)
			}
			if raw, ok := m["stored"]; ok {
				var id mosaic.ID
				json.Unmarshal(raw, &id)
				r.stored = append(r.stored, id)
				if r.startup == 0 {
					r.startup = time.Since(start)
				}
				r.phase = "storing"
			}
			if _, ok := m["summary"]; ok {
				json.Unmarshal([]byte(line), &summary)
			}
		case <-timer:
			timer = nil
			if err := cmd.Process.Signal(syscall.SIGKILL); err == nil {
				r.killed = true
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("ingest did not finish in 5 minutes\n%s", stderr.String())
		}
	}
	err = cmd.Wait()
	r.elapsed = time.Since(start)
	r.stderr = stderr.String()
	r.storeTime = time.Duration(summary.StoreSeconds * float64(time.Second))
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		} else {
			r.killed = false
			r.exit = ee.ExitCode()
		}
	} else if err != nil {
		t.Fatal(err)
	} else {
		r.killed = false // it finished before the kill
	}
	return r
}

// checkAfterKill opens the store a killed process left and checks that it
// is sound and holds everything that was reported stored.
func checkAfterKill(t *testing.T, dir string, stored map[mosaic.ID]bool, r result) {
	t.Helper()
	path := filepath.Join(dir, "mosaic.db")
	if _, err := os.Stat(path); os.IsNotExist(err) {
		if len(stored) > 0 {
			t.Fatalf("killed while %s: no store, but %d items were reported stored", r.phase, len(stored))
		}
		return
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("killed while %s: reopen: %v", r.phase, err)
	}
	defer s.Close()
	if err := s.Check(ctx); err != nil {
		t.Fatalf("killed while %s: integrity: %v", r.phase, err)
	}
	ids, _ := itemIDs(t, s)
	missing := 0
	for id := range stored {
		if !ids[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("killed while %s: %d of %d items reported stored are gone", r.phase, missing, len(stored))
	}
}

// state is what a finished ingest left in a store.
type state struct {
	items    int
	ids      map[mosaic.ID]bool
	stats    store.Stats
	links    int
	seqs     []int64
	hits     map[string]bool // record + " " + watch-list entry, over all alerts
	count    int             // the alerts' counts added up
	alerts   int
	mentions int
	entities map[mosaic.ID]mosaic.ID // mention -> entity
}

// snapshot reads a finished store and checks what must hold of any
// finished ingest: every stage done for every item, no failures, and
// every mention assigned to exactly one entity.
func snapshot(t *testing.T, dir string) state {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "mosaic.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(ctx); err != nil {
		t.Fatalf("integrity: %v", err)
	}
	var st state
	st.ids, st.seqs = itemIDs(t, s)
	st.items = len(st.ids)
	stats, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.stats = *stats

	last, err := s.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Every stage has finished every item. (Seqs without an item are
	// gaps: putting an item that is already stored uses a seq up.)
	for _, stage := range pipeline.Order {
		done, err := s.DoneRanges(ctx, stage)
		if err != nil {
			t.Fatal(err)
		}
		var left []int64
		for _, seq := range st.seqs {
			if len(pipeline.Subtract([]store.Range{{Lo: seq, Hi: seq}}, done)) > 0 {
				left = append(left, seq)
			}
		}
		if len(left) > 0 {
			t.Errorf("stage %s has not finished %d items, e.g. seqs %v", stage, len(left), first(left))
		}
	}
	if fails, err := s.Failures(ctx, "", 10); err != nil || len(fails) > 0 {
		t.Errorf("failed items: %+v (%v)", fails, err)
	}

	// Every mention of every item is assigned, and no assignment names a
	// mention that does not exist.
	var mentions []mosaic.ID
	for lo := int64(1); lo <= last; lo += 5000 {
		items, err := s.ItemsInRange(ctx, all, store.Range{Lo: lo, Hi: min(last, lo+4999)})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Facts != nil {
				for _, m := range it.Facts.Mentions {
					mentions = append(mentions, m.ID)
				}
			}
		}
	}
	st.mentions = len(mentions)
	ents, err := s.EntityOf(ctx, mentions)
	if err != nil {
		t.Fatal(err)
	}
	st.entities = ents
	unassigned := 0
	for _, m := range mentions {
		if ents[m] == "" {
			unassigned++
		}
	}
	if unassigned > 0 {
		t.Errorf("%d of %d mentions are not assigned to an entity", unassigned, len(mentions))
	}
	assignments := 0
	if err := s.Assignments(ctx, func(store.Assignment) error { assignments++; return nil }); err != nil {
		t.Fatal(err)
	}
	if assignments != len(mentions) {
		t.Errorf("%d assignments for %d mentions: each mention must have exactly one", assignments, len(mentions))
	}
	if err := s.EntityLinks(ctx, func(store.EntityLink) error { st.links++; return nil }); err != nil {
		t.Fatal(err)
	}
	alerts, err := s.Alerts(ctx, all, store.AlertFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	// Watch-list hits fold into one alert per listed entry. The hits
	// (record, entry) and how often alerts were raised or grew must not
	// depend on where the process was killed. (Rule alerts depend on
	// resolution, which may differ: they are not compared here.)
	st.hits = map[string]bool{}
	for _, a := range alerts {
		if a.Rule != stages.RuleWatchlist {
			continue
		}
		entry := a.Match
		for _, r := range a.Records {
			if st.hits[string(r)+" "+entry] {
				t.Errorf("alert %s: record %s counted twice for %s", a.ID, r, entry)
			}
			st.hits[string(r)+" "+entry] = true
		}
		if a.Count > len(a.Records) {
			t.Errorf("alert %s counts %d hits from %d records: a hit was counted twice", a.ID, a.Count, len(a.Records))
		}
		st.count += a.Count
	}
	st.alerts = len(alerts)
	return st
}

// itemIDs returns the IDs and seqs of the stored items, failing on an ID
// stored twice.
func itemIDs(t *testing.T, s store.ItemReader) (map[mosaic.ID]bool, []int64) {
	t.Helper()
	ctx := context.Background()
	last, err := s.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[mosaic.ID]bool{}
	var seqs []int64
	for lo := int64(1); lo <= last; lo += 5000 {
		items, err := s.ItemsInRange(ctx, all, store.Range{Lo: lo, Hi: min(last, lo+4999)})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if ids[it.ID] {
				t.Errorf("item %s is stored twice", it.ID)
			}
			ids[it.ID] = true
			seqs = append(seqs, it.Seq)
		}
	}
	return ids, seqs
}

// compare checks a resumed store against the clean run.
func compare(t *testing.T, round int, got, want state) {
	t.Helper()
	if got.items != want.items {
		t.Errorf("round %d: %d items, want %d (the unique input)", round, got.items, want.items)
	}
	var lost, extra []mosaic.ID
	for id := range want.ids {
		if !got.ids[id] {
			lost = append(lost, id)
		}
	}
	for id := range got.ids {
		if !want.ids[id] {
			extra = append(extra, id)
		}
	}
	if len(lost)+len(extra) > 0 {
		t.Errorf("round %d: %d items lost (e.g. %v), %d unexpected (e.g. %v)", round, len(lost), first(lost), len(extra), first(extra))
	}
	// Resolution continues after a restart exactly as if the process had
	// never stopped (the engine replays what it resolved, with the same
	// refits and judgements): every mention is in the clean run's entity.
	var moved []string
	for m, e := range want.entities {
		if got.entities[m] != e {
			moved = append(moved, fmt.Sprintf("%s: %s, clean run %s", m, got.entities[m], e))
		}
	}
	slices.Sort(moved)
	if len(moved) > 0 || got.stats.Entities != want.stats.Entities {
		t.Errorf("round %d: %d entities, the clean run %d; %d of %d mentions in another entity:\n%s",
			round, got.stats.Entities, want.stats.Entities, len(moved), len(want.entities), strings.Join(first(moved), "\n"))
	}
	if fmt.Sprint(got.stats) != fmt.Sprint(want.stats) {
		t.Errorf("round %d: stats\n got %+v\nwant %+v", round, got.stats, want.stats)
	}
	if got.mentions != want.mentions || got.links != want.links {
		t.Errorf("round %d: %d mentions and %d indexed links, want %d and %d", round, got.mentions, got.links, want.mentions, want.links)
	}
	var diff []string
	for h := range want.hits {
		if !got.hits[h] {
			diff = append(diff, "lost: "+h)
		}
	}
	for h := range got.hits {
		if !want.hits[h] {
			diff = append(diff, "not raised by the clean run: "+h)
		}
	}
	slices.Sort(diff)
	if len(diff) > 0 || got.count != want.count {
		t.Errorf("round %d: alerts count %d hits, the clean run's %d; %d of %d hits differ:\n%s", round, got.count, want.count, len(diff), len(want.hits), strings.Join(first(diff), "\n"))
	}
}

func first[T any](xs []T) []T { return xs[:min(len(xs), 5)] }
