package diagnose_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/diagnose"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// signedLab is the lab with its resolver signing ., test. and
// example.test. (the last as child says), a dns-txt challenge published,
// and a diagnoser validating against the lab's own trust anchor.
func signedLab(t *testing.T, child verifytest.ZoneSigning) (*lab, *diagnose.Diagnoser, *challenge.Challenge) {
	l := newLab(t, 2)
	c := dnsTXT(t)
	l.add(txt(c.Record.Name, c.Record.Value))
	anchors, err := l.resolver.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}, "test.": {}, "example.test.": child}})
	require.NoError(t, err)
	d := l.diagnoser()
	d.DNSSEC, d.TrustAnchors = verify.DNSSECValidate, anchors
	d.HTTP.DNSSEC, d.HTTP.TrustAnchors = verify.DNSSECValidate, anchors // its address lookups too
	return l, d, c
}

// dnssecCases are the DNSSEC findings, each from a real signing fault.
var dnssecCases = []struct {
	name   string
	code   diagnose.Code
	sev    diagnose.Severity
	reason string // in the message or evidence: the broken link
	child  verifytest.ZoneSigning
	fault  func(l *lab, c *challenge.Challenge)
}{
	{"DS matches no key", diagnose.DNSSECBogus, diagnose.Error, "matches no DNSKEY", verifytest.ZoneSigning{BadDS: true}, nil},
	{"expired signature over the record", diagnose.DNSSECBogus, diagnose.Error, "expired", verifytest.ZoneSigning{}, func(l *lab, c *challenge.Challenge) {
		l.resolver.BreakSignature(c.Record.Name, dns.TypeTXT, verifytest.ExpiredSignature)
	}},
	{"unsigned zone", diagnose.DNSSECInsecure, diagnose.Info, "", verifytest.ZoneSigning{Unsigned: true}, nil},
	{"DNSKEY unanswered", diagnose.DNSSECIndeterminate, diagnose.Error, "example.test", verifytest.ZoneSigning{}, func(l *lab, c *challenge.Challenge) {
		l.resolver.Drop("example.test.", dns.TypeDNSKEY)
	}},
}

// TestDNSSECFindings validates the lab's signed hierarchy and expects each
// fault's finding, naming the broken link.
func TestDNSSECFindings(t *testing.T) {
	for _, tc := range dnssecCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, d, c := signedLab(t, tc.child)
			if tc.fault != nil {
				tc.fault(l, c)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			rep := d.Diagnose(ctx, diagnose.Request{Challenge: c})
			f := find(t, rep, tc.code)
			assert.Equal(t, tc.sev, f.Severity, codes(rep))
			assert.Equal(t, strings.TrimPrefix(string(tc.code), "dnssec_"), rep.DNSSEC.String(), "the report's verdict")
			assert.Contains(t, f.Message+" "+strings.Join(f.Evidence, " "), tc.reason)
			if f.Severity == diagnose.Error {
				assert.NotEmpty(t, f.Fix)
			}
		})
	}
}

// TestDNSSECSecureZoneIsClean: a correctly signed zone with the record
// published raises nothing about DNSSEC, and nothing but information.
func TestDNSSECSecureZoneIsClean(t *testing.T) {
	_, d, c := signedLab(t, verifytest.ZoneSigning{})
	rep := d.Diagnose(context.Background(), diagnose.Request{Challenge: c})
	for _, f := range rep.Findings {
		assert.Equal(t, diagnose.Info, f.Severity, codes(rep))
		assert.False(t, strings.HasPrefix(string(f.Code), "dnssec_"), codes(rep))
	}
	assert.True(t, rep.Complete(), codes(rep))
	assert.Equal(t, verify.DNSSECSecure, rep.DNSSEC)
}

// TestDNSSECAgainstTheWrongAnchor: the same zone judged against the IANA
// root anchors (the zero value), which it cannot chain to, never passes.
func TestDNSSECAgainstTheWrongAnchor(t *testing.T) {
	_, d, c := signedLab(t, verifytest.ZoneSigning{})
	d.TrustAnchors = nil
	rep := d.Diagnose(context.Background(), diagnose.Request{Challenge: c})
	assert.True(t, rep.Has(diagnose.DNSSECBogus) || rep.Has(diagnose.DNSSECIndeterminate), codes(rep))
}

// TestDNSSECBogusCAA: a CAA answer whose signature expired is a failed
// CAA lookup (a CA refuses), named as a DNSSEC failure.
func TestDNSSECBogusCAA(t *testing.T) {
	l, d, c := signedLab(t, verifytest.ZoneSigning{})
	l.add(`example.test. 300 IN CAA 0 issue "letsencrypt.org"`)
	l.resolver.BreakSignature("example.test.", dns.TypeCAA, verifytest.ExpiredSignature)
	rep := d.Diagnose(context.Background(), diagnose.Request{Challenge: c, CA: []string{"letsencrypt"}})
	f := find(t, rep, diagnose.CAALookupFailed)
	assert.Equal(t, diagnose.Error, f.Severity)
	assert.Contains(t, f.Message, "DNSSEC")
	assert.Contains(t, f.Message, "expired")
}

// TestDNSSECBogusAddressFailsTheWebMethods: an A record whose signature
// expired fails verification of the file methods and tls-alpn-01 (the
// verifier's HTTP client validates the addresses it dials), so the
// diagnosis of each must not come back clean.
func TestDNSSECBogusAddressFailsTheWebMethods(t *testing.T) {
	for _, c := range []*challenge.Challenge{fileChallenge(t), tlsALPN(t)} {
		t.Run(string(c.Method), func(t *testing.T) {
			l, d, _ := signedLab(t, verifytest.ZoneSigning{})
			r := verifytest.NewResponder()
			if c.File != nil {
				r.Set(c.File.Path, c.File.Content)
			}
			web(l, r)
			if c.Method == challenge.TLSALPN01 {
				l.alpn(c, verifytest.ALPNRight, "127.0.0.10")
			}
			l.resolver.BreakSignature("example.test.", dns.TypeA, verifytest.ExpiredSignature)
			l.resolver.BreakSignature("www.example.test.", dns.TypeA, verifytest.ExpiredSignature)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()

			v := &verify.Verifier{DNS: l.dnsClient(), TrustAnchors: d.TrustAnchors,
				HTTP: &verify.HTTPClient{DNS: l.dnsClient(), TrustAnchors: d.TrustAnchors, AllowPrivate: true, Dial: l.dial}}
			_, err := v.Verify(ctx, c)
			require.ErrorIs(t, err, verify.ErrDNSSECBogus, "verification fails on the bogus address")

			rep := d.Diagnose(ctx, diagnose.Request{Challenge: c})
			f := find(t, rep, diagnose.DNSLookupFailed)
			assert.Equal(t, diagnose.Error, f.Severity)
			assert.Contains(t, strings.Join(f.Evidence, " "), "expired", "names the broken link")
		})
	}
}
