package verifytest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// doQuerier asks a server with DO=1 and CD=1, as a validating client does.
type doQuerier struct{ addr string }

func (q doQuerier) String() string { return "resolver " + q.addr }

func (q doQuerier) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg).SetQuestion(name, qtype)
	m.CheckingDisabled = true
	m.SetEdns0(4096, true)
	r, _, err := (&dns.Client{}).ExchangeContext(ctx, m, q.addr)
	if err == nil && r.Truncated {
		r, _, err = (&dns.Client{Net: "tcp"}).ExchangeContext(ctx, m, q.addr)
	}
	return r, err
}

func signedZone(t *testing.T) (*verifytest.Zone, []dns.RR) {
	t.Helper()
	zone := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN TXT "token"`,
		`www.example.com. 300 IN A 192.0.2.1`,
		`example.com. 300 IN CAA 0 issue "ca.example"`,
		`_dnsauth.nsec3.org. 300 IN TXT "token3"`,
		`plain.com. 300 IN NS ns1.plain.com.`,
		`_dnsauth.plain.com. 300 IN TXT "unsigned"`,
		`expired.example.com. 300 IN TXT "old"`,
		`tampered.example.com. 300 IN TXT "x"`,
		`_dnsauth.broken.net. 300 IN TXT "x"`,
	)
	anchors, err := zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{
		".":            {},
		"com.":         {NSEC3: true, OptOut: true},
		"org.":         {},
		"net.":         {},
		"example.com.": {Algorithm: dns.ED25519},
		"nsec3.org.":   {NSEC3: true},
		"broken.net.":  {BadDS: true},
		"noproof.org.": {OmitDenial: true},
	}})
	require.NoError(t, err)
	zone.BreakSignature("expired.example.com.", dns.TypeTXT, verifytest.ExpiredSignature)
	zone.BreakSignature("tampered.example.com.", dns.TypeTXT, verifytest.TamperedRecord)
	return zone, anchors
}

// TestZoneSignValidates serves a signed Zone on loopback and validates its
// DO=1 answers back to the anchors Sign returned: every verdict.
func TestZoneSignValidates(t *testing.T) {
	zone, anchors := signedZone(t)
	srv, err := verifytest.NewDNSServer(zone)
	require.NoError(t, err)
	defer srv.Close()
	q := doQuerier{srv.Addr()}
	v := &dnssec.Validator{Anchors: anchors}
	for _, c := range []struct {
		name  string
		qtype uint16
		want  dnssec.Verdict
	}{
		{"_dnsauth.example.com.", dns.TypeTXT, dnssec.Secure},
		{"example.com.", dns.TypeCAA, dnssec.Secure},
		{"nosuch.example.com.", dns.TypeTXT, dnssec.Secure},
		{"_dnsauth.nsec3.org.", dns.TypeTXT, dnssec.Secure},
		{"nosuch.nsec3.org.", dns.TypeTXT, dnssec.Secure},
		{"_dnsauth.plain.com.", dns.TypeTXT, dnssec.Insecure},
		{"expired.example.com.", dns.TypeTXT, dnssec.Bogus},
		{"tampered.example.com.", dns.TypeTXT, dnssec.Bogus},
		{"_dnsauth.broken.net.", dns.TypeTXT, dnssec.Bogus},
		{"nosuch.noproof.org.", dns.TypeTXT, dnssec.Bogus},
	} {
		resp, err := q.Query(context.Background(), c.name, c.qtype)
		require.NoError(t, err)
		r := v.Validate(context.Background(), q, resp)
		assert.Equal(t, c.want, r.Verdict, "%s %s: %s", c.name, dns.TypeToString[c.qtype], r.Reason)
	}
}

// TestZoneSignKeepsPlainAnswers: without DO the signed zone answers as
// before (no RRSIG), and changes made after Sign are signed too.
func TestZoneSignKeepsPlainAnswers(t *testing.T) {
	zone, anchors := signedZone(t)
	ctx := context.Background()
	plain, err := zone.Exchange(ctx, new(dns.Msg).SetQuestion("_dnsauth.example.com.", dns.TypeTXT))
	require.NoError(t, err)
	require.Len(t, plain.Answer, 1)
	assert.Equal(t, []string{"token"}, plain.Answer[0].(*dns.TXT).Txt)

	do := new(dns.Msg).SetQuestion("_dnsauth.example.com.", dns.TypeTXT)
	do.SetEdns0(4096, true)
	signed, err := zone.Exchange(ctx, do)
	require.NoError(t, err)
	require.Len(t, signed.Answer, 2)
	assert.IsType(t, &dns.RRSIG{}, signed.Answer[1])

	zone.MustAdd(`_new.example.com. 300 IN TXT "later"`)
	v := &dnssec.Validator{Anchors: anchors}
	q := dnssec.Querier(exchangeQuerier{zone})
	resp, err := q.Query(ctx, "_new.example.com.", dns.TypeTXT)
	require.NoError(t, err)
	r := v.Validate(ctx, q, resp)
	assert.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
	zone.Remove("_new.example.com.", dns.TypeTXT)
	resp, err = q.Query(ctx, "_new.example.com.", dns.TypeTXT)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeNameError, resp.Rcode)
	assert.Equal(t, dnssec.Secure, v.Validate(ctx, q, resp).Verdict, "a proven NXDOMAIN")
}

// TestZoneSignAs: two servers of one zone with different data, signed
// with the same keys: both answers are secure under one anchor.
func TestZoneSignAs(t *testing.T) {
	a, anchors := signedZone(t)
	b := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "other"`)
	require.NoError(t, b.SignAs(a))
	assert.Error(t, verifytest.NewZone().SignAs(verifytest.NewZone()))
	ctx := context.Background()
	v := &dnssec.Validator{Anchors: anchors}
	seen := map[string]bool{}
	for _, z := range []*verifytest.Zone{a, b} {
		q := exchangeQuerier{z}
		resp, err := q.Query(ctx, "_dnsauth.example.com.", dns.TypeTXT)
		require.NoError(t, err)
		r := v.Validate(ctx, q, resp)
		assert.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
		seen[resp.Answer[0].(*dns.TXT).Txt[0]] = true
	}
	assert.Equal(t, map[string]bool{"token": true, "other": true}, seen)
}

