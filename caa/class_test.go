package caa

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A CAA record outside class IN is no record of the Internet's: an answer
// holding one is refused, never read as permission.
func TestCAAOfOtherClassRefused(t *testing.T) {
	c := &Checker{DNSSEC: DNSSECOff, DNS: leafOnly(t, 0, false, `example.com. 60 CH CAA 0 issue "ssl.com"`)}
	_, err := c.Check(context.Background(), Request{Domain: "www.example.com", Issuers: []string{"ssl.com"}})
	require.Error(t, err)
	var le *LookupError
	assert.True(t, errors.As(err, &le))
	assert.ErrorIs(t, err, ErrLookup)

	c = &Checker{DNSSEC: DNSSECOff, DNS: leafOnly(t, 0, false, `example.com. 60 IN CAA 0 issue "ssl.com"`)}
	d, err := c.Check(context.Background(), Request{Domain: "www.example.com", Issuers: []string{"ssl.com"}})
	require.NoError(t, err)
	assert.True(t, d.Permitted)
}
