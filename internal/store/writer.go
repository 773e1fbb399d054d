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
