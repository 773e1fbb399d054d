package format

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Benchmarks through Walk, from files on disk to drained rows or built
// documents. Results and commands: docs/benchmarks/formats.md.

const benchRows = 200_000

func benchCSV(b *testing.B) []byte {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("record_id,name,birth_date,document_number,carrier,flight,from,to,date\n")
	names := []string{"Mohammed Al-Farsi", "Anna Kowalska", "\"O'Neill, Sean\"", "Li Wei", "Fatima Zahra Benali", "João Silva"}
	for i := range benchRows {
		fmt.Fprintf(&sb, "T%07d,%s,19%02d-%02d-%02d,P%08d,BA,BA%04d,LHR,IST,2024-%02d-%02d\n",
			i, names[i%len(names)], 50+i%50, 1+i%12, 1+i%28, i*7919%100000000, i%9999, 1+i%12, 1+i%28)
	}
	return []byte(sb.String())
}

func benchJSONL(b *testing.B) []byte {
	b.Helper()
	var sb strings.Builder
	for i := range benchRows {
		fmt.Fprintf(&sb, `{"record_id":"C%07d","from":"+44 7700 %06d","to":"+44 7700 %06d","channel":"call","time":"2024-03-%02dT10:%02d:00Z","duration":%d}`+"\n",
			i, i%1000000, (i*31)%1000000, 1+i%28, i%60, i%3600)
	}
	return []byte(sb.String())
}

// walkBench walks path b.N times, draining rows, and reports rows/s.
func walkBench(b *testing.B, path string, size int64) {
	b.Helper()
	b.SetBytes(size)
	b.ReportAllocs()
	rows := 0
	b.ResetTimer()
	for b.Loop() {
		err := Walk(context.Background(), path, Options{}, func(it Item) error {
			if it.Rows != nil {
				for {
					_, err := it.Rows.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						return err
					}
					rows++
				}
			}
			return nil
		}, func(r Rejection) { b.Fatalf("rejected: %v", r.Error()) })
		if err != nil {
			b.Fatal(err)
		}
	}
	if rows > 0 {
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	}
}

func BenchmarkWalkCSV(b *testing.B) {
	data := benchCSV(b)
	p := writeFile(b, b.TempDir(), "travel.csv", data)
	walkBench(b, p, int64(len(data)))
}

func BenchmarkWalkJSONL(b *testing.B) {
	data := benchJSONL(b)
	p := writeFile(b, b.TempDir(), "comms.jsonl", data)
	walkBench(b, p, int64(len(data)))
}

func BenchmarkWalkZippedCSV(b *testing.B) {
	data := benchCSV(b)
	p := writeFile(b, b.TempDir(), "batch.zip", makeZip(b, zipEntry{name: "travel.csv", data: data}))
	walkBench(b, p, int64(len(data)))
}

// benchDocs writes n documents of about 20 KB each and returns the
// directory and the total bytes.
func benchDocs(b *testing.B, ext string, n int) (string, int64) {
	b.Helper()
	para := "On 3 March 2024 Mohammed Al-Farsi met Anna Kowalska at a café in Leeds; they travelled to Istanbul on flight BA678 and were later seen with a third man, believed to be Sean O'Neill, near the harbour. "
	dir := b.TempDir()
	var total int64
	for i := range n {
		var sb strings.Builder
		switch ext {
		case ".html":
			sb.WriteString("<html><head><title>Report</title><style>p{}</style><script>var x=1;</script></head><body><h1>Report</h1>")
			for range 100 {
				sb.WriteString("<p>" + strings.ReplaceAll(para, "café", "caf&eacute;") + "<b>bold</b></p>\n")
			}
			sb.WriteString("</body></html>")
		case ".md":
			sb.WriteString("# Report\n\n")
			for range 100 {
				sb.WriteString("- **Note**: " + para + "[link](http://example.com)\n")
			}
		default:
			sb.WriteString("REPORT\nDate: 3 March 2024\n\n")
			for range 100 {
				sb.WriteString(para + "\n")
			}
		}
		data := []byte(sb.String())
		total += int64(len(data))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("doc%04d%s", i, ext)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir, total
}

func BenchmarkWalkText(b *testing.B) {
	dir, size := benchDocs(b, ".txt", 200)
	walkBench(b, dir, size)
}

func BenchmarkWalkMarkdown(b *testing.B) {
	dir, size := benchDocs(b, ".md", 200)
	walkBench(b, dir, size)
}

func BenchmarkWalkHTML(b *testing.B) {
	dir, size := benchDocs(b, ".html", 200)
	walkBench(b, dir, size)
}

func BenchmarkPDF(b *testing.B) {
	pages := make([]string, 50)
	for i := range pages {
		pages[i] = fmt.Sprintf("Page %d: Mohammed Al-Farsi met Anna Kowalska in Leeds", i)
	}
	data := simplePDF(pages...)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := pdfDocument(data, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
