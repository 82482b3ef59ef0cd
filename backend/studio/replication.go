package studio

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/replica"
)

// Replication. When a replica is configured (settings.json key "replica":
// a folder, an SFTP server or an S3-compatible store, with its credentials,
// which never reach the log), the Studio first checks its log against the
// replica (the replica is the witness: a local log that is shorter than the
// replica, or differs from it, is kept read-only, and replication does not
// start, so the witness is never overwritten by a rewritten log), then
// replicates it continuously with Litestream, and at each replication
// checkpoint (at most every anchorEvery) records log.anchored: the head the
// replica is known to hold. verify fails for a log whose head is below an
// anchored position.

// SetReplica is the settings.json key of the replica.
const SetReplica = "replica"

// anchorEvery is the least time between two log.anchored events.
const anchorEvery = 10 * time.Second

// statusEvery is how often the replication's status is read.
const statusEvery = time.Second

// ReplicaView is the replication's state as the UI shows it.
type ReplicaView struct {
	Configured bool   `json:"configured"`
	URL        string `json:"url,omitempty"` // without secrets
	// State: "off" (none configured), "checking" (comparing the log with
	// the replica before replicating), "replicating", "stopped" (an error,
	// or the log kept read-only).
	State string `json:"state"`
	// Seq is the newest position the replica is known to hold, and
	// HeadSeq the log's head: HeadSeq-Seq events wait to be copied.
	Seq     int64  `json:"seq"`
	HeadSeq int64  `json:"headSeq"`
	Hash    string `json:"hash,omitempty"` // hex
	// LastSyncAt is when the replica last confirmed a copy (unix ms, 0
	// never), LagMs how long ago that was.
	LastSyncAt int64 `json:"lastSyncAt"`
	LagMs      int64 `json:"lagMs"`
	// AnchoredSeq is the position of the last log.anchored event's claim.
	AnchoredSeq int64  `json:"anchoredSeq"`
	Error       string `json:"error,omitempty"`
	HasPassword bool   `json:"hasPassword"`
	HasSecret   bool   `json:"hasSecret"`
	HostKey     string `json:"hostKey,omitempty"`
	Endpoint    string `json:"endpoint,omitempty"`
	Region      string `json:"region,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	KeyFile     string `json:"keyFile,omitempty"`
}

// SetReplicaRequest configures (or, with an empty URL, removes) the
// replica. A folder path is taken as file://.
type SetReplicaRequest struct {
	URL      string `json:"url"`
	KeyFile  string `json:"keyFile,omitempty"`
	Password string `json:"password,omitempty"`
	// HostKey is the SFTP server's public host key ("ssh-ed25519 AAAA…");
	// without it the server is not verified.
	HostKey string `json:"hostKey,omitempty"`
	// S3 (s3://bucket/path): the endpoint of an S3-compatible store
	// (http://host:port; "" for AWS), its region, and the access key.
	Endpoint        string `json:"endpoint,omitempty"`
	Region          string `json:"region,omitempty"`
	AccessKeyID     string `json:"accessKeyId,omitempty"`
	SecretAccessKey string `json:"secretAccessKey,omitempty"`
}

// replication is the Studio's running replication.
type replication struct {
	mu       sync.Mutex
	cfg      replica.Config
	on       bool
	state    string
	err      string
	r        *replica.Replicator
	stop     context.CancelFunc
	done     chan struct{}
	anchored int64 // the seq the last log.anchored names
	anchorAt int64 // the seq of that log.anchored event itself
}

// replicaConfig reads the configured replica.
func (s *Studio) replicaConfig() (replica.Config, bool, error) {
	s.prefs.mu.Lock()
	raw := s.prefs.raw[SetReplica]
	s.prefs.mu.Unlock()
	if len(raw) == 0 || string(raw) == "null" {
		return replica.Config{}, false, nil
	}
	var c replica.Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return replica.Config{}, false, fmt.Errorf("the replica in settings.json cannot be read (fix it in the file): %w", err)
	}
	if c.URL == "" {
		return replica.Config{}, false, nil
	}
	return c, true, nil
}

// startReplication checks the log against the configured replica and then
// replicates it, in the background, until Close.
func (s *Studio) startReplication(ctx context.Context) {
	c, ok, err := s.replicaConfig()
	s.repl.mu.Lock()
	defer s.repl.mu.Unlock()
	s.repl.cfg, s.repl.on, s.repl.err = c, ok, ""
	switch {
	case err != nil:
		s.repl.state, s.repl.err = "stopped", err.Error()
		s.addNotice(err.Error())
		return
	case !ok:
		s.repl.state = "off"
		return
	case s.events == nil:
		s.repl.state, s.repl.err = "stopped", "there is no event log to replicate"
		return
	case s.readOnlyWhy() != "":
		s.repl.state, s.repl.err = "stopped", "the log is kept read-only: it is not replicated"
		return
	}
	if err := c.Validate(); err != nil {
		s.repl.state, s.repl.err = "stopped", err.Error()
		return
	}
	s.repl.state = "checking"
	rctx, cancel := context.WithCancel(ctx)
	s.repl.stop, s.repl.done = cancel, make(chan struct{})
	go s.replicate(rctx, c, s.repl.done)
}

// stopReplication makes a last sync and stops the replicator (the log is
// still open).
func (s *Studio) stopReplication() {
	s.repl.mu.Lock()
	stop, done := s.repl.stop, s.repl.done
	s.repl.stop, s.repl.done = nil, nil
	s.repl.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// replicate is the replication's life: the witness check, then the
// replicator and the anchors.
func (s *Studio) replicate(ctx context.Context, c replica.Config, done chan struct{}) {
	defer close(done)
	fail := func(err error) {
		s.repl.mu.Lock()
		s.repl.state, s.repl.err = "stopped", err.Error()
		s.repl.mu.Unlock()
		s.log.Warn("replication stopped", "replica", c.Redacted(), "err", err)
	}
	// The witness check, again after a pause while the replica cannot be
	// reached: the log is never replicated before it passed.
	for wait := retryFirst; ; wait = min(2*wait, retryMost) {
		rep, err := s.compareWithReplica(ctx, c)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, replica.ErrEmpty) { // a new replica: nothing to compare
			break
		}
		if err != nil {
			fail(fmt.Errorf("could not check the log against the replica, so it is not replicated yet (trying again shortly): %w", err))
			if wait == retryFirst {
				s.cfg.Bus.Publish(bus.Notice, fmt.Sprintf("Replication to %s did not start: %v", c.Redacted(), err))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			continue
		}
		if !rep.OK {
			why := fmt.Sprintf("against the replica %s at seq %d (%s): %s", c.Redacted(), rep.FirstBad, rep.Problem, rep.Detail)
			s.keepReadOnly(why)
			s.cfg.Bus.Publish(bus.Notice, readOnlyNotice(why)+" Restore it from the replica: ice-studio restore --from "+c.Redacted()+".")
			fail(errors.New("the log does not extend the replica: it is kept read-only and not replicated"))
			return
		}
		break
	}
	// Litestream checkpoints the WAL itself; the log's writer must not
	// race it (see eventlog.SetAutoCheckpoint).
	if err := s.events.SetAutoCheckpoint(ctx, 0); err != nil {
		fail(err)
		return
	}
	defer s.events.SetAutoCheckpoint(context.WithoutCancel(ctx), eventlog.DefaultAutoCheckpoint)
	// A replicator that stops (the server went away, a refused key) is
	// started again after a pause that grows to a minute; the status says
	// why meanwhile.
	for wait := retryFirst; ; wait = min(2*wait, retryMost) {
		if s.replicateOnce(ctx, c) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// The pauses before a stopped replicator is started again.
const (
	retryFirst = 5 * time.Second
	retryMost  = time.Minute
)

// replicateOnce runs one replicator until ctx ends or the log is kept
// read-only (true: do not start another), or the replicator stops
// (false).
func (s *Studio) replicateOnce(ctx context.Context, c replica.Config) bool {
	r, err := replica.Start(context.WithoutCancel(ctx), LogPath(s.cfg.DataDir), c, s.log)
	if err != nil {
		s.repl.mu.Lock()
		s.repl.state, s.repl.err = "stopped", err.Error()
		s.repl.mu.Unlock()
		s.log.Warn("start replication", "replica", c.Redacted(), "err", err)
		return false
	}
	s.repl.mu.Lock()
	s.repl.r, s.repl.state, s.repl.err = r, "replicating", ""
	s.repl.mu.Unlock()
	s.log.Info("replicating the event log", "replica", c.Redacted())
	tick := time.NewTicker(statusEvery)
	defer tick.Stop()
	var lastAnchor time.Time
	for {
		select {
		case <-ctx.Done():
			err := r.Close() // a last sync
			s.repl.mu.Lock()
			s.repl.r, s.repl.state = nil, "stopped"
			if err != nil {
				s.repl.err = err.Error()
			}
			s.repl.mu.Unlock()
			return true
		case <-tick.C:
		}
		if why := s.readOnlyWhy(); why != "" {
			// A log that failed a check is not copied over its witness.
			_ = r.Close()
			s.repl.mu.Lock()
			s.repl.r, s.repl.state, s.repl.err = nil, "stopped", "the log is kept read-only: replication stopped"
			s.repl.mu.Unlock()
			return true
		}
		st := r.Status()
		s.repl.mu.Lock()
		s.repl.err = st.Error
		if !st.Running {
			s.repl.r, s.repl.state = nil, "stopped"
			if s.repl.err == "" {
				s.repl.err = "the replicator stopped"
			}
			s.repl.err += " (trying again shortly)"
		}
		anchoredAt := s.repl.anchorAt
		s.repl.mu.Unlock()
		if !st.Running {
			s.log.Warn("the replicator stopped", "replica", c.Redacted(), "err", st.Error)
			_ = r.Close()
			return false
		}
		// Anchor what the replica holds when it holds more than the last
		// anchor event itself (the anchor is replicated too).
		if st.Seq > anchoredAt && len(st.Hash) > 0 && time.Since(lastAnchor) >= cmp.Or(s.cfg.AnchorEvery, anchorEvery) {
			s.anchor(ctx, c, st)
			lastAnchor = time.Now()
		}
	}
}

// anchor records that the replica holds the log up to st.Seq.
func (s *Studio) anchor(ctx context.Context, c replica.Config, st replica.Status) {
	evs, err := s.emit(ctx, eventlog.Draft{Stream: logStream, Type: eventlog.LogAnchored, Origin: eventlog.OriginRuntime,
		Payload: eventlog.AnchoredPayload{Seq: st.Seq, Hash: hex.EncodeToString(st.Hash), Replica: c.Redacted()}})
	if err != nil || len(evs) == 0 {
		return
	}
	s.repl.mu.Lock()
	s.repl.anchored, s.repl.anchorAt = st.Seq, evs[0].Seq
	s.repl.mu.Unlock()
	if err := writeAnchorFile(s.cfg.DataDir, AnchorRecord{Seq: st.Seq, Hash: hex.EncodeToString(st.Hash), Replica: c.Redacted(),
		At: time.Now().UnixMilli()}); err != nil {
		s.log.Warn("keep the replication anchor", "err", err)
	}
}

// replicaFolder is a file replica's folder ("" for another kind).
func replicaFolder(c replica.Config) string {
	u, err := url.Parse(c.URL)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	return filepath.Clean(u.Path)
}

// logStream is the stream of the log's events about itself.
const logStream = "log"

// compareWithReplica restores the replica into a temporary folder and
// compares the log with it.
func (s *Studio) compareWithReplica(ctx context.Context, c replica.Config) (eventlog.VerifyReport, error) {
	tmp, err := os.MkdirTemp(s.cfg.DataDir, ".witness-")
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
		return eventlog.VerifyReport{}, fmt.Errorf("the replica does not open as a log: %w", err)
	}
	defer rs.Close()
	return eventlog.CompareWith(ctx, s.events, rs)
}

// Replica is the replication's state.
func (s *Studio) Replica() ReplicaView {
	c, _, _ := s.replicaConfig()
	s.repl.mu.Lock()
	v := ReplicaView{Configured: s.repl.on, URL: s.repl.cfg.Redacted(), State: s.repl.state, Error: s.repl.err,
		AnchoredSeq: s.repl.anchored, HasPassword: c.Password != "", KeyFile: c.KeyFile,
		HasSecret: c.SecretAccessKey != "", HostKey: c.HostKey, Endpoint: c.Endpoint, Region: c.Region, AccessKeyID: c.AccessKeyID}
	r := s.repl.r
	s.repl.mu.Unlock()
	if !v.Configured {
		v.URL, v.State = "", "off"
	}
	if v.State == "" {
		v.State = "off"
	}
	if r != nil {
		st := r.Status()
		v.Seq, v.Hash, v.LagMs = st.Seq, hex.EncodeToString(st.Hash), st.LagMs
		if !st.LastSyncAt.IsZero() {
			v.LastSyncAt = st.LastSyncAt.UnixMilli()
		}
	}
	if s.events != nil {
		v.HeadSeq, _, _ = s.events.Head(context.Background())
	}
	return v
}

// SetReplica configures the replica (an empty URL removes it), restarts
// replication with it, and records the change (the URL without secrets).
func (s *Studio) SetReplica(req SetReplicaRequest) (ReplicaView, error) {
	if s.readOnlyWhy() != "" {
		return ReplicaView{}, errors.New("the event log is kept read-only: restore it before you replicate it")
	}
	u := strings.TrimSpace(req.URL)
	if u != "" && !strings.Contains(u, "://") {
		if !filepath.IsAbs(u) {
			return ReplicaView{}, fmt.Errorf("%q: give an absolute folder path, or a URL (file:///path, sftp://user@host/path, s3://bucket/path)", u)
		}
		u = "file://" + filepath.ToSlash(filepath.Clean(u))
	}
	c := replica.Config{URL: u, KeyFile: strings.TrimSpace(req.KeyFile), Password: req.Password, HostKey: strings.TrimSpace(req.HostKey),
		Endpoint: strings.TrimSpace(req.Endpoint), Region: strings.TrimSpace(req.Region),
		AccessKeyID: strings.TrimSpace(req.AccessKeyID), SecretAccessKey: req.SecretAccessKey}
	if u != "" {
		if err := c.Validate(); err != nil {
			return ReplicaView{}, err
		}
		if p := replicaFolder(c); p != "" && s.cfg.DataDir != "" {
			if rel, err := filepath.Rel(s.cfg.DataDir, p); err == nil && !strings.HasPrefix(rel, "..") {
				return ReplicaView{}, errors.New("a replica inside the data folder is no witness: choose another disk or a mounted share")
			}
		}
	}
	old, _, _ := s.replicaConfig()
	var b json.RawMessage
	if u != "" {
		b, _ = json.Marshal(c)
	}
	s.prefs.mu.Lock()
	raw := make(map[string]json.RawMessage, len(s.prefs.raw)+1)
	for k, v := range s.prefs.raw {
		raw[k] = v
	}
	if b == nil {
		delete(raw, SetReplica)
	} else {
		raw[SetReplica] = b
	}
	if err := s.writeSettings(raw); err != nil {
		s.prefs.mu.Unlock()
		return ReplicaView{}, err
	}
	s.prefs.raw = raw
	s.prefs.mu.Unlock()
	oldURL, newURL := "", ""
	if old.URL != "" {
		oldURL = old.Redacted()
	}
	if u != "" {
		newURL = c.Redacted()
	}
	s.emit(context.Background(), eventlog.Draft{Stream: settingsStream, Type: eventlog.SettingsChanged, Origin: eventlog.OriginUser,
		Payload: SettingsChangedPayload{Changes: []SettingChange{{Key: SetReplica, Old: oldURL, New: newURL}}}})
	s.stopReplication()
	s.startReplication(s.replCtx)
	return s.Replica(), nil
}

// SyncReplica copies what the log holds to the replica now and anchors it.
func (s *Studio) SyncReplica() (ReplicaView, error) {
	s.repl.mu.Lock()
	r, c := s.repl.r, s.repl.cfg
	s.repl.mu.Unlock()
	if r == nil {
		return s.Replica(), errors.New("replication is not running (configure a replica in Settings → Replication)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := r.Sync(ctx)
	if err != nil {
		return s.Replica(), err
	}
	s.repl.mu.Lock()
	anchoredAt := s.repl.anchorAt
	s.repl.mu.Unlock()
	if st.Seq > anchoredAt && len(st.Hash) > 0 {
		s.anchor(ctx, c, st)
	}
	return s.Replica(), nil
}
