package studio

import (
	"context"
	"sort"

	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// SandboxState is what the status bar and the Capabilities panel show
// about the command sandbox: what this machine offers, and which open
// workspaces run their commands unsandboxed by their own setting.
type SandboxState struct {
	sandbox.Status
	// Unsandboxed lists the open workspaces whose policy runs commands
	// as plain children (shown in red).
	Unsandboxed []string `json:"unsandboxed"`
}

// SandboxStatus reports the sandbox's state (probed once at start).
func (s *Studio) SandboxStatus() SandboxState {
	probe := sandbox.Probe
	if s.cfg.SandboxStatus != nil {
		probe = s.cfg.SandboxStatus
	}
	st := SandboxState{Status: probe(context.Background()), Unsandboxed: []string{}}
	s.mu.Lock()
	ids := make([]string, 0, len(s.workspaces))
	for id := range s.workspaces {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	sort.Strings(ids)
	if s.caps == nil {
		return st // no event log: no policy but the default, which sandboxes
	}
	for _, id := range ids {
		if p, _ := s.caps.Policy(id); p.Sandbox.Unsandboxed {
			st.Unsandboxed = append(st.Unsandboxed, id)
		}
	}
	return st
}
