package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/graph/analytics"
	"github.com/mosaic-intel/mosaic/internal/graph/export"
	"github.com/mosaic-intel/mosaic/internal/linkgraph"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// graphFlags are the flags every link-analysis command shares: where the
// graph comes from and who is asking.
type graphFlags struct {
	file  string
	links string
	as    string
	json  bool
	filt  graph.Filter
	types string
	ntype string
	from  string
	to    string
	data  string
	st    store.Store // the store, when the graph came from it
}

// close releases the store the graph was built from.
func (gf *graphFlags) close() {
	if gf.st != nil {
		gf.st.Close()
	}
}

func (gf *graphFlags) register(fs *flag.FlagSet, env *Env) {
	fs.StringVar(&gf.data, "data", daemon.DefaultDataDir, "data directory whose store the graph is built from (unless --graph or --links)")
	fs.StringVar(&gf.file, "graph", env.Getenv("MOSAIC_GRAPH"), "graph as JSON lines ({\"node\":…} / {\"edge\":…}); default $MOSAIC_GRAPH")
	fs.StringVar(&gf.links, "links", "", "graph as a link list CSV with person_a,person_b[,kind] (e.g. a generated world's truth/links.csv)")
	fs.StringVar(&gf.as, "as", "", "query as a caller cleared for these comma-separated labels (default: the local user, cleared for all)")
	fs.BoolVar(&gf.json, "json", false, "print JSON")
	fs.StringVar(&gf.types, "edge-types", "", "comma-separated edge types to follow (default all)")
	fs.StringVar(&gf.ntype, "node-types", "", "comma-separated entity types to pass through (default all)")
	fs.StringVar(&gf.from, "since", "", "only edges active on or after this date (YYYY-MM-DD)")
	fs.StringVar(&gf.to, "until", "", "only edges active on or before this date (YYYY-MM-DD)")
	fs.Float64Var(&gf.filt.MinConfidence, "min-confidence", 0, "drop edges below this confidence")
}

func (gf *graphFlags) principal() mosaic.Principal {
	if gf.as == "" {
		return access.Local()
	}
	return mosaic.Principal{Name: "cli", Clearances: mosaic.ParseMarking(gf.as)}
}

func (gf *graphFlags) filter() (graph.Filter, error) {
	f := gf.filt
	for _, t := range strings.Split(gf.types, ",") {
		if t = strings.TrimSpace(t); t != "" {
			f.EdgeTypes = append(f.EdgeTypes, t)
		}
	}
	for _, t := range strings.Split(gf.ntype, ",") {
		if t = strings.TrimSpace(t); t != "" {
			f.NodeTypes = append(f.NodeTypes, mosaic.EntityType(t))
		}
	}
	for _, d := range []struct {
		s   string
		dst *time.Time
	}{{gf.from, &f.From}, {gf.to, &f.To}} {
		if d.s == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.s)
		if err != nil {
			return f, UsageErrorf("bad date %q (want YYYY-MM-DD)", d.s)
		}
		*d.dst = t
	}
	return f, nil
}

// load builds the graph from the file named by the flags.
func (gf *graphFlags) load(ctx context.Context) (*graph.Graph, error) {
	var (
		src graph.Source
		err error
	)
	switch {
	case gf.links != "":
		src, err = readWith(gf.links, func(r io.Reader) (graph.Source, error) { return graph.ReadLinksCSV(r) })
	case gf.file != "":
		src, err = readWith(gf.file, func(r io.Reader) (graph.Source, error) { return graph.ReadJSONL(r) })
	default:
		st, err := daemon.OpenStore(ctx, daemon.Config{DataDir: gf.data})
		if err != nil {
			return nil, err
		}
		gf.st = st
		src = linkgraph.Source{Store: st}
	}
	if err != nil {
		return nil, err
	}
	return graph.Load(ctx, src)
}

