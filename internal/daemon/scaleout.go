package daemon

// Scale-out: stateless workers and API nodes over a shared PostgreSQL
// store and an external NATS JetStream cluster. See docs/scaling.md and
// package worker for the design.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

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
	"github.com/mosaic-intel/mosaic/internal/store/postgres"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
	"github.com/mosaic-intel/mosaic/internal/worker"
)

// AllStages are the pipeline's stages in order.
var AllStages = slices.Clone(pipeline.Order)

// orderedStages run in one worker at a time, in item order (package
// worker, Ordered); the others run in every worker that names them.
var orderedStages = map[string]bool{pipeline.Screen: true, pipeline.Resolve: true, pipeline.Rules: true}

// WorkerConfig configures a worker of a scaled-out deployment.
type WorkerConfig struct {
	// PostgresURL is the shared store (postgres://...).
	PostgresURL string
	// NATSURL is the NATS JetStream cluster (comma-separated URLs).
	NATSURL string
	// Replicas is the stream replication factor (3 on a cluster).
	Replicas int
	// Namespace isolates deployments sharing one NATS cluster.
	Namespace string
	// Stages to run (default all). Extract and link run in every worker
	// that names them; screen, resolve and rules in one such worker at a
	// time.
	Stages []string
	// ID names the worker (default host-pid-random); it must be unique
	// among running workers.
	ID string
	// DataDir holds the alert rules and webhook configuration (see
	// docs/alerts.md); it may be empty (built-in rules).
	DataDir string
	// LeaseTTL is how long an ordered stage stays with a worker that
	// stopped renewing its lease (default 15s).
	LeaseTTL time.Duration
	// AckWait is how long a stream message may stay unacknowledged before
	// it is redelivered to another worker (default 30s).
	AckWait time.Duration
	// Poll is how often ordered stages look for work without a wake-up
	// (default 250ms) and how often lost work is looked for (40 times
	// that).
	Poll     time.Duration
	MaxBatch int
	Logger   *slog.Logger
}

// Worker runs some of the pipeline's stages against the shared store and
// stream.
type Worker struct {
	Store  *sqlstore.Store
	Bus    *bus.Bus
	Events *worker.Events
	ID     string
	cfg    WorkerConfig
	log    *slog.Logger
	ex     *extract.Extractor
	// alerts wakes the webhook deliverers of this worker's rules term
	// (nil while it holds none) when its screen stage commits alerts.
	alerts atomic.Pointer[alert.Notifier]
}

// DefaultWorkerID returns host-pid-random.
func DefaultWorkerID() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s-%d-%04x", h, os.Getpid(), time.Now().UnixNano()&0xffff)
}

// OpenWorker connects a worker to the store and the stream.
func OpenWorker(ctx context.Context, cfg WorkerConfig) (*Worker, error) {
	if cfg.PostgresURL == "" || cfg.NATSURL == "" {
		return nil, errors.New("a worker needs --postgres and --nats")
	}
	if len(cfg.Stages) == 0 {
		cfg.Stages = AllStages
	}
	for _, s := range cfg.Stages {
		if !slices.Contains(AllStages, s) {
			return nil, fmt.Errorf("unknown stage %q (stages: %v)", s, AllStages)
		}
	}
	if cfg.ID == "" {
		cfg.ID = DefaultWorkerID()
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 15 * time.Second
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = 30 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 250 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Worker{ID: cfg.ID, cfg: cfg, log: cfg.Logger.With("worker", cfg.ID)}
	pgURL, err := worker.AppURL(cfg.PostgresURL, worker.HolderName(cfg.ID))
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Worker, error) {
		w.Close()
		return nil, err
	}
	if w.Store, err = postgres.Open(ctx, pgURL); err != nil {
		return fail(err)
	}
	if err := worker.Install(ctx, w.Store.DB()); err != nil {
		return fail(err)
	}
	w.Bus, err = bus.Connect(ctx, cfg.NATSURL, bus.Options{Logger: w.log, Replicas: cfg.Replicas, Namespace: cfg.Namespace, AckWait: cfg.AckWait})
	if err != nil {
		return fail(err)
	}
	if w.Events, err = worker.ConnectEvents(cfg.NATSURL, cfg.Namespace, cfg.Replicas, w.log); err != nil {
		return fail(err)
	}
	if slices.Contains(cfg.Stages, pipeline.Extract) {
		if w.ex, err = extract.New(); err != nil {
			return fail(fmt.Errorf("load extractor: %w", err))
		}
	}
	return w, nil
}

// Close closes the worker's connections.
func (w *Worker) Close() error {
	var errs []error
	w.Events.Close()
	if w.Bus != nil {
		errs = append(errs, w.Bus.Close())
	}
	if w.Store != nil {
		errs = append(errs, w.Store.Close())
	}
	return errors.Join(errs...)
}

