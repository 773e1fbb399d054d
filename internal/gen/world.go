package gen

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// world holds the small state of a generated world: the seed, the
// population size, organisations, routes, cells and the special people
// (cell members, prisoners of concern, watchlisted). Ordinary people are
// never stored: they are regenerated from their index.
type world struct {
	seed     uint64
	n        int
	perm     permutation
	cultures []*culture
	start    time.Time
	days     int

	orgs      []*org
	groups    []*org // violent groups
	shops     map[string][]*org
	companies []*org
	airline   map[string]*org // by carrier code
	routes    []route

	special map[int]*role // cell members, prisoners of concern, past subjects
	cells   []*cell
	extras  []*extra // watchlist-only people and decoys (indices n, n+1, ...)
	plans   map[int][]planned
	cellAdj map[int][]int // evidenced cell links, both directions
	near    map[int]nearInfo
}

// role is what makes a population member special.
type role struct {
	cell        *cell
	cellRole    string // leader, facilitator, member
	poc         bool   // convicted prisoner of concern
	watchlisted bool
	group       *org
}

// nearInfo is a person's distance to the nearest watchlisted subject over
// the true links.
type nearInfo struct {
	hops    int
	subject int
}

// extra is a person who appears only on the watchlist.
type extra struct {
	p     *person
	decoy bool // shares a name with population member of
	of    int
	group *org
}

type org struct {
	ID      string
	Name    string
	Aliases []string
	Kind    string // company, charity, club, shop, airline, violent_group
	Country string
	Town    string
	Violent bool
	Sells   string // shop kind
}

type route struct {
	carrier  carrier
	from, to airport
	number   int // outbound flight number; the return is number+1
}

// planned emits a cell member's planned records into a block.
type planned func(b *block, r *rand.Rand)

func newWorld(seed uint64, n int) *world {
	w := &world{
		seed:     seed,
		n:        n,
		perm:     newPermutation(seed, max(n, 1)),
		cultures: cultures(),
		start:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		days:     731,
		special:  map[int]*role{},
		plans:    map[int][]planned{},
		cellAdj:  map[int][]int{},
		near:     map[int]nearInfo{},
	}
	r := stream(seed, tagWorld, 0)
	w.buildOrgs(r)
	w.buildRoutes(r)
	w.buildCells(stream(seed, tagCell, 0))
	w.buildExtras(stream(seed, tagExtra, 0))
	w.buildNear()
	return w
}

func (w *world) day(d int) time.Time { return w.start.AddDate(0, 0, d) }

// partnerOf returns the household partner of i, or -1. Households are the
// pairs (2k, 2k+1); the even member is the head.
func (w *world) partnerOf(i int) int {
	k := i / 2
	if 2*k+1 >= w.n || unit(w.seed, tagHousehold, uint64(k)) >= 0.35 {
		return -1
	}
	return i ^ 1
}

// basePrisoner reports whether i is in prison by chance (1.5% of people).
func (w *world) basePrisoner(i int) bool {
	return unit(w.seed, tagPrisoner, uint64(i)) < 0.015
}

func (w *world) isPrisoner(i int) bool {
	if s := w.special[i]; s != nil {
		return s.poc
	}
	return w.basePrisoner(i)
}

func (w *world) watchlisted(i int) bool {
	s := w.special[i]
	return s != nil && s.watchlisted
}

// ringEdge is a friendship between the people at positions p and p+d of the
// population permutation. Friends exchange calls and messages; when one of
// them is in prison the other may visit instead.
type ringEdge struct {
	a, b   int // indices; a is at the lower position (the owner)
	visit  bool
	count  int
	stream *rand.Rand
}

const ringReach = 3

func (w *world) ringEdge(p, d int) (ringEdge, bool) {
	if p+d >= w.n || unit(w.seed, tagEdge, uint64(p*4+d)) >= 0.45 {
		return ringEdge{}, false
	}
	e := ringEdge{a: w.perm.Inverse(p), b: w.perm.Inverse(p + d), stream: stream(w.seed, tagEdge, uint64(p*4+d))}
	pa, pb := w.isPrisoner(e.a), w.isPrisoner(e.b)
	switch {
	case pa && pb:
		return ringEdge{}, false
	case pa || pb:
		if !chance(e.stream, 0.6) {
			return ringEdge{}, false
		}
		e.visit, e.count = true, 1+e.stream.IntN(4)
	default:
		e.count = 1 + e.stream.IntN(3)
	}
	return e, true
}

