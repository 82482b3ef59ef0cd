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
// lifecycle, inference and file reads; payloads average about 150 bytes
// (from 2 to about 650).
// Every event passes the default catalogue (type and origin authority), runs
// follow the kernel's lifecycle, and ids are UUIDv7 from the event's time.
// Versions are AnyVersion and Seq, PrevHash and Hash are left for the store
// to assign.
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

// run queues one run as the kernel records it (backend/kernel: the same
// lifecycle and payload fields): requested by the user, created, provisioned,
// context loaded, then a few inference rounds reading files, staged writes,
// validation with its command, the user's approval and the commit with its
// journal and writes; sometimes validation fails and the run is aborted.
// Only run.created names its cause, as in the kernel.
func (g *Typical) run() {
	ws := g.open
	runID := g.id(g.at)
	stream := "run/" + runID
	model := g.pick(typicalModels)
	root := g.roots[ws]
	step := func(typ, origin string, maxMillis int, cause string, payload map[string]any) eventlog.Event {
		return g.emit(typ, origin, stream, ws, runID, cause, maxMillis, payload)
	}
	rt, agent := eventlog.OriginRuntime, eventlog.AgentPrefix+"coder"
	task := g.sentence(8, 30)
	budget := map[string]any{"maxSteps": 200, "maxTokens": 0, "wallClockMs": 600_000}
	validation := []string{"go", "test", "./..."}
	requested := step(eventlog.RunRequested, eventlog.OriginUser, 30_000, "", map[string]any{"worker": "coder", "task": task})
	step(eventlog.RunCreated, rt, 20, requested.ID, map[string]any{"worker": "coder", "task": task, "budget": budget,
		"autoCommit": false, "validationCommand": validation, "revertOf": ""})
	step(eventlog.RunProvisioned, rt, 400, "", map[string]any{"budget": budget, "root": root})
	files := make([]map[string]any, 1+g.rng.IntN(3))
	for i := range files {
		files[i] = map[string]any{"path": g.path(), "hash": g.hash()}
	}
	step(eventlog.RunContextResolved, rt, 200, "", map[string]any{"files": files})
	step(eventlog.RunMemoryMounted, rt, 50, "", map[string]any{"memories": []string{}})
	step(eventlog.RunCapabilitiesBound, rt, 20, "", map[string]any{"policy": "reads and staged writes inside the workspace",
		"allows": []string{"fs.read **", "fs.write ** (staged)"}})
	step(eventlog.RunExecutionStarted, rt, 20, "", map[string]any{"worker": "coder"})
	for round := range 2 + g.rng.IntN(5) {
		tokens := 800 + g.rng.IntN(6000)
		step(eventlog.InferenceRequest, agent, 50, "", map[string]any{"model": model, "round": round + 1, "promptHash": g.hash(),
			"promptTokens": tokens, "messages": 3 + 2*round})
		if g.rng.IntN(3) == 0 {
			step(eventlog.InferencePlanStep, agent, 3_000, "", map[string]any{"step": round + 1, "text": g.sentence(10, 30)})
		}
		path := g.path()
		step(eventlog.InferenceToolCall, agent, 8_000, "", map[string]any{"tool": g.pick(typicalTools), "callId": "call_" + g.hash()[:16],
			"args": map[string]any{"path": path}})
		step(eventlog.EffectFileRead, rt, 30, "", map[string]any{"path": path, "hash": g.hash(), "size": 200 + g.rng.IntN(40_000)})
		completion := 40 + g.rng.IntN(900)
		step(eventlog.InferenceResponse, agent, 15_000, "", map[string]any{"model": model, "responseHash": g.hash(),
			"completionTokens": completion, "finishReason": "stop", "summary": g.sentence(5, 16)})
		step(eventlog.InferenceTokenSummary, agent, 5, "", map[string]any{"model": model, "promptTokens": tokens,
			"completionTokens": completion, "totalTokens": tokens + completion, "durationMs": 300 + g.rng.IntN(20_000)})
	}
	journal := make([]map[string]any, 1+g.rng.IntN(3))
	for i := range journal {
		journal[i] = map[string]any{"path": g.path(), "op": "write", "before": g.hash(), "after": g.hash()}
		step(eventlog.EffectFileStaged, rt, 50, "", map[string]any{"path": journal[i]["path"], "op": "write",
			"base": journal[i]["before"], "after": journal[i]["after"], "size": 200 + g.rng.IntN(40_000)})
	}
	step(eventlog.RunValidationStarted, rt, 50, "", map[string]any{})
	failed := g.rng.IntN(8) == 0
	exit := 0
	if failed {
		exit = 1
	}
	output := g.hash()
	step(eventlog.EffectCommandExecuted, rt, 60_000, "", map[string]any{"argv": validation,
		"dir": "/tmp/ice-validate-" + runID[24:], "exitCode": exit, "timedOut": false,
		"durationMs": 1_000 + g.rng.IntN(60_000), "output": output, "outputSize": 100 + g.rng.IntN(20_000)})
	if failed {
		step(eventlog.RunValidationFailed, rt, 20, "", map[string]any{"reason": `validation command "go test ./..." failed with exit code 1`,
			"conflicts": nil, "exitCode": exit, "output": output})
		abort := step(eventlog.RunAbortRequested, eventlog.OriginUser, 30_000, "", map[string]any{"reason": "aborted by the user"})
		step(eventlog.RunAborted, rt, 20, abort.ID, map[string]any{"reason": "aborted by the user"})
		step(eventlog.RunTerminated, rt, 20, "", map[string]any{"reason": "teardown after abort"})
		return
	}
	step(eventlog.RunValidationPassed, rt, 20, "", map[string]any{"reason": fmt.Sprintf(`%d staged change(s) apply cleanly and "go test ./..." passed`, len(journal)),
		"conflicts": nil, "exitCode": 0, "output": output})
	approval := step(eventlog.RunCommitApproved, eventlog.OriginUser, 60_000, "", map[string]any{})
	step(eventlog.RunCommitting, rt, 20, approval.ID, map[string]any{"files": journal})
	for _, f := range journal {
		step(eventlog.EffectFileWritten, rt, 5, "", f)
	}
	step(eventlog.RunCommitted, rt, 20, "", map[string]any{"reason": fmt.Sprintf("%d file(s) written", len(journal))})
	step(eventlog.RunTerminated, rt, 20, "", map[string]any{"reason": "teardown after commit"})
}
