package ingestbench

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"time"

	"github.com/google/pprof/profile"
	"github.com/prometheus/client_golang/prometheus"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// StageCPU is the CPU time a CPU profile attributes to one step of one
// pipeline stage (by the pprof labels the pipeline sets: "stage", and
// "step" = load, process, commit or after).
type StageCPU struct {
	Stage   string  `json:"stage"`
	Step    string  `json:"step"`
	Seconds float64 `json:"cpu_seconds"`
}

// Latency summarises the time from an item's commit to the store to the
// commit of the last stage over it.
type Latency struct {
	Batches int     `json:"batches"`
	P50     float64 `json:"p50_ms"`
	P95     float64 `json:"p95_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
}

// profiler runs one CPU profile over the whole benchmark into memory and
// attributes labelled samples to the phases that set the label "bench".
type profiler struct {
	buf     bytes.Buffer
	running bool
	prof    *profile.Profile
}

func (p *profiler) start() error {
	if err := pprof.StartCPUProfile(&p.buf); err != nil {
		return fmt.Errorf("start CPU profile (per-stage CPU needs it): %w", err)
	}
	p.running = true
	return nil
}

// stop ends the profile and parses it.
func (p *profiler) stop() error {
	if !p.running {
		return nil
	}
	pprof.StopCPUProfile()
	p.running = false
	prof, err := profile.Parse(bytes.NewReader(p.buf.Bytes()))
	if err != nil {
		return fmt.Errorf("parse CPU profile: %w", err)
	}
	p.prof = prof
	return nil
}

// stageCPU returns the CPU seconds by stage and step of the samples taken
// under bench=phase, in pipeline order, and their total.
func (p *profiler) stageCPU(phase string) ([]StageCPU, float64) {
	if p.prof == nil {
		return nil, 0
	}
	vi := -1
	for i, st := range p.prof.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			vi = i
		}
	}
	if vi < 0 {
		return nil, 0
	}
	type key struct{ stage, step string }
	ns := map[key]int64{}
	var total int64
	for _, s := range p.prof.Sample {
		if !slices.Contains(s.Label["bench"], phase) || len(s.Label["stage"]) == 0 {
			continue
		}
		k := key{s.Label["stage"][0], "other"}
		if st := s.Label["step"]; len(st) > 0 {
			k.step = st[0]
		}
		ns[k] += s.Value[vi]
		total += s.Value[vi]
	}
	order := map[string]int{}
	for i, s := range pipeline.Order {
		order[s] = i
	}
	stepOrder := map[string]int{"load": 0, "process": 1, "commit": 2, "after": 3}
	out := make([]StageCPU, 0, len(ns))
	for k, v := range ns {
		out = append(out, StageCPU{Stage: k.stage, Step: k.step, Seconds: float64(v) / 1e9})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Stage != b.Stage {
			return before(order, a.Stage, b.Stage)
		}
		return before(stepOrder, a.Step, b.Step)
	})
	return out, float64(total) / 1e9
}

// before orders names by their rank in order, unranked ones last and by
// name.
func before(order map[string]int, a, b string) bool {
	oa, oka := order[a]
	ob, okb := order[b]
	if oka != okb {
		return oka
	}
	if oa != ob {
		return oa < ob
	}
	return a < b
}

// labelled runs fn with the goroutine label bench=phase, which every
// goroutine fn starts (the pipeline's stages) inherits.
func labelled(ctx context.Context, phase string, fn func(ctx context.Context)) {
	pprof.Do(ctx, pprof.Labels("bench", phase), fn)
}

// runPipeline measures the pipeline over everything n's store holds up
// to last: the stages start on a backlog (the ingest phase queued it).
// label tells its profile samples from other phases'.
func runPipeline(ctx context.Context, n *daemon.Node, name, label string, last int64, items int64) (Phase, error) {
	var p Phase
	var err error
	labelled(ctx, label, func(ctx context.Context) {
		p, err = measure(name, func() (int64, error) {
			if err := n.Start(ctx); err != nil {
				return 0, err
			}
			if err := n.Pipeline.Wait(ctx, last, nil); err != nil {
				return 0, err
			}
			n.Stop()
			return items, nil
		})
	})
	p.label = label
	return p, err
}

// streamOptions configure the stream phase.
type streamOptions struct {
	dir   string
	rate  int // items per second offered
	batch int // items per commit
}

// runStream feeds the items of src (a store the records phase filled) to
// a fresh node whose pipeline runs, at a steady rate in small batches, as
// a live feed would arrive, and measures how long each batch takes from
// its commit to the commit of the last stage over it.
func runStream(ctx context.Context, src store.ItemReader, last int64, o streamOptions) (Phase, *Latency, error) {
	var items []*store.Item
	for lo := int64(1); lo <= last; lo += 5000 {
		got, err := src.ItemsInRange(ctx, pipeline.System, store.Range{Lo: lo, Hi: min(last, lo+4999)})
		if err != nil {
			return Phase{}, nil, err
		}
		items = append(items, got...)
	}
	// The watch lists first, as a live deployment has them loaded before
	// records arrive, so that screening finds its hits.
	sort.SliceStable(items, func(i, j int) bool {
		return isWatchlist(items[i]) && !isWatchlist(items[j])
	})
	for _, it := range items {
		it.Seq, it.Stored = 0, time.Time{}
	}
	n, err := daemon.Open(ctx, daemon.Config{DataDir: filepath.Join(o.dir, "data-stream"), Registry: prometheus.NewRegistry()})
	if err != nil {
		return Phase{}, nil, err
	}
	defer n.Close()
	if o.batch <= 0 {
		o.batch = 250
	}
	name := fmt.Sprintf("stream: %d records/s offered, every stage", o.rate)
	var (
		p         Phase
		lat       *Latency
		runErr    error
		committed []batchTime
	)
	labelled(ctx, "stream", func(ctx context.Context) {
		p, runErr = measure(name, func() (int64, error) {
			if err := n.Start(ctx); err != nil {
				return 0, err
			}
			defer n.Stop()
			watch := newDoneWatch(n.Store, n.Pipeline.StageNames())
			wctx, stopWatch := context.WithCancel(ctx)
			watched := make(chan error, 1)
			go func() { watched <- watch.run(wctx) }()
			stopped := false
			stop := func() error {
				if stopped {
					return nil
				}
				stopped = true
				stopWatch()
				return <-watched
			}
			defer stop()

			interval := time.Duration(float64(time.Second) * float64(o.batch) / float64(o.rate))
			next := time.Now()
			var lastSeq int64
			for lo := 0; lo < len(items); lo += o.batch {
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
				next = next.Add(interval)
				b := items[lo:min(len(items), lo+o.batch)]
				if err := n.Store.Update(ctx, func(tx store.Tx) error {
					_, err := tx.PutItems(ctx, b)
					return err
				}); err != nil {
					return 0, err
				}
				at := time.Now()
				seqs := make([]int64, len(b))
				for i, it := range b {
					seqs[i] = it.Seq
					lastSeq = max(lastSeq, it.Seq)
				}
				committed = append(committed, batchTime{hi: slices.Max(seqs), at: at})
				if err := n.Pipeline.Submit(ctx, rangesOf(seqs)); err != nil {
					return 0, err
				}
			}
			if err := n.Pipeline.Wait(ctx, lastSeq, nil); err != nil {
				return 0, err
			}
			if err := stop(); err != nil {
				return 0, err
			}
			lat = watch.latency(committed)
			return int64(len(items)), nil
		})
	})
	p.label = "stream"
	return p, lat, runErr
}

func isWatchlist(it *store.Item) bool {
	return it.Record != nil && it.Record.Kind == mosaic.KindWatchlistEntry
}

type batchTime struct {
	hi int64 // highest seq of the batch
	at time.Time
}

// rangesOf turns ascending seqs into merged ranges.
func rangesOf(seqs []int64) []store.Range {
	var out []store.Range
	for _, q := range seqs {
		if k := len(out); k > 0 && q == out[k-1].Hi+1 {
			out[k-1].Hi = q
			continue
		}
		out = append(out, store.Range{Lo: q, Hi: q})
	}
	return out
}

// doneWatch polls the last stage's done ranges and notes when each seq
// first became done (to the polling interval).
type doneWatch struct {
	st    store.Progress
	stage string
	// doneAt[i] is when the done prefix first reached upTo[i].
	upTo   []int64
	doneAt []time.Time
}

func newDoneWatch(st store.Progress, stages []string) *doneWatch {
	return &doneWatch{st: st, stage: stages[len(stages)-1]}
}

const watchEvery = 5 * time.Millisecond

func (w *doneWatch) run(ctx context.Context) error {
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	var reached int64
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		rs, err := w.st.DoneRanges(ctx, w.stage)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		// Done ranges start at 1 when every earlier batch is done; a
		// batch counts as out when all of it is covered, which the
		// contiguous prefix tells when stages run in order.
		if len(rs) > 0 && rs[0].Lo == 1 && rs[0].Hi > reached {
			reached = rs[0].Hi
			w.upTo = append(w.upTo, reached)
			w.doneAt = append(w.doneAt, time.Now())
		}
	}
}

// latency returns the distribution over batches of the time from commit
// to the last stage's commit over the whole batch.
func (w *doneWatch) latency(batches []batchTime) *Latency {
	var ms []float64
	for _, b := range batches {
		i := sort.Search(len(w.upTo), func(i int) bool { return w.upTo[i] >= b.hi })
		if i == len(w.upTo) {
			continue
		}
		ms = append(ms, float64(w.doneAt[i].Sub(b.at))/float64(time.Millisecond))
	}
	if len(ms) == 0 {
		return nil
	}
	sort.Float64s(ms)
	q := func(f float64) float64 { return ms[min(len(ms)-1, int(f*float64(len(ms))))] }
	return &Latency{Batches: len(ms), P50: q(0.5), P95: q(0.95), P99: q(0.99), Max: ms[len(ms)-1]}
}
