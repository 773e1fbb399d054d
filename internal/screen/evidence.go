package screen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// Evidence weights, in logits, added to the model's name score. They
// compare identifying facts of one person (date of birth, nationality or
// document country, document numbers) and nothing else.
const (
	evDOBExact    = 2.0
	evDOBYear     = 1.0
	evDOBConflict = -3.0
	evCountry     = 0.5
	evCountryNot  = -0.7
	evIdentifier  = 5.0
)

// facts of a query, parsed once.
type facts struct {
	dob     date
	hasDOB  bool
	country string
	ids     []string
}

func queryFacts(q Query) facts {
	var f facts
	f.dob, f.hasDOB = parseDate(q.BirthDate)
	if q.Country != "" {
		if c, ok := watchlist.CountryCode(q.Country); ok {
			f.country = c
		}
	}
	for _, id := range q.Identifiers {
		if n := normIdent(id); len(n) >= 4 {
			f.ids = append(f.ids, n)
		}
	}
	return f
}

// date is a possibly partial date: month and day are 0 when unknown.
type date struct {
	y    int16
	m, d int8
}

func parseDate(s string) (date, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 4 {
		return date{}, false
	}
	p := strings.Split(s, "-")
	y, err := strconv.Atoi(p[0])
	if err != nil || y < 1000 || y > 3000 {
		return date{}, false
	}
	dt := date{y: int16(y)}
	if len(p) > 1 {
		if m, err := strconv.Atoi(p[1]); err == nil && m >= 1 && m <= 12 {
			dt.m = int8(m)
		}
	}
	if len(p) > 2 && dt.m > 0 {
		if d, err := strconv.Atoi(p[2]); err == nil && d >= 1 && d <= 31 {
			dt.d = int8(d)
		}
	}
	return dt, true
}

func (d date) String() string {
	switch {
	case d.d > 0:
		return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d)
	case d.m > 0:
		return fmt.Sprintf("%04d-%02d", d.y, d.m)
	}
	return strconv.Itoa(int(d.y))
}

// evidence adds date of birth, country and identifier agreement.
func (ix *Index) evidence(sc *scored, qv facts) {
	if !qv.hasDOB && qv.country == "" && len(qv.ids) == 0 {
		return
	}
	er := &ix.ents[sc.ent]
	dobs := ix.dates[er.dobs.off : er.dobs.off+er.dobs.n]
	if qv.hasDOB && len(dobs) > 0 {
		best := evDOBConflict
		note := "date of birth conflicts"
		for _, d := range dobs {
			var v float64
			var nt string
			switch {
			case d.y == qv.dob.y && d.d > 0 && qv.dob.d > 0 && d.m == qv.dob.m && d.d == qv.dob.d:
				v, nt = evDOBExact, "date of birth matches"
			case d.y == qv.dob.y && (d.m == 0 || qv.dob.m == 0 || d.m == qv.dob.m):
				v, nt = evDOBYear, "birth year matches"
			case abs(int(d.y)-int(qv.dob.y)) <= 1:
				v, nt = 0, "birth year within one year"
			default:
				v, nt = evDOBConflict, "date of birth conflicts"
			}
			if v > best || nt != note && v == best && best != evDOBConflict {
				best, note = v, nt
			}
		}
		sc.evidence += best
		sc.dobNote = fmt.Sprintf("%s (query %s, entry %s) %+.1f", note, qv.dob, joinDates(dobs), best)
	}
	ctry := ix.ctry[er.ctry.off : er.ctry.off+er.ctry.n]
	if qv.country != "" && len(ctry) > 0 {
		v, note := evCountryNot, "country differs"
		var cs []string
		for _, c := range ctry {
			cs = append(cs, string(c[:]))
			if string(c[:]) == qv.country {
				v, note = evCountry, "country matches"
			}
		}
		sc.evidence += v
		sc.ctryNote = fmt.Sprintf("%s (query %s, entry %v) %+.1f", note, qv.country, cs, v)
	}
	for _, id := range qv.ids {
		for _, r := range ix.idents[er.ids.off : er.ids.off+er.ids.n] {
			if ix.strs.equal(r, id) {
				sc.evidence += evIdentifier
				sc.identNote = fmt.Sprintf("identifier %s matches %+.1f", id, evIdentifier)
				return
			}
		}
	}
}

func joinDates(ds []date) string {
	s := ""
	for i, d := range ds {
		if i > 0 {
			s += ","
		}
		s += d.String()
	}
	return s
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
