// Command mosaic is the Mosaic intelligence-fusion platform: one binary for
// ingesting, extracting, resolving, linking, screening and serving.
package main

import (
	"os"

	"github.com/mosaic-intel/mosaic/internal/cli"
	"github.com/mosaic-intel/mosaic/internal/gcpolicy"
)

func main() {
	// The collector's policy (GOGC 300, a soft memory limit of half the
	// machine's memory) unless GOGC or GOMEMLIMIT says otherwise.
	gcpolicy.Apply()
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
