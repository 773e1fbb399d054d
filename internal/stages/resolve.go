package stages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"unicode"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Resolve places every mention in an entity. People and organisations go
// through the probabilistic engine (package resolve); phones, e-mail
// addresses, identifiers, vehicles, places, items and events are the same
// entity exactly when their normalised names are equal.
//
// An entity's ID is derived from the engine's cluster ID (its smallest
// mention ID), so the same input gives the same IDs whatever the order.
type Resolve struct {
	eng *resolve.Engine
	// OnMoved, if set, is called after a batch that moved already
	// resolved mentions between entities has committed.
	OnMoved func()
	// ModelFile, if set, is where the stage writes the engine's
	// parameters (JSON) whenever it fits them again, for inspection and
	// for `mosaic match --model`. A restart does not read it: Replay fits
	// the model again at the same records (see Refit).
	ModelFile string
	// RefitAt is how many records the engine must hold, and how much it
	// must have grown since the last fit (as a factor), before the stage
	// fits the model to the data again (defaults 5000 and 2: on fewer
	// records the built-in priors resolve better than a fit).
	RefitAt     int
	RefitGrowth float64

	// mu serialises the stage's changes to the engine: a record with the
	// refit and the judgements that follow it, or one judgement. The
	// engine's state then depends only on the order of records and on
	// the record count at which each judgement was applied, which is what
	// Replay reproduces.
	mu     sync.Mutex
	fitLen int // records when the model was last fitted (0: never)
	// deferred are judgements the log says were applied after more
	// records than Replay found finished (the batch holding them had not
	// committed): Process applies them when it reaches their record.
	deferred []placedJudgement
	// recItem is the item each engine record came from, and itemPeople
	// the person records of items naming two or more people: the context
	// pass (contextPass) reads who was seen with whom. Process and Replay
	// build them alike.
	recItem    map[string]int64
	itemPeople map[int64][]string
	docItem    map[int64]bool // items that are documents
	// recPhones are the phones person records state, and calls the
	// phones each phone was in contact with (communication records).
	recPhones map[string][]string
	calls     map[string][]string
	// phoneRecs are the person records stating each phone; keyRecs the
	// person records linked to each shared thing (a flight on a day, a
	// booking: sharedPredicates) and recKeys the things of each record.
	phoneRecs map[string][]string
	keyRecs   map[string][]string
	recKeys   map[string][]string
	// recCaption is the caption of each person record.
	recCaption map[string]string
	// orgMembers are the person records an item states to be members
	// of, or affiliated with, each organisation record.
	orgMembers map[string][]string
	// orgCaption and memberCaption are the captions of those records.
	orgCaption    map[string]string
	memberCaption map[string]string
	// memberRecords are the person records of records (not documents)
	// said to belong to an organisation, in the order seen, and
	// memberWhere names the record saying so (orgRecordPass).
	memberRecords []string
	memberWhere   map[string]string
	memberOrgs    map[string][]string // organisation records of each
	// noOrgRecords switches orgRecordPass off, and orgRecordsDirect
	// limits it to the direct test (for measurements).
	noOrgRecords     bool
	orgRecordsDirect bool
	// reasonOrgs counts the organisation records read from watch-list
	// reasons (AddReasonFacts) the engine holds. They do not count
	// towards a refit (refitDue): reading the reasons of a list must not
	// move the point at which the model is fitted again, which changes
	// the entities of people the reasons do not concern.
	reasonOrgs int
	passed     map[int64]bool // documents the context pass has run on
	// noRecordContext switches the record context pass off (for
	// measurements).
	noRecordContext bool
	debug           func(format string, args ...any)
	// applyMu serialises ApplyJudgements (the HTTP routes and the poller
	// may call it at once).
	applyMu sync.Mutex
}

// NewResolve returns the resolve stage over eng.
func NewResolve(eng *resolve.Engine) *Resolve { return &Resolve{eng: eng} }

// Engine returns the stage's engine (for explanations and judgements).
func (s *Resolve) Engine() *resolve.Engine { return s.eng }

// Name implements pipeline.Stage.
func (*Resolve) Name() string { return pipeline.Resolve }

// Ordered implements pipeline.Ordered: streaming merges and the context
// pass depend on the order of the records, which Replay reproduces in Seq
// order, so the stage must see items in that order after a crash too.
func (*Resolve) Ordered() bool { return true }

