package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/mosaic-intel/mosaic/internal/format"
	"github.com/mosaic-intel/mosaic/internal/format/pdfsandbox"
)

func pdftextCmd() *Command {
	c := &Command{
		Name:  "pdftext",
		Short: "print the text Mosaic extracts from a PDF",
		Usage: "mosaic pdftext [--json] [--sandbox] FILE",
		Long: `Pdftext prints the text (or with --json the title, text and info) that
ingest takes from a PDF. With --sandbox the extraction runs in a child process
limited in memory and time, as ingest can run it (see docs/formats.md).
--serve is the child side of that sandbox: PDF on standard input, JSON reply
on standard output.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		asJSON := fs.Bool("json", false, "print title, text, published time and info as JSON")
		sandbox := fs.Bool("sandbox", false, "extract in a memory- and time-limited child process")
		serve := fs.Bool("serve", false, "sandbox child: read a PDF on stdin, write the JSON reply on stdout")
		maxMem := fs.Int64("max-memory", 0, "with --serve: address-space limit in bytes")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if *serve {
			return pdfsandbox.Serve(env.Stdin, env.Stdout, *maxMem, format.DefaultOptions())
		}
		if fs.NArg() != 1 {
			return UsageErrorf("pdftext needs one FILE")
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		raw, err := io.ReadAll(io.LimitReader(f, format.DefaultOptions().MaxFileSize+1))
		if err != nil {
			return err
		}
		var doc *format.Document
		if *sandbox {
			s, serr := pdfsandbox.Self("pdftext", "--serve")
			if serr != nil {
				return serr
			}
			doc, err = s.Extract(ctx, raw)
		} else {
			doc, err = format.ExtractPDF(raw, format.DefaultOptions())
		}
		if err != nil {
			return fmt.Errorf("%s: %w", fs.Arg(0), err)
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(map[string]any{"id": doc.ID, "title": doc.Title,
				"published": doc.Published, "meta": doc.Meta, "text": doc.Text})
		}
		_, err = io.WriteString(env.Stdout, doc.Text)
		return err
	}
	return c
}
