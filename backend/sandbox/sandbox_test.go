package sandbox_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/sandbox"
)

const secret = "hunter2-ice-sandbox-secret"

func TestMain(m *testing.M) {
	sandbox.Init()
	os.Setenv("ICE_SANDBOX_TEST_SECRET", secret)
	os.Exit(m.Run())
}

var baseEnv = []string{"PATH=/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin", "LANG=C"}

// workspace makes a workspace folder with the given files.
func workspace(t *testing.T, files map[string]string) string {
	t.Helper()
	ws := filepath.Join(t.TempDir(), "ws")
	for p, c := range files {
		f := filepath.Join(ws, p)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(ws, 0o755)
	return ws
}

// run runs a shell script in the sandbox.
func run(t *testing.T, s sandbox.Spec, script string) (sandbox.Result, string) {
	t.Helper()
	var out bytes.Buffer
	if s.Argv == nil {
		s.Argv = []string{"sh", "-c", script}
	}
	if s.Env == nil {
		s.Env = baseEnv
	}
	if s.Scratch == "" {
		s.Scratch = t.TempDir()
	}
	s.Output = &out
	res, err := sandbox.Run(context.Background(), s)
	if err != nil {
		t.Fatalf("Run: %v\noutput:\n%s", err, out.String())
	}
	return res, out.String()
}

func changesString(cs []sandbox.Change) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %s %q|", c.Op, c.Path, c.Data)
	}
	return b.String()
}

func TestSandboxProbe(t *testing.T) {
	st := sandbox.Probe(context.Background())
	t.Logf("%+v", st)
	if !st.Available || !st.UserNS {
		t.Fatalf("sandbox unavailable: %+v", st)
	}
	if !st.Overlay || st.Mode != sandbox.ModeOverlay {
		t.Errorf("expected overlayfs on this machine: %+v", st)
	}
}

func TestSandboxWorkspaceChanges(t *testing.T) {
	ws := workspace(t, map[string]string{
		"a.txt": "a\n", ".git/config": "[core]\n", "del.txt": "d\n", "gone.txt": "g\n",
		"keep/x.txt": "x\n", "rmdir/one": "1", "rmdir/sub/two": "2", "same.txt": "same\n",
	})
	staged := []sandbox.File{{Path: "staged.txt", Data: []byte("STAGED\n")}, {Path: "gone.txt", Delete: true},
		{Path: "a.txt", Data: []byte("a-staged\n")}}
	script := `set -e
cat staged.txt a.txt
test ! -e gone.txt && echo GONE
echo new >> a.txt
echo '[evil]' >> .git/config
echo n > new.txt
rm del.txt
rm -r rmdir
cp same.txt same.tmp && mv same.tmp same.txt
touch keep/x.txt
mkdir -p deep/er && echo z > deep/er/z.txt
ln -s /etc/passwd link
`
	res, out := run(t, sandbox.Spec{Root: ws, Staged: staged}, script)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %s", res.ExitCode, out)
	}
	if !strings.Contains(out, "STAGED\na-staged\n") || !strings.Contains(out, "GONE") {
		t.Errorf("staged edits not visible: %q", out)
	}
	want := `write .git/config "[core]\n[evil]\n"|write a.txt "a-staged\nnew\n"|write deep/er/z.txt "z\n"|delete del.txt ""|unsupported link ""|write new.txt "n\n"|delete rmdir/one ""|delete rmdir/sub/two ""|`
	if got := changesString(res.Changes); got != want {
		t.Errorf("changes:\n got %s\nwant %s", got, want)
	}
	for p, c := range map[string]string{"a.txt": "a\n", ".git/config": "[core]\n", "del.txt": "d\n", "gone.txt": "g\n", "rmdir/sub/two": "2"} {
		if b, err := os.ReadFile(filepath.Join(ws, p)); err != nil || string(b) != c {
			t.Errorf("real %s changed: %q %v", p, b, err)
		}
	}
	for _, p := range []string{"new.txt", "staged.txt", "link", "deep"} {
		if _, err := os.Lstat(filepath.Join(ws, p)); err == nil {
			t.Errorf("real %s created", p)
		}
	}
	if res.Mode != sandbox.ModeOverlay || res.StartUs <= 0 || res.DurationMs <= 0 && res.StartUs > 5e6 {
		t.Errorf("result: %+v", res)
	}
	t.Logf("start %d µs, layers %v", res.StartUs, res.Layers)

	// The same in copy mode gives the same changes.
	res2, out2 := run(t, sandbox.Spec{Root: ws, Staged: staged, Mode: sandbox.ModeCopy}, script)
	if res2.ExitCode != 0 || res2.Mode != sandbox.ModeCopy {
		t.Fatalf("copy mode: %+v %s", res2, out2)
	}
	if got := changesString(res2.Changes); got != want {
		t.Errorf("copy mode changes:\n got %s\nwant %s", got, want)
	}
}

