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
	"path"
	"strings"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"
	"github.com/benbjohnson/litestream/sftp"
	"golang.org/x/crypto/ssh"
)

// Sentinel errors of the package.
var (
	ErrBadURL      = errors.New("the replica URL is not file:///path, sftp://user@host[:port]/path or s3://bucket/path")
	ErrBadConfig   = errors.New("the replica's settings are incomplete")
	ErrDenied      = errors.New("the replica refused the credentials")
	ErrHostKey     = errors.New("the sftp server's host key is not the one configured")
	ErrNoBucket    = errors.New("the S3 bucket does not exist")
	ErrExists      = errors.New("the restore target already exists (ICE Studio never overwrites a log)")
	ErrEmpty       = errors.New("the replica holds no copy of the log yet")
	ErrNotRunning  = errors.New("the replicator is not running")
	ErrChildFailed = errors.New("the replicator process failed")
)

// Config says where the log is replicated to. Its secrets (Password,
// SecretAccessKey) are never logged, never in an event or an error, never
// on a command line: the replicator process reads Config on its stdin.
type Config struct {
	// URL is file:///absolute/path, sftp://user@host[:port]/path or
	// s3://bucket[/path].
	URL string `json:"url"`
	// KeyFile is the SSH private key file for sftp (optional).
	KeyFile string `json:"keyFile,omitempty"`
	// Password is the SSH password for sftp (optional).
	Password string `json:"password,omitempty"`
	// HostKey is the sftp server's public host key in authorized_keys
	// form ("ssh-ed25519 AAAA…", as in its /etc/ssh/ssh_host_*_key.pub).
	// With it a server presenting another key is refused; without it
	// the host is not verified.
	HostKey string `json:"hostKey,omitempty"`

	// Endpoint is an S3-compatible server's URL (http://127.0.0.1:8333,
	// https://s3.example.net); empty for Amazon S3. With an endpoint,
	// buckets are addressed path-style (endpoint/bucket/key), which every
	// S3-compatible server accepts and which needs no DNS per bucket.
	Endpoint string `json:"endpoint,omitempty"`
	// Region is the S3 region (default: us-east-1 with an Endpoint; looked
	// up from the bucket on Amazon S3).
	Region string `json:"region,omitempty"`
	// AccessKeyID and SecretAccessKey are the S3 credentials (both needed).
	AccessKeyID     string `json:"accessKeyId,omitempty"`
	SecretAccessKey string `json:"secretAccessKey,omitempty"`
}

// Redacted is the URL without any password, for logs, events and the UI.
func (c Config) Redacted() string {
	if _, err := url.Parse(c.URL); err != nil {
		return "(unparseable replica URL)"
	}
	return redactURL(c.URL)
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
		if c.HostKey != "" {
			if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(c.HostKey)); err != nil {
				return nil, fmt.Errorf("%w: the sftp host key of %q is not a public key in authorized_keys form (ssh-ed25519 AAAA…): %v", ErrBadConfig, c.Redacted(), err)
			}
			sc.HostKey = c.HostKey
		}
		sc.Path = u.Path
		if sc.Path == "" {
			return nil, fmt.Errorf("%w: sftp URL %q needs a path", ErrBadURL, c.Redacted())
		}
		if sc.Password == "" && sc.KeyPath == "" {
			return nil, fmt.Errorf("%w: sftp URL %q needs a key file or a password", ErrBadURL, c.Redacted())
		}
		return explainingClient{ReplicaClient: sc, url: c.Redacted()}, nil
	case "s3":
		sc, err := c.s3Client(u, log)
		if err != nil {
			return nil, err
		}
		return explainingClient{ReplicaClient: sc, url: c.Redacted(), init: &initState{}}, nil
	default:
		return nil, fmt.Errorf("%w: scheme %q of %q is not supported", ErrBadURL, u.Scheme, c.Redacted())
	}
}

// s3Client builds the client of an s3://bucket/path URL.
func (c Config) s3Client(u *url.URL, log *slog.Logger) (*s3.ReplicaClient, error) {
	if u.User != nil {
		return nil, fmt.Errorf("%w: s3 URL %q holds credentials; put them in the access key fields, not the URL", ErrBadURL, c.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%w: s3 URL %q names no bucket (s3://bucket/path)", ErrBadURL, c.Redacted())
	}
	if !validBucket(u.Host) {
		return nil, fmt.Errorf("%w: %q is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)", ErrBadURL, u.Host)
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return nil, fmt.Errorf("%w: s3 replica %s needs an access key id and its secret access key", ErrBadConfig, c.Redacted())
	}
	sc := s3.NewReplicaClient()
	sc.SetLogger(log)
	sc.Bucket = u.Host
	sc.Path = strings.Trim(path.Clean("/"+u.Path), "/")
	sc.Region = c.Region
	sc.AccessKeyID, sc.SecretAccessKey = c.AccessKeyID, c.SecretAccessKey
	if c.Endpoint != "" {
		e, err := url.Parse(c.Endpoint)
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || e.User != nil {
			return nil, fmt.Errorf("%w: the s3 endpoint %q is not http(s)://host[:port]", ErrBadConfig, redactURL(c.Endpoint))
		}
		sc.Endpoint = strings.TrimSuffix(e.String(), "/")
		sc.ForcePathStyle = true
		if sc.Region == "" {
			sc.Region = s3.DefaultRegion
		}
	}
	return sc, nil
}

// validBucket reports whether name follows S3's bucket naming rules
// (the parts a URL host can break).
func validBucket(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || (r == '.' || r == '-') && i > 0 && i < len(name)-1
		if !ok {
			return false
		}
	}
	return true
}

// redactURL is raw without the password of its user part.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// Validate checks that c names a supported replica, without connecting.
func (c Config) Validate() error {
	_, err := c.client(slog.New(slog.DiscardHandler))
	return err
}
