// Package capability is ICE Studio's permission system: what a run may do,
// decided by the runtime, never by a model. Every effect a run proposes is
// a Request of one Kind; the Enforcer decides it from the workspace Policy
// (allow / ask / deny rules), the Grants in force (issued on a user decision
// or a policy rule, bound to a run or standing, with optional expiry and use
// limit, revocable), and the run's Profile. Grants, revocations, policy
// changes, uses and denials are events; the Enforcer's state is a fold of
// them.
package capability

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"golang.org/x/text/unicode/norm"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

// Kinds of capability.
const (
	FSRead      = "fs.read"
	FSWrite     = "fs.write"
	ShellExec   = "shell.exec"
	NetHTTP     = "net.http"
	ModelInvoke = "model.invoke"
	MemoryWrite = "memory.write"
	// GitCommit is a commit, in the workspace's git repository, of the
	// files a committed run wrote (the user's action after the run). Its
	// scope is the workspace itself: a rule or grant has no scope fields.
	GitCommit = "git.commit"
	// MCPCall is a call of a tool of a Model Context Protocol server,
	// scoped by "server/tool" (globs) and optionally by its arguments.
	MCPCall = "mcp.call"
)

// Kinds lists every kind, in display order.
var Kinds = []string{FSRead, FSWrite, ShellExec, NetHTTP, ModelInvoke, MemoryWrite, GitCommit, MCPCall}

// Limits on what a request may name.
const (
	MaxPathBytes      = 4096
	MaxComponentBytes = 255
	MaxArgs           = 1024
	MaxArgBytes       = 128 << 10
	// MaxMCPArgs bounds the arguments of one MCP tool call (JSON).
	MaxMCPArgs = 4 << 20
	// MaxMCPName bounds a server's or a tool's name.
	MaxMCPName = 128
)

// Errors of requests and scopes.
var (
	ErrBadRequest = errors.New("malformed request")
	ErrBadScope   = errors.New("invalid scope")
	ErrUnknown    = errors.New("unknown capability kind")
)

// Scope is what a rule or grant covers; the field used depends on the kind.
type Scope struct {
	// Glob (fs.read, fs.write) is a doublestar glob relative to the
	// workspace root: "src/**", "*.md", "docs/guide.md". It matches the
	// canonical path exactly (case-sensitively); "**" does not reach into
	// a .git folder for writes, which only a glob naming ".git" can.
	Glob string `json:"glob,omitempty"`
	// Argv (shell.exec) is a prefix of the parsed argv: ["git","status"]
	// allows "git status" and "git status --short", never "git push",
	// "git-evil" or "sh -c 'git status'". ["*"] is any command.
	Argv []string `json:"argv,omitempty"`
	// Host (net.http) is "example.com", "*.example.com" or "*", with an
	// optional ":port" (without one: ports 80 and 443 only).
	Host string `json:"host,omitempty"`
	// Model (model.invoke) is a model name or pattern ("llama3*", "*"),
	// and Endpoint the Ollama server (host:port), "" for any.
	Model    string `json:"model,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	// Memory (memory.write) is "workspace", "global" or "*".
	Memory string `json:"memory,omitempty"`
	// Limits (shell.exec) override the workspace's compute limits for the
	// commands this grant allows (nil: the workspace's).
	Limits *Limits `json:"limits,omitempty"`
	// Tool (mcp.call) is "server/tool" with globs: "github/create_issue",
	// "github/*" (every tool of a server), "*/*" (every MCP tool).
	Tool string `json:"tool,omitempty"`
	// Args (mcp.call) narrow a scope by the call's arguments: each JSON
	// pointer ("/path", "/repo/owner") must name a value whose text (a
	// string as it is, anything else as compact JSON) matches the glob.
	Args map[string]string `json:"args,omitempty"`
}

// Limits are the compute one command may use: CPU time, wall clock,
// resident memory and processes of all its processes together, and its
// output. A zero field means "the default" (the workspace's, else the
// Studio's).
type Limits struct {
	CPUTimeMs   int64 `json:"cpuTimeMs,omitempty"`
	WallClockMs int64 `json:"wallClockMs,omitempty"`
	MemoryBytes int64 `json:"memoryBytes,omitempty"`
	Processes   int   `json:"processes,omitempty"`
	OutputBytes int64 `json:"outputBytes,omitempty"`
}

// Or fills the zero fields of l from d.
func (l Limits) Or(d Limits) Limits {
	if l.CPUTimeMs <= 0 {
		l.CPUTimeMs = d.CPUTimeMs
	}
	if l.WallClockMs <= 0 {
		l.WallClockMs = d.WallClockMs
	}
	if l.MemoryBytes <= 0 {
		l.MemoryBytes = d.MemoryBytes
	}
	if l.Processes <= 0 {
		l.Processes = d.Processes
	}
	if l.OutputBytes <= 0 {
		l.OutputBytes = d.OutputBytes
	}
	return l
}

// Check refuses negative limits.
func (l Limits) Check() error {
	if l.CPUTimeMs < 0 || l.WallClockMs < 0 || l.MemoryBytes < 0 || l.Processes < 0 || l.OutputBytes < 0 {
		return fmt.Errorf("%w: limits cannot be negative", ErrBadScope)
	}
	return nil
}

// Request is one effect to authorise.
type Request struct {
	Kind string   `json:"kind"`
	Path string   `json:"path,omitempty"` // fs: workspace-relative (canonicalised by Canonical)
	Argv []string `json:"argv,omitempty"` // shell.exec
	Dir  string   `json:"dir,omitempty"`  // shell.exec: working folder, workspace-relative
	Host string   `json:"host,omitempty"` // net.http (and model.invoke's endpoint host)
	Port int      `json:"port,omitempty"`
	// model.invoke
	Model    string `json:"model,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	// memory.write
	Memory string `json:"memory,omitempty"`
	// mcp.call: the server and tool by name, the arguments (a JSON
	// object, compacted by Canonical) and the hash of the tool's
	// definition as the server presents it now (see Enforcer.SetPin).
	Server string          `json:"server,omitempty"`
	Tool   string          `json:"tool,omitempty"`
	Args   json.RawMessage `json:"args,omitempty"`
	Def    string          `json:"def,omitempty"`
}