func TestSandboxEscapes(t *testing.T) {
	ws := workspace(t, map[string]string{"f": "f"})
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte(secret), 0o644)
	hostHome, _ := os.UserHomeDir()
	homeSecret := ""
	if hostHome != "" {
		p := filepath.Join(hostHome, ".ice-sandbox-test-bashrc")
		if os.WriteFile(p, []byte(secret), 0o600) == nil {
			homeSecret = p
			defer os.Remove(p)
		}
	}
	hostPasswd, _ := os.ReadFile("/etc/passwd")
	markers := []string{"/tmp/ice-sandbox-escape-" + fmt.Sprint(os.Getpid()), filepath.Join(outside, "written")}
	if hostHome != "" {
		markers = append(markers, filepath.Join(hostHome, ".ice-sandbox-escape"))
	}
	script := fmt.Sprintf(`
cat %[1]s/secret.txt %[2]s 2>&1
for m in %[3]s; do echo x > "$m"; done 2>/dev/null
echo x > "$HOME/inhome" && echo HOME_OK
echo x > /tmp/intmp && echo TMP_OK
echo x > /usr/evil 2>/dev/null && echo USR_WRITABLE
echo x > /etc/evil 2>/dev/null && echo ETC_WRITABLE
echo x > / 2>/dev/null; mkdir /evil 2>/dev/null && echo ROOT_WRITABLE
ls /home /srv /mnt /media /var /work 2>/dev/null
echo ---env; env; cat /proc/1/environ; echo
echo ---passwd; cat /etc/passwd
echo ---procs; ls /proc | grep -c '^[0-9]'
`, outside, homeSecret, strings.Join(markers, " "))
	res, out := run(t, sandbox.Spec{Root: ws}, script)
	t.Log(out)
	if strings.Contains(out, secret) {
		t.Errorf("a secret leaked into the sandbox")
	}
	for _, bad := range []string{"USR_WRITABLE", "ETC_WRITABLE", "ROOT_WRITABLE"} {
		if strings.Contains(out, bad) {
			t.Errorf("%s", bad)
		}
	}
	if !strings.Contains(out, "HOME_OK") || !strings.Contains(out, "TMP_OK") {
		t.Errorf("private home and /tmp not writable")
	}
	for _, m := range append(markers, "/tmp/intmp", "/usr/evil", "/etc/evil", "/evil") {
		if _, err := os.Stat(m); err == nil {
			os.Remove(m)
			t.Errorf("%s was created on the host", m)
		}
	}
	passwd := out[strings.Index(out, "---passwd"):]
	for _, line := range strings.Split(string(hostPasswd), "\n") {
		name, _, _ := strings.Cut(line, ":")
		if name != "" && name != "root" && name != "nobody" && strings.Contains(passwd, "\n"+name+":") {
			t.Errorf("the host's /etc/passwd is visible (%s)", name)
		}
	}
	if len(res.Changes) != 0 {
		t.Errorf("changes: %s", changesString(res.Changes))
	}
}

