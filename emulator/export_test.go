package emulator

// WithDiskFault is withDiskFault, for the tests of package emulator_test.
var WithDiskFault = withDiskFault
