// Package esm runs a Lambda event source mapping for Kinesis locally: it polls a stream through
// aws-sdk-go-v2, as it would poll AWS, and invokes a function with the events Lambda sends
// (aws-lambda-go's events.KinesisEvent, or events.KinesisTimeWindowEvent with tumbling windows),
// batching, retrying, bisecting, filtering and checkpointing by the mapping's settings as Lambda
// does. The configuration is the mapping itself (Mapping, the JSON of
// create-event-source-mapping --cli-input-json).
//
// The engine does not care how a function runs: a Function is anything with aws-lambda-go's
// Invoke method, so a Go handler runs in process through lambda.NewHandler, and a function in
// another process runs through a Runtime API server that implements Function.
//
// All time comes from a Clock (WithClock), so tests of windows, ages and retries move a manual
// clock instead of sleeping.
package esm
