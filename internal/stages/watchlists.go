package stages

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// FieldRemoved marks a watchlist_entry record that removes its entry from
// its list (written when an import no longer holds the entry).
const FieldRemoved = "removed"

// WatchlistSource is the source name of a list's records.
func WatchlistSource(list string) string { return "watchlist:" + list }

// EntryItem returns the watchlist_entry record of a watch-list entry, with
// a mention of the listed person or organisation whose statements carry
// its names, birth dates, countries and document numbers. The whole entry
// rides along as JSON so that screening sees exactly what was imported.
func EntryItem(e watchlist.Entry, marking mosaic.Marking, locator string) (*store.Item, error) {
	js, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	var aliases []string
	primary := ""
	for _, n := range e.Names {
		if primary == "" && (n.Primary || len(e.Names) == 1) {
			primary = n.Value
			continue
		}
		aliases = append(aliases, n.Value)
	}
	if primary == "" && len(e.Names) > 0 {
		primary, aliases = e.Names[0].Value, aliases[1:]
	}
	fields := map[string]string{
		"list": e.List, "entry_id": e.EntryID, "schema": string(e.Schema), "name": primary,
		"aliases": strings.Join(aliases, ";"), "birth_dates": strings.Join(e.BirthDates, ";"),
		"countries": strings.Join(e.Countries, ";"), "programs": strings.Join(e.Programs, ";"), FieldEntryJSON: string(js),
	}
	src := WatchlistSource(e.List)
	id := mosaic.RecordID(src, mosaic.KindWatchlistEntry, fields)
	rec := &mosaic.Record{ID: id, Source: src, Kind: mosaic.KindWatchlistEntry, Fields: fields, Locator: locator, Marking: marking}
	t := mosaic.TypePerson
	if e.Schema != watchlist.Person && e.Schema != "" {
		t = mosaic.TypeOrganization
	}
	m := mosaic.MentionID(id, "subject")
	f := &store.Facts{Mentions: []mosaic.Mention{{ID: m, Type: t, Origin: id, Role: "subject", Caption: primary, Marking: marking}}}
	add := func(prop, field, v string) {
		if v == "" {
			return
		}
		o := mosaic.Origin{Record: id, Field: field}
		f.Statements = append(f.Statements, mosaic.Statement{ID: mosaic.StatementID(m, prop, v, o), Subject: m, Type: t, Prop: prop, Value: v, Origin: o, Source: src, Marking: marking})
	}
	add(mosaic.PropName, "name", primary)
	for _, a := range aliases {
		add(mosaic.PropAlias, "aliases", a)
	}
	for _, d := range e.BirthDates {
		add(mosaic.PropBirthDate, "birth_dates", d)
	}
	for _, c := range e.Countries {
		add(mosaic.PropNationality, "countries", c)
	}
	for _, d := range e.Identifiers {
		add(mosaic.PropDocNumber, FieldEntryJSON, d.Number)
	}
	if t == mosaic.TypePerson {
		// The organisations the entry's remarks say the person belongs
		// to ("suspected member of RHC"), cited from the entry.
		AddReasonFacts(rec, f, m, FieldEntryJSON, e.Remarks, marking)
	}
	return &store.Item{ID: id, Source: src, Record: rec, Facts: f, Marking: marking}, nil
}

// RemovalItem returns the record that takes an entry off its list.
func RemovalItem(list, entryID string, marking mosaic.Marking) *store.Item {
	fields := map[string]string{"list": list, "entry_id": entryID, FieldRemoved: "true"}
	src := WatchlistSource(list)
	id := mosaic.RecordID(src, mosaic.KindWatchlistEntry, fields)
	return &store.Item{ID: id, Source: src, Marking: marking, Facts: &store.Facts{},
		Record: &mosaic.Record{ID: id, Source: src, Kind: mosaic.KindWatchlistEntry, Fields: fields, Marking: marking}}
}

// StoredLists reads the watch lists kept in the store: for each list and
// entry, the latest record wins; removals take entries off.
type StoredLists struct {
	Store store.ItemReader
	P     mosaic.Principal
}

var _ watchlist.Source = StoredLists{}

// Lists implements watchlist.Source.
func (s StoredLists) Lists(ctx context.Context) ([]watchlist.List, []watchlist.Problem, error) {
	latest := map[string]map[string]*watchlist.Entry{}
	err := s.Store.ItemsOfKind(ctx, s.P, string(mosaic.KindWatchlistEntry), func(it *store.Item) error {
		f := it.Record.Fields
		list := firstNonEmpty(f["list"], it.Source)
		if latest[list] == nil {
			latest[list] = map[string]*watchlist.Entry{}
		}
		if f[FieldRemoved] == "true" {
			latest[list][f["entry_id"]] = nil
			return nil
		}
		if e, ok := EntryOf(it); ok {
			latest[list][e.EntryID] = &e
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var out []watchlist.List
	for name, es := range latest {
		l := watchlist.List{Name: name}
		for _, e := range es {
			if e != nil {
				l.Entries = append(l.Entries, *e)
			}
		}
		sort.Slice(l.Entries, func(i, j int) bool { return l.Entries[i].EntryID < l.Entries[j].EntryID })
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil, nil
}
