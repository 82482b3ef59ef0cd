// Package cli implements the command-line verbs over the event log:
// verify, replay --check, events, audit and export. Each returns a
// process exit code.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ice-studio/ice-studio/backend/datadir"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/projection"
	"github.com/ice-studio/ice-studio/backend/replica"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// Exit codes.
const (
	ExitOK     = 0
	ExitFailed = 1 // the check failed (tampering, a replay difference) or the log cannot be read
	ExitUsage  = 2
)

// IO is where a verb writes.
type IO struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// openLog opens the data dir's event log read-only, with a clear message
// when there is none or it cannot be used.
func openLog(io IO, verb string) (*eventlog.SQLiteStore, string, bool) {
	dir, err := datadir.Resolve(io.Getenv)
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio %s: %v\n", verb, err)
		return nil, "", false
	}
	path := studio.LogPath(dir)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(io.Stderr, "ice-studio %s: there is no event log at %s yet (start the Studio once, or set ICE_HOME)\n", verb, path)
		return nil, "", false
	}
	store, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio %s: %v\n", verb, err)
		return nil, "", false
	}
	return store, path, true
}

func newFlags(verb string, io IO) *flag.FlagSet {
	fl := flag.NewFlagSet(verb, flag.ContinueOnError)
	fl.SetOutput(io.Stderr)
	return fl
}

// Verify is `ice-studio verify [--json]`.
func Verify(args []string, io IO) int {
	fl := newFlags("verify", io)
	asJSON := fl.Bool("json", false, "print the report as JSON")
	var anchors []eventlog.Checkpoint
	fl.Func("anchor", "also check the log against `SEQ:HASH` as `ice-studio anchor` printed it (repeatable)", func(v string) error {
		a, err := eventlog.ParseCheckpoint(v)
		if err == nil {
			anchors = append(anchors, a)
		}
		return err
	})
	against := fl.String("against", "", "also compare the log with a replica (file:///path, sftp://user@host/path, s3://bucket/path, or a folder; credentials from the environment, as for restore): it must extend it")
	againstKey := fl.String("key", "", "SSH private key `FILE` for an sftp --against replica")
	if err := fl.Parse(args); err != nil {
		return ExitUsage
	}
	store, path, ok := openLog(io, "verify")
	if !ok {
		return ExitFailed
	}
	defer store.Close()
	start := time.Now()
	// The last position a replica was known to hold (kept beside the log
	// by the Studio) is checked like an --anchor.
	kept, haveKept, err := studio.ReadAnchorFile(filepath.Dir(path))
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio verify: %v\n", err)
		return ExitFailed
	}
	if haveKept {
		cp, _ := kept.Checkpoint()
		anchors = append(anchors, cp)
	}
	rep, err := eventlog.Verify(context.Background(), store, eventlog.DefaultCatalogue())
	for _, a := range anchors {
		if err != nil || !rep.OK {
			break
		}
		var ar eventlog.VerifyReport
		if ar, err = eventlog.CheckAnchor(context.Background(), store, a); err == nil && !ar.OK {
			ar.Checked = rep.Checked
			rep = ar
		}
	}
	if err == nil && rep.OK && *against != "" {
		var c replica.Config
		if c, err = replicaConfig(*against, *againstKey, io); err == nil {
			var ar eventlog.VerifyReport
			if ar, err = verifyAgainst(context.Background(), store, c); err == nil && !ar.OK {
				ar.Checked = rep.Checked
				rep = ar
			}
		}
	}
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio verify: %v\n", err)
		return ExitFailed
	}
	if *asJSON {
		_ = json.NewEncoder(io.Stdout).Encode(rep)
	} else if rep.OK {
		fmt.Fprintf(io.Stdout, "%s: %d events verified in %s: hash chain intact, every type in the catalogue, every origin within its authority\n",
			path, rep.Checked, time.Since(start).Round(time.Millisecond))
		for i, a := range anchors {
			what := "anchor"
			if haveKept && i == len(anchors)-1 {
				what = "last replication anchor (" + kept.Replica + ")"
			}
			fmt.Fprintf(io.Stdout, "%s %d: the log still holds it (the same hash at seq %d)\n", what, a.Seq, a.Seq)
		}
		if *against != "" {
			fmt.Fprintf(io.Stdout, "replica: the log extends it (the same hash at the replica's head)\n")
		}
	} else {
		fmt.Fprintf(io.Stdout, "%s: TAMPERED OR DAMAGED at seq %d (%s): %s\n", path, rep.FirstBad, rep.Problem, rep.Detail)
	}
	if !rep.OK {
		return ExitFailed
	}
	return ExitOK
}

