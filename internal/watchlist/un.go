package watchlist

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

type unValues struct {
	Values []string `xml:"VALUE"`
}

type unAlias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type unDOB struct {
	Type     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
}

type unDocument struct {
	Type           string `xml:"TYPE_OF_DOCUMENT"`
	Type2          string `xml:"TYPE_OF_DOCUMENT2"`
	Number         string `xml:"NUMBER"`
	IssuingCountry string `xml:"ISSUING_COUNTRY"`
	CountryOfIssue string `xml:"COUNTRY_OF_ISSUE"`
}

type unRecord struct {
	DataID         string       `xml:"DATAID"`
	First          string       `xml:"FIRST_NAME"`
	Second         string       `xml:"SECOND_NAME"`
	Third          string       `xml:"THIRD_NAME"`
	Fourth         string       `xml:"FOURTH_NAME"`
	ListType       string       `xml:"UN_LIST_TYPE"`
	Reference      string       `xml:"REFERENCE_NUMBER"`
	OriginalScript string       `xml:"NAME_ORIGINAL_SCRIPT"`
	Comments       string       `xml:"COMMENTS1"`
	Nationality    unValues     `xml:"NATIONALITY"`
	Aliases        []unAlias    `xml:"INDIVIDUAL_ALIAS"`
	EntityAliases  []unAlias    `xml:"ENTITY_ALIAS"`
	DOBs           []unDOB      `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
	Documents      []unDocument `xml:"INDIVIDUAL_DOCUMENT"`
}

// ParseUN reads the UN Security Council consolidated list XML. Entry IDs
// are the list's reference numbers ("QDi.001"), falling back to DATAID.
// A syntax error ends the read: entries before it are kept and the error
// becomes a Problem.
func ParseUN(ctx context.Context, r io.Reader, file string) (Result, error) {
	var res Result
	d := xml.NewDecoder(r)
	d.Strict = false
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			res.Problems = append(res.Problems, Problem{File: file, Line: line, Reason: "xml: " + err.Error()})
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok || (se.Name.Local != "INDIVIDUAL" && se.Name.Local != "ENTITY") {
			continue
		}
		start, _ := d.InputPos()
		var rec unRecord
		if err := d.DecodeElement(&rec, &se); err != nil {
			res.Problems = append(res.Problems, Problem{File: file, Line: start, Reason: "xml: " + err.Error()})
			break
		}
		e, err := rec.entry(se.Name.Local == "INDIVIDUAL")
		if err != nil {
			res.Problems = append(res.Problems, Problem{File: file, Line: start, Reason: err.Error()})
			continue
		}
		res.Entries = append(res.Entries, e)
	}
	if len(res.Entries) == 0 && len(res.Problems) == 0 {
		res.Problems = append(res.Problems, Problem{File: file, Reason: "no INDIVIDUAL or ENTITY elements: not a UN consolidated list"})
	}
	return res, nil
}

func (rec *unRecord) entry(individual bool) (Entry, error) {
	e := Entry{List: "un", EntryID: strings.TrimSpace(rec.Reference), Schema: Organization}
	if e.EntryID == "" {
		e.EntryID = strings.TrimSpace(rec.DataID)
	}
	if e.EntryID == "" {
		return e, errors.New("entry without REFERENCE_NUMBER or DATAID")
	}
	if individual {
		e.Schema = Person
		var parts []string
		for _, p := range []string{rec.First, rec.Second, rec.Third, rec.Fourth} {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		e.addName(strings.Join(parts, " "), true, false)
	} else {
		// Entities sometimes hold several names separated by ";".
		for i, n := range strings.Split(rec.First, ";") {
			e.addNames(n, i == 0, false)
		}
	}
	for _, a := range append(rec.Aliases, rec.EntityAliases...) {
		e.addNames(a.Name, false, strings.EqualFold(strings.TrimSpace(a.Quality), "low"))
	}
	e.addNames(rec.OriginalScript, false, false)
	if len(e.Names) == 0 {
		return e, fmt.Errorf("entry %s has no name", e.EntryID)
	}
	for _, n := range rec.Nationality.Values {
		e.Countries = appendUnique(e.Countries, normCountry(n))
	}
	for _, d := range rec.DOBs {
		switch {
		case strings.TrimSpace(d.Date) != "":
			e.BirthDates = appendUnique(e.BirthDates, strings.TrimSpace(d.Date))
		case strings.TrimSpace(d.Year) != "":
			e.BirthDates = appendUnique(e.BirthDates, strings.TrimSpace(d.Year))
		case d.FromYear != "" && d.ToYear != "":
			from, err1 := strconv.Atoi(strings.TrimSpace(d.FromYear))
			to, err2 := strconv.Atoi(strings.TrimSpace(d.ToYear))
			if err1 == nil && err2 == nil && to >= from && to-from <= 20 {
				for y := from; y <= to; y++ {
					e.BirthDates = appendUnique(e.BirthDates, strconv.Itoa(y))
				}
			}
		}
	}
	for _, doc := range rec.Documents {
		num := strings.TrimSpace(doc.Number)
		if num == "" {
			continue
		}
		t := strings.TrimSpace(doc.Type)
		if t == "" {
			t = strings.TrimSpace(doc.Type2)
		}
		c := doc.IssuingCountry
		if strings.TrimSpace(c) == "" {
			c = doc.CountryOfIssue
		}
		id := Identifier{Type: t, Number: num}
		if strings.TrimSpace(c) != "" {
			id.Country = normCountry(c)
		}
		e.Identifiers = append(e.Identifiers, id)
	}
	e.Programs = appendUnique(e.Programs, rec.ListType)
	e.Remarks = strings.TrimSpace(rec.Comments)
	return e, nil
}
