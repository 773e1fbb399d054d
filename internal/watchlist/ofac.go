package watchlist

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// OFACFiles are the readers of one OFAC SDN snapshot. Alt and Add may be
// nil. The *Name fields name them in problems.
type OFACFiles struct {
	SDN, Alt, Add             io.Reader
	SDNName, AltName, AddName string
}

func ofacNull(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return s
}

// ParseOFAC reads the legacy OFAC SDN CSV files: sdn.csv (ent_num, name,
// type, program, title, call sign, vessel fields, remarks), alt.csv
// (ent_num, alt_num, type, name, remarks) and add.csv (ent_num, add_num,
// address, city, country, remarks). Individuals' "LAST, First" names are
// turned to "First LAST". Dates of birth, nationalities and passport or
// national ID numbers are read from the remarks.
func ParseOFAC(ctx context.Context, f OFACFiles) (Result, error) {
	var res Result
	byID := map[string]int{}
	err := eachCSV(ctx, f.SDN, f.SDNName, &res, 3, func(line int, rec []string) error {
		id := strings.TrimSpace(rec[0])
		if _, err := strconv.Atoi(id); err != nil {
			return fmt.Errorf("ent_num %q is not a number", id)
		}
		name := ofacNull(rec[1])
		if name == "" {
			return fmt.Errorf("entry %s has no name", id)
		}
		if _, dup := byID[id]; dup {
			return fmt.Errorf("duplicate ent_num %s", id)
		}
		e := Entry{List: "ofac", EntryID: id, Schema: Organization}
		switch strings.ToLower(ofacNull(rec[2])) {
		case "individual":
			e.Schema = Person
			name = flipName(name)
		case "vessel":
			e.Schema = Vessel
		case "aircraft":
			e.Schema = Aircraft
		}
		e.addName(name, true, false)
		if len(rec) > 3 {
			for _, p := range strings.Split(ofacNull(rec[3]), "] [") {
				e.Programs = appendUnique(e.Programs, strings.Trim(p, "[] "))
			}
		}
		if len(rec) > 11 {
			e.Remarks = ofacNull(rec[11])
			parseOFACRemarks(&e, e.Remarks)
		}
		byID[id] = len(res.Entries)
		res.Entries = append(res.Entries, e)
		return nil
	})
	if err != nil {
		return res, err
	}
	if f.Alt != nil {
		err = eachCSV(ctx, f.Alt, f.AltName, &res, 4, func(line int, rec []string) error {
			i, ok := byID[strings.TrimSpace(rec[0])]
			if !ok {
				return fmt.Errorf("alias for unknown ent_num %q", rec[0])
			}
			e := &res.Entries[i]
			name := ofacNull(rec[3])
			if name == "" {
				return errors.New("alias without a name")
			}
			if e.Schema == Person {
				name = flipName(name)
			}
			e.addName(name, false, false)
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	if f.Add != nil {
		err = eachCSV(ctx, f.Add, f.AddName, &res, 5, func(line int, rec []string) error {
			i, ok := byID[strings.TrimSpace(rec[0])]
			if !ok {
				return fmt.Errorf("address for unknown ent_num %q", rec[0])
			}
			if c := ofacNull(rec[4]); c != "" {
				res.Entries[i].Countries = appendUnique(res.Entries[i].Countries, normCountry(c))
			}
			return nil
		})
	}
	return res, err
}

// eachCSV calls fn for every record of r with at least minFields fields,
// turning fn's errors and short rows into problems.
func eachCSV(ctx context.Context, r io.Reader, file string, res *Result, minFields int, fn func(line int, rec []string) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return eachCSVFrom(ctx, cr, file, res, func(line int, rec []string) error {
		if len(rec) == 1 && (strings.TrimSpace(rec[0]) == "" || rec[0] == "\x1a") {
			return nil // blank line or DOS end-of-file mark
		}
		if len(rec) < minFields {
			return fmt.Errorf("%d fields, want at least %d", len(rec), minFields)
		}
		return fn(line, rec)
	})
}

// flipName turns "LAST, First Middle" into "First Middle LAST".
func flipName(s string) string {
	last, first, ok := strings.Cut(s, ",")
	if !ok || strings.TrimSpace(first) == "" {
		return s
	}
	return strings.TrimSpace(first) + " " + strings.TrimSpace(last)
}

var (
	reDOB     = regexp.MustCompile(`DOB (?:circa )?((?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4})(?: to ((?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4}))?`)
	reNat     = regexp.MustCompile(`(?:nationality|citizen) ([A-Z][A-Za-z ,'()-]+?)(?:;|\.$|$)`)
	reDoc     = regexp.MustCompile(`(Passport|National ID No\.|Cedula No\.|Identification Number|D\.N\.I\.|NIT #|Tax ID No\.|Registration ID|C\.U\.R\.P\. #|SSN|Driver's License No\.) ([A-Za-z0-9][A-Za-z0-9 /.-]*?)(?: \(([^)]*)\))?(?:;|\.$| issued| expires|$)`)
	monthNums = map[string]string{"Jan": "01", "Feb": "02", "Mar": "03", "Apr": "04", "May": "05", "Jun": "06", "Jul": "07", "Aug": "08", "Sep": "09", "Oct": "10", "Nov": "11", "Dec": "12"}
)

func parseOFACRemarks(e *Entry, s string) {
	for _, m := range reDOB.FindAllStringSubmatch(s, -1) {
		from := ofacDate(m[1])
		if m[2] != "" {
			a, err1 := strconv.Atoi(from[:4])
			to := ofacDate(m[2])
			b, err2 := strconv.Atoi(to[:4])
			if err1 == nil && err2 == nil && b >= a && b-a <= 20 {
				for y := a; y <= b; y++ {
					e.BirthDates = appendUnique(e.BirthDates, strconv.Itoa(y))
				}
				continue
			}
		}
		e.BirthDates = appendUnique(e.BirthDates, from)
	}
	for _, m := range reNat.FindAllStringSubmatch(s, -1) {
		e.Countries = appendUnique(e.Countries, normCountry(m[1]))
	}
	for _, m := range reDoc.FindAllStringSubmatch(s, -1) {
		id := Identifier{Type: strings.TrimSuffix(m[1], " No."), Number: strings.TrimSpace(m[2])}
		if m[3] != "" {
			id.Country = normCountry(m[3])
		}
		e.Identifiers = append(e.Identifiers, id)
	}
}

// ofacDate turns "01 Jan 1960", "Jan 1960" or "1960" into ISO form.
func ofacDate(s string) string {
	f := strings.Fields(s)
	switch len(f) {
	case 3:
		d := f[0]
		if len(d) == 1 {
			d = "0" + d
		}
		return f[2] + "-" + monthNums[f[1]] + "-" + d
	case 2:
		return f[1] + "-" + monthNums[f[0]]
	}
	return s
}
