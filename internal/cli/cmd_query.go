package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func searchCmd() *Command {
	c := &Command{
		Name:  "search",
		Short: "full-text search over entities, documents and records",
		Usage: "mosaic search [--data DIR] [--json] [--limit N] QUERY...",
		Long:  `Every word of the query must match. Entities whose names contain all the words come first, then documents and records, best first.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		df := addDataFlags(fs)
		asJSON := fs.Bool("json", false, "print JSON")
		limit := fs.Int("limit", 20, "most results")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			return UsageErrorf("search needs a QUERY")
		}
		st, err := daemon.OpenStore(ctx, df.config(env))
		if err != nil {
			return err
		}
		defer st.Close()
		hits, err := st.Search(ctx, access.Local(), strings.Join(fs.Args(), " "), *limit)
		if err != nil {
			return err
		}
		if *asJSON {
			if hits == nil {
				hits = []store.Hit{}
			}
			return printJSON(env.Stdout, hits)
		}
		if len(hits) == 0 {
			fmt.Fprintln(env.Stdout, "no matches")
			return nil
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tID\tTITLE\tSNIPPET")
		for _, h := range hits {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Kind, h.ID, h.Title, oneLine(h.Snippet, 70))
		}
		return tw.Flush()
	}
	return c
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// EntityView is an entity with the links that touch it, as `mosaic show`
// and the HTTP API present it.
type EntityView struct {
	*mosaic.Entity
	Links []store.EntityLink `json:"links"`
}

// resolveID finds an entity or item by ID, or the best entity matching a
// name.
func resolveID(ctx context.Context, st store.Store, p mosaic.Principal, q string) (any, error) {
	id := mosaic.ID(q)
	if strings.HasPrefix(q, mosaic.PrefixEntity+"-") || strings.Contains(q, "/") {
		e, err := st.Entity(ctx, p, id)
		if err != nil {
			return nil, err
		}
		links, err := st.LinksOf(ctx, p, e.Mentions, 200)
		if err != nil {
			return nil, err
		}
		return &EntityView{Entity: e, Links: links}, nil
	}
	if strings.HasPrefix(q, mosaic.PrefixDocument+"-") || strings.HasPrefix(q, mosaic.PrefixRecord+"-") {
		return st.Item(ctx, p, id)
	}
	if strings.HasPrefix(q, mosaic.PrefixAlert+"-") {
		a, err := st.Alert(ctx, p, id)
		if err != nil {
			return nil, err
		}
		return a, stages.EntitiesNow(ctx, st, a) // screening alerts name mentions
	}
	hits, err := st.Search(ctx, p, q, 5)
	if err != nil {
		return nil, err
	}
	for _, h := range hits {
		if h.Kind == "entity" {
			return resolveID(ctx, st, p, string(h.ID))
		}
	}
	return nil, mosaic.Errorf(mosaic.KindNotFound, "show", "nothing named %q", q)
}

func showCmd() *Command {
	c := &Command{
		Name:  "show",
		Short: "show an entity (with every statement's source), a document, a record or an alert",
		Usage: "mosaic show [--data DIR] [--json] ID-or-name",
		Long: `Shows the object with that ID (ent-…, doc-…, rec-…, alr-…, or a mention ID), or the
entity that best matches a name. An entity lists every name and fact with the
record field or text span it came from, and the links that touch it with their
evidence.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		df := addDataFlags(fs)
		asJSON := fs.Bool("json", false, "print JSON")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			return UsageErrorf("show needs an ID or a name")
		}
		st, err := daemon.OpenStore(ctx, df.config(env))
		if err != nil {
			return err
		}
		defer st.Close()
		v, err := resolveID(ctx, st, access.Local(), strings.Join(fs.Args(), " "))
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(env.Stdout, v)
		}
		switch v := v.(type) {
		case *EntityView:
			printEntity(ctx, env.Stdout, st, v)
		case *store.Item:
			printItem(env.Stdout, v)
		case *mosaic.Alert:
			printAlert(env.Stdout, v)
		}
		return nil
	}
	return c
}

