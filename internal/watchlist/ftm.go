package watchlist

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

type ftmEntity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
	Datasets   []string            `json:"datasets"`
}

// ftmIDProps are FollowTheMoney properties holding identifiers.
var ftmIDProps = []struct{ prop, typ string }{
	{"passportNumber", "Passport"}, {"idNumber", "National ID"}, {"taxNumber", "Tax ID"},
	{"registrationNumber", "Registration"}, {"innCode", "INN"}, {"ogrnCode", "OGRN"},
	{"leiCode", "LEI"}, {"imoNumber", "IMO"}, {"swiftBic", "SWIFT/BIC"},
}

// ParseFTM reads FollowTheMoney entities, one JSON object a line (the
// OpenSanctions export format). Entities of schemas other than Person,
// Organization, Company, LegalEntity, PublicBody, Vessel and Aircraft
// (addresses, sanctions, identifications) are skipped silently. list names
// the entries' list; when empty, the first dataset of each entity is used.
func ParseFTM(ctx context.Context, r io.Reader, file, list string) (Result, error) {
	var res Result
	br := bufio.NewReaderSize(r, 1<<16)
	line := 0
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			line++
			if p, ok := ftmLine(b, list, &res); !ok {
				res.Problems = append(res.Problems, Problem{File: file, Line: line, Reason: p})
			}
		}
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, fmt.Errorf("read %s: %w", file, err)
		}
	}
}

func ftmLine(b []byte, list string, res *Result) (string, bool) {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", true
	}
	var fe ftmEntity
	if err := json.Unmarshal([]byte(s), &fe); err != nil {
		return "json: " + err.Error(), false
	}
	if fe.ID == "" {
		return "entity without id", false
	}
	var schema Schema
	switch fe.Schema {
	case "Person":
		schema = Person
	case "Organization", "Company", "PublicBody":
		schema = Organization
	case "LegalEntity":
		schema = Unknown
	case "Vessel":
		schema = Vessel
	case "Aircraft", "Airplane":
		schema = Aircraft
	case "":
		return "entity " + fe.ID + " without schema", false
	default:
		return "", true // not a listed party
	}
	e := Entry{List: list, EntryID: fe.ID, Schema: schema}
	if e.List == "" && len(fe.Datasets) > 0 {
		e.List = fe.Datasets[0]
	}
	p := fe.Properties
	for i, n := range p["name"] {
		e.addName(n, i == 0, false)
	}
	for _, prop := range []string{"alias", "previousName"} {
		for _, n := range p[prop] {
			e.addName(n, false, false)
		}
	}
	for _, n := range p["weakAlias"] {
		e.addName(n, false, true)
	}
	if len(e.Names) == 0 {
		return "entity " + fe.ID + " has no name", false
	}
	for _, d := range p["birthDate"] {
		e.BirthDates = appendUnique(e.BirthDates, d)
	}
	for _, prop := range []string{"nationality", "citizenship", "country", "jurisdiction"} {
		for _, c := range p[prop] {
			e.Countries = appendUnique(e.Countries, normCountry(c))
		}
	}
	for _, ip := range ftmIDProps {
		for _, v := range p[ip.prop] {
			e.Identifiers = append(e.Identifiers, Identifier{Type: ip.typ, Number: strings.TrimSpace(v)})
		}
	}
	for _, v := range p["program"] {
		e.Programs = appendUnique(e.Programs, v)
	}
	e.Remarks = strings.Join(p["notes"], " ")
	res.Entries = append(res.Entries, e)
	return "", true
}
