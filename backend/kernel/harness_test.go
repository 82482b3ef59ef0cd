package kernel_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/projection"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

const wsID = "ws-1"

// harness is a kernel over a real event log and a real workspace folder.
type harness struct {
	t      testing.TB
	store  *eventlog.SQLiteStore
	runner *projection.Runner
	k      *kernel.Kernel
	root   string
	dbPath string
}

func projections() []projection.Projection {
	return []projection.Projection{workspace.Registry{}, &kernel.Runs{}}
}

// openHarness opens (or reopens) a log at dbPath with a workspace at root.
func openHarness(tb testing.TB, dbPath, root string, cfg kernel.Config) *harness {
	tb.Helper()
	return openHarnessWith(tb, dbPath, root, cfg, "NORMAL")
}

// openHarnessSync is openHarness with the given SQLite synchronous mode.
func openHarnessSync(tb testing.TB, dbPath, root, sync string) *harness {
	tb.Helper()
	return openHarnessWith(tb, dbPath, root, kernel.Config{}, sync)
}

func openHarnessWith(tb testing.TB, dbPath, root string, cfg kernel.Config, sync string) *harness {
	tb.Helper()
	store, err := eventlog.Open(dbPath, eventlog.Options{Synchronous: sync})
	if err != nil {
		tb.Fatal(err)
	}
	runner := projection.NewRunner(store, store.DB(), nil, projections()...)
	if err := runner.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Caps == nil {
		// The lifecycle tests run under a policy that allows writes and
		// commands; caps_test.go covers asking, grants and denials.
		cfg.Caps = capability.NewEnforcer()
		cfg.Caps.SetPolicy(wsID, capability.Policy{Rules: []capability.Rule{
			{Kind: capability.FSRead, Scope: capability.Scope{Glob: "**"}, Effect: capability.Allow},
			{Kind: capability.FSWrite, Scope: capability.Scope{Glob: "**"}, Effect: capability.Allow},
			{Kind: capability.ShellExec, Scope: capability.Scope{Argv: []string{"*"}}, Effect: capability.Allow},
		}}, 0)
	}
	cfg.Emitter = &projection.Emitter{Gate: eventlog.NewGate(store, eventlog.DefaultCatalogue()), Runner: runner}
	cfg.Blobs = store
	cfg.ReadDB = store.ReadDB()
	cfg.Roots = func(_ context.Context, ws string) (string, error) {
		if ws != wsID {
			return "", fmt.Errorf("unknown workspace %s", ws)
		}
		return root, nil
	}
	h := &harness{t: tb, store: store, runner: runner, k: kernel.New(cfg), root: root, dbPath: dbPath}
	tb.Cleanup(h.close)
	return h
}

func newHarness(tb testing.TB, files map[string]string) *harness {
	tb.Helper()
	root, _ := filepath.EvalSymlinks(tb.TempDir())
	writeTree(tb, root, files)
	return openHarness(tb, filepath.Join(tb.TempDir(), eventlog.FileName), root, kernel.Config{})
}

func (h *harness) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = h.k.Close(ctx)
	_ = h.store.Close()
}

func writeTree(tb testing.TB, root string, files map[string]string) {
	tb.Helper()
	for p, body := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// treeHash hashes every file's path and content under root: equal hashes
// mean byte-identical trees (extra or missing files included).
func treeHash(tb testing.TB, root string) string {
	tb.Helper()
	var paths []string
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files[rel] = b
			paths = append(paths, rel)
		} else if d.IsDir() && rel != "." {
			paths = append(paths, rel+"/")
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(files[p]))
		h.Write(files[p])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func read(tb testing.TB, root, rel string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return "<absent>"
	}
	return string(b)
}

// script is a scripted worker: it runs its steps in order.
type script struct {
	steps []func(ctx context.Context, env *kernel.Env) error
}

func (*script) Name() string { return "script" }

func (s *script) Run(ctx context.Context, env *kernel.Env) error {
	for _, step := range s.steps {
		if err := step(ctx, env); err != nil {
			return err
		}
	}
	return nil
}

func steps(fs ...func(ctx context.Context, env *kernel.Env) error) *script { return &script{steps: fs} }

func readStep(p string) func(context.Context, *kernel.Env) error {
	return func(_ context.Context, env *kernel.Env) error { _, err := env.ReadFile(p); return err }
}

func writeStep(p, body string) func(context.Context, *kernel.Env) error {
	return func(_ context.Context, env *kernel.Env) error { return env.WriteFile(p, []byte(body)) }
}

func deleteStep(p string) func(context.Context, *kernel.Env) error {
	return func(_ context.Context, env *kernel.Env) error { return env.DeleteFile(p) }
}

// waitStep blocks the worker until ch is closed (or the run is stopped).
func waitStep(ch <-chan struct{}) func(context.Context, *kernel.Env) error {
	return func(ctx context.Context, _ *kernel.Env) error {
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

func (h *harness) start(req kernel.StartRequest, w kernel.Worker) kernel.RunInfo {
	h.t.Helper()
	if req.Workspace == "" {
		req.Workspace = wsID
	}
	info, err := h.k.Start(context.Background(), req, w)
	if err != nil {
		h.t.Fatalf("Start: %v", err)
	}
	return info
}

func (h *harness) wait(run string) kernel.RunInfo {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	info, err := h.k.Wait(ctx, run)
	if err != nil {
		h.t.Fatalf("Wait: %v", err)
	}
	return info
}

// types returns the run's event types in order.
func (h *harness) types(run string) []string {
	h.t.Helper()
	var out []string
	_ = h.store.Read(context.Background(), eventlog.Query{Run: run}, func(e eventlog.Event) error {
		out = append(out, e.Type)
		return nil
	})
	return out
}

func (h *harness) lastPayload(run, typ string) string {
	h.t.Helper()
	var out string
	_ = h.store.Read(context.Background(), eventlog.Query{Run: run, Types: []string{typ}}, func(e eventlog.Event) error {
		out = string(e.Payload)
		return nil
	})
	return out
}
