package worker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// AppPrefix starts the PostgreSQL application_name of every worker's
// connections. The fence (see Install) checks only connections named so:
// it guards against a stale worker, not against other tools.
const AppPrefix = "mosaic-worker-"

// ErrLeaseLost ends a term whose lease another worker has taken, or that
// could not be renewed before it expired.
var ErrLeaseLost = errors.New("lease lost")

// schema is the lease table and the fence. A lease is a row named for a
// stage; its holder is the application_name of the worker's connections.
// The fence runs before every insert or update of stage_done (the row a
// stage's batch transaction writes last, in the same transaction as its
// results): for a stage that has a lease, a worker connection that does
// not hold it cannot mark work done, so its whole transaction rolls back.
// FOR SHARE makes a takeover (an UPDATE of the row) wait for batches in
// flight to commit or roll back, and every later batch of the old holder
// sees the new holder: no write of a deposed worker lands after a
// takeover. The same goes for the judgement log's state changes, which
// the resolve stage's holder makes.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS mosaic_leases(
		name TEXT PRIMARY KEY,
		holder TEXT NOT NULL,
		epoch BIGINT NOT NULL,
		expires TIMESTAMPTZ NOT NULL)`,
	`CREATE OR REPLACE FUNCTION mosaic_lease_fence() RETURNS trigger LANGUAGE plpgsql AS $$
	DECLARE h TEXT;
	BEGIN
		IF current_setting('application_name') LIKE '` + AppPrefix + `%' THEN
			SELECT holder INTO h FROM mosaic_leases WHERE name = NEW.stage FOR SHARE;
			IF FOUND AND h <> current_setting('application_name') THEN
				RAISE EXCEPTION 'mosaic: the % lease is held by %, not by %', NEW.stage, h, current_setting('application_name')
					USING ERRCODE = 'P0001';
			END IF;
		END IF;
		RETURN NEW;
	END $$`,
	`CREATE OR REPLACE TRIGGER mosaic_lease_fence BEFORE INSERT OR UPDATE ON stage_done
		FOR EACH ROW EXECUTE FUNCTION mosaic_lease_fence()`,
	// Applying an analyst's judgement (its moves and its new state, in one
	// transaction) is the resolve stage's too.
	`CREATE OR REPLACE FUNCTION mosaic_lease_fence_resolve() RETURNS trigger LANGUAGE plpgsql AS $$
	DECLARE h TEXT;
	BEGIN
		IF current_setting('application_name') LIKE '` + AppPrefix + `%' THEN
			SELECT holder INTO h FROM mosaic_leases WHERE name = 'resolve' FOR SHARE;
			IF FOUND AND h <> current_setting('application_name') THEN
				RAISE EXCEPTION 'mosaic: the resolve lease is held by %, not by %', h, current_setting('application_name')
					USING ERRCODE = 'P0001';
			END IF;
		END IF;
		RETURN NEW;
	END $$`,
	`DO $$ BEGIN
		IF to_regclass('judgements') IS NOT NULL THEN
			CREATE OR REPLACE TRIGGER mosaic_lease_fence BEFORE UPDATE ON judgements
				FOR EACH ROW EXECUTE FUNCTION mosaic_lease_fence_resolve();
		END IF;
	END $$`,
}

// installLock is the advisory lock key that serialises Install between
// workers starting at once ("mosaic-l" in ASCII).
const installLock = 0x6d6f73616963_6c

// Install creates the lease table and the fence on stage_done (the store
// must have been opened, so that stage_done exists). It is idempotent and
// safe to run from many workers at once.
func Install(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("install leases: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(installLock)); err != nil {
		return fmt.Errorf("install leases: %w", err)
	}
	for _, q := range schema {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("install leases: %w", err)
		}
	}
	return tx.Commit()
}

// Lease is one worker's claim on a named lease (a stage that must run in
// one place at a time). Time is the database's (now()), so the workers'
// clocks need not agree.
type Lease struct {
	db     *sql.DB
	name   string
	holder string
	ttl    time.Duration
	log    *slog.Logger
	epoch  int64
}

// NewLease returns the lease name as holder would hold it. holder must be
// the application_name of the connections that write the stage's results
// (it starts with AppPrefix); ttl is how long a holder that stops renewing
// keeps it.
func NewLease(db *sql.DB, name, holder string, ttl time.Duration, log *slog.Logger) *Lease {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Lease{db: db, name: name, holder: holder, ttl: ttl, log: log}
}

// Name returns the lease's name.
func (l *Lease) Name() string { return l.name }

// Epoch returns the epoch of the last successful acquisition (it grows by
// one with every change of hands).
func (l *Lease) Epoch() int64 { return l.epoch }

func (l *Lease) interval() string {
	return fmt.Sprintf("%d milliseconds", l.ttl.Milliseconds())
}

// TryAcquire takes the lease if it is free, expired or already this
// holder's, and reports whether it did.
func (l *Lease) TryAcquire(ctx context.Context) (bool, error) {
	var epoch int64
	err := l.db.QueryRowContext(ctx, `INSERT INTO mosaic_leases(name, holder, epoch, expires)
		VALUES($1, $2, 1, now() + $3::interval)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, epoch = mosaic_leases.epoch + 1, expires = excluded.expires
		WHERE mosaic_leases.expires < now() OR mosaic_leases.holder = excluded.holder
		RETURNING epoch`, l.name, l.holder, l.interval()).Scan(&epoch)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("acquire %s lease: %w", l.name, err)
	}
	l.epoch = epoch
	return true, nil
}

// Renew extends the lease and reports false if this holder no longer has
// it.
func (l *Lease) Renew(ctx context.Context) (bool, error) {
	res, err := l.db.ExecContext(ctx, `UPDATE mosaic_leases SET expires = now() + $4::interval
		WHERE name = $1 AND holder = $2 AND epoch = $3`, l.name, l.holder, l.epoch, l.interval())
	if err != nil {
		return false, fmt.Errorf("renew %s lease: %w", l.name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Release lets another worker take the lease at once (after a clean stop).
func (l *Lease) Release(ctx context.Context) error {
	_, err := l.db.ExecContext(ctx, `UPDATE mosaic_leases SET expires = now() - interval '1 second'
		WHERE name = $1 AND holder = $2 AND epoch = $3`, l.name, l.holder, l.epoch)
	if err != nil {
		return fmt.Errorf("release %s lease: %w", l.name, err)
	}
	return nil
}

// Holder returns who holds the lease now and whether it has expired ("" if
// nobody ever took it).
func Holder(ctx context.Context, db *sql.DB, name string) (holder string, expired bool, err error) {
	err = db.QueryRowContext(ctx, `SELECT holder, expires < now() FROM mosaic_leases WHERE name = $1`, name).Scan(&holder, &expired)
	if errors.Is(err, sql.ErrNoRows) {
		return "", true, nil
	}
	return holder, expired, err
}

// Hold waits until it holds the lease, then runs term with a context that
// ends when the lease is lost (another worker took it, or it could not be
// renewed for longer than the lease lasts), and releases the lease when
// term returns. It returns term's error, or ErrLeaseLost.
func (l *Lease) Hold(ctx context.Context, term func(ctx context.Context) error) error {
	retry := max(l.ttl/4, 50*time.Millisecond)
	for {
		ok, err := l.TryAcquire(ctx)
		if err != nil && ctx.Err() == nil {
			l.log.Warn("could not try the lease", "lease", l.name, "err", err)
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(retry):
		}
	}
	l.log.Info("lease acquired", "lease", l.name, "holder", l.holder, "epoch", l.epoch)
	tctx, cancel := context.WithCancelCause(ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		l.keep(tctx, cancel)
	}()
	err := term(tctx)
	lost := context.Cause(tctx)
	cancel(nil)
	<-renewed
	if errors.Is(lost, ErrLeaseLost) {
		l.log.Warn("lease lost", "lease", l.name, "holder", l.holder, "epoch", l.epoch)
		if err == nil || errors.Is(err, context.Canceled) {
			err = ErrLeaseLost
		}
		return err
	}
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	if rerr := l.Release(rctx); rerr != nil {
		l.log.Warn("could not release the lease; it expires by itself", "lease", l.name, "err", rerr)
	}
	return err
}

// keep renews the lease every third of its time to live until ctx ends,
// and cancels the term when the lease is gone or its local deadline (the
// last renewal plus the time to live, less a margin for clock rate) has
// passed without a renewal.
func (l *Lease) keep(ctx context.Context, cancel context.CancelCauseFunc) {
	last := time.Now()
	every := max(l.ttl/3, 20*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, rcancel := context.WithTimeout(ctx, every)
		ok, err := l.Renew(rctx)
		rcancel()
		switch {
		case err == nil && ok:
			last = time.Now()
		case err == nil:
			cancel(ErrLeaseLost)
			return
		case ctx.Err() != nil:
			return
		default:
			l.log.Warn("lease renewal failed; retrying", "lease", l.name, "err", err)
			if time.Since(last) > l.ttl*9/10 {
				cancel(ErrLeaseLost)
				return
			}
		}
	}
}

// HolderName returns a worker's application_name from its id, cut to the
// 63 bytes PostgreSQL keeps.
func HolderName(id string) string {
	n := AppPrefix + strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e {
			return '-'
		}
		return r
	}, id)
	if len(n) > 63 {
		n = n[:63]
	}
	return n
}

// AppURL returns a PostgreSQL URL whose connections are named app
// (pg_stat_activity shows it; the fence checks it).
func AppURL(pgURL, app string) (string, error) {
	u, err := url.Parse(pgURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", errors.New("PostgreSQL URL: want postgres://user@host:port/db")
	}
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
