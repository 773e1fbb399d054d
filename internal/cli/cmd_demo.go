package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/linkgraph"
	"github.com/mosaic-intel/mosaic/internal/shareddata"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

func demoCmd() *Command {
	c := &Command{
		Name:  "demo",
		Short: "generate a fictional world, ingest it with real news text, show what was found, then serve",
		Usage: "mosaic demo [--data DIR] [--people N] [--seed S] [--addr HOST:PORT] [--no-serve]",
		Long: `Generates a small fictional world (people from many cultures, records from
many sources, narrative reports, a watchlist; see docs/gen.md) into
DIR/demo-world, ingests it together with the real news articles in
../shared/corpus/news when they are present, prints a short guided tour of
what Mosaic found (counts, a resolved person with every source, a link with
its evidence, alerts), then serves the HTTP API. Running it again reuses what
is stored: nothing is duplicated.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		df := addDataFlags(fs)
		people := fs.Int("people", 2000, "size of the generated population")
		seed := fs.Uint64("seed", 1, "generator seed")
		addr := fs.String("addr", "127.0.0.1:8080", "address to serve the API on")
		noServe := fs.Bool("no-serve", false, "stop after the tour")
		news := fs.String("news", "", "directory of real news text (default: ../shared/corpus/news if present)")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return UsageErrorf("demo takes no arguments")
		}
		cfg := df.config(env)
		w := env.Stdout
		world := filepath.Join(cfg.DataDir, "demo-world")
		if _, err := os.Stat(filepath.Join(world, "manifest.json")); err != nil {
			fmt.Fprintf(w, "1. Generating a fictional world of %d people into %s ...\n", *people, world)
			if _, err := gen.Generate(ctx, gen.Options{Out: world, People: *people, Seed: *seed}); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(w, "1. Reusing the fictional world in %s\n", world)
		}
		// The watchlist goes first so that every record is screened against it
		// as it arrives.
		paths := []string{filepath.Join(world, "watchlist"), filepath.Join(world, "records"), filepath.Join(world, "reports")}
		newsDir := *news
		if newsDir == "" {
			if d, err := shareddata.Dir(); err == nil {
				if _, err := os.Stat(filepath.Join(d, "corpus", "news")); err == nil {
					newsDir = filepath.Join(d, "corpus", "news")
				}
			}
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		cfg.Registry = reg
		if cfg.Logger == nil && !*noServe {
			cfg.Logger = slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		}
		n, err := daemon.Open(ctx, cfg)
		if err != nil {
			return err
		}
		defer n.Close()
		if !n.Owner {
			return fmt.Errorf("%s is in use by another mosaic process; stop it or use --data", cfg.DataDir)
		}
		if err := n.Start(ctx); err != nil {
			return err
		}
		fmt.Fprintf(w, "2. Ingesting records, reports and the watchlist into %s ...\n", cfg.DataDir)
		sum, err := ingest.New(n.Store, n.Pipeline, ingest.Options{Logger: n.Log}).Ingest(ctx, paths)
		if err != nil {
			return err
		}
		last := sum.LastSeq
		if newsDir != "" {
			fmt.Fprintf(w, "   and the real news articles in %s (source open-news)\n", newsDir)
			ns, err := ingest.New(n.Store, n.Pipeline, ingest.Options{Source: "open-news", Logger: n.Log}).Ingest(ctx, []string{newsDir})
			if err != nil {
				return err
			}
			sum.Added += ns.Added
			sum.Rejected = append(sum.Rejected, ns.Rejected...)
			last = max(last, ns.LastSeq)
		} else {
			fmt.Fprintln(w, "   (no ../shared/corpus/news here: the real-text part of the tour is skipped; pass --news DIR)")
		}
		for _, r := range sum.Rejected {
			fmt.Fprintf(w, "   rejected: %s\n", r)
		}
		fmt.Fprintf(w, "3. Extracting, resolving, linking and screening ...\n")
		if err := waitPipeline(ctx, env, n, last); err != nil {
			return err
		}
		if err := tour(ctx, w, n.Store); err != nil {
			return err
		}
		if err := tourPath(ctx, w, n); err != nil {
			return err
		}
		if *noServe {
			return nil
		}
		fmt.Fprintln(w)
		return runHTTP(ctx, env, n, reg, *addr, nil)
	}
	return c
}

// tour prints what the demo found.
func tour(ctx context.Context, w io.Writer, st store.Store) error {
	p := access.Local()
	stats, err := st.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== What Mosaic holds ==\n%d records from %d sources and %d documents, read into %d statements about %d mentions,\nresolved into %d entities joined by %d links.\n",
		stats.Records, stats.Sources, stats.Documents, stats.Statements, stats.Mentions, stats.Entities, stats.Links)

	alerts, err := st.Alerts(ctx, p, store.AlertFilter{Limit: 10000})
	if err != nil {
		return err
	}
	if err := stages.EntitiesNow(ctx, st, alerts...); err != nil { // screening alerts name mentions
		return err
	}
	// A resolved person: the alerted entity seen in the most sources.
	best, bestSources := (*mosaic.Entity)(nil), 0
	for _, a := range alerts {
		for _, id := range a.Entities {
			e, err := st.Entity(ctx, p, id)
			if err != nil || e.Type != mosaic.TypePerson {
				continue
			}
			srcs := map[string]bool{}
			for _, s := range e.Statements {
				srcs[s.Source] = true
			}
			if len(srcs) > bestSources {
				best, bestSources = e, len(srcs)
			}
		}
		if bestSources >= 5 {
			break
		}
	}
	if best != nil {
		fmt.Fprintf(w, "\n== One person, joined across %d sources ==\n%s (%s): every name below is kept with the record field or text span it came from.\n", bestSources, best.Caption, best.ID)
		seen := map[string]bool{}
		for _, s := range best.Statements {
			if s.Prop != mosaic.PropName && s.Prop != mosaic.PropAlias {
				continue
			}
			k := s.Source + "\x00" + s.Value
			if seen[k] {
				continue
			}
			seen[k] = true
			fmt.Fprintf(w, "  %-18s %-28q from %s\n", s.Source, s.Value, s.Origin)
		}
		fmt.Fprintf(w, "  (mosaic show %s)\n", best.ID)
	}
	// A link read from text, with its evidence.
	var shown bool
	err = st.EntityLinks(ctx, func(l store.EntityLink) error {
		if shown || l.Source != "intel-reports" || l.Confidence < 0.7 || len(l.Evidence) == 0 {
			return nil
		}
		se, err1 := st.Entity(ctx, p, l.SubjectEntity)
		oe, err2 := st.Entity(ctx, p, l.ObjectEntity)
		if err1 != nil || err2 != nil || se.Type != mosaic.TypePerson || oe.Type != mosaic.TypePerson && oe.Type != mosaic.TypeOrganization {
			return nil
		}
		it, err := st.Item(ctx, p, mosaic.OriginOf(l.Evidence[0]))
		if err != nil || it.Facts == nil {
			return nil
		}
		for _, s := range it.Facts.Statements {
			if s.ID == l.Evidence[0] && s.Prop == "evidence" {
				fmt.Fprintf(w, "\n== A link read from a report, with its evidence ==\n%s --%s--> %s   (confidence %.2f)\n  %q\n  from %s\n",
					se.Caption, l.Predicate, oe.Caption, l.Confidence, s.Value, s.Origin)
				shown = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	byRule := map[string]int{}
	for _, a := range alerts {
		byRule[a.Rule]++
	}
	rules := make([]string, 0, len(byRule))
	for r := range byRule {
		rules = append(rules, fmt.Sprintf("%s: %d", r, byRule[r]))
	}
	sort.Strings(rules)
	fmt.Fprintf(w, "\n== Alerts ==\n%d alerts (%s)\n", len(alerts), strings.Join(rules, ", "))
	for i, a := range alerts {
		if i == 3 {
			break
		}
		fmt.Fprintf(w, "  [%s] %.2f %s\n", a.State, a.Score, a.Title)
	}
	fmt.Fprintf(w, "  (mosaic show %s; mosaic search NAME; mosaic status)\n", firstAlertID(alerts))
	return nil
}

func firstAlertID(as []*mosaic.Alert) string {
	if len(as) == 0 {
		return "ID"
	}
	return string(as[0].ID)
}

// tourPath shows how the people of one cross-source alert are connected,
// each hop with its evidence.
func tourPath(ctx context.Context, w io.Writer, n *daemon.Node) error {
	p := access.Local()
	alerts, err := n.Store.Alerts(ctx, p, store.AlertFilter{Limit: 10000})
	if err != nil {
		return err
	}
	g, err := n.Graph.Graph(ctx)
	if err != nil {
		return err
	}
	for _, rule := range []string{"precursor_near_subject", "subjects_same_flight", "prison_visit_of_concern"} {
		for _, a := range alerts {
			if a.Rule != rule || len(a.Entities) < 2 {
				continue
			}
			paths, err := g.Paths(ctx, p, a.Entities[0], a.Entities[len(a.Entities)-1], graph.PathOptions{MaxHops: 4})
			if err != nil || len(paths) == 0 {
				continue
			}
			pa := paths[0]
			fmt.Fprintf(w, "\n== How are they connected? (alert %s) ==\n", a.Rule)
			for i, nd := range pa.Nodes {
				fmt.Fprintf(w, "  %s [%s]\n", nd.Caption, nd.Type)
				if i == len(pa.Edges) {
					break
				}
				e := pa.Edges[i]
				fmt.Fprintf(w, "    --%s--", e.Type)
				evs, err := linkgraph.Explain(ctx, n.Store, p, e.Evidence, 1)
				if err == nil && len(evs) > 0 {
					fmt.Fprintf(w, "  %s", evidenceLine(evs[0]))
				}
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "  (mosaic path %s %s; mosaic cells --node-types Person)\n", a.Entities[0], a.Entities[len(a.Entities)-1])
			return nil
		}
	}
	return nil
}
