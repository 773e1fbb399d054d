package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrate applies the dialect's pending migrations, each in its own
// transaction, recording them in schema_migrations.
func migrate(ctx context.Context, db *sql.DB, d Dialect) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)`); err != nil {
		return err
	}
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return err
	}
	ms := d.Migrations()
	if n := len(ms); n > 0 && have > ms[n-1].Version {
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d): upgrade mosaic", have, ms[n-1].Version)
	}
	for _, m := range ms {
		if m.Version <= have {
			continue
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, q := range m.SQL {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %d (%s): %w\n%s", m.Version, m.Name, err, q)
			}
		}
		if _, err := tx.ExecContext(ctx, d.Rebind(`INSERT INTO schema_migrations(version, name, applied) VALUES(?,?,?)`), m.Version, m.Name, time.Now().UnixMicro()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
