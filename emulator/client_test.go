package emulator_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/pelicantest"
)

// newClient returns an unchanged aws-sdk-go-v2 Kinesis client aimed at srv, with retries off so
// that every error reaches the test as the server sent it.
func newClient(t testing.TB, srv *emulator.Server, optFns ...func(*kinesis.Options)) *kinesis.Client {
	t.Helper()
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:  pelicantest.HTTPClient(),
	}
	return kinesis.NewFromConfig(cfg, append([]func(*kinesis.Options){func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(srv.URL())
		o.RetryMaxAttempts = 1
	}}, optFns...)...)
}

// apiCode returns the AWS error code of err, or "" when it is not an API error.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// requireCode fails unless err is an API error of the given code.
func requireCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	if got := apiCode(err); got != code {
		t.Fatalf("want %s, got %s (%v)", code, got, err)
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