func printEntity(ctx context.Context, w io.Writer, st store.Store, v *EntityView) {
	e := v.Entity
	fmt.Fprintf(w, "%s  %s  (%s)\n", e.Caption, e.ID, e.Type)
	if len(e.Marking) > 0 {
		fmt.Fprintf(w, "marking: %s\n", e.Marking)
	}
	fmt.Fprintf(w, "%d mentions, %d statements\n\n", len(e.Mentions), len(e.Statements))
	sts := append([]mosaic.Statement(nil), e.Statements...)
	sort.SliceStable(sts, func(i, j int) bool { return sts[i].Prop < sts[j].Prop })
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROPERTY\tVALUE\tSOURCE\tFROM")
	for _, s := range sts {
		if s.Prop == "evidence" {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Prop, oneLine(s.Value, 50), s.Source, s.Origin)
	}
	tw.Flush()
	if len(v.Links) == 0 {
		return
	}
	fmt.Fprintf(w, "\nLinks (%d):\n", len(v.Links))
	self := map[mosaic.ID]bool{}
	for _, m := range e.Mentions {
		self[m] = true
	}
	names := map[mosaic.ID]string{}
	other := func(l store.EntityLink) (mosaic.ID, string) {
		if self[l.Subject] {
			return l.ObjectEntity, "->"
		}
		return l.SubjectEntity, "<-"
	}
	for i, l := range v.Links {
		if i == 25 {
			fmt.Fprintf(w, "  … %d more (use --json)\n", len(v.Links)-25)
			break
		}
		o, dir := other(l)
		if _, ok := names[o]; !ok {
			names[o] = string(o)
			if oe, err := st.Entity(ctx, access.Local(), o); err == nil {
				names[o] = oe.Caption
			}
		}
		when := ""
		if !l.Start.IsZero() {
			when = l.Start.Format("2006-01-02")
		}
		fmt.Fprintf(w, "  %s %s %s  [%s]  %s  evidence %s\n", dir, l.Predicate, names[o], o, when, l.Evidence[0])
	}
}

func printItem(w io.Writer, it *store.Item) {
	if d := it.Document; d != nil {
		fmt.Fprintf(w, "document %s  %q\nsource %s  path %s  published %s\n\n%s\n", d.ID, d.Title, d.Source, d.Path, d.Published.Format("2006-01-02"), d.Text)
	} else {
		r := it.Record
		fmt.Fprintf(w, "record %s  kind %s  source %s  from %s\n", r.ID, r.Kind, r.Source, r.Locator)
		keys := make([]string, 0, len(r.Fields))
		for k := range r.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %-20s %s\n", k, r.Fields[k])
		}
	}
	if it.Facts != nil {
		fmt.Fprintf(w, "\n%d mentions, %d statements, %d links\n", len(it.Facts.Mentions), len(it.Facts.Statements), len(it.Facts.Links))
		for _, m := range it.Facts.Mentions {
			fmt.Fprintf(w, "  %-12s %-30s %s\n", m.Type, oneLine(m.Caption, 30), m.ID)
		}
	}
}

func printAlert(w io.Writer, a *mosaic.Alert) {
	fmt.Fprintf(w, "alert %s  [%s]  rule %s  score %.2f  seen %d time(s), first %s, last %s\n%s\n",
		a.ID, a.State, a.Rule, a.Score, a.Count, a.First.Format("2006-01-02 15:04"), a.Last.Format("2006-01-02 15:04"), a.Title)
	for _, e := range a.Explanation {
		fmt.Fprintf(w, "  - %s\n", e)
	}
	fmt.Fprintf(w, "entities: %v\nrecords: %v\n", a.Entities, a.Records)
	for _, h := range a.History {
		fmt.Fprintf(w, "  %s %s by %s %s\n", h.When.Format("2006-01-02 15:04"), h.State, h.Who, h.Why)
	}
}

