// Package wire turns HTTP request bodies into typed requests and typed responses or AWS errors
// into bytes, in the encodings Kinesis speaks: AWS JSON 1.1, CBOR 1.1, and the event-stream frames
// of SubscribeToShard; it also reads SigV4 authorization. It knows no stream.
//
// Most models are the operations' own and are encoded by reflection over their `json` tags. The
// data plane's models (records.go) are wire's, because their codecs are written for them: the
// PutRecords scanner and the hand-written PutRecords and GetRecords answers. Every hand-written
// codec is measured against the library it stands in for, and the figures are kept beside the
// benchmarks in testdata/*.benchstat.
package wire
