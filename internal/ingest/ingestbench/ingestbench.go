// Package ingestbench measures Mosaic's ingest path in embedded mode: a
// generated world's structured records parsed, mapped, stored, indexed and
// queued; text documents stored and indexed; the pipeline's stages over
// what was stored; and, in the same run, a raw SQLite insert of the same
// rows as the baseline the figures are compared with.
//
// It backs `mosaic bench ingest` (see docs/benchmarks/ingest.md). Figures
// depend on the machine and on what else runs on it, which is why every
// report carries its baseline measured in the same session.
package ingestbench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

// Options configure Run.
type Options struct {
	// Dir is the working directory (the world, the data directories);
	// it must exist. Run removes nothing it did not create.
	Dir string
	// World, when set, is an existing `mosaic gen` output to ingest
	// instead of generating one.
	World string
	// People and Seed size the generated world (default 20,000 people).
	People int
	Seed   uint64
	// DocBytes is the total size of the text-document corpus (default
	// 64 MiB; negative skips the documents phase) and DocSize the size of
	// one document (default 16 KiB).
	DocBytes int64
	DocSize  int
	// Pipeline also runs every stage over the stored records (a backlog),
	// then feeds the same records at StreamRate items per second to a
	// fresh node whose stages run (default 5,000; negative skips it).
	Pipeline   bool
	StreamRate int
	// StreamBatch is the items per commit of the stream (default 250).
	StreamBatch int
	// CPUProfile, if set, receives a CPU profile of the whole run. With
	// Pipeline the run is profiled anyway, to tell each stage's CPU time.
	CPUProfile io.Writer
	// BatchSize is the ingest batch size (0: the ingester's default).
	BatchSize int
	// DurableLog also measures embedded JetStream as the durable log on
	// the same rows (PerItem of them published one message at a time;
	// default 5,000).
	DurableLog bool
	PerItem    int
	// Logf reports progress (may be nil).
	Logf func(format string, args ...any)
}

// Report holds the measured figures.
type Report struct {
	GoVersion string `json:"go_version"`
	CPUs      int    `json:"cpus"`
	People    int    `json:"people,omitempty"` // of the generated world
	World     string `json:"world,omitempty"`  // the world read (Options.World)
	BatchSize int    `json:"batch_size"`

	Records   Phase  `json:"records"`
	Baseline  Phase  `json:"baseline_sqlite"`
	Documents *Phase `json:"documents,omitempty"`
	// DurableLog holds the JetStream measurements (see Options).
	DurableLog []Phase `json:"durable_log,omitempty"`
	// LoadAverage is the machine's 1-minute load average at the start
	// (other work on a shared machine slows every figure).
	LoadAverage string `json:"load_average"`
	Pipeline    *Phase `json:"pipeline,omitempty"`
	// Stream is the pipeline fed at a steady rate (see Options), and
	// StreamLatency the time from a batch's commit to the last stage's
	// commit over it.
	Stream        *Phase   `json:"stream,omitempty"`
	StreamLatency *Latency `json:"stream_latency,omitempty"`
	// DocumentsPipeline is every stage over the documents phase's
	// documents (with Pipeline): extraction, reported apart from records.
	DocumentsPipeline *Phase `json:"documents_pipeline,omitempty"`
	// EndToEnd is records ingested and carried through every stage, per
	// second of both phases together.
	EndToEndPerSec float64 `json:"end_to_end_records_per_sec,omitempty"`

	Statements int64 `json:"statements"`
	// StoreBytesPerMStatements is the size of the store's database files
	// (items and full-text index) per million statements after the
	// records phase (without the WAL).
	StoreBytesPerMStatements float64 `json:"store_bytes_per_million_statements"`
}

