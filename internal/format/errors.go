package format

import "errors"

// Kinds of rejection, found in Rejection.Err. Test with errors.Is.
var (
	// ErrEmpty: the file or entry has no content (or only white space).
	ErrEmpty = errors.New("empty input")
	// ErrUnknownFormat: neither the extension nor the content names a
	// supported format, or they contradict each other.
	ErrUnknownFormat = errors.New("unknown or unsupported format")
	// ErrMalformed: the content does not parse (a bad CSV row, invalid
	// JSON, a corrupt archive or PDF).
	ErrMalformed = errors.New("malformed input")
	// ErrEncoding: invalid UTF-8 (or other undecodable text) where valid
	// text is required.
	ErrEncoding = errors.New("invalid text encoding")
	// ErrTooLarge: a file, entry or expansion exceeds a size limit.
	ErrTooLarge = errors.New("input too large")
	// ErrLineTooLong: one CSV record or JSON line exceeds MaxLineSize.
	ErrLineTooLong = errors.New("line too long")
	// ErrUnsafePath: an archive entry name is absolute or climbs out of
	// the archive ("../"), or is otherwise not a clean relative path.
	ErrUnsafePath = errors.New("unsafe path in archive")
	// ErrNotRegular: a symbolic link, device or other non-regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrBomb: an archive expands beyond MaxArchiveExpanded or a
	// compressed entry beyond MaxArchiveRatio.
	ErrBomb = errors.New("archive expansion limit exceeded")
	// ErrTooDeep: archives nest deeper than MaxArchiveDepth.
	ErrTooDeep = errors.New("archive nested too deeply")
	// ErrTooManyEntries: an archive holds more than MaxArchiveEntries.
	ErrTooManyEntries = errors.New("too many archive entries")
	// ErrUnsupported: a feature of an otherwise known format that is not
	// supported (encrypted entries, unknown compression, PDF 2.0).
	ErrUnsupported = errors.New("unsupported feature")
	// ErrIO: the input could not be read.
	ErrIO = errors.New("read error")
)

// kinds lists the sentinel errors, for KindOf and KindNamed.
var kinds = []error{ErrEmpty, ErrUnknownFormat, ErrMalformed, ErrEncoding, ErrTooLarge, ErrLineTooLong,
	ErrUnsafePath, ErrNotRegular, ErrBomb, ErrTooDeep, ErrTooManyEntries, ErrUnsupported, ErrIO}

// KindOf returns the message of the sentinel error err wraps ("" if none),
// a stable name for the kind of a rejection, e.g. across processes.
func KindOf(err error) string {
	for _, k := range kinds {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	return ""
}

// KindNamed returns the sentinel error whose message is name, or
// ErrMalformed if there is none.
func KindNamed(name string) error {
	for _, k := range kinds {
		if k.Error() == name {
			return k
		}
	}
	return ErrMalformed
}
