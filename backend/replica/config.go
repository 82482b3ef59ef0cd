// Package replica copies the event log to a place outside this machine's
// reach with Litestream (github.com/benbjohnson/litestream), restores it
// from there, and reports how far the copy has got: the replica is the
// log's external witness (a rewrite or a cut tail of the local log no
// longer matches it).
//
// Litestream runs in a child process (this same executable, started with
// ChildEnv set), not in the Studio's own process: Litestream reads the
// database with modernc.org/sqlite, the log is written with
// github.com/mattn/go-sqlite3, and two SQLite libraries in one process do
// not see each other's POSIX locks, so Litestream's read lock (which keeps
// the WAL from being checkpointed under it) and the log's own locks would
// not exclude each other. Across processes they do.
package replica

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/sftp"
)

// Sentinel errors of the package.
var (
	ErrBadURL      = errors.New("the replica URL is not file:///path or sftp://user@host[:port]/path")
	ErrExists      = errors.New("the restore target already exists (ICE Studio never overwrites a log)")
	ErrEmpty       = errors.New("the replica holds no copy of the log yet")
	ErrNotRunning  = errors.New("the replicator is not running")
	ErrChildFailed = errors.New("the replicator process failed")
)

// Config says where the log is replicated to.
type Config struct {
	// URL is file:///absolute/path or sftp://user@host[:port]/path.
	URL string `json:"url"`
	// KeyFile is the SSH private key file for sftp (optional).
	KeyFile string `json:"keyFile,omitempty"`
	// Password is the SSH password for sftp (optional; never logged, never
	// in an event, never on a command line).
	Password string `json:"password,omitempty"`
}

// Redacted is the URL without any password, for logs, events and the UI.
func (c Config) Redacted() string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return "(unparseable replica URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// client builds the Litestream replica client for c.
func (c Config) client(log *slog.Logger) (litestream.ReplicaClient, error) {
	u, err := url.Parse(strings.TrimSpace(c.URL))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("%w: file URL %q names host %q; write file:///absolute/path", ErrBadURL, c.Redacted(), u.Host)
		}
		if u.Path == "" || !strings.HasPrefix(u.Path, "/") {
			return nil, fmt.Errorf("%w: file URL %q needs an absolute path (file:///path)", ErrBadURL, c.Redacted())
		}
		fc := file.NewReplicaClient(u.Path)
		fc.SetLogger(log)
		return fc, nil
	case "sftp":
		sc := sftp.NewReplicaClient()
		sc.SetLogger(log)
		if u.Hostname() == "" || u.User == nil || u.User.Username() == "" {
			return nil, fmt.Errorf("%w: sftp URL %q needs a user and a host (sftp://user@host:22/path)", ErrBadURL, c.Redacted())
		}
		sc.Host = u.Host
		if u.Port() == "" {
			sc.Host = net.JoinHostPort(u.Hostname(), "22")
		}
		sc.User = u.User.Username()
		sc.Password, _ = u.User.Password()
		if c.Password != "" {
			sc.Password = c.Password
		}
		sc.KeyPath = c.KeyFile
		sc.Path = u.Path
		if sc.Path == "" {
			return nil, fmt.Errorf("%w: sftp URL %q needs a path", ErrBadURL, c.Redacted())
		}
		if sc.Password == "" && sc.KeyPath == "" {
			return nil, fmt.Errorf("%w: sftp URL %q needs a key file or a password", ErrBadURL, c.Redacted())
		}
		return sc, nil
	default:
		return nil, fmt.Errorf("%w: scheme %q of %q is not supported", ErrBadURL, u.Scheme, c.Redacted())
	}
}

// Validate checks that c names a supported replica, without connecting.
func (c Config) Validate() error {
	_, err := c.client(slog.New(slog.DiscardHandler))
	return err
}