// prepare parses args, checks the number of IDs given (want reports
// whether n is right, else usage is the error), compiles the filter and
// loads the graph.
func (gf *graphFlags) prepare(ctx context.Context, fs *flag.FlagSet, args []string, want func(n int) bool, usage string) (graph.Filter, *graph.Graph, []mosaic.ID, error) {
	if err := Parse(fs, args); err != nil {
		return graph.Filter{}, nil, nil, err
	}
	if !want(fs.NArg()) {
		return graph.Filter{}, nil, nil, UsageErrorf("%s", usage)
	}
	f, err := gf.filter()
	if err != nil {
		return f, nil, nil, err
	}
	g, err := gf.load(ctx)
	if err != nil {
		return f, nil, nil, err
	}
	ids := make([]mosaic.ID, fs.NArg())
	for i, a := range fs.Args() {
		ids[i] = mosaic.ID(a)
		if gf.st != nil && !strings.HasPrefix(a, mosaic.PrefixEntity+"-") {
			// A name: the best matching entity.
			id, err := entityByName(ctx, gf.st, gf.principal(), a)
			if err != nil {
				return f, nil, nil, err
			}
			ids[i] = id
		}
	}
	return f, g, ids, nil
}

func some(n int) bool { return n > 0 }

func readWith(path string, read func(io.Reader) (graph.Source, error)) (graph.Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nodeLine(n graph.NodeInfo) string {
	s := string(n.ID)
	if n.Caption != "" {
		s += fmt.Sprintf(" %q", n.Caption)
	}
	return s + " [" + string(n.Type) + "]"
}

func edgeLine(e graph.EdgeInfo) string {
	arrow := "--" + e.Type + "--"
	switch e.Direction {
	case "out":
		arrow += ">"
	case "in":
		arrow = "<" + arrow
	}
	s := fmt.Sprintf("%s (confidence %.2f", arrow, e.Confidence)
	if !e.Start.IsZero() || !e.End.IsZero() {
		s += ", " + dateStr(e.Start) + ".." + dateStr(e.End)
	}
	if len(e.Marking) > 0 {
		s += ", marked " + e.Marking.String()
	}
	ev := make([]string, len(e.Evidence))
	for i, x := range e.Evidence {
		ev[i] = string(x)
	}
	return s + ") evidence: " + strings.Join(ev, " ")
}

func dateStr(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.Format("2006-01-02")
}

func pathCmd() *Command {
	c := &Command{
		Name:  "path",
		Short: "how is A connected to B? cheapest paths, each hop with its evidence",
		Usage: "mosaic path [--json] [--max-hops 6] [-k 3] [--budget N] [--graph FILE] A B",
		Long: `Finds the cheapest paths between two entities. An edge costs more the
weaker its confidence and evidence; crossing a hub (an airport, a public
phone) costs more the more edges it has, so hubs do not make everyone two
hops apart. Nothing the caller (--as) may not see is crossed or shown.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		var gf graphFlags
		gf.register(fs, env)
		var o graph.PathOptions
		fs.IntVar(&o.MaxHops, "max-hops", 6, "longest path to consider")
		fs.IntVar(&o.K, "k", 1, "number of paths")
		fs.Float64Var(&o.HubWeight, "hub-weight", 0, "hub penalty weight (default 0.5; negative: none)")
		fs.IntVar(&o.Budget, "budget", 0, "most adjacency entries one search may scan (default 400000; negative: unbounded)")
		f, g, ids, err := gf.prepare(ctx, fs, args, func(n int) bool { return n == 2 }, "path needs two entities (IDs or names)")
		defer gf.close()
		if err != nil {
			return err
		}
		o.Filter = f
		ps, err := g.Paths(ctx, gf.principal(), ids[0], ids[1], o)
		if err != nil {
			return err
		}
		if gf.json {
			return writeJSON(env.Stdout, ps)
		}
		if len(ps) == 0 {
			fmt.Fprintf(env.Stdout, "no path within %d hops\n", o.MaxHops)
			return nil
		}
		for i, p := range ps {
			note := ""
			if !p.Proven {
				note = ", search budget reached: not proven the cheapest"
			}
			fmt.Fprintf(env.Stdout, "path %d (%d hops, cost %.2f%s)\n", i+1, len(p.Edges), p.Cost, note)
			for j, n := range p.Nodes {
				fmt.Fprintf(env.Stdout, "  %s\n", nodeLine(n))
				if j < len(p.Edges) {
					fmt.Fprintf(env.Stdout, "    %s\n", edgeLine(p.Edges[j]))
					if gf.st != nil {
						evs, err := linkgraph.Explain(ctx, gf.st, gf.principal(), p.Edges[j].Evidence, 2)
						if err != nil {
							return err
						}
						for _, ev := range evs {
							fmt.Fprintf(env.Stdout, "      %s\n", evidenceLine(ev))
						}
					}
				}
			}
		}
		return nil
	}
	return c
}

func neighboursCmd() *Command {
	c := &Command{
		Name:  "neighbours",
		Short: "the k-hop neighbourhood of entities, with evidence; exports GraphML, GEXF, Cytoscape",
		Usage: "mosaic neighbours [--json] [--hops 2] [--format graphml|gexf|cytoscape] [--graph FILE] ID...",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		var gf graphFlags
		gf.register(fs, env)
		var o graph.NeighbourOptions
		fs.IntVar(&o.Hops, "hops", 1, "radius")
		fs.IntVar(&o.Limit, "limit", 500, "most nodes to return")
		fs.IntVar(&o.HubDegree, "hub-degree", 1000, "do not expand nodes with more edges than this (negative: expand all)")
		format := fs.String("format", "", "write the subgraph as graphml, gexf or cytoscape")
		f, g, seeds, err := gf.prepare(ctx, fs, args, some, "neighbours needs at least one entity ID")
		defer gf.close()
		if err != nil {
			return err
		}
		o.Filter = f
		sg, err := g.Neighbours(ctx, gf.principal(), seeds, o)
		if err != nil {
			return err
		}
		switch {
		case *format != "":
			return export.Write(env.Stdout, *format, sg)
		case gf.json:
			return writeJSON(env.Stdout, sg)
		}
		for _, n := range sg.Nodes {
			fmt.Fprintf(env.Stdout, "%d  %s\n", n.Hops, nodeLine(n))
		}
		for _, e := range sg.Edges {
			fmt.Fprintf(env.Stdout, "%s %s %s\n", e.From, edgeLine(e), e.To)
		}
		if len(sg.Hubs) > 0 {
			fmt.Fprintf(env.Stdout, "not expanded (hubs): %d\n", len(sg.Hubs))
		}
		if sg.Truncated {
			fmt.Fprintf(env.Stdout, "truncated at %d nodes (--limit)\n", o.Limit)
		}
		return nil
	}
	return c
}

func cellsCmd() *Command {
	c := &Command{
		Name:  "cells",
		Short: "find tightly linked groups (cells), optionally scored against a truth",
		Usage: "mosaic cells [--json] [--resolution 0.05] [--min-size 3] [--truth cells.csv | --world DIR] [--data DIR | --graph FILE | --links FILE]",
		Long: `Partitions the caller's view of the graph into communities with the
constant Potts model (a Leiden-style Louvain): a cell is a group whose
members are linked to more than --resolution of each other. Hubs (more than
--max-degree edges) are left out. With --truth (cell_id,...,person_id) the
adjusted Rand index against the truth is printed.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		var gf graphFlags
		gf.register(fs, env)
		var o graph.CellOptions
		fs.Float64Var(&o.Resolution, "resolution", analytics.DefaultCPMResolution, "least internal link density of a cell")
		fs.IntVar(&o.MinSize, "min-size", 3, "smallest cell to report")
		fs.IntVar(&o.MaxDegree, "max-degree", 1000, "leave out nodes with more edges than this")
		truth := fs.String("truth", "", "truth cells CSV (cell_id, person_id) to score against")
		world := fs.String("world", "", "score the cells of a stored, generated world against its truth (DIR of mosaic gen)")
		f, g, _, err := gf.prepare(ctx, fs, args, func(n int) bool { return n == 0 }, "cells takes no arguments")
		defer gf.close()
		if err != nil {
			return err
		}
		o.Filter = f
		cells, err := g.Cells(ctx, gf.principal(), o)
		if err != nil {
			return err
		}
		var ari *float64
		if *truth != "" {
			fh, err := os.Open(*truth)
			if err != nil {
				return err
			}
			tr, err := graph.ReadCellsCSV(fh)
			fh.Close()
			if err != nil {
				return err
			}
			a := graph.CellsARI(cells, tr)
			ari = &a
		}
		if *world != "" {
			if gf.st == nil {
				return UsageErrorf("--world scores a graph built from the store (--data), not from --graph or --links")
			}
			ep, pc, err := linkgraph.WorldTruth(ctx, gf.st, *world)
			if err != nil {
				return err
			}
			a := graph.CellsARI(cells, linkgraph.CellTruth(ep, pc))
			ari = &a
			*truth = *world
		}
		if gf.json {
			return writeJSON(env.Stdout, struct {
				Cells []graph.Cell `json:"cells"`
				ARI   *float64     `json:"adjusted_rand_index,omitempty"`
			}{cells, ari})
		}
		for _, c := range cells {
			fmt.Fprintf(env.Stdout, "cell %d: %d members, density %.2f\n", c.ID, len(c.Members), c.Density)
			for _, m := range c.Members {
				fmt.Fprintf(env.Stdout, "  %s\n", nodeLine(m))
			}
		}
		if ari != nil {
			fmt.Fprintf(env.Stdout, "adjusted Rand index vs %s: %.3f\n", *truth, *ari)
		}
		return nil
	}
	return c
}

func timelineCmd() *Command {
	c := &Command{
		Name:  "timeline",
		Short: "dated links and records of entities, in order, with sources",
		Usage: "mosaic timeline [--json] [--graph FILE] ID...",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		var gf graphFlags
		gf.register(fs, env)
		f, g, ids, err := gf.prepare(ctx, fs, args, some, "timeline needs at least one entity ID")
		defer gf.close()
		if err != nil {
			return err
		}
		evs, err := g.Timeline(ctx, gf.principal(), ids, f)
		if err != nil {
			return err
		}
		if gf.json {
			return writeJSON(env.Stdout, evs)
		}
		for _, e := range evs {
			fmt.Fprintf(env.Stdout, "%s  %s %s %s\n", dateStr(e.Time), e.Edge.From, edgeLine(e.Edge), e.Edge.To)
		}
		return nil
	}
	return c
}

// evidenceLine renders one piece of evidence: the sentence with names in
// [brackets], or the record's kind, source and location.
func evidenceLine(ev linkgraph.Evidence) string {
	if ev.Sentence != "" {
		return fmt.Sprintf("%q (%s, %s)", linkgraph.Highlight(ev.Sentence, ev.Marks), ev.Source, ev.Origin)
	}
	if ev.Origin.Field != "" {
		return fmt.Sprintf("%s record %s from %s: %s = %q", ev.Kind, ev.Item, ev.Locator, ev.Origin.Field, ev.Value)
	}
	// A whole record cited (co-occurrence): show its fields.
	keys := make([]string, 0, len(ev.Fields))
	for k := range ev.Fields {
		if k != "entry_json" && ev.Fields[k] != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + oneLine(ev.Fields[k], 40)
	}
	return fmt.Sprintf("%s record %s (%s): %s", ev.Kind, ev.Item, ev.Locator, strings.Join(parts, " "))
}

// entityByName returns the entity that best matches a name.
func entityByName(ctx context.Context, st store.Store, p mosaic.Principal, name string) (mosaic.ID, error) {
	hits, err := st.Search(ctx, p, name, 10)
	if err != nil {
		return "", err
	}
	for _, h := range hits {
		if h.Kind == "entity" {
			return h.ID, nil
		}
	}
	return "", mosaic.Errorf(mosaic.KindNotFound, "graph", "no entity named %q", name)
}
