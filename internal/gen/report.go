package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Narrative reports. Each report is composed sentence by sentence; every
// person, organisation and place written into it is recorded as a span
// (byte offsets into the whole file) with its true identity. Spans exclude
// titles ("Mr") and a leading "the" of group names.

type span struct {
	start, end int
	typ, id    string
}

type report struct {
	text  []byte
	spans []span
	edges []edgeTag
}

// composer writes one report.
type composer struct {
	w    *world
	r    *rand.Rand
	buf  []byte
	sp   []span
	seen map[int]bool
}

func (g *generator) compose(r *rand.Rand, title string, date time.Time, source string) *composer {
	c := &composer{w: g.w, r: r, seen: map[int]bool{}}
	c.s("Title: " + title + "\nDate: " + date.Format(dateLayout) + "\nSource: " + source + "\n\n")
	return c
}

func (c *composer) done(edges ...edgeTag) *report {
	c.s("\n")
	return &report{text: c.buf, spans: c.sp, edges: edges}
}

func (c *composer) s(x string) { c.buf = append(c.buf, x...) }

func (c *composer) ent(text, typ, id string) {
	st := len(c.buf)
	c.buf = append(c.buf, text...)
	c.sp = append(c.sp, span{st, len(c.buf), typ, id})
}

// per names p: in full the first time, then by surname, title and
// surname, or a variant of the full name.
func (c *composer) per(p *person) {
	id := personID(p.idx)
	if !c.seen[p.idx] {
		c.seen[p.idx] = true
		c.ent(renderName(c.r, p, formNatural, 0.8), "PER", id)
		return
	}
	switch x := c.r.Float64(); {
	case x < 0.45:
		c.ent(token(c.r, &p.surnames[0], 0.5, false), "PER", id)
	case x < 0.75:
		if p.female {
			c.s("Ms ")
		} else {
			c.s("Mr ")
		}
		c.ent(p.surnames[0].Canon, "PER", id)
	default:
		c.ent(renderName(c.r, p, formNatural, 1.5), "PER", id)
	}
}

// people writes "A, B and C".
func (c *composer) people(ps []*person) {
	for i, p := range ps {
		switch {
		case i == 0:
		case i == len(ps)-1:
			c.s(" and ")
		default:
			c.s(", ")
		}
		c.per(p)
	}
}

// org names o by its name or one of its aliases.
func (c *composer) org(o *org, alias bool) {
	name := o.Name
	if alias && len(o.Aliases) > 0 {
		name = pick(c.r, o.Aliases)
	}
	if rest, ok := strings.CutPrefix(name, "the "); ok {
		c.s("the ")
		name = rest
	}
	c.ent(name, "ORG", o.ID)
}

func (c *composer) loc(name string) { c.ent(name, "LOC", name) }

func (c *composer) date(t time.Time) { c.s(t.Format("2 January 2006")) }

func (c *composer) persons(idx []int) []*person {
	out := make([]*person, len(idx))
	for i, x := range idx {
		out[i] = c.w.person(x)
	}
	return out
}

var cellSources = []string{"surveillance team", "covert human intelligence source", "counter-terrorism policing", "partner agency", "financial intelligence unit"}

var venues = []string{"a cafe", "a gym", "a private address", "a community hall", "a car park", "a restaurant", "a park"}

func (g *generator) meetingReport(r *rand.Rand, cl *cell, who []int, day time.Time) *report {
	c := g.compose(r, "Meeting of persons of interest", day.AddDate(0, 0, 1+r.IntN(5)), pick(r, cellSources))
	ps := c.persons(who)
	leader := c.w.person(cl.members[0])
	c.s("On ")
	c.date(day)
	c.s(", ")
	c.people(ps)
	c.s(" met at " + pick(r, venues) + " in ")
	c.loc(leader.town)
	c.s(". The meeting lasted about " + strconv.Itoa(20+r.IntN(100)) + " minutes. ")
	if chance(r, 0.7) {
		c.per(ps[len(ps)-1])
		c.s(" left first and was seen handing a bag to ")
		c.per(ps[0])
		c.s(". ")
	}
	if chance(r, 0.6) {
		c.s("It is believed that ")
		c.per(ps[0])
		c.s(" belongs to ")
		c.org(cl.group, true)
		c.s(". ")
	}
	if f := g.bystander(r, cl.members[0]); f != nil {
		c.per(f)
		c.s(", a friend of ")
		c.per(ps[0])
		c.s(", arrived later; there is no indication that ")
		if f.female {
			c.s("she")
		} else {
			c.s("he")
		}
		c.s(" is involved.")
	}
	var edges []edgeTag
	for a := range who {
		for b := a + 1; b < len(who); b++ {
			edges = append(edges, edgeTag{who[a], who[b], "reported_meeting"})
		}
	}
	return c.done(edges...)
}

