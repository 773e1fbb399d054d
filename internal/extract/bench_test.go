package extract

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/extract/tokenize"
	"github.com/mosaic-intel/mosaic/internal/shareddata"
)

// newsText returns the five shared news articles, or sample when absent.
func newsText(tb testing.TB) []string {
	d, err := shareddata.Dir()
	if err != nil {
		return []string{sample}
	}
	files, _ := filepath.Glob(filepath.Join(d, "corpus/news/*.txt"))
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(b))
	}
	if len(out) == 0 {
		return []string{sample}
	}
	return out
}

// BenchmarkExtract measures tokenise + tag + rules + relations over the
// news articles and reports tokens per second. Run it on one core:
//
//	GOMAXPROCS=1 taskset -c 0 go test ./internal/extract -run - -bench Extract$
func BenchmarkExtract(b *testing.B) {
	x := newX(b)
	texts := newsText(b)
	toks, bytes := 0, 0
	for _, t := range texts {
		toks += len(tokenize.Tokenize(t))
		bytes += len(t)
	}
	b.SetBytes(int64(bytes))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		for _, t := range texts {
			x.Extract(t, docDate)
		}
	}
	cpu := cpuTime() - c0
	b.ReportMetric(float64(toks*b.N)/b.Elapsed().Seconds(), "tokens/s")
	// On a shared machine wall time includes waiting for a core; CPU time
	// of this process is the per-core cost.
	b.ReportMetric(float64(toks*b.N)/cpu.Seconds(), "tokens/cpu-s")
}

// BenchmarkLoad measures New (gazetteers, rules and the embedded model).
func BenchmarkLoad(b *testing.B) {
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-c0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime returns the user and system CPU time of this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// longInputs are the adversarial shapes: one 10 MB line of news text, and
// one 100,000-token sentence with no full stop.
func longInputs(scale int) map[string]string {
	para := strings.ReplaceAll(sample, "\n", " ")
	return map[string]string{
		"one-line":       strings.Repeat(para, scale*(10<<20)/len(para)/4+1),
		"token-sentence": strings.Repeat("Abedi met Clapper in Libya and ", scale*100000/6/4+1),
	}
}

// BenchmarkExtractLong runs the adversarial inputs at full size (10 MB,
// 100,000 tokens); ns/op divided by bytes stays flat with size.
func BenchmarkExtractLong(b *testing.B) {
	x := newX(b)
	for name, text := range longInputs(4) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for i := 0; i < b.N; i++ {
				x.Extract(text, docDate)
			}
		})
	}
}

// TestLinearTime checks that doubling the adversarial inputs about doubles
// the CPU time (ratio under 3.5, where quadratic would give 4). It measures
// process CPU time, not wall time, so that other work on a shared machine
// does not count; being a timing check, it runs only with MOSAIC_LONG=1.
func TestLinearTime(t *testing.T) {
	if os.Getenv("MOSAIC_LONG") == "" {
		t.Skip("set MOSAIC_LONG=1")
	}
	x := newX(t)
	small, big := longInputs(1), longInputs(2)
	for name := range small {
		best := func(s string) time.Duration {
			var m time.Duration
			for i := 0; i < 3; i++ {
				c0 := cpuTime()
				x.Extract(s, docDate)
				if d := cpuTime() - c0; m == 0 || d < m {
					m = d
				}
			}
			return m
		}
		a, b := best(small[name]), best(big[name])
		ratio := float64(b) / float64(a)
		t.Logf("%s: %d bytes %v, %d bytes %v, ratio %.2f", name, len(small[name]), a, len(big[name]), b, ratio)
		if ratio > 3.5 {
			t.Errorf("%s: time ratio %.2f for twice the input", name, ratio)
		}
	}
}
