package alert

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Withdrawal: an alert raised while resolution had merged two namesakes
// (or an intermediary with another person) may stop holding once
// resolution splits them again. The engine remembers, for every alert it
// raised, the anchor records that fired it and a signature of the
// entities it involved (for each, one of its mentions, the entity that
// mention was in and how many mentions that entity had). At every
// evaluation it compares the signatures with resolution as it stands,
// and re-evaluates the rule on the anchors of the alerts whose entities
// changed (merged, split or grew); an alert none of whose anchors fires
// it any more is returned withdrawn (State mosaic.AlertWithdrawn, the
// reason in its last History entry), which the store applies (see
// store.Tx.PutAlert and docs/alerts.md). It may fire again later: it is
// then raised again and the store reopens it.

// openAlert is what the engine keeps of an alert it raised.
type openAlert struct {
	rule    *Rule
	key     string
	anchors []mosaic.ID
	sig     []sigEnt // nil: not known (restored), re-check at the next pass
}

// sigEnt is one entity of an alert as it was when the alert last held.
type sigEnt struct {
	m, ent mosaic.ID
	n      int
}

// RecheckStats counts the engine's re-checks of the alerts it raised.
type RecheckStats struct {
	Passes    int           // evaluations that compared signatures
	Compared  int           // alert signatures compared
	Rechecked int           // alerts whose entities changed, re-evaluated
	Withdrawn int           // alerts withdrawn
	Open      int           // alerts the engine keeps (now)
	Time      time.Duration // spent comparing, re-evaluating and taking signatures
}

// RecheckStats returns the re-check counters.
func (e *Engine) RecheckStats() RecheckStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.rstats
	s.Open = len(e.open)
	return s
}

// signature describes the entities of a as they are in this pass.
func (ev *eval) signature(a *mosaic.Alert) []sigEnt {
	sig := make([]sigEnt, 0, len(a.Entities))
	for _, ent := range a.Entities {
		m, ok := ev.rep[ent]
		if !ok {
			continue
		}
		sig = append(sig, sigEnt{m: m, ent: ent, n: len(ev.peersOf(m))})
	}
	return sig
}

// changed reports whether an entity of the signature is not as it was.
func (ev *eval) changed(sig []sigEnt) bool {
	if sig == nil {
		return true
	}
	for _, s := range sig {
		if ev.entityOf(s.m) != s.ent || len(ev.peersOf(s.m)) != s.n {
			return true
		}
	}
	return false
}

// track remembers the alerts that held in this pass (out, by ID), with
// the anchors that fired them.
func (e *Engine) track(ev *eval, out map[mosaic.ID]*mosaic.Alert, anchors map[mosaic.ID][]mosaic.ID, rules map[mosaic.ID]*Rule) {
	start := time.Now()
	defer func() { e.rstats.Time += time.Since(start) }()
	for id, a := range out {
		o := e.open[id]
		if o == nil {
			o = &openAlert{rule: rules[id], key: a.Key}
			e.open[id] = o
		}
		for _, x := range anchors[id] {
			if !slices.Contains(o.anchors, x) {
				o.anchors = append(o.anchors, x)
			}
		}
		o.sig = ev.signature(a)
	}
}

// recheck re-evaluates the open alerts (other than those that held in
// this pass, in out) whose entities changed, and returns those that no
// longer hold, withdrawn.
func (e *Engine) recheck(ev *eval, out map[mosaic.ID]*mosaic.Alert) ([]*mosaic.Alert, error) {
	start := time.Now()
	all := e.recheckAll
	e.recheckAll = false
	e.rstats.Passes++
	var gone []*mosaic.Alert
	for id, o := range e.open {
		if out[id] != nil {
			continue
		}
		e.rstats.Compared++
		if !all && !ev.changed(o.sig) {
			continue
		}
		e.rstats.Rechecked++
		holds := false
		var labels []string
		for _, r := range o.anchors {
			x := e.recs[r]
			if x == nil {
				continue
			}
			labels = append(labels, fmt.Sprintf("%s (%s)", x.label(), x.id))
			a, err := ev.anchor(o.rule, x)
			if err != nil {
				return nil, err
			}
			if a != nil && mosaic.AlertID(a.Rule, a.Key) == id {
				holds = true
				o.sig = ev.signature(a)
				break
			}
		}
		if holds {
			continue
		}
		why := "re-checked after its entities changed: " + o.rule.Name + " no longer fires on " + strings.Join(labels, ", ")
		if n := o.rule.NearSubject; n != nil {
			why += fmt.Sprintf(": no subject within %d hop(s) of the %s", n.Hops, o.rule.Who)
		}
		why += " under the current resolution"
		gone = append(gone, &mosaic.Alert{Rule: o.rule.Name, Key: o.key, Records: slices.Clone(o.anchors), State: mosaic.AlertWithdrawn,
			History: []mosaic.AlertChange{{State: mosaic.AlertWithdrawn, Who: "mosaic", Why: why}}})
		delete(e.open, id)
		delete(e.fired, id) // so that it is raised again if it fires again
	}
	slices.SortFunc(gone, func(a, b *mosaic.Alert) int { return strings.Compare(a.Rule+"\x00"+a.Key, b.Rule+"\x00"+b.Key) })
	e.rstats.Withdrawn += len(gone)
	e.rstats.Time += time.Since(start)
	return gone, ev.err
}

// restoreOpen learns the stored alerts of the engine's rules that may
// still be withdrawn (not withdrawn nor dismissed), with the kept records
// of each rule's anchor kind as their anchors; they are re-checked at the
// next evaluation.
func (e *Engine) restoreOpen(ctx context.Context, st store.AlertReader) error {
	for _, r := range e.rules.Rules {
		as, err := st.Alerts(ctx, pipeline.System, store.AlertFilter{Rule: r.Name, Limit: 1 << 30})
		if err != nil {
			return fmt.Errorf("restore open alerts: %w", err)
		}
		for _, a := range as {
			if a.State == mosaic.AlertWithdrawn || a.State == mosaic.AlertDismissed {
				continue
			}
			o := &openAlert{rule: r, key: a.Key}
			for _, id := range a.Records {
				if x := e.recs[id]; x != nil && x.kind == r.Record {
					o.anchors = append(o.anchors, id)
				}
			}
			if len(o.anchors) > 0 {
				e.open[a.ID] = o
			}
		}
	}
	return nil
}
