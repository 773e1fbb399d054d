package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mosaic-intel/mosaic/internal/format"
)

func inspectCmd() *Command {
	c := &Command{
		Name:  "inspect",
		Short: "read input files as ingest would, and list what they hold and what is rejected",
		Usage: "mosaic inspect [--json] [--max-line BYTES] PATH...",
		Long: `Inspect walks files, directories and archives exactly as 'mosaic ingest' reads
them (see docs/formats.md) without storing anything: one line per document or
tabular file, then each rejected file or row with its place and reason, then a
summary with the time taken. Exit code 1 when anything was rejected.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		asJSON := fs.Bool("json", false, "print one JSON object per item and rejection")
		maxLine := fs.Int64("max-line", 0, "largest CSV record or JSON line in bytes (default 1 MiB)")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			return UsageErrorf("inspect needs at least one PATH")
		}
		opts := format.DefaultOptions()
		if *maxLine > 0 {
			opts.MaxLineSize = *maxLine
		}
		var rejected []string
		var docs, tables, rows int
		var textBytes, rawBytes int64
		enc := json.NewEncoder(env.Stdout)
		start := time.Now()
		for _, p := range fs.Args() {
			err := format.Walk(ctx, p, opts, func(it format.Item) error {
				if it.Doc != nil {
					docs++
					textBytes += int64(len(it.Doc.Text))
					rawBytes += int64(len(it.Doc.Raw))
					if *asJSON {
						return enc.Encode(map[string]any{"path": it.Path, "format": it.Format, "id": it.Doc.ID, "title": it.Doc.Title,
							"published": it.Doc.Published, "text_bytes": len(it.Doc.Text), "meta": it.Doc.Meta})
					}
					_, err := fmt.Fprintf(env.Stdout, "%s\t%s\t%d bytes of text\t%q\n", it.Path, it.Format, len(it.Doc.Text), it.Doc.Title)
					return err
				}
				tables++
				n, bad := 0, 0
				for {
					_, err := it.Rows.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					var rj *format.Rejection
					if errors.As(err, &rj) {
						bad++
						rejected = append(rejected, rj.Error())
						continue
					}
					if err != nil {
						return err
					}
					n++
				}
				rows += n
				if *asJSON {
					return enc.Encode(map[string]any{"path": it.Path, "format": it.Format, "columns": it.Rows.Columns(),
						"charset": it.Rows.Charset(), "rows": n, "rejected_rows": bad})
				}
				_, err := fmt.Fprintf(env.Stdout, "%s\t%s\t%d rows\t%d rejected\n", it.Path, it.Format, n, bad)
				return err
			}, func(r format.Rejection) {
				rejected = append(rejected, r.Error())
			})
			if err != nil {
				return err
			}
		}
		elapsed := time.Since(start)
		if !*asJSON {
			fmt.Fprintf(env.Stderr, "%d documents (%d bytes, %d bytes of text), %d tables (%d rows), %d rejections in %v\n",
				docs, rawBytes, textBytes, tables, rows, len(rejected), elapsed.Round(time.Millisecond))
		}
		if len(rejected) > 0 {
			return &PartialError{Rejected: rejected}
		}
		return nil
	}
	return c
}
