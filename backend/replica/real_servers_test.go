package replica_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/realseaweed"
	"github.com/ice-studio/ice-studio/backend/internal/realsshd"
	"github.com/ice-studio/ice-studio/backend/replica"
)

// Events appended before replication starts, and in each of the rounds
// while it runs (a Sync after each round).
const (
	realBefore = 500
	realRounds = 3
	realRound  = 1000
)

// roundTripReal replicates a log of a few thousand events to cfg, with
// appends before and during replication, and restores it: the copy
// verifies, equals the local log event for event, ends at the head the
// replicator confirmed, and is never written over an existing log.
func roundTripReal(t *testing.T, cfg replica.Config) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), eventlog.FileName)
	s := openLog(t, path, false)
	defer s.Close()
	appendN(t, s, realBefore, "before")

	if err := replica.Restore(ctx, cfg, filepath.Join(t.TempDir(), eventlog.FileName)); !errors.Is(err, replica.ErrEmpty) {
		t.Fatalf("Restore from %s before any replication = %v, want ErrEmpty", cfg.Redacted(), err)
	}
	r, err := replica.Start(ctx, path, cfg, nil)
	if err != nil {
		t.Fatalf("Start replication to %s: %v", cfg.Redacted(), err)
	}
	defer r.Close()
	var last eventlog.Event
	for round := 0; round < realRounds; round++ {
		evs := appendN(t, s, realRound, "during")
		last = evs[len(evs)-1]
		st, err := r.Sync(ctx)
		if err != nil {
			t.Fatalf("Sync %d to %s: %v (status %+v)", round, cfg.Redacted(), err, st)
		}
		if st.Seq != last.Seq || !bytes.Equal(st.Hash, last.Hash) || st.Error != "" || !st.Running || st.TXID == "" {
			t.Fatalf("status after Sync %d = %+v; want seq %d with its hash", round, st, last.Seq)
		}
		if st.URL != cfg.Redacted() {
			t.Fatalf("status URL = %q, want %q", st.URL, cfg.Redacted())
		}
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	out := filepath.Join(t.TempDir(), "restored", eventlog.FileName)
	if err := replica.Restore(ctx, cfg, out); err != nil {
		t.Fatalf("Restore from %s: %v", cfg.Redacted(), err)
	}
	rs := openLog(t, out, true)
	defer rs.Close()
	rep, err := eventlog.Verify(ctx, rs, eventlog.DefaultCatalogue())
	if err != nil || !rep.OK || rep.HeadSeq != last.Seq {
		t.Fatalf("Verify of the log restored from %s = %+v, %v; want OK up to seq %d", cfg.Redacted(), rep, err, last.Seq)
	}
	if want := int64(realBefore + realRounds*realRound); rep.Checked != want {
		t.Fatalf("the restored log holds %d events, want %d", rep.Checked, want)
	}
	cmp, err := eventlog.CompareWith(ctx, s, rs)
	if err != nil || !cmp.OK || cmp.HeadSeq != last.Seq {
		t.Fatalf("CompareWith(local, restored from %s) = %+v, %v", cfg.Redacted(), cmp, err)
	}
	head, hash, err := rs.Head(ctx)
	if err != nil || head != last.Seq || !bytes.Equal(hash, last.Hash) {
		t.Fatalf("restored head = %d %x, %v; want %d %x", head, hash, err, last.Seq, last.Hash)
	}
	if err := replica.Restore(ctx, cfg, out); !errors.Is(err, replica.ErrExists) {
		t.Fatalf("Restore over an existing log = %v, want ErrExists", err)
	}
}

