package mosaic

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that callers (the HTTP layer, the CLI) can
// react without matching strings. The HTTP API maps each kind to a status
// and a stable code (see internal/httpapi).
type Kind uint8

// Error kinds.
const (
	KindOther       Kind = iota // unclassified; an internal error
	KindInvalid                 // bad input from the caller
	KindNotFound                // no such object, or one the caller may not see
	KindConflict                // the object exists or changed meanwhile
	KindUnavailable             // a dependency is down; try again
	KindRefused                 // a rule or policy refuses the request
)

var kindNames = [...]string{"internal", "invalid", "not_found", "conflict", "unavailable", "refused"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Error is an error with a kind and the operation that failed.
type Error struct {
	Kind Kind
	Op   string // e.g. "store.Entity"
	Err  error
}

func (e *Error) Error() string {
	if e.Op == "" {
		return e.Err.Error()
	}
	return e.Op + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// E returns an error of kind k from op, wrapping err.
func E(k Kind, op string, err error) error { return &Error{Kind: k, Op: op, Err: err} }

// Errorf returns an error of kind k from op with a formatted message.
func Errorf(k Kind, op, format string, args ...any) error {
	return &Error{Kind: k, Op: op, Err: fmt.Errorf(format, args...)}
}

// KindOf returns the kind of the outermost *Error in err's chain, or
// KindOther.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		if e.Kind == KindOther && e.Err != nil {
			return KindOf(e.Err)
		}
		return e.Kind
	}
	return KindOther
}

// IsNotFound reports whether err is of kind KindNotFound.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }
