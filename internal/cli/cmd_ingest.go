package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/mapping"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// dataFlags registers the flags every command that opens a data directory
// takes.
type dataFlags struct {
	dir       *string
	nats      *string
	postgres  *string
	namespace *string
	replicas  *int
	verbose   *bool
}

func addDataFlags(fs *flag.FlagSet) *dataFlags {
	return &dataFlags{
		dir:       fs.String("data", daemon.DefaultDataDir, "data directory (embedded store and stream)"),
		nats:      fs.String("nats", "", "URL of an external NATS JetStream server or cluster (default: embedded)"),
		postgres:  fs.String("postgres", "", "PostgreSQL URL of a scaled-out deployment's store (with --nats; see docs/scaling.md)"),
		namespace: fs.String("namespace", "", "isolates deployments sharing one NATS cluster (as given to the workers)"),
		replicas:  fs.Int("replicas", 1, "stream replicas on an external NATS cluster"),
		verbose:   fs.Bool("v", false, "log what happens (structured, to stderr)"),
	}
}

func (d *dataFlags) config(env *Env) daemon.Config {
	cfg := daemon.Config{DataDir: *d.dir, NATSURL: *d.nats, Replicas: *d.replicas, Namespace: *d.namespace}
	if *d.postgres != "" {
		cfg.OpenStore = postgresOpener(*d.postgres)
	}
	if *d.verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return cfg
}

// scaledOut reports whether the flags name a scaled-out deployment.
func (d *dataFlags) scaledOut() bool { return *d.postgres != "" }

// openWriter opens the node a writing command (ingest, watchlist import,
// status --rerun) works through. Embedded, it opens the data directory
// and runs the pipeline when this process owns it. Scaled out, it is a
// client: it stores and submits, and the workers run the stages (a second
// engine outside their lease would resolve unfenced).
func (d *dataFlags) openWriter(ctx context.Context, env *Env) (*daemon.Node, error) {
	cfg := d.config(env)
	if d.scaledOut() {
		if cfg.NATSURL == "" {
			return nil, UsageErrorf("--postgres needs --nats (the workers' stream)")
		}
		return daemon.OpenClient(ctx, cfg)
	}
	n, err := daemon.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := n.Start(ctx); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// isTerminal reports whether w is a terminal (progress bars go there only).
func isTerminal(w io.Writer) (*os.File, bool) {
	f, ok := w.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}

func ingestCmd() *Command {
	c := &Command{
		Name:  "ingest",
		Short: "read files, directories and archives into the store and run the pipeline over them",
		Usage: "mosaic ingest [--data DIR] [--mapping FILE] [--marking LABELS] PATH...",
		Long: `Reads each PATH (a file, a directory, or a ZIP/tar archive) and stores its
documents (text, Markdown, HTML, e-mail, PDF) and records (CSV, TSV, JSON Lines
mapped by a YAML mapping), then runs extraction, resolution, linking and
screening over them and waits until they are done. Files written by
'mosaic gen' are mapped by built-in mappings; other tabular files need
--mapping (see docs/ingest.md).

Ingesting the same input again stores nothing new. Bad input is rejected with
the file, line and reason while the rest goes in; the exit code is then 1.
If another mosaic process (mosaic serve) owns the data directory, ingest
stores the items and leaves the work to that process's pipeline.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		df := addDataFlags(fs)
		mapFile := fs.String("mapping", "", "YAML mapping for tabular files (tried before the built-in mappings)")
		marking := fs.String("marking", "", "compartment labels added to every item (comma-separated)")
		source := fs.String("source", "documents", "source of documents no mapping claims")
		jsonOut := fs.Bool("json", false, "print each committed item and the summary as JSON lines")
		noWait := fs.Bool("no-wait", false, "store and queue the items, but do not wait for the pipeline")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			return UsageErrorf("ingest needs at least one PATH")
		}
		var m *mapping.Mapping
		if *mapFile != "" {
			var err error
			if m, err = mapping.Load(*mapFile); err != nil {
				return err
			}
		}
		n, err := df.openWriter(ctx, env)
		if err != nil {
			return err
		}
		defer n.Close()
		enc := json.NewEncoder(env.Stdout)
		opts := ingest.Options{Mapping: m, Marking: mosaic.ParseMarking(*marking), Source: *source, Logger: n.Log}
		stored := 0
		var bar *progressbar.ProgressBar
		f, tty := isTerminal(env.Stderr)
		if tty {
			bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("storing"),
				progressbar.OptionShowCount(), progressbar.OptionShowIts(),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		opts.Committed = func(items []*store.Item) {
			stored += len(items)
			if bar != nil {
				_ = bar.Add(len(items))
			}
			if *jsonOut {
				for _, it := range items {
					enc.Encode(map[string]any{"stored": it.ID, "seq": it.Seq, "new": !it.Stored.IsZero()})
				}
			}
		}
		start := time.Now()
		in := ingest.New(n.Store, n.Pipeline, opts)
		sum, err := in.Ingest(ctx, fs.Args())
		if bar != nil {
			_ = bar.Finish()
		}
		if err != nil {
			return err
		}
		storeTime := time.Since(start)
		if !*noWait {
			if err := waitPipeline(ctx, env, n, sum.LastSeq); err != nil {
				return err
			}
		}
		total := time.Since(start)
		if *jsonOut {
			enc.Encode(map[string]any{"summary": sum, "store_seconds": storeTime.Seconds(), "total_seconds": total.Seconds()})
		} else {
			fmt.Fprintf(env.Stdout, "read %d files: %d records and %d documents; %d new, %d already stored; %d rejected (%.1fs to store, %.1fs in all)\n",
				sum.Files, sum.Records, sum.Documents, sum.Added, sum.Duplicates, len(sum.Rejected), storeTime.Seconds(), total.Seconds())
			if fails, err := n.Store.Failures(ctx, "", 20); err == nil && len(fails) > 0 {
				fmt.Fprintf(env.Stdout, "%d item(s) failed in a stage; see 'mosaic status --failed'\n", len(fails))
			}
		}
		if len(sum.Rejected) > 0 {
			return &PartialError{Rejected: sum.Rejected}
		}
		return nil
	}
	return c
}

// waitPipeline waits until every stage has finished every item up to
// last, with a progress bar on a terminal that follows the slowest stage.
func waitPipeline(ctx context.Context, env *Env, n *daemon.Node, last int64) error {
	if last == 0 {
		return nil
	}
	f, tty := isTerminal(env.Stderr)
	if !tty {
		return n.Pipeline.Wait(ctx, last, nil)
	}
	var bar *progressbar.ProgressBar
	var total int64
	{
		var err error
		if total, err = n.Store.CountInRange(ctx, store.Range{Lo: 1, Hi: last}); err != nil {
			return err
		}
		bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("pipeline"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
		defer bar.Finish()
	}
	left := map[string]int64{}
	stages := n.Pipeline.StageNames()
	report := func(stage string, l int64) {
		if bar == nil {
			return
		}
		left[stage] = l
		if stage != stages[len(stages)-1] {
			return
		}
		slow, most := stages[0], left[stages[0]]
		for _, s := range stages {
			if left[s] > most {
				slow, most = s, left[s]
			}
		}
		bar.Describe(fmt.Sprintf("pipeline (%s)", slow))
		_ = bar.Set64(total - most)
	}
	return n.Pipeline.Wait(ctx, last, report)
}
