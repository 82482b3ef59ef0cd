//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"unsafe"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"github.com/landlock-lsm/go-landlock/landlock"
	llsys "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// confineSpec is what the sandbox's last stage applies to itself before
// exec.
type confineSpec struct {
	ReadOnly  []string // paths readable and executable (Landlock)
	ReadWrite []string // paths writable (Landlock)
	// Limits set the rlimits: RLIMIT_CPU from CPUTimeMs (seconds, rounded
	// up), RLIMIT_NPROC from Processes (zero fields: not set); RLIMIT_CORE
	// is always 0.
	Limits Limits
}

// confine applies to the calling process, on the calling OS thread (which
// it locks and never unlocks: the thread is meant to call syscall.Exec
// next, or to die with its goroutine), in this order: the rlimits,
// PR_SET_NO_NEW_PRIVS, the capabilities dropped (ambient set cleared,
// bounding set emptied, securebits locked so that uid 0 gets no
// capabilities on execve, effective/permitted/inheritable cleared), a
// Landlock domain (best effort: the newest ABI the kernel offers, paths
// that don't exist skipped; no network rules, the network namespace does
// that) and a seccomp filter (default allow, EPERM for the system calls a
// build or test has no business making, see deniedSyscalls).
//
// Landlock and seccomp are applied to the calling thread only (no psx, no
// TSYNC: both fail or misbehave in a cgo binary); execve keeps the calling
// thread's credentials, Landlock domain and seccomp filter, and the other
// threads die with the exec.
//
// It returns the layers in force: "landlock ABI N" (absent when the kernel
// has no Landlock) and "seccomp". On error the thread may be partly
// confined; the caller must not exec the command then.
func confine(c confineSpec) ([]string, error) {
	runtime.LockOSThread() // never unlocked: this thread is tainted now

	// Prepared while the thread still has its capabilities (opening a
	// path for a rule needs search rights on its parents).
	abi := landlockABI()
	rulesetFD := -1
	var rulesetFlags uint32
	if abi > 0 {
		fd, flags, err := landlockRuleset(c, abi)
		if err != nil {
			return nil, fmt.Errorf("landlock: %w", err)
		}
		rulesetFD, rulesetFlags = fd, flags
		if fd >= 0 {
			defer unix.Close(fd)
		}
	}
	filter, err := seccompFilter()
	if err != nil {
		return nil, fmt.Errorf("seccomp: %w", err)
	}

	if err := setRlimits(c.Limits); err != nil {
		return nil, err
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return nil, fmt.Errorf("no_new_privs: %w", err)
	}
	if err := dropCapabilities(); err != nil {
		return nil, err
	}
	var layers []string
	if rulesetFD >= 0 {
		if err := llsys.LandlockRestrictSelf(rulesetFD, rulesetFlags); err != nil {
			return nil, fmt.Errorf("landlock_restrict_self: %w", err)
		}
		layers = append(layers, fmt.Sprintf("landlock ABI %d", abi))
	}
	if err := loadSeccomp(filter); err != nil {
		return nil, err
	}
	layers = append(layers, "seccomp")
	return layers, nil
}

// landlockABI reports the Landlock ABI the kernel offers (0: none), capped
// at the newest one go-landlock knows.
func landlockABI() int {
	v, err := llsys.LandlockGetABIVersion()
	if err != nil || v < 0 {
		return 0
	}
	return min(v, maxLandlockABI)
}

// maxLandlockABI is the newest Landlock ABI of landlockConfig.
const maxLandlockABI = 11

// landlockConfig restricts every filesystem right go-landlock knows, and
// only those: the network is the network namespace's business (the
// sandbox must reach its own loopback, where the proxy's bridge listens),
// and a ruleset that handled TCP rights with no rule would refuse every
// connect. Best effort downgrades it to what the kernel offers.
var landlockConfig = func() landlock.Config {
	c, err := landlock.NewConfig(landlock.V11.HandledAccessFS)
	if err != nil {
		panic(err)
	}
	return c.BestEffort()
}()

