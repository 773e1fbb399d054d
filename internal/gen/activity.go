package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Record builders. Every record of a kind is made by one builder, so that
// the truth it carries (mentions, links, patterns) is the same whether the
// record is background or planted.

func (b *block) personRow(p *person, r *rand.Rand, source string) {
	w := b.g.w
	at := w.day(r.IntN(w.days)) // when the source recorded the person
	name := renderName(r, p, formOfficial, 1)
	var dob, nat, phone, email, addr string
	switch source {
	case "electoral-roll":
		addr = p.addressAt(at)
	case "customer-records":
		phone = renderPhone(r, p.phoneAt(at))
		email, addr = p.email, p.addressAt(at)
		dob = renderDOB(r, p, 0.6, 0.05)
	case "passport-office":
		name = renderName(r, p, formOfficial, 0.3)
		dob = renderDOB(r, p, 0, 0.01)
		nat, addr = p.nat, p.addressAt(at)
		if p.passport2 != "" && chance(r, 0.5) {
			nat = "GBR"
		}
	case "police-records", "prison-records":
		dob = renderDOB(r, p, 0.05, 0.06)
		nat, addr = p.nat, p.addressAt(at)
		if !p.prisoner {
			phone = renderPhone(r, p.phoneAt(at))
		}
	case "seized-media":
		// A contact list from a seized phone: a nickname or a name in the
		// person's own script, and a number.
		name = renderName(r, p, formNatural, 2)
		if s := scriptName(p); s != "" && chance(r, 0.6) {
			name = s
		}
		phone = renderPhone(r, p.phoneAt(at))
	}
	if addr != "" && chance(r, 0.1) {
		addr = typo(r, addr)
	}
	prisonNo := ""
	if source == "prison-records" {
		prisonNo = w.prisonNumber(p.idx)
	}
	x := rec{row: []string{name, dob, nat, phone, email, addr, source, prisonNo}, ments: []ment{{"person", p.idx}}}
	if phone != "" && p.partner >= 0 && w.sharesPhone(p.idx) {
		x.edges = append(x.edges, edgeTag{p.idx, p.partner, "shared_phone"})
	}
	b.add(kPerson, x)
}

func bookingRef(r *rand.Rand) string {
	const chars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	s := make([]byte, 6)
	for i := range s {
		s[i] = chars[r.IntN(len(chars))]
	}
	return string(s)
}

// travel books p on one leg of route rt.
func (b *block) travel(p *person, r *rand.Rand, rt route, back bool, date time.Time, booking string, edges ...edgeTag) {
	g := b.g
	form := formPNR
	if chance(r, 0.4) {
		form = formNatural
	}
	from, to := rt.from, rt.to
	if back {
		from, to = to, from
	}
	doc, docCountry := p.passport, p.nat
	if p.passport2 != "" && chance(r, 0.5) {
		doc, docCountry = p.passport2, "GBR"
	}
	switch x := r.Float64(); {
	case x < 0.04:
		doc = ""
	case x < 0.06:
		doc = typo(r, doc)
	}
	if chance(r, 0.03) {
		docCountry = ""
	}
	flight := flightCode(rt, back)
	carrierName := rt.carrier.Name
	if chance(r, 0.2) {
		carrierName = pick(r, rt.carrier.Aliases)
	}
	row := []string{renderName(r, p, form, 1), renderDOB(r, p, 0.05, 0.03), doc, docCountry, carrierName, flight, from.Code, to.Code, date.Format(dateLayout), booking}
	// The booking's contact details (passenger name records carry them):
	// those of whoever booked, the head of the household when partners
	// travel together.
	booker := p
	for _, e := range edges {
		if e.kind == "co_travel" && e.a != p.idx {
			booker = g.w.person(e.a)
		}
	}
	dr := g.w.detail(append([]string{"travel"}, row...)...)
	contactPhone, contactEmail := "", ""
	if chance(dr, 0.7) {
		contactPhone = renderPhone(dr, booker.phoneAt(date))
	}
	if chance(dr, 0.5) {
		contactEmail = booker.email
	}
	x := rec{
		row:   append(row, contactPhone, contactEmail),
		ments: []ment{{"passenger", p.idx}},
		orgs:  []orgMent{{"carrier", g.w.airline[rt.carrier.Code].ID}},
		edges: edges,
	}
	if g.w.watchlisted(p.idx) {
		who := p.idx
		key := flight + "|" + date.Format(dateLayout)
		desc := fmt.Sprintf("watchlisted %s (%s) booked %s from %s to %s on %s", personID(who), g.watchEntry[who], flight, from.Code, to.Code, date.Format(dateLayout))
		x.hook = func(id string) {
			g.pattern("watchlisted_travel", []int{who}, []string{id}, desc)
			g.flights[key] = append(g.flights[key], travelRef{who: who, id: id})
		}
	}
	b.add(kTravel, x)
}

