// Package applog writes the Studio's structured log (log/slog) to a file in
// the data directory, rotating it once it grows large.
package applog

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// FileName is the log file's name inside the data directory.
const FileName = "ice-studio.log"

// maxSize is the size past which the log is rotated to FileName+".1" at open.
const maxSize = 10 << 20

// Log is an open log file and the logger writing to it.
type Log struct {
	Logger *slog.Logger
	Path   string
	file   *os.File
}

// Open opens (creating or rotating) the log file in dir. When tee is not nil,
// warnings and errors are also written there (stderr for `serve`), so a
// terminal shows problems without the routine chatter that goes to the file.
func Open(dir string, level slog.Level, tee io.Writer) (*Log, error) {
	path := filepath.Join(dir, FileName)
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxSize {
		_ = os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	var h slog.Handler = slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})
	if tee != nil {
		h = slog.NewMultiHandler(h, slog.NewTextHandler(tee, &slog.HandlerOptions{Level: max(level, slog.LevelWarn)}))
	}
	logger := slog.New(h)
	return &Log{Logger: logger, Path: path, file: f}, nil
}

// Close flushes and closes the log file.
func (l *Log) Close() error {
	if l == nil || l.file == nil {
		return nil
	}
	if err := l.file.Sync(); err != nil {
		_ = l.file.Close()
		return fmt.Errorf("sync log: %w", err)
	}
	return l.file.Close()
}
