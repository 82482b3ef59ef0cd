package sandbox

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// RemoveScratch removes a command's scratch folder, including what the
// overlay leaves in it (its work folder is created without permissions).
func RemoveScratch(dir string) error {
	if err := os.RemoveAll(dir); err == nil {
		return nil
	}
	// Make every folder ours to empty, then try again.
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d == nil {
				_ = os.Chmod(p, 0o700)
			}
			return nil
		}
		if d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	err := os.RemoveAll(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
