//go:build unix

package workspace

import (
	"errors"
	"os"
	"syscall"
)

// openRegular opens a file for reading without following a symlink that
// replaced it since it was listed (which could point outside the root), and
// without blocking if it became a named pipe.
func openRegular(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// isLinkErr reports whether openRegular failed because name is a symlink.
func isLinkErr(err error) bool { return errors.Is(err, syscall.ELOOP) }
