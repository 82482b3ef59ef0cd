//go:build !unix

package workspace

import (
	"errors"
	"io/fs"
	"os"
)

var errLink = errors.New("is a symlink")

// openRegular opens a regular file for reading; a symlink is refused.
// Without O_NOFOLLOW the check and the open are two steps.
func openRegular(name string) (*os.File, error) {
	fi, err := os.Lstat(name)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errLink}
	}
	return os.Open(name)
}

// isLinkErr reports whether openRegular failed because name is a symlink.
func isLinkErr(err error) bool { return errors.Is(err, errLink) }