// Run runs the worker's stages until ctx ends: the stateless ones on the
// shared consumers of their subjects, the ordered ones whenever this
// worker holds their lease.
func (w *Worker) Run(ctx context.Context) error {
	chain := make([]pipeline.Stage, len(AllStages))
	var free []int
	for i, name := range AllStages {
		chain[i] = worker.Named(name)
		if !slices.Contains(w.cfg.Stages, name) || orderedStages[name] {
			continue
		}
		switch name {
		case pipeline.Extract:
			chain[i] = stages.NewExtract(w.ex)
		case pipeline.Link:
			chain[i] = &stages.Link{OnLinked: func([]*store.Item) { w.Events.Publish(worker.EventLinked, nil) }}
		}
		free = append(free, i)
	}
	p, err := pipeline.New(pipeline.Config{Store: w.Store, Bus: w.Bus, Stages: chain, Logger: w.log, MaxBatch: w.cfg.MaxBatch})
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(AllStages)+1)
	run := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil && ctx.Err() == nil {
				errs <- err
			}
		}()
	}
	if len(free) > 0 {
		for err := p.Recover(ctx); err != nil; err = p.Recover(ctx) {
			if ctx.Err() != nil {
				return nil
			}
			w.log.Warn("could not recover pipeline work; retrying", "err", err)
			time.Sleep(time.Second)
		}
		run(func() error { return w.recoverLost(ctx, p, free) })
	}
	for _, i := range free {
		run(func() error { return w.keep(ctx, AllStages[i], func() error { return p.RunStage(ctx, i) }) })
	}
	for i, name := range AllStages {
		if !slices.Contains(w.cfg.Stages, name) || !orderedStages[name] {
			continue
		}
		o := &worker.Ordered{Stage: name, Next: next(i), Store: w.Store, Bus: w.Bus,
			Lease: worker.NewLease(w.Store.DB(), name, worker.HolderName(w.ID), w.cfg.LeaseTTL, w.log),
			Poll:  w.cfg.Poll, MaxBatch: w.cfg.MaxBatch, Log: w.log}
		if i > 0 {
			o.Prev = AllStages[i-1]
		}
		switch name {
		case pipeline.Resolve:
			o.Open = w.openResolve
		case pipeline.Screen:
			o.Open = w.openScreen
		case pipeline.Rules:
			o.Open = w.openRules
		}
		run(func() error { return o.Run(ctx) })
	}
	wg.Wait()
	close(errs)
	var all []error
	for e := range errs {
		all = append(all, e)
	}
	return errors.Join(all...)
}

