package dnssec_test

import (
	"context"
	"testing"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientQuerier asks a DNS server with DO=1 and CD=1, as the resolution
// layer does, retrying over TCP when the UDP answer is truncated.
type clientQuerier struct {
	addr string
	c    *dns.Client
}

func (q clientQuerier) String() string { return "resolver " + q.addr }

func (q clientQuerier) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.CheckingDisabled = true
	m.SetEdns0(512, true) // small, so that big DNSKEY sets come over TCP
	r, _, err := q.c.ExchangeContext(ctx, m, q.addr)
	if err == nil && r.Truncated {
		tcp := *q.c
		tcp.Net = "tcp"
		r, _, err = tcp.ExchangeContext(ctx, m, q.addr)
	}
	return r, err
}

// TestValidateOverLoopback signs a verifytest Zone (a root of its own, a
// TLD, children), serves it with verifytest's DNS server on 127.0.0.1 and
// validates answers fetched through it over UDP and TCP.
func TestValidateOverLoopback(t *testing.T) {
	zone := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN TXT "token"`,
		`www.rsa.com. 300 IN A 192.0.2.1`,
		`example.com. 300 IN CAA 0 issue "ca.example"`,
		`unsigned.com. 300 IN NS ns1.unsigned.com.`,
		`_dnsauth.unsigned.com. 300 IN TXT "plain"`,
		`tampered.example.com. 300 IN TXT "x"`,
	)
	anchors, err := zone.Sign(verifytest.Signing{Now: now, Zones: map[string]verifytest.ZoneSigning{
		".": {}, "com.": {NSEC3: true}, "example.com.": {},
		"rsa.com.": {Algorithm: dns.RSASHA256, SecondAlgorithm: dns.ECDSAP384SHA384},
	}})
	require.NoError(t, err)
	zone.BreakSignature("tampered.example.com.", dns.TypeTXT, verifytest.TamperedRecord)
	srv, err := verifytest.NewDNSServer(zone)
	require.NoError(t, err)
	defer srv.Close()

	q := clientQuerier{addr: srv.Addr(), c: &dns.Client{}}
	v := &dnssec.Validator{Anchors: anchors, Now: nowFunc}
	for _, c := range []struct {
		name  string
		qtype uint16
		want  dnssec.Verdict
	}{
		{"_dnsauth.example.com.", dns.TypeTXT, dnssec.Secure},
		{"nosuch.example.com.", dns.TypeTXT, dnssec.Secure},
		{"www.rsa.com.", dns.TypeA, dnssec.Secure},
		{"example.com.", dns.TypeCAA, dnssec.Secure},
		{"_dnsauth.unsigned.com.", dns.TypeTXT, dnssec.Insecure},
		{"tampered.example.com.", dns.TypeTXT, dnssec.Bogus},
	} {
		resp, err := q.Query(context.Background(), c.name, c.qtype)
		require.NoError(t, err)
		r := v.Validate(context.Background(), q, resp)
		assert.Equal(t, c.want, r.Verdict, "%s: %s", c.name, r.Reason)
	}
	assert.NotZero(t, srv.TCPQueries(), "the big DNSKEY sets came over TCP")

	// Without DO the server sends no signatures: named in the reason.
	m := new(dns.Msg)
	m.SetQuestion("_dnsauth.example.com.", dns.TypeTXT)
	resp, _, err := (&dns.Client{}).Exchange(m, q.addr)
	require.NoError(t, err)
	r := v.Validate(context.Background(), q, resp)
	assert.Equal(t, dnssec.Bogus, r.Verdict)
	assert.Contains(t, r.Reason, "resolver "+q.addr+" returned no DNSSEC signatures")
}
