package dnssec_test

import (
	"context"
	"net"
	"testing"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientQuerier asks a DNS server with DO=1 and CD=1, as the resolution
// layer does.
type clientQuerier struct {
	addr string
	c    *dns.Client
}

func (q clientQuerier) String() string { return "resolver " + q.addr }

func (q clientQuerier) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.CheckingDisabled = true
	m.SetEdns0(4096, true)
	r, _, err := q.c.ExchangeContext(ctx, m, q.addr)
	if err == nil && r.Truncated {
		tcp := *q.c
		tcp.Net = "tcp"
		r, _, err = tcp.ExchangeContext(ctx, m, q.addr)
	}
	return r, err
}

// TestValidateOverLoopback serves the signed lab on a real UDP/TCP server
// on 127.0.0.1 and validates answers fetched through it.
func TestValidateOverLoopback(t *testing.T) {
	h := testLab(t)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	l, err := net.Listen("tcp", pc.LocalAddr().String())
	require.NoError(t, err)
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: l, Handler: h}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	t.Cleanup(func() { _ = udp.Shutdown(); _ = tcp.Shutdown() })

	q := clientQuerier{addr: pc.LocalAddr().String(), c: &dns.Client{}}
	v := newValidator(h)
	for _, c := range []struct {
		name  string
		qtype uint16
		want  dnssec.Verdict
	}{
		{"_dnsauth.example.com.", dns.TypeTXT, dnssec.Secure},
		{"nosuch.nsec3.org.", dns.TypeTXT, dnssec.Secure},
		{"www.insecure.org.", dns.TypeA, dnssec.Insecure},
		{"tampered.broken.com.", dns.TypeTXT, dnssec.Bogus},
		{"www.p384.com.", dns.TypeCAA, dnssec.Secure},
	} {
		resp, err := q.Query(context.Background(), c.name, c.qtype)
		require.NoError(t, err)
		r := v.Validate(context.Background(), q, resp)
		assert.Equal(t, c.want, r.Verdict, "%s: %s", c.name, r.Reason)
	}

	// Without DO the server sends no signatures: named in the reason.
	m := new(dns.Msg)
	m.SetQuestion("_dnsauth.example.com.", dns.TypeTXT)
	resp, _, err := (&dns.Client{}).Exchange(m, q.addr)
	require.NoError(t, err)
	r := v.Validate(context.Background(), q, resp)
	assert.Equal(t, dnssec.Bogus, r.Verdict)
	assert.Contains(t, r.Reason, "resolver "+q.addr+" returned no DNSSEC signatures")
}
