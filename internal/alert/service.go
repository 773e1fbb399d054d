package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// RulesFile is the name of a data directory's own rules file; without
// one, the built-in rules apply.
const RulesFile = "alert-rules.yaml"

// Store is what the alert service needs of the store.
type Store interface {
	store.Updater
	store.ItemReader
	store.AlertReader
}

// ServiceConfig configures NewService.
type ServiceConfig struct {
	// DataDir holds the rules file (optional), the webhook configuration
	// and the delivery outboxes (see docs/alerts.md).
	DataDir  string
	Store    Store
	Resolver Resolver
	Logger   *slog.Logger
	// Rules overrides the data directory's rules file.
	Rules *RuleSet
}

// Service is the alert side of a running node: the rules engine the
// rules stage calls, the notifier that wakes live feeds when alerts
// commit, and the webhook deliverers.
type Service struct {
	Engine   *Engine
	Notifier *Notifier
	cfg      ServiceConfig
	log      *slog.Logger

	mu     sync.Mutex
	cancel context.CancelFunc
	wg     sync.WaitGroup
	hooks  []*Deliverer
}

// NewService loads the rules (DataDir/alert-rules.yaml, or the built-in
// ones) and builds the engine.
func NewService(cfg ServiceConfig) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	rules := cfg.Rules
	if rules == nil {
		var err error
		if rules, err = RulesFor(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	eng, err := NewEngine(EngineConfig{Rules: rules, Resolver: cfg.Resolver, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	return &Service{Engine: eng, Notifier: NewNotifier(), cfg: cfg, log: cfg.Logger}, nil
}

// RulesFor returns the rules of a data directory: its alert-rules.yaml
// if there is one, else the built-in rules.
func RulesFor(dataDir string) (*RuleSet, error) {
	if dataDir != "" {
		p := filepath.Join(dataDir, RulesFile)
		if _, err := os.Stat(p); err == nil {
			return LoadRules(p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return DefaultRules(), nil
}

// Raised is the rules stage's OnAlerts hook: it runs after the alerts of
// a batch commit. It teaches the engine subjects found by screening among
// them and wakes every live feed.
//
// Subjects found by screening change what the rules see, so the rules are
// evaluated around them at once and what they raise is stored in a
// transaction of its own. (The rules stage gives the engine its batch's
// screening hits itself, before its commit, so that what they raise
// commits with the batch; this covers alerts that reach Raised
// otherwise.)
func (s *Service) Raised(alerts []*mosaic.Alert) {
	ctx := context.Background()
	if s.Engine.Observe(ctx, alerts) {
		more, err := s.Engine.Evaluate(ctx, nil)
		if err == nil && len(more) > 0 {
			err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
				for _, a := range more {
					if _, err := tx.PutAlert(ctx, a); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err != nil {
			s.log.Warn("alert rules around subjects found by screening failed", "err", err)
		}
	}
	s.Notifier.Notify()
}

// Start restores the engine from the store and starts the webhook
// deliverers configured in the data directory.
func (s *Service) Start(ctx context.Context) error {
	if err := s.Engine.Restore(ctx, s.cfg.Store); err != nil {
		return err
	}
	hooks, err := LoadWebhooks(s.cfg.DataDir)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancel = cancel
	for _, h := range hooks {
		d, err := NewDeliverer(DelivererConfig{Webhook: h, Store: s.cfg.Store, Notifier: s.Notifier, Dir: filepath.Join(s.cfg.DataDir, "alerts"), Logger: s.log})
		if err != nil {
			cancel()
			return fmt.Errorf("webhook %s: %w", h.Name, err)
		}
		s.hooks = append(s.hooks, d)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := d.Run(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("webhook deliverer stopped", "webhook", h.Name, "err", err)
			}
		}()
	}
	return nil
}

// Stop stops the deliverers and waits for them. Undelivered alerts stay
// in their outboxes for the next start.
func (s *Service) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	s.cancel = nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
}

// Notifier wakes waiters when alerts commit. It is safe for concurrent
// use.
type Notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// NewNotifier returns a notifier.
func NewNotifier() *Notifier { return &Notifier{ch: make(chan struct{})} }

// C returns a channel closed at the next Notify.
func (n *Notifier) C() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

// Notify wakes every waiter.
func (n *Notifier) Notify() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.mu.Unlock()
}
