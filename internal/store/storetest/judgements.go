package storetest

import (
	"context"
	"errors"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Judgements checks the judgement log: appending, reading back by state,
// mention and position, recording outcomes, validation, rollback and
// persistence across a reopen.
func Judgements(t *testing.T, open Opener) {
	s, reopen := open(t)
	ctx := context.Background()
	js := []store.Judgement{
		{A: "m-1", B: "m-2", Verdict: store.VerdictSame, By: "ana", Note: "same passport photo", At: t0},
		{A: "m-3", Verdict: store.VerdictSplit, By: "bo"},
		{A: "m-2", B: "m-4", Verdict: store.VerdictNotSame},
		{A: "m-1", B: "m-2", Verdict: store.VerdictUndo},
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		for i := range js {
			if err := tx.PutJudgement(ctx, &js[i]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(js); i++ {
		if js[i].Seq <= js[i-1].Seq {
			t.Fatalf("judgement seqs not increasing: %d then %d", js[i-1].Seq, js[i].Seq)
		}
	}
	if js[1].State != store.JudgementPending || js[1].At.IsZero() {
		t.Errorf("defaults not set: %+v", js[1])
	}
	got, err := s.Judgements(ctx, store.JudgementFilter{})
	if err != nil || len(got) != len(js) {
		t.Fatalf("Judgements = %d entries, %v; want %d", len(got), err, len(js))
	}
	if g := got[0]; g.A != "m-1" || g.B != "m-2" || g.Verdict != store.VerdictSame || g.By != "ana" ||
		g.Note != "same passport photo" || !g.At.Equal(t0) || g.State != store.JudgementPending {
		t.Errorf("round trip: %+v", g)
	}
	if got, _ := s.Judgements(ctx, store.JudgementFilter{Mention: "m-2"}); len(got) != 3 {
		t.Errorf("by mention m-2: %d entries, want 3", len(got))
	}
	if got, _ := s.Judgements(ctx, store.JudgementFilter{After: js[1].Seq, Limit: 1}); len(got) != 1 || got[0].Seq != js[2].Seq {
		t.Errorf("after %d, limit 1: %+v", js[1].Seq, got)
	}
	// Outcomes.
	if err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.SetJudgementState(ctx, js[0].Seq, store.JudgementApplied, "2 mentions moved"); err != nil {
			return err
		}
		derived := store.Judgement{A: "m-3", B: "m-5", Verdict: store.VerdictNotSame, State: store.JudgementApplied, Origin: js[1].Seq}
		if err := tx.PutJudgement(ctx, &derived); err != nil {
			return err
		}
		return tx.SetJudgementState(ctx, js[1].Seq, store.JudgementApplied, "")
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Judgements(ctx, store.JudgementFilter{State: store.JudgementPending}); len(got) != 2 || got[0].Seq != js[2].Seq {
		t.Errorf("pending after applying two: %+v", got)
	}
	if j, err := s.Judgement(ctx, js[0].Seq); err != nil || j.State != store.JudgementApplied || j.Result != "2 mentions moved" {
		t.Errorf("Judgement(%d) = %+v, %v", js[0].Seq, j, err)
	}
	if _, err := s.Judgement(ctx, 1<<40); mosaic.KindOf(err) != mosaic.KindNotFound {
		t.Errorf("missing judgement: %v", err)
	}
	err = s.Update(ctx, func(tx store.Tx) error { return tx.SetJudgementState(ctx, 1<<40, store.JudgementApplied, "") })
	if mosaic.KindOf(err) != mosaic.KindNotFound {
		t.Errorf("state of a missing judgement: %v", err)
	}
	// Validation and rollback.
	for _, bad := range []store.Judgement{
		{A: "m-1", B: "m-1", Verdict: store.VerdictSame},
		{A: "m-1", Verdict: store.VerdictNotSame},
		{A: "m-1", B: "m-2", Verdict: store.VerdictSplit},
		{A: "m-1", B: "m-2", Verdict: "maybe"},
		{A: "m-1", B: "m-2", Verdict: store.VerdictSame, State: "done"},
	} {
		err := s.Update(ctx, func(tx store.Tx) error { return tx.PutJudgement(ctx, &bad) })
		if mosaic.KindOf(err) != mosaic.KindInvalid {
			t.Errorf("invalid judgement %+v accepted: %v", bad, err)
		}
	}
	boom := errors.New("boom")
	err = s.Update(ctx, func(tx store.Tx) error {
		j := store.Judgement{A: "m-8", B: "m-9", Verdict: store.VerdictSame}
		if err := tx.PutJudgement(ctx, &j); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("rollback: %v", err)
	}
	if got, _ := s.Judgements(ctx, store.JudgementFilter{Mention: "m-8"}); len(got) != 0 {
		t.Errorf("rolled-back judgement stored: %+v", got)
	}
	// Persistence.
	s.Close()
	s2 := reopen()
	defer s2.Close()
	got, err = s2.Judgements(ctx, store.JudgementFilter{})
	if err != nil || len(got) != len(js)+1 {
		t.Fatalf("after reopen: %d entries, %v", len(got), err)
	}
	if d := got[len(got)-1]; d.Origin != js[1].Seq || d.State != store.JudgementApplied {
		t.Errorf("derived entry after reopen: %+v", d)
	}
	last := got[len(got)-1].Seq
	j := store.Judgement{A: "m-6", B: "m-7", Verdict: store.VerdictNotSame}
	if err := s2.Update(ctx, func(tx store.Tx) error { return tx.PutJudgement(ctx, &j) }); err != nil || j.Seq <= last {
		t.Errorf("seq after reopen %d (last %d), %v", j.Seq, last, err)
	}
}
