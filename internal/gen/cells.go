package gen

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// cell is a small group of people planning violence for a violent group.
type cell struct {
	n       int // index among cells
	id      string
	group   *org
	members []int
	roles   []string
	poc     int // convicted prisoner of concern the cell is linked to
	start   int // first day of the cell's activity
	burner  string
	users   []int // members who share the burner phone
}

func (c *cell) burnerUser(i int) bool { return slices.Contains(c.users, i) }

// cellCount is about one cell per 2,000 people, and at least two in any
// world of 200 people or more.
func cellCount(n int) int {
	switch {
	case n >= 200:
		return max(2, (n+1000)/2000)
	case n >= 40:
		return 1
	}
	return 0
}

func (w *world) link(a, b int) {
	if a == b {
		return
	}
	w.cellAdj[a] = append(w.cellAdj[a], b)
	w.cellAdj[b] = append(w.cellAdj[b], a)
}

// buildCells chooses cell members, prisoners of concern and past subjects
// uniformly at random among the population, then plans each cell's
// activity. Roles never depend on a person's culture or anything else about
// them beyond not being in prison.
func (w *world) buildCells(r *rand.Rand) {
	nc := cellCount(w.n)
	taken := map[int]bool{}
	pickFree := func() int {
		for {
			j := r.IntN(w.n)
			if !taken[j] && !w.basePrisoner(j) {
				taken[j] = true
				return j
			}
		}
	}
	groupOrder := r.Perm(len(w.groups))
	for k := 0; k < nc; k++ {
		size := 3 + r.IntN(10)
		size = min(size, max(3, w.n/(10*nc)))
		c := &cell{n: k, id: "CELL-" + pad(k+1, 3), group: w.groups[groupOrder[k%len(groupOrder)]]}
		for len(c.members) < size {
			c.members = append(c.members, pickFree())
		}
		c.poc = pickFree()
		watch := make([]bool, size)
		order := r.Perm(size)
		for j, m := range order {
			watch[m] = j < 2 || chance(r, 0.5)
		}
		if size >= 4 {
			watch[order[size-1]] = false
		}
		for j, m := range c.members {
			rl := "member"
			switch {
			case j == 0:
				rl = "leader"
			case j == 1 && size >= 4:
				rl = "facilitator"
			}
			c.roles = append(c.roles, rl)
			w.special[m] = &role{cell: c, cellRole: rl, watchlisted: watch[j], group: c.group}
		}
		w.special[c.poc] = &role{poc: true, watchlisted: true, group: c.group}
		c.start = r.IntN(w.days - 160)
		w.cells = append(w.cells, c)
	}
	if w.n >= 50 {
		for k := 0; k < max(1, w.n/4000); k++ {
			s := &role{watchlisted: true}
			if chance(r, 0.5) {
				s.group = pick(r, w.groups)
			}
			w.special[pickFree()] = s
		}
	}
	for _, c := range w.cells {
		w.planCell(c, stream(w.seed, tagCell, uint64(1+c.n)))
	}
}

