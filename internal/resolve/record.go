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
	// Coref asserts, from the context the record was found in, that it
	// names the same entity as other records: "Makarov" after "Bogdan
	// Makarov" in one report. The engine joins the records whatever their
	// scores (like a "same" judgement, but a "not same" judgement still
	// wins, and an analyst's Split undoes it) and Explain and Links show
	// the evidence. The other record may arrive before or after this one.
	Coref []Coref `json:"coref,omitempty"`
}

// Coref is a context link: the record is the same entity as Record
// because of Evidence (a human-readable reason).
type Coref struct {
	Record   string `json:"record"`
	Evidence string `json:"evidence"`
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
