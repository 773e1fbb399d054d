// Package shareddata locates the read-only ../shared directory that sits
// beside a Mosaic checkout (corpora, NER and entity-resolution datasets,
// watchlists, gazetteers). Nothing in it is copied into the repository.
//
// The directory is found from $MOSAIC_SHARED, else by walking up from the
// working directory to the module root (the directory holding go.mod) and
// looking for a "shared" directory beside it.
package shareddata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared directory, or an error saying where it looked.
func Dir() (string, error) {
	if d := os.Getenv("MOSAIC_SHARED"); d != "" {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d, nil
		}
		return "", errors.New("MOSAIC_SHARED=" + d + " is not a directory")
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if fi, err := os.Stat(s); err == nil && fi.IsDir() {
				return s, nil
			}
			return "", errors.New("no shared directory at " + s + " (set MOSAIC_SHARED)")
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod above " + wd + " and MOSAIC_SHARED unset")
		}
	}
}

// Path returns the path of rel inside the shared directory, or skips tb with
// a clear message when the directory or the file is absent.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	d, err := Dir()
	if err != nil {
		tb.Skipf("skipping: shared data not available: %v", err)
	}
	p := filepath.Join(d, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("skipping: shared data file missing: %v", err)
	}
	return p
}
