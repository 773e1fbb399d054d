// Package postgres is Mosaic's store on PostgreSQL, through pgx: the shared
// SQL implementation (sqlstore) with a PostgreSQL dialect. It serves many
// processes at once (workers and API nodes on several machines), which is
// what the scaled-out deployment needs; see docs/storage.md.
//
// # The item log
//
// Item sequence numbers are handed out in commit order: inserting an item
// takes a transaction-scoped row lock (in the column default
// mosaic_next_item_seq) before drawing the next value from a sequence, so
// transactions that add items serialise, a transaction's items get
// consecutive numbers, and a reader that sees seq n sees every item below
// n. A plain IDENTITY column would let a later number commit before an
// earlier one, and a stage reading "everything up to the highest seq"
// would skip the earlier item for good. Transactions that add no items
// (facts, assignments, progress) do not take the lock.
//
// # Search
//
// Full-text search uses a tsvector column with a GIN index, under a text
// search configuration copied from 'simple' that strips accents through
// the unaccent extension when it can be installed. Text is cut into runs
// of letters and digits in Go before indexing, the same words the query
// parser keeps, so both backends agree on what a word is. When no item
// contains every query word, a trigram index (pg_trgm) finds items whose
// words are close in spelling to each query word ("Petrosian" finds
// "Petrosyan").
//
// # Concurrency
//
// A store is safe for concurrent use by many goroutines and many
// processes. Transactions run at READ COMMITTED; serialisation failures,
// deadlocks and dropped connections are retried by sqlstore.Update (every
// write is idempotent, so replaying a transaction whose commit was lost
// changes nothing).
package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
)

// MaxConns is the size of a store's connection pool.
const MaxConns = 16

// migrationLock is the advisory lock key that serialises schema migration
// between processes opening the same database at once ("mosaic" in ASCII).
const migrationLock = 0x6d6f73616963

// Open connects to the PostgreSQL database at url (postgres://...),
// installs what it can of the optional extensions (unaccent, pg_trgm,
// amcheck), applies pending schema migrations and returns the store.
// Several processes may open the same database at once.
func Open(ctx context.Context, url string) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres url: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(MaxConns)
	db.SetMaxIdleConns(MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	fail := func(err error) (*sqlstore.Store, error) {
		db.Close()
		return nil, fmt.Errorf("open postgres store %s@%s/%s: %w", cfg.User, cfg.Host, cfg.Database, err)
	}
	// Hold the migration lock on a connection of its own while the
	// extensions are installed and the migrations run on others.
	conn, err := db.Conn(ctx)
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return fail(fmt.Errorf("take migration lock: %w", err))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	d, err := newDialect(ctx, db, true)
	if err != nil {
		return fail(err)
	}
	s, err := sqlstore.New(ctx, db, d, sqlstore.Options{})
	if err != nil {
		return fail(err)
	}
	return s, nil
}

// extensions are installed when the server has them and the user may
// create them; the store works without any of them.
var extensions = []string{"unaccent", "pg_trgm", "amcheck"}

// newDialect reads what the database has, first installing the optional
// extensions it can when install is set.
func newDialect(ctx context.Context, db *sql.DB, install bool) (Dialect, error) {
	var d Dialect
	have, err := installedExtensions(ctx, db)
	if err != nil {
		return d, err
	}
	for _, e := range extensions {
		if have[e] || !install {
			continue
		}
		// Each in its own statement: a failure (not available, not
		// permitted) leaves nothing behind.
		if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS `+pgx.Identifier{e}.Sanitize()); err == nil {
			have[e] = true
		}
	}
	d.unaccent, d.trgm, d.amcheck = have["unaccent"], have["pg_trgm"], have["amcheck"]
	// The schema, once created, decides: an index built under one text
	// configuration is only searchable under the same one.
	var fuzzy sql.NullString
	err = db.QueryRowContext(ctx, `SELECT to_regclass('search_words_trgm')::text`).Scan(&fuzzy)
	if err != nil {
		return d, err
	}
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT to_regclass('search') IS NOT NULL`).Scan(&exists); err != nil {
		return d, err
	}
	d.fuzzy = d.trgm && (!exists || fuzzy.Valid)
	if exists {
		if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_ts_config_map m JOIN pg_ts_config c ON c.oid = m.mapcfg
			JOIN pg_ts_dict dict ON dict.oid = m.mapdict WHERE c.cfgname = 'mosaic_search' AND dict.dictname = 'unaccent')`).Scan(&d.unaccent); err != nil {
			return d, err
		}
	}
	return d, nil
}

func installedExtensions(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT extname FROM pg_extension`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		have[n] = true
	}
	return have, rows.Err()
}

// Features reports which optional parts of the PostgreSQL store a database
// uses.
type Features struct {
	Unaccent bool // search folds accents ("jose" finds "José")
	Fuzzy    bool // trigram fallback for misspelt words
	Amcheck  bool // Check verifies B-tree indexes with amcheck
}

// DescribeDB reports the features of the store in db (an open store's
// DB()).
func DescribeDB(ctx context.Context, db *sql.DB) (Features, error) {
	d, err := newDialect(ctx, db, false)
	if err != nil {
		return Features{}, err
	}
	return Features{Unaccent: d.unaccent, Fuzzy: d.fuzzy, Amcheck: d.amcheck}, nil
}