// Phase is one timed phase.
type Phase struct {
	Name     string  `json:"name"`
	Items    int64   `json:"items"`
	Bytes    int64   `json:"bytes"` // input bytes
	Seconds  float64 `json:"seconds"`
	CPU      float64 `json:"cpu_seconds"` // user+system CPU of the process
	PerSec   float64 `json:"items_per_sec"`
	MBPerSec float64 `json:"mb_per_sec"`
	// PeakRSS is the process's peak resident memory during the phase
	// (bytes; 0 where the OS cannot tell).
	PeakRSS int64 `json:"peak_rss_bytes"`
	// AllocPerItem is bytes allocated on the Go heap per item.
	AllocPerItem float64 `json:"alloc_bytes_per_item"`
	// Stages holds seconds spent per pipeline stage (pipeline phase).
	Stages map[string]float64 `json:"stage_seconds,omitempty"`
	label  string             // the pprof label of the phase's goroutines
	// StageCPU is the CPU time of each stage's steps by profile, and
	// StageCPUTotal their sum (the rest of CPU is the stream, garbage
	// collection in the background, waiting and the phase's driver).
	StageCPU      []StageCPU `json:"stage_cpu,omitempty"`
	StageCPUTotal float64    `json:"stage_cpu_seconds,omitempty"`
}