// Replay is `ice-studio replay --check [--json]`.
func Replay(args []string, io IO) int {
	fl := newFlags("replay", io)
	check := fl.Bool("check", false, "rebuild every projection into a fresh store and compare it with the live one")
	asJSON := fl.Bool("json", false, "print the report as JSON")
	if err := fl.Parse(args); err != nil {
		return ExitUsage
	}
	if !*check {
		fmt.Fprintln(io.Stderr, "ice-studio replay: say --check (rebuild the projections from the log and compare them with the live ones)")
		return ExitUsage
	}
	store, _, ok := openLog(io, "replay")
	if !ok {
		return ExitFailed
	}
	defer store.Close()
	start := time.Now()
	rep, err := projection.Check(context.Background(), store, store.ReadDB(), studio.Projections)
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio replay: %v\n", err)
		return ExitFailed
	}
	if *asJSON {
		_ = json.NewEncoder(io.Stdout).Encode(rep)
	} else if rep.OK {
		fmt.Fprintf(io.Stdout, "replayed %d events into %s in %s: identical to the live projections\n",
			rep.Seq, strings.Join(rep.Projections, ", "), time.Since(start).Round(time.Millisecond))
	} else {
		fmt.Fprintf(io.Stdout, "replay of %d events DIFFERS from the live projections:\n", rep.Seq)
		for _, d := range rep.Differences {
			fmt.Fprintf(io.Stdout, "- table %s: %d live rows, %d rebuilt rows\n  %s\n", d.Table, d.LiveRows, d.FreshRows, d.Detail)
		}
	}
	if !rep.OK {
		return ExitFailed
	}
	return ExitOK
}

// jsonEvent is an event as `events --json` prints it.
type jsonEvent struct {
	eventlog.Event
	PrevHash string `json:"prevHash"`
	Hash     string `json:"hash"`
}

// Events is `ice-studio events [--run ID] [--type T] [--workspace ID]
// [--origin O] [--last N] [--follow] [--json]`.
func Events(args []string, io IO) int {
	fl := newFlags("events", io)
	run := fl.String("run", "", "only events of this run `id`")
	typ := fl.String("type", "", "only events of these `types` (comma-separated)")
	ws := fl.String("workspace", "", "only events of this workspace `id`")
	origin := fl.String("origin", "", "only events from this `origin` (runtime, user, agent:NAME)")
	last := fl.Int64("last", 0, "only the last `N` matching events")
	follow := fl.Bool("follow", false, "keep printing new events as they are appended (Ctrl+C to stop)")
	asJSON := fl.Bool("json", false, "one JSON object per line, hashes included")
	if err := fl.Parse(args); err != nil {
		return ExitUsage
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(io.Stderr, "ice-studio events: unexpected arguments %q\n", fl.Args())
		return ExitUsage
	}
	cat := eventlog.DefaultCatalogue()
	q := eventlog.Query{Run: *run, Workspace: *ws, Origin: *origin}
	if *typ != "" {
		for _, t := range strings.Split(*typ, ",") {
			t = strings.TrimSpace(t)
			if _, ok := cat.Lookup(t); !ok {
				fmt.Fprintf(io.Stderr, "ice-studio events: unknown event type %q (known: %s)\n", t, strings.Join(cat.Types(), ", "))
				return ExitUsage
			}
			q.Types = append(q.Types, t)
		}
	}
	store, _, ok := openLog(io, "events")
	if !ok {
		return ExitFailed
	}
	defer store.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *last > 0 {
		n, err := store.Count(ctx, q)
		if err != nil {
			fmt.Fprintf(io.Stderr, "ice-studio events: %v\n", err)
			return ExitFailed
		}
		// Find the seq just before the last N matches.
		if n > *last {
			skip := q
			skip.Offset, skip.Limit = n-*last-1, 1
			_ = store.Read(ctx, skip, func(e eventlog.Event) error { q.AfterSeq = e.Seq; return nil })
		}
	}
	enc := json.NewEncoder(io.Stdout)
	print := func(e eventlog.Event) error {
		if *asJSON {
			return enc.Encode(jsonEvent{Event: e, PrevHash: e.PrevHashHex(), Hash: e.HashHex()})
		}
		_, err := fmt.Fprintf(io.Stdout, "%7d  %s  %-26s %-14s %-46s %s\n", e.Seq,
			time.Unix(0, e.At).UTC().Format("2006-01-02T15:04:05.000Z"), e.Type, e.Origin, e.Stream, abbreviate(string(e.Payload), 120))
		return err
	}
	var err error
	if *follow {
		err = eventlog.Follow(ctx, store, q, print)
	} else {
		err = store.Read(ctx, q, print)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(io.Stderr, "ice-studio events: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}

func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// Anchor is `ice-studio anchor [--json]`: the log's head (seq and hash),
// to keep outside this machine; `verify --anchor SEQ:HASH` later proves
// the log still holds it (no cut tail, no rewritten chain up to it).
func Anchor(args []string, io IO) int {
	fl := newFlags("anchor", io)
	asJSON := fl.Bool("json", false, "print the anchor as JSON")
	if err := fl.Parse(args); err != nil {
		return ExitUsage
	}
	store, path, ok := openLog(io, "anchor")
	if !ok {
		return ExitFailed
	}
	defer store.Close()
	seq, hash, err := store.Head(context.Background())
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio anchor: %v\n", err)
		return ExitFailed
	}
	if seq == 0 {
		fmt.Fprintf(io.Stderr, "ice-studio anchor: %s holds no events yet\n", path)
		return ExitFailed
	}
	a := eventlog.Checkpoint{Seq: seq, Hash: hash}
	if *asJSON {
		_ = json.NewEncoder(io.Stdout).Encode(map[string]any{"seq": seq, "hash": fmt.Sprintf("%x", hash), "anchor": a.String()})
		return ExitOK
	}
	fmt.Fprintln(io.Stdout, a.String())
	fmt.Fprintf(io.Stderr, "the head of %s; keep this line elsewhere (a note, another machine) and check the log later with: ice-studio verify --anchor %s\n", path, a)
	return ExitOK
}
