// Command ice-studio is the ICE Studio desktop app and its command-line verbs.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"github.com/ice-studio/ice-studio/backend/applog"
	"github.com/ice-studio/ice-studio/backend/buildinfo"
	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/datadir"
	"github.com/ice-studio/ice-studio/backend/replica"
	"github.com/ice-studio/ice-studio/backend/sandbox"
	"github.com/ice-studio/ice-studio/backend/server"
	"github.com/ice-studio/ice-studio/backend/studio"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

const usage = `ICE Studio — local-first AI work on your project folders.

Usage:
  ice-studio [DIR]                     open the Studio window (and DIR as a workspace)
  ice-studio serve [--addr HOST:PORT] [DIR]
                                       serve the Studio UI in a browser on loopback
  ice-studio verify [--json] [--anchor SEQ:HASH]...
                                       check the event log: hash chain, catalogue, authority; with
                                       --anchor, that it still holds that position (no cut tail, no
                                       rewritten chain)
  ice-studio verify --against REPLICA [--key FILE]
                                       also restore the replica (file:///path, sftp://user@host/path,
                                       s3://bucket/path) to a temporary file: the log must extend it
                                       (sftp password: $ICE_REPLICA_PASSWORD; s3: $ICE_REPLICA_S3_ENDPOINT,
                                       $ICE_REPLICA_S3_ACCESS_KEY_ID, $ICE_REPLICA_S3_SECRET_ACCESS_KEY)
  ice-studio anchor [--json]           print the log's head as SEQ:HASH, to keep elsewhere
  ice-studio restore --from REPLICA [--to DIR] [--key FILE]
                                       restore the log from its replica into a new data folder (never
                                       over an existing events.db)
  ice-studio replay --check [--json]   rebuild every projection from the log and compare with the live ones
  ice-studio events [--run ID] [--type T[,T]] [--workspace ID] [--origin O] [--last N] [--follow] [--json]
                                       list (and follow) events
  ice-studio audit [--step N] [--json] [--full] RUN|THREAD
                                       what an agent run's model was sent and answered, from the log alone
  ice-studio export [--format json|md|html] [--out FILE] [--force] RUN|THREAD
                                       a run's or thread's report (steps, decisions, diff, validation,
                                       commit, verify); --out keeps an existing file unless --force
  ice-studio search [--regex] [--case] [--word] [--include G] [--exclude G] [--max N] [--json] [--verbose] PATTERN [DIR]
                                       search a folder's text as the Studio does (ignore rules included;
                                       a folder the Studio knows through its index, read-only)
  ice-studio sandbox [--net HOST[:PORT]]... [--limits cpu=60s,wall=2m,memory=1G,processes=64,output=16M]
                     [--env NAME]... [--mode overlayfs|copy] DIR -- ARGV...
                                       run ARGV in the sandbox a run's command gets (an overlay of DIR, no
                                       network but the hosts named); print what it changed, apply nothing
  ice-studio mcp list|import FILE [--global]|approve NAME|remove NAME [--workspace DIR]
                                       a folder's MCP servers (global, workspace, its .mcp.json): list
                                       them, import a pasted mcpServers config, approve a project's server
  ice-studio version                   print the version
  ice-studio help                      show this help

Data lives in $ICE_HOME, else $XDG_DATA_HOME/ice-studio, else ~/.local/share/ice-studio.
Ollama is reached at $OLLAMA_HOST (default http://127.0.0.1:11434).
`

