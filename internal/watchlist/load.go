package watchlist

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Format names a list format.
type Format string

// Formats.
const (
	FormatUN   Format = "un"
	FormatOFAC Format = "ofac"
	FormatFTM  Format = "ftm"
	FormatCSV  Format = "csv"
)

// DetectFormat guesses the format of the list at path: a directory or a
// file named sdn.csv is OFAC; XML is the UN list; a file whose first
// non-blank byte is "{" is FollowTheMoney; anything else is CSV.
func DetectFormat(path string) (Format, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("detect format: %w", err)
	}
	if fi.IsDir() || strings.EqualFold(filepath.Base(path), "sdn.csv") {
		return FormatOFAC, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("detect format: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = bytes.TrimLeft(bytes.TrimPrefix(head[:n], []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("<")):
		return FormatUN, nil
	case bytes.HasPrefix(head, []byte("{")):
		return FormatFTM, nil
	}
	return FormatCSV, nil
}

// LoadFile reads the list at path in format (detected when empty). list
// names the entries' list (default: the format's name, or the file's base
// name for CSV and FtM). For OFAC, path is the directory holding sdn.csv,
// alt.csv and add.csv, or sdn.csv itself.
func LoadFile(ctx context.Context, path string, format Format, list string, m Mapping) (Result, error) {
	if format == "" {
		var err error
		if format, err = DetectFormat(path); err != nil {
			return Result{}, err
		}
	}
	if list == "" {
		switch format {
		case FormatUN, FormatOFAC:
			list = string(format)
		default:
			list = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		}
	}
	if format == FormatOFAC {
		return loadOFAC(ctx, path, list)
	}
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("load %s: %w", path, err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	var res Result
	switch format {
	case FormatUN:
		res, err = ParseUN(ctx, r, path)
	case FormatFTM:
		res, err = ParseFTM(ctx, r, path, list)
	case FormatCSV:
		res, err = ParseCSV(ctx, r, path, list, m)
	default:
		return Result{}, fmt.Errorf("load %s: unknown format %q (want un, ofac, ftm or csv)", path, format)
	}
	setList(res.Entries, list)
	return res, err
}

func setList(es []Entry, list string) {
	for i := range es {
		es[i].List = list
	}
}

func loadOFAC(ctx context.Context, path, list string) (Result, error) {
	dir := path
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		dir = filepath.Dir(path)
	}
	files := OFACFiles{SDNName: filepath.Join(dir, "sdn.csv"), AltName: filepath.Join(dir, "alt.csv"), AddName: filepath.Join(dir, "add.csv")}
	sdn, err := os.Open(files.SDNName)
	if err != nil {
		return Result{}, fmt.Errorf("load ofac: %w", err)
	}
	defer sdn.Close()
	files.SDN = sdn
	if alt, err := os.Open(files.AltName); err == nil {
		defer alt.Close()
		files.Alt = alt
	}
	if add, err := os.Open(files.AddName); err == nil {
		defer add.Close()
		files.Add = add
	}
	res, err := ParseOFAC(ctx, files)
	setList(res.Entries, list)
	return res, err
}

// List is a named set of entries.
type List struct {
	Name    string
	Entries []Entry
}

// Source is where lists come from: files named on a command line today,
// the store once watchlists are kept there.
type Source interface {
	Lists(ctx context.Context) ([]List, []Problem, error)
}

// FileSpec names one list file.
type FileSpec struct {
	Path    string
	Format  Format // detected when empty
	List    string // defaults as in LoadFile
	Mapping Mapping
}

// Files is a Source reading list files.
type Files []FileSpec

var _ Source = Files(nil)

// Lists loads every file. Entries of files given the same list name are
// merged into one list.
func (fs Files) Lists(ctx context.Context) ([]List, []Problem, error) {
	var out []List
	var probs []Problem
	at := map[string]int{}
	for _, f := range fs {
		res, err := LoadFile(ctx, f.Path, f.Format, f.List, f.Mapping)
		if err != nil {
			return out, probs, err
		}
		probs = append(probs, res.Problems...)
		name := f.List
		if len(res.Entries) > 0 {
			name = res.Entries[0].List
		}
		if i, ok := at[name]; ok {
			out[i].Entries = append(out[i].Entries, res.Entries...)
			continue
		}
		at[name] = len(out)
		out = append(out, List{Name: name, Entries: res.Entries})
	}
	return out, probs, nil
}
