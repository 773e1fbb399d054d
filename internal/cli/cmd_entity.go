package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

const entityLong = `Analysts' judgements on resolved entities. A and B are entity IDs (ent-…)
or mention IDs (rec-…/m-ROLE, doc-…/m-…); an entity stands for its
representative mention. Judgements are kept in the store's judgement log and
applied transitively by the resolve stage: "same" joins two entities, "not
same" keeps them apart whatever later records say, "split" takes one mention
out of its entity, "undo" withdraws a judgement. They survive restarts.

When 'mosaic serve' (or another process) owns the data directory, the command
only stores the judgement and waits (up to --wait) for the running server to
apply it: there is never a second resolution engine. Otherwise it restores the
engine from the store, applies the judgement and writes what moved.`

func entityCmd() *Command {
	return &Command{
		Name:  "entity",
		Short: "judge, merge, split and explain resolved entities",
		Usage: "mosaic entity merge|split|judge|undo|explain|judgements ...",
		Long:  entityLong,
		Subs: []*Command{
			entityJudgeCmd("merge", "judge two entities (or mentions) the same", "mosaic entity merge [FLAGS] A B", 2),
			entityJudgeCmd("split", "take a mention out of its entity", "mosaic entity split [FLAGS] MENTION", 1),
			entityJudgeCmd("judge", "judge two entities (or mentions) the same or different", "mosaic entity judge [FLAGS] A B same|different", 3),
			entityJudgeCmd("undo", "withdraw the judgement between two mentions", "mosaic entity undo [FLAGS] A B", 2),
			entityExplainCmd(),
			entityJudgementsCmd(),
		},
	}
}

type judgeFlags struct {
	data   *dataFlags
	by     *string
	note   *string
	wait   *time.Duration
	asJSON *bool
}

func addJudgeFlags(fs *flag.FlagSet) judgeFlags {
	return judgeFlags{
		data:   addDataFlags(fs),
		by:     fs.String("by", "", "who judges (default $USER)"),
		note:   fs.String("note", "", "why"),
		wait:   fs.Duration("wait", 30*time.Second, "how long to wait for a running server to apply the judgement"),
		asJSON: fs.Bool("json", false, "print JSON"),
	}
}

func entityJudgeCmd(name, short, usage string, nargs int) *Command {
	c := &Command{Name: name, Short: short, Usage: usage, Long: entityLong}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		jf := addJudgeFlags(fs)
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() != nargs {
			return UsageErrorf("usage: %s", usage)
		}
		j := store.Judgement{A: mosaic.ID(fs.Arg(0)), Note: *jf.note, By: *jf.by}
		switch name {
		case "merge":
			j.B, j.Verdict = mosaic.ID(fs.Arg(1)), store.VerdictSame
		case "split":
			j.Verdict = store.VerdictSplit
			if strings.HasPrefix(string(j.A), mosaic.PrefixEntity+"-") {
				return UsageErrorf("split takes a mention ID (the mention to take out of its entity), not an entity ID")
			}
		case "undo":
			j.B, j.Verdict = mosaic.ID(fs.Arg(1)), store.VerdictUndo
		case "judge":
			j.B = mosaic.ID(fs.Arg(1))
			v, err := resolve.ParseVerdict(fs.Arg(2))
			if err != nil {
				return UsageErrorf("%v", err)
			}
			j.Verdict = store.VerdictSame
			if v == resolve.NotSame {
				j.Verdict = store.VerdictNotSame
			}
		}
		if j.By == "" && env.Getenv != nil {
			j.By = env.Getenv("USER")
		}
		return runJudgement(ctx, env, jf, j)
	}
	return c
}

