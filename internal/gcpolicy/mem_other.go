//go:build !linux

package gcpolicy

// physical returns 0: the machine's memory is read on Linux only, and
// elsewhere only a cgroup limit (none) bounds the heap.
func physical() int64 { return 0 }
