package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/alert/alertbench"
	"github.com/mosaic-intel/mosaic/internal/alert/alerteval"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

func alertsCmd() *Command {
	c := &Command{
		Name:  "alerts",
		Short: "list and follow alerts; acknowledge, escalate or dismiss them; check and score rules",
		Usage: "mosaic alerts [--data DIR] [--json] [--state S] [--rule R] [--follow [--cursor NAME]] | ack|escalate|dismiss|reopen ID --why TEXT | rules [FILE] | eval | bench",
		Long: `Without a subcommand, lists alerts, most recent activity first. --follow
prints alerts oldest first and then every new or folded alert as it is
committed, until interrupted; it keeps its place in a durable cursor
(DATA/alerts/cursors/NAME.json, --cursor NAME, default "cli"), so a
follower stopped and started again, or outliving a restart of the server,
misses nothing (an alert folded meanwhile is printed once, in its latest
version). --json prints one alert per line. An alert whose rule no longer
holds (resolution split the people it joined) is printed again in state
"withdrawn" (the system's; its history says why); it reopens if the rule
fires again.

Subcommands:
  ack ID --why TEXT        mark an alert acknowledged (who: --who, default $USER)
  escalate ID --why TEXT   mark it escalated
  dismiss ID --why TEXT    dismiss it (new evidence reopens it)
  reopen ID --why TEXT     set it back to new (also a withdrawn one)
  rules [FILE]             check a rules file (default: the data directory's
                           alert-rules.yaml or the built-in rules) and list its rules
  eval --world DIR         ingest a 'mosaic gen' world into a fresh data directory
                           and score each rule's alerts against its truth
  bench                    record in -> alert out latency through the event stream
                           while records flow at --rate per second

See docs/alerts.md.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) > 0 {
			switch args[0] {
			case "ack", "acknowledge":
				return alertStateCmd(ctx, env, c, mosaic.AlertAcknowledged, args[1:])
			case "escalate":
				return alertStateCmd(ctx, env, c, mosaic.AlertEscalated, args[1:])
			case "dismiss":
				return alertStateCmd(ctx, env, c, mosaic.AlertDismissed, args[1:])
			case "reopen":
				return alertStateCmd(ctx, env, c, mosaic.AlertNew, args[1:])
			case "rules":
				return alertRulesCmd(ctx, env, args[1:])
			case "eval":
				return alertEvalCmd(ctx, env, args[1:])
			case "bench":
				return alertBenchCmd(ctx, env, args[1:])
			}
		}
		return alertListCmd(ctx, env, c, args)
	}
	return c
}

func alertListCmd(ctx context.Context, env *Env, c *Command, args []string) error {
	fs := NewFlagSet(env, c)
	df := addDataFlags(fs)
	jsonOut := fs.Bool("json", false, "print one alert per line as JSON")
	state := fs.String("state", "", "only alerts in this state (new, acknowledged, escalated, dismissed, withdrawn)")
	rule := fs.String("rule", "", "only alerts of this rule")
	limit := fs.Int("limit", 100, "most alerts to list (without --follow)")
	follow := fs.Bool("follow", false, "print new and folded alerts as they are committed")
	cursor := fs.String("cursor", "cli", "name of the durable --follow cursor")
	fromStart := fs.Bool("from-start", false, "with --follow: forget the cursor and start from the first alert")
	poll := fs.Duration("poll", 250*time.Millisecond, "with --follow: how often to look for alerts")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return UsageErrorf("unknown argument %q (see mosaic alerts --help)", fs.Arg(0))
	}
	switch *state {
	case "", mosaic.AlertNew, mosaic.AlertAcknowledged, mosaic.AlertEscalated, mosaic.AlertDismissed, mosaic.AlertWithdrawn:
	default:
		return UsageErrorf("--state %q: use new, acknowledged, escalated, dismissed or withdrawn", *state)
	}
	cfg := df.config(env)
	st, err := daemon.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	p := access.Local()
	print := func(a *mosaic.Alert) error {
		if *jsonOut {
			return json.NewEncoder(env.Stdout).Encode(a)
		}
		_, err := fmt.Fprintln(env.Stdout, alertLine(a))
		return err
	}
	if !*follow {
		as, err := st.Alerts(ctx, p, store.AlertFilter{State: *state, Rule: *rule, Limit: *limit})
		if err != nil {
			return err
		}
		if err := stages.EntitiesNow(ctx, st, as...); err != nil { // screening alerts name mentions
			return err
		}
		for _, a := range as {
			if err := print(a); err != nil {
				return err
			}
		}
		if len(as) == 0 && !*jsonOut {
			fmt.Fprintln(env.Stderr, "no alerts")
		}
		return nil
	}
	if strings.ContainsAny(*cursor, "/\\") || *cursor == "" {
		return UsageErrorf("--cursor %q: give a plain name", *cursor)
	}
	cf := alert.CursorFile(filepath.Join(cfg.DataDir, "alerts", "cursors", *cursor+".json"))
	cur, err := cf.Load()
	if err != nil {
		return err
	}
	if *fromStart {
		cur = alert.Cursor{}
	}
	feed := &alert.Feed{Store: st, Principal: p, State: *state, Rule: *rule}
	return feed.Follow(ctx, cur, nil, *poll, func(as []*mosaic.Alert, next alert.Cursor) error {
		if err := stages.EntitiesNow(ctx, st, as...); err != nil {
			return err
		}
		for _, a := range as {
			if err := print(a); err != nil {
				return err
			}
		}
		if f, ok := env.Stdout.(interface{ Sync() error }); ok {
			_ = f.Sync()
		}
		return cf.Save(next) // only once printed: at least once
	})
}

// alertLine is one alert on one line.
func alertLine(a *mosaic.Alert) string {
	return fmt.Sprintf("%s  %-12s %-24s %.2f  x%-3d %s  %s",
		a.Last.Local().Format("2006-01-02 15:04:05"), a.State, a.Rule, a.Score, a.Count, a.ID, oneLine(a.Title, 100))
}

func alertStateCmd(ctx context.Context, env *Env, parent *Command, state string, args []string) error {
	c := &Command{Name: parent.Name, Short: "change an alert's state",
		Usage: "mosaic alerts ack|escalate|dismiss|reopen ID --why TEXT [--who NAME] [--data DIR]"}
	fs := NewFlagSet(env, c)
	df := addDataFlags(fs)
	why := fs.String("why", "", "why (recorded in the alert's history; required)")
	who := fs.String("who", "", "who (default $USER)")
	jsonOut := fs.Bool("json", false, "print the alert as JSON")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return UsageErrorf("give one alert ID")
	}
	if strings.TrimSpace(*why) == "" {
		return UsageErrorf("--why is required: say why the alert is %s", state)
	}
	name := *who
	if name == "" {
		name = firstNonEmptyEnv(env, "USER", "LOGNAME")
	}
	if name == "" {
		name = "local"
	}
	st, err := daemon.OpenStore(ctx, df.config(env))
	if err != nil {
		return err
	}
	defer st.Close()
	id := mosaic.ID(fs.Arg(0))
	if err := st.Update(ctx, func(tx store.Tx) error {
		return tx.SetAlertState(ctx, id, mosaic.AlertChange{State: state, Who: name, Why: *why})
	}); err != nil {
		return err
	}
	a, err := st.Alert(ctx, access.Local(), id)
	if err != nil {
		return err
	}
	if err := stages.EntitiesNow(ctx, st, a); err != nil {
		return err
	}
	if *jsonOut {
		return json.NewEncoder(env.Stdout).Encode(a)
	}
	fmt.Fprintf(env.Stdout, "%s is now %s (by %s: %s)\n", a.ID, a.State, name, *why)
	return nil
}

func firstNonEmptyEnv(env *Env, names ...string) string {
	get := env.Getenv
	if get == nil {
		get = os.Getenv
	}
	for _, n := range names {
		if v := get(n); v != "" {
			return v
		}
	}
	return ""
}

func alertRulesCmd(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "rules", Short: "check a rules file", Usage: "mosaic alerts rules [--data DIR] [--default] [FILE]"}
	fs := NewFlagSet(env, c)
	data := fs.String("data", daemon.DefaultDataDir, "data directory (its alert-rules.yaml)")
	printDefault := fs.Bool("default", false, "print the built-in rules file")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if *printDefault {
		_, err := env.Stdout.Write(alert.DefaultRulesYAML())
		return err
	}
	var rs *alert.RuleSet
	var err error
	var from string
	switch fs.NArg() {
	case 0:
		rs, err = alert.RulesFor(*data)
		from = filepath.Join(*data, alert.RulesFile)
		if _, serr := os.Stat(from); serr != nil {
			from = "built-in rules"
		}
	case 1:
		from = fs.Arg(0)
		rs, err = alert.LoadRules(from)
	default:
		return UsageErrorf("give at most one rules file")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: %d rules, %d association paths (hub limit %d), subjects from %s\n", from, len(rs.Rules),
		len(rs.Associations.Paths), rs.Associations.MaxFanout, describeSubjects(rs))
	for _, r := range rs.Rules {
		fmt.Fprintf(env.Stdout, "  %-26s %-14s on %s.%s, key %s: %s\n", r.Name, "", r.Record, r.Who, r.Key, r.Title)
	}
	return nil
}

func describeSubjects(rs *alert.RuleSet) string {
	var parts []string
	for _, s := range rs.Subjects {
		if s.Alert != "" {
			parts = append(parts, fmt.Sprintf("%s alerts (score >= %.2f)", s.Alert, s.MinScore))
		} else {
			parts = append(parts, string(s.Record)+" records")
		}
	}
	return strings.Join(parts, ", ")
}

func alertEvalCmd(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "eval", Short: "score rules against a generated world",
		Usage: "mosaic alerts eval (--world DIR | --people N [--seed S]) [--order watchlist-first|watchlist-last] [--rules FILE] [--dir DIR] [--json] [--misses]"}
	fs := NewFlagSet(env, c)
	world := fs.String("world", "", "a 'mosaic gen' output directory")
	people := fs.Int("people", 0, "generate a world of this many people instead")
	seed := fs.Uint64("seed", 1, "world seed (with --people)")
	order := fs.String("order", string(alerteval.WatchlistFirst), "ingest order: watchlist-first or watchlist-last (every alert raised retrospectively)")
	dir := fs.String("dir", "", "scratch directory (default: a temporary one, removed afterwards)")
	jsonOut := fs.Bool("json", false, "print the scores as JSON")
	misses := fs.Bool("misses", false, "list missed patterns and false records")
	rulesFile := fs.String("rules", "", "rules file to score (default: the built-in rules)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if (*world == "") == (*people == 0) {
		return UsageErrorf("give --world DIR or --people N")
	}
	o := alerteval.Order(*order)
	if o != alerteval.WatchlistFirst && o != alerteval.WatchlistLast {
		return UsageErrorf("--order %q: use watchlist-first or watchlist-last", *order)
	}
	scratch := *dir
	if scratch == "" {
		d, err := os.MkdirTemp("", "mosaic-alerts-eval-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		scratch = d
	}
	w := *world
	if w == "" {
		w = filepath.Join(scratch, "world")
		if _, err := gen.Generate(ctx, gen.Options{Out: w, People: *people, Seed: *seed}); err != nil {
			return err
		}
	}
	data := filepath.Join(scratch, "data-"+*order)
	if err := os.RemoveAll(data); err != nil { // a scratch directory: start afresh
		return err
	}
	res, err := alerteval.RunWorld(ctx, alerteval.RunOptions{World: w, DataDir: data, Order: o, RulesFile: *rulesFile})
	if err != nil {
		return err
	}
	if *jsonOut {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{"world": w, "order": o, "items": res.Items,
			"seconds": res.Ingest.Seconds(), "scores": res.Scores, "recheck": res.Recheck})
	}
	fmt.Fprintf(env.Stdout, "world %s, %s: %d items through the pipeline in %.1fs, %d patterns\n", w, o, res.Items, res.Ingest.Seconds(), res.Patterns)
	alerteval.Report(env.Stdout, res.Scores)
	rc := res.Recheck
	fmt.Fprintf(env.Stdout, "withdrawal: %d evaluations compared %d alert signatures, re-checked %d alerts, withdrew %d (%d open at the end), in %.2fs\n",
		rc.Passes, rc.Compared, rc.Rechecked, rc.Withdrawn, rc.Open, rc.Time.Seconds())
	if *misses {
		printMisses(env.Stdout, res.Scores)
	}
	return nil
}

func printMisses(w io.Writer, scores []alerteval.Score) {
	for _, s := range scores {
		for _, m := range s.Missed {
			fmt.Fprintf(w, "missed %s %s: %s\n", m.Rule, m.ID, m.Description)
		}
		if len(s.FalseRecords) > 0 {
			fmt.Fprintf(w, "false %s: %s\n", s.Rule, strings.Join(s.FalseRecords, " "))
		}
	}
}

func alertBenchCmd(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "bench", Short: "alert latency while records flow",
		Usage: "mosaic alerts bench [--people N | --world DIR] [--rate R] [--duration D] [--tick D] [--via-api] [--dir DIR] [--json]",
		Long: `Loads a generated world's watch list and person register into a fresh embedded
data directory, then commits every other record of the world in date order at
--rate records per second through the whole pipeline, and times each record
that completes an alert on its own (travel by a watch-listed person, a visit to
a prisoner of concern) from its commit to the arrival of its alert at a client
of the server-sent-events stream (GET /api/v1/alerts/stream, real HTTP on
loopback). With --via-api the records are sent instead as a feed would send them:
each tick's records as JSON Lines to POST /api/v1/ingest over the same HTTP
server, one request per record kind, timed from just before the request. See
docs/benchmarks/alerts.md.`}
	fs := NewFlagSet(env, c)
	people := fs.Int("people", 20_000, "population of the generated world")
	seed := fs.Uint64("seed", 1, "world seed")
	world := fs.String("world", "", "use this 'mosaic gen' output instead of generating one")
	rate := fs.Float64("rate", 5000, "records per second")
	duration := fs.Duration("duration", 0, "stop streaming after this long (default: when the world's records run out)")
	tick := fs.Duration("tick", 20*time.Millisecond, "how often the producer commits what is due")
	viaAPI := fs.Bool("via-api", false, "send the records to POST /api/v1/ingest instead of committing them directly")
	dir := fs.String("dir", "", "scratch directory (default: a temporary one, removed afterwards)")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to FILE")
	traceFile := fs.String("trace", "", "write an execution trace of the run to FILE (go tool trace; large: keep --duration short)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	stopTrace, err := startTrace(*traceFile)
	if err != nil {
		return err
	}
	defer stopTrace()
	scratch := *dir
	if scratch == "" {
		d, err := os.MkdirTemp("", "mosaic-alerts-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		scratch = d
	}
	rep, err := alertbench.Run(ctx, alertbench.Options{People: *people, Seed: *seed, World: *world, Dir: scratch, Rate: *rate, Duration: *duration, Tick: *tick, ViaAPI: *viaAPI})
	if err != nil {
		return err
	}
	if *jsonOut {
		return json.NewEncoder(env.Stdout).Encode(rep)
	}
	w := env.Stdout
	fmt.Fprintf(w, "world %s: preloaded %d watch-list and register records\n", rep.World, rep.PreloadRecords)
	fmt.Fprintf(w, "streamed %d records in %.1fs: %.0f/s (target %.0f/s); backlog when streaming stopped %d items, drained in %.1fs\n",
		rep.Records, rep.Seconds, rep.AchievedRate, rep.TargetRate, rep.BacklogAtEnd, rep.DrainSeconds)
	fmt.Fprintf(w, "record in -> alert out (SSE), %d of %d probes alerted: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		rep.ProbesAlerted, rep.Probes, rep.Latency.P50, rep.Latency.P90, rep.Latency.P99, rep.Latency.Max)
	for _, k := range []struct {
		name string
		l    alertbench.Latency
	}{{"watch-list screening alerts, every streamed record they cite", rep.Screening}, {"watch-list screening alerts, probes", rep.ScreeningProbes}, {"rule alerts, probes", rep.Rules}} {
		fmt.Fprintf(w, "  %s: %d records: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
			k.name, k.l.N, k.l.P50, k.l.P90, k.l.P99, k.l.Max)
	}
	fmt.Fprintf(w, "where the time goes, per transaction (%d ms polls):", alertbench.PathPoll.Milliseconds())
	for _, p := range rep.Path {
		fmt.Fprintf(w, " %s p50 %.0f / p99 %.0f ms;", p.Stage, p.Latency.P50, p.Latency.P99)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%d alert events; CPU %.1fs; load average %s\n", rep.Events, rep.CPUSeconds, rep.LoadAverage)
	for _, s := range rep.Stages {
		fmt.Fprintf(w, "  stage %-8s %6d batches, mean %7.1f ms per batch, %.0f items\n", s.Stage, s.Batches, s.MeanMS, s.Items)
	}
	if len(rep.Writers) > 0 {
		fmt.Fprintln(w, "the store's writer, by who held it (p50/p99: histogram bucket bounds, read as at most):")
	}
	for _, s := range rep.Writers {
		fmt.Fprintf(w, "  %-14s %6d transactions, waited mean %6.1f / p99 %6.1f ms, held %6.2f s in all, p50 %6.1f / p99 %6.1f ms, commit p99 %6.1f ms\n",
			s.Writer, s.Transactions, s.WaitMeanMS, s.WaitP99MS, s.HoldSeconds, s.HoldP50MS, s.HoldP99MS, s.CommitP99MS)
	}
	return nil
}