// neighbours returns everyone linked to i by evidenced true links:
// friends, household partner and cell links, sorted.
func (w *world) neighbours(i int) []int {
	var out []int
	p := w.perm.Forward(i)
	for d := 1; d <= ringReach; d++ {
		if e, ok := w.ringEdge(p, d); ok {
			out = append(out, e.b)
		}
		if p-d >= 0 {
			if e, ok := w.ringEdge(p-d, d); ok {
				out = append(out, e.a)
			}
		}
	}
	if j := w.partnerOf(i); j >= 0 && !(w.isPrisoner(i) && w.isPrisoner(j)) {
		out = append(out, j)
	}
	out = append(out, w.cellAdj[i]...)
	slices.Sort(out)
	return slices.Compact(out)
}

// buildNear records, for every person within two hops of a watchlisted
// population member, the distance and the nearest subject.
func (w *world) buildNear() {
	var subjects []int
	for i, s := range w.special {
		if s.watchlisted {
			subjects = append(subjects, i)
		}
	}
	slices.Sort(subjects)
	frontier := subjects
	for _, s := range subjects {
		w.near[s] = nearInfo{0, s}
	}
	for hop := 1; hop <= 2; hop++ {
		var next []int
		for _, u := range frontier {
			for _, v := range w.neighbours(u) {
				if _, ok := w.near[v]; !ok {
					w.near[v] = nearInfo{hop, w.near[u].subject}
					next = append(next, v)
				}
			}
		}
		frontier = next
	}
}

func (w *world) addOrg(o *org) *org {
	o.ID = "ORG-" + pad(len(w.orgs)+1, 5)
	w.orgs = append(w.orgs, o)
	return o
}

func acronym(name string) string {
	var b strings.Builder
	for _, f := range strings.Fields(name) {
		if f == "of" || f == "the" || f == "&" {
			continue
		}
		b.WriteString(strings.ToUpper(f[:1]))
	}
	return b.String()
}

func (w *world) buildOrgs(r *rand.Rand) {
	w.shops = map[string][]*org{}
	w.airline = map[string]*org{}
	for _, g := range violentGroups {
		w.groups = append(w.groups, w.addOrg(&org{Name: g.Name, Aliases: g.Aliases, Kind: "violent_group", Country: g.Country, Violent: true}))
	}
	for _, c := range carriers {
		w.airline[c.Code] = w.addOrg(&org{Name: c.Name, Aliases: append([]string{c.Code}, c.Aliases...), Kind: "airline", Country: "GBR"})
	}
	seen := map[string]bool{}
	unique := func(name string) bool {
		if seen[name] {
			return false
		}
		seen[name] = true
		return true
	}
	nCompanies := min(40+w.n/200, 3000)
	for len(w.orgs) < len(violentGroups)+len(carriers)+nCompanies {
		name := pick(r, orgAdjectives) + " " + pick(r, companyNouns)
		if !unique(name) {
			if len(seen) > len(orgAdjectives)*len(companyNouns)-5 {
				break
			}
			continue
		}
		w.companies = append(w.companies, w.addOrg(&org{Name: name + " Ltd", Aliases: []string{name, name + " Limited", acronym(name) + " Ltd"}, Kind: "company", Country: "GBR", Town: pickWeighted(r, towns)}))
	}
	for i := 0; i < min(10+w.n/1000, 200); i++ {
		town := pickWeighted(r, towns)
		name := pick(r, orgAdjectives) + " " + pick(r, charityNouns)
		if !unique(name) {
			continue
		}
		w.addOrg(&org{Name: name, Aliases: []string{acronym(name), name + " (" + town + ")"}, Kind: "charity", Country: "GBR", Town: town})
	}
	for i := 0; i < min(10+w.n/1000, 200); i++ {
		town := pickWeighted(r, towns)
		name := town + " " + strings.ReplaceAll(pick(r, clubNouns), "-", " ") + " Club"
		if !unique(name) {
			continue
		}
		w.addOrg(&org{Name: name, Aliases: []string{acronym(name), strings.TrimSuffix(name, " Club") + " CC"}, Kind: "club", Country: "GBR", Town: town})
	}
	nShops := min(30+w.n/400, 2500)
	for i := 0; i < nShops; i++ {
		sk := shopKinds[i%len(shopKinds)]
		town := pickWeighted(r, towns)
		name := strings.ReplaceAll(pick(r, sk.Forms), "%s", town)
		name = strings.TrimSpace(name)
		if !unique(name) {
			continue
		}
		o := w.addOrg(&org{Name: name, Kind: "shop", Country: "GBR", Town: town, Sells: sk.Kind})
		o.Aliases = []string{strings.TrimSpace(strings.ReplaceAll(name, town, ""))}
		w.shops[sk.Kind] = append(w.shops[sk.Kind], o)
	}
	for _, sk := range shopKinds { // every kind has at least one shop
		if len(w.shops[sk.Kind]) == 0 {
			name := strings.ReplaceAll(sk.Forms[0], "%s", "Central")
			o := w.addOrg(&org{Name: name, Kind: "shop", Country: "GBR", Town: "London", Sells: sk.Kind, Aliases: []string{strings.ReplaceAll(sk.Forms[0], " %s", "")}})
			w.shops[sk.Kind] = append(w.shops[sk.Kind], o)
		}
	}
}

