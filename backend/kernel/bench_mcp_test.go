package kernel_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/mcp"
)

// BenchmarkMCPCall: one tool call through the kernel (check, pin lookup,
// record the decision, call, record effect.mcp_called with its blobs in
// the real event log) beside the same call through a bare SDK client
// session. Both reach the same in-process server, so the difference is
// the kernel's overhead (goal: ≤ 1 ms per call).
func BenchmarkMCPCall(b *testing.B) {
	ctx := context.Background()
	server := sdk.NewServer(&sdk.Implementation{Name: "bench", Version: "1"}, nil)
	type in struct {
		Text string `json:"text"`
	}
	sdk.AddTool(server, &sdk.Tool{Name: "echo", Description: "Echoes its input."}, func(_ context.Context, _ *sdk.CallToolRequest, a in) (*sdk.CallToolResult, any, error) {
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: a.Text}}}, nil, nil
	})
	st, ct := sdk.NewInMemoryTransports()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ss.Close()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "ice-studio", Version: "bench"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	args := json.RawMessage(`{"text":"hello from the benchmark"}`)

	b.Run("bare-sdk", func(b *testing.B) {
		for b.Loop() {
			if _, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "echo", Arguments: args}); err != nil {
				b.Fatal(err)
			}
		}
	})

	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("kernel/sync="+sync, func(b *testing.B) { benchKernelMCP(b, cs, args, sync) })
	}
}

// benchKernelMCP is BenchmarkMCPCall's kernel half, over a log with the
// given SQLite synchronous mode (the Studio's is FULL).
func benchKernelMCP(b *testing.B, cs *sdk.ClientSession, args json.RawMessage, sync string) {
	ctx := context.Background()
	{
		lt, err := cs.ListTools(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		schema, _ := json.Marshal(lt.Tools[0].InputSchema)
		def := mcp.Tool{Server: "bench", Name: "echo", Description: lt.Tools[0].Description, InputSchema: schema,
			Hash: mcp.DefinitionHash("echo", lt.Tools[0].Description, schema)}
		caps := capability.NewEnforcer()
		caps.SetPolicy(wsID, capability.Policy{Rules: []capability.Rule{
			{Kind: capability.MCPCall, Scope: capability.Scope{Tool: "bench/*"}, Effect: capability.Allow}}}, 0)
		root, _ := filepath.EvalSymlinks(b.TempDir())
		h := openHarnessWith(b, filepath.Join(b.TempDir(), eventlog.FileName), root, kernel.Config{Caps: caps, MCP: sessionTools{cs, def}}, sync)
		n := b.N
		b.ResetTimer()
		run := h.start(kernel.StartRequest{Task: "bench", Profile: capability.ProfileAgent, Budget: kernel.Budget{MaxSteps: n + 10}},
			steps(func(_ context.Context, env *kernel.Env) error {
				for i := 0; i < n; i++ {
					if _, err := env.CallMCP("bench", "echo", args); err != nil {
						return err
					}
				}
				return nil
			}))
		info := h.wait(run.ID)
		b.StopTimer()
		if info.State == kernel.StateTerminated {
			b.Fatalf("run: %s", info.Reason)
		}
	}
}

// sessionTools serves one tool from an SDK session, as the Studio's
// Manager does (the definition listed once, calls on the session).
type sessionTools struct {
	cs  *sdk.ClientSession
	def mcp.Tool
}

func (s sessionTools) Tools(context.Context, string) []mcp.Tool { return []mcp.Tool{s.def} }

func (s sessionTools) Tool(context.Context, string, string, string) (mcp.Tool, error) {
	return s.def, nil
}

func (s sessionTools) Call(ctx context.Context, _, _, tool string, args json.RawMessage) (mcp.Result, error) {
	res, err := s.cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return mcp.Result{}, err
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return mcp.Result{}, err
	}
	text := ""
	for _, c := range res.Content {
		if t, ok := c.(*sdk.TextContent); ok {
			text += t.Text
		}
	}
	return mcp.Result{Raw: raw, Text: text, IsError: res.IsError}, nil
}
