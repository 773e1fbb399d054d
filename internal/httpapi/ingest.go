package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/mapping"
)

// IngestConfig configures the ingest route.
type IngestConfig struct {
	// Ingester returns the ingester for one upload, with its options
	// (mapping, marking) filled in by the route; it writes to the store
	// and hands what it stores to the pipeline.
	Ingester func(opts ingest.Options) *ingest.Ingester
	// Mappings are the mappings an upload can name with ?mapping= (default
	// the built-in ones).
	Mappings *mapping.Set
	// MaxBytes bounds one upload (default DefaultMaxUpload).
	MaxBytes int64
	// SpoolDir holds uploads larger than MemoryBytes while they are read
	// (default os.TempDir()).
	SpoolDir string
	// MemoryBytes is the largest upload read from memory instead of a
	// spool file (default DefaultMemoryUpload; negative: every upload is
	// spooled). A live feed's small uploads so touch no file of their
	// own: creating and removing one waits on the file system's journal,
	// which the store's commits keep busy.
	MemoryBytes int64
	// Hold, when set, marks an upload's storing as urgent work while it
	// runs (pipeline.Pipeline.Hold): a live feed goes before the stages
	// that can wait (resolution, links, rules), as screening does.
	Hold func() (release func())
}

// DefaultMaxUpload is IngestConfig.MaxBytes' default.
const DefaultMaxUpload = 256 << 20

// DefaultMemoryUpload is IngestConfig.MemoryBytes' default.
const DefaultMemoryUpload = 4 << 20

// HandleIngest registers
//
//	POST /api/v1/ingest?name=FILE[&mapping=NAME][&marking=A,B]
//
// The body is one input, read as `mosaic ingest` reads a file of that
// name (a CSV or JSON Lines file of records, a document, an archive). It
// is stored, and handed to the pipeline, before the response is sent:
// a 200 means every item it counts as added is on disk. Rows and files
// that cannot be read are listed in "rejected" (where and why) while the
// rest is stored, as with the command.
func (s *Server) HandleIngest(cfg IngestConfig) {
	if cfg.Mappings == nil {
		cfg.Mappings = mapping.Builtin()
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxUpload
	}
	if cfg.MemoryBytes == 0 {
		cfg.MemoryBytes = DefaultMemoryUpload
	}
	s.Handle("POST /api/v1/ingest", func(w http.ResponseWriter, r *http.Request) error {
		return s.ingest(w, r, cfg)
	})
	s.Describe("POST /api/v1/ingest", Op{
		Summary: "Store one input (records as CSV or JSON Lines, a document, an archive) and hand it to the pipeline; 200 once it is on disk",
		Params: []Param{
			{Name: "name", In: "query", Required: true, Description: "the input's file name (e.g. records/travel.csv): chooses the mapping and the format, and names the input in locators and rejections"},
			{Name: "mapping", In: "query", Description: "a mapping's name (e.g. travel) to apply whatever the name"},
			{Name: "marking", In: "query", Description: "compartment labels added to every item (comma-separated); the caller must hold them"},
		},
		Body: "the input's bytes; the response is the ingest summary (files, records, documents, added, duplicates, rejected, last_seq)",
	})
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request, cfg IngestConfig) error {
	q := r.URL.Query()
	name := path.Clean("/" + strings.ReplaceAll(q.Get("name"), `\`, "/"))[1:]
	if name == "" {
		return mosaic.Errorf(mosaic.KindInvalid, "ingest", "name is required: the input's file name, e.g. ?name=records/travel.csv")
	}
	opts := ingest.Options{Mappings: cfg.Mappings, Marking: mosaic.ParseMarking(q.Get("marking"))}
	if !access.Can(Principal(r), opts.Marking) {
		return mosaic.Errorf(mosaic.KindRefused, "ingest", "marking %s: the caller does not hold every label of it", opts.Marking)
	}
	if mn := q.Get("mapping"); mn != "" {
		m := cfg.Mappings.Named(mn)
		if m == nil {
			return mosaic.Errorf(mosaic.KindInvalid, "ingest", "no mapping named %q (known: %s)", mn, strings.Join(cfg.Mappings.Names(), ", "))
		}
		any := *m
		any.Match = nil // applies to the upload whatever its name
		opts.Mapping = &any
	}
	body, size, done, err := spool(r.Body, cfg.SpoolDir, cfg.MemoryBytes, cfg.MaxBytes)
	if err != nil {
		return err
	}
	defer done()
	if cfg.Hold != nil {
		defer cfg.Hold()()
	}
	sum, err := cfg.Ingester(opts).IngestInputs(r.Context(), []ingest.Input{{Name: name, R: body, Size: size}})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("ingest %s: %w", name, err)
	}
	if sum.Rejected == nil {
		sum.Rejected = []string{}
	}
	return writeJSON(w, http.StatusOK, sum)
}

// spool reads body, refusing more than max bytes: into memory when it
// holds at most mem bytes, else into a new file in dir. done releases it.
func spool(body io.Reader, dir string, mem, max int64) (r io.ReaderAt, size int64, done func(), err error) {
	var head []byte
	if mem > 0 {
		head, err = io.ReadAll(io.LimitReader(body, min(mem, max)+1))
		if err != nil {
			return nil, 0, nil, mosaic.Errorf(mosaic.KindInvalid, "ingest", "reading the upload: %v", err)
		}
		if int64(len(head)) <= min(mem, max) {
			return bytes.NewReader(head), int64(len(head)), func() {}, nil
		}
	}
	f, err := os.CreateTemp(dir, "mosaic-upload-*")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("spool the upload: %w", err)
	}
	done = func() {
		f.Close()
		os.Remove(f.Name())
	}
	n, err := io.Copy(f, io.LimitReader(io.MultiReader(bytes.NewReader(head), body), max+1))
	if err == nil && n > max {
		err = mosaic.Errorf(mosaic.KindInvalid, "ingest", "the upload is larger than %d bytes; split it, or ingest the file with mosaic ingest", max)
	} else if err != nil {
		err = mosaic.Errorf(mosaic.KindInvalid, "ingest", "reading the upload: %v", err)
	}
	if err != nil {
		done()
		return nil, 0, nil, err
	}
	return f, n, done, nil
}
