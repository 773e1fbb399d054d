package graph

// SetSearchHook lets the external benchmarks count the work of each path
// search (entries scanned, labels set, nodes scanned); nil turns it off.
func SetSearchHook(f func(relaxed, labels, scans int)) { searchHook = f }
