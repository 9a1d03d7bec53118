package dnssec_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/dnssec/dnssectest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// now is the validation time of the tests; the hierarchy is signed from
// an hour before it to 30 days after.
var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

var (
	labOnce sync.Once
	lab     *dnssectest.Hierarchy
	labErr  error
)

// testLab is one signed hierarchy shared by the tests: a root of its own,
// TLDs with each denial style, and children covering every verdict.
func testLab(t testing.TB) *dnssectest.Hierarchy {
	t.Helper()
	labOnce.Do(func() { lab, labErr = buildLab() })
	require.NoError(t, labErr)
	return lab
}

func buildLab() (*dnssectest.Hierarchy, error) {
	h := dnssectest.New(now)
	zones := []struct {
		name string
		cfg  dnssectest.Config
	}{
		{".", dnssectest.Config{}},
		{"com.", dnssectest.Config{NSEC3: true, OptOut: true}},
		{"org.", dnssectest.Config{NSEC3: true, Salt: "aabbccdd", Iterations: 1}},
		{"net.", dnssectest.Config{Algorithm: dns.RSASHA256}},
		{"example.com.", dnssectest.Config{}},
		{"rsa256.com.", dnssectest.Config{Algorithm: dns.RSASHA256}},
		{"rsa512.com.", dnssectest.Config{Algorithm: dns.RSASHA512}},
		{"p384.com.", dnssectest.Config{Algorithm: dns.ECDSAP384SHA384, Digest: dns.SHA384}},
		{"ed25519.com.", dnssectest.Config{Algorithm: dns.ED25519}},
		{"nsec3.org.", dnssectest.Config{NSEC3: true}},
		{"highiter.org.", dnssectest.Config{NSEC3: true, Iterations: 150}},
		{"toomany.org.", dnssectest.Config{NSEC3: true, Iterations: 600}},
		{"insecure.com.", dnssectest.Config{Unsigned: true}},
		{"insecure.org.", dnssectest.Config{Unsigned: true}},
		{"insecure.net.", dnssectest.Config{Unsigned: true}},
		{"rollover.com.", dnssectest.Config{Rollover: true}},
		{"badds.com.", dnssectest.Config{BadDS: true}},
		{"strip.com.", dnssectest.Config{StripSignatures: true}},
		{"sha1.com.", dnssectest.Config{Algorithm: dns.RSASHA1}},
		{"sha1ds.com.", dnssectest.Config{Digest: dns.SHA1}},
		{"broken.com.", dnssectest.Config{}},
		{"twoalg.com.", dnssectest.Config{Algorithm: dns.RSASHA1, SecondAlgorithm: dns.ED25519}},
		{"twoalg2.com.", dnssectest.Config{Algorithm: dns.ECDSAP256SHA256, SecondAlgorithm: dns.RSASHA256}},
	}
	for _, z := range zones {
		if err := h.AddZone(z.name, z.cfg); err != nil {
			return nil, err
		}
	}
	err := h.Add(
		`_dnsauth.example.com. 300 IN TXT "token"`,
		`www.example.com. 300 IN A 192.0.2.1`,
		`*.wild.example.com. 300 IN TXT "wild"`,
		`sub.wild.example.com. 300 IN A 192.0.2.9`,
		`to-insecure.example.com. 300 IN CNAME www.insecure.com.`,
		`to-bogus.example.com. 300 IN CNAME www.badds.com.`,
		`to-secure.example.com. 300 IN CNAME www.rsa256.com.`,
		`alias.example.com. 300 IN DNAME rsa512.com.`,
		`a.b.c.example.com. 300 IN A 192.0.2.7`,
		`q.p.o.n.m.l.k.j.i.h.g.f.e.d.c.b.a.deep.example.com. 300 IN A 192.0.2.8`,
		`expired.broken.com. 300 IN TXT "x"`,
		`future.broken.com. 300 IN TXT "x"`,
		`nosig.broken.com. 300 IN TXT "x"`,
		`tampered.broken.com. 300 IN TXT "x"`,
		`www.broken.com. 300 IN A 192.0.2.2`,
		`www.rsa256.com. 300 IN A 192.0.2.3`,
		`www.rsa512.com. 300 IN A 192.0.2.4`,
		`www.p384.com. 300 IN A 192.0.2.5`,
		`www.ed25519.com. 300 IN A 192.0.2.6`,
		`www.nsec3.org. 300 IN A 192.0.2.10`,
		`*.wild.nsec3.org. 300 IN TXT "wild3"`,
		`www.highiter.org. 300 IN A 192.0.2.11`,
		`www.insecure.com. 300 IN A 198.51.100.1`,
		`www.insecure.org. 300 IN A 198.51.100.2`,
		`www.insecure.net. 300 IN A 198.51.100.3`,
		`www.rollover.com. 300 IN A 192.0.2.12`,
		`www.badds.com. 300 IN A 192.0.2.13`,
		`www.strip.com. 300 IN A 192.0.2.14`,
		`www.sha1.com. 300 IN A 192.0.2.15`,
		`www.sha1ds.com. 300 IN A 192.0.2.16`,
		`www.p384.com. 300 IN CAA 0 issue "ca.example"`,
		`www.twoalg.com. 300 IN A 192.0.2.17`,
		`www.twoalg2.com. 300 IN A 192.0.2.18`,
	)
	if err != nil {
		return nil, err
	}
	h.Break("expired.broken.com.", dns.TypeTXT, dnssectest.Expired)
	h.Break("future.broken.com.", dns.TypeTXT, dnssectest.NotYetValid)
	h.Break("nosig.broken.com.", dns.TypeTXT, dnssectest.MissingSig)
	h.Break("tampered.broken.com.", dns.TypeTXT, dnssectest.Tampered)
	return h, nil
}

func nowFunc() time.Time { return now }

func newValidator(h *dnssectest.Hierarchy) *dnssec.Validator {
	return &dnssec.Validator{Anchors: h.Anchors(), Now: nowFunc}
}

// check resolves name/qtype in h (DO=1) and validates the answer.
func check(t testing.TB, v *dnssec.Validator, q dnssec.Querier, h *dnssectest.Hierarchy, name string, qtype uint16) (dnssec.Result, *dns.Msg) {
	t.Helper()
	resp, err := h.Resolve(name, qtype, true)
	require.NoError(t, err)
	return v.Validate(context.Background(), q, resp), resp
}
