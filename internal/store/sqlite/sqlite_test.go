package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/storetest"
)

func open(tb testing.TB) (store.Store, func() store.Store) {
	path := filepath.Join(tb.TempDir(), "mosaic.db")
	o := func() store.Store {
		s, err := Open(context.Background(), path)
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	return o(), o
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestMigrationsIdempotent(t *testing.T) {
	s, reopen := open(t)
	v, err := s.(interface {
		SchemaVersion(context.Context) (int, error)
	}).SchemaVersion(context.Background())
	if err != nil || v != len(Dialect{}.Migrations()) {
		t.Fatalf("schema version %d, %v", v, err)
	}
	s.Close()
	s = reopen() // applying migrations again must be a no-op
	s.Close()
}
