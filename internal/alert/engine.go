package alert

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Engine evaluates a RuleSet over the items that pass the rules stage.
// It implements stages.Rules.
//
// It keeps, in memory: the link graph of the predicates its rules and
// associations use, the records of the kinds its rules name (only the
// fields they test), the records grouped for "together" rules, and who is
// a subject. Entities are asked of a Resolver at each evaluation, so
// merges and splits are always seen.
//
// # Triggers
//
// A rule is evaluated on an anchor record when: the record arrives; a
// record it pairs with ("with") arrives; a subject appears within the
// rules' reach of it (a watch-list entry resolved after the record, or
// a screening hit); or a new link brings a subject within reach. So the
// order in which records arrive does not decide which alerts are raised.
type Engine struct {
	rules *RuleSet
	res   Resolver
	log   *slog.Logger

	mu        sync.Mutex
	g         *graph
	paths     []path
	pathIdx   map[string]int
	recs      map[mosaic.ID]*rec
	together  map[string][]*rec
	subjects  map[mosaic.ID][]subjectRef       // mention -> what makes it a subject
	births    map[mosaic.ID]string             // person mention -> its date of birth, if given
	entries   map[string][]mosaic.ID           // "list:entry" -> subject mentions
	pending   []mosaic.ID                      // mentions that became subjects outside Evaluate
	fired     map[mosaic.ID]map[mosaic.ID]bool // alert ID -> records raised
	fields    map[mosaic.RecordKind][]string
	reach     int
	fromAlert map[string]SubjectSource // alert rules whose entities are subjects

	keepStale  bool                     // never withdraw (EngineConfig.KeepStale)
	open       map[mosaic.ID]*openAlert // alerts raised that may be withdrawn
	recheckAll bool                     // re-check every open alert at the next pass
	rstats     RecheckStats
}

var _ stages.Rules = (*Engine)(nil)

// rec is what the engine keeps of a record.
type rec struct {
	id      mosaic.ID
	kind    mosaic.RecordKind
	time    time.Time
	fields  map[string]string
	roles   []role
	links   []recLink
	marking mosaic.Marking
	locator string
}

type role struct {
	name    string
	m       mosaic.ID
	caption string
}

type recLink struct{ pred, a, b string }

func (r *rec) mention(roleName string) (role, bool) {
	for _, x := range r.roles {
		if x.name == roleName {
			return x, true
		}
	}
	return role{}, false
}

// label names a record for people: its source key (e.g. TRV-000123) or
// its ID, with its date.
func (r *rec) label() string {
	s := string(r.kind) + " record " + firstNonEmpty(r.fields["record_id"], string(r.id))
	if !r.time.IsZero() {
		s += " of " + r.time.Format("2006-01-02")
	}
	return s
}

// subjectRef is one reason a mention is a subject.
type subjectRef struct {
	List, Entry string
	Record      mosaic.ID // the watch-list entry record, or the alert
	Marking     mosaic.Marking
	BirthDate   string    // the entry's, if it gives one
	Mention     mosaic.ID // the entry's own mention
}

func (s subjectRef) String() string { return s.List + ":" + s.Entry }

// EngineConfig configures NewEngine.
type EngineConfig struct {
	Rules    *RuleSet // default: DefaultRules()
	Resolver Resolver
	Logger   *slog.Logger
	// KeepStale keeps every alert raised, even when its rule no longer
	// holds (the behaviour before withdrawal; for comparison).
	KeepStale bool
}