// Target is the request in words, for the UI and the events.
func (r Request) Target() string {
	switch r.Kind {
	case FSRead, FSWrite:
		return r.Path
	case ShellExec:
		s := quoteArgv(r.Argv)
		if r.Dir != "" && r.Dir != "." {
			s += " (in " + r.Dir + ")"
		}
		return s
	case NetHTTP:
		return net(r.Host, r.Port)
	case ModelInvoke:
		return modelAt(r.Model, r.Endpoint)
	case MemoryWrite:
		return r.Memory
	case GitCommit:
		return "the workspace's git repository"
	case MCPCall:
		return r.Server + "/" + r.Tool
	}
	return ""
}

// quoteArgv writes an argv as a shell would need it typed.
func quoteArgv(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// modelAt names a model, at an endpoint when one is given.
func modelAt(model, endpoint string) string {
	if endpoint != "" {
		return model + " @ " + endpoint
	}
	return model
}

func net(host string, port int) string {
	if port == 0 {
		return host
	}
	return host + ":" + strconv.Itoa(port)
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`;&|<>(){}*?[]#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Canonical checks a request and puts it in the one form rules are matched
// against: paths cleaned (no "./", "//" or "..", nothing absolute), with no
// NUL, control or invisible formatting characters (which could make two
// names look alike), of bounded length; argv without NUL; host names
// lower-cased without a trailing dot. What cannot be canonicalised is
// refused with ErrBadRequest.
func Canonical(r Request) (Request, error) {
	switch r.Kind {
	case FSRead, FSWrite:
		if r.Kind == FSRead && (r.Path == "." || r.Path == "") {
			r.Path = "." // the workspace folder itself (a listing)
			break
		}
		p, err := CanonicalPath(r.Path)
		if err != nil {
			return r, err
		}
		r.Path = p
	case ShellExec:
		if len(r.Argv) == 0 || r.Argv[0] == "" {
			return r, fmt.Errorf("%w: empty command", ErrBadRequest)
		}
		if len(r.Argv) > MaxArgs {
			return r, fmt.Errorf("%w: more than %d arguments", ErrBadRequest, MaxArgs)
		}
		for _, a := range r.Argv {
			if strings.ContainsRune(a, 0) || len(a) > MaxArgBytes || !utf8.ValidString(a) {
				return r, fmt.Errorf("%w: an argument holds a NUL byte, invalid UTF-8 or is too long", ErrBadRequest)
			}
		}
		if r.Dir == "" {
			r.Dir = "."
		} else if r.Dir != "." {
			d, err := CanonicalPath(r.Dir)
			if err != nil {
				return r, err
			}
			r.Dir = d
		}
	case NetHTTP:
		h, err := canonicalHost(r.Host)
		if err != nil {
			return r, err
		}
		if r.Port < 0 || r.Port > 65535 {
			return r, fmt.Errorf("%w: port %d", ErrBadRequest, r.Port)
		}
		r.Host = h
	case ModelInvoke:
		if r.Model == "" || strings.ContainsFunc(r.Model, invisible) {
			return r, fmt.Errorf("%w: model name %q", ErrBadRequest, r.Model)
		}
		r.Endpoint = strings.ToLower(strings.TrimSuffix(r.Endpoint, "/"))
	case MemoryWrite:
		if r.Memory != "workspace" && r.Memory != "global" {
			return r, fmt.Errorf("%w: memory scope %q (workspace or global)", ErrBadRequest, r.Memory)
		}
	case GitCommit:
		r = Request{Kind: GitCommit} // the workspace is the whole scope
	case MCPCall:
		for _, n := range []string{r.Server, r.Tool} {
			if err := checkMCPName(n); err != nil {
				return r, fmt.Errorf("%w: %v", ErrBadRequest, err)
			}
		}
		args, err := compactObject(r.Args)
		if err != nil {
			return r, fmt.Errorf("%w: the arguments of %s/%s: %v", ErrBadRequest, r.Server, r.Tool, err)
		}
		r.Args = args
	default:
		return r, fmt.Errorf("%w: %q", ErrUnknown, r.Kind)
	}
	return r, nil
}

// invisible reports characters that have no business in a name: controls,
// and format characters such as zero-width joiners and bidi overrides
// that make one name display as another.
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
}

// CanonicalPath cleans a workspace-relative path and refuses what could
// escape or deceive: see Canonical. Symlinks are not resolved here (the
// kernel resolves the path again at the moment of use, so a link made
// after a grant is still caught).
func CanonicalPath(p string) (string, error) {
	if len(p) > MaxPathBytes {
		return "", fmt.Errorf("%w: path longer than %d bytes", ErrBadRequest, MaxPathBytes)
	}
	if !utf8.ValidString(p) || strings.ContainsFunc(p, invisible) {
		return "", fmt.Errorf("%w: path %q holds invalid UTF-8, control or invisible characters", ErrBadRequest, p)
	}
	clean, err := workspace.CleanRel(p)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	for _, c := range strings.Split(clean, "/") {
		if len(c) > MaxComponentBytes {
			return "", fmt.Errorf("%w: a path component is longer than %d bytes", ErrBadRequest, MaxComponentBytes)
		}
	}
	return clean, nil
}

func canonicalHost(h string) (string, error) {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	if h == "" || len(h) > 253 || strings.ContainsAny(h, "/@:?#[]\\ ") || strings.ContainsFunc(h, invisible) {
		return "", fmt.Errorf("%w: host %q", ErrBadRequest, h)
	}
	return h, nil
}

// Check validates a scope for a kind.
func (s Scope) Check(kind string) error {
	switch kind {
	case FSRead, FSWrite:
		g := strings.TrimPrefix(s.Glob, "./")
		if g == "" || strings.HasPrefix(g, "/") || strings.Contains(g, "..") || !doublestar.ValidatePattern(g) || strings.ContainsFunc(g, invisible) {
			return fmt.Errorf("%w: glob %q (a pattern relative to the workspace, such as src/** or *.md)", ErrBadScope, s.Glob)
		}
	case ShellExec:
		if len(s.Argv) == 0 || s.Argv[0] == "" {
			return fmt.Errorf("%w: a command prefix needs at least the program name", ErrBadScope)
		}
		if s.Limits != nil {
			if err := s.Limits.Check(); err != nil {
				return err
			}
		}
		for _, a := range s.Argv {
			if strings.ContainsRune(a, 0) {
				return fmt.Errorf("%w: NUL in a command prefix", ErrBadScope)
			}
		}
	case NetHTTP:
		host, port, _ := strings.Cut(s.Host, ":")
		if host == "" || (port != "" && !validPort(port)) || strings.ContainsAny(host, "/@?#[] ") {
			return fmt.Errorf("%w: host %q (host, *.domain or *, with an optional :port)", ErrBadScope, s.Host)
		}
	case ModelInvoke:
		if s.Model == "" {
			return fmt.Errorf("%w: a model name or pattern is needed", ErrBadScope)
		}
		if _, err := path.Match(s.Model, ""); err != nil {
			return fmt.Errorf("%w: model pattern %q", ErrBadScope, s.Model)
		}
	case MemoryWrite:
		if s.Memory != "workspace" && s.Memory != "global" && s.Memory != "*" {
			return fmt.Errorf("%w: memory scope %q (workspace, global or *)", ErrBadScope, s.Memory)
		}
	case GitCommit:
		if s.Glob != "" || len(s.Argv) > 0 || s.Host != "" || s.Model != "" || s.Memory != "" || s.Tool != "" {
			return fmt.Errorf("%w: git.commit takes no scope (it is the workspace's repository)", ErrBadScope)
		}
	case MCPCall:
		return checkToolScope(s)
	default:
		return fmt.Errorf("%w: %q", ErrUnknown, kind)
	}
	return nil
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n > 0 && n <= 65535
}

// Describe is a scope in words.
func (s Scope) Describe(kind string) string {
	switch kind {
	case FSRead, FSWrite:
		return s.Glob
	case ShellExec:
		if len(s.Argv) == 1 && s.Argv[0] == "*" {
			return "any command"
		}
		return quoteArgv(s.Argv) + " …"
	case NetHTTP:
		return s.Host
	case ModelInvoke:
		return modelAt(s.Model, s.Endpoint)
	case MemoryWrite:
		return s.Memory
	case GitCommit:
		return "this workspace's repository"
	case MCPCall:
		return describeTool(s)
	}
	return ""
}

// Matches reports whether a scope covers a canonical request of kind. It
// is deliberately literal: an allowing match never folds case, never
// normalises Unicode and never guesses (see MatchesLoosely for deny rules).
func Matches(kind string, s Scope, r Request) bool {
	if r.Kind != kind {
		return false
	}
	switch kind {
	case FSRead, FSWrite:
		g := strings.TrimPrefix(s.Glob, "./")
		if kind == FSWrite && underGit(r.Path) && !namesGit(g) {
			return false // only a glob that names .git itself reaches into it
		}
		if r.Path == "." {
			return g == "**" // the folder itself: only a grant of everything covers it
		}
		ok, err := doublestar.Match(g, r.Path)
		return err == nil && ok
	case ShellExec:
		if len(s.Argv) == 1 && s.Argv[0] == "*" {
			return true
		}
		if len(r.Argv) < len(s.Argv) {
			return false
		}
		for i, a := range s.Argv {
			if r.Argv[i] != a {
				return false
			}
		}
		// Arguments past the prefix may not smuggle shell syntax: the argv
		// is never given to a shell, but a program that passes it on to
		// one (or a user reading the approval) should not be fooled.
		for _, a := range r.Argv[len(s.Argv):] {
			if strings.ContainsAny(a, ";&|`$<>\n") {
				return false
			}
		}
		return true
	case NetHTTP:
		host, port, hasPort := strings.Cut(strings.ToLower(s.Host), ":")
		if hasPort {
			if p, _ := strconv.Atoi(port); p != r.Port {
				return false
			}
		} else if r.Port != 0 && r.Port != 80 && r.Port != 443 {
			return false
		}
		switch {
		case host == "*":
			return true
		case strings.HasPrefix(host, "*."):
			return strings.HasSuffix(r.Host, host[1:]) && len(r.Host) > len(host)-1
		default:
			return r.Host == host
		}
	case ModelInvoke:
		if s.Endpoint != "" && !strings.EqualFold(s.Endpoint, r.Endpoint) {
			return false
		}
		ok, err := path.Match(s.Model, r.Model)
		return err == nil && ok
	case MemoryWrite:
		return s.Memory == "*" || s.Memory == r.Memory
	case GitCommit:
		return true // grants and rules are per workspace already
	case MCPCall:
		return matchesTool(s, r, false)
	}
	return false
}

