// Package alertbench measures how long a record takes to become an alert
// on the wire: from the moment a record is handed to the store until a
// client of the server-sent-events stream (GET /api/v1/alerts/stream,
// over real HTTP on loopback) receives the alert it completes, while
// records flow in at a fixed rate through the whole embedded pipeline
// (store, JetStream, extract, screen, resolve, link and rules).
//
// # Method
//
// A generated world's watch list and person register are loaded first.
// Then every other record of the world (travel, purchases, vehicle hire,
// prison visits, communications, referrals), in date order, is committed
// in small transactions at the target rate and handed to the pipeline,
// as `mosaic ingest` does. The probes are the records that complete an
// alert on their own: travel by a watch-listed person, and visits to a
// prisoner of concern (the rules watchlisted_travel and
// prison_visit_of_concern). A probe's latency runs from just before its
// transaction to the arrival of the first event that cites it.
//
// A probe is usually cited by two kinds of alert: the watch-list
// screening of its names (rule watchlist_match: the traveller, the
// prisoner) and the cross-record rule it completes. They are timed
// apart, each from the first event of its kind that cites the record:
// Rules over the probes; Screening over every streamed record a
// screening alert cites (each record is screened on its own, so each is
// a probe of screening: far more of them than of the rules). Latency is
// the probes' first event of either kind.
package alertbench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/alert/alerteval"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/format"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/httpapi"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/mapping"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Options configure Run.
type Options struct {
	People int    // world size when generating (default 20,000)
	Seed   uint64 // world seed (default 1)
	World  string // use this `mosaic gen` output instead
	Dir    string // scratch directory (required; the data directory goes in it)
	// Rate is records per second (default 5,000); Duration caps the
	// streaming phase (default: until the world's records run out).
	Rate     float64
	Duration time.Duration
	// Tick is how often the producer commits what is due (default 20ms).
	Tick time.Duration
	// ViaAPI makes the producer send what is due to POST /api/v1/ingest
	// over real HTTP, as JSON Lines, one request per mapping, instead of
	// committing it to the store itself.
	ViaAPI bool
	Logger *slog.Logger
}

// Latency summarises probe latencies in milliseconds.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

// StageLatency is how long the streamed transactions took to reach a
// point of the pipeline.
type StageLatency struct {
	Stage   string  `json:"stage"`
	Latency Latency `json:"latency"`
}

// PathPoll is how often the benchmark reads the stages' progress.
const PathPoll = 10 * time.Millisecond

// pathWatch records when each streamed transaction was stored and when
// each stage had finished it.
type pathWatch struct {
	mu   sync.Mutex
	txs  []*txTimes
	done chan struct{}
}

type txTimes struct {
	r      store.Range
	in     time.Time
	stored time.Duration
	at     map[string]time.Duration
}

func (w *pathWatch) add(t *txTimes) {
	w.mu.Lock()
	w.txs = append(w.txs, t)
	w.mu.Unlock()
}

// run polls the stages' done ranges until ctx ends.
func (w *pathWatch) run(ctx context.Context, st store.Progress) {
	defer close(w.done)
	tk := time.NewTicker(PathPoll)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
		// Later stages first: a stage that has finished an item shows
		// that the stages before it had, though their marks may not be
		// in the store yet (pipeline.Config.LazyDone).
		for k := len(pipeline.Order) - 1; k >= 0; k-- {
			done, err := st.DoneRanges(ctx, pipeline.Order[k])
			if err != nil {
				continue
			}
			now := time.Now()
			w.mu.Lock()
			for _, t := range w.txs {
				if _, ok := t.at[pipeline.Order[k]]; ok {
					continue
				}
				if len(pipeline.Subtract([]store.Range{t.r}, done)) == 0 {
					for _, stage := range pipeline.Order[:k+1] {
						if _, ok := t.at[stage]; !ok {
							t.at[stage] = now.Sub(t.in)
						}
					}
				}
			}
			w.mu.Unlock()
		}
	}
}

func (w *pathWatch) report() []StageLatency {
	w.mu.Lock()
	defer w.mu.Unlock()
	var stored []float64
	by := map[string][]float64{}
	for _, t := range w.txs {
		stored = append(stored, float64(t.stored.Microseconds())/1000)
		for st, d := range t.at {
			by[st] = append(by[st], float64(d.Microseconds())/1000)
		}
	}
	out := []StageLatency{{Stage: "stored", Latency: summarise(stored)}}
	for _, st := range pipeline.Order {
		out = append(out, StageLatency{Stage: st, Latency: summarise(by[st])})
	}
	return out
}

