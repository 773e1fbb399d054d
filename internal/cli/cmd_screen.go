package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/screen/eval"
	"github.com/mosaic-intel/mosaic/internal/shareddata"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// listFlags collects repeated --list FILE flags.
type listFlags []string

func (l *listFlags) String() string     { return strings.Join(*l, ",") }
func (l *listFlags) Set(v string) error { *l = append(*l, v); return nil }

// screenSource returns where the screen command's lists come from. Today
// that is the files named with --list; a store-backed watchlist.Source
// plugs in here once watchlists are kept in the store.
func screenSource(paths []string, format watchlist.Format, m watchlist.Mapping) watchlist.Source {
	var fs watchlist.Files
	for _, p := range paths {
		fs = append(fs, watchlist.FileSpec{Path: p, Format: format, Mapping: m})
	}
	return fs
}

func screenCmd() *Command {
	c := &Command{
		Name:  "screen",
		Short: "screen names against watch lists",
		Usage: "mosaic screen [--json] [--dob DATE] [--country CC] [--schema S] --list FILE... NAME\n       mosaic screen --batch queries.csv --out results.csv --list FILE...\n       mosaic screen eval [--negatives N] [--speed N]",
		Long: `Screens a name (with an optional date of birth and country) against the
watch lists stored in --data (mosaic watchlist import), or those given with --list (UN consolidated XML, OFAC SDN directory or
sdn.csv, FollowTheMoney JSON lines, or CSV; the format is detected unless
--format says). Hits at or above --min-score are printed with a calibrated
score and an explanation.

Batch mode reads query_id,name[,dob][,country] rows (a header row starting
with query_id is skipped) and writes query_id,rank,list,entry_id,score for
the top --top hits of each query.

"mosaic screen eval" measures recall and false alerts on a labelled set built
from the shared UN list (see docs/benchmarks/screen.md).`,
		Subs: []*Command{screenEvalCmd(), screenTrainCmd()},
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		var lists listFlags
		fs.Var(&lists, "list", "watch-list file or directory (repeatable)")
		format := fs.String("format", "", "list format: un, ofac, ftm or csv (default: detect)")
		data := fs.String("data", daemon.DefaultDataDir, "data directory whose stored watch lists are used when no --list is given")
		mapping := fs.String("mapping", "", "CSV column mapping, e.g. id=ref,name=full_name")
		asJSON := fs.Bool("json", false, "print hits as JSON")
		dob := fs.String("dob", "", "date of birth, YYYY-MM-DD or YYYY")
		country := fs.String("country", "", "nationality or document country (code or name)")
		schema := fs.String("schema", "", "Person or Organization (default: any)")
		ids := fs.String("id", "", "document numbers, comma-separated")
		limit := fs.Int("limit", 10, "maximum hits per query")
		minScore := fs.Float64("min-score", screen.DefaultThreshold, "lowest score reported")
		batch := fs.String("batch", "", "CSV of queries: query_id,name[,dob][,country]")
		out := fs.String("out", "", "batch results CSV (default: standard output)")
		top := fs.Int("top", 5, "hits per query in batch mode")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if *batch == "" && fs.NArg() == 0 {
			return UsageErrorf("screen needs a NAME or --batch FILE")
		}
		m, err := watchlist.ParseMapping(*mapping)
		if err != nil {
			return UsageErrorf("%v", err)
		}
		src := screenSource(lists, watchlist.Format(*format), m)
		if len(lists) == 0 {
			// No files named: screen against the lists stored in --data.
			st, err := daemon.OpenStore(ctx, daemon.Config{DataDir: *data})
			if err != nil {
				return fmt.Errorf("%w (or name list files with --list)", err)
			}
			defer st.Close()
			src = stages.StoredLists{Store: st, P: access.Local()}
		}
		ix, rejected, err := loadIndex(ctx, src)
		if err != nil {
			return err
		}
		for _, p := range rejected {
			fmt.Fprintf(env.Stderr, "list row rejected: %s\n", p)
		}
		if *batch != "" {
			return screenBatch(ctx, env, ix, *batch, *out, *top, *minScore)
		}
		q := screen.Query{Name: strings.Join(fs.Args(), " "), Schema: watchlist.Schema(*schema), BirthDate: *dob,
			Country: *country, Limit: *limit, MinScore: *minScore}
		if *schema != "" {
			q.Schema = watchlist.ParseSchema(*schema)
		}
		for _, id := range strings.Split(*ids, ",") {
			if id = strings.TrimSpace(id); id != "" {
				q.Identifiers = append(q.Identifiers, id)
			}
		}
		hits := ix.Screen(q)
		if *asJSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			if hits == nil {
				hits = []screen.Hit{}
			}
			return enc.Encode(hits)
		}
		if len(hits) == 0 {
			fmt.Fprintln(env.Stdout, "no hits")
			return nil
		}
		for i, h := range hits {
			fmt.Fprintf(env.Stdout, "%d. %.3f  %s %s  %s (%s)\n", i+1, h.Score, h.List, h.EntryID, h.Caption, h.Schema)
			for _, e := range h.Explanation {
				fmt.Fprintf(env.Stdout, "     %s\n", e)
			}
		}
		return nil
	}
	return c
}