// purchase records p buying items[it] from shop on date.
func (b *block) purchase(p *person, r *rand.Rand, it int, shop *org, date time.Time, qty float64, edges ...edgeTag) {
	g := b.g
	item := items[it]
	if qty == 0 {
		qty = item.Min + r.Float64()*(item.Max-item.Min)
	}
	q := strconv.FormatFloat(qty, 'f', 1, 64)
	if item.Unit != "L" && item.Unit != "kg" {
		q = strconv.Itoa(max(1, int(qty+0.5)))
	}
	phone := ""
	if chance(r, 0.7) {
		phone = renderPhone(r, p.phoneAt(date))
	}
	form := formNatural
	if chance(r, 0.15) {
		form = formCommaed
	}
	row := []string{renderName(r, p, form, 1.2), phone, item.Name, q, item.Unit, shop.Name, date.Format(dateLayout)}
	// How the seller knows the buyer: an online order has a delivery
	// address and usually an e-mail; a customer account without a phone
	// has an e-mail or an address, and a few cash sales record a name
	// only; a listed precursor is sold on sight of photo ID, whose number
	// (here the driving licence) is recorded.
	dr := g.w.detail(append([]string{"purchase"}, row...)...)
	email, addr, licence := "", "", ""
	switch {
	case shop.Sells == "online":
		addr = p.addressAt(date)
		if chance(dr, 0.8) {
			email = p.email
		}
	case phone == "":
		switch x := dr.Float64(); {
		case x < 0.45:
			email = p.email
		case x < 0.85:
			addr = p.addressAt(date)
		}
	}
	if addr != "" && chance(dr, 0.1) {
		addr = typo(dr, addr)
	}
	if item.Listed && chance(dr, 0.9) {
		licence = p.licence
		if chance(dr, 0.02) {
			licence = typo(dr, licence)
		}
	}
	x := rec{
		row:   append(row, email, addr, licence),
		ments: []ment{{"buyer", p.idx}},
		orgs:  []orgMent{{"seller", shop.ID}},
		edges: edges,
	}
	if phone != "" && p.partner >= 0 && g.w.sharesPhone(p.idx) {
		x.edges = append(x.edges, edgeTag{p.idx, p.partner, "shared_phone"})
	}
	if nr, ok := g.w.near[p.idx]; ok && item.Listed {
		who := p.idx
		desc := fmt.Sprintf("%s bought %s %s of %s on %s", personID(who), q, item.Unit, item.Name, date.Format(dateLayout))
		if nr.hops == 0 {
			desc += "; buyer is a watchlisted subject"
		} else {
			desc += fmt.Sprintf("; %d hop(s) from watchlisted %s", nr.hops, personID(nr.subject))
		}
		people := []int{who}
		if nr.subject != who {
			people = append(people, nr.subject)
		}
		x.hook = func(id string) {
			g.pattern("precursor_near_subject", people, []string{id}, desc)
			if nr.hops <= 1 {
				g.buys[who] = append(g.buys[who], buyRef{who: who, id: id, item: item.Name, date: date})
			}
		}
	}
	b.add(kPurchase, x)
}