func statusCmd() *Command {
	c := &Command{
		Name:  "status",
		Short: "what is stored, and how far each pipeline stage has got",
		Usage: "mosaic status [--data DIR] [--json] [--failed] [--rerun STAGE ID...]",
		Long: `Prints counts of stored objects and, for each stage (extract, resolve, link,
screen), how many items it has finished and how many failed. --failed lists
failed items with their errors. --rerun STAGE ID... makes the stage process the
given items again (the running pipeline, or the next one started, picks them up).`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		df := addDataFlags(fs)
		asJSON := fs.Bool("json", false, "print JSON")
		failed := fs.Bool("failed", false, "list failed items")
		rerun := fs.String("rerun", "", "stage to run again for the items given as arguments")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if *rerun != "" {
			return rerunItems(ctx, env, df, *rerun, fs.Args())
		}
		st, err := daemon.OpenStore(ctx, df.config(env))
		if err != nil {
			return err
		}
		defer st.Close()
		stats, err := st.Stats(ctx)
		if err != nil {
			return err
		}
		last, err := st.LastSeq(ctx)
		if err != nil {
			return err
		}
		stages, err := st.StageStatus(ctx)
		if err != nil {
			return err
		}
		var fails []store.Failure
		if *failed {
			if fails, err = st.Failures(ctx, "", 1000); err != nil {
				return err
			}
		}
		if *asJSON {
			return printJSON(env.Stdout, map[string]any{"stats": stats, "items": stats.Documents + stats.Records, "stages": stages, "failures": fails})
		}
		fmt.Fprintf(env.Stdout, "documents %d, records %d, entities %d, mentions %d, statements %d, links %d, sources %d\n",
			stats.Documents, stats.Records, stats.Entities, stats.Mentions, stats.Statements, stats.Links, stats.Sources)
		kinds := make([]string, 0, len(stats.ByKind))
		for k := range stats.ByKind {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			fmt.Fprintf(env.Stdout, "  %-16s %d\n", k, stats.ByKind[k])
		}
		items := stats.Documents + stats.Records
		fmt.Fprintf(env.Stdout, "\nstage     done/items  failed\n")
		byName := map[string]store.StageStatus{}
		for _, s := range stages {
			byName[s.Stage] = s
		}
		for _, name := range daemon.AllStages {
			s := byName[name]
			fmt.Fprintf(env.Stdout, "%-8s  %d/%d  %d\n", name, s.Done, items, s.Failed)
		}
		_ = last
		for _, f := range fails {
			fmt.Fprintf(env.Stdout, "failed %s %s (seq %d, %d attempt(s)): %s\n", f.Stage, f.Item, f.Seq, f.Attempts, f.Error)
		}
		return nil
	}
	return c
}

func rerunItems(ctx context.Context, env *Env, df *dataFlags, stage string, ids []string) error {
	switch stage {
	case pipeline.Extract, pipeline.Screen, pipeline.Resolve, pipeline.Link, pipeline.Rules:
	default:
		return UsageErrorf("--rerun takes a stage: %s", strings.Join(daemon.AllStages, ", "))
	}
	if len(ids) == 0 {
		return UsageErrorf("--rerun %s needs item IDs (doc-… or rec-…), or 'failed'", stage)
	}
	cfg := df.config(env)
	var n *daemon.Node
	var err error
	if df.scaledOut() {
		n, err = daemon.OpenClient(ctx, cfg)
	} else {
		n, err = daemon.Open(ctx, cfg)
	}
	if err != nil {
		return err
	}
	defer n.Close()
	st := n.Store
	var seqs []int64
	if len(ids) == 1 && ids[0] == "failed" {
		fails, err := st.Failures(ctx, stage, 100000)
		if err != nil {
			return err
		}
		for _, f := range fails {
			seqs = append(seqs, f.Seq)
		}
	} else {
		for _, id := range ids {
			it, err := st.Item(ctx, access.Local(), mosaic.ID(id))
			if err != nil {
				return err
			}
			seqs = append(seqs, it.Seq)
		}
	}
	err = st.Update(ctx, func(tx store.Tx) error {
		for _, s := range seqs {
			if err := tx.Requeue(ctx, stage, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !n.Owner || df.scaledOut() {
		// A server (or the workers) runs the pipeline: hand it the work.
		if err := n.Pipeline.Recover(ctx); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "queued %d item(s) for %s on the running pipeline\n", len(seqs), stage)
		return nil
	}
	if err := n.Start(ctx); err != nil {
		return err
	}
	last, err := st.LastSeq(ctx)
	if err != nil {
		return err
	}
	if err := waitPipeline(ctx, env, n, last); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "ran %s again for %d item(s)\n", stage, len(seqs))
	return nil
}
