// Package mosaic holds the shared vocabulary of the Mosaic platform: sources,
// documents, records, statements, mentions, entities, links and markings.
//
// # Statements, mentions and entities
//
// Every fact is a Statement: (subject, property, value, origin, source,
// marking, time). The subject of a statement is a mention: the appearance of
// one thing in one origin (the passenger of one travel record, a run of
// names in one document). Resolution maps mentions to entities; an Entity is
// the cluster of its mentions' statements. Merging or splitting entities
// only moves mentions between clusters, so no statement ever loses where it
// came from.
//
// # Markings
//
// Every stored object carries a Marking: a set of compartment labels. A
// Principal sees an object only when it holds every label of the object's
// marking (see package access). Derived objects carry the union of their
// sources' markings.
package mosaic

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// ID identifies a stored object. IDs are content-derived where possible
// ("doc-" + hash of bytes, "rec-" + hash of source and fields) so that
// ingesting the same input twice is idempotent.
type ID string

// HashID returns prefix + "-" + the first 128 bits of SHA-256 over parts,
// each part separated by a zero byte so that ("ab","c") != ("a","bc").
func HashID(prefix string, parts ...string) ID {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	var sum [sha256.Size]byte
	return ID(prefix + "-" + hex.EncodeToString(h.Sum(sum[:0])[:16]))
}

// ID prefixes by object type.
const (
	PrefixDocument  = "doc"
	PrefixRecord    = "rec"
	PrefixStatement = "st"
	PrefixMention   = "m"
	PrefixEntity    = "ent"
	PrefixLink      = "lnk"
	PrefixAlert     = "alr"
)

// Marking is a sorted set of compartment labels. The zero Marking is
// unrestricted. Labels are upper-case words such as "SECRET-ALPHA".
type Marking []string

// NewMarking returns the normalised (trimmed, upper-cased, sorted,
// deduplicated) marking of labels.
func NewMarking(labels ...string) Marking {
	var m Marking
	for _, l := range labels {
		l = strings.ToUpper(strings.TrimSpace(l))
		if l != "" {
			m = append(m, l)
		}
	}
	sort.Strings(m)
	out := m[:0]
	for i, l := range m {
		if i == 0 || l != m[i-1] {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ParseMarking parses a comma- or space-separated list of labels.
func ParseMarking(s string) Marking {
	return NewMarking(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })...)
}

// Union returns the marking holding the labels of m and o.
func (m Marking) Union(o Marking) Marking {
	if len(o) == 0 {
		return m
	}
	if len(m) == 0 {
		return o
	}
	return NewMarking(append(append([]string(nil), m...), o...)...)
}

// String returns the labels joined with commas ("" when unrestricted).
func (m Marking) String() string { return strings.Join(m, ",") }

// Equal reports whether m and o hold the same labels.
func (m Marking) Equal(o Marking) bool {
	if len(m) != len(o) {
		return false
	}
	for i := range m {
		if m[i] != o[i] {
			return false
		}
	}
	return true
}

// Principal is a caller of the store: a user or a service, with the
// compartment labels it is cleared for.
type Principal struct {
	Name string
	// Clearances are the labels the principal holds.
	Clearances Marking
	// All grants every label (the local user until login exists).
	All bool
}

// Source is a named feed or collection.
type Source struct {
	Name        string  `json:"name"`
	Kind        string  `json:"kind"` // e.g. "records", "documents", "watchlist"
	Marking     Marking `json:"marking,omitempty"`
	Description string  `json:"description,omitempty"`
}

// Document is a text document. Its ID is the hash of its original bytes.
type Document struct {
	ID        ID                `json:"id"`
	Source    string            `json:"source"`
	Title     string            `json:"title"`
	Text      string            `json:"text"`
	MediaType string            `json:"media_type"`
	Path      string            `json:"path,omitempty"` // where it was read from, e.g. "batch.zip!/a.txt"
	Published time.Time         `json:"published,omitzero"`
	Observed  time.Time         `json:"observed"`
	Meta      map[string]string `json:"meta,omitempty"`
	Raw       []byte            `json:"-"`
	Marking   Marking           `json:"marking,omitempty"`
}

// DocumentID returns the content-addressed ID of a document's bytes.
func DocumentID(raw []byte) ID { return HashID(PrefixDocument, string(raw)) }

// RecordKind names a kind of structured record.
type RecordKind string

// Built-in record kinds.
const (
	KindPerson         RecordKind = "person"
	KindOrganization   RecordKind = "organization"
	KindTravel         RecordKind = "travel"
	KindPurchase       RecordKind = "purchase"
	KindVehicleHire    RecordKind = "vehicle_hire"
	KindPrisonVisit    RecordKind = "prison_visit"
	KindReferral       RecordKind = "referral"
	KindCommunication  RecordKind = "communication"
	KindWatchlistEntry RecordKind = "watchlist_entry"
)

// Record is a structured row of a known kind.
type Record struct {
	ID       ID                `json:"id"`
	Source   string            `json:"source"`
	Kind     RecordKind        `json:"kind"`
	Fields   map[string]string `json:"fields"`
	Observed time.Time         `json:"observed,omitzero"`
	Locator  string            `json:"locator,omitempty"` // where it was read, e.g. "travel.csv:42"
	Marking  Marking           `json:"marking,omitempty"`
}

// RecordID returns the content-addressed ID of a record: the hash of its
// source, kind and fields (sorted by name). A source-given key, when present,
// is one of the fields.
func RecordID(source string, kind RecordKind, fields map[string]string) ID {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, 2+2*len(keys))
	parts = append(parts, source, string(kind))
	for _, k := range keys {
		parts = append(parts, k, fields[k])
	}
	return HashID(PrefixRecord, parts...)
}

