// Package cooccur derives co-occurrence edges from records: two entities on
// the same flight or booking, at the same address, sharing a phone or a
// vehicle, visiting the same prisoner, in the same communication, taking
// part in the same reported event, or named in the same document. Each
// derived edge carries how often the pair co-occurred (Edge.Count), the
// time window it spans, the records as evidence, and the union of those
// records' markings.
//
// A shared attribute used by many (an airport shuttle, a switchboard
// number, a prison) does not become a clique of everyone: past MaxGroup
// participants the group becomes one hub node joined to each member, which
// the graph's hub penalty then down-weights in path scoring.
package cooccur

import (
	"math"
	"slices"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/graph"
)

// Observation is one record placing participants together.
type Observation struct {
	Record mosaic.ID
	// Kind names the shared thing: "flight", "booking", "address",
	// "phone", "vehicle", "visit", "communication", "event", "document",
	// or any other word.
	Kind string
	Time time.Time
	// Participants are resolved entity IDs (one for a passenger record,
	// two for a call).
	Participants []mosaic.ID
	// Shared is the attribute the records share (flight number and date,
	// normalised address, phone number, plate, prisoner). Empty means the
	// record stands alone: only its own participants co-occur.
	Shared  string
	Marking mosaic.Marking
}

// Kind describes how one kind of observation becomes edges.
type Kind struct {
	// EdgeType of the derived edges (default "same_" + kind).
	EdgeType string
	// P is the confidence one co-occurrence gives; n of them give
	// 1 - (1-P)^n.
	P float64
	// Window, when set, pairs only observations this close in time
	// (e.g. hiring the same car within a week).
	Window time.Duration
}

// DefaultKinds are the built-in kinds.
func DefaultKinds() map[string]Kind {
	return map[string]Kind{
		"flight":        {EdgeType: "same_flight", P: 0.3},
		"address":       {EdgeType: "same_address", P: 0.5},
		"phone":         {EdgeType: "same_phone", P: 0.6},
		"vehicle":       {EdgeType: "same_vehicle", P: 0.4, Window: 7 * 24 * time.Hour},
		"visit":         {EdgeType: "visited_same", P: 0.4},
		"communication": {EdgeType: "communicated", P: 0.7},
		"booking":       {EdgeType: "same_booking", P: 0.6},
		"event":         {EdgeType: "same_event", P: 0.5},
		"document":      {EdgeType: "co_mentioned", P: 0.3},
	}
}

// Options configure a Deriver.
type Options struct {
	Kinds map[string]Kind // default DefaultKinds(); unknown kinds get P 0.3
	// MaxGroup: a group with more participants becomes a hub node
	// (default 50).
	MaxGroup int
	// MaxEvidence caps the record IDs kept per edge (default 32); the
	// count stays exact.
	MaxEvidence int
}

// Deriver accumulates observations and derives edges. Not safe for
// concurrent use.
type Deriver struct {
	o      Options
	groups map[groupKey][]Observation
}

type groupKey struct{ kind, shared string }

// New returns a Deriver.
func New(o Options) *Deriver {
	if o.Kinds == nil {
		o.Kinds = DefaultKinds()
	}
	if o.MaxGroup <= 0 {
		o.MaxGroup = 50
	}
	if o.MaxEvidence <= 0 {
		o.MaxEvidence = 32
	}
	return &Deriver{o: o, groups: map[groupKey][]Observation{}}
}

// Add adds one observation.
func (d *Deriver) Add(ob Observation) {
	k := groupKey{ob.Kind, strings.TrimSpace(ob.Shared)}
	if k.shared == "" {
		k.shared = "\x00" + string(ob.Record) // stands alone
	}
	d.groups[k] = append(d.groups[k], ob)
}

func (d *Deriver) kind(name string) Kind {
	k, ok := d.o.Kinds[name]
	if !ok {
		k.P = 0.3
	}
	if k.EdgeType == "" {
		k.EdgeType = "same_" + name
	}
	return k
}

type pairKey struct {
	a, b    mosaic.ID
	typ     string
	marking string
}

type pairAgg struct {
	marking    mosaic.Marking
	count      int
	start, end time.Time
	evidence   []mosaic.ID
	p          float64
}