// runJudgement stores a judgement and has it applied: here when this
// process owns the data directory, else by the process that does.
func runJudgement(ctx context.Context, env *Env, jf judgeFlags, j store.Judgement) error {
	n, err := daemon.Open(ctx, jf.data.config(env))
	if err != nil {
		return err
	}
	defer n.Close()
	if j.A, err = stages.Mention(ctx, n.Store, j.A); err != nil {
		return err
	}
	if j.B != "" {
		if j.B, err = stages.Mention(ctx, n.Store, j.B); err != nil {
			return err
		}
	}
	owner := n.Owner && *jf.data.nats == ""
	if owner {
		// Restore the engine (and apply judgements left pending) first.
		if err := n.Start(ctx); err != nil {
			return err
		}
	}
	if err := n.Store.Update(ctx, func(tx store.Tx) error { return tx.PutJudgement(ctx, &j) }); err != nil {
		return err
	}
	res := stages.JudgementOutcome{Judgement: j}
	if owner {
		outs, err := n.Resolve.ApplyJudgements(ctx, n.Store)
		if err != nil {
			return err
		}
		for _, o := range outs {
			if o.Judgement.Seq == j.Seq {
				res = o
			}
		}
	}
	deadline := time.Now().Add(*jf.wait)
	for res.Judgement.State == store.JudgementPending && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		got, err := n.Store.Judgement(ctx, j.Seq)
		if err != nil {
			return err
		}
		res.Judgement = *got
	}
	return printOutcome(env.Stdout, res, *jf.asJSON)
}

func printOutcome(w io.Writer, o stages.JudgementOutcome, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(o)
	}
	j := o.Judgement
	what := fmt.Sprintf("%s %s %s", j.Verdict, j.A, j.B)
	switch j.State {
	case store.JudgementPending:
		fmt.Fprintf(w, "judgement %d (%s) stored; the running server has not applied it yet (see 'mosaic entity judgements')\n", j.Seq, what)
		return nil
	case store.JudgementRejected:
		return fmt.Errorf("judgement %d (%s) rejected: %s", j.Seq, what, j.Result)
	}
	fmt.Fprintf(w, "judgement %d (%s) applied: %s\n", j.Seq, what, j.Result)
	for _, m := range o.Moves {
		fmt.Fprintf(w, "  %s: %s -> %s\n", m.Mention, m.From, m.To)
	}
	for _, d := range o.Derived {
		fmt.Fprintf(w, "  recorded judgement %d: not-same %s %s\n", d.Seq, d.A, d.B)
	}
	return nil
}

