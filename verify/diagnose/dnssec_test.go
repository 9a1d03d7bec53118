package diagnose_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/dnssec/dnssectest"
	"github.com/dcvkit/dcv/verify/diagnose"
)

// signedDNS answers from a signed hierarchy as a resolver (Exchange) and
// as the zone's name server (ExchangeServer, with authority). fail, if
// set, makes matching queries fail as a dead server would.
type signedDNS struct {
	h    *dnssectest.Hierarchy
	fail func(q dns.Question) bool
}

func (s signedDNS) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	q := m.Question[0]
	if s.fail != nil && s.fail(q) {
		return nil, errors.New("i/o timeout")
	}
	opt := m.IsEdns0()
	r, err := s.h.Resolve(q.Name, q.Qtype, opt != nil && opt.Do())
	if err != nil {
		return nil, err
	}
	r.Id = m.Id
	return r, nil
}

func (s signedDNS) ExchangeServer(ctx context.Context, m *dns.Msg, _ string) (*dns.Msg, error) {
	r, err := s.Exchange(ctx, m)
	if r != nil {
		r.Authoritative = true
	}
	return r, err
}

// signedLab signs ., test. and example.test. (configured by child), with a
// name server address and a published dns-txt challenge.
func signedLab(t *testing.T, child dnssectest.Config) (*dnssectest.Hierarchy, *challenge.Challenge) {
	h := dnssectest.New(time.Now())
	require.NoError(t, h.AddZone(".", dnssectest.Config{}))
	require.NoError(t, h.AddZone("test.", dnssectest.Config{}))
	require.NoError(t, h.AddZone("example.test.", child))
	c := dnsTXT(t)
	require.NoError(t, h.Add("ns.example.test. 300 IN A 127.0.0.2", txt(c.Record.Name, c.Record.Value)))
	return h, c
}

func diagnoseSigned(t *testing.T, s signedDNS, c *challenge.Challenge, anchors []dns.RR) *diagnose.Report {
	d := &diagnose.Diagnoser{DNS: s, AllowPrivate: true, TrustAnchors: anchors}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return d.Diagnose(ctx, diagnose.Request{Challenge: c})
}

// dnssecCases are the DNSSEC findings, each from a real signing fault.
var dnssecCases = []struct {
	name   string
	code   diagnose.Code
	sev    diagnose.Severity
	reason string // in the message: the broken link
	setup  func(t *testing.T) (signedDNS, *challenge.Challenge, []dns.RR)
}{
	{"DS matches no key", diagnose.DNSSECBogus, diagnose.Error, "example.test", func(t *testing.T) (signedDNS, *challenge.Challenge, []dns.RR) {
		h, c := signedLab(t, dnssectest.Config{BadDS: true})
		return signedDNS{h: h}, c, h.Anchors()
	}},
	{"expired signature over the record", diagnose.DNSSECBogus, diagnose.Error, "expired", func(t *testing.T) (signedDNS, *challenge.Challenge, []dns.RR) {
		h, c := signedLab(t, dnssectest.Config{})
		h.Break(c.Record.Name, dns.TypeTXT, dnssectest.Expired)
		return signedDNS{h: h}, c, h.Anchors()
	}},
	{"unsigned zone", diagnose.DNSSECInsecure, diagnose.Info, "", func(t *testing.T) (signedDNS, *challenge.Challenge, []dns.RR) {
		h, c := signedLab(t, dnssectest.Config{Unsigned: true})
		return signedDNS{h: h}, c, h.Anchors()
	}},
	{"DNSKEY unreachable", diagnose.DNSSECIndeterminate, diagnose.Error, "example.test", func(t *testing.T) (signedDNS, *challenge.Challenge, []dns.RR) {
		h, c := signedLab(t, dnssectest.Config{})
		fail := func(q dns.Question) bool {
			return q.Qtype == dns.TypeDNSKEY && strings.EqualFold(q.Name, "example.test.")
		}
		return signedDNS{h: h, fail: fail}, c, h.Anchors()
	}},
}

// TestDNSSECFindings validates a signed hierarchy and expects each fault's
// finding, naming the broken link.
func TestDNSSECFindings(t *testing.T) {
	for _, tc := range dnssecCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c, anchors := tc.setup(t)
			rep := diagnoseSigned(t, s, c, anchors)
			f := find(t, rep, tc.code)
			assert.Equal(t, tc.sev, f.Severity, codes(rep))
			assert.Contains(t, f.Message+strings.Join(f.Evidence, " "), tc.reason)
			if f.Severity == diagnose.Error {
				assert.NotEmpty(t, f.Fix)
			}
		})
	}
}

// TestDNSSECSecureZoneIsClean: a correctly signed zone with the record
// published raises nothing about DNSSEC, and nothing at all but info.
func TestDNSSECSecureZoneIsClean(t *testing.T) {
	h, c := signedLab(t, dnssectest.Config{})
	rep := diagnoseSigned(t, signedDNS{h: h}, c, h.Anchors())
	for _, f := range rep.Findings {
		assert.Equal(t, diagnose.Info, f.Severity, codes(rep))
		assert.False(t, strings.HasPrefix(string(f.Code), "dnssec_"), codes(rep))
	}
	assert.True(t, rep.Complete(), codes(rep))
}

// TestDNSSECAgainstTheWrongAnchor: the same zone judged against the IANA
// root anchors (whose chain this lab cannot show) is never passed.
func TestDNSSECAgainstTheWrongAnchor(t *testing.T) {
	h, c := signedLab(t, dnssectest.Config{})
	rep := diagnoseSigned(t, signedDNS{h: h}, c, nil)
	assert.True(t, rep.Has(diagnose.DNSSECBogus) || rep.Has(diagnose.DNSSECIndeterminate), codes(rep))
}