// bystander returns an ordinary friend or partner of i, or nil.
func (g *generator) bystander(r *rand.Rand, i int) *person {
	var cands []int
	for _, j := range g.w.neighbours(i) {
		if g.w.special[j] == nil && !g.w.isPrisoner(j) {
			cands = append(cands, j)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	return g.w.person(pick(r, cands))
}

func (g *generator) travelReport(r *rand.Rand, cl *cell, who []int, rt route, out, ret time.Time) *report {
	c := g.compose(r, "Travel of persons of interest", ret.AddDate(0, 0, 1+r.IntN(10)), pick(r, []string{"border policing", "passenger information unit", "partner agency"}))
	ps := c.persons(who)
	c.people(ps)
	c.s(" travelled from ")
	c.loc(rt.from.City)
	c.s(" to ")
	c.loc(rt.to.City)
	c.s(" on ")
	c.date(out)
	c.s(" on ")
	al := g.w.airline[rt.carrier.Code]
	c.org(al, chance(r, 0.3))
	c.s(" flight " + flightCode(rt, false) + " and returned on ")
	c.date(ret)
	c.s(". ")
	if chance(r, 0.5) {
		c.s("The bookings were made separately, which may have been intended to avoid attention. ")
	}
	if chance(r, 0.6) {
		c.s("On return, ")
		c.per(ps[0])
		c.s(" told officers that the trip was to visit relatives.")
	}
	return c.done()
}

type reportBuy struct {
	who  int
	it   int
	shop *org
	day  time.Time
}

func (g *generator) purchaseReport(r *rand.Rand, cl *cell, buys []reportBuy, hirer int, hireDay time.Time) *report {
	last := hireDay
	for _, b := range buys {
		if b.day.After(last) {
			last = b.day
		}
	}
	c := g.compose(r, "Purchases of explosive precursors", last.AddDate(0, 0, 2+r.IntN(10)), pick(r, []string{"retailer suspicious transaction report", "counter-terrorism policing", "financial intelligence unit"}))
	for _, b := range buys {
		p := c.w.person(b.who)
		c.s("On ")
		c.date(b.day)
		c.s(", ")
		c.per(p)
		c.s(" bought " + items[b.it].Name + " from ")
		c.org(b.shop, false)
		c.s(". ")
	}
	h := c.w.person(hirer)
	c.per(h)
	c.s(" hired a van in ")
	c.loc(h.town)
	c.s(" on ")
	c.date(hireDay)
	c.s(". Officers assess that the purchases may be linked to ")
	c.org(cl.group, true)
	c.s(".")
	return c.done()
}

func (g *generator) visitReport(r *rand.Rand, cl *cell, visitors []int, day time.Time) *report {
	c := g.compose(r, "Prison visits", day.AddDate(0, 0, 3+r.IntN(20)), "prison intelligence")
	q := c.w.person(cl.poc)
	pr := c.w.prisonOf(cl.poc)
	c.people(c.persons(visitors))
	c.s(" visited ")
	c.per(q)
	c.s(" at ")
	c.loc(pr.Name)
	c.s(", the first visit on ")
	c.date(day)
	c.s(". ")
	c.per(q)
	c.s(" is serving a sentence for terrorism offences connected to ")
	c.org(cl.group, true)
	c.s(".")
	return c.done()
}

func (g *generator) membershipReport(r *rand.Rand, cl *cell) *report {
	day := g.w.day(min(g.w.days-1, cl.start+r.IntN(120)))
	c := g.compose(r, "Assessment of group membership", day, pick(r, cellSources))
	ps := c.persons(cl.members)
	c.s("Reporting indicates that ")
	k := min(len(ps), 2+r.IntN(3))
	c.people(ps[:k])
	c.s(" are associated with ")
	c.org(cl.group, false)
	c.s(", also known as ")
	c.org(cl.group, true)
	c.s(". ")
	c.per(ps[0])
	c.s(" is assessed to lead the group's activity in ")
	c.loc(ps[0].town)
	c.s(". ")
	for _, p := range ps[1:] {
		if p.partner >= 0 && chance(r, 0.5) {
			q := c.w.person(p.partner)
			if c.w.special[q.idx] == nil {
				c.per(q)
				c.s(", who lives with ")
				c.per(p)
				c.s(", is not believed to be involved. ")
				break
			}
		}
	}
	return c.done()
}

func (g *generator) arrestReport(r *rand.Rand, cl *cell, day time.Time) *report {
	c := g.compose(r, "Arrests", day.AddDate(0, 0, 1), "counter-terrorism policing")
	ps := c.persons(cl.members)
	c.s("On ")
	c.date(day)
	c.s(", officers arrested ")
	c.people(ps)
	c.s(" at addresses in ")
	c.loc(ps[0].town)
	c.s(" on suspicion of preparing acts of terrorism. Phones seized from ")
	c.per(ps[0])
	c.s(" are being examined. ")
	c.per(ps[len(ps)-1])
	c.s(" was later released without charge; the others remain in custody. The arrests are believed to have disrupted a plot by ")
	c.org(cl.group, true)
	c.s(".")
	return c.done()
}

// subjectReport writes a report on the everyday life of a subject or cell
// member, naming an ordinary friend.
func (g *generator) subjectReport(r *rand.Rand, p *person, s *role) *report {
	day := g.w.day(r.IntN(g.w.days))
	c := g.compose(r, "Subject of interest: pattern of life", day.AddDate(0, 0, 1+r.IntN(14)), pick(r, cellSources))
	c.per(p)
	c.s(" has been seen regularly at " + pick(r, venues) + " in ")
	c.loc(p.town)
	c.s(". ")
	if f := g.bystander(r, p.idx); f != nil {
		c.s("On ")
		c.date(day)
		c.s(", ")
		c.per(p)
		c.s(" spent several hours with ")
		c.per(f)
		c.s(", who is not believed to be involved. ")
	}
	if s.group != nil {
		c.s("It is assessed that ")
		c.per(p)
		c.s(" is a member of ")
		c.org(s.group, chance(r, 0.6))
		c.s(".")
	} else {
		c.s("No current link between ")
		c.per(p)
		c.s(" and a violent group has been identified.")
	}
	return c.done()
}

// backgroundReport writes a report about an ordinary matter involving p.
func (g *generator) backgroundReport(b *block, p *person, r *rand.Rand) {
	if p.prisoner {
		return
	}
	w := g.w
	day := w.day(r.IntN(w.days))
	friend := g.bystander(r, p.idx)
	var c *composer
	switch k := r.IntN(5); {
	case k == 0:
		occ := occupations[p.occ]
		it := itemByName("ammonium nitrate fertiliser")
		if len(occ.Buys) > 0 {
			it = itemByName(pick(r, occ.Buys))
		}
		shop := w.shopFor(r, it, p.town)
		c = g.compose(r, "Report from a member of the public", day.AddDate(0, 0, 2), "member of the public")
		c.s("A caller reported that ")
		c.per(p)
		c.s(" had bought a large quantity of " + items[it].Name + " from ")
		c.org(shop, false)
		c.s(" in ")
		c.loc(p.town)
		c.s(" on ")
		c.date(day)
		c.s(". Enquiries established that ")
		c.per(p)
		c.s(" works as a " + occ.Name + ". No further action was taken.")
	case k == 1:
		dest := pick(r, abroadAirports)
		port := pick(r, ukAirports)
		c = g.compose(r, "Port stop", day, "border policing")
		c.per(p)
		if friend != nil {
			c.s(" and ")
			c.per(friend)
			c.s(" were")
		} else {
			c.s(" was")
		}
		c.s(" stopped at ")
		c.loc(port.City)
		c.s(" airport on return from ")
		c.loc(dest.City)
		c.s(" on ")
		c.date(day)
		c.s(". Nothing of concern was found.")
	case k == 2 && friend != nil:
		c = g.compose(r, "Dispute between neighbours", day.AddDate(0, 0, 1), "local policing")
		c.s("Officers attended a dispute between ")
		c.per(p)
		c.s(" and ")
		c.per(friend)
		c.s(" in ")
		c.loc(p.town)
		c.s(" on ")
		c.date(day)
		c.s(". ")
		c.per(friend)
		c.s(" said the argument was about noise. Words of advice were given.")
	case k == 3:
		o := pick(r, w.orgs[len(w.groups)+len(carriers):])
		c = g.compose(r, "Community event", day, "open source")
		c.org(o, chance(r, 0.3))
		c.s(" held a fundraising event in ")
		c.loc(p.town)
		c.s(" on ")
		c.date(day)
		c.s(", organised by ")
		c.per(p)
		c.s(". ")
		if friend != nil {
			c.per(friend)
			c.s(" gave a short talk. ")
		}
		c.s("The event was peaceful.")
	default:
		cos := w.companies
		c = g.compose(r, "Arrest for theft", day.AddDate(0, 0, 1), "local policing")
		c.per(p)
		c.s(" was arrested in ")
		c.loc(p.town)
		c.s(" on ")
		c.date(day)
		c.s(fmt.Sprintf(" on suspicion of theft of goods worth about %d pounds", 200+r.IntN(5000)))
		if len(cos) > 0 {
			c.s(" from ")
			c.org(pick(r, cos), chance(r, 0.4))
		}
		c.s(". ")
		c.per(p)
		c.s(" was released on bail.")
	}
	b.reports = append(b.reports, c.done())
}
