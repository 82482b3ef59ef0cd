package mcp

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// toTool is the Studio's view of a listed tool.
func toTool(cfg ServerConfig, t *sdk.Tool) Tool {
	schema, err := json.Marshal(t.InputSchema)
	if err != nil || string(schema) == "null" {
		schema = json.RawMessage(`{"type":"object"}`)
	}
	var annotations json.RawMessage
	if t.Annotations != nil {
		if b, err := json.Marshal(t.Annotations); err == nil {
			annotations = b
		}
	}
	return Tool{
		Server:      cfg.Name,
		Name:        t.Name,
		Title:       t.Title,
		Description: t.Description,
		InputSchema: schema,
		Annotations: annotations,
		Hash:        DefinitionHash(t.Name, t.Description, schema),
		Disabled:    slices.Contains(cfg.DisabledTools, t.Name),
	}
}

// toResult is what the model is told of a CallToolResult (Text), with the
// whole of it kept (Raw).
func toResult(r *sdk.CallToolResult) (Result, error) {
	if r == nil {
		r = &sdk.CallToolResult{}
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return Result{}, fmt.Errorf("encode MCP tool result: %w", err)
	}
	var parts []string
	hasText := false
	for _, c := range r.Content {
		switch c := c.(type) {
		case *sdk.TextContent:
			hasText = true
			parts = append(parts, c.Text)
		case *sdk.ImageContent:
			parts = append(parts, fmt.Sprintf("[image %s, %d bytes]", c.MIMEType, len(c.Data)))
		case *sdk.AudioContent:
			parts = append(parts, fmt.Sprintf("[audio %s, %d bytes]", c.MIMEType, len(c.Data)))
		case *sdk.ResourceLink:
			parts = append(parts, fmt.Sprintf("[resource link %s%s]", c.URI, mimeSuffix(c.MIMEType)))
		case *sdk.EmbeddedResource:
			parts = append(parts, describeEmbedded(c.Resource))
		case nil:
		default:
			parts = append(parts, fmt.Sprintf("[%T content]", c))
		}
	}
	if !hasText && r.StructuredContent != nil {
		if b, err := json.Marshal(r.StructuredContent); err == nil {
			parts = append(parts, string(b))
		}
	}
	return Result{Raw: raw, Text: strings.Join(parts, "\n"), IsError: r.IsError}, nil
}

func mimeSuffix(mime string) string {
	if mime == "" {
		return ""
	}
	return ", " + mime
}

// describeEmbedded names an embedded resource, with its text when it has
// some (the model can read that).
func describeEmbedded(rc *sdk.ResourceContents) string {
	if rc == nil {
		return "[resource]"
	}
	if rc.Blob != nil {
		return fmt.Sprintf("[resource %s%s, %d bytes]", rc.URI, mimeSuffix(rc.MIMEType), len(rc.Blob))
	}
	return fmt.Sprintf("[resource %s%s]\n%s", rc.URI, mimeSuffix(rc.MIMEType), rc.Text)
}

// describeExit says how a server process ended ("exited with status 1:
// <its last stderr line>").
func describeExit(err error, lastLine string) string {
	var s string
	var ee *exec.ExitError
	switch {
	case err == nil:
		s = "exited with status 0"
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		s = fmt.Sprintf("exited with status %d", ee.ExitCode())
	case errors.As(err, &ee):
		s = "was ended (" + ee.String() + ")"
	default:
		s = "ended: " + err.Error()
	}
	if lastLine != "" {
		s += ": " + lastLine
	}
	return s
}