// StageTime is a stage's mean time per batch (load, process, commit).
type StageTime struct {
	Stage   string  `json:"stage"`
	Batches int     `json:"batches"`
	MeanMS  float64 `json:"mean_batch_ms"`
	Items   float64 `json:"items"`
}

// WriterTime says how one writer of the store (a stage, ingest, ...) used
// the store's single writer during the run, from the store's histograms
// (mosaic_store_write_*). Percentiles are the upper bounds of histogram
// buckets (powers of two from 0.25 ms), so read them as "at most".
type WriterTime struct {
	Writer       string  `json:"writer"`
	Transactions int     `json:"transactions"`
	WaitMeanMS   float64 `json:"wait_mean_ms"`
	WaitP99MS    float64 `json:"wait_p99_ms"`
	HoldSeconds  float64 `json:"hold_seconds"`
	HoldP50MS    float64 `json:"hold_p50_ms"`
	HoldP99MS    float64 `json:"hold_p99_ms"`
	CommitP99MS  float64 `json:"commit_p99_ms"`
}

// Report is what Run measured.
type Report struct {
	World         string  `json:"world"`
	TargetRate    float64 `json:"target_rate"`
	Records       int     `json:"records_streamed"`
	Seconds       float64 `json:"stream_seconds"`
	AchievedRate  float64 `json:"achieved_rate"`
	Probes        int     `json:"probes"`
	ProbesAlerted int     `json:"probes_alerted"`
	Latency       Latency `json:"latency"`
	// Screening is the latency of watch-list screening alerts
	// (watchlist_match) over every streamed record they cite; Rules that
	// of the other rules' alerts over the probes. N says how many records
	// each kind timed.
	Screening Latency `json:"screening_latency"`
	Rules     Latency `json:"rules_latency"`
	// ScreeningProbes is Screening over the probes only.
	ScreeningProbes Latency `json:"screening_probes_latency"`
	// Path says where the time goes: for every streamed transaction,
	// from just before it to its commit ("stored") and to when each stage
	// had finished all of its items (polled every PathPoll; a stage counts
	// as finished when its done mark or a later stage's is in the store).
	Path           []StageLatency `json:"path"`
	Events         int            `json:"events"`
	BacklogAtEnd   int64          `json:"backlog_at_end"` // items the last stage (rules) had not finished when streaming stopped
	DrainSeconds   float64        `json:"drain_seconds"`
	Stages         []StageTime    `json:"stages"`
	Writers        []WriterTime   `json:"writers,omitempty"`
	CPUSeconds     float64        `json:"cpu_seconds"`
	LoadAverage    string         `json:"load_average"`
	PreloadRecords int            `json:"preload_records"`
}

