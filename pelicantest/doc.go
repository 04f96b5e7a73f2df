// Package pelicantest gives tests a Kinesis to talk to, in the style of net/http/httptest: an
// in-process emulator per test, a configured aws-sdk-go-v2 client, fresh streams, and helpers that
// publish records and wait for expected ones with a readable failure.
//
//	e := pelicantest.NewEmulator(t)
//	stream := e.NewStream(t, 4)
//	out, err := e.Client().PutRecord(ctx, &kinesis.PutRecordInput{StreamName: &stream, ...})
//
// Only tests, examples and cmd/ import this package.
package pelicantest