// EngineRecord builds the engine's view of a mention from its statements,
// or reports false for types the engine does not resolve. Only identifying
// facts are used: names, birth dates, document numbers and their issuing
// country, phones, e-mail addresses, licences and addresses.
func EngineRecord(m mosaic.Mention, sts []mosaic.Statement) (resolve.Record, bool) {
	if m.Type != mosaic.TypePerson && m.Type != mosaic.TypeOrganization {
		return resolve.Record{}, false
	}
	r := resolve.Record{ID: string(m.ID), Type: string(m.Type)}
	var texts []string
	add := func(kind, v string) {
		if r.Identifiers == nil {
			r.Identifiers = map[string][]string{}
		}
		r.Identifiers[kind] = append(r.Identifiers[kind], v)
	}
	for _, st := range sts {
		switch st.Prop {
		case mosaic.PropName, mosaic.PropAlias:
			r.Names = append(r.Names, st.Value)
		case mosaic.PropMentionText:
			texts = append(texts, st.Value)
		case mosaic.PropBirthDate:
			r.BirthDates = append(r.BirthDates, st.Value)
		case mosaic.PropDocNumber:
			add("passport", st.Value)
		case mosaic.PropDocCountry:
			r.Countries = append(r.Countries, st.Value)
		case mosaic.PropPhone:
			add("phone", st.Value)
		case mosaic.PropEmail:
			add("email", st.Value)
		case mosaic.PropLicence:
			add("licence", st.Value)
		case PropPrisonNumber:
			add("prison_number", st.Value)
		case mosaic.PropAddress:
			r.Addresses = append(r.Addresses, st.Value)
		}
	}
	if len(r.Names) == 0 {
		r.Names = texts
	}
	if len(r.Names) == 0 && len(r.Identifiers) == 0 {
		return resolve.Record{}, false
	}
	return r, true
}

// PropPrisonNumber is mosaic.PropPrisonNumber (kept for callers of this package).
const PropPrisonNumber = mosaic.PropPrisonNumber

// KeyEntity returns the entity of a mention resolved by key: its type and
// normalised name.
func KeyEntity(t mosaic.EntityType, name string) mosaic.ID {
	return mosaic.HashID(mosaic.PrefixEntity, string(t), NormalizeKey(t, name))
}

