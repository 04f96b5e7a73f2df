package emulator_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/emulator"
)

func TestStrictAuth(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStrictAuth(emulator.Credential{AccessKeyID: "AKIDGOOD", SecretAccessKey: "right", Account: "111122223333"}))
	ctx := ctxT(t)
	withKeys := func(id, secret string) *kinesis.Client {
		return newClient(t, srv, func(o *kinesis.Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
		})
	}
	good := withKeys("AKIDGOOD", "right")
	if _, err := good.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	sum, err := good.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(sum.StreamDescriptionSummary.StreamARN); arn != "arn:aws:kinesis:us-east-1:111122223333:stream/s" {
		t.Fatalf("the key's account does not namespace the stream: %s", arn)
	}
	_, err = withKeys("AKIDGOOD", "wrong").ListStreams(ctx, &kinesis.ListStreamsInput{})
	requireCode(t, err, "InvalidSignatureException")
	if !strings.Contains(err.Error(), "The request signature we calculated does not match the signature you provided.") {
		t.Fatalf("message: %v", err)
	}
	_, err = withKeys("AKIDUNKNOWN", "x").ListStreams(ctx, &kinesis.ListStreamsInput{})
	requireCode(t, err, "UnrecognizedClientException")
}

func TestUnsignedRequestsAreRefusedInEveryMode(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []emulator.Option
	}{{"default", nil}, {"strict", []emulator.Option{emulator.WithStrictAuth(emulator.Credential{AccessKeyID: "A", SecretAccessKey: "B"})}}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := emulator.RunT(t, tc.opts...)
			req, _ := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(`{}`))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body strings.Builder
			_, _ = io.Copy(&body, resp.Body)
			if resp.StatusCode != 400 || !strings.Contains(body.String(), `"__type":"MissingAuthenticationTokenException"`) ||
				!strings.Contains(body.String(), "Missing Authentication Token") {
				t.Fatalf("unsigned request answered %d %s", resp.StatusCode, body.String())
			}
		})
	}
}

func TestAccountNamespacesStreams(t *testing.T) {
	srv := emulator.RunT(t)
	ctx := ctxT(t)
	a := newClient(t, srv, func(o *kinesis.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider("123456789012", "x", "")
	})
	b := newClient(t, srv)
	if _, err := a.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("mine"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	_, err := b.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("mine")})
	requireCode(t, err, "ResourceNotFoundException")
	eu := newClient(t, srv, func(o *kinesis.Options) {
		o.Region = "eu-west-1"
		o.Credentials = credentials.NewStaticCredentialsProvider("123456789012", "x", "")
	})
	_, err = eu.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("mine")})
	requireCode(t, err, "ResourceNotFoundException")
	sum, err := a.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("mine")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(sum.StreamDescriptionSummary.StreamARN); got != "arn:aws:kinesis:us-east-1:123456789012:stream/mine" {
		t.Fatalf("ARN %s", got)
	}
}
