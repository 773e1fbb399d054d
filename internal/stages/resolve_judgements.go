package stages

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Analysts' judgements in the resolve stage.
//
// A judgement changes the engine at one moment: after some number of
// records. A restarted (or taken-over) stage must apply it after the same
// record to reach the state the uninterrupted one had (a judgement known
// from the start shapes every later streaming decision differently from
// one applied half-way), so the stage writes that record count into the
// entry's result ("2 mention(s) moved [at record 1234]"), and Replay
// applies the entries of the log after the same records.

// JudgementStore is what applying judgements needs of the store.
type JudgementStore interface {
	store.Updater
	store.JudgementReader
}

// atRecord is how a judgement's result names the record count at which it
// was applied.
const atRecord = " [at record "

// placedResult returns text with the record count n appended.
func placedResult(text string, n int) string {
	return text + atRecord + strconv.Itoa(n) + "]"
}

// AppliedAt returns the number of records the engine held when the stage
// applied a judgement with this result, or false for an entry the stage
// did not place (written before placement was recorded, or derived from
// a split).
func AppliedAt(result string) (int, bool) {
	i := strings.LastIndex(result, atRecord)
	if i < 0 || !strings.HasSuffix(result, "]") {
		return 0, false
	}
	n, err := strconv.Atoi(result[i+len(atRecord) : len(result)-1])
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// placedJudgement is an applied judgement and the record count at which
// it was applied.
type placedJudgement struct {
	at int
	j  store.Judgement
}

// judgementPlan splits the applied entries of the log into the judgement
// graph of entries without a placement (folded as LoadJudgements does;
// they are loaded before any record, as before placements were kept) and
// the placed entries, in log order.
func judgementPlan(log []store.Judgement) (graph []resolve.Judgement, placed []placedJudgement) {
	placedSeq := map[int64]bool{}
	var legacy []store.Judgement
	for _, j := range log {
		if j.State != store.JudgementApplied {
			continue
		}
		if at, ok := AppliedAt(j.Result); ok {
			placed = append(placed, placedJudgement{at: at, j: j})
			placedSeq[j.Seq] = true
			continue
		}
		if j.Origin != 0 && placedSeq[j.Origin] {
			continue // made by a placed split: replaying the split makes it again
		}
		legacy = append(legacy, j)
	}
	return foldJudgements(legacy), placed
}

// LoadJudgements folds the applied entries of the judgement log into the
// judgement graph: a "same" or "not-same" sets its pair's verdict, an
// "undo" removes it; splits are present as the "not-same" entries derived
// from them. (Replay applies the entries at the records where they were
// applied instead; the graph is what they add up to.)
func LoadJudgements(ctx context.Context, st store.JudgementReader) ([]resolve.Judgement, error) {
	log, err := st.Judgements(ctx, store.JudgementFilter{State: store.JudgementApplied})
	if err != nil {
		return nil, err
	}
	return foldJudgements(log), nil
}

func foldJudgements(log []store.Judgement) []resolve.Judgement {
	type pair [2]mosaic.ID
	key := func(a, b mosaic.ID) pair {
		if b < a {
			a, b = b, a
		}
		return pair{a, b}
	}
	graph := map[pair]resolve.Verdict{}
	for _, j := range log {
		switch j.Verdict {
		case store.VerdictSame:
			graph[key(j.A, j.B)] = resolve.Same
		case store.VerdictNotSame:
			graph[key(j.A, j.B)] = resolve.NotSame
		case store.VerdictUndo:
			delete(graph, key(j.A, j.B))
		}
	}
	out := make([]resolve.Judgement, 0, len(graph))
	for k, v := range graph {
		out = append(out, resolve.Judgement{A: string(k[0]), B: string(k[1]), Verdict: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].A != out[j].A {
			return out[i].A < out[j].A
		}
		return out[i].B < out[j].B
	})
	return out
}

// JudgementOutcome is what applying one judgement did.
type JudgementOutcome struct {
	Judgement store.Judgement `json:"judgement"`
	// Moves are the mentions whose entity changed (entity IDs).
	Moves []EntityMove `json:"moves,omitempty"`
	// Derived are the entries a split added to the log.
	Derived []store.Judgement `json:"derived,omitempty"`
}

// EntityMove is a mention moved from one entity to another.
type EntityMove struct {
	Mention mosaic.ID `json:"mention"`
	From    mosaic.ID `json:"from"`
	To      mosaic.ID `json:"to"`
}

// judge applies one entry of the log to the engine. s.mu is held.
func (s *Resolve) judge(j store.Judgement) (moves []resolve.Move, made []resolve.Judgement, err error) {
	a, b := string(j.A), string(j.B)
	switch j.Verdict {
	case store.VerdictSame:
		moves, err = s.eng.Judge(resolve.Judgement{A: a, B: b, Verdict: resolve.Same})
	case store.VerdictNotSame:
		moves, err = s.eng.Judge(resolve.Judgement{A: a, B: b, Verdict: resolve.NotSame})
	case store.VerdictUndo:
		moves, err = s.eng.Undo(a, b)
	case store.VerdictSplit:
		made, moves, err = s.eng.Split(a)
	default:
		err = fmt.Errorf("unknown verdict %q", j.Verdict)
	}
	return moves, made, err
}

// applyDeferred applies the deferred judgements the engine has reached
// and returns the records they moved. s.mu is held.
func (s *Resolve) applyDeferred(context.Context) []resolve.Move {
	if len(s.deferred) == 0 {
		return nil
	}
	var out []resolve.Move
	n := s.eng.Len()
	for len(s.deferred) > 0 && s.deferred[0].at <= n {
		// Applied once already (the log says so): an error here means
		// the engine no longer decides as it did, and the entry is
		// skipped as the original run would have rejected it.
		moves, _, _ := s.judge(s.deferred[0].j)
		out = append(out, moves...)
		s.deferred = s.deferred[1:]
	}
	return out
}

// ApplyJudgements applies the pending entries of the judgement log, in
// order, to the engine and the store: each is marked applied (its moves
// written with Tx.MoveMentions, a split's "not same" judgements added to
// the log, and the record count at which it was applied kept in its
// result) or rejected with the reason (a contradiction of earlier
// judgements, a mention the engine does not know). It returns what each
// did. While judgements already in the log wait for records the stage has
// not reached again (see Replay), pending entries wait too, so that the
// log's order holds.
func (s *Resolve) ApplyJudgements(ctx context.Context, st JudgementStore) ([]JudgementOutcome, error) {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	s.mu.Lock()
	waiting := len(s.deferred) > 0
	s.mu.Unlock()
	if waiting {
		return nil, nil
	}
	pending, err := st.Judgements(ctx, store.JudgementFilter{State: store.JudgementPending})
	if err != nil {
		return nil, err
	}
	var out []JudgementOutcome
	for _, j := range pending {
		o, err := s.applyJudgement(ctx, st, j)
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	if len(out) > 0 && s.OnMoved != nil {
		s.OnMoved()
	}
	return out, nil
}

func (s *Resolve) applyJudgement(ctx context.Context, st JudgementStore, j store.Judgement) (JudgementOutcome, error) {
	o := JudgementOutcome{Judgement: j}
	s.mu.Lock()
	at := s.eng.Len()
	moves, made, err := s.judge(j)
	s.mu.Unlock()
	state, result := store.JudgementApplied, ""
	if err != nil {
		state, result = store.JudgementRejected, err.Error()
	} else {
		result = placedResult(fmt.Sprintf("%d mention(s) moved", len(moves)), at)
	}
	a := string(j.A)
	werr := st.Update(store.WithWriter(ctx, "judgements"), func(tx store.Tx) error {
		o.Derived = o.Derived[:0]
		for _, m := range made {
			d := store.Judgement{A: mosaic.ID(m.A), B: mosaic.ID(m.B), Verdict: store.VerdictNotSame,
				By: j.By, Note: "split of " + a, State: store.JudgementApplied, Origin: j.Seq}
			if err := tx.PutJudgement(ctx, &d); err != nil {
				return err
			}
			o.Derived = append(o.Derived, d)
		}
		// The entities as they are now (see Process).
		mv := map[mosaic.ID]mosaic.ID{}
		o.Moves = o.Moves[:0]
		for _, m := range moves {
			c, err := s.eng.Cluster(m.Record)
			if err != nil {
				continue
			}
			to := mosaic.EntityIDFor(mosaic.ID(c))
			mv[mosaic.ID(m.Record)] = to
			o.Moves = append(o.Moves, EntityMove{Mention: mosaic.ID(m.Record), From: mosaic.EntityIDFor(mosaic.ID(m.From)), To: to})
		}
		if err := tx.MoveMentions(ctx, mv); err != nil {
			return err
		}
		return tx.SetJudgementState(ctx, j.Seq, state, result)
	})
	if werr != nil {
		return o, fmt.Errorf("resolve: record judgement %d: %w", j.Seq, werr)
	}
	o.Judgement.State, o.Judgement.Result = state, result
	return o, nil
}

// RunJudgements applies pending judgements every interval until ctx ends
// (in the process that owns the engine), so that judgements stored by
// another process (the CLI while `mosaic serve` runs) take effect.
func (s *Resolve) RunJudgements(ctx context.Context, st JudgementStore, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.ApplyJudgements(ctx, st); err != nil && ctx.Err() == nil && onErr != nil {
				onErr(err)
			}
		}
	}
}
