// Package tabular reads CSV files into resolve records through a field
// mapping such as
//
//	id=rec_id,name=given_name+surname,dob=date_of_birth,id:ssn=soc_sec_id,address=street+suburb+postcode
//
// Targets: id (the record ID column; default: the file name and row
// number), type (Person or Organization), name (repeatable: each is an
// alias), dob, address, country, id:KIND (an identifier of that kind,
// e.g. id:passport, id:phone, id:email) and attr:NAME (any other
// comparable text). "a+b" joins columns with a space.
package tabular

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mosaic-intel/mosaic/internal/resolve"
)

// Field maps one record field to one or more columns.
type Field struct {
	Target  string   // "id", "type", "name", "dob", "address", "country", "id:KIND", "attr:NAME"
	Columns []string // joined with a space
}

// Mapping is a parsed --map specification.
type Mapping []Field

// ErrMapping marks a bad mapping or a mapping that does not fit a file.
var ErrMapping = errors.New("bad field mapping")

// ParseMapping parses "target=col[+col...],...".
func ParseMapping(spec string) (Mapping, error) {
	var m Mapping
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		target, cols, ok := strings.Cut(part, "=")
		if !ok || cols == "" {
			return nil, fmt.Errorf("%w: %q is not target=column", ErrMapping, part)
		}
		target = strings.ToLower(strings.TrimSpace(target))
		switch {
		case target == "id", target == "type", target == "name", target == "dob", target == "address", target == "country":
		case strings.HasPrefix(target, "id:") && len(target) > 3:
		case strings.HasPrefix(target, "attr:") && len(target) > 5:
		default:
			return nil, fmt.Errorf("%w: unknown target %q (id, type, name, dob, address, country, id:KIND, attr:NAME)", ErrMapping, target)
		}
		f := Field{Target: target}
		for _, c := range strings.Split(cols, "+") {
			if c = strings.TrimSpace(c); c != "" {
				f.Columns = append(f.Columns, c)
			}
		}
		m = append(m, f)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrMapping)
	}
	return m, nil
}

// File is a CSV read into records.
type File struct {
	Records []resolve.Record
	// Truth maps record IDs to the truth column's value (when asked).
	Truth map[string]string
}

// Read reads a CSV with a header row. prefix is put before generated and
// given record IDs (e.g. "left:") so that two files never share an ID;
// truth names the column holding the true cluster (or "").
func Read(r io.Reader, m Mapping, prefix, truth string) (*File, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	type bound struct {
		target string
		idx    []int
	}
	var fields []bound
	for _, f := range m {
		b := bound{target: f.Target}
		for _, c := range f.Columns {
			i, ok := col[c]
			if !ok {
				return nil, fmt.Errorf("%w: no column %q (have %s)", ErrMapping, c, strings.Join(head, ", "))
			}
			b.idx = append(b.idx, i)
		}
		fields = append(fields, b)
	}
	ti := -1
	if truth != "" {
		i, ok := col[truth]
		if !ok {
			return nil, fmt.Errorf("%w: no truth column %q", ErrMapping, truth)
		}
		ti = i
	}
	out := &File{}
	if ti >= 0 {
		out.Truth = map[string]string{}
	}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		rec := resolve.Record{ID: prefix + strconv.Itoa(line)}
		for _, f := range fields {
			var parts []string
			for _, i := range f.idx {
				if i < len(row) {
					if v := strings.TrimSpace(row[i]); v != "" {
						parts = append(parts, v)
					}
				}
			}
			v := strings.Join(parts, " ")
			if v == "" {
				continue
			}
			switch t := f.target; {
			case t == "id":
				rec.ID = prefix + v
			case t == "type":
				rec.Type = v
			case t == "name":
				rec.Names = append(rec.Names, v)
			case t == "dob":
				rec.BirthDates = append(rec.BirthDates, v)
			case t == "address":
				rec.Addresses = append(rec.Addresses, v)
			case t == "country":
				rec.Countries = append(rec.Countries, v)
			case strings.HasPrefix(t, "id:"):
				if rec.Identifiers == nil {
					rec.Identifiers = map[string][]string{}
				}
				rec.Identifiers[t[3:]] = append(rec.Identifiers[t[3:]], v)
			case strings.HasPrefix(t, "attr:"):
				if rec.Attributes == nil {
					rec.Attributes = map[string][]string{}
				}
				rec.Attributes[t[5:]] = append(rec.Attributes[t[5:]], v)
			}
		}
		if ti >= 0 && ti < len(row) {
			out.Truth[rec.ID] = strings.TrimSpace(row[ti])
		}
		out.Records = append(out.Records, rec)
	}
	return out, nil
}
