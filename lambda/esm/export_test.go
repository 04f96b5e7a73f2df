package esm

// MatchForTest compiles fc and matches data against it.
func MatchForTest(fc FilterCriteria, data []byte) bool {
	fs, err := compileFilters(fc)
	if err != nil {
		return false
	}
	return fs.match(data)
}