func (o *Options) defaults() error {
	if o.Dir == "" {
		return errors.New("alertbench: a scratch directory is required")
	}
	if o.People <= 0 {
		o.People = 20_000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Rate <= 0 {
		o.Rate = 5000
	}
	if o.Tick <= 0 {
		o.Tick = 20 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Run runs the benchmark.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	world := o.World
	if world == "" {
		world = filepath.Join(o.Dir, "world")
		if _, err := gen.Generate(ctx, gen.Options{Out: world, People: o.People, Seed: o.Seed}); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(o.Dir, "data")
	if err := os.RemoveAll(data); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	n, err := daemon.Open(ctx, daemon.Config{DataDir: data, Registry: reg, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	defer n.Close()
	if err := n.Start(ctx); err != nil {
		return nil, err
	}
	rep := &Report{World: world, TargetRate: o.Rate}

	// Preload: the watch list and the person register.
	sum, err := ingest.New(n.Store, n.Pipeline, ingest.Options{}).Ingest(ctx, []string{
		filepath.Join(world, "watchlist"), filepath.Join(world, "records", "person.csv"), filepath.Join(world, "records", "organization.csv")})
	if err != nil {
		return nil, err
	}
	if err := n.Pipeline.Wait(ctx, sum.LastSeq, nil); err != nil {
		return nil, err
	}
	rep.PreloadRecords = sum.Added

	items, rows, sources, err := streamItems(ctx, world)
	if err != nil {
		return nil, err
	}
	probes, err := probeRecords(world)
	if err != nil {
		return nil, err
	}
	if err := n.Store.Update(ctx, func(tx store.Tx) error {
		for _, s := range sources {
			if err := tx.PutSource(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}

	// The event stream, over real HTTP.
	api := httpapi.New(httpapi.Config{Store: n.Store, Logger: o.Logger})
	api.HandleAlerts(httpapi.AlertsConfig{Notifier: n.Alerts.Notifier})
	api.HandleIngest(httpapi.IngestConfig{SpoolDir: o.Dir, Hold: n.Pipeline.Hold, Ingester: func(io ingest.Options) *ingest.Ingester {
		io.IndexBehind = true
		return ingest.New(n.Store, n.Pipeline, io)
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	lis := &listener{in: map[mosaic.ID]time.Time{}, probe: map[mosaic.ID]bool{}, seen: map[string]map[mosaic.ID]bool{}, lat: map[string][]float64{},
		at: map[string]map[mosaic.ID]time.Time{}, tx: map[mosaic.ID]*txTimes{}}
	sctx, stopStream := context.WithCancel(ctx)
	defer stopStream()
	ready := make(chan error, 1)
	go lis.run(sctx, "http://"+ln.Addr().String()+"/api/v1/alerts/stream", ready)
	if err := <-ready; err != nil {
		return nil, err
	}

	// Stream at the target rate.
	pw := &pathWatch{done: make(chan struct{})}
	pctx, stopPath := context.WithCancel(ctx)
	defer func() { stopPath(); <-pw.done }()
	go pw.run(pctx, n.Store)
	cpu0 := cpuTime()
	start := time.Now()
	t := time.NewTicker(o.Tick)
	defer t.Stop()
	sent := 0
	var lastSeq int64
	for sent < len(items) {
		elapsed := time.Since(start)
		if o.Duration > 0 && elapsed > o.Duration {
			break
		}
		due := min(int(o.Rate*elapsed.Seconds()), len(items)) - sent
		if due > 0 {
			batch := items[sent : sent+due]
			// sending starts the clock of batch's records, before they
			// are sent: through the API, their alerts may be on the
			// stream before the request has its answer.
			sending := func(in time.Time, batch []*store.Item) {
				lis.mu.Lock()
				for _, it := range batch {
					lis.in[it.ID] = in
					if probes[it.Record.Fields["record_id"]] {
						lis.probe[it.ID] = true
						rep.Probes++
					}
				}
				lis.mu.Unlock()
			}
			// track follows the stored batch through the stages.
			track := func(in time.Time, batch []*store.Item, r store.Range) {
				tt := &txTimes{in: in, stored: time.Since(in), at: map[string]time.Duration{}, r: r}
				pw.add(tt)
				lis.mu.Lock()
				for _, it := range batch {
					lis.tx[it.ID] = tt
				}
				lis.mu.Unlock()
			}
			if o.ViaAPI {
				// One request per mapping, in the order the batch first
				// names each.
				for _, g := range byMapping(batch, rows[sent:sent+due]) {
					in := time.Now()
					sending(in, g.items)
					sum, err := postRows(ctx, "http://"+ln.Addr().String(), g.mapping, g.rows)
					if err != nil {
						return nil, err
					}
					lastSeq = max(lastSeq, sum.LastSeq)
					track(in, g.items, store.Range{Lo: sum.LastSeq - int64(sum.Added) + 1, Hi: sum.LastSeq})
				}
			} else {
				in := time.Now()
				sending(in, batch)
				if err := n.Store.Update(ctx, func(tx store.Tx) error {
					_, err := tx.PutItems(ctx, batch)
					return err
				}); err != nil {
					return nil, fmt.Errorf("store batch: %w", err)
				}
				track(in, batch, store.Range{Lo: batch[0].Seq, Hi: batch[len(batch)-1].Seq})
				var seqs []int64
				for _, it := range batch {
					seqs = append(seqs, it.Seq)
					lastSeq = max(lastSeq, it.Seq)
				}
				if err := n.Pipeline.Submit(ctx, ingest.Ranges(seqs)); err != nil {
					return nil, err
				}
			}
			sent += due
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	rep.Records = sent
	rep.AchievedRate = float64(sent) / rep.Seconds
	if done, err := n.Store.DoneRanges(ctx, pipeline.Order[len(pipeline.Order)-1]); err == nil {
		rep.BacklogAtEnd = lastSeq - pipeline.Covered(done, lastSeq)
	}
	drain := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	err = n.Pipeline.Wait(wctx, lastSeq, nil)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("pipeline did not drain: %w", err)
	}
	rep.DrainSeconds = time.Since(drain).Seconds()
	rep.CPUSeconds = (cpuTime() - cpu0).Seconds()
	time.Sleep(2 * time.Second) // the last events
	stopStream()
	lis.mu.Lock()
	rep.Latency = summarise(lis.lat[kindAny])
	rep.Screening = summarise(lis.lat[kindScreening])
	rep.Rules = summarise(lis.lat[kindRules])
	rep.ScreeningProbes = summarise(lis.lat[kindScreenProbe])
	stopPath()
	<-pw.done
	rep.Path = pw.report()
	// From the screen stage's commit to the stream's event, per record
	// screening cited.
	var gap []float64
	pw.mu.Lock() // lis.mu is held
	for id, at := range lis.at[kindScreening] {
		if t := lis.tx[id]; t != nil {
			if d, ok := t.at[pipeline.Screen]; ok {
				gap = append(gap, float64(at.Sub(t.in.Add(d)).Microseconds())/1000)
			}
		}
	}
	pw.mu.Unlock()
	rep.Path = append(rep.Path, StageLatency{Stage: "screen done -> screening event", Latency: summarise(gap)})
	rep.ProbesAlerted = len(lis.lat[kindAny])
	rep.Events = lis.events
	lis.mu.Unlock()
	if err := lis.err; err != nil && !errors.Is(err, context.Canceled) {
		return nil, fmt.Errorf("event stream: %w", err)
	}
	rep.Stages = stageTimes(reg)
	rep.Writers = writerTimes(reg)
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		rep.LoadAverage = strings.Fields(string(b))[0]
	}
	return rep, nil
}

// streamItems maps the world's non-preloaded records to items, in date
// order, each with the row it came from (for the producer that sends rows
// to the API).
func streamItems(ctx context.Context, world string) ([]*store.Item, []sentRow, []mosaic.Source, error) {
	maps := mapping.Builtin()
	var items []*store.Item
	rowOf := map[*store.Item]sentRow{}
	srcs := map[string]mosaic.Source{}
	for _, f := range []string{"travel.csv", "purchase.csv", "vehicle_hire.csv", "prison_visit.csv", "communication.jsonl", "referral.csv"} {
		path := filepath.Join(world, "records", f)
		err := format.Walk(ctx, path, format.Options{}, func(fi format.Item) error {
			m := maps.For(fi.Path)
			if m == nil || fi.Rows == nil {
				return fmt.Errorf("%s: no mapping", fi.Path)
			}
			srcs[m.Source] = mosaic.Source{Name: m.Source, Kind: "records", Description: m.Description, Marking: mosaic.NewMarking(m.Marking...)}
			for {
				row, err := fi.Rows.Next()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					var rj *format.Rejection
					if errors.As(err, &rj) {
						continue
					}
					return err
				}
				it, err := m.Item(fi.Path, row.Line, row.Fields, nil)
				if err != nil {
					continue
				}
				items = append(items, it)
				rowOf[it] = sentRow{mapping: m.Name, fields: row.Fields}
			}
		}, func(format.Rejection) {})
		if err != nil {
			return nil, nil, nil, err
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Record.Observed.Before(items[j].Record.Observed) })
	rows := make([]sentRow, len(items))
	for i, it := range items {
		rows[i] = rowOf[it]
	}
	var out []mosaic.Source
	for _, s := range srcs {
		out = append(out, s)
	}
	return items, rows, out, nil
}

// probeRecords returns the generator ids of records that complete an
// alert on their own once the watch list is loaded.
func probeRecords(world string) (map[string]bool, error) {
	t, err := alerteval.LoadTruth(world)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range t.Patterns {
		if p.Rule == "watchlisted_travel" || p.Rule == "prison_visit_of_concern" {
			out[p.Records[0]] = true
		}
	}
	return out, nil
}

// Kinds of alert a probe's latency is taken for.
const (
	kindAny         = "any"
	kindScreening   = "screening" // watchlist_match
	kindScreenProbe = "screening probes"
	kindRules       = "rules" // every other rule
)

// listener reads the event stream and times probes.
type listener struct {
	mu     sync.Mutex
	in     map[mosaic.ID]time.Time            // streamed item -> when it went in
	probe  map[mosaic.ID]bool                 // the probes among them
	seen   map[string]map[mosaic.ID]bool      // kind -> probes timed
	lat    map[string][]float64               // kind -> latencies
	at     map[string]map[mosaic.ID]time.Time // kind -> record -> arrival
	tx     map[mosaic.ID]*txTimes
	events int
	err    error
}

// arrived times, for kind, the streamed records not timed yet (only the
// probes unless all).
func (l *listener) arrived(kind string, records []mosaic.ID, now time.Time, all bool) {
	seen := l.seen[kind]
	if seen == nil {
		seen = map[mosaic.ID]bool{}
		l.seen[kind] = seen
	}
	for _, r := range records {
		if in, ok := l.in[r]; ok && !seen[r] && (all || l.probe[r]) {
			seen[r] = true
			l.lat[kind] = append(l.lat[kind], float64(now.Sub(in).Microseconds())/1000)
			if l.at[kind] == nil {
				l.at[kind] = map[mosaic.ID]time.Time{}
			}
			l.at[kind][r] = now
		}
	}
}

func (l *listener) run(ctx context.Context, url string, ready chan<- error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ready <- err
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		ready <- fmt.Errorf("stream: %s", resp.Status)
		return
	}
	ready <- nil
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		now := time.Now()
		var a mosaic.Alert
		if err := json.Unmarshal([]byte(data), &a); err != nil {
			l.err = err
			return
		}
		l.mu.Lock()
		l.events++
		l.arrived(kindAny, a.Records, now, false)
		if a.Rule == stages.RuleWatchlist {
			l.arrived(kindScreening, a.Records, now, true)
			l.arrived(kindScreenProbe, a.Records, now, false)
		} else {
			l.arrived(kindRules, a.Records, now, false)
		}
		l.mu.Unlock()
	}
	l.err = sc.Err()
}

func summarise(ms []float64) Latency {
	if len(ms) == 0 {
		return Latency{}
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	q := func(p float64) float64 {
		i := int(p*float64(len(s))+0.5) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return Latency{N: len(s), P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: s[len(s)-1]}
}

// stageTimes reads the pipeline's per-stage batch histogram.
func stageTimes(reg *prometheus.Registry) []StageTime {
	mfs, err := reg.Gather()
	if err != nil {
		return nil
	}
	items := map[string]float64{}
	var out []StageTime
	for _, mf := range mfs {
		switch mf.GetName() {
		case "mosaic_stage_items_total":
			for _, m := range mf.GetMetric() {
				items[label(m, "stage")] = m.GetCounter().GetValue()
			}
		case "mosaic_stage_batch_seconds":
			for _, m := range mf.GetMetric() {
				h := m.GetHistogram()
				st := StageTime{Stage: label(m, "stage"), Batches: int(h.GetSampleCount())}
				if st.Batches > 0 {
					st.MeanMS = h.GetSampleSum() / float64(st.Batches) * 1000
				}
				out = append(out, st)
			}
		}
	}
	order := map[string]int{}
	for i, s := range pipeline.Order {
		order[s] = i
	}
	for i := range out {
		out[i].Items = items[out[i].Stage]
	}
	sort.Slice(out, func(i, j int) bool { return order[out[i].Stage] < order[out[j].Stage] })
	return out
}

// writerTimes reads the store's writer histograms.
func writerTimes(reg *prometheus.Registry) []WriterTime {
	mfs, err := reg.Gather()
	if err != nil {
		return nil
	}
	by := map[string]*WriterTime{}
	get := func(w string) *WriterTime {
		if by[w] == nil {
			by[w] = &WriterTime{Writer: w}
		}
		return by[w]
	}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "mosaic_store_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			h := m.GetHistogram()
			if h == nil || h.GetSampleCount() == 0 {
				continue
			}
			wt := get(label(m, "writer"))
			switch mf.GetName() {
			case "mosaic_store_write_wait_seconds":
				wt.Transactions = int(h.GetSampleCount())
				wt.WaitMeanMS = h.GetSampleSum() / float64(h.GetSampleCount()) * 1000
				wt.WaitP99MS = bucketQuantile(h, 0.99) * 1000
			case "mosaic_store_write_seconds":
				wt.HoldSeconds = h.GetSampleSum()
				wt.HoldP50MS = bucketQuantile(h, 0.50) * 1000
				wt.HoldP99MS = bucketQuantile(h, 0.99) * 1000
			case "mosaic_store_commit_seconds":
				wt.CommitP99MS = bucketQuantile(h, 0.99) * 1000
			default:
				continue
			}
		}
	}
	out := make([]WriterTime, 0, len(by))
	for _, wt := range by {
		out = append(out, *wt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].HoldSeconds > out[j].HoldSeconds })
	return out
}

// bucketQuantile returns the upper bound of the first bucket of h that
// holds at least the q quantile of its samples (the largest finite bound
// if that is the overflow).
func bucketQuantile(h *dto.Histogram, q float64) float64 {
	want := q * float64(h.GetSampleCount())
	var last float64
	for _, b := range h.GetBucket() {
		last = b.GetUpperBound()
		if float64(b.GetCumulativeCount()) >= want {
			return last
		}
	}
	return last
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
