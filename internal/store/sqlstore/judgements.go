package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// JudgementsSchema returns the portable DDL of schema version 2: the
// append-only log of analysts' judgements. seqPK is as in CoreSchema.
func JudgementsSchema(seqPK string) []string {
	return []string{
		`CREATE TABLE judgements(
			seq ` + seqPK + `,
			a TEXT NOT NULL,
			b TEXT NOT NULL,
			verdict TEXT NOT NULL,
			analyst TEXT NOT NULL,
			note TEXT NOT NULL,
			at BIGINT NOT NULL,
			state TEXT NOT NULL,
			result TEXT NOT NULL,
			origin BIGINT NOT NULL)`,
		`CREATE INDEX judgements_state ON judgements(state, seq)`,
		`CREATE INDEX judgements_a ON judgements(a)`,
		`CREATE INDEX judgements_b ON judgements(b)`,
	}
}

func validJudgement(j *store.Judgement) error {
	switch j.Verdict {
	case store.VerdictSame, store.VerdictNotSame, store.VerdictUndo:
		if j.A == "" || j.B == "" || j.A == j.B {
			return mosaic.Errorf(mosaic.KindInvalid, "store.PutJudgement", "%s needs two different mentions", j.Verdict)
		}
	case store.VerdictSplit:
		if j.A == "" || j.B != "" {
			return mosaic.Errorf(mosaic.KindInvalid, "store.PutJudgement", "split needs one mention")
		}
	default:
		return mosaic.Errorf(mosaic.KindInvalid, "store.PutJudgement", "unknown verdict %q", j.Verdict)
	}
	switch j.State {
	case "", store.JudgementPending, store.JudgementApplied, store.JudgementRejected:
	default:
		return mosaic.Errorf(mosaic.KindInvalid, "store.PutJudgement", "unknown state %q", j.State)
	}
	return nil
}

// PutJudgement implements store.Tx.
func (t *tx) PutJudgement(ctx context.Context, j *store.Judgement) error {
	if err := validJudgement(j); err != nil {
		return err
	}
	if j.State == "" {
		j.State = store.JudgementPending
	}
	if j.At.IsZero() {
		j.At = t.s.clock()
	}
	q := t.s.d.Rebind(`INSERT INTO judgements(a, b, verdict, analyst, note, at, state, result, origin)
		VALUES(?,?,?,?,?,?,?,?,?) RETURNING seq`)
	return t.tx.QueryRowContext(ctx, q, string(j.A), string(j.B), j.Verdict, j.By, j.Note,
		micros(j.At), j.State, j.Result, j.Origin).Scan(&j.Seq)
}

// SetJudgementState implements store.Tx.
func (t *tx) SetJudgementState(ctx context.Context, seq int64, state, result string) error {
	switch state {
	case store.JudgementPending, store.JudgementApplied, store.JudgementRejected:
	default:
		return mosaic.Errorf(mosaic.KindInvalid, "store.SetJudgementState", "unknown state %q", state)
	}
	res, err := t.tx.ExecContext(ctx, t.s.d.Rebind(`UPDATE judgements SET state = ?, result = ? WHERE seq = ?`), state, result, seq)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return mosaic.Errorf(mosaic.KindNotFound, "store.SetJudgementState", "no judgement %d", seq)
	}
	return nil
}

const judgementCols = `seq, a, b, verdict, analyst, note, at, state, result, origin`

func scanJudgement(sc interface{ Scan(...any) error }) (store.Judgement, error) {
	var j store.Judgement
	var a, b string
	var at int64
	err := sc.Scan(&j.Seq, &a, &b, &j.Verdict, &j.By, &j.Note, &at, &j.State, &j.Result, &j.Origin)
	j.A, j.B, j.At = mosaic.ID(a), mosaic.ID(b), fromMicros(at)
	return j, err
}

// Judgements implements store.JudgementReader.
func (s *Store) Judgements(ctx context.Context, f store.JudgementFilter) ([]store.Judgement, error) {
	var where []string
	args := []any{}
	if f.State != "" {
		where = append(where, `state = ?`)
		args = append(args, f.State)
	}
	if f.After > 0 {
		where = append(where, `seq > ?`)
		args = append(args, f.After)
	}
	if f.Mention != "" {
		where = append(where, `(a = ? OR b = ?)`)
		args = append(args, string(f.Mention), string(f.Mention))
	}
	q := `SELECT ` + judgementCols + ` FROM judgements`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY seq`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Judgement
	for rows.Next() {
		j, err := scanJudgement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// Judgement implements store.JudgementReader.
func (s *Store) Judgement(ctx context.Context, seq int64) (*store.Judgement, error) {
	j, err := scanJudgement(s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT `+judgementCols+` FROM judgements WHERE seq = ?`), seq))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mosaic.Errorf(mosaic.KindNotFound, "store.Judgement", "no judgement %d", seq)
	}
	if err != nil {
		return nil, err
	}
	return &j, nil
}
