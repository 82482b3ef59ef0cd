// Package datadir resolves and prepares the directory where ICE Studio keeps
// everything it owns on the user's machine (logs, settings, later the event
// log). Nothing is ever written inside an opened project folder.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// AppName is the folder name used under the XDG data home.
const AppName = "ice-studio"

// EnvHome overrides the data directory entirely when set.
const EnvHome = "ICE_HOME"

// Sentinel errors for data directory problems the UI and CLI explain to the user.
var (
	ErrNotDir      = errors.New("data directory path is not a directory")
	ErrNotWritable = errors.New("data directory is not writable")
)

// Resolve returns the data directory from the environment without touching
// the disk: $ICE_HOME, else $XDG_DATA_HOME/ice-studio, else
// ~/.local/share/ice-studio.
func Resolve(getenv func(string) string) (string, error) {
	if v := getenv(EnvHome); v != "" {
		return filepath.Abs(v)
	}
	if v := getenv("XDG_DATA_HOME"); v != "" && filepath.IsAbs(v) {
		return filepath.Join(v, AppName), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("resolve data directory: no ICE_HOME, XDG_DATA_HOME or home directory: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", AppName), nil
}

// Ensure creates dir (mode 0700) if missing and proves it is writable by
// creating and removing a probe file, so a read-only data dir is reported at
// start-up rather than at the first write.
func Ensure(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("%w: %s", ErrNotDir, dir)
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("%w: create %s: %v", ErrNotWritable, dir, err)
		}
	case err != nil:
		return fmt.Errorf("%w: %s: %v", ErrNotWritable, dir, err)
	}
	probe, err := os.CreateTemp(dir, ".write-probe-*")
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrNotWritable, dir, err)
	}
	name := probe.Name()
	_ = probe.Close()
	return os.Remove(name)
}