// exchangeQuerier asks a Zone in memory with DO=1 and CD=1.
type exchangeQuerier struct{ z *verifytest.Zone }

func (q exchangeQuerier) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg).SetQuestion(name, qtype)
	m.CheckingDisabled = true
	m.SetEdns0(4096, true)
	return q.z.Exchange(ctx, m)
}

// A Zone can sign itself: Sign returns the trust anchor, and queries with
// the DO bit get RRSIGs and NSEC proofs, as from a signed hierarchy.
func ExampleZone_Sign() {
	zone := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "token"`)
	anchors, err := zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{
		".": {}, "com.": {NSEC3: true}, "example.com.": {},
	}})
	if err != nil {
		panic(err)
	}
	zone.BreakSignature("_dnsauth.example.com.", dns.TypeTXT, verifytest.ExpiredSignature)

	q := new(dns.Msg).SetQuestion("_dnsauth.example.com.", dns.TypeTXT)
	q.SetEdns0(4096, true) // DO=1
	r, err := zone.Exchange(context.Background(), q)
	if err != nil {
		panic(err)
	}
	for _, rr := range r.Answer {
		if sig, ok := rr.(*dns.RRSIG); ok {
			fmt.Println("RRSIG by", sig.SignerName, "expired:", !sig.ValidityPeriod(time.Now()))
		}
	}
	fmt.Println("anchor:", anchors[0].Header().Name, dns.TypeToString[anchors[0].Header().Rrtype])
	// Output:
	// RRSIG by example.com. expired: true
	// anchor: . DS
}

// TestZoneSignChainFaults: the zone's fault injection reaches the chain
// queries too, so a test can make the DNSSEC chain unreachable.
func TestZoneSignChainFaults(t *testing.T) {
	zone, anchors := signedZone(t)
	zone.SetRcode("example.com.", dns.TypeDNSKEY, dns.RcodeServerFailure)
	ctx := context.Background()
	q := exchangeQuerier{zone}
	resp, err := q.Query(ctx, "_dnsauth.example.com.", dns.TypeTXT)
	require.NoError(t, err)
	r := (&dnssec.Validator{Anchors: anchors}).Validate(ctx, q, resp)
	assert.Equal(t, dnssec.Indeterminate, r.Verdict, r.Reason)
	assert.Contains(t, r.Reason, "SERVFAIL")
}
