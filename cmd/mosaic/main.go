// Command mosaic is the Mosaic intelligence-fusion platform: one binary for
// ingesting, extracting, resolving, linking, screening and serving.
package main

import (
	"os"

	"github.com/mosaic-intel/mosaic/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
