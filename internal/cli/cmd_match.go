package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/resolve/eval"
	"github.com/mosaic-intel/mosaic/internal/resolve/genworld"
	"github.com/mosaic-intel/mosaic/internal/resolve/tabular"
)

func matchCmd() *Command {
	c := &Command{
		Name:  "match",
		Short: "deduplicate one CSV file or link two (entity resolution)",
		Usage: "mosaic match --left A.csv [--right B.csv] --map field=column,... [--truth COLUMN] --out clusters.csv",
		Long: `Resolves the rows of one CSV file (deduplication) or of two (linkage) with
the same engine as the pipeline's resolve stage, and writes record_id,cluster_id.
When two files are given, record IDs are written as left:ID and right:ID.

--map targets: id, type, name (repeatable: aliases), dob, address, country,
id:KIND (passport, phone, email, ...), attr:NAME (other text); "a+b" joins
columns. Example (Febrl):
  --map id=rec_id,name=given_name+surname,dob=date_of_birth,id:ssn=soc_sec_id,address=street_number+address_1+address_2,attr:suburb=suburb,attr:postcode=postcode,attr:state=state

--truth COLUMN prints pairwise and B-cubed precision, recall and F1 and the
blocking recall; --truth-pattern REGEX takes the truth from the first group
of REGEX matched against that column (e.g. 'rec-(\d+)-' for Febrl).`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		left := fs.String("left", "", "CSV file to deduplicate (or the left file to link)")
		world := fs.String("world", "", "instead of CSV files: resolve the person mentions of a `mosaic gen` world directory, scored against its truth")
		named := fs.Bool("named", false, "with --world: leave out mentions without a name (phone-only communication ends)")
		right := fs.String("right", "", "second CSV file to link with --left")
		mapping := fs.String("map", "", "field mapping target=column[+column],...")
		rightMap := fs.String("right-map", "", "field mapping for --right (default: --map)")
		truth := fs.String("truth", "", "column holding the true cluster (prints quality)")
		truthPat := fs.String("truth-pattern", "", "regular expression whose first group is the truth within --truth")
		out := fs.String("out", "", "output CSV of record_id,cluster_id (- for stdout)")
		mergeAt := fs.Float64("merge-at", 0.9, "match probability at which records merge")
		possibleAt := fs.Float64("possible-at", 0.5, "match probability at which pairs go to review")
		modelOut := fs.String("model-out", "", "write the estimated model (JSON) here")
		modelIn := fs.String("model", "", "use this model (JSON) instead of estimating one")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if *world != "" && *out != "" {
			return matchWorld(ctx, env, *world, *out, *named, *mergeAt, *possibleAt)
		}
		if *left == "" || *mapping == "" || *out == "" {
			return UsageErrorf("match needs --left, --map and --out (or --world and --out)")
		}
		m, err := tabular.ParseMapping(*mapping)
		if err != nil {
			return UsageErrorf("%v", err)
		}
		rm := m
		if *rightMap != "" {
			if rm, err = tabular.ParseMapping(*rightMap); err != nil {
				return UsageErrorf("%v", err)
			}
		}
		var pat *regexp.Regexp
		if *truthPat != "" {
			if pat, err = regexp.Compile(*truthPat); err != nil {
				return UsageErrorf("--truth-pattern: %v", err)
			}
		}
		start := time.Now()
		prefix := ""
		if *right != "" {
			prefix = "left:"
		}
		type input struct {
			path, prefix string
			m            tabular.Mapping
		}
		files := []input{{*left, prefix, m}}
		if *right != "" {
			files = append(files, input{*right, "right:", rm})
		}
		var records []resolve.Record
		truthOf := map[string]string{}
		for _, f := range files {
			file, err := readCSV(f.path, f.m, f.prefix, *truth)
			if err != nil {
				return err
			}
			records = append(records, file.Records...)
			for id, t := range file.Truth {
				if pat != nil {
					sm := pat.FindStringSubmatch(t)
					if len(sm) < 2 {
						return fmt.Errorf("match: truth %q of %s does not match --truth-pattern", t, id)
					}
					t = sm[1]
				}
				truthOf[id] = t
			}
		}
		cfg := resolve.Config{MergeAt: *mergeAt, PossibleAt: *possibleAt}
		if *modelIn != "" {
			b, err := os.ReadFile(*modelIn)
			if err != nil {
				return fmt.Errorf("match: %w", err)
			}
			cfg.Model = new(resolve.Model)
			if err := json.Unmarshal(b, cfg.Model); err != nil {
				return fmt.Errorf("match: read model %s: %w", *modelIn, err)
			}
		}
		read := time.Since(start)
		e := resolve.New(cfg)
		var rejected []string
		if err := e.AddBatch(ctx, records); err != nil {
			be, ok := err.(*resolve.BatchError)
			if !ok {
				return fmt.Errorf("match: %w", err)
			}
			for _, r := range be.Rejected {
				rejected = append(rejected, r.Error())
			}
		}
		resolved := time.Since(start) - read
		clusters := e.Clusters()
		if err := writeClusters(*out, env, clusters); err != nil {
			return err
		}
		if *modelOut != "" {
			b, _ := json.MarshalIndent(e.Model(), "", "  ")
			if err := os.WriteFile(*modelOut, append(b, '\n'), 0o644); err != nil {
				return fmt.Errorf("match: %w", err)
			}
		}
		st := e.Stats()
		w := env.Stdout // the summary; stderr when the clusters go to stdout
		if *out == "-" {
			w = env.Stderr
		}
		fmt.Fprintf(w, "records %d, clusters %d, scored pairs %d (merge %d), review queue %d; read %.2fs, resolved %.2fs\n",
			st.Records, st.Clusters, st.Edges, st.MergeEdges, st.Reviews, read.Seconds(), resolved.Seconds())
		if *truth != "" {
			printQuality(w, e, clusters, truthOf)
		}
		if len(rejected) > 0 {
			return &PartialError{Rejected: rejected}
		}
		return nil
	}
	return c
}

