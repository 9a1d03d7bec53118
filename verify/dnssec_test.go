package verify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signedLab is a signed hierarchy of its own (a root, TLDs, children)
// served on loopback as a recursive resolver that passes the signatures
// through (DO=1, CD=1), with the trust anchors of its root.
type signedLab struct {
	zone    *verifytest.Zone
	srv     *verifytest.DNSServer
	anchors []dns.RR
}

func newSignedLab(t *testing.T) *signedLab {
	t.Helper()
	z := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN TXT "token"`,
		`www.example.com. 300 IN A 127.0.0.1`,
		`bad.example.com. 300 IN A 127.0.0.1`,
		`example.com. 300 IN CAA 0 issue "ssl.com"`,
		`caa.example.com. 300 IN CAA 0 issue "ssl.com"`,
		`expired.example.com. 300 IN TXT "token"`,
		`tampered.example.com. 300 IN TXT "token"`,
		`unsigned.example.com. 300 IN TXT "token"`,
		`_dnsauth.alias.example.com. 300 IN CNAME _dnsauth.broken.net.`,
		`_dnsauth.toplain.example.com. 300 IN CNAME _dnsauth.plain.com.`,
		`_dnsauth.nsec3.org. 300 IN TXT "token"`,
		`plain.com. 300 IN NS ns1.plain.com.`,
		`_dnsauth.plain.com. 300 IN TXT "token"`,
		`_dnsauth.broken.net. 300 IN TXT "token"`,
		`broken.net. 300 IN CAA 0 issue "ssl.com"`,
		`_dnsauth.noproof.org. 300 IN TXT "token"`,
	)
	anchors, err := z.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{
		".":            {},
		"com.":         {},
		"net.":         {},
		"org.":         {},
		"example.com.": {Algorithm: dns.ED25519},
		"nsec3.org.":   {NSEC3: true},
		"broken.net.":  {BadDS: true},
		"noproof.org.": {OmitDenial: true},
	}})
	require.NoError(t, err)
	z.BreakSignature("expired.example.com.", dns.TypeTXT, verifytest.ExpiredSignature)
	z.BreakSignature("tampered.example.com.", dns.TypeTXT, verifytest.TamperedRecord)
	z.BreakSignature("unsigned.example.com.", dns.TypeTXT, verifytest.MissingSignature)
	z.BreakSignature("bad.example.com.", dns.TypeA, verifytest.TamperedRecord)
	z.BreakSignature("caa.example.com.", dns.TypeCAA, verifytest.ExpiredSignature)
	srv, err := verifytest.NewDNSServer(z)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return &signedLab{zone: z, srv: srv, anchors: anchors}
}

func (l *signedLab) client() *verify.DNSClient {
	return &verify.DNSClient{Servers: []string{l.srv.Addr()}, Timeout: time.Second}
}

func (l *signedLab) verifier() *verify.Verifier {
	return &verify.Verifier{DNS: l.client(), TrustAnchors: l.anchors}
}

func dnssecCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestVerifyTXTUnderDNSSEC(t *testing.T) {
	lab := newSignedLab(t)
	v := lab.verifier()
	for _, tc := range []struct {
		name, value string
		outcome     verify.Outcome
		kind        error
		verdict     verify.DNSSECVerdict
		reason      string // in the hint: the broken link
	}{
		{"_dnsauth.example.com", "token", verify.Verified, nil, verify.DNSSECSecure, ""},
		{"_dnsauth.nsec3.org", "token", verify.Verified, nil, verify.DNSSECSecure, ""},
		{"_dnsauth.plain.com", "token", verify.Verified, nil, verify.DNSSECInsecure, ""},
		{"_dnsauth.toplain.example.com", "token", verify.Verified, nil, verify.DNSSECInsecure, ""},
		{"_dnsauth.example.com", "other", verify.NotVerified, verify.ErrMismatch, verify.DNSSECSecure, ""},
		{"_dnsauth.nosuch.example.com", "token", verify.NotVerified, verify.ErrNotFound, verify.DNSSECSecure, ""},
		{"expired.example.com", "token", verify.Undecided, verify.ErrDNSSECBogus, verify.DNSSECBogus, "expired"},
		{"tampered.example.com", "token", verify.Undecided, verify.ErrDNSSECBogus, verify.DNSSECBogus, ""},
		{"unsigned.example.com", "token", verify.Undecided, verify.ErrDNSSECBogus, verify.DNSSECBogus, ""},
		{"_dnsauth.broken.net", "token", verify.Undecided, verify.ErrDNSSECBogus, verify.DNSSECBogus, "broken.net"},
		{"_dnsauth.alias.example.com", "token", verify.Undecided, verify.ErrDNSSECBogus, verify.DNSSECBogus, ""},
		{"_dnsauth.nosuch.noproof.org", "token", verify.Undecided, verify.ErrDNSSECBogus, verify.DNSSECBogus, ""},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			r, err := v.VerifyTXT(dnssecCtx(t), tc.name, tc.value)
			assert.Equal(t, tc.outcome, r.Outcome, "%v", err)
			assert.Equal(t, tc.verdict, r.DNSSEC)
			if tc.kind == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.kind)
			assert.Equal(t, verify.KindCode(err), r.Code)
			if tc.kind == verify.ErrDNSSECBogus {
				assert.Equal(t, "dnssec_bogus", r.Code)
				assert.Contains(t, r.Hint, tc.reason)
				var e *verify.Error
				require.ErrorAs(t, err, &e)
				assert.NotEqual(t, e.Hint, "", "the hint names the broken link")
			}
			for _, ev := range r.Evidence {
				assert.NotEqual(t, verify.DNSSECUnvalidated, ev.DNSSEC, "every answer has its own verdict: %s", ev.Query)
			}
		})
	}
}

func TestVerifyDNSSECIndeterminateWhenTheChainCannotBeFetched(t *testing.T) {
	lab := newSignedLab(t)
	lab.zone.Drop("example.com.", dns.TypeDNSKEY)
	v := lab.verifier()
	v.DNS = &verify.DNSClient{Servers: []string{lab.srv.Addr()}, Timeout: 200 * time.Millisecond, Attempts: 1}
	r, err := v.VerifyTXT(dnssecCtx(t), "_dnsauth.example.com", "token")
	require.ErrorIs(t, err, verify.ErrDNSSECIndeterminate)
	assert.Equal(t, verify.Undecided, r.Outcome)
	assert.Equal(t, "dnssec_indeterminate", r.Code)
	assert.Equal(t, verify.DNSSECIndeterminate, r.DNSSEC)
	assert.NotEmpty(t, r.Hint)
}

func TestVerifyDNSSECOffRecordsOnlyTheADBit(t *testing.T) {
	lab := newSignedLab(t)
	v := lab.verifier()
	v.DNSSEC = verify.DNSSECOff
	r, err := v.VerifyTXT(dnssecCtx(t), "expired.example.com", "token")
	require.NoError(t, err, "not validated: the broken signature goes unseen")
	assert.Equal(t, verify.DNSSECUnvalidated, r.DNSSEC)
}

func TestVerifyFilesResolvesHostsUnderDNSSEC(t *testing.T) {
	lab := newSignedLab(t)
	web := verifytest.NewWeb(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("content"))
	}))
	t.Cleanup(web.Close)
	client := lab.client()
	v := &verify.Verifier{DNS: client, TrustAnchors: lab.anchors,
		HTTP: &verify.HTTPClient{DNS: client, TrustAnchors: lab.anchors, AllowPrivate: true, Dial: web.Dial}}

	r, err := v.VerifyFiles(dnssecCtx(t), []string{"http://www.example.com/.well-known/pki-validation/f.txt"}, "content")
	require.NoError(t, err)
	assert.Equal(t, verify.DNSSECSecure, r.DNSSEC, "the A/AAAA behind the fetch were validated")

	// A tampered A record is never dialled.
	r, err = v.VerifyFiles(dnssecCtx(t), []string{"http://bad.example.com/.well-known/pki-validation/f.txt"}, "content")
	require.ErrorIs(t, err, verify.ErrDNSSECBogus)
	assert.Equal(t, verify.Undecided, r.Outcome)
	assert.Equal(t, verify.DNSSECBogus, r.DNSSEC)
}

func TestAuthoritativeModeValidatesEachServer(t *testing.T) {
	const soa = `example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300`
	lab := newSignedLab(t)
	lab.zone.MustAdd(soa,
		`example.com. 300 IN NS ns1.example.com.`,
		`example.com. 300 IN NS ns2.example.com.`,
		`ns1.example.com. 300 IN A 127.0.0.2`,
		`ns2.example.com. 300 IN A 127.0.0.3`,
	)
	good := verifytest.NewZone().MustAdd(soa, `_dnsauth.example.com. 300 IN TXT "token"`)
	require.NoError(t, good.SignAs(lab.zone))
	// The second server serves the zone without signatures, though the
	// parent has a DS for it: its answers are bogus.
	stripped := verifytest.NewZone().MustAdd(soa, `_dnsauth.example.com. 300 IN TXT "token"`)
	servers, port, err := verifytest.NewDNSServers(good, stripped)
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	v := lab.verifier()
	v.Authoritative = &verify.AuthOptions{Servers: &verify.DNSClient{Timeout: time.Second, AllowPrivate: true}, Port: port}

	r, err := v.VerifyTXT(dnssecCtx(t), "_dnsauth.example.com", "token")
	require.ErrorIs(t, err, verify.ErrDNSSECBogus)
	assert.Equal(t, verify.Undecided, r.Outcome)
	assert.Equal(t, "dnssec_bogus", r.Code)
	assert.Equal(t, verify.DNSSECBogus, r.DNSSEC)
	require.Len(t, r.Servers, 2)
	assert.Equal(t, verify.Verified, r.Servers[0].Outcome)
	assert.Equal(t, verify.Undecided, r.Servers[1].Outcome)
	assert.Contains(t, r.Servers[1].Error, "signatures")

	require.NoError(t, stripped.SignAs(lab.zone))
	r, err = v.VerifyTXT(dnssecCtx(t), "_dnsauth.example.com", "token")
	require.NoError(t, err)
	assert.Equal(t, verify.DNSSECSecure, r.DNSSEC)
	var fromServers int
	for _, ev := range r.Evidence {
		if ev.Server == "127.0.0.2:"+port || ev.Server == "127.0.0.3:"+port {
			fromServers++
			assert.Equal(t, verify.DNSSECSecure, ev.DNSSEC, ev.Query)
		}
	}
	assert.Equal(t, 2, fromServers, "each server's answer is validated")
}

func TestAuthoritativeModeProvenDenialAndInsecureZone(t *testing.T) {
	const soa = ` 300 IN SOA ns1.%s hostmaster.%s 1 7200 3600 1209600 300`
	lab := newSignedLab(t)
	lab.zone.MustAdd(
		`example.com.`+fmt.Sprintf(soa, "example.com.", "example.com."),
		`example.com. 300 IN NS ns1.example.com.`, `ns1.example.com. 300 IN A 127.0.0.2`,
		`plain.com.`+fmt.Sprintf(soa, "plain.com.", "plain.com."),
		`ns1.plain.com. 300 IN A 127.0.0.3`,
	)
	// example.com's server lacks the record (a signed, proven NXDOMAIN);
	// plain.com's server is unsigned, under an insecure delegation.
	signed := verifytest.NewZone().MustAdd(`example.com.` + fmt.Sprintf(soa, "example.com.", "example.com."))
	require.NoError(t, signed.SignAs(lab.zone))
	plain := verifytest.NewZone().MustAdd(`plain.com.`+fmt.Sprintf(soa, "plain.com.", "plain.com."), `_dnsauth.plain.com. 300 IN TXT "token"`)
	servers, port, err := verifytest.NewDNSServers(signed, plain)
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	v := lab.verifier()
	v.Authoritative = &verify.AuthOptions{Servers: &verify.DNSClient{Timeout: time.Second, AllowPrivate: true}, Port: port}

	r, err := v.VerifyTXT(dnssecCtx(t), "_dnsauth.example.com", "token")
	require.Error(t, err)
	assert.Equal(t, verify.NotVerified, r.Outcome, "a proven NXDOMAIN at the server is not found: %v", err)
	assert.Equal(t, verify.DNSSECSecure, r.DNSSEC)

	r, err = v.VerifyTXT(dnssecCtx(t), "_dnsauth.plain.com", "token")
	require.NoError(t, err)
	assert.Equal(t, verify.DNSSECInsecure, r.DNSSEC)
}

func TestValidationIsOnByDefault(t *testing.T) {
	// The zero value validates against the IANA root: an unsigned double
	// cannot chain to it, so nothing it says is decided.
	z := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)
	r, err := (&verify.Verifier{DNS: z}).VerifyTXT(dnssecCtx(t), "_dnsauth.example.com", "v")
	require.Error(t, err)
	assert.Equal(t, verify.Undecided, r.Outcome)
	assert.True(t, errors.Is(err, verify.ErrDNSSECBogus) || errors.Is(err, verify.ErrDNSSECIndeterminate), "%v", err)
	assert.NotEqual(t, verify.DNSSECUnvalidated, r.DNSSEC)

	r, err = (&verify.Verifier{DNS: z, DNSSEC: verify.DNSSECOff}).VerifyTXT(dnssecCtx(t), "_dnsauth.example.com", "v")
	require.NoError(t, err, "switched off, the AD bit alone is recorded")
	assert.Equal(t, verify.DNSSECUnvalidated, r.DNSSEC)
}

// TestHTTPClientLookupIPValidates: the client's own address lookup, which
// diagnoses use to see what the client dials, validates as Do does.
func TestHTTPClientLookupIPValidates(t *testing.T) {
	lab := newSignedLab(t)
	c := &verify.HTTPClient{DNS: lab.client(), TrustAnchors: lab.anchors}
	addrs, ev, err := c.LookupIP(dnssecCtx(t), "www.example.com")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", addrs[0].String())
	assert.NotEmpty(t, ev)
	_, _, err = c.LookupIP(dnssecCtx(t), "bad.example.com")
	assert.ErrorIs(t, err, verify.ErrDNSSECBogus)

	c.DNSSEC = verify.DNSSECOff
	_, _, err = c.LookupIP(dnssecCtx(t), "bad.example.com")
	assert.NoError(t, err, "switched off, only the AD bit is recorded")
}
