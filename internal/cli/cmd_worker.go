package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/postgres"
)

func workerCmd() *Command {
	c := &Command{
		Name:  "worker",
		Short: "run pipeline stages against a shared PostgreSQL store and NATS cluster",
		Usage: "mosaic worker --postgres URL --nats URL [--stages extract,resolve,link,screen] [--replicas 3]",
		Long: `Runs pipeline stages for a scaled-out deployment; start as many workers as
you like, on as many machines. Extract and link spread over every worker that
runs them. Resolve and screen run in one worker at a time, in item order: the
workers hold a lease in PostgreSQL, and another takes over (restoring the
stage's state from the store) when the holder stops or its lease expires.
See docs/scaling.md.

Items come from 'mosaic ingest' (or any process) storing into the same
database and publishing to the same stream; 'mosaic serve --postgres URL
--nats URL' serves the API. SIGINT or SIGTERM stop the worker between
batches and hand its leases over at once.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		pg := fs.String("postgres", "", "PostgreSQL URL of the shared store (postgres://user@host:port/db)")
		nats := fs.String("nats", "", "URL(s) of the NATS JetStream cluster, comma-separated")
		stagesFlag := fs.String("stages", strings.Join(daemon.AllStages, ","), "stages to run, comma-separated")
		replicas := fs.Int("replicas", 3, "stream replicas")
		ns := fs.String("namespace", "", "isolates deployments sharing one NATS cluster")
		id := fs.String("id", "", "worker name, unique among running workers (default host-pid-random)")
		data := fs.String("data", "", "directory with alert-rules.yaml and webhooks (default: built-in rules)")
		ttl := fs.Duration("lease-ttl", 15*time.Second, "how long an ordered stage waits for a silent holder")
		ackWait := fs.Duration("ack-wait", 30*time.Second, "how long a message may stay unacknowledged before redelivery")
		verbose := fs.Bool("v", false, "log what happens (structured, to stderr)")
		cpuprofile := fs.String("cpuprofile", "", "write a CPU profile (pprof) of the worker's run to this file")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return UsageErrorf("worker takes no arguments")
		}
		if *pg == "" || *nats == "" {
			return UsageErrorf("worker needs --postgres and --nats")
		}
		cfg := daemon.WorkerConfig{PostgresURL: *pg, NATSURL: *nats, Replicas: *replicas, Namespace: *ns,
			ID: *id, DataDir: *data, LeaseTTL: *ttl, AckWait: *ackWait}
		for _, s := range strings.Split(*stagesFlag, ",") {
			if s = strings.TrimSpace(s); s != "" {
				cfg.Stages = append(cfg.Stages, s)
			}
		}
		level := slog.LevelWarn
		if *verbose {
			level = slog.LevelInfo
		}
		cfg.Logger = slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
		w, err := daemon.OpenWorker(ctx, cfg)
		if err != nil {
			return err
		}
		defer w.Close()
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
		fmt.Fprintf(env.Stdout, "worker %s running %s; Ctrl-C stops\n", w.ID, strings.Join(cfg.Stages, ","))
		return w.Run(ctx)
	}
	return c
}

// postgresOpener returns a Config.OpenStore for a PostgreSQL URL.
func postgresOpener(url string) func(ctx context.Context) (store.Store, error) {
	return func(ctx context.Context) (store.Store, error) { return postgres.Open(ctx, url) }
}

// serveAPINode serves the HTTP API of an API node of a scaled-out
// deployment (no stages: workers run them) until ctx ends.
func serveAPINode(ctx context.Context, env *Env, cfg daemon.Config, pgURL, addr string, ready func(url string)) error {
	if cfg.NATSURL == "" {
		return UsageErrorf("serve --postgres needs --nats (the workers' stream)")
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cfg.Registry = reg
	cfg.OpenStore = postgresOpener(pgURL)
	n, err := daemon.OpenAPI(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	if err := n.StartAPI(ctx); err != nil {
		return err
	}
	return runHTTP(ctx, env, n, reg, addr, ready)
}
