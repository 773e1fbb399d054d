//go:build unix

package pdfsandbox

import "syscall"

// limitMemory caps this process's address space (RLIMIT_AS).
func limitMemory(n int64) error {
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: uint64(n), Max: uint64(n)})
}
