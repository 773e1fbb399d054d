package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/mosaic-intel/mosaic/internal/extract"
	"github.com/mosaic-intel/mosaic/internal/extract/conll"
	"github.com/mosaic-intel/mosaic/internal/extract/ner"
)

func extractCmd() *Command {
	c := &Command{
		Name:  "extract",
		Short: "find entities, aliases, relations and events in text",
		Usage: "mosaic extract [--json] [--date YYYY-MM-DD] FILE... | mosaic extract --format conll [--word-col N] [--eval] [FILE...]",
		Long: `Reads each text FILE ("-" for standard input) and prints the entities
(byte offsets, type, text, ISO value, cluster), aliases, relations and events
found in it. The document date used for relative dates ("last month") is
--date, else the first full date near the top of the text.

With --format conll it reads CoNLL-style lines (word in the first column, or
--word-col; blank lines between sentences; -DOCSTART- and # lines kept) from
the files or standard input and writes every line back with one predicted
IOB2 tag column appended. --eval instead prints a conlleval-style score
against the gold tag in the last column (or --tag-col).`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		asJSON := fs.Bool("json", false, "print one JSON object per file")
		format := fs.String("format", "text", "input format: text or conll")
		dateStr := fs.String("date", "", "document date for relative dates (YYYY-MM-DD)")
		wordCol := fs.Int("word-col", 0, "conll: column of the word (0-based; negative counts from the end)")
		tagCol := fs.Int("tag-col", -1, "conll --eval: column of the gold tag")
		eval := fs.Bool("eval", false, "conll: score against the gold column instead of writing tags")
		types := fs.String("types", "", "conll --eval: score only these types (e.g. PER,ORG,LOC)")
		sentDocs := fs.Bool("sentence-docs", false, "conll: treat every sentence as its own document (tweets)")
		if err := Parse(fs, args); err != nil {
			return err
		}
		var docDate time.Time
		if *dateStr != "" {
			t, err := time.Parse("2006-01-02", *dateStr)
			if err != nil {
				return UsageErrorf("--date: %v", err)
			}
			docDate = t
		}
		x, err := extract.New()
		if err != nil {
			return err
		}
		switch *format {
		case "conll":
			return extractCoNLL(env, x.Tagger(), fs.Args(), conllOpts{
				cols: conll.Columns{WordCol: *wordCol, TagCol: *tagCol}, eval: *eval, sentDocs: *sentDocs, types: *types,
			})
		case "text":
		default:
			return UsageErrorf("--format %q: want text or conll", *format)
		}
		if fs.NArg() == 0 {
			return UsageErrorf("no input files (use - for standard input)")
		}
		var rejected []string
		for _, p := range fs.Args() {
			if err := ctx.Err(); err != nil {
				return err
			}
			b, err := readInput(env, p)
			if err != nil {
				rejected = append(rejected, fmt.Sprintf("%s: %v", p, err))
				continue
			}
			text := string(b)
			dd := docDate
			if dd.IsZero() {
				dd = extract.DocumentDate(text)
			}
			res := x.Extract(text, dd)
			if *asJSON {
				out := struct {
					File string `json:"file"`
					Date string `json:"date,omitempty"`
					*extract.Result
				}{File: p, Result: res}
				if !dd.IsZero() {
					out.Date = dd.Format("2006-01-02")
				}
				enc := json.NewEncoder(env.Stdout)
				if err := enc.Encode(out); err != nil {
					return err
				}
				continue
			}
			printResult(env.Stdout, p, dd, res)
		}
		if len(rejected) > 0 {
			return &PartialError{Rejected: rejected}
		}
		return nil
	}
	return c
}

func readInput(env *Env, p string) ([]byte, error) {
	if p == "-" {
		return io.ReadAll(env.Stdin)
	}
	return os.ReadFile(p)
}

