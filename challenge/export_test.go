package challenge

// For the tests: the record a DNS method builds, and the check Validate
// makes in place of building it.
var (
	BuildRecord = record
	RecordIs    = recordIs
)
