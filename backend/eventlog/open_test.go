package eventlog_test

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/eventlog/eventlogtest"
)

func TestOpenRefusesDamagedFilesAndLeavesThemAlone(t *testing.T) {
	for name, content := range map[string][]byte{
		"text file":          []byte("these are my notes, not a database\n"),
		"truncated header":   []byte("SQLite format"),
		"garbage":            bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 2048),
		"header then zeroes": append([]byte("SQLite format 3\x00"), make([]byte, 4096)...),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), eventlog.FileName)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := eventlog.Open(path, eventlog.Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open(damaged file) succeeded")
			}
			if !errors.Is(err, eventlog.ErrDamaged) {
				t.Errorf("Open(damaged file) error = %v, want ErrDamaged", err)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
				t.Errorf("Open changed the damaged file")
			}
		})
	}
}

func TestOpenRefusesForeignDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), eventlog.FileName)
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('ada')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	if _, err := eventlog.Open(path, eventlog.Options{}); !errors.Is(err, eventlog.ErrDamaged) {
		t.Fatalf("Open(someone else's database) error = %v, want ErrDamaged", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Open changed someone else's database")
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), eventlog.FileName)
	s, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eventlogtest.MustAppend(t, s, eventlogtest.Ev("a", "s", "t"))
	s.Close()
	tamper(t, path, `INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)`)
	before, _ := os.ReadFile(path)
	_, err = eventlog.Open(path, eventlog.Options{})
	if !errors.Is(err, eventlog.ErrNewerSchema) {
		t.Fatalf("Open(newer schema) error = %v, want ErrNewerSchema", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Open changed a log from a newer version")
	}
}

func TestOpenInUnwritablePlace(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A "folder" that is a file can never be written, even by root.
	_, err := eventlog.Open(filepath.Join(blocker, eventlog.FileName), eventlog.Options{})
	if !errors.Is(err, eventlog.ErrReadOnly) {
		t.Errorf("Open(under a file) error = %v, want ErrReadOnly", err)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(ro, 0o700) })
		if _, err := eventlog.Open(filepath.Join(ro, eventlog.FileName), eventlog.Options{}); !errors.Is(err, eventlog.ErrReadOnly) {
			t.Errorf("Open(read-only folder) error = %v, want ErrReadOnly", err)
		}
	}
	if _, err := eventlog.Open(filepath.Join(dir, "missing.db"), eventlog.Options{ReadOnly: true}); err == nil {
		t.Error("Open(read-only, missing file) succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a read-only Open created the file")
	}
}