// EntityType is the schema of a mention or entity.
type EntityType string

// Entity types.
const (
	TypePerson       EntityType = "Person"
	TypeOrganization EntityType = "Organization"
	TypeLocation     EntityType = "Location"
	TypeVehicle      EntityType = "Vehicle"
	TypePhone        EntityType = "Phone"
	TypeEmail        EntityType = "Email"
	TypeIdentifier   EntityType = "Identifier" // document and passport numbers, licences
	TypeEvent        EntityType = "Event"
	TypeItem         EntityType = "Item" // purchased goods, e.g. precursors
	TypeMisc         EntityType = "Misc"
)

// Origin is where a statement came from: a span of a document's text (byte
// offsets into Document.Text, End exclusive), a field of a record, or a
// header of a document (Document and Field set, e.g. an e-mail's "From").
type Origin struct {
	Document ID     `json:"document,omitempty"`
	Start    int    `json:"start,omitempty"`
	End      int    `json:"end,omitempty"`
	Record   ID     `json:"record,omitempty"`
	Field    string `json:"field,omitempty"`
}

// IsZero reports whether the origin names nothing (a provenance bug).
func (o Origin) IsZero() bool { return o.Document == "" && o.Record == "" }

// String renders the origin as "doc-…[12:30]" or "rec-…#field".
func (o Origin) String() string {
	if o.Record != "" {
		return string(o.Record) + "#" + o.Field
	}
	if o.Field != "" {
		return string(o.Document) + "#" + o.Field
	}
	return string(o.Document) + "[" + itoa(o.Start) + ":" + itoa(o.End) + "]"
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}

// Well-known statement properties.
const (
	PropName         = "name"
	PropAlias        = "alias"
	PropBirthDate    = "birthDate"
	PropDocNumber    = "documentNumber"
	PropDocCountry   = "documentCountry"
	PropPhone        = "phone"
	PropEmail        = "email"
	PropAddress      = "address"
	PropNationality  = "nationality" // identity matching only; never scored
	PropCountry      = "country"
	PropLicence      = "licenceNumber"
	PropPrisonNumber = "prisonNumber"
	PropRegistration = "registration"
	PropRole         = "role"
	PropDate         = "date"
	PropMentionText  = "mention" // surface text of a document mention
)

// Statement is one fact about a mention.
type Statement struct {
	ID      ID         `json:"id"`
	Subject ID         `json:"subject"` // a mention ID
	Type    EntityType `json:"type"`    // the subject's type
	Prop    string     `json:"prop"`
	Value   string     `json:"value"`
	Origin  Origin     `json:"origin"`
	Source  string     `json:"source"`
	Marking Marking    `json:"marking,omitempty"`
	Time    time.Time  `json:"time,omitzero"` // when the fact held or was observed
}

// StatementID returns the content-derived ID of a statement. The ID starts
// with the ID of the document or record it came from ("rec-…/3f2a…"), so
// that evidence can be found from the ID alone (see OriginOf).
func StatementID(subject ID, prop, value string, o Origin) ID {
	origin := o.Record
	if origin == "" {
		origin = o.Document
	}
	h := HashID("", string(subject), prop, value, itoa(o.Start), itoa(o.End), o.Field)
	return ID(string(origin) + "/" + string(h[1:13]))
}