// NormalizeKey folds a name for key resolution: case, punctuation and
// spacing go; phone numbers keep their digits, with a UK trunk "0" read
// as +44.
func NormalizeKey(t mosaic.EntityType, name string) string {
	if t == mosaic.TypePhone {
		var b strings.Builder
		for _, r := range name {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		d := b.String()
		switch {
		case strings.HasPrefix(d, "00"):
			d = d[2:]
		case strings.HasPrefix(d, "0") && len(d) == 11:
			d = "44" + d[1:]
		}
		return d
	}
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// Process implements pipeline.Stage.
func (s *Resolve) Process(ctx context.Context, items []*store.Item) (pipeline.Outcome, error) {
	var assigns []store.Assignment
	var later []resolve.Move     // refits and deferred judgements
	index := map[mosaic.ID]int{} // mention -> position in assigns
	touched := map[string]bool{} // engine records whose cluster may have changed
	failed := map[int64]error{}
	for _, it := range items {
		if it.Facts == nil {
			continue
		}
		pipeline.Yield(ctx) // the screening alerts first
		if err := s.processItem(ctx, it, &assigns, index, touched, &later, failed); err != nil {
			return pipeline.Outcome{}, err
		}
	}
	ids := make([]string, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, mv := range later {
		if !touched[mv.Record] {
			touched[mv.Record] = true
			ids = append(ids, mv.Record)
		}
	}
	o := pipeline.Outcome{
		Failed: failed,
		// Entities are read from the engine when the batch is written, not
		// when it was computed: a judgement applied in between (see
		// ApplyJudgements) has then been taken into account, and whichever
		// of the two transactions commits last writes the latest clusters.
		Write: func(ctx context.Context, tx store.Tx) error {
			out := make([]store.Assignment, 0, len(assigns))
			moves := map[mosaic.ID]mosaic.ID{}
			for _, id := range ids {
				c, err := s.eng.Cluster(id)
				if err != nil {
					continue
				}
				e := mosaic.EntityIDFor(mosaic.ID(c))
				if i, ok := index[mosaic.ID(id)]; ok {
					assigns[i].Entity = e
				} else {
					moves[mosaic.ID(id)] = e
				}
			}
			for _, a := range assigns {
				if a.Entity != "" {
					out = append(out, a)
				}
			}
			if err := tx.Assign(ctx, out); err != nil {
				return err
			}
			return tx.MoveMentions(ctx, moves)
		},
	}
	if (len(touched) > len(index) || len(later) > 0) && s.OnMoved != nil {
		o.After = s.OnMoved
	}
	return o, nil
}

// processItem resolves the mentions of one item, then runs the context
// pass over them and applies the judgements due, all under s.mu: analysts'
// judgements (ApplyJudgements) come between items, never inside one, so
// that Replay can apply them at the same point.
func (s *Resolve) processItem(ctx context.Context, it *store.Item, assigns *[]store.Assignment, index map[mosaic.ID]int,
	touched map[string]bool, later *[]resolve.Move, failed map[int64]error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	coref := docCoref(it, resolve.NamesNamer{})
	var people []string // the item's person records
	for _, m := range it.Facts.Mentions {
		sts := it.Facts.StatementsOf(m.ID)
		a := store.Assignment{Mention: m.ID, Type: m.Type, Item: it.Seq, Caption: m.Caption}
		if rec, ok := EngineRecord(m, sts); ok {
			rec = withCoref(rec, coref)
			d, err := s.eng.Add(rec)
			if err == nil && isReasonOrg(it, m) {
				s.reasonOrgs++
			}
			var moves []resolve.Move
			var ferr error
			if err == nil {
				// Refit as soon as the engine has grown enough,
				// whatever the batch boundaries: the result then
				// depends only on the order of the records
				// (scaled-out workers batch differently from the
				// embedded pipeline, see docs/scaling.md).
				moves, ferr = s.afterRecord(ctx)
			}
			if ferr != nil {
				return ferr
			}
			*later = append(*later, moves...)
			if err == nil || errors.Is(err, resolve.ErrDuplicate) {
				if m.Type == mosaic.TypePerson {
					people = append(people, rec.ID)
				}
			}
			switch {
			case errors.Is(err, resolve.ErrDuplicate): // a redelivery: already resolved
			case err != nil:
				failed[it.Seq] = err
				continue
			default:
				if len(d.Absorbed) > 0 {
					members, err := s.eng.Members(d.Cluster)
					if err != nil {
						return err
					}
					for _, mm := range members {
						touched[mm] = true
					}
				}
				for _, mv := range d.Moves {
					touched[mv.Record] = true
				}
			}
			touched[rec.ID] = true
		} else {
			name := m.Caption
			if name == "" {
				for _, st := range sts {
					if st.Prop == mosaic.PropName {
						name = st.Value
						break
					}
				}
			}
			if name == "" {
				continue
			}
			a.Entity = KeyEntity(m.Type, name)
		}
		index[m.ID] = len(*assigns)
		*assigns = append(*assigns, a)
	}
	// The context pass, after the item's records: it depends only on
	// the order of the records, as Replay repeats it. A redelivered
	// item had it the first time (unless that delivery failed before
	// reaching it).
	s.noteItem(it, people)
	moves, err := s.runContext(it, people)
	if err != nil {
		return err
	}
	*later = append(*later, moves...)
	// The judgements due at this record count (see Replay).
	*later = append(*later, s.applyDeferred(ctx)...)
	return nil
}

// afterRecord runs what follows a record the engine took: a refit when
// the engine has grown enough. It returns the records whose cluster
// changed. s.mu is held.
func (s *Resolve) afterRecord(ctx context.Context) ([]resolve.Move, error) {
	if s.refitDue() {
		return s.refit(ctx)
	}
	return nil, nil
}

// refitDue reports whether the engine has grown enough since the model was
// last fitted. s.mu is held.
func (s *Resolve) refitDue() bool {
	at, growth := s.RefitAt, s.RefitGrowth
	if at <= 0 {
		at = 5000
	}
	if growth <= 1 {
		growth = 2
	}
	n := s.eng.Len() - s.reasonOrgs
	return n >= at && float64(n) >= growth*float64(s.fitLen)
}

// Refit fits the model to every record the engine holds (EM), reclusters
// everything with it, writes it to ModelFile and returns the records whose
// entity changed. The stage refits by itself after the record that makes
// the engine big enough (RefitAt, RefitGrowth); a refit called from
// outside is a change Replay cannot reproduce.
func (s *Resolve) Refit(ctx context.Context) ([]resolve.Move, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refit(ctx)
}

func (s *Resolve) refit(ctx context.Context) ([]resolve.Move, error) {
	moves, err := s.eng.Refit(ctx)
	if err != nil {
		return nil, err
	}
	s.fitLen = s.eng.Len() - s.reasonOrgs
	return moves, s.saveModel()
}

func (s *Resolve) saveModel() error {
	if s.ModelFile == "" {
		return nil
	}
	b, err := json.MarshalIndent(s.eng.Model(), "", " ")
	if err != nil {
		return err
	}
	tmp := s.ModelFile + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o640); err != nil {
		return fmt.Errorf("resolve: save model: %w", err)
	}
	return os.Rename(tmp, s.ModelFile)
}

// Mention returns the mention an analyst's ID stands for: a mention ID as
// it is, or for an entity ID the entity's representative mention (the
// smallest mention ID among those the engine resolves, which is the
// engine's cluster ID).
func Mention(ctx context.Context, er store.EntityReader, id mosaic.ID) (mosaic.ID, error) {
	if !strings.HasPrefix(string(id), mosaic.PrefixEntity+"-") {
		return id, nil
	}
	members, err := er.Members(ctx, id)
	if err != nil {
		return "", err
	}
	var best mosaic.ID
	for _, m := range members {
		if m.Type != mosaic.TypePerson && m.Type != mosaic.TypeOrganization {
			continue
		}
		if best == "" || m.Mention < best {
			best = m.Mention
		}
	}
	if best == "" {
		return "", mosaic.Errorf(mosaic.KindNotFound, "resolve", "entity %s has no person or organisation mention", id)
	}
	return best, nil
}

// entityOf returns the engine cluster a person or organisation mention
// was resolved into.
func (s *Resolve) entityOf(m mosaic.ID) (string, error) {
	return s.eng.Cluster(string(m))
}
