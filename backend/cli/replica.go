package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/replica"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// PasswordEnv holds an sftp replica's password for restore and verify
// --against (never a flag: command lines are visible to other users).
const PasswordEnv = "ICE_REPLICA_PASSWORD"

// The environment of an s3:// replica for restore and verify --against:
// the S3-compatible server's endpoint (empty: Amazon S3), the region and
// the access key (never a flag).
const (
	S3EndpointEnv = "ICE_REPLICA_S3_ENDPOINT"
	S3RegionEnv   = "ICE_REPLICA_S3_REGION"
	S3KeyIDEnv    = "ICE_REPLICA_S3_ACCESS_KEY_ID"
	S3SecretEnv   = "ICE_REPLICA_S3_SECRET_ACCESS_KEY"
)

// replicaConfig reads REPLICA (a URL, or a folder path for file://).
func replicaConfig(from, keyFile string, io IO) (replica.Config, error) {
	if from != "" && !strings.Contains(from, "://") {
		abs, err := filepath.Abs(from)
		if err != nil {
			return replica.Config{}, err
		}
		from = "file://" + filepath.ToSlash(abs)
	}
	c := replica.Config{URL: from, KeyFile: keyFile, Password: io.Getenv(PasswordEnv),
		Endpoint: io.Getenv(S3EndpointEnv), Region: io.Getenv(S3RegionEnv),
		AccessKeyID: io.Getenv(S3KeyIDEnv), SecretAccessKey: io.Getenv(S3SecretEnv)}
	return c, c.Validate()
}

// Restore is `ice-studio restore --from REPLICA [--to DIR] [--key FILE]`.
func Restore(args []string, io IO) int {
	fl := newFlags("restore", io)
	from := fl.String("from", "", "the replica: file:///path, sftp://user@host[:port]/path (password in $"+PasswordEnv+"), s3://bucket/path ($"+S3EndpointEnv+", $"+S3KeyIDEnv+", $"+S3SecretEnv+"), or a folder")
	to := fl.String("to", "", "the data folder to restore into (default: a new folder, printed); never overwrites an events.db")
	key := fl.String("key", "", "SSH private key `FILE` for an sftp replica")
	if err := fl.Parse(args); err != nil || *from == "" || fl.NArg() > 0 {
		fmt.Fprintln(io.Stderr, "usage: ice-studio restore --from REPLICA [--to DIR] [--key FILE]")
		return ExitUsage
	}
	c, err := replicaConfig(*from, *key, io)
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio restore: %v\n", err)
		return ExitUsage
	}
	dir := *to
	if dir == "" {
		dir = "ice-studio-restored-" + time.Now().Format("20060102-150405")
		if err := os.Mkdir(dir, 0o700); err != nil {
			fmt.Fprintf(io.Stderr, "ice-studio restore: %v (name one with --to)\n", err)
			return ExitFailed
		}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio restore: %v\n", err)
		return ExitFailed
	}
	out := studio.LogPath(dir)
	ctx := context.Background()
	if err := replica.Restore(ctx, c, out); err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio restore: %v\n", err)
		return ExitFailed
	}
	store, err := eventlog.Open(out, eventlog.Options{})
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio restore: the restored file does not open as a log: %v\n", err)
		return ExitFailed
	}
	defer store.Close()
	rep, err := eventlog.Verify(ctx, store, eventlog.DefaultCatalogue())
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio restore: %v\n", err)
		return ExitFailed
	}
	if !rep.OK {
		fmt.Fprintf(io.Stdout, "%s: restored, but TAMPERED OR DAMAGED at seq %d (%s): %s\n", out, rep.FirstBad, rep.Problem, rep.Detail)
		return ExitFailed
	}
	fmt.Fprintf(io.Stdout, "%s: restored from %s, %d events, hash chain intact\nuse it with: ICE_HOME=%s ice-studio\n", out, c.Redacted(), rep.Checked, dir)
	return ExitOK
}

// verifyAgainst restores the replica to a temporary file and compares the
// local log with it.
func verifyAgainst(ctx context.Context, local eventlog.Store, c replica.Config) (eventlog.VerifyReport, error) {
	tmp, err := os.MkdirTemp("", "ice-verify-against-")
	if err != nil {
		return eventlog.VerifyReport{}, err
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, eventlog.FileName)
	if err := replica.Restore(ctx, c, path); err != nil {
		return eventlog.VerifyReport{}, err
	}
	rs, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		return eventlog.VerifyReport{}, fmt.Errorf("the restored replica does not open as a log: %w", err)
	}
	defer rs.Close()
	return eventlog.CompareWith(ctx, local, rs)
}
