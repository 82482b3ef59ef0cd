package eventlogtest

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// Typical generates a deterministic stream of typical events for benchmarks:
// workspaces opened and closed, bursts of file changes, and runs with their
// lifecycle, inference and file reads, with payloads of about 150–400 bytes.
// Every event passes the default catalogue (type and origin authority), each
// run event is caused by the one before it in the run, and ids are UUIDv7
// from the event's time. Versions are AnyVersion and Seq, PrevHash and Hash
// are left for the store to assign.
type Typical struct {
	rng    *rand.Rand
	at     int64             // the last event's time, Unix nanoseconds
	queue  []eventlog.Event  // the rest of the current episode
	open   string            // the open workspace ("" when none)
	roots  map[string]string // workspace id → root
	spaces []string          // workspace ids, in creation order
}

// typicalStart is when the generated history begins (fixed, so two
// generators with one seed agree).
var typicalStart = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC).UnixNano()

// typicalWorkspaces is how many distinct folders the history works in.
const typicalWorkspaces = 40

// NewTypical returns a generator; the same seed gives the same events.
func NewTypical(seed uint64) *Typical {
	return &Typical{rng: rand.New(rand.NewPCG(seed, 0x1ce5)), at: typicalStart, roots: make(map[string]string)}
}

// Next returns the next event.
func (g *Typical) Next() eventlog.Event {
	for len(g.queue) == 0 {
		g.nextEpisode()
	}
	e := g.queue[0]
	g.queue = g.queue[1:]
	return e
}

// Take returns the next n events.
func (g *Typical) Take(n int) []eventlog.Event {
	out := make([]eventlog.Event, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

// nextEpisode queues what happens next: a workspace opens, a run, a burst
// of file changes, or the workspace closes.
func (g *Typical) nextEpisode() {
	if g.open == "" {
		g.openWorkspace()
		return
	}
	switch r := g.rng.IntN(100); {
	case r < 55:
		g.run()
	case r < 92:
		g.fileChanges()
	default:
		g.closeWorkspace()
	}
}

func (g *Typical) tick(maxMillis int) int64 {
	g.at += int64(1+g.rng.IntN(maxMillis)) * int64(time.Millisecond)
	return g.at
}

// id returns a UUIDv7 for time at.
func (g *Typical) id(at int64) string {
	var u uuid.UUID
	ms := uint64(at / int64(time.Millisecond))
	binary.BigEndian.PutUint64(u[8:], g.rng.Uint64())
	binary.BigEndian.PutUint64(u[0:], ms<<16|g.rng.Uint64()&0xffff)
	u[6] = 0x70 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return u.String()
}

func (g *Typical) hash() string {
	var b [32]byte
	for i := 0; i < 32; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], g.rng.Uint64())
	}
	return hex.EncodeToString(b[:])
}

func (g *Typical) emit(typ, origin, stream, ws, run, cause string, maxMillis int, payload any) eventlog.Event {
	raw, err := eventlog.MarshalPayload(payload)
	if err != nil {
		panic(fmt.Sprintf("typical %s payload: %v", typ, err))
	}
	at := g.tick(maxMillis)
	e := eventlog.Event{ID: g.id(at), Stream: stream, Type: typ, Schema: 1, Origin: origin, At: at,
		Workspace: ws, Run: run, Causation: cause, Correlation: run, Payload: raw}
	g.queue = append(g.queue, e)
	return e
}

var (
	typicalOwners = []string{"acme", "ice-studio", "jdoe", "lab", "platform-team"}
	typicalRepos  = []string{"billing-service", "ice-studio", "website", "ml-pipeline", "infra", "mobile-app", "docs", "sdk-go"}
	typicalDirs   = []string{"backend/eventlog", "backend/projection", "backend/studio", "frontend/src/components",
		"frontend/src/bridge", "internal/api", "cmd/server", "pkg/config", "scripts", "docs/design"}
	typicalFiles = []string{"sqlite.go", "gate.go", "store_test.go", "App.tsx", "useEvents.ts", "handler.go",
		"main.go", "config.yaml", "README.md", "Makefile", "schema.sql", "client.ts"}
	typicalWords = strings.Fields(`add a test for the failing case refactor the store so appends are batched fix the
		race in the watcher rename the handler and update its callers explain why the build breaks on arm64 make the
		sidebar remember its width move the config loader into its own package document the event catalogue and
		check every origin before writing anything to disk`)
	typicalModels = []string{"qwen2.5-coder:7b", "llama3.1:8b", "deepseek-coder-v2:16b"}
	typicalTools  = []string{"read_file", "list_dir", "search", "write_file", "run_tests"}
)

