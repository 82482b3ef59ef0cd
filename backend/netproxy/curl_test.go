package netproxy_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCurl drives Debian's curl through the bridge with only the proxy
// environment a sandboxed command gets (and no NO_PROXY, which is what would
// make curl bypass the proxy for 127.0.0.1).
func TestCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	allowed := newUpstream(t, false, "via-curl")
	allowedTLS := newUpstream(t, true, "via-curl-tls")
	denied := newUpstream(t, false, "secret")
	deniedTLS := newUpstream(t, true, "secret")
	e := startProxy(t, allowOnly(hostPort(allowed.Server), hostPort(allowedTLS.Server)))
	p := e.proxyURL.String()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"} {
		env = append(env, k+"="+p)
	}
	run := func(url string) (string, error) {
		cmd := exec.Command(curl, "-sS", "-k", "--max-time", "20", "-w", "\nHTTP %{http_code}", url)
		cmd.Env = env // NO_PROXY / no_proxy deliberately absent
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run(allowed.URL + "/p")
	if err != nil || !strings.Contains(out, "via-curl /p") || !strings.Contains(out, "HTTP 200") {
		t.Errorf("allowed http: %v\n%s", err, out)
	}
	out, err = run(allowedTLS.URL + "/t")
	if err != nil || !strings.Contains(out, "via-curl-tls /t") || !strings.Contains(out, "HTTP 200") {
		t.Errorf("allowed https: %v\n%s", err, out)
	}
	out, _ = run(denied.URL + "/d")
	if !strings.Contains(out, "HTTP 403") || !strings.Contains(out, "not granted") {
		t.Errorf("denied http: want 403 with reason\n%s", out)
	}
	out, err = run(deniedTLS.URL + "/d")
	if err == nil || !strings.Contains(out, "403") {
		t.Errorf("denied https: want CONNECT 403 failure, got %v\n%s", err, out)
	}
	if allowed.n.Load() != 1 || allowedTLS.n.Load() != 1 || denied.n.Load() != 0 || deniedTLS.n.Load() != 0 {
		t.Errorf("upstream counts %d %d %d %d", allowed.n.Load(), allowedTLS.n.Load(), denied.n.Load(), deniedTLS.n.Load())
	}
	// The records prove curl went through the proxy rather than direct.
	recs := e.srv.Records()
	if len(recs) != 4 {
		t.Fatalf("Records = %+v", recs)
	}
	for i, want := range []struct {
		target  string
		allowed bool
	}{
		{hostPort(allowed.Server), true}, {hostPort(allowedTLS.Server), true},
		{hostPort(denied.Server), false}, {hostPort(deniedTLS.Server), false},
	} {
		if recs[i].Target != want.target || recs[i].Allowed != want.allowed {
			t.Errorf("record %d = %+v, want %+v", i, recs[i], want)
		}
	}
}
