// Package pgtest gives tests a fresh PostgreSQL database of their own.
//
// The server is found at $MOSAIC_POSTGRES_URL, else at
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. When no
// server answers at the default address the test is skipped; when
// $MOSAIC_POSTGRES_URL names a server that does not answer, the test fails
// (CI sets the variable after starting the server, so a dead server there
// is an error, not a reason to skip).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the server tests use when $MOSAIC_POSTGRES_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Prefix starts the name of every database TestDatabase creates.
const Prefix = "mosaic_test_"

// staleAfter is the age after which a leftover test database (from a test
// process that was killed before its cleanup ran) is dropped.
const staleAfter = 6 * time.Hour

// AdminURL returns the URL of the server's maintenance database and
// whether it was set explicitly through $MOSAIC_POSTGRES_URL.
func AdminURL() (string, bool) {
	if u := os.Getenv("MOSAIC_POSTGRES_URL"); u != "" {
		return u, true
	}
	return DefaultURL, false
}

// TestDatabase creates an empty database for tb, drops it in tb.Cleanup
// (after the cleanups registered later, such as closing stores), and
// returns its URL.
func TestDatabase(tb testing.TB) string {
	tb.Helper()
	admin, explicit := AdminURL()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, admin)
	if err != nil {
		if explicit {
			tb.Fatalf("PostgreSQL at $MOSAIC_POSTGRES_URL (%s) does not answer: %v", redact(admin), err)
		}
		tb.Skipf("skipping: no PostgreSQL server at %s (start one with scripts/start-services.sh or set MOSAIC_POSTGRES_URL): %v", redact(admin), err)
	}
	defer conn.Close(context.Background())
	dropStale(ctx, conn)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	name := fmt.Sprintf("%s%d_%s", Prefix, time.Now().Unix(), hex.EncodeToString(b[:]))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := connect(ctx, admin)
		if err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := WithDatabase(admin, name)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// WithDatabase returns url with its database name replaced by name.
func WithDatabase(rawURL, name string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("PostgreSQL URL %q: want postgres://user@host:port/db", redact(rawURL))
	}
	u.Path = "/" + name
	return u.String(), nil
}

func connect(ctx context.Context, u string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return nil, err
	}
	cfg.ConnectTimeout = 3 * time.Second
	return pgx.ConnectConfig(ctx, cfg)
}

// dropStale drops test databases older than staleAfter, left behind by
// test processes that were killed. Errors are ignored: another process may
// be dropping the same database.
func dropStale(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'mosaic\_test\_%'`)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		ts, _, ok := strings.Cut(strings.TrimPrefix(n, Prefix), "_")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if !ok || err != nil || time.Since(time.Unix(sec, 0)) < staleAfter {
			continue
		}
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
	}
}

// redact hides a password in a URL for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
