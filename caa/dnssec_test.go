package caa_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signedCAALab serves a signed hierarchy of its own on loopback and
// returns a Checker that validates against its root.
func signedCAALab(t *testing.T) *caa.Checker {
	t.Helper()
	z := verifytest.NewZone().MustAdd(
		`example.com. 300 IN CAA 0 issue "ssl.com"`,
		`www.example.com. 300 IN A 192.0.2.1`,
		`bad.example.com. 300 IN CAA 0 issue "ssl.com"`,
		`deep.bad2.example.com. 300 IN A 192.0.2.1`,
		`bad2.example.com. 300 IN CAA 0 issue "ssl.com"`,
		`alias.example.com. 300 IN CNAME x.broken.net.`,
		`x.broken.net. 300 IN CAA 0 issue "ssl.com"`,
		`plain.com. 300 IN NS ns1.plain.com.`,
		`plain.com. 300 IN CAA 0 issue "ssl.com"`,
	)
	anchors, err := z.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{
		".": {}, "com.": {NSEC3: true}, "net.": {}, "example.com.": {}, "broken.net.": {BadDS: true},
	}})
	require.NoError(t, err)
	z.BreakSignature("bad.example.com.", dns.TypeCAA, verifytest.TamperedRecord)
	z.BreakSignature("bad2.example.com.", dns.TypeCAA, verifytest.ExpiredSignature)
	srv, err := verifytest.NewDNSServer(z)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return &caa.Checker{DNS: &verify.DNSClient{Servers: []string{srv.Addr()}, Timeout: time.Second}, TrustAnchors: anchors}
}

func TestCheckUnderDNSSEC(t *testing.T) {
	c := signedCAALab(t)
	for _, tc := range []struct {
		domain  string
		verdict caa.DNSSECVerdict // of a decision
		bogus   bool              // a *LookupError for a bogus level
	}{
		{"www.example.com", caa.DNSSECSecure, false},    // climbs: www NODATA (proven), example.com decides
		{"nosuch.example.com", caa.DNSSECSecure, false}, // proven NXDOMAIN, then example.com
		{"www.plain.com", caa.DNSSECInsecure, false},    // an unsigned delegation
		{"bad.example.com", 0, true},                    // the relevant level is tampered
		{"deep.bad2.example.com", 0, true},              // the relevant level's signature expired
		{"alias.example.com", 0, true},                  // a CNAME into a zone whose DS matches no key
	} {
		t.Run(tc.domain, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			d, err := c.Check(ctx, caa.Request{Domain: tc.domain, Issuers: []string{"ssl.com"}})
			if tc.bogus {
				require.Error(t, err)
				assert.Nil(t, d, "never a decision on a bogus answer")
				assert.ErrorIs(t, err, caa.ErrLookup)
				assert.ErrorIs(t, err, caa.ErrDNSSECBogus)
				var le *caa.LookupError
				require.True(t, errors.As(err, &le))
				assert.Equal(t, caa.DNSSECBogus, le.DNSSEC)
				assert.NotEmpty(t, le.Reason, "the broken link is named")
				assert.Contains(t, err.Error(), le.Reason)
				return
			}
			require.NoError(t, err)
			assert.True(t, d.Permitted)
			assert.Equal(t, tc.verdict, d.DNSSEC)
		})
	}
}

func TestCheckDNSSECOff(t *testing.T) {
	c := signedCAALab(t)
	c.DNSSEC = caa.DNSSECOff
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := c.Check(ctx, caa.Request{Domain: "bad.example.com", Issuers: []string{"ssl.com"}})
	require.NoError(t, err, "not validated: the tampered record goes unseen")
	assert.Equal(t, caa.DNSSECUnvalidated, d.DNSSEC)
}

func TestCheckValidatesByDefault(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := (&caa.Checker{DNS: z}).Check(ctx, caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}})
	require.Error(t, err, "an unsigned double cannot chain to the IANA root")
	assert.Nil(t, d)
	assert.ErrorIs(t, err, caa.ErrLookup)
}
