package caa_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckNonexistentTLDIsLookupError(t *testing.T) {
	// Nothing exists under the TLD: every level, the TLD included, is
	// NXDOMAIN. A removed TLD (here: museum, absent from this DNS) or a
	// made-up one (allowed for a lab) must never read as "no CAA records,
	// unrestricted" (Boulder does the same).
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN A 192.0.2.1`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, tc := range []struct {
		domain, tld string
		c           *caa.Checker
	}{
		{"www.example.museum", "museum", &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: z}},
		{"www.example.nosuchtld", "nosuchtld", &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: z, AllowPrivate: true}},
	} {
		d, err := tc.c.Check(ctx, caa.Request{Domain: tc.domain, Issuers: []string{"ssl.com"}})
		require.Error(t, err, tc.domain)
		assert.Nil(t, d)
		assert.ErrorIs(t, err, caa.ErrLookup)
		var le *caa.LookupError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, tc.tld, le.Name)
		assert.Equal(t, dns.RcodeNameError, le.Rcode)
	}

	// A TLD that exists without CAA records, below which the names are
	// NXDOMAIN, is still unrestricted.
	d, err := (&caa.Checker{DNSSEC: caa.DNSSECOff, DNS: z}).Check(ctx, caa.Request{Domain: "www.nosuch.com", Issuers: []string{"ssl.com"}})
	require.NoError(t, err)
	assert.True(t, d.Permitted)
}

func TestCheckFollowsChainsUnderTheOneLimit(t *testing.T) {
	// verify and caa resolve through one layer: the same CNAME limit (8
	// links; caa allowed 16 before) and DNAMEs followed by both.
	chain := func(n int) *verifytest.Zone {
		z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`)
		for i := range n {
			z.MustAdd(fmt.Sprintf(`h%d.example.com. 300 IN CNAME h%d.example.com.`, i, i+1))
		}
		return z.MustAdd(fmt.Sprintf(`h%d.example.com. 300 IN CAA 0 issue "letsencrypt.org"`, n))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req := caa.Request{Domain: "h0.example.com", Issuers: []string{"letsencrypt.org"}}
	d, err := (&caa.Checker{DNSSEC: caa.DNSSECOff, DNS: chain(8)}).Check(ctx, req)
	require.NoError(t, err)
	assert.True(t, d.Permitted)
	assert.Equal(t, "h8.example.com", d.CNAMETarget)

	_, err = (&caa.Checker{DNSSEC: caa.DNSSECOff, DNS: chain(9)}).Check(ctx, req)
	assert.ErrorIs(t, err, caa.ErrLookup)
}
