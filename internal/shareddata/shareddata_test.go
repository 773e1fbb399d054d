package shareddata

import (
	"os"
	"testing"
)

func TestPath(t *testing.T) {
	p := Path(t, "README.md")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
}

func TestDirEnvMissing(t *testing.T) {
	t.Setenv("MOSAIC_SHARED", "/nonexistent/shared")
	if _, err := Dir(); err == nil {
		t.Fatal("Dir with a missing MOSAIC_SHARED succeeded")
	}
}