// planCell plans a cell's communications, shared phone, joint travel,
// precursor purchases, vehicle hire, prison visits, meetings, arrests and
// reports, and records the links they evidence.
func (w *world) planCell(c *cell, r *rand.Rand) {
	m := c.members
	leader := m[0]
	var watched, hidden []int
	for _, x := range m {
		if w.watchlisted(x) {
			watched = append(watched, x)
		} else {
			hidden = append(hidden, x)
		}
	}
	seq := uint64(c.n+1) << 24
	next := func() *rand.Rand { seq++; return stream(w.seed, tagCell, seq) }
	at := func(r *rand.Rand, from, span int) int { return min(w.days-1, max(0, c.start+from+r.IntN(span))) }

	// Shared (burner) phone.
	c.burner = randomMobile(r)
	nu := min(len(m), 2+r.IntN(2))
	for _, k := range r.Perm(len(m))[:nu] {
		c.users = append(c.users, m[k])
	}
	slices.Sort(c.users)
	for a := 0; a < len(c.users); a++ {
		for b := a + 1; b < len(c.users); b++ {
			w.link(c.users[a], c.users[b])
		}
	}

	// Buyers: an unwatched associate buys most of the precursors; a
	// watchlisted member buys one and hires a van soon after.
	assoc := pick(r, m)
	if len(hidden) > 0 {
		assoc = pick(r, hidden)
	}
	hirer := pick(r, watched)

	// Communications: the leader with everyone, some other pairs, and
	// always the associate with the hirer.
	type pair struct{ a, b, n int }
	var pairs []pair
	for i := 0; i < len(m); i++ {
		for j := i + 1; j < len(m); j++ {
			a, b := m[i], m[j]
			switch {
			case a == leader || b == leader:
				pairs = append(pairs, pair{a, b, 4 + r.IntN(9)})
			case (a == assoc && b == hirer) || (a == hirer && b == assoc):
				pairs = append(pairs, pair{a, b, 2 + r.IntN(4)})
			case chance(r, 0.35):
				pairs = append(pairs, pair{a, b, 1 + r.IntN(5)})
			}
		}
	}
	for _, u := range c.users { // every burner user calls from it at least once
		to := leader
		if u == leader {
			to = m[1]
		}
		pairs = append(pairs, pair{u, to, -1})
	}
	for _, pr := range pairs {
		pr := pr
		w.link(pr.a, pr.b)
		pr2 := next()
		w.plans[min(pr.a, pr.b)] = append(w.plans[min(pr.a, pr.b)], func(b *block, _ *rand.Rand) {
			pa, pb := w.person(pr.a), w.person(pr.b)
			n := pr.n
			if n < 0 {
				n = 1
			}
			for k := 0; k < n; k++ {
				t := w.randomTime(pr2, w.day(at(pr2, 0, 150)))
				f, to := pa, pb
				if pr.n >= 0 && chance(pr2, 0.5) {
					f, to = pb, pa
				}
				fp := f.phoneAt(t)
				edges := []edgeTag{{f.idx, to.idx, "communication"}}
				if c.burnerUser(f.idx) && (pr.n < 0 || chance(pr2, 0.5)) {
					fp = c.burner
					for _, u := range c.users {
						if u != f.idx {
							edges = append(edges, edgeTag{f.idx, u, "shared_phone"})
						}
					}
				}
				b.comm(f, fp, to, to.phoneAt(t), pr2, t, edges...)
			}
		})
	}

	// Joint travel: the first trip always has two watchlisted members on
	// the same flight; bookings are usually separate.
	type trip struct {
		who      []int
		rt       route
		out, ret int
	}
	var trips []trip
	t1 := trip{who: append([]int(nil), watched[:2]...)}
	for _, x := range m {
		if !slices.Contains(t1.who, x) && len(t1.who) < 4 && chance(r, 0.3) {
			t1.who = append(t1.who, x)
		}
	}
	trips = append(trips, t1)
	if len(m) >= 3 && chance(r, 0.6) {
		k := r.Perm(len(m))
		trips = append(trips, trip{who: []int{m[k[0]], m[k[1]]}})
	}
	for ti := range trips {
		t := &trips[ti]
		t.rt = pick(r, w.routes)
		t.out = at(r, 10, 60)
		t.ret = min(w.days-1, t.out+5+r.IntN(16))
		shared := chance(r, 0.3)
		common := bookingRef(r)
		for _, x := range t.who {
			x := x
			var edges []edgeTag
			for _, y := range t.who {
				if y != x {
					edges = append(edges, edgeTag{x, y, "co_travel"})
					w.link(x, y)
				}
			}
			tr := next()
			tt := *t
			w.plans[x] = append(w.plans[x], func(b *block, _ *rand.Rand) {
				p := w.person(x)
				booking := common
				if !shared {
					booking = bookingRef(tr)
				}
				b.travel(p, tr, tt.rt, false, w.day(tt.out), booking, edges...)
				b.travel(p, tr, tt.rt, true, w.day(tt.ret), booking, edges...)
			})
		}
	}

	// Precursor purchases.
	type buy struct {
		who  int
		it   int
		day  int
		qty  float64
		shop *org
	}
	var buys []buy
	var listed []int
	for i, it := range items {
		if it.Listed {
			listed = append(listed, i)
		}
	}
	for _, k := range r.Perm(len(listed))[:2+r.IntN(2)] {
		it := listed[k]
		qty := 0.0
		if chance(r, 0.5) {
			qty = items[it].Max * (1 + r.Float64()*2)
		}
		buys = append(buys, buy{who: assoc, it: it, day: at(r, 30, 60), qty: qty})
	}
	hday := at(r, 40, 40)
	buys = append(buys, buy{who: hirer, it: pick(r, listed), day: hday})
	hireDay := min(w.days-1, hday+1+r.IntN(12))
	for bi := range buys {
		bu := &buys[bi]
		bu.shop = w.shopFor(r, bu.it, "")
		x := *bu
		br := next()
		w.plans[x.who] = append(w.plans[x.who], func(b *block, _ *rand.Rand) {
			b.purchase(w.person(x.who), br, x.it, x.shop, w.day(x.day), x.qty)
		})
	}
	hr := next()
	w.plans[hirer] = append(w.plans[hirer], func(b *block, _ *rand.Rand) {
		p := w.person(hirer)
		b.hire(p, hr, w.day(hireDay), true, p.town)
	})

	// Prison visits to the prisoner of concern.
	visitors := []int{leader}
	if len(m) > 2 && chance(r, 0.6) {
		visitors = append(visitors, m[1+r.IntN(len(m)-1)])
	}
	var visitDays []int
	for _, v := range visitors {
		v := v
		w.link(v, c.poc)
		vr := next()
		n := 1 + r.IntN(3)
		days := make([]int, n)
		for k := range days {
			days[k] = at(r, -60, 200)
		}
		visitDays = append(visitDays, days...)
		w.plans[v] = append(w.plans[v], func(b *block, _ *rand.Rand) {
			pv, pq := w.person(v), w.person(c.poc)
			for _, d := range days {
				b.visit(pv, pq, vr, w.day(d))
			}
		})
	}

	// Meetings, seen only in reports.
	type meeting struct {
		who []int
		day int
	}
	var meetings []meeting
	for k := 0; k < 2+r.IntN(2); k++ {
		mt := meeting{who: []int{leader}, day: at(r, 0, 120)}
		for _, x := range r.Perm(len(m)) {
			if m[x] != leader && len(mt.who) < 2+r.IntN(3) {
				mt.who = append(mt.who, m[x])
			}
		}
		for a := range mt.who {
			for b := a + 1; b < len(mt.who); b++ {
				w.link(mt.who[a], mt.who[b])
			}
		}
		meetings = append(meetings, mt)
	}

	// Arrest and seized media.
	arrested := chance(r, 0.5)
	arrestDay := at(r, 125, 20)
	if arrested {
		for _, x := range m {
			x := x
			sr := next()
			w.plans[x] = append(w.plans[x], func(b *block, _ *rand.Rand) {
				b.personRow(w.person(x), sr, "seized-media")
			})
		}
	}

	// A referral for one member before the cell formed.
	if chance(r, 0.4) {
		x := pick(r, m)
		rr := next()
		day := max(0, c.start-r.IntN(200))
		reason := pick(r, referralReasons)
		w.plans[x] = append(w.plans[x], func(b *block, _ *rand.Rand) { b.referral(w.person(x), rr, w.day(day), reason) })
	}

	// Reports, written in the leader's turn.
	rep := next()
	w.plans[leader] = append(w.plans[leader], func(b *block, _ *rand.Rand) {
		g := b.g
		for _, mt := range meetings {
			b.reports = append(b.reports, g.meetingReport(rep, c, mt.who, w.day(mt.day)))
		}
		for _, t := range trips {
			b.reports = append(b.reports, g.travelReport(rep, c, t.who, t.rt, w.day(t.out), w.day(t.ret)))
		}
		var bs []reportBuy
		for _, x := range buys {
			bs = append(bs, reportBuy{x.who, x.it, x.shop, w.day(x.day)})
		}
		b.reports = append(b.reports, g.purchaseReport(rep, c, bs, hirer, w.day(hireDay)))
		if len(visitDays) > 0 {
			b.reports = append(b.reports, g.visitReport(rep, c, visitors, w.day(slices.Min(visitDays))))
		}
		b.reports = append(b.reports, g.membershipReport(rep, c))
		if arrested {
			b.reports = append(b.reports, g.arrestReport(rep, c, w.day(arrestDay)))
		}
	})
}

