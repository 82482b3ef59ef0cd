//go:build !unix

package mcp

import "os/exec"

func setProcessGroup(*exec.Cmd) {}

func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

// terminateProcessGroup has no gentle form here: Kill follows.
func terminateProcessGroup(*exec.Cmd) {}
