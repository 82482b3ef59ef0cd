package replica

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the replicator the moment the Studio
// dies. A Studio killed inside a commit leaves frames in the WAL that
// SQLite's shared index does not count yet; a replicator that lived on
// would ship them and then, checkpointing with the index it has, write its
// own frames over them, so that the replica held a transaction the log
// itself no longer has. Dying together, the next open's WAL recovery finds
// the frames Litestream could have shipped.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
