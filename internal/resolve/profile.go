package resolve

import (
	"fmt"
	"slices"
	"strings"
)

// A profile summarises a cluster for cluster-level evidence: a bounded set
// of the distinct names, birth dates, identifiers and addresses of its
// members. Two clusters are compared on their profiles, each feature at
// its best agreement over the pairs of values, so that evidence spread
// over several records (one gives the phone, another the date of birth)
// counts together, and so that a union that would put two people in one
// entity (two birth dates, two given names, two licences) is refused
// whichever pair of records proposes it.
type profile struct {
	names  []pname // persons: distinct names; organisations: each record's token bag
	dates  []uint32
	idents []fval
	// identCountry is, for each identifier, the issuing country of its
	// record's document (0: unknown, or the record names several).
	identCountry []uint32
	addrs        []pname
}

// Bounds on a profile; values beyond them are not kept (a cluster that
// large has its evidence in the values kept).
const (
	profNames  = 6
	profDates  = 4
	profIdents = 10
	profAddrs  = 4
)

// recordProfile is the profile of one record.
func (e *Engine) recordProfile(i uint32) *profile {
	p := &e.recs[i]
	pr := &profile{}
	pr.add(e, p)
	return pr
}

func (pr *profile) add(e *Engine, p *prepared) {
	if p.typ == typOrg {
		if len(p.bag.toks) > 0 {
			pr.addName(p.bag)
		}
	} else {
		for _, n := range p.names {
			pr.addName(n)
		}
	}
	var c uint32
	if len(p.country) == 1 {
		c = p.country[0] + 1
	}
	pr.addRest(p.dates, p.idents, nil, c, p.addrs)
}

func (pr *profile) addName(n pname) {
	if len(pr.names) < profNames && !slices.ContainsFunc(pr.names, func(x pname) bool { return x.full == n.full }) {
		pr.names = append(pr.names, n)
	}
}

// addRest adds dates, identifiers and addresses (within the bounds). The
// identifiers' issuing countries are ctry (parallel to idents) or, if ctry
// is nil, c for all.
func (pr *profile) addRest(dates []uint32, idents []fval, ctry []uint32, c uint32, addrs []pname) {
	for _, d := range dates {
		if len(pr.dates) < profDates && !slices.Contains(pr.dates, d) {
			pr.dates = append(pr.dates, d)
		}
	}
	for i, v := range idents {
		if len(pr.idents) < profIdents && !slices.Contains(pr.idents, v) {
			pr.idents = append(pr.idents, v)
			if ctry != nil {
				c = ctry[i]
			}
			pr.identCountry = append(pr.identCountry, c)
		}
	}
	for _, a := range addrs {
		if len(pr.addrs) < profAddrs && !slices.ContainsFunc(pr.addrs, func(x pname) bool { return x.full == a.full }) {
			pr.addrs = append(pr.addrs, a)
		}
	}
}

// merge adds the values of o to pr (within the bounds).
func (pr *profile) merge(o *profile) {
	for _, n := range o.names {
		pr.addName(n)
	}
	pr.addRest(o.dates, o.idents, o.identCountry, 0, o.addrs)
}

// profileOf returns the profile of the cluster rooted at root (built on
// demand for a single record; not to be modified).
func (e *Engine) profileOf(root uint32) *profile {
	if p := e.cl.prof[root]; p != nil {
		return p
	}
	return e.recordProfile(root)
}

// fullName reports whether a name has at least two parts and no initials:
// such names conflict meaningfully ("Joseph Hughes" and "Joanne Hughes"),
// where "J. Hughes" or "Hughes" alone cannot.
func (e *Engine) fullName(n *pname) bool {
	if len(n.toks) < 2 {
		return false
	}
	for _, t := range n.toks {
		if len(e.dict.str(t)) == 1 {
			return false
		}
	}
	return true
}

// clusterEvidence is the comparison of two clusters.
type clusterEvidence struct {
	name, worstFull int8 // best name level; worst level between full names (-1: none)
	date            int8 // best birth-date level (-1: a side has none)
	// soft is the weight of the features other than the name at their
	// best agreement; conflict names a hard conflict ("" if none), of
	// which dateConflict, identConflict and nameConflict say the kind.
	soft                                      float64
	conflict                                  string
	why                                       []string // each feature's part of soft (explanations only)
	dateConflict, identConflict, nameConflict bool
	agree                                     bool // a feature other than the name agrees
}

// compareProfiles compares two cluster profiles of records of type typ.
// It stops at the first hard conflict when quick is set.
func (e *Engine) compareProfiles(a, b *profile, quick bool) clusterEvidence {
	return e.compareProfilesWhy(a, b, quick, nil)
}

