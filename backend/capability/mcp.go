package capability

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
)

// mcp.call: a tool of a Model Context Protocol server. A scope names
// "server/tool" with path.Match globs ("*" never crosses the "/"), and may
// narrow it by arguments: JSON pointers (RFC 6901) into the call's
// arguments, each with a glob its value must match.

// checkMCPName refuses a server or tool name that could deceive or break
// the "server/tool" form: empty, too long, a "/", invisible characters.
func checkMCPName(n string) error {
	switch {
	case n == "":
		return errors.New("a server and a tool name are needed")
	case len(n) > MaxMCPName:
		return fmt.Errorf("name %.40q… is longer than %d bytes", n, MaxMCPName)
	case strings.ContainsAny(n, "/ ") || strings.ContainsFunc(n, invisible):
		return fmt.Errorf("name %q holds a slash, a space, control or invisible characters", n)
	}
	return nil
}

// compactObject checks that raw is one JSON object (empty: {}) of bounded
// size and returns it compacted, so equal arguments are equal bytes.
func compactObject(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("{}"), nil
	}
	if len(raw) > MaxMCPArgs {
		return nil, fmt.Errorf("larger than %d bytes", MaxMCPArgs)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("not a JSON object")
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// checkToolScope validates an mcp.call scope.
func checkToolScope(s Scope) error {
	server, tool, ok := strings.Cut(s.Tool, "/")
	if !ok || server == "" || tool == "" || strings.Contains(tool, "/") || strings.ContainsFunc(s.Tool, invisible) {
		return fmt.Errorf("%w: tool %q (server/tool, with * as a wildcard: github/*, */*)", ErrBadScope, s.Tool)
	}
	if _, err := path.Match(s.Tool, ""); err != nil {
		return fmt.Errorf("%w: tool pattern %q", ErrBadScope, s.Tool)
	}
	for ptr, g := range s.Args {
		if _, err := splitPointer(ptr); err != nil {
			return fmt.Errorf("%w: argument %q: %v", ErrBadScope, ptr, err)
		}
		if _, err := path.Match(g, ""); err != nil || g == "" {
			return fmt.Errorf("%w: argument %s: pattern %q", ErrBadScope, ptr, g)
		}
	}
	return nil
}

// describeTool is an mcp.call scope in words.
func describeTool(s Scope) string {
	var d string
	switch server, tool, _ := strings.Cut(s.Tool, "/"); {
	case s.Tool == "*/*":
		d = "any MCP tool"
	case tool == "*" && !strings.ContainsAny(server, "*?["):
		d = "any tool of " + server
	default:
		d = s.Tool
	}
	if len(s.Args) > 0 {
		ptrs := make([]string, 0, len(s.Args))
		for p := range s.Args {
			ptrs = append(ptrs, p)
		}
		sort.Strings(ptrs)
		for i, p := range ptrs {
			if i == 0 {
				d += " where "
			} else {
				d += " and "
			}
			d += p + " is " + s.Args[p]
		}
	}
	return d
}

// matchesTool reports whether an mcp.call scope covers a canonical
// request. loose (deny rules) folds case, so "GitHub/*" denies
// "github/delete_repo" too.
func matchesTool(s Scope, r Request, loose bool) bool {
	pattern, name := s.Tool, r.Server+"/"+r.Tool
	if loose {
		pattern, name = fold(pattern), fold(name)
	}
	if ok, err := path.Match(pattern, name); err != nil || !ok {
		return false
	}
	if len(s.Args) == 0 {
		return true
	}
	var args any
	dec := json.NewDecoder(bytes.NewReader(r.Args))
	dec.UseNumber()
	if err := dec.Decode(&args); err != nil {
		return false
	}
	for ptr, g := range s.Args {
		v, ok := lookupPointer(args, ptr)
		if !ok {
			return false // an argument the scope names must be there
		}
		text, isString := v.(string)
		if !isString {
			b, err := json.Marshal(v)
			if err != nil {
				return false
			}
			text = string(b)
		}
		if loose {
			g, text = fold(g), fold(text)
		}
		if ok, err := path.Match(g, text); err != nil || !ok {
			return false
		}
	}
	return true
}

// splitPointer parses a JSON pointer ("" is the whole document, which a
// scope may not name).
func splitPointer(p string) ([]string, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, errors.New(`a JSON pointer starts with "/" (such as /path or /repo/owner)`)
	}
	parts := strings.Split(p[1:], "/")
	for i, t := range parts {
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(t, "~0", ""), "~1", ""), "~") {
			return nil, fmt.Errorf("bad escape in %q (~0 is ~, ~1 is /)", t)
		}
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// lookupPointer finds the value a JSON pointer names in a decoded document.
func lookupPointer(doc any, p string) (any, bool) {
	parts, err := splitPointer(p)
	if err != nil {
		return nil, false
	}
	v := doc
	for _, t := range parts {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[t]; !ok {
				return nil, false
			}
		case []any:
			i := 0
			if t == "" || (len(t) > 1 && t[0] == '0') {
				return nil, false
			}
			for _, c := range t {
				if c < '0' || c > '9' {
					return nil, false
				}
				i = i*10 + int(c-'0')
				if i > len(x) {
					return nil, false
				}
			}
			if i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
