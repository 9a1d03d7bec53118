package verify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
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

// addrAuth answers each server address from its own zone.
type addrAuth map[string]*verifytest.Zone

func (a addrAuth) ExchangeServer(ctx context.Context, m *dns.Msg, addr string) (*dns.Msg, error) {
	z, ok := a[addr]
	if !ok {
		return nil, &verify.Error{Kind: verify.ErrConnection, Target: addr}
	}
	return z.Exchange(ctx, m)
}

func TestAuthoritativeOrderCountsOnlyTheZoneItsWalkFinds(t *testing.T) {
	// One order, two zones: a.example.com is in example.com, whose server
	// is known after the first item; b.sub.example.com is in the delegated
	// zone sub.example.com with a server of its own. The answers asked of
	// example.com's server for b while its walk runs must not count.
	const soa = ` 300 IN SOA ns.example.net. h.example.net. 1 7200 3600 1209600 300`
	mk := func(d string) *challenge.Challenge {
		c, err := challenge.Builder{}.DNSTXT(d)
		require.NoError(t, err)
		return c
	}
	a, b := mk("a.example.com"), mk("b.sub.example.com")
	rec := verifytest.NewZone().MustAdd(
		`example.com.`+soa, `example.com. 300 IN NS ns1.example.net.`, `ns1.example.net. 300 IN A 192.0.2.1`,
		`sub.example.com.`+soa, `sub.example.com. 300 IN NS ns2.example.net.`, `ns2.example.net. 300 IN A 192.0.2.2`,
		`example.net.`+soa)
	parent := verifytest.NewZone().MustAdd(`example.com.`+soa,
		fmt.Sprintf(`%s 300 IN TXT "%s"`, dns.Fqdn(a.Record.Name), a.Record.Value),
		fmt.Sprintf(`%s 300 IN TXT "%s"`, dns.Fqdn(b.Record.Name), b.Record.Value)) // stale: not the zone's
	child := verifytest.NewZone().MustAdd(`sub.example.com.` + soa) // b's record is missing here
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: rec, Concurrency: 1,
		Authoritative: &verify.AuthOptions{Servers: addrAuth{"192.0.2.1:53": parent, "192.0.2.2:53": child}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := v.VerifyOrder(ctx, []verify.OrderItem{{Challenge: a}, {Challenge: b}})
	require.Error(t, err)
	assert.Equal(t, verify.Verified, res.Results[0].Outcome)
	rb := res.Results[1]
	assert.Equal(t, verify.NotVerified, rb.Outcome, "b's zone server lacks the record")
	require.Len(t, rb.Servers, 1)
	assert.Equal(t, "192.0.2.2:53", rb.Servers[0].Addr)
	for _, ev := range rb.Evidence {
		assert.NotEqual(t, "192.0.2.1:53", ev.Server, "the other zone's server is not evidence for b")
	}
}

// zoneCacheSetup is a zone example.com with two name servers, a recursive
// double that answers its walk, and the authoritative double.
func zoneCacheSetup(t *testing.T, cache *verify.ZoneCache) (*verify.Verifier, *verifytest.Zone, *verifytest.Zone, *challenge.Challenge) {
	t.Helper()
	rec := nsZone(2, 1)
	rec.MustAdd(`example.net. 300 IN SOA ns0.example.net. hostmaster.example.net. 1 7200 3600 1209600 300`)
	auth := authZone()
	c, err := challenge.Builder{}.DNSTXT("www.example.com")
	require.NoError(t, err)
	auth.MustAdd(fmt.Sprintf(`%s 300 IN TXT "%s"`, c.Record.Name, c.Record.Value))
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: rec,
		Authoritative: &verify.AuthOptions{Servers: &countingAuth{zone: auth}, Cache: cache}}
	return v, rec, auth, c
}

