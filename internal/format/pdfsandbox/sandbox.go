// Package pdfsandbox runs PDF text extraction in a child process limited
// in memory, time and output, so that no PDF can exhaust the memory of,
// or hang, the process that ingests it.
//
// The in-process extractor (format.ExtractPDF) already recovers from
// panics and bounds reference cycles, page walks and decompression; what
// it cannot bound is the memory the PDF library's interpreter takes for a
// content stream that pushes millions of operands, or CPU time in general.
// A child process can be killed; a goroutine cannot.
//
// Parent side: set format.Options.PDF to (&Sandbox{Command: ...}).Extract.
// Child side: a command (e.g. "mosaic pdftext --serve") that calls Serve
// with its standard input and output.
package pdfsandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/format"
)

// Sandbox runs Command once per PDF: the PDF on its standard input, a
// JSON reply on its standard output.
type Sandbox struct {
	// Command is the child's argv, e.g. {"/usr/bin/mosaic", "pdftext",
	// "--serve"}. The child is passed --max-memory BYTES after it.
	Command []string
	// Timeout bounds one extraction (default 60 s).
	Timeout time.Duration
	// MaxMemory is the child's address-space limit in bytes (default
	// 2 GiB).
	MaxMemory int64
	// MaxOutput caps the reply read from the child (default 256 MiB).
	MaxOutput int64
}

// reply is what the child writes.
type reply struct {
	Doc    *format.Document `json:"doc,omitempty"`
	Kind   string           `json:"kind,omitempty"`
	Reason string           `json:"reason,omitempty"`
}

// Extract runs the child on raw and returns its document, or an error
// wrapping a format sentinel error (ErrTooLarge when the child ran out of
// memory or time).
func (s *Sandbox) Extract(ctx context.Context, raw []byte) (*format.Document, error) {
	if len(s.Command) == 0 {
		return nil, fmt.Errorf("%w: pdf sandbox has no command", format.ErrUnsupported)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	mem := s.MaxMemory
	if mem <= 0 {
		mem = 2 << 30
	}
	maxOut := s.MaxOutput
	if maxOut <= 0 {
		maxOut = 256 << 20
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append(append([]string(nil), s.Command[1:]...), "--max-memory", strconv.FormatInt(mem, 10))
	cmd := exec.CommandContext(cctx, s.Command[0], args...)
	cmd.Stdin = bytes.NewReader(raw)
	out := &capped{max: maxOut}
	var stderr capped
	stderr.max = 4 << 10
	cmd.Stdout, cmd.Stderr = out, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if cctx.Err() != nil {
		return nil, fmt.Errorf("%w: PDF extraction took longer than %v and was stopped", format.ErrTooLarge, timeout)
	}
	if out.over {
		return nil, fmt.Errorf("%w: PDF extraction produced more than %d bytes", format.ErrTooLarge, maxOut)
	}
	var rep reply
	if jerr := json.Unmarshal(out.buf.Bytes(), &rep); jerr != nil || (rep.Doc == nil && rep.Kind == "") {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("%w: PDF extractor failed (%v; memory limit %d bytes): %s", format.ErrTooLarge, ee, mem, firstLine(stderr.buf.Bytes()))
		}
		if err != nil {
			return nil, fmt.Errorf("%w: cannot run the PDF extractor: %v", format.ErrIO, err)
		}
		return nil, fmt.Errorf("%w: PDF extractor gave no usable reply", format.ErrMalformed)
	}
	if rep.Doc == nil {
		return nil, &childError{kind: format.KindNamed(rep.Kind), reason: rep.Reason}
	}
	rep.Doc.Raw, rep.Doc.ID = raw, mosaic.DocumentID(raw)
	return rep.Doc, nil
}

// childError is the child's rejection: its reason, and its kind as a
// format sentinel error.
type childError struct {
	kind   error
	reason string
}

func (e *childError) Error() string { return e.reason }
func (e *childError) Unwrap() error { return e.kind }

func firstLine(b []byte) string {
	b = bytes.TrimSpace(b)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return string(bytes.ToValidUTF8(b, []byte("?")))
}

// capped keeps at most max bytes and notes whether more came.
type capped struct {
	buf  bytes.Buffer
	max  int64
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - int64(c.buf.Len()); int64(len(p)) > room {
		c.over = true
		c.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return c.buf.Write(p)
}

// Serve is the child side: it limits its own address space to maxMemory
// (where the platform allows), reads a PDF from r (at most
// o.MaxFileSize), extracts it with format.ExtractPDF and writes the JSON
// reply to w.
func Serve(r io.Reader, w io.Writer, maxMemory int64, o format.Options) error {
	if maxMemory > 0 {
		if err := limitMemory(maxMemory); err != nil {
			return fmt.Errorf("pdfsandbox: limit memory: %w", err)
		}
	}
	d := format.DefaultOptions()
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = d.MaxFileSize
	}
	raw, err := io.ReadAll(io.LimitReader(r, o.MaxFileSize+1))
	if err != nil {
		return fmt.Errorf("pdfsandbox: read input: %w", err)
	}
	var rep reply
	if int64(len(raw)) > o.MaxFileSize {
		rep = reply{Kind: format.ErrTooLarge.Error(), Reason: fmt.Sprintf("PDF larger than %d bytes", o.MaxFileSize)}
	} else if doc, err := format.ExtractPDF(raw, o); err != nil {
		rep = reply{Kind: format.KindOf(err), Reason: err.Error()}
	} else {
		rep = reply{Doc: doc}
	}
	return json.NewEncoder(w).Encode(rep)
}

// Self returns a Sandbox that runs this program's own executable with
// args (e.g. "pdftext", "--serve") as the child.
func Self(args ...string) (*Sandbox, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("pdfsandbox: find own executable: %w", err)
	}
	return &Sandbox{Command: append([]string{exe}, args...)}, nil
}
