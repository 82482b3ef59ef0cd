// Package realseaweed runs a real S3-compatible server for tests: the
// SeaweedFS `weed server -s3` (master, volume server, filer and S3
// gateway in one process), so the S3 replica is proven against an object
// store that speaks the S3 protocol over HTTP, signatures included,
// rather than an in-process fake.
//
// The weed program comes from ICE_WEED_BIN, which `make test-go` sets
// after `scripts/real-seaweedfs build` (SeaweedFS built from the Go module
// proxy with its own go.mod). Without it the tests that need a server skip.
//
// What to expect of it:
//   - Start takes a few seconds (the S3 gateway answers once the master,
//     volume server and filer are up);
//   - one identity, with random credentials, may do everything; any other
//     key gets InvalidAccessKeyId, a wrong secret SignatureDoesNotMatch;
//   - a bucket must be created (CreateBucket) before use: the gateway's
//     automatic bucket creation is off, as on Amazon S3.
package realseaweed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BinaryEnv names the environment variable holding the weed program.
const BinaryEnv = "ICE_WEED_BIN"

// Region is the region the server is addressed in (SeaweedFS accepts any).
const Region = "us-east-1"

// startTimeout bounds how long the S3 gateway may take to answer.
const startTimeout = 90 * time.Second

// Server is a running `weed server -s3`.
type Server struct {
	Endpoint        string // the S3 gateway, http://127.0.0.1:PORT
	Region          string
	AccessKeyID     string // of the one identity, which may do everything
	SecretAccessKey string
	// Stop ends the server (SIGTERM, then SIGKILL after 5 s) and waits for
	// it; cleanup calls it again harmlessly.
	Stop func()

	logPath string
}

// Log returns what the server has printed so far, for failure messages.
func (s *Server) Log() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// Client returns an S3 client of the server with its credentials.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey, ""),
		HTTPClient:   &http.Client{Transport: &http.Transport{Proxy: nil}},
	})
}

// CreateBucket creates a bucket on the server.
func (s *Server) CreateBucket(tb testing.TB, name string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		tb.Fatalf("create bucket %s on %s: %v\n--- server log ---\n%s", name, s.Endpoint, err, tail(s.Log()))
	}
}

// Start runs `weed server -s3` on free loopback ports, with its data in
// tb.TempDir(), and stops it when the test ends. It skips the test when
// ICE_WEED_BIN is not set, and fails it when the program cannot run.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return StartSized(tb, 4)
}

// StartSized is Start with room for volumes volumes of 64 MiB (Start: 4,
// 256 MiB in all; a benchmark's 1M-event log needs more).
func StartSized(tb testing.TB, volumes int) *Server {
	tb.Helper()
	bin := os.Getenv(BinaryEnv)
	if bin == "" {
		tb.Skip(BinaryEnv + " is not set (make test-go sets it)")
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		tb.Fatalf("%s=%s is not an executable weed program (run scripts/real-seaweedfs build): %v", BinaryEnv, bin, err)
	}
	dir := tb.TempDir()
	s := &Server{Region: Region, AccessKeyID: "ICE" + randomHex(tb, 8), SecretAccessKey: randomHex(tb, 20),
		logPath: filepath.Join(dir, "weed.log")}
	conf := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(conf, identities(s.AccessKeyID, s.SecretAccessKey), 0o600); err != nil {
		tb.Fatal(err)
	}
	// The ports are free when chosen and may be taken before weed binds
	// them: then it fails to start and other ports are tried.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		data := filepath.Join(dir, "data"+strconv.Itoa(attempt))
		if err := os.Mkdir(data, 0o700); err != nil {
			tb.Fatal(err)
		}
		if lastErr = s.run(tb, bin, dir, data, conf, volumes); lastErr == nil {
			return s
		}
	}
	tb.Fatalf("weed server -s3: %v\n--- server log ---\n%s", lastErr, tail(s.Log()))
	return nil
}

// identities is the S3 gateway's configuration: one identity that may do
// everything.
func identities(key, secret string) []byte {
	type credential struct {
		AccessKey string `json:"accessKey"`
		SecretKey string `json:"secretKey"`
	}
	type identity struct {
		Name        string       `json:"name"`
		Credentials []credential `json:"credentials"`
		Actions     []string     `json:"actions"`
	}
	b, _ := json.Marshal(map[string][]identity{"identities": {{
		Name: "admin", Credentials: []credential{{key, secret}},
		Actions: []string{"Admin", "Read", "List", "Tagging", "Write"},
	}}})
	return b
}

// run starts weed with fresh ports and waits until its S3 gateway answers.
func (s *Server) run(tb testing.TB, bin, dir, data, conf string, volumes int) error {
	tb.Helper()
	ports, err := freePorts(8)
	if err != nil {
		return fmt.Errorf("find free ports: %w", err)
	}
	p := func(i int) string { return strconv.Itoa(ports[i]) }
	s.Endpoint = "http://127.0.0.1:" + p(6)
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(bin, "-logdir="+data, "server",
		"-dir="+data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port="+p(0), "-master.port.grpc="+p(1),
		"-volume.port="+p(2), "-volume.port.grpc="+p(3),
		"-filer", "-filer.port="+p(4), "-filer.port.grpc="+p(5),
		"-filer.localSocket="+filepath.Join(data, "filer.sock"),
		"-s3", "-s3.port="+p(6), "-s3.port.grpc="+p(7),
		"-s3.localSocket="+filepath.Join(data, "s3.sock"),
		"-s3.port.iceberg=0", "-s3.port.lance=0",
		"-s3.config="+conf, "-s3.autoCreateBucket=false",
		"-master.telemetry=false", "-master.volumeSizeLimitMB=64", "-volume.max="+strconv.Itoa(volumes),
	)
	cmd.Dir = data
	// Its own HOME, so no SeaweedFS configuration of the developer's
	// (~/.seaweedfs/*.toml) applies.
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir, "TMPDIR=" + data, "LANG=C"}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group; SIGTERM if the test binary dies without
	// cleaning up, so it does not outlive it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s server: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := sync.OnceFunc(func() { stopProcess(cmd, exited) })
	if err := s.waitReady(exited); err != nil {
		stop()
		return err
	}
	s.Stop = stop
	tb.Cleanup(stop)
	return nil
}

// waitReady lists the buckets until the gateway answers, weed exits, or
// startTimeout passes.
func (s *Server) waitReady(exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	c := s.Client()
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, 5*time.Second)
		_, err := c.ListBuckets(attempt, &s3.ListBucketsInput{})
		cancelAttempt()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("weed exited before its S3 gateway answered")
		case <-ctx.Done():
			return fmt.Errorf("the S3 gateway at %s did not answer within %s: %v", s.Endpoint, startTimeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stopProcess sends SIGTERM, waits up to 5 s, then kills the process
// group.
func stopProcess(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-exited
}

// freePorts returns n distinct loopback ports nothing listens on (all
// held open together while they are chosen).
func freePorts(n int) ([]int, error) {
	var ports []int
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomHex(tb testing.TB, n int) string {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// tail keeps the end of a long log, where the failure is.
func tail(s string) string {
	const max = 8 << 10
	if len(s) > max {
		return "…" + s[len(s)-max:]
	}
	return s
}