// MatchesLoosely is Matches for deny rules: paths and globs are compared
// after Unicode normalisation (NFC) and case folding, and argv[0] by its
// base name, so "SECRETS/x", an NFD spelling or "/usr/bin/curl" cannot
// slip past a deny written as "secrets/**" or "curl".
func MatchesLoosely(kind string, s Scope, r Request) bool {
	if Matches(kind, s, r) {
		return true
	}
	switch kind {
	case FSRead, FSWrite:
		g := fold(strings.TrimPrefix(s.Glob, "./"))
		ok, err := doublestar.Match(g, fold(r.Path))
		return err == nil && ok
	case ShellExec:
		if len(r.Argv) == 0 || len(s.Argv) == 0 {
			return false
		}
		argv := append([]string{path.Base(r.Argv[0])}, r.Argv[1:]...)
		if len(argv) < len(s.Argv) {
			return false
		}
		for i, a := range s.Argv {
			if !strings.EqualFold(argv[i], a) && !(i == 0 && strings.EqualFold(argv[0], path.Base(a))) {
				return false
			}
		}
		return true
	case MCPCall:
		return matchesTool(s, r, true)
	}
	return false
}

// namesGit reports whether a glob has a literal ".git" component.
func namesGit(g string) bool {
	for _, c := range strings.Split(g, "/") {
		if c == ".git" {
			return true
		}
	}
	return false
}

func fold(s string) string { return strings.ToLower(norm.NFC.String(s)) }

// underGit reports whether a path is inside a .git folder at any depth
// (case-insensitively: on a case-insensitive disk .GIT is the same folder).
func underGit(p string) bool {
	for _, c := range strings.Split(p, "/") {
		if strings.EqualFold(norm.NFC.String(c), ".git") {
			return true
		}
	}
	return false
}