func registration(r *rand.Rand) string {
	const letters = "ABCDEFGHJKLMNOPRSTUVWXYZ"
	l := func() byte { return letters[r.IntN(len(letters))] }
	age := []string{"19", "69", "20", "70", "21", "71", "22", "72", "23", "73", "24", "74"}
	return string([]byte{l(), l()}) + pick(r, age) + " " + string([]byte{l(), l(), l()})
}

// hire records p hiring a vehicle on date.
func (b *block) hire(p *person, r *rand.Rand, date time.Time, van bool, place string) {
	g := b.g
	var vs []int
	for i, v := range vehicles {
		if v.Van == van {
			vs = append(vs, i)
		}
	}
	v := vehicles[pick(r, vs)]
	lic := p.licence
	switch x := r.Float64(); {
	case x < 0.05:
		lic = ""
	case x < 0.07:
		lic = typo(r, lic)
	}
	form := formNatural
	if chance(r, 0.3) {
		form = formCommaed
	}
	x := rec{
		row: []string{renderName(r, p, form, 1), renderDOB(r, p, 0.1, 0.04), lic, renderPhone(r, p.phoneAt(date)),
			v.Name, registration(r), date.Format(dateLayout), place},
		ments: []ment{{"hirer", p.idx}},
	}
	if p.partner >= 0 && g.w.sharesPhone(p.idx) {
		x.edges = append(x.edges, edgeTag{p.idx, p.partner, "shared_phone"})
	}
	if g.w.watchlisted(p.idx) {
		who := p.idx
		x.hook = func(id string) { g.hires = append(g.hires, hireRef{who: who, id: id, date: date}) }
	}
	b.add(kHire, x)
}

func (w *world) prisonOf(i int) prison {
	return prisons[int(unit(w.seed, tagPrisoner, uint64(i)|1<<60)*float64(len(prisons)))]
}

// visit records v visiting prisoner q on date.
func (b *block) visit(v, q *person, r *rand.Rand, date time.Time, edges ...edgeTag) {
	g := b.g
	pr := g.w.prisonOf(q.idx)
	qform := formCommaed
	if chance(r, 0.4) {
		qform = formOfficial
	}
	row := []string{renderName(r, v, formNatural, 1), renderDOB(r, v, 0.15, 0.05), renderName(r, q, qform, 0.4), pr.Name, date.Format(dateLayout)}
	// Visit bookings record the visitor's address and the prisoner's
	// prison number.
	dr := g.w.detail(append([]string{"visit"}, row...)...)
	vaddr, prisonNo := "", ""
	if chance(dr, 0.9) {
		vaddr = v.addressAt(date)
		if chance(dr, 0.1) {
			vaddr = typo(dr, vaddr)
		}
	}
	if chance(dr, 0.95) {
		prisonNo = g.w.prisonNumber(q.idx)
	}
	x := rec{
		row:   append(row, vaddr, prisonNo),
		ments: []ment{{"visitor", v.idx}, {"prisoner", q.idx}},
		edges: append(edges, edgeTag{v.idx, q.idx, "prison_visit"}),
	}
	if s := g.w.special[q.idx]; s != nil && s.poc {
		vi, qi := v.idx, q.idx
		desc := fmt.Sprintf("%s visited prisoner of concern %s at %s on %s", personID(vi), personID(qi), pr.Name, date.Format(dateLayout))
		x.hook = func(id string) { g.pattern("prison_visit_of_concern", []int{vi, qi}, []string{id}, desc) }
	}
	b.add(kVisit, x)
}

func (b *block) referral(p *person, r *rand.Rand, date time.Time, reason string) {
	row := []string{renderName(r, p, formNatural, 1), renderDOB(r, p, 0.2, 0.05), pick(r, referralAgencies), reason, date.Format(dateLayout)}
	addr := ""
	if dr := b.g.w.detail(append([]string{"referral"}, row...)...); chance(dr, 0.8) {
		addr = p.addressAt(date) // referral forms record the subject's address
	}
	b.add(kReferral, rec{
		row:   append(row, addr),
		ments: []ment{{"subject", p.idx}},
	})
}

