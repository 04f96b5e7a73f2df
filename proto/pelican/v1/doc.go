// Package pelicanv1 holds the generated Go code of Pelican's wire contract: the Envelope that
// every published record carries, and the partition_key field option that marks an event's
// partition-key field. Generated from envelope.proto and options.proto by `make proto`; edit the
// .proto files, not the .pb.go files.
package pelicanv1