func (g *Typical) pick(s []string) string { return s[g.rng.IntN(len(s))] }

func (g *Typical) path() string { return g.pick(typicalDirs) + "/" + g.pick(typicalFiles) }

func (g *Typical) sentence(minWords, maxWords int) string {
	n := minWords + g.rng.IntN(maxWords-minWords+1)
	start := g.rng.IntN(len(typicalWords))
	words := make([]string, n)
	for i := range words {
		words[i] = typicalWords[(start+i)%len(typicalWords)]
	}
	return strings.Join(words, " ")
}

func (g *Typical) openWorkspace() {
	var id string
	if len(g.spaces) < typicalWorkspaces && (len(g.spaces) == 0 || g.rng.IntN(4) == 0) {
		at := g.at
		id = g.id(at)
		g.roots[id] = "/home/dev/src/github.com/" + g.pick(typicalOwners) + "/" + typicalRepos[len(g.spaces)%len(typicalRepos)] +
			fmt.Sprintf("-%d", len(g.spaces))
		g.spaces = append(g.spaces, id)
	} else {
		id = g.spaces[g.rng.IntN(len(g.spaces))]
	}
	g.open = id
	root := g.roots[id]
	g.emit(eventlog.WorkspaceOpened, eventlog.OriginRuntime, "workspace/"+id, id, "", "", 3_600_000,
		map[string]any{"root": root, "name": root[strings.LastIndexByte(root, '/')+1:]})
}

func (g *Typical) closeWorkspace() {
	id := g.open
	g.open = ""
	g.emit(eventlog.WorkspaceClosed, eventlog.OriginRuntime, "workspace/"+id, id, "", "", 60_000,
		map[string]any{"reason": "the Studio exited"})
}

func (g *Typical) fileChanges() {
	ws := g.open
	for range 1 + g.rng.IntN(12) {
		g.emit(eventlog.WorkspaceFileChanged, eventlog.OriginRuntime, "workspace/"+ws, ws, "", "", 5_000,
			map[string]any{"path": g.path(), "hash": g.hash(), "prevHash": g.hash(), "size": 200 + g.rng.IntN(40_000), "op": "modified",
				"mtime": g.at / int64(time.Millisecond)})
	}
}