// Derive returns the hub nodes and the edges derived so far, in a stable
// order.
func (d *Deriver) Derive() ([]graph.Node, []graph.Edge) {
	pairs := map[pairKey]*pairAgg{}
	var hubs []graph.Node
	var edges []graph.Edge
	keys := make([]groupKey, 0, len(d.groups))
	for k := range d.groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y groupKey) int { return strings.Compare(x.kind+"\x01"+x.shared, y.kind+"\x01"+y.shared) })
	for _, gk := range keys {
		obs := d.groups[gk]
		kd := d.kind(gk.kind)
		people := map[mosaic.ID]bool{}
		for _, ob := range obs {
			for _, p := range ob.Participants {
				people[p] = true
			}
		}
		if len(people) > d.o.MaxGroup {
			hubs = append(hubs, d.hub(gk, obs, kd, &edges)...)
			continue
		}
		slices.SortStableFunc(obs, func(x, y Observation) int { return x.Time.Compare(y.Time) })
		// Within one group a pair counts once (one occasion), with the
		// records of both sides as evidence.
		seen := map[pairKey]bool{}
		for i := range obs {
			for j := i; j < len(obs); j++ {
				if kd.Window > 0 && j > i && obs[j].Time.Sub(obs[i].Time) > kd.Window {
					break
				}
				m := obs[i].Marking.Union(obs[j].Marking)
				for _, a := range obs[i].Participants {
					for _, b := range obs[j].Participants {
						if a == b {
							continue
						}
						if a > b {
							a, b = b, a
						}
						pk := pairKey{a, b, kd.EdgeType, m.String()}
						ag := pairs[pk]
						if ag == nil {
							ag = &pairAgg{marking: m, p: kd.P}
							pairs[pk] = ag
						}
						if !seen[pk] {
							seen[pk] = true
							ag.count++
						}
						for _, ob := range []*Observation{&obs[i], &obs[j]} {
							ag.widen(ob.Time)
							if len(ag.evidence) < d.o.MaxEvidence && !slices.Contains(ag.evidence, ob.Record) {
								ag.evidence = append(ag.evidence, ob.Record)
							}
						}
					}
				}
			}
		}
	}
	pks := make([]pairKey, 0, len(pairs))
	for k := range pairs {
		pks = append(pks, k)
	}
	slices.SortFunc(pks, func(x, y pairKey) int {
		return strings.Compare(string(x.a)+"\x00"+string(x.b)+"\x00"+x.typ+"\x00"+x.marking,
			string(y.a)+"\x00"+string(y.b)+"\x00"+y.typ+"\x00"+y.marking)
	})
	for _, k := range pks {
		ag := pairs[k]
		edges = append(edges, graph.Edge{From: k.a, To: k.b, Type: k.typ, Evidence: ag.evidence, Start: ag.start, End: ag.end,
			Confidence: 1 - math.Pow(1-ag.p, float64(ag.count)), Marking: ag.marking, Count: ag.count})
	}
	return hubs, edges
}

func (ag *pairAgg) widen(t time.Time) {
	if t.IsZero() {
		return
	}
	if ag.start.IsZero() || t.Before(ag.start) {
		ag.start = t
	}
	if t.After(ag.end) {
		ag.end = t
	}
}

// hub turns a large group into a node joined to each participant.
func (d *Deriver) hub(gk groupKey, obs []Observation, kd Kind, edges *[]graph.Edge) []graph.Node {
	id := mosaic.HashID("grp", gk.kind, gk.shared)
	var m mosaic.Marking // the hub is as visible as its least marked record
	for i, ob := range obs {
		if i == 0 || len(ob.Marking) < len(m) {
			m = ob.Marking
		}
	}
	caption := gk.shared
	if strings.HasPrefix(caption, "\x00") {
		caption = gk.kind
	}
	type memberKey struct {
		p mosaic.ID
		m string
	}
	members := map[memberKey]*pairAgg{}
	var order []memberKey
	for _, ob := range obs {
		for _, p := range ob.Participants {
			k := memberKey{p, ob.Marking.String()}
			ag := members[k]
			if ag == nil {
				ag = &pairAgg{marking: ob.Marking, p: kd.P}
				members[k] = ag
				order = append(order, k)
			}
			ag.count++
			ag.widen(ob.Time)
			if len(ag.evidence) < d.o.MaxEvidence {
				ag.evidence = append(ag.evidence, ob.Record)
			}
		}
	}
	for _, k := range order {
		ag := members[k]
		*edges = append(*edges, graph.Edge{From: k.p, To: id, Type: kd.EdgeType, Evidence: ag.evidence, Start: ag.start, End: ag.end,
			Confidence: 1 - math.Pow(1-ag.p, float64(ag.count)), Marking: ag.marking.Union(m), Count: ag.count})
	}
	return []graph.Node{{ID: id, Type: mosaic.TypeMisc, Caption: caption, Marking: m}}
}
