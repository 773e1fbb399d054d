package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/httpapi"
	"github.com/mosaic-intel/mosaic/internal/ingest"
)

func serveCmd() *Command {
	c := &Command{
		Name:  "serve",
		Short: "run the pipeline and the HTTP API",
		Usage: "mosaic serve [--data DIR] [--addr HOST:PORT] [--nats URL] [--postgres URL]",
		Long: `Opens the data directory, runs the pipeline (work left unfinished by a crash
is recovered first) and serves the HTTP JSON API: see /openapi.json for the
routes, /metrics for Prometheus metrics, /healthz and /readyz for health.
Logs are structured (JSON) on stderr. SIGINT or SIGTERM shut it down
gracefully: requests in flight finish, the pipeline stops between batches.

While it runs, 'mosaic ingest --data DIR' from another shell stores items and
this server's pipeline processes them.

With --postgres URL --nats URL it is an API node of a scaled-out deployment:
it runs no stages ('mosaic worker' does) and keeps its link graph current from
the shared store and the stream (docs/scaling.md).`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		df := addDataFlags(fs)
		addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return UsageErrorf("serve takes no arguments")
		}
		cfg := df.config(env)
		cfg.Logger = slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
		if df.scaledOut() {
			return serveAPINode(ctx, env, cfg, *df.postgres, *addr, nil)
		}
		return serve(ctx, env, cfg, *addr, nil)
	}
	return c
}

// serve opens the node, runs its pipeline and the HTTP API until ctx ends.
// ready, if set, is called with the URL once the server listens.
func serve(ctx context.Context, env *Env, cfg daemon.Config, addr string, ready func(url string)) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cfg.Registry = reg
	n, err := daemon.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	if !n.Owner && cfg.NATSURL == "" {
		return fmt.Errorf("%s is in use by another mosaic process (is 'mosaic serve' already running?)", cfg.DataDir)
	}
	if err := n.Start(ctx); err != nil {
		return err
	}
	return runHTTP(ctx, env, n, reg, addr, ready)
}

// runHTTP serves the API of a started node until ctx ends.
func runHTTP(ctx context.Context, env *Env, n *daemon.Node, reg *prometheus.Registry, addr string, ready func(url string)) error {
	api := httpapi.New(httpapi.Config{Store: n.Store, Logger: n.Log, Registry: reg, Graph: n.Graph.Graph})
	ac := httpapi.AlertsConfig{}
	if n.Alerts != nil {
		ac.Notifier = n.Alerts.Notifier
	}
	api.HandleAlerts(ac)
	api.HandleJudgements(httpapi.JudgeConfig{Resolve: n.Resolve}) // nil on an API node: the resolve worker applies them
	api.HandleIngest(httpapi.IngestConfig{Hold: n.Pipeline.Hold, Ingester: func(o ingest.Options) *ingest.Ingester {
		o.Logger, o.IndexBehind = n.Log, true
		return ingest.New(n.Store, n.Pipeline, o)
	}})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(n.Log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	n.Log.Info("serving", "url", url)
	fmt.Fprintf(env.Stdout, "Mosaic API on %s (try %s/api/v1/stats or %s/openapi.json); Ctrl-C stops\n", url, url, url)
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	n.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
