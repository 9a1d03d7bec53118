package verify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthoritativeOrderSharesZoneLookups(t *testing.T) {
	const names = 12
	rec := nsZone(2, 1) // example.com, NS ns0/ns1.example.net, one address each
	// An SOA lets the NS names' negative AAAA answers be kept (RFC 2308).
	rec.MustAdd(`example.net. 300 IN SOA ns0.example.net. hostmaster.example.net. 1 7200 3600 1209600 300`)
	auth := authZone()
	var items []verify.OrderItem
	for i := range names {
		c, err := challenge.Builder{}.DNSTXT(fmt.Sprintf("host%d.example.com", i))
		require.NoError(t, err)
		auth.MustAdd(fmt.Sprintf(`%s 300 IN TXT "%s"`, dns.Fqdn(c.Record.Name), c.Record.Value))
		items = append(items, verify.OrderItem{Challenge: c})
	}
	counting := &countingAuth{zone: auth}
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: rec, Authoritative: &verify.AuthOptions{Servers: counting}, Concurrency: 4}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := v.VerifyOrder(ctx, items)
	require.NoError(t, err)
	assert.Equal(t, verify.Verified, res.Outcome)

	// The zone's SOA and NS and the NS names' addresses are asked once for
	// the whole order, not once per name.
	for _, q := range []struct {
		name  string
		qtype uint16
	}{
		{"example.com.", dns.TypeSOA}, {"example.com.", dns.TypeNS},
		{"ns0.example.net.", dns.TypeA}, {"ns1.example.net.", dns.TypeAAAA},
	} {
		assert.Equal(t, 1, rec.Queries(q.name, q.qtype), "%s %s", q.name, dns.TypeToString[q.qtype])
	}
	// Each server is still asked for each name: that is what is checked.
	assert.EqualValues(t, 2*names, counting.n.Load())

	shared := 0
	for _, r := range res.Results {
		for _, ev := range r.Evidence {
			if ev.Shared {
				shared++
				assert.NotContains(t, ev.Query, "TXT", "a checked answer is never shared")
			}
		}
	}
	assert.Positive(t, shared, "evidence of a shared answer says so")

	// A verifier used outside an order shares nothing.
	before := rec.Queries("example.com.", dns.TypeNS)
	_, err = v.Verify(ctx, items[0].Challenge)
	require.NoError(t, err)
	assert.Equal(t, before+1, rec.Queries("example.com.", dns.TypeNS))
}
