package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"text/tabwriter"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

func watchlistCmd() *Command {
	return &Command{
		Name:  "watchlist",
		Short: "import and list the watch lists that every record is screened against",
		Usage: "mosaic watchlist import|ls ...",
		Subs:  []*Command{watchlistImportCmd(), watchlistLsCmd()},
	}
}

func watchlistImportCmd() *Command {
	c := &Command{
		Name:  "import",
		Short: "import or update a watch list (UN XML, OFAC SDN, FollowTheMoney JSON lines, CSV)",
		Usage: "mosaic watchlist import [--data DIR] --list NAME [--format un|ofac|ftm|csv] [--mapping COLS] [--marking LABELS] [--keep-missing] FILE",
		Long: `Reads a watch list and applies it to the stored list of that name as a diff:
new entries are added, changed entries replaced, and entries the file no longer
holds are removed (unless --keep-missing). Every entry keeps its source ID.
Screening picks the changes up as they pass the pipeline, without a restart.
Rows the parser cannot use are listed with file, line and reason; the rest
import (exit code 1).`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		df := addDataFlags(fs)
		list := fs.String("list", "", "name of the list (required)")
		format := fs.String("format", "", "un, ofac, ftm or csv (default: detect)")
		cols := fs.String("mapping", "", "CSV column mapping, e.g. id=ref,name=full_name,aliases=aka,dob=birth")
		marking := fs.String("marking", "", "compartment labels of the list (comma-separated)")
		keep := fs.Bool("keep-missing", false, "keep stored entries the file no longer holds")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if *list == "" || fs.NArg() != 1 {
			return UsageErrorf("watchlist import needs --list NAME and one FILE")
		}
		m, err := watchlist.ParseMapping(*cols)
		if err != nil {
			return UsageErrorf("%v", err)
		}
		res, err := watchlist.LoadFile(ctx, fs.Arg(0), watchlist.Format(*format), *list, m)
		if err != nil {
			return err
		}
		n, err := df.openWriter(ctx, env)
		if err != nil {
			return err
		}
		defer n.Close()
		lists, _, err := stages.StoredLists{Store: n.Store, P: access.Local()}.Lists(ctx)
		if err != nil {
			return err
		}
		old := map[string]watchlist.Entry{}
		for _, l := range lists {
			if l.Name == *list {
				for _, e := range l.Entries {
					old[e.EntryID] = e
				}
			}
		}
		mk := mosaic.ParseMarking(*marking)
		var items []*store.Item
		var added, changed, same, removed int
		seen := map[string]bool{}
		for _, e := range res.Entries {
			e.List = *list
			seen[e.EntryID] = true
			prev, ok := old[e.EntryID]
			switch {
			case ok && sameEntry(prev, e):
				same++
				continue
			case ok:
				changed++
			default:
				added++
			}
			it, err := stages.EntryItem(e, mk, fmt.Sprintf("%s#%s", fs.Arg(0), e.EntryID))
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		if !*keep {
			ids := make([]string, 0, len(old))
			for id := range old {
				if !seen[id] {
					ids = append(ids, id)
				}
			}
			sort.Strings(ids)
			for _, id := range ids {
				items = append(items, stages.RemovalItem(*list, id, mk))
				removed++
			}
		}
		src := mosaic.Source{Name: stages.WatchlistSource(*list), Kind: "watchlist", Marking: mk, Description: "watch list " + *list + " from " + fs.Arg(0)}
		var fresh []int64
		var last int64
		for len(items) > 0 {
			b := items[:min(len(items), 1000)]
			items = items[len(b):]
			err := n.Store.Update(ctx, func(tx store.Tx) error {
				if err := tx.PutSource(ctx, src); err != nil {
					return err
				}
				_, err := tx.PutItems(ctx, b)
				return err
			})
			if err != nil {
				return err
			}
			for _, it := range b {
				last = max(last, it.Seq)
				if !it.Stored.IsZero() {
					fresh = append(fresh, it.Seq)
				}
			}
		}
		if len(fresh) > 0 {
			if err := n.Pipeline.Submit(ctx, ingest.Ranges(fresh)); err != nil {
				return err
			}
			if n.Owner || df.scaledOut() {
				if err := waitPipeline(ctx, env, n, last); err != nil {
					return err
				}
			}
		}
		fmt.Fprintf(env.Stdout, "list %s: %d entries read; %d added, %d changed, %d removed, %d unchanged\n", *list, len(res.Entries), added, changed, removed, same)
		if len(res.Problems) > 0 {
			var rej []string
			for _, p := range res.Problems {
				rej = append(rej, p.String())
			}
			return &PartialError{Rejected: rej}
		}
		return nil
	}
	return c
}

func watchlistLsCmd() *Command {
	c := &Command{
		Name:  "ls",
		Short: "list the stored watch lists",
		Usage: "mosaic watchlist ls [--data DIR] [--json]",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		df := addDataFlags(fs)
		asJSON := fs.Bool("json", false, "print JSON")
		if err := Parse(fs, args); err != nil {
			return err
		}
		st, err := daemon.OpenStore(ctx, df.config(env))
		if err != nil {
			return err
		}
		defer st.Close()
		lists, _, err := stages.StoredLists{Store: st, P: access.Local()}.Lists(ctx)
		if err != nil {
			return err
		}
		type row struct {
			List    string `json:"list"`
			Entries int    `json:"entries"`
			People  int    `json:"people"`
			Orgs    int    `json:"organizations"`
		}
		rows := []row{}
		for _, l := range lists {
			r := row{List: l.Name, Entries: len(l.Entries)}
			for _, e := range l.Entries {
				if e.Schema == watchlist.Person {
					r.People++
				} else {
					r.Orgs++
				}
			}
			rows = append(rows, r)
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(rows)
		}
		if len(rows) == 0 {
			fmt.Fprintln(env.Stdout, "no watch lists stored (mosaic watchlist import --list NAME FILE)")
			return nil
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LIST\tENTRIES\tPEOPLE\tOTHERS")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", r.List, r.Entries, r.People, r.Orgs)
		}
		return tw.Flush()
	}
	return c
}

func sameEntry(a, b watchlist.Entry) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
