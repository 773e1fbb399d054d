//go:build !unix

package pdfsandbox

// limitMemory is not available here: the timeout still applies.
func limitMemory(int64) error { return nil }
