package screen

import (
	"fmt"
	"math"

	"github.com/mosaic-intel/mosaic/internal/names"
)

// hit turns a scored name into an explained Hit.
func (ix *Index) hit(sc *scored, qts []qtok) Hit {
	er := &ix.ents[sc.ent]
	nr := &ix.recs[sc.rid]
	toks := ix.recToks[nr.toks.off : nr.toks.off+nr.toks.n]
	roles := ix.recRoles[nr.toks.off : nr.toks.off+nr.toks.n]
	value := ix.strs.str(nr.value)
	h := Hit{List: ix.lists[er.list], EntryID: ix.strs.str(er.id), Schema: string(ix.schemas[er.schema]),
		Caption: ix.strs.str(er.caption), Matched: value, Score: math.Round(sc.score*1e4) / 1e4}
	h.Explanation = append(h.Explanation, fmt.Sprintf("name similarity %.3f against %q (model logit %+.1f)", sc.feat[FNameSim], value, sc.logit))
	for _, p := range sc.pairs[:sc.npairs] {
		q := qts[p.q].tok.Text
		if p.q2 >= 0 {
			q += "+" + qts[p.q2].tok.Text
		}
		ct := ix.toks[toks[p.c]].tok
		c := ct.Text
		if p.c2 >= 0 {
			c += "+" + ix.toks[toks[p.c2]].tok.Text
		}
		how := "spelling"
		qt := qts[p.q].tok
		switch {
		case p.kind == pairJoinC || p.kind == pairJoinQ:
			how = "written joined"
		case p.kind == pairInitial || roles[p.c] == names.RoleInitial:
			how = "initial"
		case qt.Text == ct.Text:
			how = "same"
		case qt.Canon == ct.Canon || names.SameGroup(qt.Text, ct.Text):
			how = "variant"
		case qt.Key == ct.Key:
			how = "sounds alike"
		}
		h.Explanation = append(h.Explanation, fmt.Sprintf("%s ~ %s %.2f (%s, weight %.1f)", q, c, p.sim, how, qts[p.q].weight))
	}
	for cj, tid := range toks {
		if sc.usedC&(1<<cj) == 0 {
			h.Explanation = append(h.Explanation, "entry part not in query: "+ix.toks[tid].tok.Text)
		}
	}
	for qi, qt := range qts {
		if sc.usedQ&(1<<qi) == 0 {
			h.Explanation = append(h.Explanation, "query part not in entry: "+qt.tok.Text)
		}
	}
	if nr.flags&recWeak != 0 {
		h.Explanation = append(h.Explanation, "matched a low-quality alias")
	}
	for _, s := range []string{sc.dobNote, sc.ctryNote, sc.identNote} {
		if s != "" {
			h.Explanation = append(h.Explanation, s)
		}
	}
	return h
}
