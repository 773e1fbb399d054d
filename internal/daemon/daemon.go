// Package daemon wires Mosaic's components together: the store, the bus,
// the stages and the pipeline, and owns their start and stop order.
//
// # Embedded mode and the data directory
//
// In embedded mode everything lives in one data directory: the SQLite
// store (mosaic.db), its full-text index (mosaic-search.db, rebuilt from
// mosaic.db when missing) and the embedded NATS JetStream files (nats/). One
// process at a time owns the directory (an flock on mosaic.lock) and runs
// the embedded NATS server, listening on a loopback port that it writes to
// nats.url. Another process opening the same directory (say `mosaic ingest`
// while `mosaic serve` runs) becomes a client: it writes to the store and
// publishes work to the owner's NATS server, and the owner's pipeline does
// the work.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/bus"
	"github.com/mosaic-intel/mosaic/internal/extract"
	"github.com/mosaic-intel/mosaic/internal/linkgraph"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

// Config says what to open.
type Config struct {
	// DataDir holds the embedded store and stream (default ./mosaic-data).
	DataDir string
	// NATSURL, when set, uses an external NATS (JetStream) server or
	// cluster instead of the embedded one.
	NATSURL string
	// Replicas is the stream replication factor on an external cluster.
	Replicas int
	// Namespace isolates deployments sharing one NATS server.
	Namespace string
	// OpenStore, when set, opens the store instead of the embedded SQLite
	// file (the PostgreSQL backend plugs in here).
	OpenStore func(ctx context.Context) (store.Store, error)
	Logger    *slog.Logger
	Registry  prometheus.Registerer
}

// Node is an opened Mosaic: its store, bus, stages and pipeline.
type Node struct {
	Store    store.Store
	Bus      *bus.Bus
	Pipeline *pipeline.Pipeline
	Resolve  *stages.Resolve
	Screen   *stages.Screen
	Link     *stages.Link
	Rules    *stages.AlertRules
	Graph    *linkgraph.Manager
	Alerts   *alert.Service
	Log      *slog.Logger
	// Owner is true when this process owns the data directory and runs
	// the embedded stream; false when it is a client of another process.
	Owner bool

	cfg    Config
	lock   *os.File
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// DefaultDataDir is the data directory when none is given.
const DefaultDataDir = "mosaic-data"

// OpenStore opens only the store of a data directory (for read-only
// commands that need no pipeline).
func OpenStore(ctx context.Context, cfg Config) (store.Store, error) {
	if cfg.OpenStore != nil {
		return cfg.OpenStore(ctx)
	}
	dir := cfg.DataDir
	if dir == "" {
		dir = DefaultDataDir
	}
	path := filepath.Join(dir, "mosaic.db")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no Mosaic data in %s: run `mosaic ingest --data %s PATH...` or `mosaic demo` first", dir, dir)
	}
	return sqlite.Open(ctx, path)
}

// Open opens the store and the bus and builds the stages, restoring the
// resolution engine and the screening index from the store.
func Open(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	n := &Node{cfg: cfg, Log: cfg.Logger}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, err
	}
	ok, err := n.tryLock()
	if err != nil {
		return nil, err
	}
	n.Owner = ok
	fail := func(err error) (*Node, error) {
		n.Close()
		return nil, err
	}
	if cfg.OpenStore != nil {
		n.Store, err = cfg.OpenStore(ctx)
	} else {
		n.Store, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, "mosaic.db"))
	}
	if err != nil {
		return fail(fmt.Errorf("open store: %w", err))
	}
	if err := registerStore(cfg.Registry, n.Store); err != nil {
		return fail(err)
	}
	bopts := bus.Options{Logger: cfg.Logger, Replicas: cfg.Replicas, Namespace: cfg.Namespace}
	switch {
	case cfg.NATSURL != "":
		n.Bus, err = bus.Connect(ctx, cfg.NATSURL, bopts)
	case n.Owner:
		bopts.Listen = "127.0.0.1:-1"
		n.Bus, err = bus.Embedded(ctx, filepath.Join(cfg.DataDir, "nats"), bopts)
		if err == nil {
			err = os.WriteFile(filepath.Join(cfg.DataDir, "nats.url"), []byte(n.Bus.ClientURL()+"\n"), 0o640)
		}
	default:
		var url []byte
		url, err = os.ReadFile(filepath.Join(cfg.DataDir, "nats.url"))
		if err == nil {
			n.Bus, err = bus.Connect(ctx, strings.TrimSpace(string(url)), bopts)
		}
		if err != nil {
			err = fmt.Errorf("%s is in use by another mosaic process, and its stream is unreachable: %w", cfg.DataDir, err)
		}
	}
	if err != nil {
		return fail(err)
	}
	x, err := extract.New()
	if err != nil {
		return fail(fmt.Errorf("load extractor: %w", err))
	}
	n.Resolve = stages.NewResolve(resolve.New(resolve.Config{}))
	n.Resolve.ModelFile = filepath.Join(cfg.DataDir, "resolve-model.json")
	n.Alerts, err = alert.NewService(alert.ServiceConfig{DataDir: cfg.DataDir, Store: n.Store,
		Resolver: alert.EngineResolver{Engine: n.Resolve.Engine()}, Logger: cfg.Logger})
	if err != nil {
		return fail(fmt.Errorf("load alert rules: %w", err))
	}
	n.Screen = stages.NewScreen(screen.NewIndex())
	n.Screen.OnAlerts = func([]*mosaic.Alert) { n.Alerts.Notifier.Notify() }
	n.Rules = stages.NewAlertRules(n.Alerts.Engine, screen.NewIndex())
	n.Rules.OnAlerts = n.Alerts.Raised
	n.Link = &stages.Link{}
	n.Graph = linkgraph.NewManager(n.Store, cfg.Logger)
	n.Link.OnLinked = func(items []*store.Item) { n.Graph.Linked(context.Background(), n.Store, items) }
	n.Resolve.OnMoved = n.Graph.Moved
	n.Pipeline, err = pipeline.New(pipeline.Config{
		Store:    n.Store,
		Bus:      n.Bus,
		Stages:   []pipeline.Stage{stages.NewExtract(x), n.Screen, n.Resolve, n.Link, n.Rules},
		Logger:   cfg.Logger,
		Registry: cfg.Registry,
		// One process runs every stage; on SQLite (one writer) the
		// early stages commit first (see pipeline.Config).
		FirstLooksAhead: cfg.NATSURL == "",
		CommitFirst:     cfg.OpenStore == nil,
		// A batch with nothing to store goes on without a commit of
		// its own (see pipeline.Config.LazyDone).
		LazyDone: cfg.NATSURL == "",
		// Extraction and screening go before the later stages of this
		// process, so that the watch-list alerts do not wait for
		// resolution's CPU and commits (see pipeline.Config.Urgent).
		Urgent: urgentStages(cfg),
	})
	if err != nil {
		return fail(err)
	}
	return n, nil
}

