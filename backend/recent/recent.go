// Package recent keeps the list of recently opened folders in a small JSON
// file in the data directory. (The event log issue moves this to a
// projection of workspace events.)
package recent

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// FileName is the store's file inside the data directory.
const FileName = "recent.json"

// Max is how many folders the list keeps.
const Max = 20

// Folder is one recently opened folder.
type Folder struct {
	Path     string `json:"path"`
	Name     string `json:"name"`
	OpenedAt int64  `json:"openedAt"` // unix milliseconds
	Missing  bool   `json:"missing"`  // filled in on read: the folder is gone
}

// Store is the recent list persisted in one file.
type Store struct {
	path string
	mu   sync.Mutex
	now  func() time.Time
}

// Open returns the store in dir. A damaged file is moved aside (never
// deleted) and the list starts empty; the returned warning says so.
func Open(dir string) (*Store, string, error) {
	s := &Store{path: filepath.Join(dir, FileName), now: time.Now}
	if _, err := s.load(); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if !errors.As(err, &syn) && !errors.As(err, &typ) {
			return nil, "", err
		}
		aside := fmt.Sprintf("%s.damaged-%d", s.path, time.Now().Unix())
		if rerr := os.Rename(s.path, aside); rerr != nil {
			return nil, "", fmt.Errorf("move damaged recent list aside: %w", rerr)
		}
		return s, fmt.Sprintf("The recent folders list was damaged; it was kept as %s and a new one started.", aside), nil
	}
	return s, "", nil
}

func (s *Store) load() ([]Folder, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read recent list: %w", err)
	}
	var fs []Folder
	if err := json.Unmarshal(b, &fs); err != nil {
		return nil, fmt.Errorf("parse recent list %s: %w", s.path, err)
	}
	return fs, nil
}

// List returns the folders, most recent first, marking those that no longer exist.
func (s *Store) List() ([]Folder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs, err := s.load()
	if err != nil {
		return nil, err
	}
	for i := range fs {
		fi, err := os.Stat(fs[i].Path)
		fs[i].Missing = err != nil || !fi.IsDir()
	}
	if fs == nil {
		fs = []Folder{}
	}
	return fs, nil
}

// Touch records that path was opened now, moving it to the top.
func (s *Store) Touch(path string) error {
	return s.update(func(fs []Folder) []Folder {
		out := []Folder{{Path: path, Name: filepath.Base(path), OpenedAt: s.now().UnixMilli()}}
		for _, f := range fs {
			if f.Path != path {
				out = append(out, f)
			}
		}
		if len(out) > Max {
			out = out[:Max]
		}
		return out
	})
}

// Remove drops path from the list.
func (s *Store) Remove(path string) error {
	return s.update(func(fs []Folder) []Folder {
		out := fs[:0]
		for _, f := range fs {
			if f.Path != path {
				out = append(out, f)
			}
		}
		return out
	})
}

func (s *Store) update(fn func([]Folder) []Folder) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs, err := s.load()
	if err != nil {
		return err
	}
	fs = fn(fs)
	for i := range fs {
		fs[i].Missing = false
	}
	b, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(s.path, b)
}

// writeAtomic replaces path with data so that a crash leaves either the old
// or the new file, never a torn one.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
