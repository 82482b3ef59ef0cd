package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/mcp"
)

// Tools from MCP servers: offered to the model as mcp__<server>__<tool>
// with the server's own input schema (so they count in the context
// budget with the built-in tools), and called through the kernel
// (env.CallMCP), which decides, pins and records each call.

// mcpPrefix starts the name of every MCP tool the model sees.
const mcpPrefix = "mcp__"

// MCPToolName is the name the model calls an MCP tool by.
func MCPToolName(server, tool string) string { return mcpPrefix + server + "__" + tool }

// ErrMCPTool is a tool's own error result (isError), told to the model.
var ErrMCPTool = errors.New("the tool reported an error")

// mcpTools turns the MCP tools the kernel offers this run into tools.
func mcpTools(defs []mcp.Tool) []tool {
	out := make([]tool, 0, len(defs))
	for _, d := range defs {
		d := d
		out = append(out, tool{name: MCPToolName(d.Server, d.Name), desc: d.Description, kind: capability.MCPCall, mcp: &d,
			raw: func(ctx context.Context, env *kernel.Env, args json.RawMessage) (string, error) {
				res, err := env.CallMCP(d.Server, d.Name, args)
				if err != nil {
					return "", err
				}
				if res.IsError {
					return "", fmt.Errorf("%w: %s", ErrMCPTool, res.Text)
				}
				return res.Text, nil
			}})
	}
	return out
}

// mcpDef is the function definition of an MCP tool: its own schema (the
// parts Ollama's types carry), its description prefixed by its server.
func mcpDef(t tool, compact bool) api.Tool {
	desc := t.mcp.Description
	if compact {
		if i := strings.Index(desc, ". "); i > 0 {
			desc = desc[:i+1]
		}
	}
	desc = fmt.Sprintf("[MCP server %s] %s", t.mcp.Server, desc)
	var params api.ToolFunctionParameters
	if len(t.mcp.InputSchema) > 0 {
		if err := json.Unmarshal(t.mcp.InputSchema, &params); err != nil {
			params = api.ToolFunctionParameters{}
		}
	}
	if params.Type == "" {
		params.Type = "object"
	}
	if params.Properties == nil {
		params.Properties = api.NewToolPropertiesMap()
	}
	if compact {
		// A small window: no parameter prose.
		for name, p := range params.Properties.All() {
			p.Description = ""
			params.Properties.Set(name, p)
		}
	}
	return api.Tool{Type: "function", Function: api.ToolFunction{Name: t.name, Description: desc, Parameters: params}}
}

// callRaw carries out a call of a tool that takes its arguments whole
// (an MCP tool: the server checks them against its schema).
func callRaw(ctx context.Context, env *kernel.Env, t tool, c api.ToolCall) (string, error) {
	args, err := json.Marshal(c.Function.Arguments)
	if err != nil {
		return "", fmt.Errorf("%w: the arguments of %s: %v", errBadCall, t.name, err)
	}
	if string(args) == "null" {
		args = []byte("{}")
	}
	return t.raw(ctx, env, args)
}

// unofferedMCP is a tool for a call of mcp__<server>__<tool> that the run
// was not offered, when the run has MCP tools at all (its profile admits
// them): it goes to the kernel like any MCP call.
func unofferedMCP(tools []tool, name string) (tool, bool) {
	rest, ok := strings.CutPrefix(name, mcpPrefix)
	if !ok {
		return tool{}, false
	}
	server, name2, ok := strings.Cut(rest, "__")
	if !ok || server == "" || name2 == "" {
		return tool{}, false
	}
	admitted := false
	for _, t := range tools {
		admitted = admitted || t.kind == capability.MCPCall || t.name == "run_command"
	}
	if !admitted {
		return tool{}, false
	}
	ts := mcpTools([]mcp.Tool{{Server: server, Name: name2}})
	return ts[0], true
}
