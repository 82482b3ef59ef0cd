// Package realollama runs a real Ollama server for tests, with a tiny
// random-weight model (package tinymodel) installed, so the Studio's model
// provider and agent are proven against Ollama itself rather than a fake.
//
// The ollama program comes from ICE_OLLAMA_BIN, which `make test-ollama`
// sets after `scripts/real-ollama build` (ollama v0.6.5, CPU only, built
// from the Go module proxy). Without it the tests that need a server skip.
//
// What to expect of the tiny model through ollama v0.6.5:
//   - answers are word-piece gibberish in printable ASCII, the same for the
//     same request (greedy, fixed seed), and end after num_predict tokens
//     with done reason "length": it never emits </s>, nor a tool call;
//   - without tools an answer streams one chunk per token plus a last,
//     empty, done chunk; with tools v0.6.5 buffers it and sends one done
//     chunk holding all of it (it looks for tool calls in the whole text);
//   - Start takes about 0.1 s; an answer of 24 tokens about 15 ms (some
//     2,500 tokens/s on one thread), the first one 0.25 s more to load
//     the model;
//   - /api/embed works on it (vectors of tinymodel.EmbeddingLength);
//   - the server leaks one of its four slots in about one abandoned stream
//     in ten: a test that cancels many streams should Start its own server.
//
// Server.InstallToolCaller adds a second model (tinymodel.WriteToolCaller)
// whose answer to any prompt is ToolCall, as one token, then </s>:
//   - with tools in the request, v0.6.5 parses the text through Template's
//     range over .ToolCalls and streams one chunk holding the native tool
//     call (no text) and a done chunk, done reason "stop", 2 tokens;
//     without tools the call comes back as text;
//   - installing it takes some 10 ms; Start does not, so a server lists
//     only the tiny model unless a test asks for both.
package realollama

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/internal/tinymodel"
)

// BinaryEnv names the environment variable holding the ollama program.
const BinaryEnv = "ICE_OLLAMA_BIN"

// Model is the name the tiny model is installed under.
const Model = "ice-tiny:latest"

// WeightSeed fixes the tiny model's weights.
const WeightSeed = 20260101

// The tiny model's default options (its Modelfile parameters): greedy
// sampling with a fixed seed, so the same request gets the same answer, and
// a cap on the answer's length, since the tiny model never chooses </s>
// (its output head scores only word pieces): answers end with done reason
// "length" after NumPredict tokens.
const (
	NumCtx      = 2048
	NumPredict  = 24
	SampleSeed  = 42
	Temperature = 0
	// NumThread: one thread. llama.cpp's threads spin while they wait for
	// each other, so with the CPU shared (go test runs packages in
	// parallel) two threads made a 24-token answer take seconds, not 40 ms.
	NumThread = 1
)

// Template is the tiny model's chat template. It renders the tools, then
// every message (with its tool calls), then the assistant's turn:
//
//	<|tools|>
//	{"type":"function","function":{…}}
//	<|system|>
//	You are …
//	<|user|>
//	hi
//	<|assistant|>
//
// It references .Tools, so Ollama reports the "tools" capability, and
// ranges over .ToolCalls, so Ollama can parse an answer of the form
// {"name":"…","arguments":{…}} as a tool call.
const Template = `{{- if .Tools }}<|tools|>
{{ range .Tools }}{{ . }}
{{ end }}{{ end }}
{{- range .Messages }}<|{{ .Role }}|>
{{ .Content }}
{{- range .ToolCalls }}{"name":"{{ .Function.Name }}","arguments":{{ .Function.Arguments }}}{{ end }}
{{ end }}<|assistant|>
`

// parallel is the server's number of slots per model (see Start).
const parallel = 4

// startTimeout bounds how long `ollama serve` may take to answer.
const startTimeout = 30 * time.Second

// Server is a running `ollama serve` with the tiny model installed.
type Server struct {
	Host  string // base URL, e.g. http://127.0.0.1:40123
	Model string // the tiny model's name
	// Stop ends the server now (SIGTERM, then SIGKILL after 5 s) and waits
	// for it; tests that need Ollama to vanish mid-request call it, and
	// cleanup calls it again harmlessly.
	Stop func()

	logPath string
	pid     int // of `ollama serve`
}

