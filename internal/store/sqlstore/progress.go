package sqlstore

import (
	"context"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// DoneRanges implements store.Progress.
func (s *Store) DoneRanges(ctx context.Context, stage string) ([]store.Range, error) {
	rows, err := s.db.QueryContext(ctx, s.q.doneRanges, stage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rs []store.Range
	for rows.Next() {
		var r store.Range
		if err := rows.Scan(&r.Lo, &r.Hi); err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return store.MergeRanges(rs), nil
}

// Failures implements store.Progress.
func (s *Store) Failures(ctx context.Context, stage string, limit int) ([]store.Failure, error) {
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT f.stage, f.seq, COALESCE(i.id, ''), f.error, f.attempts, f.at FROM stage_failures f LEFT JOIN items i ON i.seq = f.seq`
	args := []any{}
	if stage != "" {
		q += ` WHERE f.stage = ?`
		args = append(args, stage)
	}
	q += ` ORDER BY f.stage, f.seq LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Failure
	for rows.Next() {
		var f store.Failure
		var id string
		var at int64
		if err := rows.Scan(&f.Stage, &f.Seq, &id, &f.Error, &f.Attempts, &at); err != nil {
			return nil, err
		}
		f.Item, f.When = mosaic.ID(id), fromMicros(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

// StageStatus implements store.Progress.
func (s *Store) StageStatus(ctx context.Context) ([]store.StageStatus, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT stage FROM stage_done ORDER BY stage`)
	if err != nil {
		return nil, err
	}
	var stages []string
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			rows.Close()
			return nil, err
		}
		stages = append(stages, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []store.StageStatus
	for _, st := range stages {
		rs, err := s.DoneRanges(ctx, st)
		if err != nil {
			return nil, err
		}
		ss := store.StageStatus{Stage: st}
		// Count stored items inside the done ranges (ranges may span seqs
		// that belong to no item).
		for _, r := range rs {
			var n int64
			if err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT COUNT(*) FROM items WHERE seq >= ? AND seq <= ?`), r.Lo, r.Hi).Scan(&n); err != nil {
				return nil, err
			}
			ss.Done += n
		}
		if err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT COUNT(*) FROM stage_failures WHERE stage = ?`), st).Scan(&ss.Failed); err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, nil
}

// Stats implements store.Counter.
func (s *Store) Stats(ctx context.Context) (*store.Stats, error) {
	st := &store.Stats{ByKind: map[string]int64{}}
	rows, err := s.db.QueryContext(ctx, `SELECT name, value FROM counters`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			return nil, err
		}
		switch {
		case name == "documents":
			st.Documents = v
		case name == "records":
			st.Records = v
		case name == "mentions":
			st.Mentions = v
		case name == "statements":
			st.Statements = v
		case name == "links":
			st.Links = v
		case strings.HasPrefix(name, "records:"):
			if v != 0 {
				st.ByKind[strings.TrimPrefix(name, "records:")] = v
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT entity) FROM resolution`).Scan(&st.Entities); err != nil {
		return nil, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sources`).Scan(&st.Sources); err != nil {
		return nil, err
	}
	return st, nil
}

// Sources implements store.Counter.
func (s *Store) Sources(ctx context.Context) ([]mosaic.Source, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, kind, marking, description FROM sources ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mosaic.Source
	for rows.Next() {
		var src mosaic.Source
		var m string
		if err := rows.Scan(&src.Name, &src.Kind, &m, &src.Description); err != nil {
			return nil, err
		}
		src.Marking = mosaic.ParseMarking(m)
		out = append(out, src)
	}
	return out, rows.Err()
}
