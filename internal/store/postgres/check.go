package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// storeTables are the tables whose indexes Check verifies.
var storeTables = []string{"items", "doc_content", "sources", "resolution", "stage_done", "stage_failures", "links", "link_ends", "mention_items", "alerts", "counters", "search", "schema_migrations", "item_seq_lock", "judgements"}

// sanity are queries that count violations of the store's own invariants;
// each must return 0.
var sanity = []struct{ what, query string }{
	{"items missing from the search index", `SELECT COUNT(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM search s WHERE s.seq = i.seq)`},
	{"documents without content", `SELECT COUNT(*) FROM items i WHERE i.kind = 'document' AND NOT EXISTS (SELECT 1 FROM doc_content c WHERE c.seq = i.seq)`},
	{"documents miscounted", `SELECT ABS(COALESCE((SELECT value FROM counters WHERE name = 'documents'), 0) - (SELECT COUNT(*) FROM items WHERE kind = 'document'))`},
	{"records miscounted", `SELECT ABS(COALESCE((SELECT value FROM counters WHERE name = 'records'), 0) - (SELECT COUNT(*) FROM items WHERE kind <> 'document'))`},
	{"item seqs beyond the sequence", `SELECT COUNT(*) FROM items WHERE seq > (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM items_seq_gen)`},
	{"malformed done ranges", `SELECT COUNT(*) FROM stage_done WHERE lo <= 0 OR hi < lo`},
}

// Check implements sqlstore.Dialect. It runs the store's sanity queries
// and, when the amcheck extension is installed and the user may run it,
// verifies every B-tree index of the store's tables against its table
// (bt_index_check with heapallindexed).
func (d Dialect) Check(ctx context.Context, db *sql.DB) error {
	var problems []string
	for _, s := range sanity {
		var n int64
		if err := db.QueryRowContext(ctx, s.query).Scan(&n); err != nil {
			return fmt.Errorf("postgres check (%s): %w", s.what, err)
		}
		if n != 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, s.what))
		}
	}
	if d.amcheck {
		p, err := checkIndexes(ctx, db)
		if err != nil {
			return err
		}
		problems = append(problems, p...)
	}
	if len(problems) > 0 {
		return fmt.Errorf("postgres integrity check: %s", strings.Join(problems, "; "))
	}
	return nil
}

func checkIndexes(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.oid::regclass::text FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_class t ON t.oid = i.indrelid
		JOIN pg_am a ON a.oid = c.relam
		WHERE a.amname = 'btree' AND t.relname = ANY($1) AND pg_table_is_visible(t.oid)
		ORDER BY 1`, storeTables)
	if err != nil {
		return nil, fmt.Errorf("postgres check: list indexes: %w", err)
	}
	var indexes []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		indexes = append(indexes, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var problems []string
	for _, ix := range indexes {
		_, err := db.ExecContext(ctx, `SELECT bt_index_check($1::regclass, true)`, ix)
		var pe *pgconn.PgError
		switch {
		case err == nil:
		case errors.As(err, &pe) && pe.Code == "42501": // insufficient privilege: amcheck is for superusers
			return problems, nil
		case errors.As(err, &pe) && (pe.Code == "XX002" || pe.Code == "XX001"): // index or data corrupted
			problems = append(problems, fmt.Sprintf("index %s: %s", ix, pe.Message))
		default:
			return nil, fmt.Errorf("postgres check: index %s: %w", ix, err)
		}
	}
	return problems, nil
}
