package ingestbench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// writeDocuments writes about total bytes of plain-text documents of about
// size bytes each into dir, composed from the world's narrative reports:
// each document is a numbered collection of reports drawn in a seeded
// order, so every document is distinct (documents are content-addressed)
// and reads like the generator's English. It returns the bytes written.
func writeDocuments(world, dir string, total int64, size int) (int64, error) {
	paths, err := filepath.Glob(filepath.Join(world, "reports", "*.txt"))
	if err != nil || len(paths) == 0 {
		return 0, fmt.Errorf("no reports in %s to compose documents from", world)
	}
	var reports []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return 0, err
		}
		reports = append(reports, strings.TrimSpace(string(b)))
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	var written int64
	var b strings.Builder
	for i := 0; written < total; i++ {
		b.Reset()
		fmt.Fprintf(&b, "Collected reports, file %d\n\n", i+1)
		for b.Len() < size {
			b.WriteString(reports[r.IntN(len(reports))])
			b.WriteString("\n\n")
		}
		name := filepath.Join(dir, fmt.Sprintf("%02d", i%100), fmt.Sprintf("doc-%06d.txt", i))
		if err := os.MkdirAll(filepath.Dir(name), 0o750); err != nil {
			return 0, err
		}
		if err := os.WriteFile(name, []byte(b.String()), 0o640); err != nil {
			return 0, err
		}
		written += int64(b.Len())
	}
	return written, nil
}
