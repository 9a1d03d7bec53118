package dnssectest_test

import (
	"testing"
	"time"

	"github.com/dcvkit/dcv/internal/dnssec/dnssectest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func countType(rrs []dns.RR, t uint16) int {
	n := 0
	for _, rr := range rrs {
		if rr.Header().Rrtype == t {
			n++
		}
	}
	return n
}

func TestResolveSignsOnlyWithDO(t *testing.T) {
	h := dnssectest.New(time.Now())
	require.NoError(t, h.AddZone(".", dnssectest.Config{}))
	require.NoError(t, h.AddZone("example.", dnssectest.Config{NSEC3: true}))
	require.NoError(t, h.Add(`www.example. 300 IN A 192.0.2.1`))

	m, err := h.Resolve("www.example.", dns.TypeA, true)
	require.NoError(t, err)
	assert.Equal(t, 1, countType(m.Answer, dns.TypeA))
	assert.Equal(t, 1, countType(m.Answer, dns.TypeRRSIG))

	m, err = h.Resolve("www.example.", dns.TypeA, false)
	require.NoError(t, err)
	assert.Equal(t, 1, countType(m.Answer, dns.TypeA))
	assert.Zero(t, countType(m.Answer, dns.TypeRRSIG))

	m, err = h.Resolve("nosuch.example.", dns.TypeA, true)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeNameError, m.Rcode)
	assert.NotZero(t, countType(m.Ns, dns.TypeNSEC3))

	require.Len(t, h.Anchors(), 1)
	assert.Equal(t, ".", h.Anchors()[0].Header().Name)
}

// TestResolveUndeclaredDelegation: an NS record to a name that is not a
// declared zone makes an unsigned zone, with the user's name servers.
func TestResolveUndeclaredDelegation(t *testing.T) {
	h := dnssectest.New(time.Now())
	require.NoError(t, h.AddZone(".", dnssectest.Config{}))
	h.SetRecords(nil)
	require.NoError(t, h.Add(`lab. 300 IN NS ns1.lab.`, `_dnsauth.lab. 300 IN TXT "t"`))
	m, err := h.Resolve("_dnsauth.lab.", dns.TypeTXT, true)
	require.NoError(t, err)
	assert.Equal(t, 1, countType(m.Answer, dns.TypeTXT))
	assert.Zero(t, countType(m.Answer, dns.TypeRRSIG))
	m, err = h.Resolve("lab.", dns.TypeDS, true)
	require.NoError(t, err)
	assert.Empty(t, m.Answer)
	assert.Equal(t, 1, countType(m.Ns, dns.TypeNSEC), "the root proves there is no DS")
	m, err = h.Resolve("lab.", dns.TypeNS, true)
	require.NoError(t, err)
	require.Len(t, m.Answer, 1)
	assert.Equal(t, "ns1.lab.", m.Answer[0].(*dns.NS).Ns)
}
