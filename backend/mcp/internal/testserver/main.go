// Command testserver is a scripted MCP server (stdio) for the mcp
// package's tests, built with the same SDK as the client. Its tools:
//
//   - echo: returns its arguments as JSON text; appends them, one JSON
//     line per call, to the file named by TESTSERVER_CALLS (if set)
//   - hang: blocks until the call is cancelled; appends "hang started"
//     and "hang cancelled" lines to TESTSERVER_EVENTS (if set)
//   - big: returns 10 MB of text (-big-bytes changes the size)
//   - crash: writes a line to stderr and exits with status 3 mid-call
//   - fail: returns a tool-level error (isError)
//   - mutate: changes echo's description, which sends
//     notifications/tools/list_changed; SIGUSR1 does the same, and so does
//     creating the file named by TESTSERVER_MUTATE_FILE
//
// It also offers the resource test://hello and the prompt greet(name).
// With -fail-start it writes "fatal: ..." to stderr and exits with status
// 1 before speaking MCP.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func main() {
	failStart := flag.Bool("fail-start", false, "exit with status 1 before speaking MCP")
	bigBytes := flag.Int("big-bytes", 10<<20, "size of the big tool's text")
	flag.Parse()
	if *failStart {
		fmt.Fprintln(os.Stderr, "fatal: cannot start: the configuration is broken")
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "testserver: ready")

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	s := &state{
		server: mcp.NewServer(&mcp.Implementation{Name: "testserver", Version: "1.2.3"}, nil),
		calls:  os.Getenv("TESTSERVER_CALLS"),
		events: os.Getenv("TESTSERVER_EVENTS"),
	}
	s.addEcho()
	srv := s.server
	srv.AddTool(&mcp.Tool{Name: "hang", Description: "Blocks until the call is cancelled.", InputSchema: objectSchema()}, s.hang)
	srv.AddTool(&mcp.Tool{Name: "big", Description: "Returns a lot of text.", InputSchema: objectSchema()},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return text(strings.Repeat("0123456789abcdef", *bigBytes/16) + strings.Repeat("x", *bigBytes%16)), nil
		})
	srv.AddTool(&mcp.Tool{Name: "crash", Description: "Exits with status 3 mid-call.", InputSchema: objectSchema()},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			fmt.Fprintln(os.Stderr, "panic: crashing on purpose")
			os.Exit(3)
			return nil, nil
		})
	srv.AddTool(&mcp.Tool{Name: "fail", Description: "Always fails.", InputSchema: objectSchema()},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			r := text("the tool failed on purpose")
			r.IsError = true
			return r, nil
		})
	srv.AddTool(&mcp.Tool{Name: "mutate", Description: "Changes the description of echo.", InputSchema: objectSchema()},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return text("echo now says: " + s.mutate()), nil
		})
	srv.AddResource(&mcp.Resource{URI: "test://hello", Name: "hello", Description: "A greeting.", MIMEType: "text/plain"},
		func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, MIMEType: "text/plain", Text: "hello, world"}}}, nil
		})
	srv.AddPrompt(&mcp.Prompt{Name: "greet", Description: "Greets someone.", Arguments: []*mcp.PromptArgument{{Name: "name", Required: true}}},
		func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: "Hello, " + req.Params.Arguments["name"] + "!"}}}}, nil
		})

	go s.watchMutations(ctx)
	if err := srv.Run(ctx, &mcp.StdioTransport{}); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "testserver:", err)
		os.Exit(2)
	}
}

type state struct {
	server *mcp.Server
	calls  string
	events string

	mu       sync.Mutex
	mutation int
}

func objectSchema() map[string]any { return map[string]any{"type": "object"} }

func text(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

func (s *state) echoDescription() string {
	if s.mutation == 0 {
		return "Echoes its arguments."
	}
	return fmt.Sprintf("Echoes its arguments (changed %d times).", s.mutation)
}

// addEcho (re)registers echo; a server with a session notifies it of the
// change.
func (s *state) addEcho() {
	s.server.AddTool(&mcp.Tool{
		Name:        "echo",
		Description: s.echoDescription(),
		InputSchema: map[string]any{
			"type":       "object",
			"properties": map[string]any{"text": map[string]any{"type": "string"}},
		},
	}, s.echo)
}

func (s *state) mutate() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mutation++
	s.addEcho()
	return s.echoDescription()
}

func (s *state) echo(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	args := req.Params.Arguments
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	if s.calls != "" {
		if err := appendLine(s.calls, string(args)); err != nil {
			return nil, err
		}
	}
	return text(string(args)), nil
}

func (s *state) hang(ctx context.Context, _ *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	s.event("hang started")
	<-ctx.Done()
	s.event("hang cancelled")
	return nil, ctx.Err()
}

func (s *state) event(line string) {
	if s.events != "" {
		_ = appendLine(s.events, line)
	}
}

// watchMutations mutates echo on SIGUSR1 or when the file named by
// TESTSERVER_MUTATE_FILE appears (it is removed again).
func (s *state) watchMutations(ctx context.Context) {
	sig := make(chan os.Signal, 1)
	notifyUser1(sig)
	file := os.Getenv("TESTSERVER_MUTATE_FILE")
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			s.mutate()
		case <-tick.C:
			if file == "" {
				continue
			}
			if _, err := os.Stat(file); err == nil {
				_ = os.Remove(file)
				s.mutate()
			}
		}
	}
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
