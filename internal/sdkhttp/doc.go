// Package sdkhttp holds the one HTTP adjustment every AWS SDK client the project builds carries:
// request bodies that hide io.WriterTo.
//
// aws-sdk-go-v2 closes a request body as soon as the response headers arrive, after which the
// body's WriteTo answers io.EOF. net/http, once it has written a body of known length, copies what
// is left of it to io.Discard with io.Copy to check that nothing is, and io.Copy goes through
// WriteTo when the body has one and takes its io.EOF for an error. If the response won the race,
// the transport then closes the connection under the response it is reading, which the SDK
// reports as "use of closed network connection" (aws/aws-sdk-go-v2#1825, #2737). Since the SDK
// retries that error (aws/aws-sdk-go-v2#2949), a PutRecords whose 200 answer had already arrived
// is sent again and its records are stored twice. It hits fast servers on loaded machines (an
// emulator over http://) most: long answers and SubscribeToShard streams over HTTP/1.1, at random.
// A Read that answers io.EOF is the normal end of a body, so hiding WriteTo removes the race.
//
// The CLI's commands, the example services, pelicantest and its container module build their
// clients with Wrap or Transport; a test of the repository fails when a file builds a Kinesis or
// DynamoDB client without them.
package sdkhttp
