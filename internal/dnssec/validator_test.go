package dnssec_test

import (
	"context"
	"net"
	"testing"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/dnssec/dnssectest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidateVerdicts covers every verdict against the signed lab
// hierarchy, in memory and served on loopback: each algorithm, NSEC and NSEC3 denial with opt-out, wildcard
// proofs, CNAME and DNAME chains across zones, a rollover, the injected
// faults and the unsupported algorithms and digests.
func TestValidateVerdicts(t *testing.T) {
	h := testLab(t)
	cases := []struct {
		name   string
		qname  string
		qtype  uint16
		want   dnssec.Verdict
		zone   string
		reason string
	}{
		{"TXT in an NSEC zone", "_dnsauth.example.com.", dns.TypeTXT, dnssec.Secure, "example.com.", ""},
		{"RSASHA256", "www.rsa256.com.", dns.TypeA, dnssec.Secure, "rsa256.com.", ""},
		{"RSASHA512", "www.rsa512.com.", dns.TypeA, dnssec.Secure, "rsa512.com.", ""},
		{"ECDSAP384SHA384 with a SHA-384 DS", "www.p384.com.", dns.TypeA, dnssec.Secure, "p384.com.", ""},
		{"CAA in a P-384 zone", "www.p384.com.", dns.TypeCAA, dnssec.Secure, "p384.com.", ""},
		{"ED25519", "www.ed25519.com.", dns.TypeA, dnssec.Secure, "ed25519.com.", ""},
		{"NSEC NXDOMAIN", "nosuch.example.com.", dns.TypeTXT, dnssec.Secure, "example.com.", ""},
		{"NSEC NODATA", "www.example.com.", dns.TypeTXT, dnssec.Secure, "example.com.", ""},
		{"NSEC NODATA at an empty non-terminal", "c.example.com.", dns.TypeA, dnssec.Secure, "example.com.", ""},
		{"NSEC NXDOMAIN below an empty non-terminal", "x.c.example.com.", dns.TypeA, dnssec.Secure, "example.com.", ""},
		{"NSEC3 NXDOMAIN", "nosuch.nsec3.org.", dns.TypeTXT, dnssec.Secure, "nsec3.org.", ""},
		{"NSEC3 NODATA", "www.nsec3.org.", dns.TypeTXT, dnssec.Secure, "nsec3.org.", ""},
		{"NSEC3 with salt and iterations at the TLD", "nosuch.org.", dns.TypeA, dnssec.Secure, "org.", ""},
		{"NSEC wildcard expansion", "a.wild.example.com.", dns.TypeTXT, dnssec.Secure, "example.com.", ""},
		{"NSEC wildcard NODATA", "a.wild.example.com.", dns.TypeMX, dnssec.Secure, "example.com.", ""},
		{"NSEC3 wildcard expansion", "deep.a.wild.nsec3.org.", dns.TypeTXT, dnssec.Secure, "nsec3.org.", ""},
		{"NSEC3 wildcard NODATA", "a.wild.nsec3.org.", dns.TypeMX, dnssec.Secure, "nsec3.org.", ""},
		{"name next to a wildcard is not expanded", "sub.wild.example.com.", dns.TypeA, dnssec.Secure, "example.com.", ""},
		{"CNAME into another secure zone", "to-secure.example.com.", dns.TypeA, dnssec.Secure, "rsa256.com.", ""},
		{"DNAME into another secure zone", "www.alias.example.com.", dns.TypeA, dnssec.Secure, "rsa512.com.", ""},
		{"double DS during a key rollover", "www.rollover.com.", dns.TypeA, dnssec.Secure, "rollover.com.", ""},
		{"two algorithms, one unsupported (RFC 6840 §5.11)", "www.twoalg.com.", dns.TypeA, dnssec.Secure, "twoalg.com.", ""},
		{"two supported algorithms", "www.twoalg2.com.", dns.TypeA, dnssec.Secure, "twoalg2.com.", ""},
		{"DS query answered by the parent", "example.com.", dns.TypeDS, dnssec.Secure, "com.", ""},
		{"DNSKEY query", "example.com.", dns.TypeDNSKEY, dnssec.Secure, "example.com.", ""},

		{"unsigned delegation under NSEC3 opt-out", "www.insecure.com.", dns.TypeA, dnssec.Insecure, "insecure.com.", "opt-out"},
		{"unsigned delegation proven by NSEC3", "www.insecure.org.", dns.TypeA, dnssec.Insecure, "insecure.org.", "no DS"},
		{"unsigned delegation proven by NSEC", "www.insecure.net.", dns.TypeA, dnssec.Insecure, "insecure.net.", "no DS"},
		{"NXDOMAIN in an unsigned zone", "nosuch.insecure.net.", dns.TypeTXT, dnssec.Insecure, "insecure.net.", ""},
		{"NXDOMAIN covered by opt-out", "nosuch.com.", dns.TypeTXT, dnssec.Insecure, "com.", "opt-out"},
		{"CNAME from a secure zone into an insecure one", "to-insecure.example.com.", dns.TypeA, dnssec.Insecure, "insecure.com.", ""},
		{"RSASHA1 zone", "www.sha1.com.", dns.TypeA, dnssec.Insecure, "sha1.com.", "unsupported"},
		{"SHA-1 DS digest only", "www.sha1ds.com.", dns.TypeA, dnssec.Insecure, "sha1ds.com.", "unsupported"},
		{"NSEC3 iterations above the limit", "nosuch.highiter.org.", dns.TypeTXT, dnssec.Insecure, "highiter.org.", "iterations"},
		{"signed data in a zone with many NSEC3 iterations", "www.highiter.org.", dns.TypeA, dnssec.Secure, "highiter.org.", ""},
		{"NSEC3 iterations too many to check", "nosuch.toomany.org.", dns.TypeTXT, dnssec.Bogus, "toomany.org.", "more than the 500"},

		{"expired RRSIG", "expired.broken.com.", dns.TypeTXT, dnssec.Bogus, "broken.com.", "the RRSIG over expired.broken.com TXT expired at 2026-11-"},
		{"not yet valid RRSIG", "future.broken.com.", dns.TypeTXT, dnssec.Bogus, "broken.com.", "is not valid before 2026-12-"},
		{"missing RRSIG", "nosig.broken.com.", dns.TypeTXT, dnssec.Bogus, "broken.com.", "returned no DNSSEC signatures for nosig.broken.com TXT"},
		{"tampered RRset", "tampered.broken.com.", dns.TypeTXT, dnssec.Bogus, "broken.com.", "does not verify"},
		{"DS matching no DNSKEY", "www.badds.com.", dns.TypeA, dnssec.Bogus, "badds.com.", "the DS for badds.com at com matches no DNSKEY of badds.com (DS key tag "},
		{"server strips signatures though the parent has a DS", "www.strip.com.", dns.TypeA, dnssec.Bogus, "strip.com.", "returned no DNSSEC signatures"},
		{"CNAME from a secure zone into a bogus one", "to-bogus.example.com.", dns.TypeA, dnssec.Bogus, "badds.com.", "matches no DNSKEY"},
	}
	loop := serveLab(t, h)
	for _, transport := range []struct {
		name string
		q    dnssec.Querier
	}{{"memory", h}, {"loopback", loop}} {
		v := newValidator(h)
		for _, c := range cases {
			t.Run(transport.name+"/"+c.name, func(t *testing.T) {
				resp, err := transport.q.Query(context.Background(), c.qname, c.qtype)
				require.NoError(t, err)
				r := v.Validate(context.Background(), transport.q, resp)
				assert.Equal(t, c.want, r.Verdict, "reason: %s", r.Reason)
				assert.Equal(t, c.zone, r.Zone)
				assert.Contains(t, r.Reason, c.reason)
			})
		}
	}
}

// serveLab serves h on a real UDP and TCP server on 127.0.0.1.
func serveLab(t *testing.T, h *dnssectest.Hierarchy) clientQuerier {
	t.Helper()
	var pc net.PacketConn
	var l net.Listener
	var err error
	for range 5 { // the UDP port may be taken on TCP by someone else
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		require.NoError(t, err)
		if l, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	require.NoError(t, err)
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: l, Handler: h}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	t.Cleanup(func() { _ = udp.Shutdown(); _ = tcp.Shutdown() })
	return clientQuerier{addr: pc.LocalAddr().String(), c: &dns.Client{}}
}
