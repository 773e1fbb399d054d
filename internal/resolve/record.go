package resolve

import (
	"fmt"
	"strings"
)

// Record types.
const (
	TypePerson       = "Person"
	TypeOrganization = "Organization"
)

// Record is one mention to resolve: the identifying facts one source gives
// about one person or organisation. All fields are optional except ID.
type Record struct {
	// ID is the stable identifier of the mention (a mention or record ID).
	ID string `json:"id"`
	// Type is "Person" (the default) or "Organization". Records of
	// different types are never compared.
	Type string `json:"type,omitempty"`
	// Names are full names and aliases in any script and order.
	Names []string `json:"names,omitempty"`
	// BirthDates are dates of birth (or founding dates) as YYYY-MM-DD,
	// YYYYMMDD, DD/MM/YYYY or a bare year.
	BirthDates []string `json:"birth_dates,omitempty"`
	// Identifiers holds identifying values by kind: "passport",
	// "national_id", "phone", "email", "licence", ... Values of the same
	// kind are compared; each kind is its own feature.
	Identifiers map[string][]string `json:"identifiers,omitempty"`
	// Addresses are free-text postal addresses.
	Addresses []string `json:"addresses,omitempty"`
	// Countries are identity countries only (such as the issuing country of
	// a document); they must never encode origin for scoring.
	Countries []string `json:"countries,omitempty"`
	// Attributes are other comparable text fields by name (a postcode, a
	// title, a venue, a year). Each name is its own feature.
	Attributes map[string][]string `json:"attributes,omitempty"`
}

// Validate reports a record the engine cannot take.
func (r *Record) Validate() error {
	if strings.TrimSpace(r.ID) == "" {
		return fmt.Errorf("%w: empty id", ErrInvalidRecord)
	}
	switch r.Type {
	case "", TypePerson, TypeOrganization:
	default:
		return fmt.Errorf("%w: %s: unknown type %q", ErrInvalidRecord, r.ID, r.Type)
	}
	return nil
}

func (r *Record) typ() string {
	if r.Type == "" {
		return TypePerson
	}
	return r.Type
}
