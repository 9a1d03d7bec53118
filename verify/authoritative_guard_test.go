package verify_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const guardSOA = ` 300 IN SOA ns1.example.net. hostmaster.example.com. 1 7200 3600 1209600 300`

// countingAuth answers every query from one zone, as any address would,
// and counts the queries and the most in flight at once.
type countingAuth struct {
	zone              *verifytest.Zone
	delay             time.Duration
	n, inFlight, peak atomic.Int64
	mu                sync.Mutex
	addrs             map[string]bool
}

func (c *countingAuth) ExchangeServer(ctx context.Context, m *dns.Msg, addr string) (*dns.Msg, error) {
	c.n.Add(1)
	now := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for {
		p := c.peak.Load()
		if now <= p || c.peak.CompareAndSwap(p, now) {
			break
		}
	}
	c.mu.Lock()
	if c.addrs == nil {
		c.addrs = map[string]bool{}
	}
	c.addrs[addr] = true
	c.mu.Unlock()
	time.Sleep(c.delay)
	return c.zone.Exchange(ctx, m)
}

// nsZone is a resolver's view of example.com with names NS names, each
// with perName loopback addresses (the counting double never dials).
func nsZone(names, perName int) *verifytest.Zone {
	z := verifytest.NewZone().MustAdd(`example.com.` + guardSOA)
	for i := range names {
		ns := fmt.Sprintf("ns%d.example.net.", i)
		z.MustAdd(`example.com. 300 IN NS ` + ns)
		for j := range perName {
			z.MustAdd(fmt.Sprintf("%s 300 IN A 127.%d.%d.%d", ns, i, (j+1)/256, (j+1)%256))
		}
	}
	return z
}

func authZone() *verifytest.Zone {
	return verifytest.NewZone().MustAdd(`example.com.`+guardSOA, `_dnsauth.example.com. 300 IN TXT "v"`)
}

func TestAuthoritativeCapsNameServerAddresses(t *testing.T) {
	for _, tc := range []struct {
		name           string
		names, perName int
	}{
		{"one NS name with too many addresses", 1, 9},
		{"too many addresses in total", 16, 5},
		{"32 names of 1000 addresses in 127/8", 32, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auth := &countingAuth{zone: authZone()}
			v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: nsZone(tc.names, tc.perName), Authoritative: &verify.AuthOptions{Servers: auth}}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			res, err := v.VerifyTXT(ctx, "_dnsauth.example.com", "v")
			require.Error(t, err)
			assert.ErrorIs(t, err, verify.ErrLookup)
			assert.Equal(t, verify.Undecided, res.Outcome)
			assert.Zero(t, auth.n.Load(), "no name server may be asked when the zone names too many")
		})
	}
}

func TestAuthoritativeBoundsConcurrentQueries(t *testing.T) {
	auth := &countingAuth{zone: authZone(), delay: 20 * time.Millisecond}
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: nsZone(32, 2), Authoritative: &verify.AuthOptions{Servers: auth}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := v.VerifyTXT(ctx, "_dnsauth.example.com", "v")
	require.NoError(t, err)
	assert.EqualValues(t, 64, auth.n.Load(), "every address is asked once")
	assert.LessOrEqual(t, auth.peak.Load(), int64(16), "queries in flight at once")
}

func TestAuthoritativeNeverDialsPrivateNameServers(t *testing.T) {
	servers, port, err := verifytest.NewDNSServers(authZone())
	require.NoError(t, err)
	t.Cleanup(func() { servers[0].Close() })
	rec := verifytest.NewZone().MustAdd(
		`example.com.`+guardSOA,
		`example.com. 300 IN NS ns1.example.net.`,
		`ns1.example.net. 300 IN A 127.0.0.2`,
	)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: rec, Authoritative: &verify.AuthOptions{Servers: &verify.DNSClient{Timeout: time.Second}, Port: port}}
	res, err := v.VerifyTXT(ctx, "_dnsauth.example.com", "v")
	require.Error(t, err)
	assert.ErrorIs(t, err, verify.ErrAddressRefused)
	assert.Equal(t, verify.Undecided, res.Outcome)
	assert.Zero(t, servers[0].UDPQueries()+servers[0].TCPQueries(), "a refused address is never dialled")

	v.Authoritative.Servers = &verify.DNSClient{Timeout: time.Second, AllowPrivate: true}
	_, err = v.VerifyTXT(ctx, "_dnsauth.example.com", "v")
	require.NoError(t, err, "AllowPrivate lets a lab use loopback name servers")
	assert.Positive(t, servers[0].UDPQueries())
}

// barrierEx holds every SOA query until n are in flight (or a second has
// passed), and records the most in flight at once.
type barrierEx struct {
	zone *verifytest.Zone
	n    int64
	in   atomic.Int64
	peak atomic.Int64
}

func (b *barrierEx) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	if m.Question[0].Qtype == dns.TypeSOA {
		now := b.in.Add(1)
		for p := b.peak.Load(); now > p && !b.peak.CompareAndSwap(p, now); p = b.peak.Load() {
		}
		deadline := time.Now().Add(time.Second)
		for b.in.Load() < b.n && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	return b.zone.Exchange(ctx, m)
}

func TestAuthoritativeZoneWalkAsksEveryLevelAtOnce(t *testing.T) {
	rec := nsZone(1, 1)
	b := &barrierEx{zone: rec, n: 5} // _dnsauth.a.b.example.com up to com
	auth := authZone().MustAdd(`_dnsauth.a.b.example.com. 300 IN TXT "v"`)
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: b, Authoritative: &verify.AuthOptions{Servers: &countingAuth{zone: auth}}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := v.VerifyTXT(ctx, "_dnsauth.a.b.example.com", "v")
	require.NoError(t, err)
	assert.EqualValues(t, 5, b.peak.Load(), "the SOA walk is one round trip, not five")
}