// OriginOf returns the ID of the document or record a statement, mention or
// link ID was derived from ("" if id is not of that form).
func OriginOf(id ID) ID {
	for i := 0; i < len(id); i++ {
		if id[i] == '/' {
			return id[:i]
		}
	}
	return ""
}

// MentionID returns the ID of the mention of role within an origin object
// (a record ID with its role, e.g. "passenger"; or a document ID with the
// mention's key, e.g. its chain number).
func MentionID(origin ID, role string) ID {
	return ID(string(origin) + "/" + string(PrefixMention) + "-" + role)
}

// Mention is one thing as it appears in one origin.
type Mention struct {
	ID      ID         `json:"id"`
	Type    EntityType `json:"type"`
	Origin  ID         `json:"origin"` // the record or document
	Role    string     `json:"role"`   // e.g. "passenger", or the span key in a document
	Caption string     `json:"caption"`
	Marking Marking    `json:"marking,omitempty"`
}

// Entity is a resolved cluster of mentions and their statements.
type Entity struct {
	ID         ID          `json:"id"`
	Type       EntityType  `json:"type"`
	Caption    string      `json:"caption"`
	Mentions   []ID        `json:"mentions"`
	Statements []Statement `json:"statements"`
	Marking    Marking     `json:"marking,omitempty"`
}

// EntityIDFor returns the ID of the entity whose smallest mention ID is m.
// Entity IDs are derived from the smallest member so that the same input in
// any order yields the same IDs.
func EntityIDFor(m ID) ID {
	return HashID(PrefixEntity, string(m))
}

// Link is an evidenced relation between two mentions (resolved to entities
// at read time).
type Link struct {
	ID         ID        `json:"id"`
	Subject    ID        `json:"subject"` // mention
	Predicate  string    `json:"predicate"`
	Object     ID        `json:"object"`   // mention
	Evidence   []ID      `json:"evidence"` // statement IDs
	Start      time.Time `json:"start,omitzero"`
	End        time.Time `json:"end,omitzero"`
	Confidence float64   `json:"confidence"`
	Source     string    `json:"source"`
	Marking    Marking   `json:"marking,omitempty"`
}

// LinkID returns the content-derived ID of a link found in origin.
func LinkID(origin ID, subject ID, predicate string, object ID) ID {
	h := HashID("", string(subject), predicate, string(object))
	return ID(string(origin) + "/" + PrefixLink + "-" + string(h[1:13]))
}

// Alert states.
const (
	AlertNew          = "new"
	AlertAcknowledged = "acknowledged"
	AlertEscalated    = "escalated"
	AlertDismissed    = "dismissed"
	// AlertWithdrawn is a system state: the rule that raised the alert no
	// longer holds (a resolution split undid the path that made it fire).
	// Only the system sets it, and only on a new alert: an acknowledged or
	// escalated alert keeps its state and gets a history line
	// (AlertNoLongerHolds), a dismissed one is left as it is. The alert
	// reopens (new) if the rule fires again.
	AlertWithdrawn = "withdrawn"
)

// AlertNoLongerHolds begins the Why of the history line the system adds
// to an alert an analyst has acted on when its rule no longer holds (its
// state is kept); AlertHoldsAgain begins the line added when it fires
// again.
const (
	AlertNoLongerHolds = "the rule no longer holds"
	AlertHoldsAgain    = "the rule holds again"
)

// Alert is a screening hit or a rule firing. Repeated hits on the same key
// fold into one alert: its Records grow and Count counts them.
type Alert struct {
	ID          ID            `json:"id"` // HashID("alr", Rule, Key): stable, so consumers can deduplicate
	Rule        string        `json:"rule"`
	Key         string        `json:"key"`
	Title       string        `json:"title"`
	Entities    []ID          `json:"entities"`        // the entities (or mentions) involved
	Records     []ID          `json:"records"`         // the items that triggered it
	Match       string        `json:"match,omitempty"` // e.g. "watchlist:WL-00012"
	Score       float64       `json:"score"`
	Explanation []string      `json:"explanation,omitempty"`
	State       string        `json:"state"`
	Count       int           `json:"count"`
	First       time.Time     `json:"first"`
	Last        time.Time     `json:"last"`
	Marking     Marking       `json:"marking,omitempty"`
	History     []AlertChange `json:"history,omitempty"`
}

// AlertChange is one step of an alert's lifecycle.
type AlertChange struct {
	State string    `json:"state"`
	Who   string    `json:"who"`
	When  time.Time `json:"when"`
	Why   string    `json:"why,omitempty"`
}

// AlertID returns the stable ID of the alert of rule on key.
func AlertID(rule, key string) ID { return HashID(PrefixAlert, rule, key) }
