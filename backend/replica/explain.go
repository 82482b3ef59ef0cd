package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/benbjohnson/litestream"
	"github.com/superfly/ltx"
)

// explainingClient is a remote replica client whose errors say what to
// do: a refused key or secret, a changed host key or a missing bucket
// reads as that (ErrDenied, ErrHostKey, ErrNoBucket), with the replica's
// URL, instead of an SDK's "operation error S3: ListObjectsV2, https
// response error StatusCode: 403, …". The replicator's status and
// Restore both see it, since both build their client through
// Config.client.
//
// It also calls the client's Init itself before any other method, for
// s3 without AWS_CA_BUNDLE in the environment: Litestream v0.5.18 gives
// the AWS SDK an *http.Client of its own, to which the SDK cannot add a
// CA bundle, so with that variable set (as corporate machines do) every
// S3 operation failed with "unable to add custom RootCAs HTTPClient, has
// no WithTransportOptions". Go still honours SSL_CERT_FILE for the same
// purpose.
type explainingClient struct {
	litestream.ReplicaClient
	url  string     // redacted
	init *initState // nil: nothing to do before Init
}

// initState makes an s3 client's first Init without AWS_CA_BUNDLE.
type initState struct {
	mu   sync.Mutex
	done bool
}

// caBundleEnv is the variable the AWS SDK reads a CA bundle from.
const caBundleEnv = "AWS_CA_BUNDLE"

// envMu serialises the clients that take AWS_CA_BUNDLE out of the
// environment for the length of an Init.
var envMu sync.Mutex

var _ litestream.ReplicaClient = explainingClient{}

// Init connects (sftp) or prepares the SDK (s3).
func (c explainingClient) Init(ctx context.Context) error {
	if c.init == nil {
		return c.explain(c.ReplicaClient.Init(ctx))
	}
	c.init.mu.Lock()
	defer c.init.mu.Unlock()
	if c.init.done {
		return nil
	}
	envMu.Lock()
	bundle, had := os.LookupEnv(caBundleEnv)
	if had {
		_ = os.Unsetenv(caBundleEnv)
	}
	err := c.ReplicaClient.Init(ctx)
	if had {
		_ = os.Setenv(caBundleEnv, bundle)
	}
	envMu.Unlock()
	c.init.done = err == nil
	return c.explain(err)
}

// LTXFiles lists a level's files; listing errors come from the iterator.
func (c explainingClient) LTXFiles(ctx context.Context, level int, seek ltx.TXID, useMetadata bool) (ltx.FileIterator, error) {
	if err := c.Init(ctx); err != nil {
		return nil, err
	}
	itr, err := c.ReplicaClient.LTXFiles(ctx, level, seek, useMetadata)
	if err != nil {
		return nil, c.explain(err)
	}
	return explainingIterator{itr, c}, nil
}

// OpenLTXFile reads one file.
func (c explainingClient) OpenLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, offset, size int64) (io.ReadCloser, error) {
	if err := c.Init(ctx); err != nil {
		return nil, err
	}
	rc, err := c.ReplicaClient.OpenLTXFile(ctx, level, minTXID, maxTXID, offset, size)
	return rc, c.explain(err)
}

// WriteLTXFile writes one file.
func (c explainingClient) WriteLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, r io.Reader) (*ltx.FileInfo, error) {
	if err := c.Init(ctx); err != nil {
		return nil, err
	}
	fi, err := c.ReplicaClient.WriteLTXFile(ctx, level, minTXID, maxTXID, r)
	return fi, c.explain(err)
}

// DeleteLTXFiles removes files compacted away.
func (c explainingClient) DeleteLTXFiles(ctx context.Context, a []*ltx.FileInfo) error {
	if err := c.Init(ctx); err != nil {
		return err
	}
	return c.explain(c.ReplicaClient.DeleteLTXFiles(ctx, a))
}

// DeleteAll removes the whole replica.
func (c explainingClient) DeleteAll(ctx context.Context) error {
	if err := c.Init(ctx); err != nil {
		return err
	}
	return c.explain(c.ReplicaClient.DeleteAll(ctx))
}

// explainingIterator explains the error of a listing.
type explainingIterator struct {
	ltx.FileIterator
	c explainingClient
}

// Err is the listing's error, explained.
func (it explainingIterator) Err() error { return it.c.explain(it.FileIterator.Err()) }

// Close ends the listing and returns its error (s3), explained.
func (it explainingIterator) Close() error { return it.c.explain(it.FileIterator.Close()) }

// s3Error is what the AWS SDK's API errors (smithy.APIError) carry.
type s3Error interface{ ErrorCode() string }

// explain wraps err in the sentinel that says what to do about it, or
// returns it as it is when it is none of those.
func (c explainingClient) explain(err error) error {
	if err == nil || errors.Is(err, ErrDenied) || errors.Is(err, ErrHostKey) || errors.Is(err, ErrNoBucket) {
		return err
	}
	var apiErr s3Error
	if errors.As(err, &apiErr) {
		hint := ""
		switch apiErr.ErrorCode() {
		case "SignatureDoesNotMatch":
			hint = "the secret access key does not match the access key id; check the secret"
		case "InvalidAccessKeyId":
			hint = "the server knows no such access key id; check the access key id"
		case "AccessDenied":
			hint = "this access key may not read and write the bucket; check its permissions on the server"
		case "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed":
			hint = "check the access key id, the secret access key and the region"
		}
		if hint != "" {
			return fmt.Errorf("%w: %s answered %s: %s: %w", ErrDenied, c.url, apiErr.ErrorCode(), hint, err)
		}
		switch apiErr.ErrorCode() {
		case "NoSuchBucket":
			return fmt.Errorf("%w: %s: create the bucket on the server first (ICE Studio does not create buckets): %w", ErrNoBucket, c.url, err)
		}
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "ssh: unable to authenticate"):
		return fmt.Errorf("%w: the sftp server of %s accepted neither the key file nor the password: check the key file (its public key must be in the server's authorized_keys for this user) or the password: %w",
			ErrDenied, c.url, err)
	case strings.Contains(msg, "ssh: host key mismatch"):
		return fmt.Errorf("%w: %s: the server presented another host key; if the server's key was changed on purpose, set the new one (its ssh_host_*_key.pub), otherwise do not connect: %w",
			ErrHostKey, c.url, err)
	}
	return err
}
