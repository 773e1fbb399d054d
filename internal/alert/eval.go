package alert

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
)

// eval is one evaluation pass: it memoises entity look-ups, so that one
// batch sees one consistent resolution.
type eval struct {
	e      *Engine
	ctx    context.Context
	err    error
	ents   map[mosaic.ID]mosaic.ID
	peers  map[mosaic.ID][]mosaic.ID
	assocs map[uint32][]assoc
	subj   map[mosaic.ID][]subjectRef
	rep    map[mosaic.ID]mosaic.ID // entity -> the first mention looked up in it
	// ball holds every entity within the rules' reach of a subject (nil
	// until computed).
	ball map[mosaic.ID]bool
}

func (e *Engine) newEval(ctx context.Context) *eval {
	return &eval{e: e, ctx: ctx, ents: map[mosaic.ID]mosaic.ID{}, peers: map[mosaic.ID][]mosaic.ID{},
		assocs: map[uint32][]assoc{}, subj: map[mosaic.ID][]subjectRef{}, rep: map[mosaic.ID]mosaic.ID{}}
}

// entityOf returns the entity of mention m (m itself when unresolved).
func (ev *eval) entityOf(m mosaic.ID) mosaic.ID {
	if x, ok := ev.ents[m]; ok {
		return x
	}
	ent, err := ev.e.res.EntityOf(ev.ctx, m)
	if err != nil && ev.err == nil {
		ev.err = err
	}
	if ent == "" {
		ent = m
	}
	ev.ents[m] = ent
	if _, ok := ev.rep[ent]; !ok {
		ev.rep[ent] = m
	}
	return ent
}

// peersOf returns the mentions of m's entity.
func (ev *eval) peersOf(m mosaic.ID) []mosaic.ID {
	ent := ev.entityOf(m)
	if p, ok := ev.peers[ent]; ok {
		return p
	}
	ps, err := ev.e.res.Peers(ev.ctx, m)
	if err != nil && ev.err == nil {
		ev.err = err
	}
	if len(ps) == 0 {
		ps = []mosaic.ID{m}
	}
	ev.peers[ent] = ps
	for _, p := range ps {
		if _, ok := ev.ents[p]; !ok {
			ev.ents[p] = ent
		}
	}
	return ps
}

// subjectRefs returns why m's entity is a subject (on lists, if given).
func (ev *eval) subjectRefs(m mosaic.ID, lists []string) []subjectRef {
	ent := ev.entityOf(m)
	refs, ok := ev.subj[ent]
	if !ok {
		peers := ev.peersOf(m)
		for _, p := range peers {
			for _, r := range ev.e.subjects[p] {
				if ev.corroborated(r, peers) {
					refs = append(refs, r)
				}
			}
		}
		ev.subj[ent] = refs
	}
	if len(lists) == 0 || len(refs) == 0 {
		return refs
	}
	var out []subjectRef
	for _, r := range refs {
		if slices.Contains(lists, r.List) {
			out = append(out, r)
		}
	}
	return out
}

// refsFor returns why the entity of mention m is a subject, leaving out
// watch-list entries whose date of birth conflicts with the one m itself
// gives: the record is then about someone else, whatever resolution says.
func (ev *eval) refsFor(m mosaic.ID, lists []string) []subjectRef {
	refs := ev.subjectRefs(m, lists)
	b, ok := ev.e.births[m]
	if !ok || len(refs) == 0 {
		return refs
	}
	var out []subjectRef
	for _, r := range refs {
		if r.BirthDate == "" || sameBirth(b, r.BirthDate) {
			out = append(out, r)
		}
	}
	return out
}

// reachedSubject reports whether an association that lands on a subject
// entity may count: not when the entity mixes people (its mentions give
// dates of birth that conflict) and the mention the association landed on
// gives none, since the association may then belong to someone else.
func (ev *eval) reachedSubject(r *reached) bool {
	if _, ok := ev.e.births[r.rep]; ok {
		return true
	}
	return !ev.mixed(r.rep)
}

