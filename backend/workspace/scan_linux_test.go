package workspace_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

// A named pipe blocks whoever opens it for reading until a writer comes:
// the scanner must skip it without opening it.
func TestScanSkipsNamedPipes(t *testing.T) {
	root := writeTree(t, map[string]string{"a.txt": "a"})
	if err := syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan []workspace.FileInfo)
	go func() {
		got, _ := mustScan(t, root, workspace.ScanOptions{})
		done <- got
	}()
	select {
	case got := <-done:
		if want := []string{"a.txt"}; !reflect.DeepEqual(paths(got), want) {
			t.Errorf("Scan delivered %q, want %q", paths(got), want)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Scan blocked on a named pipe")
	}
	if _, err := workspace.ScanFile(root, "pipe", workspace.ScanOptions{}); !errors.Is(err, workspace.ErrSpecial) {
		t.Errorf("ScanFile(pipe) = %v, want ErrSpecial", err)
	}
}
