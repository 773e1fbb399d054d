package gen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Options configure a generation run.
type Options struct {
	// Out is the output directory; it is created if missing. Existing files
	// of the same names are overwritten.
	Out string
	// People is the population size (default 1000).
	People int
	// Seed selects the world: the same seed and size give the same bytes.
	Seed uint64
	// Progress, when set, is called after each block of people with the
	// number done so far and the total.
	Progress func(done, total int)
}

// Manifest describes a generated world (DIR/manifest.json).
type Manifest struct {
	Generator string         `json:"generator"`
	Version   int            `json:"version"`
	Seed      uint64         `json:"seed"`
	People    int            `json:"people"`
	Files     map[string]int `json:"files"`
}

// blockSize is the number of people generated, shuffled and written
// together. It is even so that households never straddle two blocks.
const blockSize = 1024

// Generate writes a world to opts.Out. Memory stays bounded by the block
// size and the small world state whatever the population.
func Generate(ctx context.Context, opts Options) (*Manifest, error) {
	if opts.People == 0 {
		opts.People = 1000
	}
	if opts.People < 0 {
		return nil, errors.New("gen: people must be positive")
	}
	if opts.Out == "" {
		return nil, errors.New("gen: no output directory")
	}
	g := &generator{
		w:           newWorld(opts.Seed, opts.People),
		out:         opts.Out,
		globalEdges: map[edgeKey][]string{},
		flights:     map[string][]travelRef{},
		buys:        map[int][]buyRef{},
		watchEntry:  map[int]string{},
	}
	if err := g.open(); err != nil {
		g.closeAll()
		return nil, err
	}
	g.writeOrganizations()
	g.writeWatchlist()
	g.writeCells()
	n := opts.People
	for start, blockNo := 0, 0; start < n; start, blockNo = start+blockSize, blockNo+1 {
		if err := ctx.Err(); err != nil {
			g.closeAll()
			return nil, err
		}
		b := &block{g: g}
		for i := start; i < min(start+blockSize, n); i++ {
			p := g.w.person(i)
			g.truthPerson(p, "population")
			g.activity(b, p)
		}
		g.flush(b, blockNo)
		if opts.Progress != nil {
			opts.Progress(min(start+blockSize, n), n)
		}
	}
	for _, e := range g.w.extras {
		k := "watchlist_only"
		if e.decoy {
			k = "decoy"
		}
		g.truthPerson(e.p, k)
	}
	g.finishPatterns()
	g.writeGlobalLinks()
	m, err := g.finish(opts)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// generator owns the open files and the state needed to emit truth.
type generator struct {
	w   *world
	out string

	recs                                    [nKinds]*table
	orgRecs, watch, people, mentions        *table
	repMentions, organizations, orgMentions *table
	cells, links, patterns                  *table
	reports                                 int
	globalEdges                             map[edgeKey][]string
	flights                                 map[string][]travelRef // watchlisted passengers by flight and day
	hires                                   []hireRef
	buys                                    map[int][]buyRef // listed purchases by people at most one hop from a subject
	watchEntry                              map[int]string
	err                                     error
}

type edgeKey struct {
	a, b int
	kind string
}

type travelRef struct {
	who int
	id  string
}

type hireRef struct {
	who  int
	id   string
	date time.Time
}

type buyRef struct {
	who  int
	id   string
	item string
	date time.Time
}

func (g *generator) open() error {
	var err error
	mk := func(rel string, h []string) *table {
		if err != nil {
			return nil
		}
		var t *table
		t, err = createTable(g.out, rel, h)
		return t
	}
	for k := range nKinds {
		g.recs[k] = mk(recordFiles[k].Path, recordFiles[k].Header)
	}
	g.orgRecs = mk("records/organization.csv", orgHeader)
	g.watch = mk("watchlist/watchlist.csv", watchlistHeader)
	g.people = mk("truth/people.csv", peopleHeader)
	g.mentions = mk("truth/mentions.csv", mentionsHeader)
	g.repMentions = mk("truth/report_mentions.csv", reportMentionsHeader)
	g.organizations = mk("truth/organizations.csv", organizationsHeader)
	g.orgMentions = mk("truth/org_mentions.csv", orgMentionsHeader)
	g.cells = mk("truth/cells.csv", cellsHeader)
	g.links = mk("truth/links.csv", linksHeader)
	g.patterns = mk("truth/patterns.csv", patternsHeader)
	if err == nil {
		err = os.MkdirAll(filepath.Join(g.out, "reports"), 0o755)
	}
	if err == nil {
		// Reports of an earlier, larger world would otherwise linger.
		old, _ := filepath.Glob(filepath.Join(g.out, "reports", "RPT-*.txt"))
		for _, f := range old {
			if err = os.Remove(f); err != nil {
				break
			}
		}
	}
	return err
}

func (g *generator) tables() map[string]*table {
	m := map[string]*table{
		"records/organization.csv":  g.orgRecs,
		"watchlist/watchlist.csv":   g.watch,
		"truth/people.csv":          g.people,
		"truth/mentions.csv":        g.mentions,
		"truth/report_mentions.csv": g.repMentions,
		"truth/organizations.csv":   g.organizations,
		"truth/org_mentions.csv":    g.orgMentions,
		"truth/cells.csv":           g.cells,
		"truth/links.csv":           g.links,
		"truth/patterns.csv":        g.patterns,
	}
	for k := range nKinds {
		m[recordFiles[k].Path] = g.recs[k]
	}
	return m
}

func (g *generator) closeAll() {
	for _, t := range g.tables() {
		if t != nil {
			t.close()
		}
	}
}

func (g *generator) finish(opts Options) (*Manifest, error) {
	m := &Manifest{Generator: "mosaic gen", Version: 1, Seed: opts.Seed, People: opts.People, Files: map[string]int{}}
	var first error
	for name, t := range g.tables() {
		m.Files[name] = t.rows
		if err := t.close(); err != nil && first == nil {
			first = fmt.Errorf("write %s: %w", name, err)
		}
	}
	m.Files["reports"] = g.reports
	if first == nil {
		first = g.err
	}
	if first != nil {
		return nil, first
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(g.out, "manifest.json"), append(data, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("write manifest: %w", err)
	}
	return m, nil
}

func yesNo(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (g *generator) truthPerson(p *person, kind string) {
	var cellID, groupID string
	var subject, watch, poc bool
	if s := g.w.special[p.idx]; s != nil {
		if s.cell != nil {
			cellID = s.cell.id
		}
		if s.group != nil {
			groupID = s.group.ID
		}
		subject, watch, poc = true, s.watchlisted, s.poc
	}
	if p.idx >= g.w.n {
		e := g.w.extras[p.idx-g.w.n]
		subject, watch = true, true
		if e.group != nil {
			groupID = e.group.ID
		}
	}
	g.people.write(personID(p.idx), p.FullName(), p.dob.Format(dateLayout), p.cult.Key, yesNo(subject), cellID, groupID,
		yesNo(watch), yesNo(poc), kind, yesNo(p.prisoner))
}

func (g *generator) writeOrganizations() {
	r := stream(g.w.seed, tagWorld, 1)
	type orow struct {
		o   *org
		row []string
	}
	var rows []orow
	for _, o := range g.w.orgs {
		g.organizations.write(o.ID, o.Name, strings.Join(o.Aliases, ";"), yesNo(o.Violent), o.Kind)
		n := 1
		switch {
		case o.Violent:
			n = 3
		case chance(r, 0.3):
			n = 2
		}
		names := append([]string{o.Name}, o.Aliases...)
		for k := 0; k < n; k++ {
			name := o.Name
			if k > 0 {
				name = pick(r, names)
			}
			var al []string
			for _, a := range names {
				if a != name && chance(r, 0.6) {
					al = append(al, a)
				}
			}
			country := o.Country
			if chance(r, 0.1) {
				country = ""
			}
			rows = append(rows, orow{o, []string{name, strings.Join(al, ";"), country, o.Kind}})
		}
	}
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	for i, x := range rows {
		id := "ORG-REC-" + pad(i+1, 6)
		g.orgRecs.write(append([]string{id}, x.row...)...)
		g.orgMentions.write("records/organization.csv", id, "organization", x.o.ID)
	}
}

func (g *generator) writeCells() {
	for _, c := range g.w.cells {
		for k, m := range c.members {
			g.cells.write(c.id, c.group.ID, personID(m), c.roles[k])
		}
	}
}

// block collects the records of up to blockSize people before they are
// shuffled, numbered and written.
type block struct {
	g       *generator
	recs    [nKinds][]rec
	reports []*report
}

// rec is one record before numbering: its fields after record_id, the true
// people and organisations it mentions, the true links it evidences and an
// optional hook run with its id.
type rec struct {
	row   []string
	ments []ment
	orgs  []orgMent
	edges []edgeTag
	hook  func(id string)
}

type ment struct {
	role string
	who  int
}

type orgMent struct {
	role, org string
}

type edgeTag struct {
	a, b int
	kind string
}

func (b *block) add(k kind, r rec) { b.recs[k] = append(b.recs[k], r) }

func (g *generator) edge(local map[edgeKey][]string, e edgeTag, id string) {
	if e.a == e.b {
		return
	}
	if e.a > e.b {
		e.a, e.b = e.b, e.a
	}
	k := edgeKey(e)
	if g.w.special[e.a] != nil || g.w.special[e.b] != nil {
		g.globalEdges[k] = append(g.globalEdges[k], id)
		return
	}
	local[k] = append(local[k], id)
}

func (g *generator) flush(b *block, blockNo int) {
	r := stream(g.w.seed, tagBlock, uint64(blockNo))
	local := map[edgeKey][]string{}
	for k := range nKinds {
		recs := b.recs[k]
		r.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		t := g.recs[k]
		file := recordFiles[k].Path
		for _, x := range recs {
			id := recordFiles[k].Prefix + "-" + pad(t.rows+1, 6)
			if k == kComm {
				t.line(`{"record_id":` + jsonString(id) + `,"from":` + jsonString(x.row[0]) + `,"to":` + jsonString(x.row[1]) +
					`,"channel":` + jsonString(x.row[2]) + `,"time":` + jsonString(x.row[3]) + `}`)
			} else {
				t.write(append([]string{id}, x.row...)...)
			}
			for _, m := range x.ments {
				g.mentions.write(file, id, m.role, personID(m.who))
			}
			for _, o := range x.orgs {
				g.orgMentions.write(file, id, o.role, o.org)
			}
			for _, e := range x.edges {
				g.edge(local, e, id)
			}
			if x.hook != nil {
				x.hook(id)
			}
		}
	}
	r.Shuffle(len(b.reports), func(i, j int) { b.reports[i], b.reports[j] = b.reports[j], b.reports[i] })
	for _, rp := range b.reports {
		g.reports++
		id := "RPT-" + pad(g.reports, 6)
		file := "reports/" + id + ".txt"
		if err := os.WriteFile(filepath.Join(g.out, filepath.FromSlash(file)), rp.text, 0o644); err != nil && g.err == nil {
			g.err = fmt.Errorf("write %s: %w", file, err)
		}
		for _, s := range rp.spans {
			g.repMentions.write(file, strconv.Itoa(s.start), strconv.Itoa(s.end), string(rp.text[s.start:s.end]), s.typ, s.id)
		}
		for _, e := range rp.edges {
			g.edge(local, e, id)
		}
	}
	g.writeLinks(local)
}

func (g *generator) writeLinks(m map[edgeKey][]string) {
	keys := make([]edgeKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.a != b.a {
			return a.a < b.a
		}
		if a.b != b.b {
			return a.b < b.b
		}
		return a.kind < b.kind
	})
	for _, k := range keys {
		ids := m[k]
		slices.Sort(ids)
		ids = slices.Compact(ids)
		g.links.write(personID(k.a), personID(k.b), k.kind, strings.Join(ids, ";"))
	}
}

func (g *generator) writeGlobalLinks() { g.writeLinks(g.globalEdges) }

// pattern writes one planted (or naturally arising) pattern.
func (g *generator) pattern(rule string, people []int, ids []string, desc string) {
	ps := make([]string, len(people))
	for i, p := range people {
		ps[i] = personID(p)
	}
	g.patterns.write("PAT-"+pad(g.patterns.rows+1, 6), rule, strings.Join(ps, ";"), strings.Join(ids, ";"), desc)
}

// finishPatterns emits the patterns that need the whole world: subjects on
// the same flight, and vehicle hire near a precursor purchase.
func (g *generator) finishPatterns() {
	keys := make([]string, 0, len(g.flights))
	for k := range g.flights {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		refs := g.flights[k]
		sort.Slice(refs, func(i, j int) bool { return refs[i].id < refs[j].id })
		var who []int
		var ids []string
		for _, r := range refs {
			if !slices.Contains(who, r.who) {
				who = append(who, r.who)
			}
			ids = append(ids, r.id)
		}
		if len(who) < 2 {
			continue
		}
		var names []string
		for _, x := range who {
			names = append(names, personID(x))
		}
		g.pattern("subjects_same_flight", who, ids, fmt.Sprintf("watchlisted subjects %s on flight %s", strings.Join(names, ", "), strings.ReplaceAll(k, "|", " on ")))
	}
	for _, h := range g.hires {
		cands := append([]int{h.who}, g.w.neighbours(h.who)...)
		var who = []int{h.who}
		ids := []string{h.id}
		var what []string
		for _, c := range cands {
			for _, b := range g.buys[c] {
				d := b.date.Sub(h.date).Hours() / 24
				if d < 0 {
					d = -d
				}
				if d <= 14 {
					if !slices.Contains(who, c) {
						who = append(who, c)
					}
					ids = append(ids, b.id)
					what = append(what, fmt.Sprintf("%s bought %s on %s", personID(c), b.item, b.date.Format(dateLayout)))
				}
			}
		}
		if len(ids) > 1 {
			g.pattern("hire_near_precursor", who, ids, fmt.Sprintf("watchlisted %s hired a vehicle on %s within 14 days of a listed purchase (%s)",
				personID(h.who), h.date.Format(dateLayout), strings.Join(what, "; ")))
		}
	}
}