// URL returns Host parsed.
func (s *Server) URL() *url.URL {
	u, err := url.Parse(s.Host)
	if err != nil {
		panic(err) // Host is built by Start
	}
	return u
}

// Client returns an api client for the server.
func (s *Server) Client() *api.Client { return api.NewClient(s.URL(), localHTTP()) }

// Log returns what the server has printed so far, for failure messages.
func (s *Server) Log() string { return readLog(s.logPath) }

// KillRunner kills (SIGKILL) the model runners the server has started, as
// a crash or the kernel's OOM killer would, and returns how many it
// killed. The server starts a new runner for the next request.
func (s *Server) KillRunner() (int, error) {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	killed := 0
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue // it exited meanwhile
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(s.pid) {
			if err := syscall.Kill(pid, syscall.SIGKILL); err == nil {
				killed++
			}
		}
	}
	return killed, nil
}

// Start runs `ollama serve` on a free loopback port, with its home and
// model store in tb.TempDir(), installs the tiny model, and stops the
// server when the test ends. It skips the test when ICE_OLLAMA_BIN is not
// set, and fails it when the program cannot run.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return start(tb, nil)
}

// StartDebug is Start with OLLAMA_DEBUG=1: the log then also says when
// the server drops messages that do not fit num_ctx ("truncating input
// messages which exceed context length"), which it does silently otherwise.
func StartDebug(tb testing.TB) *Server {
	tb.Helper()
	return start(tb, []string{"OLLAMA_DEBUG=1"})
}