// keep runs f again whenever it fails (the stream unreachable for a
// while, a stream leader being elected) until ctx ends.
func (w *Worker) keep(ctx context.Context, stage string, f func() error) error {
	for {
		err := f()
		if ctx.Err() != nil {
			return nil
		}
		w.log.Warn("stage consumer stopped; restarting", "stage", stage, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

func next(i int) string {
	if i+1 < len(AllStages) {
		return AllStages[i+1]
	}
	return ""
}

// recoverLost republishes the work the store says a stateless stage owes
// when the stream holds no message for any of them: work whose message
// was lost (a publisher that died between its commit and its publish, a
// publish refused while the stream had no quorum). It checks every 40
// polls until ctx ends.
func (w *Worker) recoverLost(ctx context.Context, p *pipeline.Pipeline, free []int) error {
	t := time.NewTicker(40 * w.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		idle := true
		for _, i := range free {
			n, err := w.Bus.Pending(ctx, AllStages[i])
			if err != nil || n > 0 {
				idle = false
				break
			}
		}
		if !idle {
			continue
		}
		if err := p.Recover(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("could not look for lost work", "err", err)
		}
	}
}

// openResolve builds the resolve stage for a term as the lease's holder:
// a new engine that has seen every item the stage has finished, in Seq
// order, with the analysts' judgements (see worker.Replay), and that
// applies judgements stored meanwhile for as long as the term lasts.
func (w *Worker) openResolve(ctx context.Context) (pipeline.Stage, func(), error) {
	r := stages.NewResolve(resolve.New(resolve.Config{}))
	if err := worker.Replay(ctx, w.Store, r); err != nil {
		return nil, nil, fmt.Errorf("restore resolution: %w", err)
	}
	if _, err := r.ApplyJudgements(ctx, w.Store); err != nil {
		return nil, nil, fmt.Errorf("apply judgements: %w", err)
	}
	r.OnMoved = func() { w.Events.Publish(worker.EventMoved, nil) }
	w.Events.Publish(worker.EventMoved, nil) // the last holder may have died before saying so
	w.log.Info("resolution restored", "records", r.Engine().Len())
	jctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.RunJudgements(jctx, w.Store, time.Second, func(err error) { w.log.Warn("applying judgements", "err", err) })
	}()
	return r, func() { cancel(); <-done }, nil
}

// openScreen builds the screen stage for a term: a new watch-list index
// restored from the store. It announces the entries it passes to the API
// nodes.
func (w *Worker) openScreen(ctx context.Context) (pipeline.Stage, func(), error) {
	s := stages.NewScreen(screen.NewIndex())
	s.OnAlerts = func([]*mosaic.Alert) {
		if n := w.alerts.Load(); n != nil {
			n.Notify()
		}
	}
	if err := s.Restore(ctx, w.Store); err != nil {
		return nil, nil, fmt.Errorf("restore screening index: %w", err)
	}
	w.Events.Publish(worker.EventWatchlist, nil) // the last holder may have died before saying so
	return worker.AnnounceWatchlist(s, w.Events), nil, nil
}

// openRules builds the rules stage for a term: a new alert rules engine
// and the stage's own watch-list index, restored from the store, and the
// webhook deliverers (which the screen stage wakes when this worker also
// holds it; otherwise they find its alerts at their next poll). Entities come from the store (this worker may not
// hold the resolution engine).
func (w *Worker) openRules(ctx context.Context) (pipeline.Stage, func(), error) {
	svc, err := alert.NewService(alert.ServiceConfig{DataDir: w.cfg.DataDir, Store: w.Store,
		Resolver: alert.StoreResolver{Store: w.Store}, Logger: w.log})
	if err != nil {
		return nil, nil, fmt.Errorf("load alert rules: %w", err)
	}
	s := stages.NewAlertRules(svc.Engine, screen.NewIndex())
	s.OnAlerts = svc.Raised
	if err := s.Restore(ctx, w.Store); err != nil {
		return nil, nil, fmt.Errorf("restore the alert rules' watch-list index: %w", err)
	}
	if err := svc.Start(ctx); err != nil {
		return nil, nil, fmt.Errorf("start alerts: %w", err)
	}
	w.alerts.Store(svc.Notifier)
	return s, func() {
		w.alerts.CompareAndSwap(svc.Notifier, nil)
		svc.Stop()
	}, nil
}

// OpenAPI opens an API node of a scaled-out deployment: the shared store
// and the stream's events, no stages (workers run them). StartAPI keeps
// its graph and watch-list index current.
func OpenAPI(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.OpenStore == nil || cfg.NATSURL == "" {
		return nil, errors.New("an API node needs a shared store and --nats")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	n := &Node{cfg: cfg, Log: cfg.Logger}
	st, err := cfg.OpenStore(ctx)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	n.Store = st
	n.Graph = linkgraph.NewManager(n.Store, cfg.Logger)
	n.Screen = stages.NewScreen(screen.NewIndex())
	return n, nil
}

// StartAPI follows the store and the stream's events in the background
// until Stop (see worker.Follower).
func (n *Node) StartAPI(ctx context.Context) error {
	f := &worker.Follower{Store: n.Store, Graph: n.Graph, Screen: n.Screen, Log: n.Log}
	ev, err := worker.ConnectEvents(n.cfg.NATSURL, n.cfg.Namespace, n.cfg.Replicas, n.Log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := ev.Subscribe(ctx, f.Event); err != nil { // before the follower loads: nothing falls between
		cancel()
		ev.Close()
		return err
	}
	n.mu.Lock()
	n.cancel, n.done = cancel, make(chan struct{})
	n.mu.Unlock()
	go func() {
		defer close(n.done)
		defer ev.Close()
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.Graph.Run(ctx)
		}()
		if err := f.Run(ctx); err != nil && ctx.Err() == nil {
			n.Log.Error("following the store stopped", "err", err)
		}
		wg.Wait()
	}()
	return nil
}

// OpenClient opens a client of a scaled-out deployment: the shared store,
// the stream, and a pipeline that only submits and waits (its stages run in
// the workers). Ingestion into a scaled-out deployment uses it:
// ingest.New(n.Store, n.Pipeline, ...) stores and submits, and
// n.Pipeline.Wait follows the workers' progress. It never starts stages:
// a process that ran them outside the workers would resolve without the
// lease.
func OpenClient(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.OpenStore == nil || cfg.NATSURL == "" {
		return nil, errors.New("a client of a scaled-out deployment needs a shared store and --nats")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	n := &Node{cfg: cfg, Log: cfg.Logger}
	fail := func(err error) (*Node, error) {
		n.Close()
		return nil, err
	}
	st, err := cfg.OpenStore(ctx)
	if err != nil {
		return fail(fmt.Errorf("open store: %w", err))
	}
	n.Store = st
	if n.Bus, err = bus.Connect(ctx, cfg.NATSURL, bus.Options{Logger: cfg.Logger, Replicas: cfg.Replicas, Namespace: cfg.Namespace}); err != nil {
		return fail(err)
	}
	chain := make([]pipeline.Stage, len(AllStages))
	for i, name := range AllStages {
		chain[i] = worker.Named(name)
	}
	if n.Pipeline, err = pipeline.New(pipeline.Config{Store: n.Store, Bus: n.Bus, Stages: chain, Logger: cfg.Logger}); err != nil {
		return fail(err)
	}
	return n, nil
}