func (o *Options) defaults() {
	if o.People <= 0 {
		o.People = 20_000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.DocBytes == 0 {
		o.DocBytes = 64 << 20
	}
	if o.DocSize <= 0 {
		o.DocSize = 16 << 10
	}
	if o.PerItem <= 0 {
		o.PerItem = 5000
	}
	if o.StreamRate == 0 {
		o.StreamRate = 5000
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
}

// Run runs the benchmark phases in order: generate (untimed), records,
// pipeline (optional), baseline, documents.
func Run(ctx context.Context, opts Options) (rep *Report, err error) {
	opts.defaults()
	var prof profiler
	if opts.Pipeline || opts.CPUProfile != nil {
		if err := prof.start(); err != nil {
			return nil, err
		}
		defer func() {
			if perr := prof.stop(); perr != nil && err == nil {
				err = perr
			}
			if err != nil {
				return
			}
			if opts.CPUProfile != nil {
				if _, werr := opts.CPUProfile.Write(prof.buf.Bytes()); werr != nil {
					err = fmt.Errorf("write CPU profile: %w", werr)
					return
				}
			}
			for _, p := range []*Phase{rep.Pipeline, rep.Stream, rep.DocumentsPipeline} {
				if p != nil {
					p.StageCPU, p.StageCPUTotal = prof.stageCPU(p.label)
				}
			}
		}()
	}
	rep = &Report{GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), People: opts.People, BatchSize: opts.BatchSize, LoadAverage: loadAverage()}
	if rep.BatchSize == 0 {
		rep.BatchSize = ingest.DefaultBatchSize
	}
	world := opts.World
	if world != "" {
		rep.People, rep.World = 0, world
	} else {
		world = filepath.Join(opts.Dir, "world")
		opts.Logf("generating a world of %d people in %s", opts.People, world)
		if _, err := gen.Generate(ctx, gen.Options{Out: world, People: opts.People, Seed: opts.Seed}); err != nil {
			return nil, fmt.Errorf("generate world: %w", err)
		}
	}
	inputs, inBytes, err := recordInputs(world)
	if err != nil {
		return nil, err
	}

	// Records: parse, map, store, index and queue.
	dataDir := filepath.Join(opts.Dir, "data-records")
	reg := prometheus.NewRegistry()
	n, err := daemon.Open(ctx, daemon.Config{DataDir: dataDir, Registry: reg})
	if err != nil {
		return nil, err
	}
	defer n.Close()
	opts.Logf("ingesting %d bytes of records", inBytes)
	var sum *ingest.Summary
	rep.Records, err = measure("records: parse, map, store, index, queue", func() (int64, error) {
		var err error
		sum, err = ingestAll(ctx, n, inputs, opts.BatchSize)
		return int64(sum.Records), err
	})
	if err != nil {
		return nil, err
	}
	rep.Records.setBytes(inBytes)
	st, err := n.Store.Stats(ctx)
	if err != nil {
		return nil, err
	}
	rep.Statements = st.Statements
	db := filepath.Join(dataDir, "mosaic.db")
	if size := fileSize(db) + fileSize(sqlite.IndexPath(db)); st.Statements > 0 {
		rep.StoreBytesPerMStatements = float64(size) / float64(st.Statements) * 1e6
	}

	if opts.Pipeline {
		opts.Logf("running the pipeline over %d items", sum.LastSeq)
		p, err := runPipeline(ctx, n, "pipeline: extract, resolve, link, screen", "pipeline", sum.LastSeq, sum.LastSeq)
		if err != nil {
			return nil, err
		}
		p.Stages = stageSeconds(reg)
		rep.Pipeline = &p
		rep.EndToEndPerSec = float64(sum.Records) / (rep.Records.Seconds + p.Seconds)
		if opts.StreamRate > 0 {
			opts.Logf("feeding the records at %d/s to a running pipeline", opts.StreamRate)
			s, lat, err := runStream(ctx, n.Store, sum.LastSeq, streamOptions{dir: opts.Dir, rate: opts.StreamRate, batch: opts.StreamBatch})
			if err != nil {
				return nil, fmt.Errorf("stream: %w", err)
			}
			rep.Stream, rep.StreamLatency = &s, lat
		}
	}

	opts.Logf("baseline: raw SQLite inserts of the same rows")
	sqlDB, ok := n.Store.(interface{ DB() *sql.DB })
	if !ok {
		return nil, fmt.Errorf("baseline: the store is not SQL-backed")
	}
	rep.Baseline, err = baseline(ctx, sqlDB.DB(), filepath.Join(opts.Dir, "baseline.db"), opts.BatchSize)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	if opts.DurableLog {
		opts.Logf("durable log: embedded JetStream (fsync on every write) on the same rows")
		if rep.DurableLog, err = durableLog(ctx, opts.Dir, sqlDB.DB(), opts.PerItem, rep.BatchSize); err != nil {
			return nil, fmt.Errorf("durable log: %w", err)
		}
	}
	if err := n.Close(); err != nil {
		return nil, err
	}

	if opts.DocBytes > 0 {
		docDir := filepath.Join(opts.Dir, "documents")
		opts.Logf("writing %d bytes of text documents", opts.DocBytes)
		docBytes, err := writeDocuments(world, docDir, opts.DocBytes, opts.DocSize)
		if err != nil {
			return nil, err
		}
		dn, err := daemon.Open(ctx, daemon.Config{DataDir: filepath.Join(opts.Dir, "data-documents")})
		if err != nil {
			return nil, err
		}
		defer dn.Close()
		opts.Logf("ingesting the documents")
		var dsum *ingest.Summary
		d, err := measure("documents: store, index, queue", func() (int64, error) {
			var err error
			dsum, err = ingestAll(ctx, dn, []string{docDir}, opts.BatchSize)
			return int64(dsum.Documents), err
		})
		if err != nil {
			return nil, err
		}
		d.setBytes(docBytes)
		rep.Documents = &d
		if opts.Pipeline {
			opts.Logf("running the pipeline over the documents")
			dp, err := runPipeline(ctx, dn, "documents: extract, resolve, link, screen", "documents", dsum.LastSeq, int64(dsum.Documents))
			if err != nil {
				return nil, err
			}
			dp.setBytes(docBytes)
			rep.DocumentsPipeline = &dp
		}
	}
	return rep, nil
}

// ingestAll ingests paths into n's store, queueing for n's pipeline
// (which is not running), and fails on any rejection.
func ingestAll(ctx context.Context, n *daemon.Node, paths []string, batchSize int) (*ingest.Summary, error) {
	sum, err := ingest.New(n.Store, n.Pipeline, ingest.Options{BatchSize: batchSize}).Ingest(ctx, paths)
	if err == nil && len(sum.Rejected) > 0 {
		err = fmt.Errorf("%d inputs rejected, first: %s", len(sum.Rejected), sum.Rejected[0])
	}
	return sum, err
}

func (p *Phase) setBytes(b int64) {
	p.Bytes = b
	if p.Seconds > 0 {
		p.MBPerSec = float64(b) / 1e6 / p.Seconds
	}
}

// measure times fn, which returns the number of items it handled.
func measure(name string, fn func() (int64, error)) (Phase, error) {
	runtime.GC()
	resetPeakRSS()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	start := time.Now()
	items, err := fn()
	p := Phase{Name: name, Items: items, Seconds: time.Since(start).Seconds(), CPU: (cpuTime() - cpu0).Seconds(), PeakRSS: peakRSS()}
	if err != nil {
		return p, fmt.Errorf("%s: %w", name, err)
	}
	runtime.ReadMemStats(&ms1)
	if items > 0 {
		p.AllocPerItem = float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(items)
	}
	if p.Seconds > 0 {
		p.PerSec = float64(items) / p.Seconds
	}
	return p, nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the kernel's high-water mark of resident memory
// (Linux; elsewhere peakRSS then reports the process's lifetime peak).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns VmHWM from /proc/self/status in bytes (0 if unknown).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// loadAverage returns the 1-minute load average ("" if unknown).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return strings.Fields(string(b))[0]
}

// recordInputs lists the world's record and watchlist files and their
// total size.
func recordInputs(world string) ([]string, int64, error) {
	var paths []string
	var total int64
	for _, sub := range []string{"records", "watchlist"} {
		ents, err := os.ReadDir(filepath.Join(world, sub))
		if err != nil {
			return nil, 0, fmt.Errorf("read world: %w", err)
		}
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			fi, err := e.Info()
			if err != nil {
				return nil, 0, err
			}
			paths = append(paths, filepath.Join(world, sub, e.Name()))
			total += fi.Size()
		}
	}
	sort.Strings(paths)
	return paths, total, nil
}

