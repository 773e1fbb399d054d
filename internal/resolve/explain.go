package resolve

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Contribution is one feature's part in a pair's match weight.
type Contribution struct {
	Feature string  `json:"feature"` // "name", "dob", "id:passport", "address", ...
	Level   string  `json:"level"`   // the comparison level, e.g. "close variant"
	Detail  string  `json:"detail"`  // the values compared and their similarity
	Weight  float64 `json:"weight"`  // bits: log2(m/u) plus TF adjustment
	TF      float64 `json:"tf,omitempty"`
	Hub     bool    `json:"hub,omitempty"` // the agreeing value is a hub
}

// Explanation says why two records match or not.
type Explanation struct {
	A           string  `json:"a"`
	B           string  `json:"b"`
	Prior       float64 `json:"prior"`  // prior weight, bits
	Weight      float64 `json:"weight"` // total match weight, bits
	Probability float64 `json:"probability"`
	HubWeight   float64 `json:"hub_weight,omitempty"` // weight owed to hub values
	Action      Action  `json:"action"`               // what the thresholds make of the pair alone
	Judgement   string  `json:"judgement,omitempty"`  // an analyst's verdict on the pair, if any
	// Coref is the evidence of a context link between the two records
	// (Record.Coref), which joins them whatever the score.
	Coref       string `json:"coref,omitempty"`
	SameCluster bool   `json:"same_cluster"`
	// Corroborated: the pair could join entities on its own (an equal
	// personal document, or a compatible name and another identifying
	// feature that agrees); without it the pair cannot merge by score.
	Corroborated bool `json:"corroborated"`
	// Link is what the pair may do: "strong" (joins entities on its
	// own), "weak" (joins them only if exclusive: no other entity that
	// could be the same person is known apart from either side), or
	// "none".
	Link string `json:"link"`
	// Exclusive: for a weak link, whether it is exclusive now;
	// Alternatives are the entities that make it ambiguous.
	Exclusive    bool     `json:"exclusive,omitempty"`
	Alternatives []string `json:"alternatives,omitempty"`
	// Conflict is what keeps the two entities apart at the level of all
	// their records, if anything ("dates of birth differ", "names differ").
	Conflict      string         `json:"conflict,omitempty"`
	Contributions []Contribution `json:"contributions"`
}

// String renders the explanation on one line:
// "name "mohamad hassan"~"muhammad hasan" similarity 0.96 (close variant): +4.1; dob equal: +6.3; ...".
func (x Explanation) String() string {
	var b strings.Builder
	for i, c := range x.Contributions {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s: %+.1f", c.Feature, c.Detail, c.Weight)
		if c.Hub {
			b.WriteString(" (hub: cannot join alone)")
		}
	}
	fmt.Fprintf(&b, "; prior: %+.1f; total %+.1f bits, p=%.4f", x.Prior, x.Weight, x.Probability)
	switch {
	case x.Link == "weak" && x.Exclusive:
		b.WriteString("; weak link, exclusive")
	case x.Link == "weak" && len(x.Alternatives) > 0:
		fmt.Fprintf(&b, "; weak link, ambiguous: also fits %s", strings.Join(x.Alternatives, ", "))
	case x.Link == "weak":
		b.WriteString("; weak link")
	case !x.Corroborated:
		b.WriteString("; no personal document, or name with another identifying feature, agrees: cannot merge on its own")
	}
	if x.Conflict != "" {
		fmt.Fprintf(&b, "; entities kept apart: %s", x.Conflict)
	}
	fmt.Fprintf(&b, " -> %s", x.Action)
	if x.Judgement != "" {
		fmt.Fprintf(&b, "; judged %s", x.Judgement)
	}
	if x.Coref != "" {
		fmt.Fprintf(&b, "; same by context: %s", x.Coref)
	}
	return b.String()
}

// Explain scores records a and b with the current model and statistics
// and returns every feature's contribution.
func (e *Engine) Explain(a, b string) (Explanation, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	i, err := e.lookup(a)
	if err != nil {
		return Explanation{}, err
	}
	j, err := e.lookup(b)
	if err != nil {
		return Explanation{}, err
	}
	ra, rb := &e.recs[i], &e.recs[j]
	cmp := make([]fres, len(e.feats))
	x := Explanation{A: a, B: b, Prior: e.model.priorW, SameCluster: e.cl.find(i) == e.cl.find(j)}
	if ra.typ != rb.typ {
		x.Weight = math.Inf(-1)
		x.Contributions = []Contribution{{Feature: "type", Detail: "differs", Weight: math.Inf(-1)}}
		return x, nil
	}
	e.compare(ra, rb, cmp, nil)
	x.Weight, x.HubWeight = e.weigh(cmp)
	x.Probability = Probability(x.Weight)
	for f, c := range cmp {
		if c.level < 0 {
			continue
		}
		tf := e.tfAdjust(f, &c)
		spec := e.feats[f]
		con := Contribution{
			Feature: spec.name,
			Level:   kindLevels[spec.kind][c.level],
			Weight:  e.model.w[f][c.level] + tf,
			TF:      tf,
			Hub:     c.hub && e.model.w[f][c.level]+tf > 0,
		}
		con.Detail = e.detail(f, ra, rb, &c, con.Level)
		x.Contributions = append(x.Contributions, con)
	}
	x.Corroborated = e.corroborated(cmp)
	strong, _, weak := e.classify(cmp, x.Weight, x.HubWeight)
	ri, rj := e.cl.find(i), e.cl.find(j)
	if ri != rj {
		var why []string
		if ev := e.compareProfilesWhy(e.profileOf(ri), e.profileOf(rj), false, &why); e.distinct(ev) {
			ev.why = why
			x.Conflict = ev.String()
		}
	}
	switch {
	case strong:
		x.Link, x.Action = "strong", ActionMerge
	case weak:
		x.Link = "weak"
		if ri == rj {
			x.Exclusive = true
		} else {
			x.Alternatives = e.alternatives(i, j)
			x.Exclusive = x.Conflict == "" && len(x.Alternatives) == 0
		}
		x.Action = ActionPossible
		if x.Exclusive {
			x.Action = ActionMerge
		}
	case x.Weight >= e.possibleW:
		x.Link, x.Action = "none", ActionPossible
	default:
		x.Link, x.Action = "none", ActionNew
	}
	if v, ok := e.judg.byPair[Judgement{A: a, B: b}.key()]; ok {
		x.Judgement = v.String()
	}
	if why, ok := e.corefWhy[Judgement{A: a, B: b}.key()]; ok {
		x.Coref = why
	}
	return x, nil
}