// mixed reports whether the entity of m holds conflicting dates of birth.
func (ev *eval) mixed(m mosaic.ID) bool {
	var first string
	for _, p := range ev.peersOf(m) {
		b, ok := ev.e.births[p]
		if !ok || len(ev.e.subjects[p]) > 0 {
			continue
		}
		if first == "" {
			first = b
		} else if !sameBirth(first, b) {
			return true
		}
	}
	return false
}

// corroborated reports whether a watch-list entry may make the entity of
// peers a subject: not when the entry gives a date of birth and every
// other mention of the entity that gives one conflicts with it. (Dates of
// birth are identifying facts: comparing them decides only whether the
// entry and the entity are the same person, which resolution may have got
// wrong.)
func (ev *eval) corroborated(r subjectRef, peers []mosaic.ID) bool {
	if r.BirthDate == "" {
		return true
	}
	seen := false
	for _, p := range peers {
		if p == r.Mention || len(ev.e.subjects[p]) > 0 {
			continue
		}
		b, ok := ev.e.births[p]
		if !ok {
			continue
		}
		seen = true
		if sameBirth(b, r.BirthDate) {
			return true
		}
	}
	return !seen
}

// sameBirth reports whether two dates of birth (YYYY-MM-DD) may be the
// same person's: equal; day and month swapped; the same year with the
// month or the day mistyped; the same day and month with the year one
// off; or less than a week apart. A year further off is another person
// (someone of the same name born years apart), even when it differs in
// one digit only.
func sameBirth(a, b string) bool {
	if a == b {
		return true
	}
	pa, pb := strings.Split(a, "-"), strings.Split(b, "-")
	if len(pa) != 3 || len(pb) != 3 {
		return true // not comparable: no conflict
	}
	if pa[0] == pb[0] && pa[1] == pb[2] && pa[2] == pb[1] {
		return true
	}
	if pa[0] == pb[0] && (pa[1] == pb[1] || pa[2] == pb[2]) {
		return true
	}
	ya, err1 := strconv.Atoi(pa[0])
	yb, err2 := strconv.Atoi(pb[0])
	if err1 != nil || err2 != nil {
		return true
	}
	if pa[1] == pb[1] && pa[2] == pb[2] && (ya-yb == 1 || yb-ya == 1) {
		return true
	}
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	return err1 == nil && err2 == nil && ta.Sub(tb).Abs() < 7*24*time.Hour
}

