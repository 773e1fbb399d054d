package ner

import (
	"os"
	"testing"
)

func getenv(k string) string { return os.Getenv(k) }

func openFile(t testing.TB, p string) *os.File {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
