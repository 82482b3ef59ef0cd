package cli

import (
	"context"
	"flag"
	"fmt"
	stdio "io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/ice-studio/ice-studio/backend/datadir"
	"github.com/ice-studio/ice-studio/backend/studio"
)

const mcpUsage = `usage: ice-studio mcp list [--workspace DIR]
       ice-studio mcp import FILE [--global] [--workspace DIR]   (FILE - reads stdin)
       ice-studio mcp approve NAME [--fingerprint HEX] [--workspace DIR]
       ice-studio mcp remove NAME [--global] [--workspace DIR]`

// MCP is `ice-studio mcp list|import|approve|remove`: a folder's MCP
// servers (the Studio's global ones, the workspace's, the project's
// .mcp.json) listed and changed as the Studio's MCP panel does, every
// change recorded in the event log as the user's. DIR is the folder
// (default: the current one); nothing is started.
func MCP(args []string, io IO) int {
	if len(args) == 0 {
		fmt.Fprintln(io.Stderr, mcpUsage)
		return ExitUsage
	}
	verb := args[0]
	fl := newFlags("mcp "+verb, io)
	dir := fl.String("workspace", ".", "the workspace `folder`")
	global := fl.Bool("global", false, "the Studio's servers of every workspace (settings.json), not this workspace's")
	fingerprint := fl.String("fingerprint", "", "approve only if the command line's fingerprint starts with this `hex` (as `list` shows it)")
	pos, ok := parseInterspersed(fl, args[1:])
	if !ok {
		return ExitUsage
	}
	want := map[string]int{"list": 0, "import": 1, "approve": 1, "remove": 1}
	n, known := want[verb]
	if !known {
		fmt.Fprintf(io.Stderr, "ice-studio mcp: unknown command %q\n%s\n", verb, mcpUsage)
		return ExitUsage
	}
	if len(pos) != n {
		fmt.Fprintf(io.Stderr, "ice-studio mcp %s: want %d argument(s), got %q\n%s\n", verb, n, pos, mcpUsage)
		return ExitUsage
	}
	data, err := datadir.Resolve(io.Getenv)
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio mcp: %v\n", err)
		return ExitFailed
	}
	ctx := context.Background()
	f, err := studio.OpenMCPFolder(ctx, data, *dir)
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio mcp: %v\n", err)
		return ExitFailed
	}
	defer f.Close()
	scope := studio.MCPScopeWorkspace
	if *global {
		scope = studio.MCPScopeGlobal
	}
	switch verb {
	case "list":
		err = mcpList(ctx, io, f)
	case "import":
		err = mcpImport(ctx, io, f, pos[0], scope)
	case "approve":
		err = mcpApprove(ctx, io, f, pos[0], *fingerprint)
	case "remove":
		if !*global {
			scope = "" // the scope it comes from
		}
		if err = f.Remove(ctx, pos[0], scope); err == nil {
			fmt.Fprintf(io.Stdout, "removed %s\n", pos[0])
		}
	}
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio mcp %s: %v\n", verb, err)
		return ExitFailed
	}
	return ExitOK
}

// parseInterspersed parses flags that may come after the arguments
// ("import FILE --global") and returns the arguments.
func parseInterspersed(fl *flag.FlagSet, args []string) ([]string, bool) {
	var pos []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, false
		}
		args = fl.Args()
		if len(args) == 0 {
			return pos, true
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), true
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

func mcpList(ctx context.Context, io IO, f *studio.MCPFolder) error {
	servers, problems, err := f.Servers(ctx)
	if err != nil {
		return err
	}
	if f.Workspace == "" {
		fmt.Fprintf(io.Stdout, "%s has not been opened in the Studio yet: only the global servers and its .mcp.json are listed\n", f.Root)
	}
	if len(servers) == 0 {
		fmt.Fprintln(io.Stdout, "no MCP servers are configured (import some with `ice-studio mcp import FILE`)")
	} else {
		w := tabwriter.NewWriter(io.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "NAME\tSOURCE\tSTATUS\tFINGERPRINT\tCOMMAND")
		for _, v := range servers {
			status := "trusted"
			switch {
			case !v.Trusted:
				status = "NOT APPROVED"
			case v.Disabled:
				status = "off"
			}
			if len(v.DisabledTools) > 0 {
				status += fmt.Sprintf(" (tools off: %s)", strings.Join(v.DisabledTools, ", "))
			}
			cmd := v.Command
			if v.HasHeaders {
				cmd += "  [token set]"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", v.Name, v.Source, status, v.Fingerprint[:12], cmd)
		}
		_ = w.Flush()
	}
	for _, p := range problems {
		fmt.Fprintf(io.Stdout, "note: %s\n", p)
	}
	return nil
}

func mcpImport(ctx context.Context, io IO, f *studio.MCPFolder, file, scope string) error {
	var data []byte
	var err error
	if file == "-" {
		data, err = stdio.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return err
	}
	names, err := f.Import(ctx, scope, data)
	if err != nil {
		return err
	}
	where := "this workspace"
	if scope == studio.MCPScopeGlobal {
		where = "every workspace"
	}
	fmt.Fprintf(io.Stdout, "imported %s for %s\n", strings.Join(names, ", "), where)
	return nil
}

func mcpApprove(ctx context.Context, io IO, f *studio.MCPFolder, name, prefix string) error {
	servers, _, err := f.Servers(ctx)
	if err != nil {
		return err
	}
	fp := ""
	for _, v := range servers {
		if v.Name == name {
			fp = v.Fingerprint
		}
	}
	if fp == "" {
		return fmt.Errorf("there is no server %q (see `ice-studio mcp list`)", name)
	}
	if prefix != "" && !strings.HasPrefix(fp, strings.ToLower(prefix)) {
		return fmt.Errorf("server %q: %w (its fingerprint is now %s)", name, studio.ErrMCPChanged, fp[:12])
	}
	line, recorded, err := f.Approve(ctx, name, fp)
	if err != nil {
		return err
	}
	if recorded {
		fmt.Fprintf(io.Stdout, "approved %s: %s\n", name, line)
	} else {
		fmt.Fprintf(io.Stdout, "%s needs no approval (approved already, or one of your own servers): %s\n", name, line)
	}
	return nil
}
