package caa_test

import (
	"context"
	"testing"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckNonexistentTLDIsLookupError(t *testing.T) {
	// Nothing exists under "nosuchtld": every level, the TLD included, is
	// NXDOMAIN. A made-up or removed TLD must never read as "no CAA
	// records, unrestricted" (Boulder does the same).
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN A 192.0.2.1`)
	c := &caa.Checker{DNS: z}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := c.Check(ctx, caa.Request{Domain: "www.example.nosuchtld", Issuers: []string{"ssl.com"}})
	require.Error(t, err)
	assert.Nil(t, d)
	assert.ErrorIs(t, err, caa.ErrLookup)
	var le *caa.LookupError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "nosuchtld", le.Name)
	assert.Equal(t, dns.RcodeNameError, le.Rcode)

	// A TLD that exists without CAA records, below which the names are
	// NXDOMAIN, is still unrestricted.
	d, err = c.Check(ctx, caa.Request{Domain: "www.nosuch.com", Issuers: []string{"ssl.com"}})
	require.NoError(t, err)
	assert.True(t, d.Permitted)
}
