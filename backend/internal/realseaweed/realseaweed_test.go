package realseaweed_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ice-studio/ice-studio/backend/internal/realseaweed"
)

// TestRealSeaweed: the server stores and returns an object in a bucket it
// was asked to create, refuses a wrong secret and an unknown key, and has
// no bucket it was not asked for.
func TestRealSeaweed(t *testing.T) {
	ctx := context.Background()
	srv := realseaweed.Start(t)
	srv.CreateBucket(t, "ice-test")
	c := srv.Client()
	want := "an object"
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ice-test"), Key: aws.String("a/b.txt"), Body: strings.NewReader(want)}); err != nil {
		t.Fatalf("PutObject: %v\n%s", err, srv.Log())
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ice-test"), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || string(got) != want {
		t.Fatalf("GetObject read %q, %v; want %q", got, err, want)
	}

	code := func(err error) string {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			return apiErr.ErrorCode()
		}
		return ""
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ice-nothing"), Key: aws.String("x")}); code(err) != "NoSuchBucket" {
		t.Fatalf("GetObject from a bucket never created = %v, want NoSuchBucket", err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ice-nothing"), Key: aws.String("x"), Body: strings.NewReader("x")}); code(err) != "NoSuchBucket" {
		t.Fatalf("PutObject to a bucket never created = %v, want NoSuchBucket (no automatic buckets)", err)
	}
	for _, wrong := range []struct{ key, secret, want string }{
		{srv.AccessKeyID, "x" + srv.SecretAccessKey, "SignatureDoesNotMatch"},
		{"ICEUNKNOWN", srv.SecretAccessKey, "InvalidAccessKeyId"},
	} {
		bad := *srv
		bad.AccessKeyID, bad.SecretAccessKey = wrong.key, wrong.secret
		if _, err := bad.Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("ice-test")}); code(err) != wrong.want {
			t.Errorf("ListObjectsV2 with key %s and a wrong secret or key = %v, want %s", wrong.key, err, wrong.want)
		}
	}
}
