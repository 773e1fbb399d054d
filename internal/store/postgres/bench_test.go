package postgres_test

// Benchmarks of both SQL backends side by side (docs/benchmarks/postgres.md):
//
//	go run ./cmd/mosaic gen --out /tmp/world20k --people 20000
//	MOSAIC_BENCH_WORLD=/tmp/world20k go test -run '^$' -bench . -benchtime 100x ./internal/store/postgres/
//
// Without MOSAIC_BENCH_WORLD the records are synthetic (storetest.NewRecord).

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/mapping"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/postgres"
	"github.com/mosaic-intel/mosaic/internal/store/postgres/pgtest"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
	"github.com/mosaic-intel/mosaic/internal/store/storetest"
)

const benchBatch = 500

type backend struct {
	name string
	open func(b *testing.B) store.Store
}

func backends() []backend {
	return []backend{
		{"sqlite", func(b *testing.B) store.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "mosaic.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}},
		{"postgres", func(b *testing.B) store.Store {
			s, err := postgres.Open(context.Background(), pgtest.TestDatabase(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}},
	}
}

// row is one record row with the mapping that turns it into an item.
type row struct {
	m      *mapping.Mapping
	loc    string
	line   int
	fields map[string]string
}

// source yields distinct record items without end: the world's rows, then
// the same rows again with a copy number in a field (so new IDs).
type source struct {
	rows  []row
	names []string // person names, for search queries
	next  int
}

func newSource(b *testing.B) *source {
	b.Helper()
	dir := os.Getenv("MOSAIC_BENCH_WORLD")
	if dir == "" {
		return &source{}
	}
	src := &source{}
	set := mapping.Builtin()
	files, err := filepath.Glob(filepath.Join(dir, "records", "*.csv"))
	if err != nil || len(files) == 0 {
		b.Fatalf("MOSAIC_BENCH_WORLD=%s holds no records/*.csv (write one with mosaic gen)", dir)
	}
	sort.Strings(files)
	for _, f := range files {
		rel := "records/" + filepath.Base(f)
		m := set.For(rel)
		if m == nil {
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(fh)
		header, err := r.Read()
		if err != nil {
			b.Fatal(err)
		}
		for line := 2; ; line++ {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatalf("%s:%d: %v", f, line, err)
			}
			fields := map[string]string{}
			for i, h := range header {
				if i < len(rec) {
					fields[h] = rec[i]
				}
			}
			src.rows = append(src.rows, row{m, rel, line, fields})
			if n := fields["full_name"]; n != "" && rel == "records/person.csv" {
				src.names = append(src.names, n)
			}
		}
		fh.Close()
	}
	return src
}

// batch returns the next n items.
func (s *source) batch(b *testing.B, n int) []*store.Item {
	out := make([]*store.Item, 0, n)
	for range n {
		k := s.next
		s.next++
		if len(s.rows) == 0 {
			name := fmt.Sprintf("%s %s", given[k%len(given)], family[(k/len(given))%len(family)])
			out = append(out, storetest.NewRecord("bench", mosaic.KindPerson, map[string]string{"name": name, "n": fmt.Sprint(k)}, nil, name))
			continue
		}
		r := s.rows[k%len(s.rows)]
		fields := r.fields
		if c := k / len(s.rows); c > 0 {
			fields = map[string]string{"copy": fmt.Sprint(c)}
			for f, v := range r.fields {
				fields[f] = v
			}
		}
		it, err := r.m.Item(r.loc, r.line, fields, nil)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

var (
	given  = []string{"Ana", "Bo", "Cyrus", "Dalia", "Emre", "Farah", "Goran", "Hana", "Ivan", "Jamila", "Karim", "Lena", "Musa", "Nadia", "Omar", "Priya"}
	family = []string{"Lima", "Chen", "Dube", "Hassan", "Ivanova", "Khan", "Novak", "Okafor", "Petrosyan", "Quispe", "Rahman", "Silva", "Tanaka", "Usman", "Varga", "Wolff"}
)

// BenchmarkPutItems measures items per second through Update and PutItems
// in batches of 500 records (each iteration is one batch; the store grows
// as it goes).
func BenchmarkPutItems(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			src := newSource(b)
			ctx := context.Background()
			var busy time.Duration
			for i := 0; i < b.N; i++ {
				items := src.batch(b, benchBatch)
				start := time.Now()
				if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, items); return err }); err != nil {
					b.Fatal(err)
				}
				busy += time.Since(start)
			}
			b.ReportMetric(float64(b.N*benchBatch)/busy.Seconds(), "items/s")
		})
	}
}

// benchSearchItems is how many records BenchmarkSearch loads.
const benchSearchItems = 60_000

// BenchmarkSearch measures search latency over a store of 60,000 records:
// full names of people in the world ("exact"), and the same names with one
// letter dropped from the last word ("misspelt": PostgreSQL falls back to
// trigram matching, SQLite finds only items that still hold every word).
func BenchmarkSearch(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			src := newSource(b)
			ctx := context.Background()
			for loaded := 0; loaded < benchSearchItems; loaded += benchBatch {
				items := src.batch(b, benchBatch)
				if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, items); return err }); err != nil {
					b.Fatal(err)
				}
			}
			names := src.names
			if len(names) == 0 {
				for i := range 256 {
					names = append(names, given[i%len(given)]+" "+family[(i/len(given))%len(family)])
				}
			}
			step := max(1, len(names)/500)
			var queries []string
			for i := 0; i < len(names); i += step {
				queries = append(queries, names[i])
			}
			for _, kind := range []string{"exact", "misspelt"} {
				b.Run(kind, func(b *testing.B) {
					lat := make([]time.Duration, 0, b.N)
					found := 0
					for i := 0; i < b.N; i++ {
						q := queries[i%len(queries)]
						if kind == "misspelt" {
							q = misspell(q)
						}
						start := time.Now()
						hits, err := s.Search(ctx, all, q, 20)
						lat = append(lat, time.Since(start))
						if err != nil {
							b.Fatal(err)
						}
						if len(hits) > 0 {
							found++
						}
					}
					sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
					ms := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
					b.ReportMetric(ms(0.50), "p50-ms")
					b.ReportMetric(ms(0.99), "p99-ms")
					b.ReportMetric(float64(found)/float64(b.N), "answered")
				})
			}
		})
	}
}

// misspell drops the second letter of the last word of a name (Petrosyan
// becomes Ptrosyan) when the word is long enough to stay recognisable.
func misspell(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return name
	}
	w := []rune(f[len(f)-1])
	if len(w) >= 5 {
		f[len(f)-1] = string(append(w[:1:1], w[2:]...))
	}
	return strings.Join(f, " ")
}