func readCSV(path string, m tabular.Mapping, prefix, truth string) (*tabular.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	defer f.Close()
	file, err := tabular.Read(f, m, prefix, truth)
	if err != nil {
		return nil, fmt.Errorf("match: %s: %w", path, err)
	}
	return file, nil
}

func writeClusters(path string, env *Env, clusters map[string]string) error {
	ids := make([]string, 0, len(clusters))
	for id := range clusters {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var f *os.File
	w := env.Stdout
	if path != "-" {
		var err error
		if f, err = os.Create(path); err != nil {
			return fmt.Errorf("match: %w", err)
		}
		defer f.Close()
		w = f
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"record_id", "cluster_id"})
	for _, id := range ids {
		cw.Write([]string{id, clusters[id]})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("match: write %s: %w", path, err)
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

func printQuality(w io.Writer, e *resolve.Engine, clusters, truth map[string]string) {
	rep := eval.Compare(clusters, truth)
	br := e.Blocking(truth)
	fmt.Fprintf(w, "pairwise  precision %.4f recall %.4f F1 %.4f (true pairs %d, predicted %d, correct %d)\n",
		rep.Pairwise.Precision, rep.Pairwise.Recall, rep.Pairwise.F1, rep.TruePairs, rep.PredictedPairs, rep.CorrectPairs)
	fmt.Fprintf(w, "B-cubed   precision %.4f recall %.4f F1 %.4f\n", rep.BCubed.Precision, rep.BCubed.Recall, rep.BCubed.F1)
	fmt.Fprintf(w, "blocking  recall %.4f (%d of %d true pairs), %.1f candidates per record\n",
		br.Recall, br.Found, br.TruePairs, br.CandidatesPerRecord)
}

// matchWorld resolves the person mentions of a generated world.
func matchWorld(ctx context.Context, env *Env, dir, out string, named bool, mergeAt, possibleAt float64) error {
	start := time.Now()
	wd, err := genworld.Read(dir)
	if err != nil {
		return fmt.Errorf("match: %w", err)
	}
	if named {
		wd = wd.Named()
	}
	read := time.Since(start)
	e := resolve.New(resolve.Config{MergeAt: mergeAt, PossibleAt: possibleAt})
	if err := e.AddBatch(ctx, wd.Records); err != nil {
		return fmt.Errorf("match: %w", err)
	}
	resolved := time.Since(start) - read
	clusters := e.Clusters()
	if err := writeClusters(out, env, clusters); err != nil {
		return err
	}
	w := env.Stdout
	if out == "-" {
		w = env.Stderr
	}
	st := e.Stats()
	fmt.Fprintf(w, "mentions %d, clusters %d, scored pairs %d (merge %d), review queue %d; read %.2fs, resolved %.2fs\n",
		st.Records, st.Clusters, st.Edges, st.MergeEdges, st.Reviews, read.Seconds(), resolved.Seconds())
	printQuality(w, e, clusters, wd.Truth)
	return nil
}
