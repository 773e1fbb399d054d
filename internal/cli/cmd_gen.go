package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/mosaic-intel/mosaic/internal/gen"
)

func genCmd() *Command {
	c := &Command{
		Name:  "gen",
		Short: "generate a fictional world of records, reports and truth files",
		Usage: "mosaic gen --out DIR [--people N] [--seed S]",
		Long: `Writes a fictional population with records from many sources (person,
organisation, travel, purchase, vehicle hire, prison visit, referral,
communication), a watchlist, narrative reports, and truth files saying who
every mention really is, which cells exist and which patterns should raise
alerts. The same seed and size always give the same bytes. See docs/gen.md.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		out := fs.String("out", "", "output directory (required)")
		people := fs.Int("people", 1000, "population size")
		seed := fs.Uint64("seed", 1, "random seed")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if *out == "" {
			return UsageErrorf("gen needs --out DIR")
		}
		if fs.NArg() > 0 {
			return UsageErrorf("gen takes no arguments, got %q", fs.Args())
		}
		if *people <= 0 {
			return UsageErrorf("--people must be positive")
		}
		opts := gen.Options{Out: *out, People: *people, Seed: *seed}
		var bar *progressbar.ProgressBar
		if f, ok := env.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			bar = progressbar.NewOptions(*people,
				progressbar.OptionSetWriter(f),
				progressbar.OptionSetDescription("generating people"),
				progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100_000_000),
				progressbar.OptionClearOnFinish())
			opts.Progress = func(done, _ int) { _ = bar.Set(done) }
		}
		m, err := gen.Generate(ctx, opts)
		if bar != nil {
			_ = bar.Finish()
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "wrote %d people (seed %d) to %s: %d person, %d travel, %d purchase, %d vehicle hire, %d prison visit, %d referral, %d communication records, %d watchlist entries, %d reports\n",
			m.People, m.Seed, *out, m.Files["records/person.csv"], m.Files["records/travel.csv"], m.Files["records/purchase.csv"],
			m.Files["records/vehicle_hire.csv"], m.Files["records/prison_visit.csv"], m.Files["records/referral.csv"],
			m.Files["records/communication.jsonl"], m.Files["watchlist/watchlist.csv"], m.Files["reports"])
		return nil
	}
	return c
}