// refused checks that cfg's credentials are refused with ErrDenied, by
// Restore and by the replicator's Sync, in words that say what to check
// (want) and without the secret.
func refused(t *testing.T, cfg replica.Config, want, secret string) {
	t.Helper()
	ctx := context.Background()
	err := replica.Restore(ctx, cfg, filepath.Join(t.TempDir(), eventlog.FileName))
	if !errors.Is(err, replica.ErrDenied) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Restore from %s with wrong credentials = %v; want ErrDenied saying %q", cfg.Redacted(), err, want)
	}
	if secret != "" && strings.Contains(err.Error(), secret) {
		t.Fatalf("Restore's error shows the secret: %v", err)
	}
	t.Logf("refused, as it should be: %v", err)
	path := filepath.Join(t.TempDir(), eventlog.FileName)
	s := openLog(t, path, false)
	defer s.Close()
	appendN(t, s, 3, "x")
	r, err := replica.Start(ctx, path, cfg, nil)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer r.Close()
	// The replicator may fail the sync or stop (it connects as it starts);
	// either way Sync fails and the status says why.
	st, err := r.Sync(ctx)
	if err == nil {
		t.Fatalf("Sync to %s with wrong credentials succeeded: %+v", cfg.Redacted(), st)
	}
	st = r.Status()
	if st.Seq != 0 || !strings.Contains(st.Error, replica.ErrDenied.Error()) || !strings.Contains(st.Error, want) {
		t.Fatalf("status after a refused Sync (%v) = %+v; want no confirmed position and an error %q saying %q", err, st, replica.ErrDenied, want)
	}
	if secret != "" && (strings.Contains(err.Error(), secret) || strings.Contains(st.Error, secret) || strings.Contains(st.URL, secret)) {
		t.Fatalf("the replicator shows the secret: %v / %+v", err, st)
	}
}

// TestRealFileReplica: a file replica (another folder, as a mounted disk
// or share would be).
func TestRealFileReplica(t *testing.T) {
	roundTripReal(t, replica.Config{URL: fileURL(filepath.Join(t.TempDir(), "replica"))})
}

// TestRealSFTPReplica: Debian's OpenSSH sshd on a loopback port, the
// client authenticating with a generated key and checking the server's
// host key.
func TestRealSFTPReplica(t *testing.T) {
	srv := realsshd.Start(t)
	cfg := replica.Config{URL: srv.URL(filepath.Join(t.TempDir(), "replica")), KeyFile: srv.KeyFile, HostKey: srv.HostKey}
	roundTripReal(t, cfg)

	wrongKey := cfg
	wrongKey.KeyFile = srv.NewKey(t)
	refused(t, wrongKey, "authorized_keys", "")

	otherHost := cfg
	pub, err := os.ReadFile(srv.NewKey(t) + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	otherHost.HostKey = string(pub)
	if err := replica.Restore(context.Background(), otherHost, filepath.Join(t.TempDir(), eventlog.FileName)); !errors.Is(err, replica.ErrHostKey) {
		t.Fatalf("Restore from a server with another host key than configured = %v, want ErrHostKey", err)
	}
}

// TestRealS3Replica: SeaweedFS's S3 gateway on a loopback port, addressed
// path-style with an access key.
func TestRealS3Replica(t *testing.T) {
	srv := realseaweed.Start(t)
	srv.CreateBucket(t, "ice-replica")
	// A CA bundle for the AWS SDK, as corporate machines set: Litestream's
	// own HTTP client cannot take one, and the replica must work anyway
	// (the bundle is of no use to an http endpoint).
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", bundle)
	defer func() {
		if got := os.Getenv("AWS_CA_BUNDLE"); got != bundle {
			t.Errorf("AWS_CA_BUNDLE after the replica's use = %q, want it restored to %q", got, bundle)
		}
	}()
	cfg := replica.Config{URL: "s3://ice-replica/logs/laptop", Endpoint: srv.Endpoint, Region: srv.Region,
		AccessKeyID: srv.AccessKeyID, SecretAccessKey: srv.SecretAccessKey}
	roundTripReal(t, cfg)

	wrongSecret := cfg
	wrongSecret.SecretAccessKey = "not-" + srv.SecretAccessKey
	refused(t, wrongSecret, "secret access key does not match", wrongSecret.SecretAccessKey)
	wrongKey := cfg
	wrongKey.AccessKeyID = "ICEUNKNOWNKEY"
	refused(t, wrongKey, "no such access key id", wrongKey.SecretAccessKey)

	noBucket := cfg
	noBucket.URL = "s3://ice-missing/logs"
	if err := replica.Restore(context.Background(), noBucket, filepath.Join(t.TempDir(), eventlog.FileName)); !errors.Is(err, replica.ErrNoBucket) {
		t.Fatalf("Restore from a bucket that does not exist = %v, want ErrNoBucket", err)
	}
}