func start(tb testing.TB, env []string) *Server {
	tb.Helper()
	bin := os.Getenv(BinaryEnv)
	if bin == "" {
		tb.Skip(BinaryEnv + " is not set (make test sets it)")
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		tb.Fatalf("%s=%s is not an executable ollama program (run scripts/real-ollama build): %v", BinaryEnv, bin, err)
	}
	dir := tb.TempDir()
	addr, err := freeAddr()
	if err != nil {
		tb.Fatalf("find a free port for ollama: %v", err)
	}
	s := &Server{Host: "http://" + addr, Model: Model, logPath: filepath.Join(dir, "ollama.log")}
	logFile, err := os.Create(s.logPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer logFile.Close() // the child has its own descriptor

	cmd := exec.Command(bin, "serve")
	cmd.Env = append(environWithout("OLLAMA_"),
		"HOME="+dir,
		"OLLAMA_HOST="+addr,
		"OLLAMA_MODELS="+filepath.Join(dir, "models"),
		// Four slots, not one: ollama v0.6.5 leaks a slot in about one
		// abandoned stream in ten (its chat handler blocks forever sending
		// the next token to a response writer that has stopped reading,
		// holding the slot), and with one slot every later request for the
		// model would hang. Each slot gets num_ctx tokens.
		"OLLAMA_NUM_PARALLEL="+strconv.Itoa(parallel),
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so the model runner it spawns dies with it;
	// and SIGTERM if the test binary dies without cleaning up (a test
	// timeout's panic, a kill), so it does not outlive it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s serve: %v", bin, err)
	}
	s.pid = cmd.Process.Pid
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.Stop = sync.OnceFunc(func() { stop(cmd, exited) })
	tb.Cleanup(s.Stop)

	if err := waitReady(s, exited); err != nil {
		tb.Fatalf("ollama serve at %s: %v\n--- server log ---\n%s", s.Host, err, tail(s.Log()))
	}
	if err := createModel(s, Model, tinyGGUF, defaultParameters()); err != nil {
		tb.Fatalf("create %s in ollama at %s: %v\n--- server log ---\n%s", Model, s.Host, err, tail(s.Log()))
	}
	return s
}

// waitReady polls the version endpoint until the server answers, exits, or
// startTimeout passes.
func waitReady(s *Server, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	c := s.Client()
	for {
		_, err := c.Version(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("it exited before answering")
		case <-ctx.Done():
			return fmt.Errorf("no answer within %s: %v", startTimeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ToolCallerModel is the name InstallToolCaller installs the tool caller
// under (package tinymodel's WriteToolCaller).
const ToolCallerModel = "ice-toolcaller:latest"

// ToolCall is the tool caller's answer to every prompt: one call of
// read_file, which Template lets Ollama parse as a native tool call.
const ToolCall = `{"name":"read_file","arguments":{"path":"README.md"}}`

// ToolCallerNumPredict caps the tool caller's answers. It answers in two
// tokens (the call, then </s>), so the cap is only a guard.
const ToolCallerNumPredict = 8

// gguf is a model file to upload, with its blob digest.
type gguf struct {
	bytes  []byte
	digest string
}

func newGGUF(write func(*bytes.Buffer) error) func() (gguf, error) {
	return sync.OnceValues(func() (gguf, error) {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return gguf{}, err
		}
		return gguf{b.Bytes(), fmt.Sprintf("sha256:%x", sha256.Sum256(b.Bytes()))}, nil
	})
}

var (
	tinyGGUF       = newGGUF(func(b *bytes.Buffer) error { return tinymodel.WriteGGUF(b, WeightSeed) })
	toolCallerGGUF = newGGUF(func(b *bytes.Buffer) error { return tinymodel.WriteToolCaller(b, WeightSeed, ToolCall) })
)

// InstallToolCaller installs the tool caller as ToolCallerModel, with
// Template and the tiny model's options but ToolCallerNumPredict, and
// returns its name. Start does not install it, so a server lists only the
// tiny model unless a test asks for more.
func (s *Server) InstallToolCaller(tb testing.TB) string {
	tb.Helper()
	params := defaultParameters()
	params["num_predict"] = ToolCallerNumPredict
	if err := createModel(s, ToolCallerModel, toolCallerGGUF, params); err != nil {
		tb.Fatalf("create %s in ollama at %s: %v\n--- server log ---\n%s", ToolCallerModel, s.Host, err, tail(s.Log()))
	}
	return ToolCallerModel
}

// defaultParameters are the tiny model's Modelfile parameters.
func defaultParameters() map[string]any {
	return map[string]any{
		"num_ctx":     NumCtx,
		"num_predict": NumPredict,
		"seed":        SampleSeed,
		"temperature": Temperature,
		"num_thread":  NumThread,
	}
}

// createModel uploads a model's GGUF as a blob and creates name from it
// with Template and params.
func createModel(s *Server, name string, file func() (gguf, error), params map[string]any) error {
	g, err := file()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := s.Client()
	if err := c.CreateBlob(ctx, g.digest, bytes.NewReader(g.bytes)); err != nil {
		return fmt.Errorf("upload blob %s: %w", g.digest, err)
	}
	var last string
	err = c.Create(ctx, &api.CreateRequest{
		Model:      name,
		Files:      map[string]string{strings.TrimSuffix(name, ":latest") + ".gguf": g.digest},
		Template:   Template,
		Parameters: params,
	}, func(p api.ProgressResponse) error { last = p.Status; return nil })
	if err != nil {
		return err
	}
	if last != "success" {
		return fmt.Errorf("the create stream ended with %q, not success", last)
	}
	return nil
}

// stop sends SIGTERM (Ollama then unloads its runners), waits up to 5 s,
// then kills the whole process group; either way no runner outlives it.
func stop(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-exited
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// localHTTP is a client that never goes through a proxy.
func localHTTP() *http.Client {
	return &http.Client{Transport: &http.Transport{Proxy: nil}}
}

// environWithout returns the environment minus the variables starting with
// prefix, so a developer's OLLAMA_* settings do not leak into the server.
func environWithout(prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			env = append(env, kv)
		}
	}
	return env
}

func readLog(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// tail keeps the end of a long log, where the failure is.
func tail(s string) string {
	const max = 8 << 10
	if len(s) > max {
		return "…" + s[len(s)-max:]
	}
	return s
}