// loadIndex reads every list of src into a new index.
func loadIndex(ctx context.Context, src watchlist.Source) (*screen.Index, []watchlist.Problem, error) {
	lists, probs, err := src.Lists(ctx)
	if err != nil {
		return nil, probs, fmt.Errorf("load lists: %w", err)
	}
	ix := screen.NewIndex()
	for _, l := range lists {
		ix.ReplaceList(l.Name, l.Entries)
	}
	return ix, probs, nil
}

func screenBatch(ctx context.Context, env *Env, ix *screen.Index, in, out string, top int, minScore float64) error {
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	defer f.Close()
	var w io.Writer = env.Stdout
	if out != "" {
		of, err := os.Create(out)
		if err != nil {
			return fmt.Errorf("batch: %w", err)
		}
		defer of.Close()
		w = of
	}
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"query_id", "rank", "list", "entry_id", "score"}); err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	var rejected []string
	for row := 1; ; row++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rejected = append(rejected, fmt.Sprintf("%s:%d: %v", in, row, err))
			continue
		}
		if row == 1 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "query_id") {
			continue
		}
		if len(rec) < 2 || strings.TrimSpace(rec[1]) == "" {
			rejected = append(rejected, fmt.Sprintf("%s:%d: want query_id,name[,dob][,country]", in, row))
			continue
		}
		q := screen.Query{Name: rec[1], Limit: top, MinScore: minScore}
		if len(rec) > 2 {
			q.BirthDate = rec[2]
		}
		if len(rec) > 3 {
			q.Country = rec[3]
		}
		for i, h := range ix.Screen(q) {
			if err := cw.Write([]string{rec[0], strconv.Itoa(i + 1), h.List, h.EntryID, strconv.FormatFloat(h.Score, 'f', 4, 64)}); err != nil {
				return fmt.Errorf("batch: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	if len(rejected) > 0 {
		return &PartialError{Rejected: rejected}
	}
	return nil
}

// labelledSetInput reads the UN list at path (default: the shared copy)
// and the labelled-set version named by set.
func labelledSetInput(ctx context.Context, path, set string) ([]watchlist.Entry, eval.Version, error) {
	v, err := parseSetVersion(set)
	if err != nil {
		return nil, 0, err
	}
	if path == "" {
		d, err := shareddata.Dir()
		if err != nil {
			return nil, 0, UsageErrorf("no --un and no shared data: %v", err)
		}
		path = filepath.Join(d, "data/screening/lists/UN_consolidated.xml")
	}
	res, err := watchlist.LoadFile(ctx, path, watchlist.FormatUN, "un", watchlist.Mapping{})
	if err != nil {
		return nil, 0, err
	}
	return res.Entries, v, nil
}

// sharedRenderer loads the Arabic-script renderer from the shared variant
// pairs, or returns nil (with a note on stderr) when they are absent.
func sharedRenderer(env *Env) *eval.Renderer {
	d, err := shareddata.Dir()
	if err == nil {
		var r *eval.Renderer
		if r, err = eval.LoadRenderer(filepath.Join(d, "data/screening/variants")); err == nil {
			return r
		}
	}
	fmt.Fprintf(env.Stderr, "no Arabic-script negatives: %v\n", err)
	return nil
}

func parseSetVersion(s string) (eval.Version, error) {
	switch s {
	case "v1":
		return eval.V1, nil
	case "v2":
		return eval.V2, nil
	}
	return 0, UsageErrorf("--set must be v1 or v2")
}

func screenTrainCmd() *Command {
	c := &Command{
		Name:  "train",
		Short: "fit the screening model on the tuning half of the labelled UN set",
		Usage: "mosaic screen train [--un FILE] [--set v2] [--negatives N] [--out model.json]",
		Long: `Fits the logistic model that scores name alignments (internal/screen/model.json)
on the tuning half of the labelled set built from the UN list (even-numbered
entries, positives seed 1, generated names seed 101) and places
screen.DefaultThreshold at the lowest threshold keeping false alerts on
those generated names at or under --max-far. The test half is not used.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		un := fs.String("un", "", "UN consolidated list XML (default: the shared copy)")
		set := fs.String("set", "v2", "labelled-set version: v1 or v2")
		negatives := fs.Int("negatives", 50000, "generated non-listed names")
		maxFAR := fs.Float64("max-far", 0.001, "false-alert rate at the default threshold")
		l2 := fs.Float64("l2", 1, "ridge penalty on standardised weights")
		out := fs.String("out", "", "write the model here (default: standard output)")
		if err := Parse(fs, args); err != nil {
			return err
		}
		entries, v, err := labelledSetInput(ctx, *un, *set)
		if err != nil {
			return err
		}
		m, err := eval.Train(entries, eval.TrainOptions{Version: v, Negatives: *negatives, MaxFAR: *maxFAR, L2: *l2, Renderer: sharedRenderer(env)})
		if err != nil {
			return err
		}
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		b = append(b, '\n')
		if *out == "" {
			_, err = env.Stdout.Write(b)
			return err
		}
		return os.WriteFile(*out, b, 0o644)
	}
	return c
}

func screenEvalCmd() *Command {
	c := &Command{
		Name:  "eval",
		Short: "measure recall, false alerts and speed on a labelled set from the UN list",
		Usage: "mosaic screen eval [--un FILE] [--negatives N] [--threshold T] [--speed N]",
		Long: `Builds perturbed queries from the UN consolidated list (typos, reordering,
transliteration variants, dropped parts, initials) and generated non-listed
names, then reports recall and the false-alert rate. The threshold is chosen
on the tuning half (even-numbered entries, seed 1) and reported on the test
half (odd-numbered entries, other seeds). Cross-script recall screens the
Arabic-script names against an index holding only the Latin-script names.
--speed N also indexes N synthetic names and measures latency and throughput.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		un := fs.String("un", "", "UN consolidated list XML (default: the shared copy)")
		negatives := fs.Int("negatives", 50000, "generated non-listed names")
		threshold := fs.Float64("threshold", screen.DefaultThreshold, "operating threshold also reported")
		maxFAR := fs.Float64("max-far", 0.001, "false-alert rate the tuned threshold must meet")
		speed := fs.Int("speed", 0, "also measure speed against this many synthetic names")
		speedQueries := fs.Int("speed-queries", 20000, "queries for the speed run")
		set := fs.String("set", "v2", "labelled-set version: v1 (as first built) or v2 (see docs/benchmarks/screen.md)")
		modelPath := fs.String("model", "", "score with this model JSON instead of the built-in one")
		if err := Parse(fs, args); err != nil {
			return err
		}
		entries, v, err := labelledSetInput(ctx, *un, *set)
		if err != nil {
			return err
		}
		o := eval.Options{Version: v, Negatives: *negatives, Threshold: *threshold, MaxFAR: *maxFAR, Renderer: sharedRenderer(env)}
		if *modelPath != "" {
			b, err := os.ReadFile(*modelPath)
			if err != nil {
				return err
			}
			if o.Model, err = screen.ParseModel(b); err != nil {
				return err
			}
		}
		return runScreenEval(env, entries, o, *speed, *speedQueries)
	}
	return c
}

func runScreenEval(env *Env, entries []watchlist.Entry, o eval.Options, speed, speedQueries int) error {
	w := env.Stdout
	ix := screen.NewIndex()
	ix.SetModel(o.Model)
	ix.ReplaceList("un", entries)
	eval.Evaluate(ix, entries, o).Write(w)
	if speed > 0 {
		big, build := eval.BuildLarge(entries, speed, 11)
		big.SetModel(o.Model)
		qs := eval.SpeedQueries(entries, speedQueries, 12)
		s := eval.MeasureSpeed(big, qs, eval.SpeedQueries(entries, speedQueries, 13), runtime.GOMAXPROCS(0))
		fmt.Fprintf(w, "Speed: %d names indexed in %v (heap %.0f MB). %d queries, one at a time: p50 %v, p95 %v, p99 %v; CPU %v per query. Throughput with %d goroutines: %.0f queries/s on queries not screened before, %.0f queries/s on the same queries again.\n",
			s.Names, build.Round(time.Millisecond), s.HeapMB, s.Queries, s.P50, s.P95, s.P99, s.CPUPerQuery, s.Workers, s.FreshQPS, s.QPS)
		fmt.Fprintf(w, "Recall of the test-half positives (set %s) against this large index at threshold %.3f: %.4f\n",
			o.Version, screen.DefaultThreshold, eval.RecallIn(big, entries, o.Version))
	}
	return nil
}
