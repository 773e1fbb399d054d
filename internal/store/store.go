// Package store defines Mosaic's storage interfaces, split by role, and the
// types that cross them. Backends live in subpackages (sqlite, postgres) on
// top of a shared SQL implementation (sqlstore); storetest is the
// conformance suite every backend passes.
//
// # The item log
//
// Documents and records are items. Each stored item gets a sequence number
// (Seq) that only grows: the items table is the durable log of the
// pipeline. A stage's progress is a set of completed Seq ranges, so the
// store knows exactly which items each stage still owes, and a crash
// between commit and the bus never loses work (see docs/architecture.md).
//
// # Facts
//
// An item's facts (its mentions, their statements, and the links between
// them) are derived from it by mapping (records) or extraction (documents)
// and stored with it. Statement and link IDs begin with their item's ID, so
// any evidence ID leads back to the exact record field or text span.
//
// # Access
//
// Every read takes a mosaic.Principal and passes each object through
// access.Can; objects the caller may not see are reported as not found.
package store

import (
	"context"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
)

// Item is a stored document or record with its facts.
type Item struct {
	Seq      int64 // assigned by the store
	ID       mosaic.ID
	Source   string
	Document *mosaic.Document // exactly one of Document and Record is set
	Record   *mosaic.Record
	Facts    *Facts // may be nil until the parse or extract stage ran
	Marking  mosaic.Marking
	Stored   time.Time // when the store first accepted it
}

// IsDocument reports whether the item is a document.
func (it *Item) IsDocument() bool { return it.Document != nil }

// Facts are the mentions, statements and links derived from one item.
type Facts struct {
	Mentions   []mosaic.Mention   `json:"mentions,omitempty"`
	Statements []mosaic.Statement `json:"statements,omitempty"`
	Links      []mosaic.Link      `json:"links,omitempty"`
}

// StatementsOf returns the statements whose subject is mention m.
func (f *Facts) StatementsOf(m mosaic.ID) []mosaic.Statement {
	if f == nil {
		return nil
	}
	var out []mosaic.Statement
	for _, s := range f.Statements {
		if s.Subject == m {
			out = append(out, s)
		}
	}
	return out
}

// Assignment places a mention in an entity.
type Assignment struct {
	Mention mosaic.ID
	Entity  mosaic.ID
	Type    mosaic.EntityType
	Item    int64  // Seq of the mention's item
	Caption string // the mention's caption (its first name)
}

// EntityLink is a stored link with its endpoints resolved to entities.
type EntityLink struct {
	mosaic.Link
	Item          int64     `json:"item"`
	SubjectEntity mosaic.ID `json:"subject_entity"`
	ObjectEntity  mosaic.ID `json:"object_entity"`
}

// MentionRow is a resolved mention with what an index needs of its item.
type MentionRow struct {
	Mention mosaic.ID
	Entity  mosaic.ID
	Type    mosaic.EntityType
	Caption string
	Marking mosaic.Marking // the item's
	Stored  time.Time      // when the item was stored
}

// AlertFilter selects alerts.
type AlertFilter struct {
	State string    // "" for any
	Rule  string    // "" for any
	Since time.Time // Last at or after
	Limit int
}

// Range is an inclusive range of item sequence numbers.
type Range struct {
	Lo int64 `json:"lo"`
	Hi int64 `json:"hi"`
}

// Failure is an item a stage could not process.
type Failure struct {
	Stage    string    `json:"stage"`
	Seq      int64     `json:"seq"`
	Item     mosaic.ID `json:"item"`
	Error    string    `json:"error"`
	Attempts int       `json:"attempts"`
	When     time.Time `json:"when"`
}

// StageStatus summarises one stage.
type StageStatus struct {
	Stage  string `json:"stage"`
	Done   int64  `json:"done"` // items the stage has completed (including failures)
	Failed int64  `json:"failed"`
}

// Hit is one search result.
type Hit struct {
	Kind    string    `json:"kind"` // "document", "record" or "entity"
	ID      mosaic.ID `json:"id"`
	Title   string    `json:"title"`
	Snippet string    `json:"snippet"`
	Score   float64   `json:"score"`
}

// Stats counts stored objects.
type Stats struct {
	Documents  int64            `json:"documents"`
	Records    int64            `json:"records"`
	ByKind     map[string]int64 `json:"records_by_kind"`
	Mentions   int64            `json:"mentions"`
	Entities   int64            `json:"entities"`
	Statements int64            `json:"statements"`
	Links      int64            `json:"links"`
	Sources    int64            `json:"sources"`
}

