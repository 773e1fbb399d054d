package store

import "context"

type writerKey struct{}

// WithWriter names the writer of the transactions run with ctx (a
// pipeline stage, "ingest", ...), so that a backend can say who holds
// its writer and for how long (sqlstore's mosaic_store_write_* metrics).
func WithWriter(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, writerKey{}, name)
}

// WriterOf returns the name WithWriter gave ctx, or "other".
func WriterOf(ctx context.Context) string {
	if s, ok := ctx.Value(writerKey{}).(string); ok && s != "" {
		return s
	}
	return "other"
}

type recomputableKey struct{}

// Recomputable marks the transactions run with ctx as ones a power
// failure may take back, though a crash of the process may not: they
// hold only what is derived from what the store already holds durably,
// and mark the work done in the same transaction, so that work lost with
// them is found undone and done again at the next start (a pipeline
// stage's commit). A store may commit them without waiting for the disk;
// any later durable commit makes them durable too.
func Recomputable(ctx context.Context) context.Context {
	return context.WithValue(ctx, recomputableKey{}, true)
}

// IsRecomputable reports whether Recomputable marked ctx.
func IsRecomputable(ctx context.Context) bool {
	v, _ := ctx.Value(recomputableKey{}).(bool)
	return v
}
