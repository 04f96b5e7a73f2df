// Package clock is the cuckoo clock example's service logic, shared by its long-running
// publisher (examples/cuckooclock) and its scheduled Lambda function
// (examples/cuckooclock/lambda): a Clock strikes, publishing a TimeTicked event with the hour on
// its face in its own time zone.
package clock