func (e *Engine) detail(f int, a, b *prepared, c *fres, level string) string {
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	pair := func(x, y string) string {
		if x == y {
			return q(x) + " " + level
		}
		return fmt.Sprintf("%s~%s %s", q(x), q(y), level)
	}
	spec := e.feats[f]
	switch spec.kind {
	case kindName:
		x, y := &a.bag, &b.bag
		if c.ai >= 0 {
			x, y = &a.names[c.ai], &b.names[c.bi]
		}
		xs, ys := e.tokensStr(x.toks), e.tokensStr(y.toks)
		if c.level == 5 {
			return pair(xs, ys)
		}
		return fmt.Sprintf("%s~%s similarity %.2f (%s)", q(xs), q(ys), c.sim, level)
	case kindDate:
		return pair(fmtDate(e.dict.str(a.dates[c.ai])), fmtDate(e.dict.str(b.dates[c.bi])))
	case kindIdent:
		return pair(identValue(e.dict.str(a.idents[c.ai].val)), identValue(e.dict.str(b.idents[c.bi].val)))
	case kindAddress:
		return pair(e.tokensStr(a.addrs[c.ai].toks), e.tokensStr(b.addrs[c.bi].toks))
	case kindCountry:
		return level
	case kindAttr:
		av, bv := attrValues(a.attrs, uint16(f)), attrValues(b.attrs, uint16(f))
		return pair(e.tokensStr(av[c.ai].toks), e.tokensStr(bv[c.bi].toks))
	}
	return level
}

func (e *Engine) tokensStr(toks []uint32) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = e.dict.str(t)
	}
	return strings.Join(parts, " ")
}

func identValue(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[i+1:]
	}
	return s
}

func fmtDate(d string) string {
	switch {
	case d[4:] == "0000":
		return d[:4]
	case d[6:] == "00":
		return d[:4] + "-" + d[4:6]
	}
	return d[:4] + "-" + d[4:6] + "-" + d[6:]
}

// Link is a scored pair seen from one record: what ties it to (or keeps it
// near) another record.
type Link struct {
	Record      string  `json:"record"`
	Cluster     string  `json:"cluster"`
	Probability float64 `json:"probability"`
	Merge       bool    `json:"merge"` // the pair may join entities
	// Coref is the evidence of a context link (Record.Coref): the pair is
	// joined by the context the records were found in, not by a score
	// (Probability is then 1).
	Coref string `json:"coref,omitempty"`
}

// Links returns the scored pairs of record id at or above PossibleAt,
// strongest first: the evidence of its cluster membership (merge links
// inside its cluster) and its open possible matches. Explain any of them
// for the per-feature contributions.
func (e *Engine) Links(id string) ([]Link, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	i, err := e.lookup(id)
	if err != nil {
		return nil, err
	}
	var out []Link
	for _, ed := range e.adj[i] {
		if float64(ed.w) < e.possibleW {
			continue
		}
		out = append(out, Link{Record: e.recs[ed.to].id, Cluster: e.clusterOf(ed.to), Probability: Probability(float64(ed.w)), Merge: ed.merge})
	}
	for _, other := range e.coref.partners(id, Same) {
		j, ok := e.byID[other]
		if !ok {
			continue
		}
		why := e.corefWhy[Judgement{A: id, B: other}.key()]
		if k := slices.IndexFunc(out, func(l Link) bool { return l.Record == other }); k >= 0 {
			out[k].Coref = why
			continue
		}
		out = append(out, Link{Record: other, Cluster: e.clusterOf(j), Probability: 1, Merge: true, Coref: why})
	}
	sortLinks(out)
	return out, nil
}

// WeakLinks returns every link of record id that could join it to another
// entity: strong links and weak (attachable) ones, whatever their
// probability, strongest first. A caller with context the engine lacks
// (which people a document names together) can pick among them and assert
// its choice with AddCoref.
func (e *Engine) WeakLinks(id string) ([]Link, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	i, err := e.lookup(id)
	if err != nil {
		return nil, err
	}
	var out []Link
	for _, ed := range e.adj[i] {
		if !ed.merge && !ed.weak {
			continue
		}
		out = append(out, Link{Record: e.recs[ed.to].id, Cluster: e.clusterOf(ed.to), Probability: Probability(float64(ed.w)), Merge: ed.merge})
	}
	sortLinks(out)
	return out, nil
}

// sortLinks orders links strongest first, then by record ID.
func sortLinks(out []Link) {
	slices.SortFunc(out, func(a, b Link) int {
		if c := cmp.Compare(b.Probability, a.Probability); c != 0 {
			return c
		}
		return strings.Compare(a.Record, b.Record)
	})
}
