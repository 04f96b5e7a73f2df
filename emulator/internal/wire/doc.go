// Package wire turns HTTP request bodies into typed requests and typed responses or AWS errors
// into bytes, in the encodings Kinesis speaks: AWS JSON 1.1, CBOR 1.1, and the event-stream frames
// of SubscribeToShard; it also reads SigV4 authorization. It knows no stream.
package wire
