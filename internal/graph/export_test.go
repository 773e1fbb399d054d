package graph

// SetSearchHook lets the external benchmarks count the work of each path
// search (entries scanned, labels set, nodes scanned); nil turns it off.
func SetSearchHook(f func(relaxed, labels, scans int)) { searchHook = f }

// SetReverseFactor sets reverseFactor and returns the old value.
func SetReverseFactor(f int) int { f, reverseFactor = reverseFactor, f; return f }
