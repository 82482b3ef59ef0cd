//go:build !linux

package replica

import "os/exec"

// dieWithParent: only Linux can tie a child's life to its parent's; there,
// the replicator stops when its stdin ends.
func dieWithParent(cmd *exec.Cmd) {}
