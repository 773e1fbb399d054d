package sqlstore

import (
	"context"
	"database/sql"
)

// Dialect holds everything that differs between SQL backends. The rest of
// the store is portable SQL written with '?' placeholders.
type Dialect interface {
	// Name is "sqlite" or "postgres".
	Name() string
	// Rebind rewrites '?' placeholders into the backend's form.
	Rebind(query string) string
	// Migrations returns the schema migrations in order. Version numbers
	// are shared across dialects: migration N means the same schema
	// change everywhere.
	Migrations() []Migration
	// IndexText adds an item's searchable text to the full-text index.
	IndexText(ctx context.Context, tx *sql.Tx, seq int64, title, body string) error
	// SearchText returns the Seqs of items matching query, best first.
	SearchText(ctx context.Context, db *sql.DB, query string, limit int) ([]TextHit, error)
	// Check runs the backend's integrity check.
	Check(ctx context.Context, db *sql.DB) error
	// IsBusy reports whether err is a transient lock or serialisation
	// failure after which the transaction should be retried.
	IsBusy(err error) bool
}

// Relaxer is implemented by a dialect whose writer can commit a
// transaction without waiting for the disk (store.Recomputable): Relax
// runs on the writer's connection before the transaction begins, Strict
// once it has ended, restoring durable commits.
type Relaxer interface {
	Relax() string
	Strict() string
}

// Migration is one schema change.
type Migration struct {
	Version int
	Name    string
	SQL     []string
}

// TextHit is one full-text match.
type TextHit struct {
	Seq     int64
	Score   float64
	Snippet string
}
