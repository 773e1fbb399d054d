package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/mosaic-intel/mosaic/internal/ingest/ingestbench"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
)

// benchCmd groups the benchmark commands; each area adds its own
// subcommand to Subs (e.g. "mosaic bench screen").
func benchCmd() *Command {
	return &Command{
		Name:  "bench",
		Short: "measure throughput (ingest, ...) on this machine",
		Usage: "mosaic bench COMMAND [FLAGS]",
		Long: `Benchmarks run the real code on generated data in a scratch directory and
print their figures with the baseline measured in the same run. See
docs/benchmarks/.`,
		Subs: []*Command{benchIngestCmd(), {
			Name:  "alerts",
			Short: "record in -> alert out latency while records flow (same as mosaic alerts bench)",
			Usage: "mosaic bench alerts [--people N | --world DIR] [--rate R] [--duration D] [--json]",
			Run:   alertBenchCmd,
		}},
	}
}

func benchIngestCmd() *Command {
	c := &Command{
		Name:  "ingest",
		Short: "records and documents per second into the embedded store, and through the pipeline",
		Usage: "mosaic bench ingest [--people N] [--pipeline] [--durable-log] [--doc-mb N] [--batch N] [--dir DIR] [--json] [--cpuprofile FILE]",
		Long: `Generates a world (or reads --world DIR), then measures in embedded mode:
  records    structured records parsed, mapped, stored, indexed and queued
  pipeline   (with --pipeline) every stage over the stored records
  baseline   raw SQLite inserts of the same rows with the store's settings
  documents  plain-text documents stored and indexed (MB/s)
  (with --durable-log) embedded JetStream, fsync on every write, carrying the
             same rows: a message per item, per item pipelined, per batch
and the process's peak memory per phase. Scratch data goes to --dir (a new
temporary directory by default, removed afterwards).`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		people := fs.Int("people", 20_000, "population of the generated world")
		seed := fs.Uint64("seed", 1, "world seed")
		world := fs.String("world", "", "ingest this `mosaic gen` output instead of generating one")
		dir := fs.String("dir", "", "scratch directory (default: a temporary one, removed afterwards)")
		withPipeline := fs.Bool("pipeline", false, "also run every pipeline stage over the stored records")
		docMB := fs.Int("doc-mb", 64, "megabytes of text documents to ingest (0 skips)")
		docKB := fs.Int("doc-kb", 16, "size of one text document in KiB")
		batch := fs.Int("batch", 0, "items per transaction (0: the ingester's default)")
		durable := fs.Bool("durable-log", false, "also measure embedded JetStream (fsync always) as the durable log on the same rows")
		jsonOut := fs.Bool("json", false, "print the report as JSON")
		cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to FILE")
		streamRate := fs.Int("stream-rate", 5000, "with --pipeline: records per second fed to a running pipeline (negative skips)")
		streamBatch := fs.Int("stream-batch", 250, "with --pipeline: records per commit of the fed stream")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return UsageErrorf("bench ingest takes no arguments, got %q", fs.Args())
		}
		scratch := *dir
		if scratch == "" {
			d, err := os.MkdirTemp("", "mosaic-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			scratch = d
		} else if err := os.MkdirAll(scratch, 0o750); err != nil {
			return err
		}
		var profileTo io.Writer
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				return err
			}
			defer f.Close()
			profileTo = f // the bench profiles the run itself (per-stage CPU)
		}
		docBytes := int64(*docMB) << 20
		if *docMB == 0 {
			docBytes = -1
		}
		rep, err := ingestbench.Run(ctx, ingestbench.Options{
			Dir: scratch, World: *world, People: *people, Seed: *seed,
			DocBytes: docBytes, DocSize: *docKB << 10, Pipeline: *withPipeline, BatchSize: *batch, DurableLog: *durable,
			StreamRate: *streamRate, StreamBatch: *streamBatch, CPUProfile: profileTo,
			Logf: func(format string, args ...any) { fmt.Fprintf(env.Stderr, "bench: "+format+"\n", args...) },
		})
		if err != nil {
			return err
		}
		if *jsonOut {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}
		printIngestReport(env, rep)
		return nil
	}
	return c
}