// compareProfilesWhy is compareProfiles that also appends, when why is not
// nil, each feature's part of the soft weight ("phone differs -2.1") for
// explanations.
func (e *Engine) compareProfilesWhy(a, b *profile, quick bool, why *[]string) clusterEvidence {
	ev := clusterEvidence{name: -1, worstFull: -1, date: -1}
	part := func(f int, lv int8) {
		if why != nil {
			*why = append(*why, fmt.Sprintf("%s %s %+.1f", e.feats[f].name, kindLevels[e.feats[f].kind][lv], e.model.w[f][lv]))
		}
	}
	// Birth dates.
	if len(a.dates) > 0 && len(b.dates) > 0 {
		ev.date = 0
		for _, x := range a.dates {
			for _, y := range b.dates {
				lv := int8(3)
				if x != y {
					lv = dateLevel(e.dict.str(x), e.dict.str(y))
				}
				ev.date = max(ev.date, lv)
			}
		}
		ev.soft += e.model.w[featDate][ev.date]
		part(featDate, ev.date)
		if ev.date == 0 && e.model.w[featDate][0] <= -e.cfg.ConflictBits {
			ev.conflict, ev.dateConflict = "dates of birth differ", true
			if quick {
				return ev
			}
		}
		if ev.date >= 2 {
			ev.agree = true
		}
	}
	// Identifiers, feature by feature.
	for i, x := range a.idents {
		if slices.ContainsFunc(a.idents[:i], func(v fval) bool { return v.feat == x.feat }) {
			continue // feature done
		}
		best := int8(-1)
		hub := false
		doc := isDocumentKind(e.feats[x.feat].sub)
		for iu, u := range a.idents {
			if u.feat != x.feat {
				continue
			}
			for iv, v := range b.idents {
				if v.feat != x.feat {
					continue
				}
				if doc && otherCountry(a.identCountry[iu], b.identCountry[iv]) {
					continue // documents of two countries: not comparable
				}
				lv := int8(0)
				if u.val == v.val {
					lv = 2
				} else if su, sv := e.dict.str(u.val), e.dict.str(v.val); len(su) >= 5 && EditDistanceAtMost(su, sv, 1) {
					lv = 1
				}
				if lv > best {
					best, hub = lv, lv == 2 && e.dict.diversity(u.val) >= e.cfg.HubDiversity
				}
			}
		}
		if best < 0 {
			continue
		}
		f := int(x.feat)
		ev.soft += e.model.w[f][best]
		part(f, best)
		kind := e.feats[f].sub
		if e.identConflict(f, best) {
			ev.identConflict = true
			if ev.conflict == "" {
				ev.conflict = kind + " differs"
			}
			if quick {
				return ev
			}
		}
		if !hub && (best == 2 || (best == 1 && isDocumentKind(kind))) {
			ev.agree = true
		}
	}
	// Addresses.
	if len(a.addrs) > 0 && len(b.addrs) > 0 {
		var r fres
		e.compareText(a.addrs, b.addrs, &r)
		ev.soft += e.model.w[featAddress][r.level]
		part(featAddress, r.level)
		if r.level >= 2 && !r.hub {
			ev.agree = true
		}
	}
	// Names.
	if len(a.names) > 0 && len(b.names) > 0 {
		ev.name = 0
		// A name agreeing at least with parts missing rules a conflict
		// out whatever the other pairs say: look for an equal one first.
	names:
		for i := range a.names {
			for j := range b.names {
				if a.names[i].full == b.names[j].full {
					ev.name = nameExact
					break names
				}
			}
		}
		if ev.name < nameExact {
		pairs:
			for i := range a.names {
				for j := range b.names {
					x, y := &a.names[i], &b.names[j]
					lv, _, _ := e.nameLevel(x, y)
					ev.name = max(ev.name, lv)
					if lv >= nameMissing {
						break pairs
					}
					if e.fullName(x) && e.fullName(y) && (ev.worstFull < 0 || lv < ev.worstFull) {
						ev.worstFull = lv
					}
				}
			}
		}
		if ev.name <= nameConflict || (ev.name <= nameSimilar && ev.worstFull >= 0 && ev.worstFull <= nameConflict) {
			ev.nameConflict = true
			if ev.conflict == "" {
				ev.conflict = "names differ"
			}
		}
	}
	return ev
}

// otherCountry reports two known, different issuing countries.
func otherCountry(x, y uint32) bool { return x != 0 && y != 0 && x != y }

// singleValued reports whether a person holds one value of an identifier
// kind at a time, so that two different values mean two people (a driving
// licence, a national ID, a prison number); passports are not: dual
// nationals hold two.
func singleValued(kind string) bool {
	switch kind {
	case "licence", "license", "driving_licence", "national_id", "nino", "ssn", "prison_number", "prisoner_number":
		return true
	}
	return false
}

// distinct reports whether the evidence says two clusters are different
// people: a hard conflict, or other features disagreeing by at least
// Config.DistinctBits.
func (e *Engine) distinct(ev clusterEvidence) bool {
	return ev.conflict != "" || ev.soft <= -e.cfg.DistinctBits
}

// String renders cluster evidence for explanations.
func (ev clusterEvidence) String() string {
	s := fmt.Sprintf("other features %+.1f bits", ev.soft)
	if len(ev.why) > 0 {
		s += " (" + strings.Join(ev.why, ", ") + ")"
	}
	if ev.conflict != "" {
		s += "; " + ev.conflict
	}
	return s
}