// Judgement verdicts (see Judgement).
const (
	VerdictSame    = "same"     // A and B are the same entity
	VerdictNotSame = "not-same" // A and B are different entities
	VerdictSplit   = "split"    // take mention A out of its entity (B is empty)
	VerdictUndo    = "undo"     // withdraw the judgement between A and B
)

// Judgement states.
const (
	JudgementPending  = "pending"  // stored, not yet applied by the resolve stage
	JudgementApplied  = "applied"  // applied; Result says what moved
	JudgementRejected = "rejected" // refused (a contradiction, an unknown mention); Result says why
)

// Judgement is one entry of the append-only log of analysts' judgements
// on mentions. The resolve stage applies pending entries in Seq order and
// marks them applied or rejected; the judgement graph that every later
// automatic decision respects is the fold of the applied entries (a "same"
// or "not-same" sets the pair's verdict, an "undo" removes it; a "split"
// is applied as the "not-same" entries it derives, which name it as
// their Origin).
type Judgement struct {
	Seq     int64     `json:"seq"`
	A       mosaic.ID `json:"a"`
	B       mosaic.ID `json:"b,omitempty"`
	Verdict string    `json:"verdict"`
	By      string    `json:"by,omitempty"`
	Note    string    `json:"note,omitempty"`
	At      time.Time `json:"at"`
	State   string    `json:"state"`
	Result  string    `json:"result,omitempty"`
	Origin  int64     `json:"origin,omitempty"` // the entry this one was derived from (a split)
}

// JudgementFilter selects judgements.
type JudgementFilter struct {
	State   string    // "" for any
	After   int64     // Seq greater than this
	Mention mosaic.ID // naming this mention as A or B ("" for any)
	Limit   int       // 0 for no limit
}

// JudgementReader reads the judgement log.
type JudgementReader interface {
	// Judgements returns the entries matching f in Seq order.
	Judgements(ctx context.Context, f JudgementFilter) ([]Judgement, error)
	// Judgement returns one entry (KindNotFound if there is none).
	Judgement(ctx context.Context, seq int64) (*Judgement, error)
}

// Tx is the write side of a transaction. All methods are idempotent: writing
// the same item, facts or assignment twice changes nothing.
type Tx interface {
	// PutSource creates or updates a source.
	PutSource(ctx context.Context, s mosaic.Source) error
	// PutItems stores new items and sets each item's Seq (the existing Seq
	// for an item already stored). It reports how many were new.
	PutItems(ctx context.Context, items []*Item) (added int, err error)
	// SetFacts replaces the facts of the item with sequence number seq.
	SetFacts(ctx context.Context, seq int64, f *Facts) error
	// Assign records mention-to-entity assignments (insert or move).
	Assign(ctx context.Context, as []Assignment) error
	// MoveMentions moves already assigned mentions to other entities
	// (mention -> new entity); unassigned mentions are ignored.
	MoveMentions(ctx context.Context, moves map[mosaic.ID]mosaic.ID) error
	// PutLinks indexes the links of item seq (replacing any it had).
	PutLinks(ctx context.Context, seq int64, links []mosaic.Link) error
	// PutAlert stores an alert, folding it into the existing alert with the
	// same ID: records and entities are united, Count grows, Last moves on,
	// markings are united and a dismissed alert reopens. It reports whether
	// the alert is new.
	PutAlert(ctx context.Context, a *mosaic.Alert) (created bool, err error)
	// SetAlertState moves an alert through its lifecycle.
	SetAlertState(ctx context.Context, id mosaic.ID, change mosaic.AlertChange) error
	// MarkDone records that stage completed the items in r.
	MarkDone(ctx context.Context, stage string, r Range) error
	// Fail records that stage failed on item seq; the item counts as done
	// for the stage (the pipeline moves on) until it is requeued.
	Fail(ctx context.Context, stage string, seq int64, msg string) error
	// Requeue forgets that stage completed item seq (and any failure), so
	// the stage runs it again.
	Requeue(ctx context.Context, stage string, seq int64) error
	// PutJudgement appends j to the judgement log and sets j.Seq (and
	// j.At when zero; j.State defaults to pending).
	PutJudgement(ctx context.Context, j *Judgement) error
	// SetJudgementState records the outcome of applying judgement seq.
	SetJudgementState(ctx context.Context, seq int64, state, result string) error
}

// Prepared is a batch of items a store has validated and encoded ahead of
// a write transaction (see Preparer).
type Prepared interface {
	// Items returns the items, in the order given to PrepareItems.
	Items() []*Item
}

// Preparer is an optional extension of a store: PrepareItems does, outside
// any transaction and on the caller's goroutine, the validation and
// encoding that Tx.PutItems would otherwise do inside one, so that a
// writer that prepares its next batch while the previous one commits
// holds the store's single writer for less time. The items must not
// change between PrepareItems and PutPrepared.
type Preparer interface {
	PrepareItems(items []*Item) (Prepared, error)
}

