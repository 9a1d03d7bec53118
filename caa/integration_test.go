package caa_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The network client of package verify is a caa.Exchanger.
var _ caa.Exchanger = (*verify.DNSClient)(nil)

// serve starts a loopback DNS server for z and returns a checker that asks
// it through verify.DNSClient.
func serve(t testing.TB, z *verifytest.Zone) (*caa.Checker, *verifytest.DNSServer) {
	t.Helper()
	srv, err := verifytest.NewDNSServer(z)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	// 1 s per attempt: generous for loopback under -race, short for the drop test.
	client := &verify.DNSClient{Servers: []string{srv.Addr()}, Timeout: time.Second, Attempts: 1}
	return &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: client}, srv
}

func TestLoopbackLargeRRsetNeedsTCP(t *testing.T) {
	z := verifytest.NewZone()
	for i := range 60 {
		z.MustAdd(fmt.Sprintf(`example.com. 300 IN CAA 0 issue "ca%02d.issuer.example; accounturi=https://ca%02d.issuer.example/account/%d"`, i, i, i))
	}
	z.MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`)
	c, srv := serve(t, z)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := c.Check(ctx, caa.Request{Domain: "www.example.com", Issuers: []string{"ssl.com"}})
	require.NoError(t, err)
	assert.True(t, d.Permitted, d.Rule)
	assert.Equal(t, "example.com", d.RelevantName)
	assert.Len(t, d.Records, 61, "the whole RRset, not a truncated part")
	assert.Positive(t, srv.TCPQueries(), "the answer does not fit in UDP")
}

func TestLoopbackFailClosed(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`example.com. CAA 0 issue "ssl.com"`)
	z.SetRcode("www.example.com", dns.TypeCAA, dns.RcodeServerFailure)
	c, _ := serve(t, z)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Check(ctx, caa.Request{Domain: "www.example.com", Issuers: []string{"ssl.com"}})
	require.ErrorIs(t, err, caa.ErrLookup)
	var le *caa.LookupError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, dns.RcodeServerFailure, le.Rcode)

	z.Heal("www.example.com", dns.TypeCAA)
	z.Drop("www.example.com", dns.TypeCAA)
	_, err = c.Check(ctx, caa.Request{Domain: "www.example.com", Issuers: []string{"ssl.com"}})
	require.ErrorIs(t, err, caa.ErrLookup)
	require.ErrorIs(t, err, verify.ErrTimeout, "the client's typed error is kept as the cause")
}

func TestLoopbackCNAMEAndAD(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`www.example.com. CNAME site.github.io.`,
		`site.github.io. CAA 0 issue "letsencrypt.org"`,
	)
	z.SetAuthenticated(true)
	c, _ := serve(t, z)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := c.Check(ctx, caa.Request{Domain: "www.example.com", Issuers: []string{"sectigo"}})
	require.NoError(t, err)
	assert.False(t, d.Permitted)
	assert.Equal(t, "site.github.io", d.CNAMETarget)
	assert.True(t, d.Authenticated)
	assert.Contains(t, d.Hint, "`site.github.io. CAA 0 issue \"sectigo.com\"`")
}
