//go:build unix

package file

import (
	"errors"
	"syscall"
)

// alive reports whether process pid runs on this host: signal 0 checks
// that it exists without touching it (EPERM: it exists, someone else's).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