// landlockRuleset builds the ruleset of c (not yet enforced): directories
// of ReadOnly readable, listable and executable, files of ReadOnly
// readable and executable, everything under ReadWrite allowed (including
// refer, truncate and device ioctls as the ABI offers). Paths that don't
// exist are skipped. It returns fd -1 when there is nothing to enforce.
func landlockRuleset(c confineSpec, abi int) (fd int, flags uint32, err error) {
	var roDirs, roFiles, rwDirs, rwFiles []string
	sortPaths := func(paths []string, dirs, files *[]string) {
		for _, p := range paths {
			st, err := os.Stat(p)
			switch {
			case err != nil:
				// Missing (or unreachable): nothing to allow there.
			case st.IsDir():
				*dirs = append(*dirs, p)
			default:
				*files = append(*files, p)
			}
		}
	}
	sortPaths(c.ReadOnly, &roDirs, &roFiles)
	sortPaths(c.ReadWrite, &rwDirs, &rwFiles)

	var rules []landlock.Rule
	if len(roDirs) > 0 {
		rules = append(rules, landlock.RODirs(roDirs...).IgnoreIfMissing())
	}
	if len(roFiles) > 0 {
		rules = append(rules, landlock.ROFiles(roFiles...).IgnoreIfMissing())
	}
	if len(rwDirs) > 0 {
		r := landlock.RWDirs(rwDirs...).WithIoctlDev().IgnoreIfMissing()
		if abi >= 2 { // asking for refer on V1 would drop Landlock altogether
			r = r.WithRefer()
		}
		rules = append(rules, r)
	}
	if len(rwFiles) > 0 {
		rules = append(rules, landlock.RWFiles(rwFiles...).WithIoctlDev().IgnoreIfMissing())
	}
	return landlockConfig.NewRulesetFD(rules...)
}

// setRlimits sets RLIMIT_CORE to 0, and RLIMIT_CPU and RLIMIT_NPROC from
// l (never above the current hard limit, which only a privileged process
// could raise).
func setRlimits(l Limits) error {
	set := func(name string, res int, v uint64) error {
		var cur unix.Rlimit
		if err := unix.Getrlimit(res, &cur); err != nil {
			return fmt.Errorf("getrlimit %s: %w", name, err)
		}
		v = min(v, cur.Max)
		if err := unix.Setrlimit(res, &unix.Rlimit{Cur: v, Max: v}); err != nil {
			return fmt.Errorf("setrlimit %s: %w", name, err)
		}
		return nil
	}
	if err := set("RLIMIT_CORE", unix.RLIMIT_CORE, 0); err != nil {
		return err
	}
	if l.CPUTimeMs > 0 {
		if err := set("RLIMIT_CPU", unix.RLIMIT_CPU, uint64((l.CPUTimeMs+999)/1000)); err != nil {
			return err
		}
	}
	if l.Processes > 0 {
		if err := set("RLIMIT_NPROC", unix.RLIMIT_NPROC, uint64(l.Processes)); err != nil {
			return err
		}
	}
	return nil
}

// Securebits (linux/securebits.h) that dropCapabilities sets and locks.
const (
	secbitNoroot               = 1 << 0
	secbitNorootLocked         = 1 << 1
	secbitNoSetuidFixup        = 1 << 2
	secbitNoSetuidFixupLocked  = 1 << 3
	secbitKeepCapsLocked       = 1 << 5
	confineSecurebits          = secbitNoroot | secbitNorootLocked | secbitNoSetuidFixup | secbitNoSetuidFixupLocked | secbitKeepCapsLocked
	capSetpcap                 = 8 // CAP_SETPCAP
	linuxCapabilityVersion3    = 0x20080522
	prCapAmbientClearAllOption = 4 // PR_CAP_AMBIENT_CLEAR_ALL
)

// dropCapabilities leaves the calling thread without capabilities, now
// and after execve even as uid 0: ambient set cleared, every capability
// dropped from the bounding set, SECBIT_NOROOT and SECBIT_NO_SETUID_FIXUP
// set and locked (with SECBIT_KEEP_CAPS_LOCKED), then effective,
// permitted and inheritable cleared. A thread that has no CAP_SETPCAP
// (an unprivileged caller) cannot change its bounding set or securebits;
// then its permitted set must already be empty, which no_new_privs keeps
// so across execve.
func dropCapabilities() error {
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, prCapAmbientClearAllOption, 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("clearing the ambient capabilities: %w", err)
	}
	hdr := unix.CapUserHeader{Version: linuxCapabilityVersion3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	if data[0].Effective&(1<<capSetpcap) != 0 {
		for c := 0; c <= 63; c++ {
			err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0)
			if errors.Is(err, unix.EINVAL) {
				break // past the last capability the kernel knows
			}
			if err != nil {
				return fmt.Errorf("dropping capability %d from the bounding set: %w", c, err)
			}
		}
		if err := unix.Prctl(unix.PR_SET_SECUREBITS, confineSecurebits, 0, 0, 0); err != nil {
			return fmt.Errorf("securebits: %w", err)
		}
	} else if data[0].Permitted != 0 || data[1].Permitted != 0 {
		return errors.New("dropping capabilities: permitted capabilities but no CAP_SETPCAP")
	}
	data = [2]unix.CapUserData{}
	hdr = unix.CapUserHeader{Version: linuxCapabilityVersion3}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return nil
}

