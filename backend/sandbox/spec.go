// Package sandbox runs one command of a run inside the kernel's sandbox:
// the Studio re-executes its own binary as a small helper that enters new
// user, mount, PID, network, IPC and UTS namespaces, mounts the workspace
// as an overlay (lower: the real folder, read-only; upper: a scratch
// folder), shows the rest of the filesystem read-only with a private /tmp
// and $HOME, starts the command from an exact environment, adds Landlock
// and a seccomp filter, enforces the compute limits, and reaps every
// process when the command ends. After the command the caller gets what it
// changed in the workspace view (the overlay's upper layer) as Changes; the
// real workspace is never written.
package sandbox

import (
	"io"

	"github.com/ice-studio/ice-studio/backend/capability"
)

// Modes of the workspace view, as recorded in effect.command_executed.
const (
	ModeOverlay     = "overlayfs"      // kernel overlayfs in the user namespace
	ModeFuse        = "fuse-overlayfs" // the FUSE implementation, where the kernel's is unavailable
	ModeCopy        = "copy"           // a full copy of the workspace (last resort)
	ModeUnsandboxed = "unsandboxed"    // a plain child process (only by an explicit, recorded workspace setting)
)

// Limits bound one command (zero fields: DefaultLimits).
type Limits = capability.Limits

// File is one staged edit of the run, applied to the workspace view before
// the command starts. Data nil with Delete set is a deletion.
type File struct {
	Path   string // slash-separated, relative to the workspace root
	Data   []byte
	Delete bool
}

// Bind is a host folder made visible inside the sandbox at the same path.
type Bind struct {
	Path     string
	Writable bool
}

// Spec is one command to run.
type Spec struct {
	Root string   // the real workspace folder (canonical): seen at the same path inside, changes land in the upper layer
	Dir  string   // working folder relative to Root ("" or "." for the root)
	Argv []string // argv[0] is looked up in the PATH of Env
	// Env is the command's whole environment (the caller builds it from
	// the workspace's allowlist); nothing of the Studio's own reaches it.
	// HOME and TMPDIR are set by the sandbox.
	Env []string
	// Staged are the run's staged edits, put into the view first.
	Staged []File
	// Scratch is a fresh folder for this command (upper and work layers,
	// the private home and /tmp); the caller removes it after reading the
	// changes.
	Scratch string
	// Binds are extra folders (per-workspace build caches) visible at
	// their own path.
	Binds []Bind
	// ProxySocket is the kernel's proxy (a Unix socket). When set, the
	// sandbox serves it on 127.0.0.1:ProxyPort inside, and the caller puts
	// the proxy variables in Env. Empty: no network at all.
	ProxySocket string
	Limits      Limits
	// Mode forces a workspace view (tests, the CLI); "" picks the best
	// the machine offers. ModeUnsandboxed runs a plain child.
	Mode   string
	Stdin  io.Reader // nil: /dev/null
	Output io.Writer // stdout and stderr together (nil: discarded)
	// Stderr, when set, gets the command's stderr apart from Output (an
	// MCP server's protocol is on stdout, its log on stderr). The output
	// limit counts Output only.
	Stderr io.Writer
}

// ProxyPort is where the kernel's proxy answers inside the sandbox.
const ProxyPort = 3128

// Change is one file the command changed in the workspace view.
type Change struct {
	Path string `json:"path"` // slash-separated, relative to the root
	// Op is "write" (created or modified), "delete", or "unsupported"
	// (a symbolic link, a device, a folder's mode: not staged).
	Op     string `json:"op"`
	Size   int64  `json:"size,omitempty"`
	Mode   uint32 `json:"mode,omitempty"` // permission bits of a written file
	Detail string `json:"detail,omitempty"`
	// Data is the new content of a written file.
	Data []byte `json:"-"`
}

// Change operations.
const (
	OpWrite       = "write"
	OpDelete      = "delete"
	OpUnsupported = "unsupported"
)

// Result is how a command ended and what it did.
type Result struct {
	ExitCode int    `json:"exitCode"` // -1 when killed by a signal or a limit
	Signal   string `json:"signal,omitempty"`
	// Limit names the limit the command was killed for: "cpu", "memory",
	// "processes", "output", "wall clock" ("" when none).
	Limit      string   `json:"limit,omitempty"`
	Mode       string   `json:"mode"`
	Limits     Limits   `json:"limits"`
	DurationMs int64    `json:"durationMs"`
	StartUs    int64    `json:"startUs"` // from Run to the command's exec, in µs
	CPUTimeMs  int64    `json:"cpuTimeMs"`
	PeakMemory int64    `json:"peakMemoryBytes"` // the largest resident set seen
	OutputSize int64    `json:"outputSize"`
	Changes    []Change `json:"changes"`
	Layers     []string `json:"layers,omitempty"` // the second layers in force: "landlock ABI 7", "seccomp"
}

// DefaultLimits are the limits a command gets when the workspace policy
// and its grant name none.
var DefaultLimits = Limits{CPUTimeMs: 10 * 60 * 1000, WallClockMs: 10 * 60 * 1000, MemoryBytes: 4 << 30, Processes: 512, OutputBytes: 16 << 20}

// Status is what this machine offers the sandbox, found by Probe.
type Status struct {
	Available   bool   `json:"available"` // commands can be sandboxed
	Mode        string `json:"mode"`      // the workspace view Run picks
	UserNS      bool   `json:"userNs"`
	Overlay     bool   `json:"overlay"` // kernel overlayfs inside a user namespace
	Fuse        bool   `json:"fuse"`    // fuse-overlayfs installed and usable
	LandlockABI int    `json:"landlockAbi"`
	Seccomp     bool   `json:"seccomp"`
	Reason      string `json:"reason,omitempty"` // why commands cannot be sandboxed
	Hint        string `json:"hint,omitempty"`   // how to fix it
}
