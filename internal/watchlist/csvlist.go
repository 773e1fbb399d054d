package watchlist

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Mapping names the CSV columns (by header name) of a plain list. ID and
// Name are required; the others are optional. Multi-valued cells (aliases,
// dates, countries, identifiers, programs) are split on Sep (default ";").
type Mapping struct {
	ID, Name, Aliases, Schema, BirthDate, Country, Identifier, Program, Remarks string
	Sep                                                                         string
}

// DefaultMapping expects columns named id, name, aliases, schema,
// birth_date, country, identifier, program and remarks.
func DefaultMapping() Mapping {
	return Mapping{ID: "id", Name: "name", Aliases: "aliases", Schema: "schema", BirthDate: "birth_date",
		Country: "country", Identifier: "identifier", Program: "program", Remarks: "remarks", Sep: ";"}
}

// ParseMapping reads "field=column,..." (fields: id, name, aliases, schema,
// birth_date, country, identifier, program, remarks, sep) over the default.
func ParseMapping(s string) (Mapping, error) {
	m := DefaultMapping()
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return m, fmt.Errorf("mapping %q: want field=column", kv)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "id":
			m.ID = v
		case "name":
			m.Name = v
		case "aliases":
			m.Aliases = v
		case "schema":
			m.Schema = v
		case "birth_date":
			m.BirthDate = v
		case "country":
			m.Country = v
		case "identifier":
			m.Identifier = v
		case "program":
			m.Program = v
		case "remarks":
			m.Remarks = v
		case "sep":
			m.Sep = v
		default:
			return m, fmt.Errorf("mapping: unknown field %q", k)
		}
	}
	return m, nil
}

// ParseCSV reads a plain CSV list with a header row, using m to find the
// columns. Rows without an id or a name are problems.
func ParseCSV(ctx context.Context, r io.Reader, file, list string, m Mapping) (Result, error) {
	var res Result
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return res, fmt.Errorf("%s: empty file", file)
		}
		return res, fmt.Errorf("%s: header: %w", file, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	idx := func(name string) int {
		if name == "" {
			return -1
		}
		if i, ok := col[strings.ToLower(name)]; ok {
			return i
		}
		return -1
	}
	iID, iName := idx(m.ID), idx(m.Name)
	if iID < 0 || iName < 0 {
		return res, fmt.Errorf("%s: header lacks the id column %q or the name column %q", file, m.ID, m.Name)
	}
	iAl, iSc, iDOB, iC, iIdent, iProg, iRem := idx(m.Aliases), idx(m.Schema), idx(m.BirthDate), idx(m.Country), idx(m.Identifier), idx(m.Program), idx(m.Remarks)
	sep := m.Sep
	if sep == "" {
		sep = ";"
	}
	seen := map[string]int{}
	return res, eachCSVFrom(ctx, cr, file, &res, func(line int, rec []string) error {
		get := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		multi := func(i int) []string {
			var out []string
			for _, v := range strings.Split(get(i), sep) {
				if v = strings.TrimSpace(v); v != "" {
					out = append(out, v)
				}
			}
			return out
		}
		e := Entry{List: list, EntryID: get(iID), Schema: Person}
		if e.EntryID == "" {
			return errors.New("row without an id")
		}
		if prev, dup := seen[e.EntryID]; dup {
			return fmt.Errorf("duplicate id %q (first on line %d)", e.EntryID, prev)
		}
		if iSc >= 0 {
			e.Schema = ParseSchema(get(iSc))
		}
		e.addName(get(iName), true, false)
		if len(e.Names) == 0 {
			return fmt.Errorf("row %s has no name", e.EntryID)
		}
		for _, a := range multi(iAl) {
			e.addName(a, false, false)
		}
		e.BirthDates = multi(iDOB)
		for _, c := range multi(iC) {
			e.Countries = appendUnique(e.Countries, normCountry(c))
		}
		for _, v := range multi(iIdent) {
			e.Identifiers = append(e.Identifiers, Identifier{Type: "id", Number: v})
		}
		e.Programs = multi(iProg)
		e.Remarks = get(iRem)
		seen[e.EntryID] = line
		res.Entries = append(res.Entries, e)
		return nil
	})
}

// eachCSVFrom is eachCSV over an already-started reader.
func eachCSVFrom(ctx context.Context, cr *csv.Reader, file string, res *Result, fn func(line int, rec []string) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				res.Problems = append(res.Problems, Problem{File: file, Line: pe.Line, Reason: pe.Err.Error()})
				continue
			}
			return fmt.Errorf("read %s: %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		if err := fn(line, rec); err != nil {
			res.Problems = append(res.Problems, Problem{File: file, Line: line, Reason: err.Error()})
		}
	}
}