func printIngestReport(env *Env, r *ingestbench.Report) {
	w := env.Stdout
	world := fmt.Sprintf("a generated world of %d people", r.People)
	if r.World != "" {
		world = "the world in " + r.World
	}
	fmt.Fprintf(w, "mosaic bench ingest: %s, %d CPUs, %s\n\n", r.GoVersion, r.CPUs, world)
	fmt.Fprintf(w, "load average at start: %s; batch size %d\n\n", r.LoadAverage, r.BatchSize)
	fmt.Fprintf(w, "%-48s %8s %8s %7s %9s %7s %9s %10s\n", "phase", "items", "seconds", "cpu s", "items/s", "MB/s", "peak RSS", "alloc/item")
	row := func(p *ingestbench.Phase) {
		fmt.Fprintf(w, "%-48s %8d %8.2f %7.2f %9.0f %7.2f %8.0fM %10.0f\n", p.Name, p.Items, p.Seconds, p.CPU, p.PerSec, p.MBPerSec, float64(p.PeakRSS)/(1<<20), p.AllocPerItem)
	}
	row(&r.Records)
	if r.Pipeline != nil {
		row(r.Pipeline)
	}
	if r.Stream != nil {
		row(r.Stream)
	}
	row(&r.Baseline)
	if r.Documents != nil {
		row(r.Documents)
	}
	if r.DocumentsPipeline != nil {
		row(r.DocumentsPipeline)
	}
	for i := range r.DurableLog {
		row(&r.DurableLog[i])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "records vs raw SQLite inserts of the same rows: %.2fx the baseline's rate\n", r.Records.PerSec/r.Baseline.PerSec)
	if r.Pipeline != nil {
		fmt.Fprintf(w, "end to end (store + every stage): %.0f records/s; stage seconds:", r.EndToEndPerSec)
		for _, s := range pipeline.Order {
			fmt.Fprintf(w, " %s %.2f", s, r.Pipeline.Stages[s])
		}
		fmt.Fprintln(w)
	}
	for _, p := range []*ingestbench.Phase{r.Pipeline, r.Stream, r.DocumentsPipeline} {
		printStageCPU(env, p)
	}
	if l := r.StreamLatency; l != nil {
		fmt.Fprintf(w, "stream latency, commit to last stage's commit, over %d batches: p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms\n", l.Batches, l.P50, l.P95, l.P99, l.Max)
	}
	fmt.Fprintf(w, "statements: %d; store on disk: %.0f MB per million statements\n", r.Statements, r.StoreBytesPerMStatements/1e6)
	if r.Statements > 0 {
		fmt.Fprintf(w, "peak RSS while storing: %.0f MB per million statements stored in the phase\n", float64(r.Records.PeakRSS)/1e6/(float64(r.Statements)/1e6))
	}
}

// printStageCPU prints a pipeline phase's CPU by stage and step, per
// 1,000 items.
func printStageCPU(env *Env, p *ingestbench.Phase) {
	if p == nil || len(p.StageCPU) == 0 || p.Items == 0 {
		return
	}
	w := env.Stdout
	per := 1000 / float64(p.Items)
	fmt.Fprintf(w, "\n%s: CPU seconds per 1,000 items by stage (profile labels)\n", p.Name)
	fmt.Fprintf(w, "  %-8s %8s %8s %8s %8s %8s %8s\n", "stage", "load", "process", "commit", "after", "other", "total")
	type row struct{ load, process, commit, after, other float64 }
	var order []string
	rows := map[string]*row{}
	for _, c := range p.StageCPU {
		r := rows[c.Stage]
		if r == nil {
			r = &row{}
			rows[c.Stage] = r
			order = append(order, c.Stage)
		}
		v := c.Seconds * per
		switch c.Step {
		case "load":
			r.load += v
		case "process":
			r.process += v
		case "commit":
			r.commit += v
		case "after":
			r.after += v
		default:
			r.other += v
		}
	}
	for _, s := range order {
		r := rows[s]
		fmt.Fprintf(w, "  %-8s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f\n", s, r.load, r.process, r.commit, r.after, r.other, r.load+r.process+r.commit+r.after+r.other)
	}
	fmt.Fprintf(w, "  stages %.3f of the phase's %.3f CPU s per 1,000 items (the rest: stream, background GC, waiting, feeding)\n", p.StageCPUTotal*per, p.CPU*per)
}
