package gen

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// kind is a record file written block by block.
type kind int

const (
	kPerson kind = iota
	kTravel
	kPurchase
	kHire
	kVisit
	kReferral
	kComm
	nKinds
)

// recordFiles describes the record files. Column names are a contract with
// the ingestion mappings: add columns only at the end.
var recordFiles = [nKinds]struct {
	Path   string
	Prefix string
	Header []string
}{
	kPerson:   {"records/person.csv", "PER", []string{"record_id", "full_name", "date_of_birth", "nationality", "phone", "email", "address", "source", "prison_number"}},
	kTravel:   {"records/travel.csv", "TRV", []string{"record_id", "passenger_name", "date_of_birth", "document_number", "document_country", "carrier", "flight", "from", "to", "date", "booking_reference", "contact_phone", "contact_email"}},
	kPurchase: {"records/purchase.csv", "PUR", []string{"record_id", "buyer_name", "buyer_phone", "item", "quantity", "unit", "seller", "date", "buyer_email", "buyer_address", "buyer_licence"}},
	kHire:     {"records/vehicle_hire.csv", "VHR", []string{"record_id", "hirer_name", "date_of_birth", "licence_number", "phone", "vehicle", "registration", "date", "place"}},
	kVisit:    {"records/prison_visit.csv", "PVS", []string{"record_id", "visitor_name", "visitor_date_of_birth", "prisoner_name", "prison", "date", "visitor_address", "prisoner_number"}},
	kReferral: {"records/referral.csv", "REF", []string{"record_id", "subject_name", "date_of_birth", "agency", "reason", "date", "address"}},
	kComm:     {"records/communication.jsonl", "COM", nil},
}

// Headers of the other files.
var (
	orgHeader            = []string{"record_id", "name", "aliases", "country", "kind"}
	watchlistHeader      = []string{"entry_id", "name", "aliases", "date_of_birth", "nationality", "list", "reason"}
	peopleHeader         = []string{"person_id", "full_name", "date_of_birth", "culture", "is_subject", "cell_id", "group_id", "watchlisted", "prisoner_of_concern", "kind", "imprisoned"}
	mentionsHeader       = []string{"file", "record_id", "role", "person_id"}
	reportMentionsHeader = []string{"file", "start", "end", "text", "type", "entity_id"}
	organizationsHeader  = []string{"org_id", "name", "aliases", "violent", "kind"}
	orgMentionsHeader    = []string{"file", "record_id", "role", "org_id"}
	cellsHeader          = []string{"cell_id", "group_id", "person_id", "role"}
	linksHeader          = []string{"person_a", "person_b", "kind", "evidence_record_ids"}
	patternsHeader       = []string{"pattern_id", "rule", "person_ids", "record_ids", "description"}
)

// table is one CSV file being written, counting its data rows.
type table struct {
	f    *os.File
	buf  *bufio.Writer
	csv  *csv.Writer
	rows int
}

func createTable(dir, rel string, header []string) (*table, error) {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", rel, err)
	}
	f, err := os.Create(p)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", rel, err)
	}
	t := &table{f: f, buf: bufio.NewWriterSize(f, 256<<10)}
	t.csv = csv.NewWriter(t.buf)
	if header != nil {
		if err := t.csv.Write(header); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// write writes one row. Errors surface at close.
func (t *table) write(row ...string) {
	_ = t.csv.Write(row)
	t.rows++
}

// line writes a raw line (JSON Lines).
func (t *table) line(s string) {
	_, _ = t.buf.WriteString(s)
	_ = t.buf.WriteByte('\n')
	t.rows++
}

func (t *table) close() error {
	t.csv.Flush()
	if err := t.csv.Error(); err != nil {
		t.f.Close()
		return err
	}
	if err := t.buf.Flush(); err != nil {
		t.f.Close()
		return err
	}
	return t.f.Close()
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