// writeWatchlist writes the watchlist: watchlisted cell members, prisoners
// of concern, past subjects, people known only from the list, and decoys.
func (g *generator) writeWatchlist() {
	w := g.w
	r := stream(w.seed, tagWorld, 2)
	type entry struct {
		p    *person
		list string
		why  string
	}
	var es []entry
	var idx []int
	for i, s := range w.special {
		if s.watchlisted {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	reason := func(grp *org, fallback string) string {
		if grp == nil {
			return fallback
		}
		names := append([]string{grp.Name}, grp.Aliases...)
		return "suspected member of " + strings.TrimPrefix(pick(r, names), "the ")
	}
	for _, i := range idx {
		s := w.special[i]
		e := entry{p: w.person(i), list: "domestic-subjects"}
		switch {
		case s.poc:
			e.list, e.why = "convicted-offenders", "convicted of preparing acts of terrorism; "+reason(s.group, "")
		default:
			e.why = reason(s.group, "assessed as involved in planning violence")
		}
		es = append(es, e)
	}
	for _, x := range w.extras {
		list := "domestic-subjects"
		if chance(r, 0.5) {
			list = "partner-notifications"
		}
		es = append(es, entry{p: x.p, list: list, why: reason(x.group, "travelled to join a violent group abroad")})
	}
	r.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
	for k, e := range es {
		id := "WL-" + pad(k+1, 5)
		name := renderName(r, e.p, formOfficial, 0.4)
		var aliases []string
		for a := 0; a < r.IntN(3); a++ {
			if v := renderName(r, e.p, formNatural, 2.5); v != name && !slices.Contains(aliases, v) {
				aliases = append(aliases, v)
			}
		}
		if s := scriptName(e.p); s != "" {
			aliases = append(aliases, s)
		}
		nat := e.p.nat
		if chance(r, 0.1) {
			nat = ""
		}
		g.watch.write(id, name, strings.Join(aliases, ";"), renderDOB(r, e.p, 0.15, 0.03), nat, e.list, e.why)
		g.mentions.write("watchlist/watchlist.csv", id, "subject", personID(e.p.idx))
		g.watchEntry[e.p.idx] = id
	}
}
