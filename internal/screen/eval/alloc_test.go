package eval

import (
	"testing"

	"github.com/mosaic-intel/mosaic/internal/screen"
)

// BenchmarkScreenUN screens mixed perturbed and generated names against
// the UN list, one query per iteration.
func BenchmarkScreenUN(b *testing.B) {
	entries := loadUN(b)
	ix := screen.NewIndex()
	ix.ReplaceList("un", entries)
	qs := SpeedQueries(entries, 4000, 12)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.Screen(qs[i%len(qs)])
	}
}

// BenchmarkScreenArabic screens the list's Arabic-script names against
// its Latin-script names (the cross-script set), one query per op.
func BenchmarkScreenArabic(b *testing.B) {
	entries := loadUN(b)
	ix := screen.NewIndex()
	ix.ReplaceList("un", WithoutScript(entries, "arabic"))
	qs := ArabicQueries(entries)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.Screen(qs[i%len(qs)].Query)
	}
}
