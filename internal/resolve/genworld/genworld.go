// Package genworld reads the person mentions of a world written by
// `mosaic gen` (records/*.csv, records/communication.jsonl,
// watchlist/watchlist.csv) into resolve records, with the truth from
// truth/mentions.csv, so that resolution can be scored on it.
//
// Each mention becomes one record with ID "RECORD_ID#ROLE". Nationality
// columns are never read: only identity facts (names, dates of birth,
// document numbers and issuing countries, licences, prison numbers,
// phones, e-mails, addresses) are matched. Columns a world of an older
// generator lacks are skipped.
package genworld

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mosaic-intel/mosaic/internal/resolve"
)

// role maps one mention role of one file to record fields (column names).
type role struct {
	file, role string
	name       string
	aliases    string // ";"-separated aliases
	dob        string
	ids        map[string]string // identifier kind -> column
	country    string
	address    string
}

var roles = []role{
	{file: "records/person.csv", role: "person", name: "full_name", dob: "date_of_birth",
		ids: map[string]string{"phone": "phone", "email": "email", "prison_number": "prison_number"}, address: "address"},
	{file: "records/travel.csv", role: "passenger", name: "passenger_name", dob: "date_of_birth",
		ids: map[string]string{"passport": "document_number", "phone": "contact_phone", "email": "contact_email"}, country: "document_country"},
	{file: "records/purchase.csv", role: "buyer", name: "buyer_name",
		ids: map[string]string{"phone": "buyer_phone", "email": "buyer_email", "licence": "buyer_licence"}, address: "buyer_address"},
	{file: "records/vehicle_hire.csv", role: "hirer", name: "hirer_name", dob: "date_of_birth",
		ids: map[string]string{"licence": "licence_number", "phone": "phone"}},
	{file: "records/prison_visit.csv", role: "visitor", name: "visitor_name", dob: "visitor_date_of_birth", address: "visitor_address"},
	{file: "records/prison_visit.csv", role: "prisoner", name: "prisoner_name", ids: map[string]string{"prison_number": "prisoner_number"}},
	{file: "records/referral.csv", role: "subject", name: "subject_name", dob: "date_of_birth", address: "address"},
	{file: "watchlist/watchlist.csv", role: "subject", name: "name", aliases: "aliases", dob: "date_of_birth"},
}

// World is the person mentions of a generated world.
type World struct {
	Records []resolve.Record
	// Truth maps record IDs to person IDs.
	Truth map[string]string
}

// Read reads the world in dir. Files that are absent are skipped.
func Read(dir string) (*World, error) {
	w := &World{Truth: map[string]string{}}
	for _, r := range roles {
		if err := w.readCSV(dir, r); err != nil {
			return nil, err
		}
	}
	if err := w.readComms(dir); err != nil {
		return nil, err
	}
	if err := w.readTruth(dir); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *World) readCSV(dir string, r role) error {
	f, err := os.Open(filepath.Join(dir, r.file))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("genworld: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("genworld: %s: %w", r.file, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && name != "" && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	idCol := head[0]
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("genworld: %s: %w", r.file, err)
		}
		rec := resolve.Record{ID: get(row, idCol) + "#" + r.role, Type: resolve.TypePerson}
		if v := get(row, r.name); v != "" {
			rec.Names = append(rec.Names, v)
		}
		for _, a := range strings.Split(get(row, r.aliases), ";") {
			if a = strings.TrimSpace(a); a != "" {
				rec.Names = append(rec.Names, a)
			}
		}
		if v := get(row, r.dob); v != "" {
			rec.BirthDates = []string{v}
		}
		for kind, c := range r.ids {
			if v := get(row, c); v != "" {
				if rec.Identifiers == nil {
					rec.Identifiers = map[string][]string{}
				}
				rec.Identifiers[kind] = append(rec.Identifiers[kind], v)
			}
		}
		if v := get(row, r.country); v != "" {
			rec.Countries = []string{v}
		}
		if v := get(row, r.address); v != "" {
			rec.Addresses = []string{v}
		}
		w.Records = append(w.Records, rec)
	}
}

func (w *World) readComms(dir string) error {
	f, err := os.Open(filepath.Join(dir, "records/communication.jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("genworld: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c struct {
			ID   string `json:"record_id"`
			From string `json:"from"`
			To   string `json:"to"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return fmt.Errorf("genworld: communication.jsonl: %w", err)
		}
		for _, p := range []struct{ role, phone string }{{"from", c.From}, {"to", c.To}} {
			if p.phone == "" {
				continue
			}
			w.Records = append(w.Records, resolve.Record{ID: c.ID + "#" + p.role, Type: resolve.TypePerson,
				Identifiers: map[string][]string{"phone": {p.phone}}})
		}
	}
	return sc.Err()
}

func (w *World) readTruth(dir string) error {
	f, err := os.Open(filepath.Join(dir, "truth/mentions.csv"))
	if err != nil {
		return fmt.Errorf("genworld: truth: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("genworld: truth: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	ri, oi, pi := col["record_id"], col["role"], col["person_id"]
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("genworld: truth: %w", err)
		}
		w.Truth[row[ri]+"#"+row[oi]] = row[pi]
	}
}

// Named returns the world without the mentions that carry no name (the
// phone-only ends of communications), which no content-based resolver
// can tell apart when phones are shared within households.
func (w *World) Named() *World {
	out := &World{Truth: map[string]string{}}
	for _, r := range w.Records {
		if len(r.Names) > 0 {
			out.Records = append(out.Records, r)
			out.Truth[r.ID] = w.Truth[r.ID]
		}
	}
	return out
}