// fileSize returns the size of a file (0 if it cannot be read). The store
// is measured without its write-ahead log, which SQLite keeps at up to the
// checkpoint interval and folds into the database on close.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// stageSeconds sums the pipeline's per-stage batch time histogram.
func stageSeconds(g prometheus.Gatherer) map[string]float64 {
	mfs, err := g.Gather()
	if err != nil {
		return nil
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "mosaic_stage_batch_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			out[label(m, "stage")] += m.GetHistogram().GetSampleSum()
		}
	}
	return out
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// baseline copies the stored records' rows, column for column as the
// store wrote them, into a fresh SQLite database with the store's
// settings (WAL, synchronous=FULL) and the same unique index on id,
// batchSize rows per transaction through one prepared statement: the cost
// of the bytes alone, without parsing, mapping, encoding, full-text
// indexing or queueing.
func baseline(ctx context.Context, src *sql.DB, path string, batchSize int) (Phase, error) {
	if batchSize <= 0 {
		batchSize = ingest.DefaultBatchSize
	}
	type row struct {
		id, source, kind, marking, locator, body string
		observed, stored                         int64
		facts                                    sql.NullString
	}
	var rows []row
	var bytes int64
	res, err := src.QueryContext(ctx, `SELECT id, source, kind, marking, observed, stored, locator, body, facts FROM items ORDER BY seq`)
	if err != nil {
		return Phase{}, err
	}
	for res.Next() {
		var r row
		if err := res.Scan(&r.id, &r.source, &r.kind, &r.marking, &r.observed, &r.stored, &r.locator, &r.body, &r.facts); err != nil {
			res.Close()
			return Phase{}, err
		}
		bytes += int64(len(r.id) + len(r.source) + len(r.kind) + len(r.marking) + 16 + len(r.locator) + len(r.body) + len(r.facts.String))
		rows = append(rows, r)
	}
	res.Close()
	if err := res.Err(); err != nil {
		return Phase{}, err
	}
	v := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)"} {
		v.Add("_pragma", p)
	}
	v.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+v.Encode())
	if err != nil {
		return Phase{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE items(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, kind TEXT NOT NULL,
		marking TEXT NOT NULL, observed BIGINT NOT NULL, stored BIGINT NOT NULL, locator TEXT NOT NULL, body TEXT NOT NULL, facts TEXT)`); err != nil {
		return Phase{}, err
	}
	p, err := measure("baseline: raw SQLite inserts, same rows", func() (int64, error) {
		for i := 0; i < len(rows); i += batchSize {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return 0, err
			}
			st, err := tx.PrepareContext(ctx, `INSERT INTO items(id, source, kind, marking, observed, stored, locator, body, facts) VALUES(?,?,?,?,?,?,?,?,?)`)
			if err != nil {
				tx.Rollback()
				return 0, err
			}
			for _, r := range rows[i:min(len(rows), i+batchSize)] {
				if _, err := st.ExecContext(ctx, r.id, r.source, r.kind, r.marking, r.observed, r.stored, r.locator, r.body, r.facts); err != nil {
					tx.Rollback()
					return 0, err
				}
			}
			st.Close()
			if err := tx.Commit(); err != nil {
				return 0, err
			}
		}
		return int64(len(rows)), nil
	})
	p.setBytes(bytes)
	return p, err
}