// urgentStages is how many leading stages go first in this process: the
// stages through screening when one process runs them all (the embedded
// bus), none when workers share the stages.
func urgentStages(cfg Config) int {
	if cfg.NATSURL != "" {
		return 0
	}
	return slices.Index(pipeline.Order, pipeline.Screen) + 1
}

// tryLock takes the data directory's lock, reporting false if another
// process holds it.
func (n *Node) tryLock() (bool, error) {
	f, err := os.OpenFile(filepath.Join(n.cfg.DataDir, "mosaic.lock"), os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return false, nil
		}
		return false, err
	}
	n.lock = f
	return true, nil
}

// Start restores the in-memory state of the stages from the store and
// runs the pipeline in the background until Stop. Only the owner of the
// data directory (or a node on an external stream) runs stages.
func (n *Node) Start(ctx context.Context) error {
	if !n.Owner && n.cfg.NATSURL == "" {
		return nil // the owning process runs the pipeline
	}
	start := time.Now()
	// The resolution engine replays what the stage resolved, in the
	// same order and with the same refits and judgements, so that it
	// continues exactly as the process before it would have.
	if err := n.Resolve.Replay(ctx, n.Store); err != nil {
		return fmt.Errorf("restore resolution: %w", err)
	}
	resolved := time.Since(start)
	if _, err := n.Resolve.ApplyJudgements(ctx, n.Store); err != nil {
		return fmt.Errorf("apply judgements: %w", err)
	}
	if err := n.Screen.Restore(ctx, n.Store); err != nil {
		return fmt.Errorf("restore screening index: %w", err)
	}
	if err := n.Rules.Restore(ctx, n.Store); err != nil {
		return fmt.Errorf("restore the alert rules' watch-list index: %w", err)
	}
	if err := n.Alerts.Start(ctx); err != nil {
		return fmt.Errorf("start alerts: %w", err)
	}
	entries, _ := n.Screen.Index().Len()
	n.Log.Info("pipeline state restored", "resolved_records", n.Resolve.Engine().Len(), "resolution_took", resolved.Round(time.Millisecond),
		"watchlist_entries", entries, "took", time.Since(start).Round(time.Millisecond))
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n.mu.Lock()
	n.cancel, n.done = cancel, make(chan struct{})
	n.mu.Unlock()
	go func() {
		defer close(n.done)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.Graph.Run(ctx)
		}()
		wg.Add(1)
		go func() { // judgements stored by other processes (the CLI)
			defer wg.Done()
			n.Resolve.RunJudgements(ctx, n.Store, time.Second, func(err error) { n.Log.Warn("applying judgements", "err", err) })
		}()
		if err := n.Pipeline.Run(ctx); err != nil && ctx.Err() == nil {
			n.Log.Error("pipeline stopped", "err", err)
		}
		wg.Wait()
	}()
	return nil
}

// Stop stops the pipeline and waits for its goroutines.
func (n *Node) Stop() {
	n.mu.Lock()
	cancel, done := n.cancel, n.done
	n.cancel = nil
	n.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	if n.Alerts != nil {
		n.Alerts.Stop()
	}
}

// Close stops the pipeline and closes the bus and the store.
func (n *Node) Close() error {
	n.Stop()
	var errs []error
	if n.Bus != nil {
		errs = append(errs, n.Bus.Close())
	}
	if n.Store != nil {
		errs = append(errs, n.Store.Close())
	}
	if n.lock != nil {
		if n.Owner {
			os.Remove(filepath.Join(n.cfg.DataDir, "nats.url"))
		}
		errs = append(errs, n.lock.Close())
	}
	return errors.Join(errs...)
}

// registerStore registers the store's own metrics (who holds its writer,
// checkpoints), if it has any.
func registerStore(reg prometheus.Registerer, st store.Store) error {
	c, ok := st.(interface{ Collectors() []prometheus.Collector })
	if !ok || reg == nil {
		return nil
	}
	for _, m := range c.Collectors() {
		if err := reg.Register(m); err != nil {
			var dup prometheus.AlreadyRegisteredError
			if !errors.As(err, &dup) {
				return fmt.Errorf("store metrics: %w", err)
			}
		}
	}
	return nil
}