// prisonNumber is the prison number of prisoner i, in the style of HM
// Prison Service ("A1234BC").
func (w *world) prisonNumber(i int) string {
	r := stream(w.seed, tagDetail, uint64(i)|1<<62)
	const letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
	return string([]byte{letters[r.IntN(len(letters))]}) + digits(r, 4) +
		string([]byte{letters[r.IntN(len(letters))], letters[r.IntN(len(letters))]})
}

var channels = []string{"call", "call", "sms", "messaging", "messaging"}

// comm records a call or message from phone fp (held by f) to tp (held by t).
func (b *block) comm(f *person, fp string, t *person, tp string, r *rand.Rand, at time.Time, edges ...edgeTag) {
	if fp == "" || tp == "" || fp == tp {
		return
	}
	b.add(kComm, rec{
		row:   []string{fp, tp, pick(r, channels), at.Format(time.RFC3339)},
		ments: []ment{{"from", f.idx}, {"to", t.idx}},
		edges: edges,
	})
}

func (w *world) sharesPhone(i int) bool {
	return w.partnerOf(i) >= 0 && unit(w.seed, tagHousehold, uint64(i/2)|1<<60) < 0.15
}

func (w *world) randomTime(r *rand.Rand, day time.Time) time.Time {
	h := 7 + r.IntN(16)
	return day.Add(time.Duration(h)*time.Hour + time.Duration(r.IntN(3600))*time.Second)
}

// activity generates the ordinary life of p: register entries, trips,
// shopping, vehicle hire, referrals, calls with friends and family, prison
// visits, and now and then a report; then any planted cell activity.
func (g *generator) activity(b *block, p *person) {
	w := g.w
	r := stream(w.seed, tagActivity, uint64(p.idx))
	i := p.idx
	if p.prisoner {
		b.personRow(p, r, "prison-records")
	} else {
		sources := []string{"electoral-roll", "electoral-roll", "customer-records", "customer-records", "customer-records",
			"passport-office", "passport-office", "police-records", "seized-media"}
		for k := count(r, 0.2, 0.82); k > 0; k-- {
			b.personRow(p, r, pick(r, sources))
		}
	}
	var partner *person
	if p.partner > i { // head of household
		partner = w.person(p.partner)
	}
	if !p.prisoner {
		g.ordinaryLife(b, p, partner, r)
	}
	// Friendships owned by p.
	pos := w.perm.Forward(i)
	for d := 1; d <= ringReach; d++ {
		e, ok := w.ringEdge(pos, d)
		if !ok {
			continue
		}
		q := w.person(e.b)
		er := e.stream
		if e.visit {
			v, pr := p, q
			if p.prisoner {
				v, pr = q, p
			}
			for k := 0; k < e.count; k++ {
				b.visit(v, pr, er, w.day(er.IntN(w.days)))
			}
			continue
		}
		for k := 0; k < e.count; k++ {
			at := w.randomTime(er, w.day(er.IntN(w.days)))
			f, t := p, q
			if chance(er, 0.5) {
				f, t = q, p
			}
			b.comm(f, f.phoneAt(at), t, t.phoneAt(at), er, at, edgeTag{p.idx, q.idx, "communication"})
		}
	}
	// Household.
	if partner != nil {
		hr := stream(w.seed, tagHousehold, uint64(i/2))
		switch {
		case p.prisoner && partner.prisoner:
		case p.prisoner || partner.prisoner:
			v, pr := p, partner
			if p.prisoner {
				v, pr = partner, p
			}
			for k := 0; k < 3+hr.IntN(5); k++ {
				b.visit(v, pr, hr, w.day(hr.IntN(w.days)), edgeTag{v.idx, pr.idx, "family"})
			}
		case w.sharesPhone(i):
			// One mobile between them: they never call each other, but
			// both give that number to the same shops.
			for _, x := range []*person{p, partner} {
				b.add(kPerson, rec{
					row:   []string{renderName(hr, x, formOfficial, 1), "", "", renderPhone(hr, x.phone1), x.email, x.address, "customer-records", ""},
					ments: []ment{{"person", x.idx}},
					edges: []edgeTag{{p.idx, partner.idx, "family"}, {p.idx, partner.idx, "shared_phone"}},
				})
			}
		default:
			for k := 0; k < 1+hr.IntN(4); k++ {
				at := w.randomTime(hr, w.day(hr.IntN(w.days)))
				f, t := p, partner
				if chance(hr, 0.5) {
					f, t = partner, p
				}
				if f.phoneAt(at) == t.phoneAt(at) {
					continue
				}
				b.comm(f, f.phoneAt(at), t, t.phoneAt(at), hr, at, edgeTag{p.idx, partner.idx, "family"})
			}
		}
	}
	if chance(r, 0.012) {
		g.backgroundReport(b, p, r)
	}
	if s := w.special[i]; s != nil && !p.prisoner && chance(r, 0.7) {
		b.reports = append(b.reports, g.subjectReport(r, p, s))
	}
	for _, pl := range w.plans[i] {
		pl(b, r)
	}
}