// With a ZoneCache, checks and orders after the first walk the zone from
// it: the recursive resolver is not asked the zone's SOA, NS or name
// server addresses again, the evidence says Shared, and each server is
// still asked for the record every time.
func TestZoneCacheSharesZoneWalksAcrossChecksAndOrders(t *testing.T) {
	v, rec, _, c := zoneCacheSetup(t, &verify.ZoneCache{})
	counting := v.Authoritative.Servers.(*countingAuth)
	ctx := context.Background()
	_, err := v.Verify(ctx, c)
	require.NoError(t, err)
	asked := rec.TotalQueries()
	require.Positive(t, asked)

	r, err := v.Verify(ctx, c)
	require.NoError(t, err)
	_, err = v.VerifyOrder(ctx, []verify.OrderItem{{Challenge: c}, {Challenge: c}})
	require.NoError(t, err)
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{"example.com.", dns.TypeSOA}, {"example.com.", dns.TypeNS}, {"ns0.example.net.", dns.TypeA}} {
		assert.Equal(t, 1, rec.Queries(q.name, q.qtype), "%s %s", q.name, dns.TypeToString[q.qtype])
	}
	assert.EqualValues(t, 4*2, counting.n.Load(), "two servers asked for the record by each of four checks")
	shared := 0
	for _, ev := range r.Evidence {
		if ev.Shared {
			shared++
			assert.NotContains(t, ev.Query, "TXT", "a checked answer is never kept")
		}
	}
	assert.Positive(t, shared)

	// Without a cache, the same two checks walk the zone twice.
	v2, rec2, _, c2 := zoneCacheSetup(t, nil)
	for range 2 {
		_, err := v2.Verify(ctx, c2)
		require.NoError(t, err)
	}
	assert.Equal(t, 2, rec2.Queries("example.com.", dns.TypeNS))
}

// A record removed from the servers fails the next check at once: the
// cache keeps the walk, never the answer being checked.
func TestZoneCacheNeverKeepsTheCheckedRecord(t *testing.T) {
	v, _, auth, c := zoneCacheSetup(t, &verify.ZoneCache{})
	ctx := context.Background()
	_, err := v.Verify(ctx, c)
	require.NoError(t, err)
	auth.Remove(c.Record.Name, dns.TypeTXT)
	_, err = v.Verify(ctx, c)
	assert.Equal(t, verify.NotVerified, verify.OutcomeOf(err), "%v", err)
}

// A failed walk question is asked again by the next check: failures are
// never kept.
func TestZoneCacheNeverKeepsFailures(t *testing.T) {
	v, rec, _, c := zoneCacheSetup(t, &verify.ZoneCache{})
	ctx := context.Background()
	rec.SetRcode("example.com.", dns.TypeNS, dns.RcodeServerFailure)
	_, err := v.Verify(ctx, c)
	require.Error(t, err)
	assert.Equal(t, verify.Undecided, verify.OutcomeOf(err))
	rec.Heal("example.com.", dns.TypeNS)
	_, err = v.Verify(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, 2, rec.Queries("example.com.", dns.TypeNS))
}

// A ZoneCache serves the first resolver it is used with; a verifier with
// another resolver walks its own zone, never the first one's answers.
func TestZoneCacheServesOneResolver(t *testing.T) {
	cache := &verify.ZoneCache{}
	v, _, _, c := zoneCacheSetup(t, cache)
	ctx := context.Background()
	_, err := v.Verify(ctx, c)
	require.NoError(t, err)

	other, rec2, _, c2 := zoneCacheSetup(t, cache)
	_, err = other.Verify(ctx, c2)
	require.NoError(t, err)
	assert.Equal(t, 1, rec2.Queries("example.com.", dns.TypeNS), "the second resolver was asked")
}

// A Verifier with a nil DNS gets the cache's own client every time, not a
// new one per check; an uncomparable Exchanger is never mistaken for it.
func TestZoneCacheBindsToANilDNSAsOneClient(t *testing.T) {
	var cache verify.ZoneCache
	first := verify.ZoneCacheFor(&cache, nil)
	require.NotNil(t, first)
	assert.IsType(t, &verify.DNSClient{}, first.Exchanger)
	assert.Same(t, first, verify.ZoneCacheFor(&cache, nil))
	assert.Nil(t, verify.ZoneCacheFor(&cache, verifytest.NewZone()))
	assert.Nil(t, verify.ZoneCacheFor(&cache, uncomparable{}))
	assert.Nil(t, verify.ZoneCacheFor(nil, nil), "no cache")
}

// uncomparable is an Exchanger whose values == cannot compare.
type uncomparable struct{ _ []int }

func (uncomparable) Exchange(context.Context, *dns.Msg) (*dns.Msg, error) { return nil, nil }
