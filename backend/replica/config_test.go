package replica_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/replica"
)

const testSecret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"

// TestS3Config: an s3 replica needs a bucket and both credentials; the
// endpoint must be an http(s) URL; the secret never shows in Redacted or
// in an error.
func TestS3Config(t *testing.T) {
	creds := func(c replica.Config) replica.Config {
		c.AccessKeyID, c.SecretAccessKey = "AKIDEXAMPLE", testSecret
		return c
	}
	for _, good := range []replica.Config{
		creds(replica.Config{URL: "s3://ice-logs/laptop"}),
		creds(replica.Config{URL: "s3://ice-logs"}),
		creds(replica.Config{URL: "s3://ice.logs-2/a/b", Endpoint: "http://127.0.0.1:8333"}),
		creds(replica.Config{URL: "s3://ice-logs/x", Endpoint: "https://s3.example.net", Region: "eu-west-3"}),
	} {
		if err := good.Validate(); err != nil {
			t.Errorf("Validate(%s) = %v", good.Redacted(), err)
		}
	}
	for _, tc := range []struct {
		cfg  replica.Config
		want error
		says string
	}{
		{creds(replica.Config{URL: "s3:///logs"}), replica.ErrBadURL, "names no bucket"},
		{creds(replica.Config{URL: "s3://Ice_Logs/x"}), replica.ErrBadURL, "not an S3 bucket name"},
		{creds(replica.Config{URL: "s3://ab/x"}), replica.ErrBadURL, "not an S3 bucket name"},
		{creds(replica.Config{URL: "s3://-ice/x"}), replica.ErrBadURL, "not an S3 bucket name"},
		{creds(replica.Config{URL: "s3://AKID:" + testSecret + "@ice-logs/x"}), replica.ErrBadURL, "not the URL"},
		{replica.Config{URL: "s3://ice-logs/x"}, replica.ErrBadConfig, "access key id and its secret"},
		{replica.Config{URL: "s3://ice-logs/x", AccessKeyID: "AKIDEXAMPLE"}, replica.ErrBadConfig, "secret access key"},
		{replica.Config{URL: "s3://ice-logs/x", SecretAccessKey: testSecret}, replica.ErrBadConfig, "access key id"},
		{creds(replica.Config{URL: "s3://ice-logs/x", Endpoint: "127.0.0.1:8333"}), replica.ErrBadConfig, "http(s)://host"},
		{creds(replica.Config{URL: "s3://ice-logs/x", Endpoint: "ftp://host"}), replica.ErrBadConfig, "http(s)://host"},
		{creds(replica.Config{URL: "s3://ice-logs/x", Endpoint: "http://u:" + testSecret + "@host"}), replica.ErrBadConfig, "http(s)://host"},
	} {
		err := tc.cfg.Validate()
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Validate(%s) = %v; want %v saying %q", tc.cfg.Redacted(), err, tc.want, tc.says)
		}
		if err != nil && strings.Contains(err.Error(), testSecret) {
			t.Errorf("Validate(%s)'s error shows the secret: %v", tc.cfg.Redacted(), err)
		}
		if strings.Contains(tc.cfg.Redacted(), testSecret) {
			t.Errorf("Redacted() = %q shows the secret", tc.cfg.Redacted())
		}
	}
}

// TestConfigJSON: the settings' names of the fields (the replicator
// process reads Config as JSON too).
func TestConfigJSON(t *testing.T) {
	b, err := json.Marshal(replica.Config{URL: "s3://b/x", Endpoint: "http://h", Region: "r", AccessKeyID: "k", SecretAccessKey: "s", HostKey: "h"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"url":"s3://b/x","hostKey":"h","endpoint":"http://h","region":"r","accessKeyId":"k","secretAccessKey":"s"}`
	if string(b) != want {
		t.Fatalf("json of Config = %s, want %s", b, want)
	}
}

// TestSFTPHostKeyConfig: a host key that is not a public key is refused
// before anything connects.
func TestSFTPHostKeyConfig(t *testing.T) {
	c := replica.Config{URL: "sftp://me@host/logs", KeyFile: "/k", HostKey: "not a key"}
	if err := c.Validate(); !errors.Is(err, replica.ErrBadConfig) || !strings.Contains(err.Error(), "authorized_keys form") {
		t.Fatalf("Validate with a bad host key = %v, want ErrBadConfig", err)
	}
	c.HostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPUhCo03U0R220VIzlBtGk7ZtxNhiJ4tr/2tIVVCNe5r"
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate with an ed25519 host key = %v", err)
	}
}
