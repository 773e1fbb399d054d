package alerteval

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Links is the generator's true association graph (truth/links.csv).
type Links map[string]map[string]string // person -> person -> kinds

// LoadLinks reads truth/links.csv.
func LoadLinks(world string) (Links, error) {
	l := Links{}
	add := func(a, b, k string) {
		if l[a] == nil {
			l[a] = map[string]string{}
		}
		if old := l[a][b]; old != "" && !strings.Contains(old, k) {
			k = old + "+" + k
		}
		l[a][b] = k
	}
	err := readCSV(filepath.Join(world, "truth", "links.csv"), func(r map[string]string) {
		add(r["person_a"], r["person_b"], r["kind"])
		add(r["person_b"], r["person_a"], r["kind"])
	})
	return l, err
}

// Dist returns the number of true links between a and b (-1 beyond max).
func (l Links) Dist(a, b string, max int) int {
	if a == b {
		return 0
	}
	seen := map[string]bool{a: true}
	front := []string{a}
	for d := 1; d <= max; d++ {
		var next []string
		for _, x := range front {
			for y := range l[x] {
				if y == b {
					return d
				}
				if !seen[y] {
					seen[y] = true
					next = append(next, y)
				}
			}
		}
		front = next
	}
	return -1
}

// Finding explains one false or missed anchor record of a near_subject
// rule in terms of the generator's truth.
type Finding struct {
	Record string // generator record id
	False  bool   // alerted but in no pattern (else: missed)
	Cause  string
	Detail string
}

