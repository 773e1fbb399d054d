package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// The write-ahead log is copied back into the database (a checkpoint) by
// a goroutine of its own, on a connection of its own, rather than by
// whichever commit happens to fill the log past SQLite's automatic
// threshold. A checkpoint of thousands of pages then no longer stalls a
// commit (and every commit queued behind the one writer, such as an
// urgent screening stage's), and it runs on the other core while the
// writer goes on: PASSIVE checkpoints never block the writer or readers.
//
// The writer keeps an automatic threshold, much higher than SQLite's
// default, as a safety valve: a PASSIVE checkpoint cannot restart the
// log while commits keep arriving, so under a long bulk load the log
// would otherwise grow without bound. When it passes writerCheckpointPages
// the writer checkpoints the little the checkpointer has not yet copied,
// and the log starts again from its beginning.
const (
	// checkpointInterval is how often the checkpointer copies what the
	// log holds.
	checkpointInterval = 100 * time.Millisecond
	// writerCheckpointPages is the writer's automatic checkpoint
	// threshold, in pages of the log.
	writerCheckpointPages = 16384
)

// checkpointer owns the goroutine that checkpoints a database.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// startCheckpointer opens a connection to the database at path and starts
// checkpointing it every interval until Close.
func startCheckpointer(path string, interval time.Duration) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn(path, "deferred", 0))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run(path, interval)
	return c, nil
}

func (c *checkpointer) run(path string, interval time.Duration) {
	defer close(c.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		_, err := c.checkpoint(context.Background())
		switch {
		case err != nil && !failing:
			// Logged once per run of failures: the writer's own
			// threshold still bounds the log meanwhile.
			slog.Warn("background checkpoint failed", "db", path, "err", err)
			failing = true
		case err == nil:
			failing = false
		}
	}
}

// checkpoint runs one PASSIVE checkpoint and returns the pages of the log
// it found (SQLite's "log" column).
func (c *checkpointer) checkpoint(ctx context.Context) (logPages int, err error) {
	var busy, copied int
	err = c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &copied)
	return logPages, err
}

// Close stops the goroutine and closes its connection. SQLite copies the
// rest of the log when the store's last connection closes.
func (c *checkpointer) Close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	return c.db.Close()
}
