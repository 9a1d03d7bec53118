package dnsname

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCanonicalCompareRFC4034Order sorts a shuffled copy of the example
// list of RFC 4034 §6.1 and expects the RFC's order back.
func TestCanonicalCompareRFC4034Order(t *testing.T) {
	want := []string{
		"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
		"zABC.a.EXAMPLE.", "z.example.", `\001.z.example.`, "*.z.example.", `\200.z.example.`,
	}
	got := []string{want[4], want[8], want[0], want[6], want[2], want[7], want[1], want[5], want[3]}
	slices.SortFunc(got, CanonicalCompare)
	assert.Equal(t, want, got)
	assert.Zero(t, CanonicalCompare("Example.COM", "example.com."))
	assert.Negative(t, CanonicalCompare("bad..name", "example."))
}