// DiagnoseNear traces every false and missed anchor record of a
// near_subject rule through the engine (Engine.TracePath) and says, hop
// by hop, which true people the mentions on the path belong to.
func DiagnoseNear(ctx context.Context, st Reader, eng *alert.Engine, t *Truth, links Links, s Score, rule Rule) ([]Finding, error) {
	p := mosaic.Principal{Name: "alerteval", All: true}
	ours := map[string]mosaic.ID{}
	if err := st.ItemsOfKind(ctx, p, string(rule.Kind), func(it *store.Item) error {
		ours[it.Record.Fields["record_id"]] = it.ID
		return nil
	}); err != nil {
		return nil, err
	}
	gen := map[mosaic.ID]string{}
	genOf := func(o mosaic.ID) string {
		g, ok := gen[o]
		if !ok {
			if it, err := st.Item(ctx, p, o); err == nil && it.Record != nil {
				g = it.Record.Fields["record_id"]
			}
			gen[o] = g
		}
		return g
	}
	personOf := func(m mosaic.ID) string {
		o := mosaic.OriginOf(m)
		g := genOf(o)
		_, role, _ := strings.Cut(string(m[len(o)+1:]), "-")
		if g == "" {
			return "doc"
		}
		if x := t.PersonOf[g+"/"+role]; x != "" {
			return x
		}
		return "?" + g
	}
	// our mentions of each true person
	mentionsOf := map[string][]mosaic.ID{}
	for _, k := range []mosaic.RecordKind{mosaic.KindPerson, mosaic.KindTravel, mosaic.KindPurchase, mosaic.KindVehicleHire,
		mosaic.KindPrisonVisit, mosaic.KindCommunication, mosaic.KindReferral, mosaic.KindWatchlistEntry} {
		err := st.ItemsOfKind(ctx, p, string(k), func(it *store.Item) error {
			g := it.Record.Fields["record_id"]
			if k == mosaic.KindWatchlistEntry {
				g = firstOf(it.Record.Fields["entry_id"], g)
			}
			if it.Facts == nil {
				return nil
			}
			for _, m := range it.Facts.Mentions {
				if x := t.PersonOf[g+"/"+m.Role]; x != "" {
					mentionsOf[x] = append(mentionsOf[x], m.ID)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	explain := map[mosaic.ID]string{} // anchor -> the stored alert's explanation
	if as, err := st.Alerts(ctx, p, store.AlertFilter{Rule: s.Rule, Limit: 1 << 30}); err == nil {
		for _, a := range as {
			if len(a.Records) > 0 {
				explain[a.Records[0]] = strings.Join(a.Explanation, " / ")
			}
		}
	}
	entryPerson := func(ref string) string {
		_, entry, _ := strings.Cut(ref, ":")
		return t.PersonOf[entry+"/subject"]
	}
	var out []Finding
	diag := func(g string, false_ bool) error {
		id, ok := ours[g]
		if !ok {
			out = append(out, Finding{Record: g, False: false_, Cause: "record not stored"})
			return nil
		}
		tr, err := eng.TracePath(ctx, s.Rule, id)
		if err != nil {
			out = append(out, Finding{Record: g, False: false_, Cause: "not kept: " + err.Error()})
			return nil
		}
		buyer := t.PersonOf[g+"/"+rule.Who]
		var det []string
		f := Finding{Record: g, False: false_}
		if !tr.Found {
			f.Cause = "no path"
			subj := ""
			for _, pt := range t.Patterns {
				if pt.Rule == s.Rule && len(pt.Records) > 0 && pt.Records[0] == g && len(pt.People) > 1 {
					subj = pt.People[1]
				}
			}
			f.Detail = fmt.Sprintf("buyer %s (%s) subject %s true dist %d", buyer, personOf(tr.Who), subj, links.Dist(buyer, subj, 3))
			if false_ {
				f.Detail += " | raised as: " + explain[id]
			}
			if subj != "" {
				best := alert.Probe{Dist: -1, DistNoHubs: -1}
				var why []string
				for _, m := range mentionsOf[subj] {
					pr := eng.ProbePath(ctx, tr.Who, m, 4)
					why = append(why, fmt.Sprintf("%s:d%d/%d,s%d,a%d,mix%v,n%d", personOf(m), pr.Dist, pr.DistNoHubs, len(pr.Subjects), len(pr.Accepted), pr.Mixed, pr.Peers))
					if best.Dist < 0 || (pr.Dist >= 0 && pr.Dist < best.Dist) || (best.Dist < 0 && pr.DistNoHubs >= 0) {
						best = pr
					}
				}
				switch {
				case len(mentionsOf[subj]) == 0:
					f.Cause = "subject never mentioned"
				case best.Dist < 0 && best.DistNoHubs < 0:
					f.Cause = "not reached in 4 hops"
				case best.Dist < 0:
					f.Cause = "reached only through a hub"
				case best.Dist > 2:
					f.Cause = fmt.Sprintf("reached in %d hops", best.Dist)
				default:
					f.Cause = "reached within hops; subject refused"
				}
				sort.Strings(why)
				if len(why) > 6 {
					why = why[:6]
				}
				f.Detail += " | " + strings.Join(why, " ")
			}
			out = append(out, f)
			return nil
		}
		prev := personOf(tr.Who)
		var causes []string
		if prev != buyer {
			causes = append(causes, "anchor mention not buyer")
		}
		for i, h := range tr.Hops {
			a, b := personOf(h.From), personOf(h.To)
			if a != prev {
				causes = append(causes, fmt.Sprintf("merge at node %d", i))
			}
			k := links[a][b]
			if k == "" && a != b {
				causes = append(causes, "untrue "+h.Association)
				k = "NONE"
			}
			det = append(det, fmt.Sprintf("%s=%s -%s(%s) [%s]-> %s", prev, a, h.Association, k, evString(h.Evidence, genOf), b))
			prev = b
		}
		ep := ""
		if len(tr.Subjects) > 0 {
			ep = entryPerson(tr.Subjects[0])
		}
		if prev != ep && !strings.HasPrefix(prev, "?") {
			causes = append(causes, "subject entity merge")
		}
		det = append(det, fmt.Sprintf("subject %v = %s (reached %s)", tr.Subjects, ep, prev))
		if len(causes) == 0 {
			causes = append(causes, fmt.Sprintf("true path, truth dist %d", links.Dist(buyer, ep, 3)))
		}
		f.Cause, f.Detail = strings.Join(causes, ", "), strings.Join(det, "; ")
		out = append(out, f)
		return nil
	}
	for _, g := range s.FalseRecords {
		if err := diag(g, true); err != nil {
			return nil, err
		}
	}
	for _, m := range s.Missed {
		for _, g := range m.Records {
			if KindOf(g) == rule.Kind {
				if err := diag(g, false); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

func evString(ids []mosaic.ID, genOf func(mosaic.ID) string) string {
	var s []string
	for _, id := range ids {
		if g := genOf(id); g != "" {
			s = append(s, g)
		} else {
			s = append(s, string(id))
		}
	}
	return strings.Join(s, ",")
}

// ReportFindings writes findings, grouped by cause.
func ReportFindings(w io.Writer, fs []Finding) {
	count := map[string]int{}
	for _, f := range fs {
		kind := "missed"
		if f.False {
			kind = "false"
		}
		count[kind+": "+f.Cause]++
		fmt.Fprintf(w, "%s %s: %s | %s\n", kind, f.Record, f.Cause, f.Detail)
	}
	var ks []string
	for k := range count {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		fmt.Fprintf(w, "%4d %s\n", count[k], k)
	}
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
