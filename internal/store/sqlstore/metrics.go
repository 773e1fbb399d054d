package sqlstore

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// writeMetrics say who holds the store's writer and for how long, by the
// writer named with store.WithWriter: the time a transaction waited for
// the writer, held it, and spent committing (for SQLite: writing and
// syncing the log).
type writeMetrics struct {
	wait, hold, commit *prometheus.HistogramVec
	checkpoints        *prometheus.CounterVec
}

func newWriteMetrics() *writeMetrics {
	buckets := prometheus.ExponentialBuckets(0.00025, 2, 15) // 0.25 ms .. 4 s
	h := func(name, help string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, []string{"writer"})
	}
	return &writeMetrics{
		wait:        h("mosaic_store_write_wait_seconds", "Time a write transaction waited for the store's writer, by writer (pipeline stage, ingest, ...)."),
		hold:        h("mosaic_store_write_seconds", "Time a write transaction held the store's writer, from its start to the end of its commit, by writer."),
		commit:      h("mosaic_store_commit_seconds", "Time a write transaction spent in its commit (writing and syncing the log), by writer."),
		checkpoints: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mosaic_store_checkpoints_total", Help: "Checkpoints of the write-ahead log run behind the commits (SQLite), by result."}, []string{"result"}),
	}
}

// Collectors returns the store's metrics, for the caller to register.
func (s *Store) Collectors() []prometheus.Collector {
	m := s.m
	return []prometheus.Collector{m.wait, m.hold, m.commit, m.checkpoints}
}

func (m *writeMetrics) observe(writer string, begin, started, committing, done time.Time) {
	m.wait.WithLabelValues(writer).Observe(started.Sub(begin).Seconds())
	m.hold.WithLabelValues(writer).Observe(done.Sub(started).Seconds())
	m.commit.WithLabelValues(writer).Observe(done.Sub(committing).Seconds())
}
