package resolve

import "errors"

// Errors returned by the engine; test with errors.Is.
var (
	// ErrInvalidRecord marks a record the engine cannot take (no ID, unknown type).
	ErrInvalidRecord = errors.New("invalid record")
	// ErrDuplicate marks a record whose ID was already added.
	ErrDuplicate = errors.New("duplicate record id")
	// ErrUnknown marks a judgement or query about a record not in the engine.
	ErrUnknown = errors.New("unknown record")
	// ErrConflict marks a judgement that contradicts earlier judgements
	// (e.g. "same" where "not same" holds transitively).
	ErrConflict = errors.New("judgement conflicts with earlier judgements")
	// ErrNoJudgement marks an undo of a judgement that does not exist.
	ErrNoJudgement = errors.New("no such judgement")
)