// PreparedPutter is implemented by the transactions of a Preparer.
// PutPrepared is PutItems on items prepared by the same store.
type PreparedPutter interface {
	PutPrepared(ctx context.Context, p Prepared) (added int, err error)
}

// Updater runs write transactions: fn's writes commit together when it
// returns nil and roll back when it returns an error. A committed
// transaction is durable (on disk) when Update returns.
type Updater interface {
	Update(ctx context.Context, fn func(Tx) error) error
}

// ItemReader reads items.
type ItemReader interface {
	// Item returns the item with id, or a KindNotFound error if it does not
	// exist or p may not see it.
	Item(ctx context.Context, p mosaic.Principal, id mosaic.ID) (*Item, error)
	// ItemsInRange returns the stored items with Lo <= Seq <= Hi, in Seq
	// order, that p may see.
	ItemsInRange(ctx context.Context, p mosaic.Principal, r Range) ([]*Item, error)
	// LastSeq returns the highest Seq stored (0 when empty).
	LastSeq(ctx context.Context) (int64, error)
	// ItemsOfKind calls fn, in Seq order, for every item of a record kind
	// (or "document") that p may see.
	ItemsOfKind(ctx context.Context, p mosaic.Principal, kind string, fn func(*Item) error) error
	// CountInRange counts the stored items with Lo <= Seq <= Hi. Seqs
	// have gaps (a duplicate put or a rolled-back insert uses one up).
	CountInRange(ctx context.Context, r Range) (int64, error)
}

// EntityReader reads resolved entities.
type EntityReader interface {
	// Entity returns the entity with id (or the entity holding mention id)
	// with the statements p may see. KindNotFound if none is visible.
	Entity(ctx context.Context, p mosaic.Principal, id mosaic.ID) (*mosaic.Entity, error)
	// EntityOf returns the entity of each mention ("" when unassigned).
	EntityOf(ctx context.Context, mentions []mosaic.ID) (map[mosaic.ID]mosaic.ID, error)
	// Members returns the mentions assigned to entity (no access check:
	// for the pipeline, which runs as the system).
	Members(ctx context.Context, entity mosaic.ID) ([]Assignment, error)
	// Assignments calls fn for every assignment in Seq order, for
	// rebuilding in-memory indexes at start.
	Assignments(ctx context.Context, fn func(Assignment) error) error
}

// LinkReader reads the link index.
type LinkReader interface {
	// EntityLinks calls fn for every link whose endpoints are both
	// resolved, in item order (no access check: for index builders, which
	// keep each link's marking and check it per query).
	EntityLinks(ctx context.Context, fn func(EntityLink) error) error
	// ResolvedMentions calls fn for every resolved mention, ordered by
	// entity then mention (no access check: for index builders, which keep
	// the markings).
	ResolvedMentions(ctx context.Context, fn func(MentionRow) error) error
	// LinksOf returns the links touching any of the mentions that p may see.
	LinksOf(ctx context.Context, p mosaic.Principal, mentions []mosaic.ID, limit int) ([]EntityLink, error)
}

// AlertReader reads alerts.
type AlertReader interface {
	Alert(ctx context.Context, p mosaic.Principal, id mosaic.ID) (*mosaic.Alert, error)
	Alerts(ctx context.Context, p mosaic.Principal, f AlertFilter) ([]*mosaic.Alert, error)
}

// Searcher finds documents, records and entities by text.
type Searcher interface {
	Search(ctx context.Context, p mosaic.Principal, query string, limit int) ([]Hit, error)
}

// Progress tracks the pipeline's stages.
type Progress interface {
	// DoneRanges returns the completed ranges of stage, merged and sorted.
	DoneRanges(ctx context.Context, stage string) ([]Range, error)
	// Failures lists failed items of a stage ("" for all stages).
	Failures(ctx context.Context, stage string, limit int) ([]Failure, error)
	// StageStatus summarises every stage that has progress.
	StageStatus(ctx context.Context) ([]StageStatus, error)
}

// Counter reports what the store holds.
type Counter interface {
	Stats(ctx context.Context) (*Stats, error)
	Sources(ctx context.Context) ([]mosaic.Source, error)
}

// Store is everything a backend provides. Consumers should ask for the
// narrow role interfaces above; only wiring code needs the whole.
type Store interface {
	Updater
	ItemReader
	EntityReader
	LinkReader
	AlertReader
	Searcher
	Progress
	Counter
	JudgementReader
	// Check verifies the backend's integrity (e.g. SQLite's
	// integrity_check) and returns an error describing any damage.
	Check(ctx context.Context) error
	Close() error
}