// NewEngine returns an engine with empty state (see Restore).
func NewEngine(cfg EngineConfig) (*Engine, error) {
	if cfg.Resolver == nil {
		return nil, fmt.Errorf("alert engine: a resolver is required")
	}
	if cfg.Rules == nil {
		cfg.Rules = DefaultRules()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{rules: cfg.Rules, res: cfg.Resolver, log: cfg.Logger, pathIdx: map[string]int{},
		recs: map[mosaic.ID]*rec{}, together: map[string][]*rec{}, subjects: map[mosaic.ID][]subjectRef{}, births: map[mosaic.ID]string{},
		entries: map[string][]mosaic.ID{}, fired: map[mosaic.ID]map[mosaic.ID]bool{}, fields: map[mosaic.RecordKind][]string{},
		reach: cfg.Rules.reach(), fromAlert: map[string]SubjectSource{}, keepStale: cfg.KeepStale, open: map[mosaic.ID]*openAlert{}}
	preds := []string{}
	for _, p := range cfg.Rules.Associations.Paths {
		preds = append(preds, p.Via...)
	}
	for _, r := range cfg.Rules.Rules {
		if r.Linked != nil {
			preds = append(preds, r.Linked.Predicate)
		}
	}
	for _, p := range cfg.Rules.Associations.Properties {
		if p.AloneOn != "" {
			preds = append(preds, p.AloneOn)
		}
	}
	e.g = newGraph(preds)
	for i, p := range cfg.Rules.Associations.Paths {
		cp := path{name: p.Name, exclusive: p.Exclusive}
		for _, v := range p.Via {
			cp.preds = append(cp.preds, e.g.preds[v])
		}
		e.paths = append(e.paths, cp)
		e.pathIdx[p.Name] = i
	}
	addFields := func(k mosaic.RecordKind, fs ...string) {
		for _, f := range fs {
			if !slices.Contains(e.fields[k], f) {
				e.fields[k] = append(e.fields[k], f)
			}
		}
	}
	for _, r := range cfg.Rules.Rules {
		addFields(r.Record, "record_id")
		for f := range r.Where {
			addFields(r.Record, f)
		}
		if r.Together != nil {
			addFields(r.Record, r.Together.On...)
		}
		if w := r.With; w != nil {
			addFields(w.Record, "record_id")
			for f := range w.Where {
				addFields(w.Record, f)
			}
		}
	}
	for _, s := range cfg.Rules.Subjects {
		if s.Alert != "" {
			e.fromAlert[s.Alert] = s
		}
	}
	return e, nil
}

// Rules returns the engine's rule set.
func (e *Engine) Rules() *RuleSet { return e.rules }

// Restore rebuilds the engine's state from every stored item (and, when a
// subject source names an alert rule, from those alerts). It raises
// nothing: the alerts of stored items are already stored.
func (e *Engine) Restore(ctx context.Context, st interface {
	store.ItemReader
	store.AlertReader
}) error {
	last, err := st.LastSeq(ctx)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for lo := int64(1); lo <= last; lo += 5000 {
		items, err := st.ItemsInRange(ctx, pipeline.System, store.Range{Lo: lo, Hi: min(last, lo+4999)})
		if err != nil {
			return fmt.Errorf("restore alert rules: %w", err)
		}
		for _, it := range items {
			e.add(it, nil, nil)
		}
	}
	for rule := range e.fromAlert {
		as, err := st.Alerts(ctx, pipeline.System, store.AlertFilter{Rule: rule, Limit: 1 << 30})
		if err != nil {
			return fmt.Errorf("restore alert subjects: %w", err)
		}
		if err := e.observe(ctx, as); err != nil {
			return err
		}
	}
	e.pending = nil
	if e.keepStale {
		return nil
	}
	return e.restoreOpen(ctx, st)
}

// Observe learns subjects from committed alerts of the rules a subject
// source names (e.g. watchlist_match), and reports whether any are new:
// the next Evaluate (which may be given no items) re-evaluates the rules
// around them.
func (e *Engine) Observe(ctx context.Context, alerts []*mosaic.Alert) bool {
	if len(e.fromAlert) == 0 {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.observe(ctx, alerts); err != nil {
		e.log.Warn("could not learn subjects from alerts", "err", err)
	}
	return len(e.pending) > 0
}

func (e *Engine) observe(ctx context.Context, alerts []*mosaic.Alert) error {
	for _, a := range alerts {
		src, ok := e.fromAlert[a.Rule]
		if !ok || a.Score < src.MinScore || a.State == mosaic.AlertDismissed {
			continue
		}
		list, entry, _ := strings.Cut(a.Match, ":")
		if len(src.Lists) > 0 && !slices.Contains(src.Lists, list) {
			continue
		}
		ref := subjectRef{List: list, Entry: entry, Record: a.ID, Marking: a.Marking}
		for _, r := range a.Records {
			x, ok := e.recs[r]
			if !ok {
				continue
			}
			for _, ro := range x.roles {
				if src.Role != "" && ro.name != src.Role {
					continue
				}
				ent, err := e.res.EntityOf(ctx, ro.m)
				if err != nil {
					return err
				}
				// A screening alert names the matched mention (it is raised
				// before resolution); older ones name its entity then.
				named := slices.Contains(a.Entities, ro.m) || ent != "" && slices.Contains(a.Entities, ent)
				if named && e.addSubject(ro.m, ref) {
					e.pending = append(e.pending, ro.m)
				}
			}
		}
	}
	return nil
}

// addSubject records why m is a subject; it reports false if it knew.
func (e *Engine) addSubject(m mosaic.ID, ref subjectRef) bool {
	for _, r := range e.subjects[m] {
		if r.List == ref.List && r.Entry == ref.Entry && r.Record == ref.Record {
			return false
		}
	}
	e.subjects[m] = append(e.subjects[m], ref)
	k := ref.String()
	if !slices.Contains(e.entries[k], m) {
		e.entries[k] = append(e.entries[k], m)
	}
	return true
}

func (e *Engine) removeEntry(list, entry string) {
	k := list + ":" + entry
	for _, m := range e.entries[k] {
		refs := e.subjects[m][:0]
		for _, r := range e.subjects[m] {
			if r.String() != k {
				refs = append(refs, r)
			}
		}
		if len(refs) == 0 {
			delete(e.subjects, m)
		} else {
			e.subjects[m] = refs
		}
	}
	delete(e.entries, k)
	e.recheckAll = true
}

// add takes in one item: its links, its record (if a rule names its kind)
// and any subject it makes. It appends the person nodes whose
// associations it changed to seeds and new subject mentions to subjects,
// and returns the kept record (nil if none).
func (e *Engine) add(it *store.Item, seeds *[]uint32, subjects *[]mosaic.ID) *rec {
	if it.Facts == nil {
		return nil
	}
	f := it.Facts
	types := make(map[mosaic.ID]*mosaic.Mention, len(f.Mentions))
	for i := range f.Mentions {
		types[f.Mentions[i].ID] = &f.Mentions[i]
	}
	nodeOf := func(id mosaic.ID) (uint32, bool) {
		m := types[id]
		if m == nil {
			return 0, false
		}
		if m.Type == mosaic.TypePerson || m.Type == mosaic.TypeOrganization {
			return e.g.node(string(id), true, m.Caption), true
		}
		name := m.Caption
		if name == "" {
			for _, st := range f.StatementsOf(id) {
				if st.Prop == mosaic.PropName {
					name = st.Value
					break
				}
			}
		}
		if name == "" {
			return 0, false
		}
		return e.g.node(string(stages.KeyEntity(m.Type, name)), false, ""), true
	}
	for _, l := range f.Links {
		if _, keep := e.g.preds[l.Predicate]; !keep {
			continue
		}
		a, ok1 := nodeOf(l.Subject)
		b, ok2 := nodeOf(l.Object)
		if ok1 && ok2 {
			e.linkNodes(a, b, l.Predicate, it.ID, "", seeds)
		}
	}
	// Contact details given as properties of a person count as links.
	for _, p := range e.rules.Associations.Properties {
		if len(p.Records) > 0 && (it.Record == nil || !slices.Contains(p.Records, it.Record.Kind)) {
			continue
		}
		for _, st := range f.Statements {
			if st.Prop != p.Prop || st.Value == "" {
				continue
			}
			m := types[st.Subject]
			if m == nil || (m.Type != mosaic.TypePerson && m.Type != mosaic.TypeOrganization) {
				continue
			}
			a := e.g.node(string(m.ID), true, m.Caption)
			b := e.g.node(string(stages.KeyEntity(p.Type, st.Value)), false, "")
			e.linkNodes(a, b, p.Predicate, it.ID, p.AloneOn, seeds)
		}
	}
	r := it.Record
	if r == nil {
		return nil
	}
	for _, st := range f.Statements {
		if st.Prop == mosaic.PropBirthDate && st.Type == mosaic.TypePerson && st.Value != "" {
			if _, ok := e.births[st.Subject]; !ok {
				e.births[st.Subject] = st.Value
			}
		}
	}
	for _, src := range e.rules.Subjects {
		if src.Record == "" || src.Record != r.Kind {
			continue
		}
		list, entry := r.Fields[src.ListField], firstNonEmpty(r.Fields["entry_id"], r.Fields["record_id"], string(r.ID))
		if r.Kind == mosaic.KindWatchlistEntry {
			if r.Fields[stages.FieldRemoved] == "true" {
				e.removeEntry(firstNonEmpty(list, r.Source), entry)
				continue
			}
			if we, ok := stages.EntryOf(it); ok || we.EntryID != "" {
				list, entry = firstNonEmpty(we.List, list), firstNonEmpty(we.EntryID, entry)
			}
		}
		list = firstNonEmpty(list, string(r.Kind))
		if len(src.Lists) > 0 && !slices.Contains(src.Lists, list) {
			continue
		}
		for _, m := range f.Mentions {
			if (m.Type != mosaic.TypePerson && m.Type != mosaic.TypeOrganization) || (src.Role != "" && m.Role != src.Role) {
				continue
			}
			ref := subjectRef{List: list, Entry: entry, Record: r.ID, Marking: it.Marking, Mention: m.ID, BirthDate: e.births[m.ID]}
			if e.addSubject(m.ID, ref) && subjects != nil {
				*subjects = append(*subjects, m.ID)
			}
		}
	}
	want, ok := e.fields[r.Kind]
	if !ok {
		return nil
	}
	if x, ok := e.recs[r.ID]; ok {
		return x
	}
	x := &rec{id: r.ID, kind: r.Kind, time: r.Observed, marking: it.Marking, locator: r.Locator, fields: make(map[string]string, len(want))}
	for _, k := range want {
		if v := r.Fields[k]; v != "" {
			x.fields[k] = v
		}
	}
	if !e.relevant(x) {
		return nil
	}
	roleOf := map[mosaic.ID]string{}
	for _, m := range f.Mentions {
		if m.Type == mosaic.TypePerson || m.Type == mosaic.TypeOrganization {
			x.roles = append(x.roles, role{name: m.Role, m: m.ID, caption: m.Caption})
			roleOf[m.ID] = m.Role
		}
	}
	for _, l := range f.Links {
		a, b := roleOf[l.Subject], roleOf[l.Object]
		if a != "" && b != "" {
			x.links = append(x.links, recLink{pred: l.Predicate, a: a, b: b})
		}
	}
	e.recs[r.ID] = x
	for _, rule := range e.rules.Rules {
		if rule.Together != nil && rule.Record == x.kind {
			if k, ok := togetherKey(rule, x); ok {
				e.together[k] = append(e.together[k], x)
			}
		}
	}
	return x
}

// linkNodes links a and b and, when the link is new and seeds is set,
// appends the person nodes whose associations it changed.
func (e *Engine) linkNodes(a, b uint32, pred string, rec mosaic.ID, alone string, seeds *[]uint32) {
	if !e.g.link(a, b, pred, rec, alone) || seeds == nil {
		return
	}
	for _, n := range []uint32{a, b} {
		if e.g.person[n] {
			*seeds = append(*seeds, n)
			continue
		}
		for _, x := range e.g.adj[n] { // the people behind a phone, an address
			if e.g.person[x.to] && len(e.g.adj[n]) <= 8*e.rules.Associations.MaxFanout {
				*seeds = append(*seeds, x.to)
			}
		}
	}
}

// relevant reports whether some rule could use the record, as an anchor
// or as the other record of a "with".
func (e *Engine) relevant(x *rec) bool {
	for _, r := range e.rules.Rules {
		if r.Record == x.kind && matchAll(r.Where, x.fields) {
			return true
		}
		if w := r.With; w != nil && w.Record == x.kind && matchAll(w.Where, x.fields) {
			return true
		}
	}
	return false
}

func togetherKey(r *Rule, x *rec) (string, bool) {
	parts := []string{r.Name}
	for _, f := range r.Together.On {
		v := strings.Join(tokens(x.fields[f]), " ")
		if v == "" {
			return "", false
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, "\x00"), true
}

// Evaluate implements stages.Rules: it takes in the items and returns the
// alerts their arrival raises or grows, and, withdrawn (State
// mosaic.AlertWithdrawn, why in the last History entry), the alerts it
// raised before whose entities have changed and whose rule no longer
// holds (see withdraw.go).
func (e *Engine) Evaluate(ctx context.Context, items []*store.Item) ([]*mosaic.Alert, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev := e.newEval(ctx)
	var seeds []uint32
	newSubjects := e.pending
	e.pending = nil
	cands := map[mosaic.ID]*rec{}
	var order []*rec
	addCand := func(x *rec) {
		if x != nil && cands[x.id] == nil {
			cands[x.id] = x
			order = append(order, x)
		}
	}
	for _, it := range items {
		addCand(e.add(it, &seeds, &newSubjects))
	}
	if e.reach > 0 {
		ev.ball = ev.subjectBall(e.reach)
	}
	// Subjects that appeared: everything within reach of them.
	doneEnt := map[mosaic.ID]bool{}
	for _, m := range newSubjects {
		ent := ev.entityOf(m)
		if doneEnt[ent] {
			continue
		}
		doneEnt[ent] = true
		for _, x := range ev.bfs(m, max(e.reach, 0), nil, nil) {
			for _, r := range ev.records(x.rep) {
				addCand(r)
			}
		}
	}
	// New links near a subject: everything within reach of them.
	if e.reach > 0 {
		for _, n := range seeds {
			m := mosaic.ID(e.g.keys[n])
			ent := ev.entityOf(m)
			if doneEnt[ent] {
				continue
			}
			doneEnt[ent] = true
			if !ev.ball[ent] {
				continue
			}
			for _, x := range ev.bfs(m, e.reach, nil, nil) {
				for _, r := range ev.records(x.rep) {
					addCand(r)
				}
			}
		}
	}
	out := map[mosaic.ID]*mosaic.Alert{}
	var ids []mosaic.ID
	emit := func(a *mosaic.Alert) {
		id := mosaic.AlertID(a.Rule, a.Key)
		if old, ok := out[id]; ok {
			mergeInto(old, a)
			return
		}
		out[id] = a
		ids = append(ids, id)
	}
	anchors := map[[2]string]bool{}
	firedBy := map[mosaic.ID][]mosaic.ID{} // alert ID -> the anchors that fired it in this pass
	ruleOf := map[mosaic.ID]*Rule{}
	evalOnce := func(rule *Rule, x *rec) error {
		k := [2]string{rule.Name, string(x.id)}
		if anchors[k] {
			return nil
		}
		anchors[k] = true
		a, err := ev.anchor(rule, x)
		if err != nil || a == nil {
			return err
		}
		id := mosaic.AlertID(a.Rule, a.Key)
		firedBy[id] = append(firedBy[id], x.id)
		ruleOf[id] = rule
		emit(a)
		return nil
	}
	for _, x := range order {
		for _, rule := range e.rules.Rules {
			if rule.Record == x.kind {
				if err := evalOnce(rule, x); err != nil {
					return nil, err
				}
			}
			if rule.With != nil && rule.With.Record == x.kind && matchAll(rule.With.Where, x.fields) {
				as, err := ev.inverse(rule, x)
				if err != nil {
					return nil, err
				}
				for _, a := range as {
					if err := evalOnce(rule, a); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	if ev.err != nil {
		return nil, ev.err
	}
	var alerts []*mosaic.Alert
	for _, id := range ids {
		a := out[id]
		seen := e.fired[id]
		if seen == nil {
			seen = map[mosaic.ID]bool{}
			e.fired[id] = seen
		}
		fresh := false
		for _, r := range a.Records {
			if !seen[r] {
				seen[r] = true
				fresh = true
			}
		}
		if fresh { // else raised before with these records: the store has them
			alerts = append(alerts, a)
		}
	}
	if !e.keepStale {
		gone, err := e.recheck(ev, out)
		if err != nil {
			return nil, err
		}
		e.track(ev, out, firedBy, ruleOf)
		alerts = append(alerts, gone...)
	}
	return alerts, nil
}

func mergeInto(dst, src *mosaic.Alert) {
	for _, r := range src.Records {
		if !slices.Contains(dst.Records, r) {
			dst.Records = append(dst.Records, r)
		}
	}
	for _, x := range src.Entities {
		if !slices.Contains(dst.Entities, x) {
			dst.Entities = append(dst.Entities, x)
		}
	}
	dst.Marking = dst.Marking.Union(src.Marking)
	if src.Score > dst.Score {
		dst.Score, dst.Explanation, dst.Title, dst.Match = src.Score, src.Explanation, src.Title, src.Match
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// Stats describes the engine's memory.
type Stats struct {
	Nodes, Edges, Records, Subjects int
}

// Stats returns the sizes of the engine's state.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Stats{Nodes: len(e.g.keys), Edges: len(e.g.edges), Records: len(e.recs), Subjects: len(e.subjects)}
}