func TestSandboxNetwork(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	got := make(chan string, 4)
	go func() {
		for {
			c, err := tcp.Accept()
			if err != nil {
				return
			}
			got <- "tcp"
			c.Close()
		}
	}()
	go func() {
		buf := make([]byte, 64)
		for {
			if _, _, err := udp.ReadFrom(buf); err != nil {
				return
			}
			got <- "udp"
		}
	}()
	tport := tcp.Addr().(*net.TCPAddr).Port
	uport := udp.LocalAddr().(*net.UDPAddr).Port
	script := fmt.Sprintf(`echo hi > /dev/tcp/127.0.0.1/%d && echo TCP_SENT; echo hi > /dev/udp/127.0.0.1/%d && echo UDP_SENT; getent hosts example.com && echo DNS_OK; true`, tport, uport)
	ws := workspace(t, nil)

	// Positive control: unsandboxed, both arrive (the test can fail).
	_, out := run(t, sandbox.Spec{Root: ws, Mode: sandbox.ModeUnsandboxed, Argv: []string{"bash", "-c", script}}, "")
	for _, want := range []string{"tcp", "udp"} {
		select {
		case g := <-got:
			if g != want && !strings.Contains(out, "SENT") {
				t.Errorf("control: got %s", g)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("control: %s did not arrive unsandboxed: %s", want, out)
		}
	}
	_, out = run(t, sandbox.Spec{Root: ws, Argv: []string{"bash", "-c", script}}, "")
	t.Log(out)
	if strings.Contains(out, "TCP_SENT") || strings.Contains(out, "DNS_OK") {
		t.Errorf("network reachable from the sandbox: %s", out)
	}
	select {
	case g := <-got:
		t.Errorf("%s reached the host's loopback from the sandbox", g)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestSandboxProxySocket(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	sock := filepath.Join(dir, "proxy.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 5)
			n, _ := c.Read(buf)
			c.Write([]byte("pong:" + string(buf[:n])))
			c.Close()
		}
	}()
	res, out := run(t, sandbox.Spec{Root: workspace(t, nil), ProxySocket: sock, Argv: []string{"bash", "-c",
		fmt.Sprintf(`exec 3<>/dev/tcp/127.0.0.1/%d; printf ping >&3; cat <&3`, sandbox.ProxyPort)}}, "")
	if res.ExitCode != 0 || !strings.Contains(out, "pong:ping") {
		t.Errorf("proxy bridge: %+v %q", res, out)
	}
}

// sandboxProcs lists host processes whose command line contains marker.
func sandboxProcs(marker string) []string {
	var found []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), marker) {
			found = append(found, e.Name()+":"+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return found
}

func TestSandboxBackgroundKilled(t *testing.T) {
	res, out := run(t, sandbox.Spec{Root: workspace(t, nil)}, `sleep 300.4242 & echo started`)
	if res.ExitCode != 0 || !strings.Contains(out, "started") {
		t.Fatalf("%+v %s", res, out)
	}
	if p := sandboxProcs("300.4242"); len(p) > 0 {
		t.Errorf("background processes outlived the command: %v", p)
	}
}

func TestSandboxForkBomb(t *testing.T) {
	res, out := run(t, sandbox.Spec{Root: workspace(t, nil), Limits: sandbox.Limits{Processes: 30, WallClockMs: 2000}},
		`f(){ f | f & }; f; sleep 5.4343`)
	t.Logf("%+v %.300s", res, out)
	// Contained by RLIMIT_NPROC (unprivileged) or the command's pids
	// cgroup (root, which RLIMIT_NPROC never binds): the shell's forks
	// fail (what is left ends by itself or at the wall clock), or the
	// watch kills it (Limit "processes").
	if res.Limit != "processes" && !strings.Contains(out, "Cannot fork") {
		t.Errorf("fork bomb: limit %q exit %d", res.Limit, res.ExitCode)
	}
	if p := sandboxProcs("5.4343"); len(p) > 0 {
		t.Errorf("processes left: %v", p)
	}
}

func TestSandboxMemoryLimit(t *testing.T) {
	res, out := run(t, sandbox.Spec{Root: workspace(t, nil), Limits: sandbox.Limits{MemoryBytes: 64 << 20, WallClockMs: 20000}},
		`head -c 1000000000 /dev/zero | tail -n 1 >/dev/null; echo survived`)
	if res.Limit != "memory" || strings.Contains(out, "survived") {
		t.Errorf("memory limit: %+v %q", res, out)
	}
}

func TestSandboxCPULimit(t *testing.T) {
	start := time.Now()
	res, _ := run(t, sandbox.Spec{Root: workspace(t, nil), Limits: sandbox.Limits{CPUTimeMs: 500, WallClockMs: 20000}},
		`while :; do :; done`)
	if res.Limit != "cpu" { // not "wall clock": the CPU limit ended it
		t.Errorf("cpu limit: %+v after %v", res, time.Since(start))
	}
	if res.CPUTimeMs < 400 {
		t.Errorf("cpu time %d ms", res.CPUTimeMs)
	}
}

func TestSandboxWallClockAndOutput(t *testing.T) {
	res, _ := run(t, sandbox.Spec{Root: workspace(t, nil), Limits: sandbox.Limits{WallClockMs: 300}}, `sleep 10`)
	if res.Limit != "wall clock" || res.DurationMs > 3000 {
		t.Errorf("wall clock: %+v", res)
	}
	res, out := run(t, sandbox.Spec{Root: workspace(t, nil), Limits: sandbox.Limits{OutputBytes: 1000}}, `yes`)
	if res.Limit != "output" || res.OutputSize != 1000 || len(out) != 1000 {
		t.Errorf("output: %+v (%d)", res, len(out))
	}
}

func TestSandboxCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := sandbox.Run(ctx, sandbox.Spec{Root: workspace(t, nil), Scratch: t.TempDir(), Env: baseEnv,
		Argv: []string{"sh", "-c", "sleep 30.5151 & sleep 30.5151"}})
	// Not a speed check: the command would sleep 30 s, so returning well
	// before that means the cancel killed it.
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("Run returned %v after the cancel: the command was not killed", d-300*time.Millisecond)
	}
	if err == nil {
		t.Errorf("no error after cancel")
	}
	if p := sandboxProcs("30.5151"); len(p) > 0 {
		t.Errorf("processes left: %v", p)
	}
}

