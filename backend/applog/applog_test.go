package applog_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/applog"
)

func TestLogWritesFileAndTeesWarnings(t *testing.T) {
	dir := t.TempDir()
	var tee bytes.Buffer
	l, err := applog.Open(dir, slog.LevelInfo, &tee)
	if err != nil {
		t.Fatal(err)
	}
	l.Logger.Info("routine", "k", 1)
	l.Logger.Warn("look here", "k", 2)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	file, _ := os.ReadFile(filepath.Join(dir, applog.FileName))
	if !strings.Contains(string(file), `msg=routine k=1`) || !strings.Contains(string(file), `msg="look here" k=2`) {
		t.Errorf("log file = %q, want both records", file)
	}
	if strings.Contains(tee.String(), "routine") || !strings.Contains(tee.String(), "look here") {
		t.Errorf("tee = %q, want only the warning", tee.String())
	}
}

func TestLogRotatesLargeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, applog.FileName)
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), 11<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := applog.Open(dir, slog.LevelInfo, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if fi, err := os.Stat(path + ".1"); err != nil || fi.Size() != 11<<20 {
		t.Fatalf("rotated file: %v, %v; want the old 11 MiB log kept as .1", fi, err)
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Errorf("new log size = %d, want a fresh file", fi.Size())
	}
}
