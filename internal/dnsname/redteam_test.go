package dnsname

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Invalid UTF-8 is refused, not turned into the A-label of U+FFFD (which
// Domain itself refuses, and which every bad byte would collide on).
func TestRedteamInvalidUTF8(t *testing.T) {
	for _, s := range []string{"0.\x8c", "a.\xff", "\xc3.example.com", "ex\xe2\x82ample.com", "0.\uFFFD", "_x\xff.example.com"} {
		for name, norm := range map[string]func(string) (string, error){"Domain": Domain, "Owner": Owner} {
			got, err := norm(s)
			assert.Error(t, err, "%s(%q) = %q", name, s, got)
			var ne *Error
			assert.True(t, errors.As(err, &ne), "%s(%q): typed error", name, s)
		}
	}
}