func TestSandboxCommandNotFound(t *testing.T) {
	res, out := run(t, sandbox.Spec{Root: workspace(t, nil), Argv: []string{"no-such-command-ice"}}, "")
	if res.ExitCode != 127 || !strings.Contains(out, "command not found") {
		t.Errorf("%+v %q", res, out)
	}
	res, out = run(t, sandbox.Spec{Root: workspace(t, map[string]string{"sub/x": ""}), Dir: "sub", Argv: []string{"pwd"}}, "")
	if res.ExitCode != 0 || !strings.HasSuffix(strings.TrimSpace(out), "/ws/sub") {
		t.Errorf("Dir: %+v %q", res, out)
	}
}

func TestSandboxGoTest(t *testing.T) {
	if _, err := os.Stat("/usr/local/go/bin/go"); err != nil {
		t.Skip("no go")
	}
	ws := workspace(t, map[string]string{
		"go.mod":    "module example.com/tiny\n\ngo 1.21\n",
		"tiny.go":   "package tiny\n\nfunc Add(a, b int) int { return a + b }\n",
		"t_test.go": "package tiny\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) { if Add(1, 2) != 3 { t.Fatal() } }\n",
	})
	cache := t.TempDir()
	env := append([]string{"GOCACHE=" + cache + "/build", "GOMODCACHE=" + cache + "/mod", "GOTOOLCHAIN=local",
		"GOPROXY=off", "GOFLAGS=", "CGO_ENABLED=0"}, baseEnv...)
	res, out := run(t, sandbox.Spec{Root: ws, Env: env, Binds: []sandbox.Bind{{Path: cache, Writable: true}},
		Argv: []string{"go", "test", "./..."}}, "")
	if res.ExitCode != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("go test: %+v\n%s", res, out)
	}
	if len(res.Changes) != 0 {
		t.Errorf("go test changed the workspace: %s", changesString(res.Changes))
	}
	if ents, _ := os.ReadDir(filepath.Join(cache, "build")); len(ents) == 0 {
		t.Errorf("GOCACHE bind not written")
	}
}