func main() {
	// The sandbox helper is this same binary, re-executed: it must take
	// over before anything else starts.
	sandbox.Init()
	replica.RunChildIfAsked() // the log's replicator is this binary too
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	verb := ""
	if len(args) > 0 {
		verb = args[0]
	}
	switch verb {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "verify":
		return cli.Verify(args[1:], cli.IO{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
	case "restore":
		return cli.Restore(args[1:], cli.IO{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
	case "anchor":
		return cli.Anchor(args[1:], cli.IO{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
	case "replay":
		return cli.Replay(args[1:], cli.IO{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
	case "events":
		return cli.Events(args[1:], cli.IO{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
	case "audit":
		return cli.Audit(args[1:], cli.IO{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
	case "export":
		return cli.Export(args[1:], cli.IO{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
	case "search":
		return cli.Search(args[1:], cli.IO{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
	case "sandbox":
		return cli.Sandbox(args[1:], cli.IO{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
	case "mcp":
		return cli.MCP(args[1:], cli.IO{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
	case "version", "--version":
		fmt.Fprintln(stdout, "ice-studio", buildinfo.Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	if len(args) > 1 || len(verb) > 1 && verb[0] == '-' {
		fmt.Fprintf(stderr, "ice-studio: unexpected arguments %q\n\n%s", args, usage)
		return 2
	}
	return desktop(verb, stderr)
}

// env is what every mode sets up first: the data dir and the log.
type env struct {
	dataDir string
	dirErr  error
	log     *applog.Log
	logger  *slog.Logger
}

func setup(tee io.Writer) env {
	var e env
	e.dataDir, e.dirErr = datadir.Resolve(os.Getenv)
	if e.dirErr == nil {
		e.dirErr = datadir.Ensure(e.dataDir)
	}
	if e.dirErr == nil {
		l, err := applog.Open(e.dataDir, slog.LevelInfo, tee)
		if err == nil {
			e.log, e.logger = l, l.Logger
			return e
		}
		e.dirErr = err
	}
	fmt.Fprintf(os.Stderr, "ice-studio: data folder %s cannot be used: %v\n", e.dataDir, e.dirErr)
	e.logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	return e
}

func (e env) studio(mode, folder string) *studio.Studio {
	cfg := studio.Config{Mode: mode, DataDir: e.dataDir, DataDirErr: e.dirErr, Logger: e.logger, InitialFolder: folder,
		AutoStartOllama: os.Getenv("ICE_OLLAMA_AUTOSTART") == "1"}
	if e.log != nil {
		cfg.LogFile = e.log.Path
	}
	return studio.New(cfg)
}

func desktop(folder string, stderr io.Writer) int {
	e := setup(nil)
	defer e.log.Close()
	app := NewApp(e.studio(studio.ModeDesktop, folder), true)
	err := wails.Run(&options.App{
		Title:            "ICE Studio",
		Width:            1280,
		Height:           820,
		MinWidth:         720,
		MinHeight:        480,
		BackgroundColour: &options.RGBA{R: 24, G: 26, B: 31, A: 255},
		AssetServer:      &assetserver.Options{Assets: assets},
		OnStartup:        app.startup,
		OnShutdown:       app.shutdown,
		Bind:             []interface{}{app},
		// A folder dropped on the window opens as a workspace (App.dropped).
		DragAndDrop: &options.DragAndDrop{EnableFileDrop: true, DisableWebViewDrop: true},
		Linux: &linux.Options{
			Icon:        icon,
			ProgramName: "ice-studio",
			// Software rendering: works on every driver, and under Xvfb.
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	})
	if err != nil {
		fmt.Fprintln(stderr, "ice-studio:", err)
		e.logger.Error("desktop window failed", "err", err)
		return 1
	}
	return 0
}

func serve(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("addr", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free one)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 1 {
		fmt.Fprintf(stderr, "ice-studio serve: at most one folder, got %q\n", fl.Args())
		return 2
	}
	e := setup(stderr)
	defer e.log.Close()
	st := e.studio(studio.ModeBrowser, fl.Arg(0))
	ui, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		fmt.Fprintln(stderr, "ice-studio serve:", err)
		return 1
	}
	if _, err := fs.Stat(ui, "index.html"); err != nil {
		fmt.Fprintln(stderr, "ice-studio serve: this binary was built without the UI (run `make build`)")
		return 1
	}
	srv, err := server.New(server.Config{Addr: *addr, API: NewApp(st, false), Assets: ui, Bus: st.Bus(), Logger: e.logger})
	if err != nil {
		fmt.Fprintln(stderr, "ice-studio serve:", err)
		return 2
	}
	if err := srv.Listen(); err != nil {
		fmt.Fprintln(stderr, "ice-studio serve:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := st.Open(ctx); err != nil {
		fmt.Fprintln(stderr, "ice-studio serve:", err)
		return 1
	}
	printNotices(st)
	fmt.Fprintf(stdout, "ICE Studio is serving on %s\n", srv.URL())
	err = srv.Serve(ctx)
	closeCtx, cancel := context.WithTimeout(context.Background(), 5e9)
	defer cancel()
	if cerr := st.Close(closeCtx); err == nil {
		err = cerr
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "ice-studio serve:", err)
		return 1
	}
	return 0
}
