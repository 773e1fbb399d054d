package alerteval

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/mapping"
)

// Order says in which order a world's inputs are ingested.
type Order string

// Orders.
const (
	// WatchlistFirst loads the watch list, then records, then reports:
	// the usual deployment.
	WatchlistFirst Order = "watchlist-first"
	// WatchlistLast loads records and reports first: every subject
	// appears after its records, so every alert is raised
	// retrospectively.
	WatchlistLast Order = "watchlist-last"
)

// RunOptions configure RunWorld.
type RunOptions struct {
	World   string // a `mosaic gen` output directory
	DataDir string // a fresh data directory
	Order   Order
	// RulesFile, if set, is copied to the data directory's
	// alert-rules.yaml (default: the built-in rules).
	RulesFile string
	Logger    func(format string, args ...any)
	// Inspect, if set, is called after scoring with the still open
	// node (for error analysis).
	Inspect func(ctx context.Context, n *daemon.Node, t *Truth, scores []Score, rules map[string]Rule) error
}

// RunResult is what RunWorld measured.
type RunResult struct {
	Scores   []Score
	Ingest   time.Duration // storing and running the pipeline
	Items    int
	Patterns int
	// Recheck is what the rules engine spent re-checking the alerts it
	// raised (withdrawal).
	Recheck alert.RecheckStats
}

// RunWorld ingests a world into a new embedded node, waits for the
// pipeline, and scores the alerts against the world's truth.
func RunWorld(ctx context.Context, o RunOptions) (*RunResult, error) {
	t, err := LoadTruth(o.World)
	if err != nil {
		return nil, err
	}
	if o.RulesFile != "" {
		b, err := os.ReadFile(o.RulesFile)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(o.DataDir, alert.RulesFile), b, 0o640); err != nil {
			return nil, err
		}
	}
	n, err := daemon.Open(ctx, daemon.Config{DataDir: o.DataDir})
	if err != nil {
		return nil, err
	}
	defer n.Close()
	if err := n.Start(ctx); err != nil {
		return nil, err
	}
	paths := []string{filepath.Join(o.World, "watchlist"), filepath.Join(o.World, "records"), filepath.Join(o.World, "reports")}
	if o.Order == WatchlistLast {
		paths = []string{paths[1], paths[2], paths[0]}
	}
	start := time.Now()
	sum, err := ingest.New(n.Store, n.Pipeline, ingest.Options{}).Ingest(ctx, paths)
	if err != nil {
		return nil, err
	}
	if err := n.Pipeline.Wait(ctx, sum.LastSeq, nil); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	res := &RunResult{Ingest: time.Since(start), Items: sum.Added, Patterns: len(t.Patterns), Recheck: n.Alerts.Engine.RecheckStats()}
	rules := map[string]Rule{}
	for _, r := range n.Alerts.Engine.Rules().Rules {
		ri := Rule{Kind: r.Record, Who: r.Who, Subject: r.Subject != nil}
		if r.Linked != nil {
			ri.Linked = linkedRole(r)
		}
		rules[r.Name] = ri
	}
	if res.Scores, err = Evaluate(ctx, n.Store, t, rules); err != nil {
		return nil, err
	}
	if o.Inspect != nil {
		err = o.Inspect(ctx, n, t, res.Scores, rules)
	}
	return res, err
}

// linkedRole guesses the role at the other end of a rule's linked
// predicate from the built-in mappings (the prisoner of "visited").
func linkedRole(r *alert.Rule) string {
	for _, m := range mapping.Builtin().Mappings {
		if m.Kind != r.Record {
			continue
		}
		if role := otherEnd(m, r); role != "" {
			return role
		}
	}
	return ""
}

func otherEnd(m *mapping.Mapping, r *alert.Rule) string {
	for _, l := range m.Links {
		if l.Predicate != r.Linked.Predicate {
			continue
		}
		switch r.Who {
		case l.Subject:
			return l.Object
		case l.Object:
			return l.Subject
		}
	}
	return ""
}