func printResult(w io.Writer, file string, dd time.Time, r *extract.Result) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	fmt.Fprintf(bw, "== %s", file)
	if !dd.IsZero() {
		fmt.Fprintf(bw, " (date %s)", dd.Format("2006-01-02"))
	}
	fmt.Fprintf(bw, "\n%d sentences, %d entities, %d aliases, %d relations, %d events\n",
		len(r.Sentences), len(r.Entities), len(r.Aliases), len(r.Relations), len(r.Events))
	name := func(i int) string {
		if i < 0 || i >= len(r.Entities) {
			return "-"
		}
		return fmt.Sprintf("%q", r.Entities[i].Text)
	}
	fmt.Fprintln(bw, "entities:")
	for i, e := range r.Entities {
		norm := ""
		if e.Normalized != "" {
			norm = " = " + e.Normalized
		}
		fmt.Fprintf(bw, "  [%d] %d-%d %-8s %q%s (cluster %d)\n", i, e.Start, e.End, e.Type, e.Text, norm, e.Cluster)
	}
	if len(r.Aliases) > 0 {
		fmt.Fprintln(bw, "aliases:")
		for _, a := range r.Aliases {
			fmt.Fprintf(bw, "  %s aka %s (%s) @%d-%d\n", name(a.Entity), name(a.Alias), a.Kind, a.Evidence.Start, a.Evidence.End)
		}
	}
	if len(r.Relations) > 0 {
		fmt.Fprintln(bw, "relations:")
		for _, rel := range r.Relations {
			det := ""
			if rel.Detail != "" {
				det = fmt.Sprintf(" [%s]", rel.Detail)
			}
			fmt.Fprintf(bw, "  %s %s %s%s conf %.2f @%d-%d\n", name(rel.Subject), rel.Predicate, name(rel.Object), det, rel.Confidence, rel.Evidence.Start, rel.Evidence.End)
		}
	}
	if len(r.Events) > 0 {
		fmt.Fprintln(bw, "events:")
		for _, ev := range r.Events {
			var parts []string
			for _, p := range ev.Participants {
				parts = append(parts, name(p))
			}
			var figs []string
			for k, v := range ev.Figures {
				figs = append(figs, fmt.Sprintf("%s=%d", k, v))
			}
			sort.Strings(figs)
			fmt.Fprintf(bw, "  %s @%d-%d date=%s place=%s participants=[%s] figures=[%s]\n", ev.Type, ev.Trigger.Start, ev.Trigger.End,
				ev.Date, name(ev.Place), strings.Join(parts, ", "), strings.Join(figs, " "))
		}
	}
}

// extractCoNLL tags CoNLL lines and writes them back with a tag column,
// or scores them with --eval.
type conllOpts struct {
	cols     conll.Columns
	eval     bool
	sentDocs bool
	types    string
}

func keepTypes(ents []ner.Entity, types string) []ner.Entity {
	if types == "" {
		return ents
	}
	var out []ner.Entity
	for _, e := range ents {
		for _, t := range strings.Split(types, ",") {
			if strings.TrimSpace(t) == e.Type {
				out = append(out, e)
			}
		}
	}
	return out
}

func extractCoNLL(env *Env, t *ner.Tagger, paths []string, o conllOpts) error {
	cols, eval := o.cols, o.eval
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	score := conll.NewScore()
	bw := bufio.NewWriter(env.Stdout)
	defer bw.Flush()
	for _, p := range paths {
		var r io.Reader = env.Stdin
		if p != "-" {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		cf, err := conll.Read(r)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		tags := make([]string, len(cf.Lines))
		docs := cf.Documents
		if o.sentDocs {
			docs = nil
			for _, d := range cf.Documents {
				for _, s := range d.Sentences {
					docs = append(docs, conll.Document{Sentences: []conll.Sentence{s}})
				}
			}
		}
		for _, d := range docs {
			nd := make(ner.Doc, len(d.Sentences))
			for s, sent := range d.Sentences {
				ws := cf.Words(sent, cols)
				for i := range ws {
					ws[i] = extract.NormalizeToken(ws[i])
				}
				nd[s] = ws
			}
			for s, ents := range t.Tag(nd) {
				sent := d.Sentences[s]
				iob := ner.IOB2(len(sent.Lines), ents)
				for i, li := range sent.Lines {
					tags[li] = iob[i]
				}
				if eval {
					n := len(sent.Lines)
					score.Add(ner.IOB2(n, keepTypes(ner.FromTags(cf.Tags(sent, cols)), o.types)), ner.IOB2(n, keepTypes(ents, o.types)))
				}
			}
		}
		if eval {
			continue
		}
		for i, l := range cf.Lines {
			switch l.Kind() {
			case conll.Blank, conll.Comment:
				fmt.Fprintln(bw, l.Raw)
			case conll.DocStart:
				fmt.Fprintln(bw, l.Raw+" O")
			default:
				fmt.Fprintln(bw, l.Raw+" "+tags[i])
			}
		}
	}
	if eval {
		score.Write(bw)
	}
	return nil
}