// run queues one run: requested by the user, provisioned, a few inference
// rounds reading files, staged writes, validation, then committed (or,
// sometimes, failed and aborted).
func (g *Typical) run() {
	ws := g.open
	runID := g.id(g.at)
	stream := "run/" + runID
	model := g.pick(typicalModels)
	cause := ""
	step := func(typ, origin string, maxMillis int, payload map[string]any) {
		cause = g.emit(typ, origin, stream, ws, runID, cause, maxMillis, payload).ID
	}
	rt, agent := eventlog.OriginRuntime, eventlog.AgentPrefix+"coder"
	step(eventlog.RunRequested, eventlog.OriginUser, 30_000, map[string]any{"prompt": g.sentence(8, 30), "model": model, "workspace": ws})
	step(eventlog.RunCreated, rt, 20, map[string]any{"branch": "ice/run-" + runID[:8], "baseCommit": g.hash()[:40], "workspace": ws})
	step(eventlog.RunProvisioned, rt, 400, map[string]any{"sandbox": "/home/dev/.local/share/ice-studio/runs/" + runID, "overlay": "overlayfs", "baseHash": g.hash()})
	files := make([]string, 2+g.rng.IntN(4))
	for i := range files {
		files[i] = g.path()
	}
	step(eventlog.RunContextResolved, rt, 200, map[string]any{"files": files, "tokens": 500 + g.rng.IntN(6000)})
	step(eventlog.RunMemoryMounted, rt, 50, map[string]any{"notes": []string{"mem-" + g.hash()[:12], "mem-" + g.hash()[:12], "mem-" + g.hash()[:12]}, "scope": "workspace", "tokens": 100 + g.rng.IntN(900)})
	step(eventlog.RunCapabilitiesBound, rt, 20, map[string]any{"capabilities": []string{"fs.read:workspace", "fs.write:staging", "exec:go test ./..."}, "policy": "default"})
	step(eventlog.RunExecutionStarted, rt, 20, map[string]any{"agent": "coder", "model": model, "attempt": 1, "workdir": "/home/dev/.local/share/ice-studio/runs/" + runID + "/tree"})
	promptTokens := 0
	for round := range 2 + g.rng.IntN(5) {
		tokens := 800 + g.rng.IntN(6000)
		promptTokens += tokens
		step(eventlog.InferenceRequest, agent, 50, map[string]any{"model": model, "round": round + 1, "promptHash": g.hash(), "promptTokens": tokens, "messages": 3 + 2*round, "temperature": 0.2, "numCtx": 8192})
		if g.rng.IntN(3) == 0 {
			step(eventlog.InferencePlanStep, agent, 3_000, map[string]any{"step": round + 1, "text": g.sentence(10, 30)})
		}
		tool := g.pick(typicalTools)
		path := g.path()
		step(eventlog.InferenceToolCall, agent, 8_000, map[string]any{"tool": tool, "callId": "call_" + g.hash()[:16], "args": map[string]any{"path": path, "reason": g.sentence(4, 10)}})
		step(eventlog.EffectFileRead, rt, 30, map[string]any{"path": path, "hash": g.hash(), "bytes": 200 + g.rng.IntN(40_000), "offset": 0, "truncated": false, "capability": "fs.read:workspace"})
		completion := 40 + g.rng.IntN(900)
		step(eventlog.InferenceResponse, agent, 15_000, map[string]any{"model": model, "responseHash": g.hash(), "completionTokens": completion, "finishReason": "stop", "summary": g.sentence(5, 16)})
		step(eventlog.InferenceTokenSummary, agent, 5, map[string]any{"model": model, "promptTokens": tokens, "completionTokens": completion, "totalTokens": tokens + completion, "durationMs": 300 + g.rng.IntN(20_000), "loadMs": g.rng.IntN(200), "promptEvalMs": 100 + g.rng.IntN(4_000), "evalMs": 200 + g.rng.IntN(15_000)})
	}
	for range 1 + g.rng.IntN(3) {
		step(eventlog.EffectFileStaged, rt, 50, map[string]any{"path": g.path(), "hash": g.hash(), "bytes": 200 + g.rng.IntN(40_000), "linesAdded": g.rng.IntN(120), "linesRemoved": g.rng.IntN(60), "capability": "fs.write:staging"})
	}
	step(eventlog.RunValidationStarted, rt, 50, map[string]any{"command": "go test ./...", "timeoutMs": 600_000, "workdir": "/home/dev/.local/share/ice-studio/runs/" + runID + "/tree"})
	if g.rng.IntN(8) == 0 {
		step(eventlog.RunValidationFailed, rt, 60_000, map[string]any{"command": "go test ./...", "exitCode": 1, "durationMs": 1_000 + g.rng.IntN(60_000), "outputHash": g.hash(), "summary": g.sentence(4, 12)})
		step(eventlog.RunAborted, rt, 20, map[string]any{"reason": "validation failed", "promptTokens": promptTokens})
		step(eventlog.RunTerminated, rt, 20, map[string]any{"status": "aborted", "durationMs": int((g.at - g.queue[0].At) / int64(time.Millisecond))})
		return
	}
	step(eventlog.RunValidationPassed, rt, 60_000, map[string]any{"command": "go test ./...", "exitCode": 0, "durationMs": 1_000 + g.rng.IntN(60_000), "outputHash": g.hash()})
	step(eventlog.RunCommitRequested, rt, 20, map[string]any{"message": g.sentence(4, 10), "files": len(files), "branch": "ice/run-" + runID[:8], "approvedBy": "user"})
	step(eventlog.RunCommitting, rt, 20, map[string]any{"branch": "ice/run-" + runID[:8], "files": len(files), "parent": g.hash()[:40]})
	step(eventlog.RunCommitted, rt, 500, map[string]any{"commit": g.hash()[:40], "branch": "ice/run-" + runID[:8], "files": len(files), "treeHash": g.hash()})
	step(eventlog.RunTerminated, rt, 20, map[string]any{"status": "committed", "durationMs": int((g.at - g.queue[0].At) / int64(time.Millisecond)), "promptTokens": promptTokens})
}