// deniedSyscalls fail with EPERM under the seccomp filter: debugging and
// reading other processes, io_uring (which bypasses the filter), BPF, the
// kernel keyring, namespaces and mounts, modules, kexec and reboot, swap,
// perf, userfaultfd, accounting, quotas. Names the architecture lacks are
// skipped.
var deniedSyscalls = []string{
	"ptrace", "process_vm_readv", "process_vm_writev",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"bpf", "keyctl", "add_key", "request_key",
	"unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
	"move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
	"open_by_handle_at",
	"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
	"swapon", "swapoff", "perf_event_open", "userfaultfd", "acct", "quotactl", "lookup_dcookie",
}

// namespaceCloneFlags are the clone flags that create namespaces
// (CLONE_NEWTIME is left out: in clone(2)'s flags that bit is part of the
// exit signal; unshare, where it means a new time namespace, is denied).
const namespaceCloneFlags = unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWNET |
	unix.CLONE_NEWIPC | unix.CLONE_NEWUTS | unix.CLONE_NEWCGROUP

// seccompFilter is the filter of confine: default allow; EPERM for
// deniedSyscalls and for clone with a namespace flag; ENOSYS for clone3
// (whose flags sit in memory a filter cannot read), so that libc falls
// back to clone.
func seccompFilter() (seccomp.Filter, error) {
	info, err := arch.GetInfo("")
	if err != nil {
		return seccomp.Filter{}, err
	}
	var names []string
	for _, n := range deniedSyscalls {
		if _, ok := info.SyscallNames[n]; ok {
			names = append(names, n)
		}
	}
	deny := seccomp.SyscallGroup{
		Action: seccomp.ActionErrno | seccomp.Action(unix.EPERM),
		Names:  names,
		NamesWithCondtions: []seccomp.NameWithConditions{{
			Name: "clone",
			// The flags are clone's first argument on every architecture
			// this builds for but s390 (which go-seccomp-bpf does not cover).
			Conditions: seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.BitsSet, Value: namespaceCloneFlags}},
		}},
	}
	groups := []seccomp.SyscallGroup{deny}
	if _, ok := info.SyscallNames["clone3"]; ok {
		groups = append(groups, seccomp.SyscallGroup{
			Action: seccomp.ActionErrno | seccomp.Action(unix.ENOSYS),
			Names:  []string{"clone3"},
		})
	}
	f := seccomp.Filter{Policy: seccomp.Policy{DefaultAction: seccomp.ActionAllow, Syscalls: groups}}
	if _, err := f.Policy.Assemble(); err != nil {
		return seccomp.Filter{}, err
	}
	return f, nil
}

// loadSeccomp installs f on the calling thread (no TSYNC), preceded by a
// filter that fails every system call of another architecture with
// ENOSYS (go-seccomp-bpf's filter allows those; on x86-64 they would be
// the i386 calls of int 0x80). no_new_privs must be set already.
func loadSeccomp(f seccomp.Filter) error {
	info, err := arch.GetInfo("")
	if err != nil {
		return fmt.Errorf("seccomp: %w", err)
	}
	archOnly := []syscall.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 4}, // seccomp_data.arch
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 1, Jf: 0, K: uint32(info.ID)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}
	prog := syscall.SockFprog{Len: uint16(len(archOnly)), Filter: &archOnly[0]}
	if _, _, e := syscall.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog))); e != 0 {
		return fmt.Errorf("seccomp (architecture filter): %w", e)
	}
	runtime.KeepAlive(archOnly)
	f.NoNewPrivs = false // set already, on this thread
	f.Flag = 0           // this thread only
	if err := seccomp.LoadFilter(f); err != nil {
		return fmt.Errorf("seccomp: %w", err)
	}
	return nil
}

// seccompAvailable reports whether a seccomp filter can be loaded.
func seccompAvailable() bool {
	return seccomp.Supported()
}
