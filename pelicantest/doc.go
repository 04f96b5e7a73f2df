// Package pelicantest gives tests a Kinesis to talk to, in the style of net/http/httptest: an
// in-process emulator per test, a configured aws-sdk-go-v2 client, fresh streams, and helpers that
// publish records and wait for expected ones with a readable failure.
//
//	e := pelicantest.NewEmulator(t)
//	stream := e.NewStream(t, 4)
//	out, err := e.Client().PutRecord(ctx, &kinesis.PutRecordInput{StreamName: &stream, ...})
//
// It is the one door to the emulator for the module's clients and their tests: the options here
// move the emulator's clock (NewClock, WithClock), turn on its throughput limits, create streams,
// keep its data in a directory across a restart (WithDataDir, Close), and Emulator.Faults injects
// faults. Run starts an emulator outside a test, for Examples and programs.
//
// Every client it builds sends request bodies that hide io.WriterTo (see HTTPClient), which keeps
// the SDK from retrying a call whose answer had arrived and storing its records twice.
//
// Only tests, examples and cmd/ import this package.
package pelicantest