func (g *generator) ordinaryLife(b *block, p, partner *person, r *rand.Rand) {
	w := g.w
	// Trips abroad; the household partner comes along on half of them.
	for k := count(r, 0.55, 0.8, 0.93); k > 0; k-- {
		rt := w.pickRoute(r)
		d := r.IntN(w.days)
		ret := d + 3 + r.IntN(19)
		booking := bookingRef(r)
		withPartner := partner != nil && !partner.prisoner && chance(r, 0.5)
		var edges []edgeTag
		if withPartner {
			edges = []edgeTag{{p.idx, partner.idx, "family"}, {p.idx, partner.idx, "co_travel"}}
		}
		b.travel(p, r, rt, false, w.day(d), booking, edges...)
		if withPartner {
			b.travel(partner, r, rt, false, w.day(d), booking, edges...)
		}
		if ret < w.days && chance(r, 0.85) {
			b.travel(p, r, rt, true, w.day(ret), booking, edges...)
			if withPartner {
				b.travel(partner, r, rt, true, w.day(ret), booking, edges...)
			}
		}
	}
	// Shopping: the trade's listed goods for gardeners, hairdressers and
	// the like; ordinary goods otherwise, with the odd listed item.
	occ := occupations[p.occ]
	for k := count(r, 0.5, 0.8, 0.92); k > 0; k-- {
		var it int
		switch {
		case len(occ.Buys) > 0 && chance(r, 0.6):
			it = itemByName(pick(r, occ.Buys))
		case chance(r, 0.03):
			it = itemByName(pick(r, []string{"acetone", "hydrogen peroxide 12%", "sulphuric acid drain cleaner"}))
		default:
			for {
				it = r.IntN(len(items))
				if !items[it].Listed {
					break
				}
			}
		}
		b.purchase(p, r, it, w.shopFor(r, it, p.town), w.day(r.IntN(w.days)), 0)
	}
	// Vehicle hire: moving house, trips, work.
	for k := count(r, 0.83, 0.975); k > 0; k-- {
		place := p.town
		if chance(r, 0.2) {
			place = pickWeighted(r, towns)
		}
		b.hire(p, r, w.day(r.IntN(w.days)), chance(r, 0.5), place)
	}
	if chance(r, 0.025) {
		b.referral(p, r, w.day(r.IntN(w.days)), pick(r, referralReasons))
	}
}

// shopFor picks a shop selling items[it], preferring one in town.
func (w *world) shopFor(r *rand.Rand, it int, town string) *org {
	kinds := items[it].Shops
	k := pick(r, kinds)
	shops := w.shops[k]
	for try := 0; try < 4; try++ {
		s := pick(r, shops)
		if s.Town == town || k == "online" {
			return s
		}
	}
	return pick(r, shops)
}
