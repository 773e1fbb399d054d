package alert

import (
	"context"
	"fmt"

	mosaic "github.com/mosaic-intel/mosaic"
)

// Hop is one association on the path by which a near_subject rule
// reaches a subject: From is a mention of the previous entity, To a
// mention of the next one.
type Hop struct {
	From, To    mosaic.ID
	Association string
	Evidence    []mosaic.ID // the records that evidence the association
}

// Trace is what a near_subject rule finds from one anchor record.
type Trace struct {
	Who      mosaic.ID // the anchor person's mention
	Found    bool      // a subject is within the rule's hops
	Hops     []Hop     // the path to the subject (empty when the person is one)
	Subject  mosaic.ID // the mention the path ended on
	Subjects []string  // the subject's list:entry references
}

// TracePath evaluates the near_subject condition of the named rule on a
// kept anchor record, now, and returns the path it finds (for error
// analysis: docs/benchmarks/alerts.md).
func (e *Engine) TracePath(ctx context.Context, rule string, id mosaic.ID) (*Trace, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var r *Rule
	for _, x := range e.rules.Rules {
		if x.Name == rule {
			r = x
		}
	}
	if r == nil || r.NearSubject == nil {
		return nil, fmt.Errorf("alert: rule %q has no near_subject condition", rule)
	}
	x, ok := e.recs[id]
	if !ok {
		return nil, fmt.Errorf("alert: record %s is not kept", id)
	}
	who, ok := x.mention(r.Who)
	if !ok {
		return nil, fmt.Errorf("alert: record %s has no %s", id, r.Who)
	}
	ev := e.newEval(ctx)
	n := r.NearSubject
	t := &Trace{Who: who.m}
	var refs []subjectRef
	ball := ev.bfs(who.m, n.Hops, ev.use(n.Via), func(rc *reached) bool {
		if rs := ev.refsFor(rc.rep, n.Lists); len(rs) > 0 && (rc.dist == 0 || ev.reachedSubject(rc)) {
			refs = rs
			return true
		}
		return false
	})
	if ev.err != nil {
		return nil, ev.err
	}
	if len(refs) == 0 {
		return t, nil
	}
	t.Found, t.Subjects = true, refStrings(refs)
	last := len(ball) - 1
	t.Subject = ball[last].rep
	for j := last; ball[j].parent >= 0; j = ball[j].parent {
		b := ball[j]
		h := Hop{From: mosaic.ID(e.g.keys[b.from]), To: mosaic.ID(e.g.keys[b.to]), Association: e.paths[b.path].name}
		for _, v := range b.ev {
			h.Evidence = append(h.Evidence, e.g.ev[v])
		}
		t.Hops = append([]Hop{h}, t.Hops...)
	}
	return t, nil
}

// Probe says how the engine sees the way from the entity of mention from
// to that of mention to (for error analysis).
type Probe struct {
	Dist       int      // associations between them within hops (-1: not reached)
	DistNoHubs int      // the same when no hub is avoided
	Subjects   []string // why to's entity is a subject (before the date-of-birth checks)
	Accepted   []string // what is left after them
	Mixed      bool     // to's entity holds conflicting dates of birth
	Peers      int      // mentions in to's entity
}

// ProbePath measures the way from one mention's entity to another's.
func (e *Engine) ProbePath(ctx context.Context, from, to mosaic.ID, hops int) Probe {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev := e.newEval(ctx)
	target := ev.entityOf(to)
	p := Probe{Dist: -1, DistNoHubs: -1, Subjects: refStrings(ev.subjectRefs(to, nil)), Accepted: refStrings(ev.refsFor(to, nil)),
		Mixed: ev.mixed(to), Peers: len(ev.peersOf(to))}
	for _, r := range ev.bfs(from, hops, nil, nil) {
		if r.ent == target {
			p.Dist = r.dist
		}
	}
	fan := e.rules.Associations.MaxFanout
	e.rules.Associations.MaxFanout = 1 << 20
	ev = e.newEval(ctx)
	for _, r := range ev.bfs(from, hops, nil, nil) {
		if r.ent == target {
			p.DistNoHubs = r.dist
		}
	}
	e.rules.Associations.MaxFanout = fan
	return p
}