func (w *world) buildRoutes(r *rand.Rand) {
	for _, c := range carriers {
		bases := map[int]bool{}
		for len(bases) < 3 {
			bases[r.IntN(len(ukAirports))] = true
		}
		num := 100 + r.IntN(50)*10
		for bi := range ukAirports {
			if !bases[bi] {
				continue
			}
			dests := r.Perm(len(abroadAirports))[:8+r.IntN(8)]
			slices.Sort(dests)
			for _, di := range dests {
				w.routes = append(w.routes, route{carrier: c, from: ukAirports[bi], to: abroadAirports[di], number: num})
				num += 2
			}
		}
	}
}

// pickRoute chooses a route, favouring holiday destinations.
func (w *world) pickRoute(r *rand.Rand) route {
	for {
		rt := pick(r, w.routes)
		if holidayDestinations[rt.to.Code] || chance(r, 0.35) {
			return rt
		}
	}
}

func flightCode(rt route, back bool) string {
	n := rt.number
	if back {
		n++
	}
	return rt.carrier.Code + strconv.Itoa(n)
}

// buildExtras makes the people who appear only on the watchlist: subjects
// with nothing else in the data, and decoys whose names match an ordinary
// person's while being someone else.
func (w *world) buildExtras(r *rand.Rand) {
	k := max(2, 2*len(w.cells))
	if w.n < 20 {
		k = 1
	}
	for i := 0; i < 2*k; i++ {
		idx := w.n + len(w.extras)
		er := stream(w.seed, tagExtra, uint64(idx))
		p := &person{idx: idx, partner: -1}
		e := &extra{p: p}
		if i%2 == 1 && w.n > 0 {
			// A decoy: same name as an ordinary person, different birth date.
			j := r.IntN(w.n)
			for w.special[j] != nil {
				j = r.IntN(w.n)
			}
			o := w.person(j)
			*p = *o
			p.idx, p.partner = idx, -1
			off := 3 + er.IntN(12)
			if o.dob.Year()+off > 2005 || chance(er, 0.5) {
				off = -off
			}
			p.dob = o.dob.AddDate(off, er.IntN(12), 0)
			p.nat = pickWeighted(er, p.cult.Nationalities)
			e.decoy, e.of = true, j
		} else {
			w.identity(er, p, w.pickCulture(er), chance(er, 0.3))
			p.nat = pickWeighted(er, p.cult.Nationalities)
		}
		if chance(r, 0.6) {
			e.group = pick(r, w.groups)
		}
		w.extras = append(w.extras, e)
	}
}