// records returns the kept records that mention m's entity.
func (ev *eval) records(m mosaic.ID) []*rec {
	var out []*rec
	for _, p := range ev.peersOf(m) {
		if x, ok := ev.e.recs[mosaic.OriginOf(p)]; ok && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func (ev *eval) associates(n uint32) []assoc {
	if as, ok := ev.assocs[n]; ok {
		return as
	}
	e := ev.e
	as := e.g.associates(n, e.paths, nil, e.rules.Associations.MaxFanout, func(x uint32) mosaic.ID {
		return ev.entityOf(mosaic.ID(e.g.keys[x]))
	}, nil)
	ev.assocs[n] = as
	return as
}

// use returns which association paths via names (nil: all).
func (ev *eval) use(via []string) []bool {
	if len(via) == 0 {
		return nil
	}
	u := make([]bool, len(ev.e.paths))
	for _, v := range via {
		u[ev.e.pathIdx[v]] = true
	}
	return u
}

// reached is an entity found by bfs, with the association that reached it.
type reached struct {
	ent      mosaic.ID
	rep      mosaic.ID // one of its mentions
	dist     int
	parent   int    // index in the bfs result (-1 for the start)
	from, to uint32 // graph nodes of the association
	path     int
	ev       []uint32
}

// bfs walks associations from the entity of mention start, out to hops,
// in order of distance. visit (if set) sees each entity as it is found
// and may stop the walk by returning true. An entity with more than
// 8*max_fanout associations is reached but not crossed.
func (ev *eval) bfs(start mosaic.ID, hops int, use []bool, visit func(*reached) bool) []reached {
	g := ev.e.g
	fan := ev.e.rules.Associations.MaxFanout
	out := []reached{{ent: ev.entityOf(start), rep: start, parent: -1}}
	seen := map[mosaic.ID]bool{out[0].ent: true}
	if visit != nil && visit(&out[0]) {
		return out
	}
	for i := 0; i < len(out); i++ {
		cur := out[i]
		if cur.dist >= hops {
			continue
		}
		type step struct {
			from uint32
			a    assoc
		}
		var steps []step
		for _, p := range ev.peersOf(cur.rep) {
			n, ok := g.ids[string(p)]
			if !ok || !g.person[n] {
				continue
			}
			for _, a := range ev.associates(n) {
				if use == nil || use[a.path] {
					steps = append(steps, step{n, a})
				}
			}
		}
		if cur.dist > 0 && len(steps) > 8*fan && distinctEntities(ev, steps, cur.ent, func(s step) uint32 { return s.a.to }) > 8*fan {
			continue // a hub: count people, not their mentions' associations
		}
		for _, s := range steps {
			m := mosaic.ID(g.keys[s.a.to])
			ent := ev.entityOf(m)
			if seen[ent] {
				continue
			}
			seen[ent] = true
			out = append(out, reached{ent: ent, rep: m, dist: cur.dist + 1, parent: i, from: s.from, to: s.a.to, path: s.a.path, ev: s.a.ev})
			if visit != nil && visit(&out[len(out)-1]) {
				return out
			}
		}
	}
	return out
}

// distinctEntities counts the entities other than self that the steps
// reach.
func distinctEntities[T any](ev *eval, steps []T, self mosaic.ID, to func(T) uint32) int {
	ents := map[mosaic.ID]bool{}
	for _, s := range steps {
		ents[ev.entityOf(mosaic.ID(ev.e.g.keys[to(s)]))] = true
	}
	delete(ents, self)
	return len(ents)
}

// subjectBall returns the entities within hops of any subject, now.
func (ev *eval) subjectBall(hops int) map[mosaic.ID]bool {
	ball := map[mosaic.ID]bool{}
	done := map[mosaic.ID]bool{}
	for m := range ev.e.subjects {
		ent := ev.entityOf(m)
		if done[ent] {
			continue
		}
		done[ent] = true
		if len(ev.subjectRefs(m, nil)) == 0 {
			continue
		}
		for _, r := range ev.bfs(m, hops, nil, nil) {
			ball[r.ent] = true
		}
	}
	return ball
}

// nearSubject reports whether m's entity may be within the rules' reach
// of a subject (true when the ball is not computed).
func (ev *eval) nearSubject(m mosaic.ID) bool {
	return ev.ball == nil || ev.ball[ev.entityOf(m)]
}

// chain describes how ball[i] was reached from the start.
func (ev *eval) chain(ball []reached, i int) (string, []mosaic.ID) {
	g := ev.e.g
	var parts []string
	var ents []mosaic.ID
	for j := i; ball[j].parent >= 0; j = ball[j].parent {
		r := ball[j]
		var evs []string
		for _, x := range r.ev {
			evs = append(evs, string(g.ev[x]))
		}
		parts = append(parts, fmt.Sprintf("—%s [%s]→ %q (%s)", ev.e.paths[r.path].name, strings.Join(evs, ", "), g.caption[r.to], r.ent))
		ents = append(ents, r.ent)
	}
	slices.Reverse(parts)
	return strings.Join(parts, " "), ents
}

func refStrings(refs []subjectRef) []string {
	var out []string
	for _, r := range refs {
		if s := r.String(); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func addEntity(a *mosaic.Alert, ids ...mosaic.ID) {
	for _, id := range ids {
		if id != "" && !slices.Contains(a.Entities, id) {
			a.Entities = append(a.Entities, id)
		}
	}
}

func addRecord(a *mosaic.Alert, x *rec) {
	if !slices.Contains(a.Records, x.id) {
		a.Records = append(a.Records, x.id)
		a.Marking = a.Marking.Union(x.marking)
	}
}

// anchor evaluates rule on record x as its anchor, returning the alert or
// nil when a condition fails.
func (ev *eval) anchor(rule *Rule, x *rec) (*mosaic.Alert, error) {
	who, ok := x.mention(rule.Who)
	if !ok || !matchAll(rule.Where, x.fields) {
		return nil, ev.err
	}
	ent := ev.entityOf(who.m)
	a := &mosaic.Alert{Rule: rule.Name, Score: rule.Score, Title: rule.Title + ": " + who.caption}
	addRecord(a, x)
	addEntity(a, ent)
	a.Explanation = append(a.Explanation, fmt.Sprintf("%s (%s): %s %q is entity %s", x.label(), x.id, rule.Who, who.caption, ent))
	var refs, whoRefs []subjectRef
	useRefs := func(rs []subjectRef) {
		refs = append(refs, rs...)
		for _, r := range rs {
			a.Marking = a.Marking.Union(r.Marking)
		}
	}
	if rule.Subject != nil {
		whoRefs = ev.refsFor(who.m, rule.Subject.Lists)
		if len(whoRefs) == 0 {
			return nil, ev.err
		}
		useRefs(whoRefs)
		a.Explanation = append(a.Explanation, fmt.Sprintf("the %s is a subject: %s", rule.Who, describeRefs(whoRefs)))
	}
	if l := rule.Linked; l != nil {
		found := false
		for _, lk := range x.links {
			if lk.pred != l.Predicate {
				continue
			}
			other := ""
			switch rule.Who {
			case lk.a:
				other = lk.b
			case lk.b:
				other = lk.a
			default:
				continue
			}
			o, ok := x.mention(other)
			if !ok {
				continue
			}
			rs := ev.refsFor(o.m, l.Subject.Lists)
			if len(rs) == 0 {
				continue
			}
			found = true
			useRefs(rs)
			oe := ev.entityOf(o.m)
			addEntity(a, oe)
			a.Explanation = append(a.Explanation, fmt.Sprintf("linked by %s in this record to the %s %q (%s), a subject: %s", l.Predicate, other, o.caption, oe, describeRefs(rs)))
		}
		if !found {
			return nil, ev.err
		}
	}
	if n := rule.NearSubject; n != nil {
		if !ev.nearSubject(who.m) {
			return nil, ev.err
		}
		hit := -1
		var hitRefs []subjectRef
		ball := ev.bfs(who.m, n.Hops, ev.use(n.Via), func(r *reached) bool {
			if rs := ev.refsFor(r.rep, n.Lists); len(rs) > 0 && (r.dist == 0 || ev.reachedSubject(r)) {
				hitRefs = rs
				return true
			}
			return false
		})
		if len(hitRefs) > 0 {
			hit = len(ball) - 1
		}
		if hit < 0 {
			return nil, ev.err
		}
		useRefs(hitRefs)
		h := ball[hit]
		a.Score *= math.Pow(0.85, float64(h.dist))
		if h.dist == 0 {
			a.Explanation = append(a.Explanation, fmt.Sprintf("the %s is a subject: %s", rule.Who, describeRefs(hitRefs)))
		} else {
			desc, ents := ev.chain(ball, hit)
			addEntity(a, ents...)
			a.Explanation = append(a.Explanation, fmt.Sprintf("%d hop(s) from subject %s (%s): %q %s", h.dist, h.ent, describeRefs(hitRefs), who.caption, desc))
		}
	}
	if t := rule.Together; t != nil {
		k, ok := togetherKey(rule, x)
		if !ok {
			return nil, ev.err
		}
		subjects := map[mosaic.ID]bool{}
		var lines []string
		for _, y := range ev.e.together[k] {
			ym, ok := y.mention(rule.Who)
			if !ok {
				continue
			}
			rs := ev.refsFor(ym.m, rule.Subject.Lists)
			if len(rs) == 0 {
				continue
			}
			ye := ev.entityOf(ym.m)
			subjects[ye] = true
			if y != x {
				addRecord(a, y)
				addEntity(a, ye)
				useRefs(rs)
				lines = append(lines, fmt.Sprintf("%s (%s): %s %q (%s), a subject: %s", y.label(), y.id, rule.Who, ym.caption, ye, describeRefs(rs)))
			}
		}
		if len(subjects) < t.Count {
			return nil, ev.err
		}
		var on []string
		for _, f := range t.On {
			on = append(on, f+" "+x.fields[f])
		}
		a.Explanation = append(a.Explanation, fmt.Sprintf("%d distinct subjects share %s:", len(subjects), strings.Join(on, ", ")))
		a.Explanation = append(a.Explanation, lines...)
	}
	if w := rule.With; w != nil {
		ball := ev.bfs(who.m, w.Hops, ev.use(w.Via), nil)
		var found []*rec
		for i, r := range ball {
			for _, y := range ev.records(r.rep) {
				if y.kind != w.Record || y == x || slices.Contains(found, y) || !matchAll(w.Where, y.fields) {
					continue
				}
				ym, ok := y.mention(w.Who)
				if !ok || ev.entityOf(ym.m) != r.ent {
					continue
				}
				gap, ok := window(x, y, w.Within)
				if !ok {
					continue
				}
				found = append(found, y)
				addRecord(a, y)
				by := "the same " + rule.Who
				if r.dist > 0 {
					desc, ents := ev.chain(ball, i)
					addEntity(a, ents...)
					by = fmt.Sprintf("%q, %d hop(s) away: %s", ym.caption, r.dist, desc)
				}
				a.Explanation = append(a.Explanation, fmt.Sprintf("%s (%s), %s, by %s", y.label(), y.id, gap, by))
			}
		}
		if len(found) < w.Count {
			return nil, ev.err
		}
	}
	switch rule.Key {
	case KeySubject:
		a.Key = strings.Join(refStrings(whoRefs), ",")
	case KeyEntity:
		a.Key = string(ent)
	case KeyTogether:
		a.Key, _ = togetherKey(rule, x)
		a.Key = strings.ReplaceAll(strings.TrimPrefix(a.Key, rule.Name+"\x00"), "\x00", "|")
	default:
		a.Key = string(x.id)
	}
	a.Match = strings.Join(refStrings(refs), ",")
	return a, ev.err
}

// window reports whether y lies within d of x (either side; any time when
// d is 0) and describes the gap.
func window(x, y *rec, d Duration) (string, bool) {
	if x.time.IsZero() || y.time.IsZero() {
		return "undated", d == 0
	}
	gap := y.time.Sub(x.time)
	if d > 0 && gap.Abs() > d.Std() {
		return "", false
	}
	days := int(math.Round(gap.Abs().Hours() / 24))
	switch {
	case gap < 0:
		return fmt.Sprintf("%d day(s) before", days), true
	case gap > 0:
		return fmt.Sprintf("%d day(s) after", days), true
	}
	return "the same day", true
}

func describeRefs(refs []subjectRef) string {
	var parts []string
	for _, r := range refs {
		s := "watch-list entry " + r.String() + " (" + string(r.Record) + ")"
		if strings.HasPrefix(string(r.Record), mosaic.PrefixAlert+"-") {
			s = "screening hit on " + r.String() + " (alert " + string(r.Record) + ")"
		}
		if !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}

// inverse returns the anchors of rule that record y (a "with" record)
// could complete: rule.Who records by y's person or an associate within
// the rule's hops, within its window.
func (ev *eval) inverse(rule *Rule, y *rec) ([]*rec, error) {
	w := rule.With
	ym, ok := y.mention(w.Who)
	if !ok || (rule.Subject != nil && !ev.nearSubject(ym.m)) {
		return nil, ev.err
	}
	var out []*rec
	for _, r := range ev.bfs(ym.m, w.Hops, ev.use(w.Via), nil) {
		for _, x := range ev.records(r.rep) {
			if x.kind != rule.Record || slices.Contains(out, x) {
				continue
			}
			xm, ok := x.mention(rule.Who)
			if !ok || ev.entityOf(xm.m) != r.ent {
				continue
			}
			if _, ok := window(x, y, w.Within); ok {
				out = append(out, x)
			}
		}
	}
	return out, ev.err
}