func entityExplainCmd() *Command {
	c := &Command{
		Name:  "explain",
		Short: "say why two entities (or mentions) match or not, feature by feature",
		Usage: "mosaic entity explain [--data DIR] [--server URL] [--json] A B",
		Long: `Scores A against B with the resolution engine and prints each feature's
contribution in bits ("name ... close variant: +4.1; dob equal: +6.3; id:passport
differs: -8.0"), the prior, the total and the match probability, whether the
pair can join entities on its own (a strong link) or only when no rival bearer
of the name is known (a weak link), what keeps the two entities apart, any
judgement on the pair, and the links that tie A to its entity.

When 'mosaic serve' owns the data directory, give its address with --server
(the engine lives in the server); otherwise the engine is restored from the
store for the question.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		df := addDataFlags(fs)
		server := fs.String("server", "", "ask a running 'mosaic serve' at this URL (e.g. http://127.0.0.1:8080)")
		asJSON := fs.Bool("json", false, "print JSON")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() != 2 {
			return UsageErrorf("usage: %s", c.Usage)
		}
		if *server != "" {
			return explainRemote(ctx, env, *server, fs.Arg(0), fs.Arg(1), *asJSON)
		}
		n, err := daemon.Open(ctx, df.config(env))
		if err != nil {
			return err
		}
		defer n.Close()
		if !n.Owner || *df.nats != "" {
			return fmt.Errorf("%s is owned by a running server, which holds the resolution engine: ask it with --server URL", *df.dir)
		}
		a, err := stages.Mention(ctx, n.Store, mosaic.ID(fs.Arg(0)))
		if err != nil {
			return err
		}
		b, err := stages.Mention(ctx, n.Store, mosaic.ID(fs.Arg(1)))
		if err != nil {
			return err
		}
		if err := n.Start(ctx); err != nil {
			return err
		}
		eng := n.Resolve.Engine()
		x, err := eng.Explain(string(a), string(b))
		if err != nil {
			return err
		}
		links, err := eng.Links(string(a))
		if err != nil {
			return err
		}
		return printExplanation(env.Stdout, explained{A: a, B: b, Explanation: x, Text: x.String(), Links: links}, *asJSON)
	}
	return c
}

// explained mirrors the HTTP API's explain answer.
type explained struct {
	A           mosaic.ID           `json:"a"`
	B           mosaic.ID           `json:"b"`
	Explanation resolve.Explanation `json:"explanation"`
	Text        string              `json:"text"`
	Links       []resolve.Link      `json:"links"`
}

func explainRemote(ctx context.Context, env *Env, server, a, b string, asJSON bool) error {
	u := strings.TrimRight(server, "/") + "/api/v1/entities/" + url.PathEscape(a) + "/explain?other=" + url.QueryEscape(b)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", u, resp.Status, strings.TrimSpace(string(body)))
	}
	var x explained
	if err := json.Unmarshal(body, &x); err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	return printExplanation(env.Stdout, x, asJSON)
}

func printExplanation(w io.Writer, x explained, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(x)
	}
	e := x.Explanation
	fmt.Fprintf(w, "%s ~ %s\n", x.A, x.B)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	for _, c := range e.Contributions {
		hub := ""
		if c.Hub {
			hub = "  (hub: cannot join alone)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%+.1f bits%s\n", c.Feature, c.Detail, c.Weight, hub)
	}
	fmt.Fprintf(tw, "  prior\t\t%+.1f bits\n", e.Prior)
	fmt.Fprintf(tw, "  total\t\t%+.1f bits\tp=%.4f\n", e.Weight, e.Probability)
	tw.Flush()
	fmt.Fprintf(w, "link %s, decision %s", e.Link, e.Action)
	if e.SameCluster {
		fmt.Fprint(w, "; same entity now")
	}
	if e.Judgement != "" {
		fmt.Fprintf(w, "; judged %s", e.Judgement)
	}
	if len(e.Alternatives) > 0 {
		fmt.Fprintf(w, "; ambiguous, also fits %s", strings.Join(e.Alternatives, ", "))
	}
	if e.Conflict != "" {
		fmt.Fprintf(w, "; entities kept apart: %s", e.Conflict)
	}
	fmt.Fprintln(w)
	if len(x.Links) > 0 {
		fmt.Fprintf(w, "links of %s:\n", x.A)
		for _, l := range x.Links {
			kind := "possible"
			if l.Merge {
				kind = "merge"
			}
			fmt.Fprintf(w, "  %s  p=%.4f  %s (entity of %s)\n", l.Record, l.Probability, kind, l.Cluster)
		}
	}
	return nil
}

func entityJudgementsCmd() *Command {
	c := &Command{
		Name:  "judgements",
		Short: "list the judgement log",
		Usage: "mosaic entity judgements [--data DIR] [--state pending|applied|rejected] [--json] [MENTION]",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		df := addDataFlags(fs)
		state := fs.String("state", "", "pending, applied or rejected")
		asJSON := fs.Bool("json", false, "print JSON")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() > 1 {
			return UsageErrorf("usage: %s", c.Usage)
		}
		st, err := daemon.OpenStore(ctx, df.config(env))
		if err != nil {
			return err
		}
		defer st.Close()
		js, err := st.Judgements(ctx, store.JudgementFilter{State: *state, Mention: mosaic.ID(fs.Arg(0))})
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(js)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tAT\tBY\tVERDICT\tA\tB\tSTATE\tRESULT\tNOTE")
		for _, j := range js {
			note := j.Note
			if j.Origin != 0 {
				note = strings.TrimSpace(fmt.Sprintf("from %d %s", j.Origin, note))
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j.Seq, j.At.Format(time.RFC3339), j.By, j.Verdict, j.A, j.B, j.State, j.Result, note)
		}
		return tw.Flush()
	}
	return c
}
