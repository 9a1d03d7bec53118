package caa

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func check(t *testing.T, z Exchanger, req Request) (*Decision, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c := &Checker{DNSSEC: DNSSECOff, DNS: z, Now: func() time.Time { return fixedNow }}
	return c.Check(ctx, req)
}

func mustCheck(t *testing.T, z Exchanger, req Request) *Decision {
	t.Helper()
	d, err := check(t, z, req)
	require.NoError(t, err)
	require.NotNil(t, d)
	return d
}

func sslReq(domain string) Request { return Request{Domain: domain, Issuers: []string{"ssl.com"}} }

func TestCheckApexGovernsDeepName(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`example.com. 300 IN CAA 0 issue "ssl.com"`,
		`example.com. 300 IN CAA 0 iodef "mailto:security@example.com"`,
		`other.example.com. 300 IN A 192.0.2.1`,
	)
	d := mustCheck(t, z, sslReq("a.b.c.example.com"))
	assert.True(t, d.Permitted)
	assert.Equal(t, "a.b.c.example.com", d.Domain)
	assert.Equal(t, "example.com", d.RelevantName)
	assert.Empty(t, d.CNAMETarget)
	assert.Equal(t, uint32(300), d.TTL)
	assert.Equal(t, `issue "ssl.com" permits`, d.Rule)
	assert.Empty(t, d.Hint)
	assert.ElementsMatch(t, []string{
		`example.com. 300 IN CAA 0 issue "ssl.com"`,
		`example.com. 300 IN CAA 0 iodef "mailto:security@example.com"`,
	}, d.Records)
	assert.Equal(t, fixedNow, d.CheckedAt)
	assert.Equal(t, fixedNow.Add(8*time.Hour), d.ValidUntil, "TTL under 8h: the BR floor applies")
	assert.False(t, d.Authenticated)

	d = mustCheck(t, z, sslReq("a.b.c.example.com"))
	require.NotNil(t, d)
	// Only the levels up to the relevant one had to be asked, but all are.
	for _, n := range []string{"a.b.c.example.com.", "b.c.example.com.", "c.example.com.", "example.com.", "com."} {
		assert.Equal(t, 2, z.Queries(n, dns.TypeCAA), n)
	}
}

func TestCheckValidUntilLongTTL(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`example.com. 86400 IN CAA 0 issue "ssl.com"`,
		`example.com. 3600 IN CAA 0 issue "pki.goog"`,
	)
	d := mustCheck(t, z, sslReq("example.com"))
	assert.Equal(t, uint32(3600), d.TTL, "the smallest TTL of the RRset")
	assert.Equal(t, fixedNow.Add(8*time.Hour), d.ValidUntil)

	z = verifytest.NewZone().MustAdd(`example.com. 86400 IN CAA 0 issue "ssl.com"`)
	d = mustCheck(t, z, sslReq("example.com"))
	assert.Equal(t, fixedNow.Add(24*time.Hour), d.ValidUntil)
}

func TestCheckNoRecordsAnywhere(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`www.example.com. 300 IN A 192.0.2.1`)
	d := mustCheck(t, z, sslReq("www.example.com"))
	assert.True(t, d.Permitted)
	assert.Equal(t, "no CAA records: unrestricted", d.Rule)
	assert.Empty(t, d.RelevantName)
	assert.Empty(t, d.Records)
	assert.Equal(t, uint32(0), d.TTL)
	assert.Equal(t, fixedNow.Add(8*time.Hour), d.ValidUntil)
	for _, n := range []string{"www.example.com.", "example.com.", "com."} {
		assert.Equal(t, 1, z.Queries(n, dns.TypeCAA), n)
	}
	assert.Equal(t, 0, z.Queries(".", dns.TypeCAA), "the root is never asked")
}

func TestCheckRules(t *testing.T) {
	tests := []struct {
		name   string
		zone   []string
		req    Request
		permit bool
		rule   string
		owner  string
	}{
		{"empty issuer", []string{`example.com. CAA 0 issue ";"`}, sslReq("www.example.com"), false,
			`issue ";" authorizes no one`, "example.com"},
		{"critical unknown tag", []string{`example.com. CAA 0 issue "ssl.com"`, `example.com. CAA 128 tbs "Unknown"`},
			sslReq("example.com"), false, `critical unknown tag "tbs" forbids`, "example.com"},
		{"non-critical unknown tag", []string{`example.com. CAA 0 issue "ssl.com"`, `example.com. CAA 0 tbs "Unknown"`},
			sslReq("example.com"), true, `issue "ssl.com" permits`, "example.com"},
		{"iodef only", []string{`example.com. CAA 0 iodef "mailto:a@example.com"`}, sslReq("www.example.com"), true,
			"no issue property: unrestricted", "example.com"},
		{"issuemail only", []string{`example.com. CAA 0 issuemail "letsencrypt.org"`}, sslReq("www.example.com"), true,
			"no issue property: unrestricted", "example.com"},
		{"nearest set wins over parent", []string{`example.com. CAA 0 issue "ssl.com"`, `www.example.com. CAA 0 issue "letsencrypt.org"`},
			sslReq("www.example.com"), false, `issue names only "letsencrypt.org"`, "www.example.com"},
		{"nearest set permits though parent forbids", []string{`example.com. CAA 0 issue ";"`, `www.example.com. CAA 0 issue "ssl.com"`},
			sslReq("www.example.com"), true, `issue "ssl.com" permits`, "www.example.com"},
		{"wildcard looked up at base", []string{`example.com. CAA 0 issue "ssl.com"`, `example.com. CAA 0 issuewild "letsencrypt.org"`},
			sslReq("*.example.com"), false, `issuewild present: governs wildcard; issuewild names only "letsencrypt.org"`, "example.com"},
		{"wildcard base, not a child", []string{`www.example.com. CAA 0 issuewild "ssl.com"`, `example.com. CAA 0 issue ";"`},
			sslReq("*.www.example.com"), true, `issuewild "ssl.com" permits`, "www.example.com"},
		{"wildcard, issuewild absent", []string{`example.com. CAA 0 issue "ssl.com"`}, sslReq("*.example.com"), true,
			`issue "ssl.com" permits`, "example.com"},
		{"non-wildcard ignores issuewild", []string{`example.com. CAA 0 issue ";"`, `example.com. CAA 0 issuewild "ssl.com"`},
			sslReq("example.com"), false, `issue ";" authorizes no one`, "example.com"},
		{"non-wildcard, issue permits despite issuewild", []string{`example.com. CAA 0 issue "ssl.com"`, `example.com. CAA 0 issuewild ";"`},
			sslReq("example.com"), true, `issue "ssl.com" permits`, "example.com"},
		{"tag case", []string{`example.com. CAA 0 IssueWild "ssl.com"`, `example.com. CAA 0 ISSUE ";"`},
			sslReq("*.example.com"), true, `issuewild "ssl.com" permits`, "example.com"},
		{"whitespace", []string{`example.com. CAA 0 issue " ssl.com ; "`}, sslReq("example.com"), true,
			`issue " ssl.com ; " permits`, "example.com"},
		{"malformed beside permit", []string{`example.com. CAA 0 issue "ssl.com;;"`, `example.com. CAA 0 issue "ssl.com"`},
			sslReq("example.com"), true, `issue "ssl.com" permits`, "example.com"},
		{"malformed alone", []string{`example.com. CAA 0 issue "ssl.com."`}, sslReq("example.com"), false,
			`issue names only malformed "ssl.com."`, "example.com"},
		{"several issuers", []string{`example.com. CAA 0 issue "comodoca.com"`},
			Request{Domain: "example.com", Issuers: []string{"sectigo.com", "comodoca.com", "trust-provider.com"}}, true,
			`issue "comodoca.com" permits`, "example.com"},
		{"accounturi match", []string{`example.com. CAA 0 issue "ssl.com; accounturi=https://acme.ssl.com/a/1"`},
			Request{Domain: "example.com", Issuers: []string{"ssl.com"}, AccountURI: "https://acme.ssl.com/a/1"}, true,
			`issue "ssl.com; accounturi=https://acme.ssl.com/a/1" permits`, "example.com"},
		{"accounturi mismatch", []string{`example.com. CAA 0 issue "ssl.com; accounturi=https://acme.ssl.com/a/1"`},
			Request{Domain: "example.com", Issuers: []string{"ssl.com"}, AccountURI: "https://acme.ssl.com/a/2"}, false,
			"accounturi mismatch", "example.com"},
		{"accounturi missing", []string{`example.com. CAA 0 issue "ssl.com; accounturi=https://acme.ssl.com/a/1"`},
			sslReq("example.com"), false, "accounturi required: the request names no account", "example.com"},
		{"method listed", []string{`example.com. CAA 0 issue "ssl.com; validationmethods=dns-01,http-01"`},
			Request{Domain: "example.com", Issuers: []string{"ssl.com"}, Method: "http-01"}, true,
			`issue "ssl.com; validationmethods=dns-01,http-01" permits`, "example.com"},
		{"method not listed", []string{`example.com. CAA 0 issue "ssl.com; validationmethods=dns-01"`},
			Request{Domain: "example.com", Issuers: []string{"ssl.com"}, Method: "tls-alpn-01"}, false,
			`validationmethods excludes "tls-alpn-01"`, "example.com"},
		{"method missing", []string{`example.com. CAA 0 issue "ssl.com; validationmethods=dns-01"`},
			sslReq("example.com"), false, "validationmethods required: the request names no method", "example.com"},
		{"DNS wildcard owns CAA", []string{`example.com. CAA 0 issue "ssl.com"`, `*.example.com. CAA 0 issue "letsencrypt.org"`},
			sslReq("foo.example.com"), false, `issue names only "letsencrypt.org"`, "foo.example.com"},
		{"DNS wildcard covers deeper names too", []string{`example.com. CAA 0 issue ";"`, `*.example.com. CAA 0 issue "ssl.com"`},
			sslReq("a.b.example.com"), true, `issue "ssl.com" permits`, "a.b.example.com"},
		{"DNS wildcard does not cover an existing name", []string{`example.com. CAA 0 issue "ssl.com"`,
			`*.example.com. CAA 0 issue "letsencrypt.org"`, `www.example.com. A 192.0.2.1`},
			sslReq("www.example.com"), true, `issue "ssl.com" permits`, "example.com"},
		{"IDN domain", []string{`xn--bcher-kva.de. CAA 0 issue "ssl.com"`}, sslReq("www.Bücher.de"), true,
			`issue "ssl.com" permits`, "xn--bcher-kva.de"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustCheck(t, verifytest.NewZone().MustAdd(tc.zone...), tc.req)
			assert.Equal(t, tc.permit, d.Permitted, d.Rule)
			assert.Equal(t, tc.rule, d.Rule)
			assert.Equal(t, tc.owner, d.RelevantName)
			if tc.permit {
				assert.Empty(t, d.Hint)
			} else {
				assert.Contains(t, d.Hint, "`"+dnsname.FQDN(d.RelevantName)+" CAA ")
			}
		})
	}
}

func TestCheckCNAME(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`example.com. CAA 0 issue "ssl.com"`,
		`www.example.com. 300 CNAME site.github.io.`,
		`site.github.io. 600 CAA 0 issue "letsencrypt.org"`,
		`blog.example.com. CNAME open.example.net.`,
		`open.example.net. CAA 0 issue "ssl.com"`,
		`docs.example.com. CNAME other.github.io.`,
		`github.io. CAA 0 issue "digicert.com"`,
		`other.github.io. A 192.0.2.7`,
	)

	t.Run("forbids, hint names the CNAME", func(t *testing.T) {
		d := mustCheck(t, z, sslReq("www.example.com"))
		assert.False(t, d.Permitted)
		assert.Equal(t, "www.example.com", d.RelevantName)
		assert.Equal(t, "site.github.io", d.CNAMETarget)
		assert.Equal(t, uint32(600), d.TTL)
		assert.Equal(t, []string{`site.github.io. 600 IN CAA 0 issue "letsencrypt.org"`}, d.Records)
		assert.Equal(t, `issue names only "letsencrypt.org"`, d.Rule)
		assert.Contains(t, d.Hint, "CNAME from www.example.com to site.github.io")
		assert.Contains(t, d.Hint, "`site.github.io. CAA 0 issue \"ssl.com\"`")
		assert.Contains(t, d.Hint, "pause the CNAME")
	})
	t.Run("permits through the CNAME", func(t *testing.T) {
		d := mustCheck(t, z, sslReq("blog.example.com"))
		assert.True(t, d.Permitted)
		assert.Equal(t, "blog.example.com", d.RelevantName)
		assert.Equal(t, "open.example.net", d.CNAMETarget)
	})
	t.Run("wildcard through a CNAME", func(t *testing.T) {
		d := mustCheck(t, z, Request{Domain: "*.www.example.com", Issuers: []string{"letsencrypt.org"}})
		assert.True(t, d.Permitted)
		assert.Equal(t, "site.github.io", d.CNAMETarget)
	})
	t.Run("no RFC 6844 climbing from the target", func(t *testing.T) {
		// other.github.io has no CAA; github.io's records do not apply to
		// docs.example.com, whose parent example.com decides.
		d := mustCheck(t, z, sslReq("docs.example.com"))
		assert.True(t, d.Permitted)
		assert.Equal(t, "example.com", d.RelevantName)
		assert.Empty(t, d.CNAMETarget)
		assert.Equal(t, 0, z.Queries("github.io.", dns.TypeCAA))
	})
	t.Run("CNAME to a missing name is empty", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(`example.com. CAA 0 issue "ssl.com"`, `www.example.com. CNAME gone.example.net.`)
		d := mustCheck(t, z, sslReq("www.example.com"))
		assert.True(t, d.Permitted)
		assert.Equal(t, "example.com", d.RelevantName)
	})
	t.Run("CNAME loop fails closed", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(
			`example.com. CAA 0 issue "ssl.com"`,
			`a.example.com. CNAME b.example.com.`,
			`b.example.com. CNAME a.example.com.`,
		)
		_, err := check(t, z, sslReq("a.example.com"))
		require.ErrorIs(t, err, ErrLookup)
		assert.Contains(t, err.Error(), "CNAME loop")
	})
	t.Run("overlong CNAME chain fails closed", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(`example.com. CAA 0 issue "ssl.com"`)
		for i := range 20 {
			z.MustAdd(dnsname.FQDN(chainName(i)) + " CNAME " + dnsname.FQDN(chainName(i+1)))
		}
		_, err := check(t, z, sslReq(chainName(0)))
		require.ErrorIs(t, err, ErrLookup)
	})
}

func chainName(i int) string { return "c" + string(rune('a'+i)) + ".example.com" }

func TestCheckLookupFailures(t *testing.T) {
	base := []string{`example.com. CAA 0 issue "ssl.com"`, `www.example.com. A 192.0.2.1`}
	for _, rc := range []int{dns.RcodeServerFailure, dns.RcodeRefused, dns.RcodeFormatError, dns.RcodeNotImplemented} {
		name := dns.RcodeToString[rc]
		t.Run(name+" below the relevant set", func(t *testing.T) {
			z := verifytest.NewZone().MustAdd(base...)
			z.SetRcode("www.example.com", dns.TypeCAA, rc)
			_, err := check(t, z, sslReq("www.example.com"))
			require.ErrorIs(t, err, ErrLookup)
			var le *LookupError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, "www.example.com", le.Name)
			assert.Equal(t, rc, le.Rcode)
			assert.Contains(t, err.Error(), name)
			assert.Contains(t, err.Error(), "never permission")
			assert.NotContains(t, err.Error(), le.Hint(), "the hint lives apart from the message")
			assert.Contains(t, le.Hint(), "answer CAA queries")
		})
	}
	t.Run("SERVFAIL at the leaf though the apex permits", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(`example.com. 60 IN CAA 0 issue "ssl.com"`, `www.example.com. 60 IN A 192.0.2.1`)
		z.SetRcode("www.example.com.", dns.TypeCAA, dns.RcodeServerFailure)
		_, err := check(t, z, sslReq("www.example.com"))
		assert.ErrorIs(t, err, ErrLookup)
	})
	t.Run("SERVFAIL at the relevant level", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(base...)
		z.SetRcode("example.com", dns.TypeCAA, dns.RcodeServerFailure)
		_, err := check(t, z, sslReq("www.example.com"))
		var le *LookupError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, "example.com", le.Name)
	})
	t.Run("SERVFAIL above the relevant set is ignored", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(base...)
		z.SetRcode("com", dns.TypeCAA, dns.RcodeServerFailure)
		d := mustCheck(t, z, sslReq("www.example.com"))
		assert.True(t, d.Permitted)
		assert.Equal(t, "example.com", d.RelevantName)
	})
	t.Run("SERVFAIL at the TLD matters when nothing is found below", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(`www.example.com. A 192.0.2.1`)
		z.SetRcode("com", dns.TypeCAA, dns.RcodeServerFailure)
		_, err := check(t, z, sslReq("www.example.com"))
		var le *LookupError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, "com", le.Name)
	})
	t.Run("SERVFAIL at the CNAME target", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(base...)
		z.MustAdd(`www.example.com. CNAME broken.example.net.`)
		z.Remove("www.example.com", dns.TypeA)
		z.SetRcode("broken.example.net", dns.TypeCAA, dns.RcodeServerFailure)
		_, err := check(t, z, sslReq("www.example.com"))
		require.ErrorIs(t, err, ErrLookup)
	})
	t.Run("timeout below the relevant set", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(base...)
		z.Drop("www.example.com", dns.TypeCAA)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := (&Checker{DNSSEC: DNSSECOff, DNS: z}).Check(ctx, sslReq("www.example.com"))
		require.ErrorIs(t, err, ErrLookup)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		var le *LookupError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, -1, le.Rcode)
		assert.Equal(t, "www.example.com", le.Name)
	})
	t.Run("Checker.Timeout bounds a check without deadline", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(base...)
		z.Drop("www.example.com", dns.TypeCAA)
		_, err := (&Checker{DNSSEC: DNSSECOff, DNS: z, Timeout: 50 * time.Millisecond}).Check(context.Background(), sslReq("www.example.com"))
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("timeout above the relevant set is not waited for", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(base...)
		z.Drop("com", dns.TypeCAA)
		// No deadline but the default: a dropped query above the relevant
		// level is cancelled as soon as the decision is known.
		done := make(chan struct{})
		var d *Decision
		var err error
		go func() {
			defer close(done)
			d, err = (&Checker{DNSSEC: DNSSECOff, DNS: z}).Check(context.Background(), sslReq("www.example.com"))
		}()
		select {
		case <-done:
		case <-time.After(defaultTimeout / 2):
			t.Fatal("Check waited for a query above the relevant set")
		}
		require.NoError(t, err)
		assert.True(t, d.Permitted)
	})
	t.Run("transport error", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(base...)
		boom := errors.New("connection refused")
		ex := exchangeFunc(func(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
			if m.Question[0].Name == "www.example.com." {
				return nil, boom
			}
			return z.Exchange(ctx, m)
		})
		_, err := check(t, ex, sslReq("www.example.com"))
		require.ErrorIs(t, err, ErrLookup)
		require.ErrorIs(t, err, boom)
	})
	t.Run("unusable answers", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(base...)
		for name, mangle := range map[string]func(r *dns.Msg) *dns.Msg{
			"truncated":      func(r *dns.Msg) *dns.Msg { r.Truncated = true; return r },
			"other question": func(r *dns.Msg) *dns.Msg { r.Question[0].Name = "evil.example."; return r },
			"other type":     func(r *dns.Msg) *dns.Msg { r.Question[0].Qtype = dns.TypeTXT; return r },
			"nil":            func(*dns.Msg) *dns.Msg { return nil },
		} {
			ex := exchangeFunc(func(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
				r, err := z.Exchange(ctx, m)
				if err == nil && m.Question[0].Name == "www.example.com." {
					r = mangle(r)
				}
				return r, err
			})
			_, err := check(t, ex, sslReq("www.example.com"))
			require.ErrorIs(t, err, ErrLookup, name)
		}
	})
	t.Run("foreign records in the answer fail closed", func(t *testing.T) {
		z := verifytest.NewZone().MustAdd(base...)
		ex := exchangeFunc(func(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
			r, err := z.Exchange(ctx, m)
			if err == nil && m.Question[0].Name == "www.example.com." {
				rr, _ := dns.NewRR(`elsewhere.example. CAA 0 issue ";"`)
				r.Answer = append(r.Answer, rr)
			}
			return r, err
		})
		_, err := check(t, ex, sslReq("www.example.com"))
		require.ErrorIs(t, err, ErrLookup)
		assert.Contains(t, err.Error(), "elsewhere.example.")
	})
	t.Run("DNAME without a synthesized CNAME", func(t *testing.T) {
		ex := exchangeFunc(func(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
			r := new(dns.Msg)
			r.SetReply(m)
			if m.Question[0].Name == "www.example.com." {
				for _, s := range []string{`example.com. DNAME example.net.`, `www.example.net. CAA 0 issue "letsencrypt.org"`} {
					rr, _ := dns.NewRR(s)
					r.Answer = append(r.Answer, rr)
				}
			}
			return r, nil
		})
		d := mustCheck(t, ex, sslReq("www.example.com"))
		assert.False(t, d.Permitted)
		assert.Equal(t, "www.example.net", d.CNAMETarget)
	})
}

type exchangeFunc func(ctx context.Context, m *dns.Msg) (*dns.Msg, error)

func (f exchangeFunc) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) { return f(ctx, m) }

// crafted answers every query with what f makes of it.
func crafted(f func(q *dns.Msg) *dns.Msg) exchangeFunc {
	return func(_ context.Context, q *dns.Msg) (*dns.Msg, error) { return f(q), nil }
}

func rtRR(t *testing.T, s string) dns.RR {
	t.Helper()
	r, err := dns.NewRR(s)
	require.NoError(t, err)
	return r
}

// leafOnly answers the CAA query for example.com with rcode, tc and rrs;
// every other level is NOERROR and empty.
func leafOnly(t *testing.T, rcode int, tc bool, rrs ...string) Exchanger {
	return crafted(func(q *dns.Msg) *dns.Msg {
		m := new(dns.Msg)
		m.SetReply(q)
		if q.Question[0].Name == "example.com." {
			m.Rcode, m.Truncated = rcode, tc
			for _, s := range rrs {
				m.Answer = append(m.Answer, rtRR(t, s))
			}
		}
		return m
	})
}

// An answer that cannot be trusted at the leaf is a lookup failure, never
// "no records": another owner's CAA, an error rcode or truncation, a CNAME
// loop, an NXDOMAIN carrying records.
func TestCheckRefusesUntrustworthyAnswers(t *testing.T) {
	forbid := `example.com. 60 IN CAA 0 issue "other.ca"`
	cases := map[string]Exchanger{
		"CAA of another owner":           leafOnly(t, dns.RcodeSuccess, false, `evil.test. 60 IN CAA 0 issue "ssl.com"`),
		"SERVFAIL with records":          leafOnly(t, dns.RcodeServerFailure, false, forbid),
		"truncated":                      leafOnly(t, dns.RcodeSuccess, true),
		"REFUSED":                        leafOnly(t, dns.RcodeRefused, false),
		"CNAME loop":                     leafOnly(t, dns.RcodeSuccess, false, `example.com. 60 IN CNAME a.test.`, `a.test. 60 IN CNAME example.com.`),
		"NXDOMAIN that carries a record": leafOnly(t, dns.RcodeNameError, false, forbid),
	}
	for name, ex := range cases {
		t.Run(name, func(t *testing.T) {
			d, err := check(t, ex, sslReq("www.example.com"))
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrLookup))
			assert.Nil(t, d)
		})
	}
}

// Records are read as RFC 8659 and RFC 8657 say, exactly: flags, tag case,
// issuer spelling, issuewild precedence, accounturi and validationmethods.
func TestCheckReadsRecordsExactly(t *testing.T) {
	cases := []struct {
		name    string
		records []string
		domain  string
		req     func(*Request)
		permit  bool
	}{
		{"critical flag on issue is fine", []string{`example.com. 60 IN CAA 128 issue "ssl.com"`}, "example.com", nil, true},
		{"critical unknown tag, all bits", []string{`example.com. 60 IN CAA 255 tbs "x"`, `example.com. 60 IN CAA 0 issue "ssl.com"`}, "example.com", nil, false},
		{"unknown tag, non-critical bit only", []string{`example.com. 60 IN CAA 1 tbs "x"`, `example.com. 60 IN CAA 0 issue "other.ca"`}, "example.com", nil, false},
		{"upper-case tag", []string{`example.com. 60 IN CAA 0 ISSUE "other.ca"`}, "example.com", nil, false},
		{"upper-case issuer", []string{`example.com. 60 IN CAA 0 issue "SSL.COM"`}, "example.com", nil, true},
		{"issuer with trailing dot is malformed", []string{`example.com. 60 IN CAA 0 issue "ssl.com."`}, "example.com", nil, false},
		{"issuer with inner space", []string{`example.com. 60 IN CAA 0 issue "ssl .com"`}, "example.com", nil, false},
		{"Unicode look-alike issuer", []string{`example.com. 60 IN CAA 0 issue "ssl\227\128\130com"`}, "example.com", nil, false},
		{"issuer prefix of ours", []string{`example.com. 60 IN CAA 0 issue "l.com"`}, "example.com", nil, false},
		{"issuer suffix of ours", []string{`example.com. 60 IN CAA 0 issue "evil.ssl.com"`}, "example.com", nil, false},
		{"empty issuer with parameters", []string{`example.com. 60 IN CAA 0 issue "; accounturi=https://ca/1"`}, "example.com", nil, false},
		{"wildcard: issuewild ; beats issue", []string{`example.com. 60 IN CAA 0 issue "ssl.com"`, `example.com. 60 IN CAA 0 issuewild ";"`}, "*.example.com", nil, false},
		{"wildcard flag: issuewild ; beats issue", []string{`example.com. 60 IN CAA 0 issue "ssl.com"`, `example.com. 60 IN CAA 0 issuewild ";"`}, "example.com", func(r *Request) { r.Wildcard = true }, false},
		{"non-wildcard ignores issuewild", []string{`example.com. 60 IN CAA 0 issue "other.ca"`, `example.com. 60 IN CAA 0 issuewild "ssl.com"`}, "example.com", nil, false},
		{"issuewild only, non-wildcard", []string{`example.com. 60 IN CAA 0 issuewild ";"`}, "example.com", nil, true},
		{"issuemail only", []string{`example.com. 60 IN CAA 0 issuemail ";"`}, "example.com", nil, true},
		{"accounturi key in upper case binds", []string{`example.com. 60 IN CAA 0 issue "ssl.com; AccountURI=https://ca/acct/1"`}, "example.com", func(r *Request) { r.AccountURI = "https://ca/acct/2" }, false},
		{"accounturi with spaces around", []string{`example.com. 60 IN CAA 0 issue "ssl.com;  accounturi=https://ca/acct/1 "`}, "example.com", func(r *Request) { r.AccountURI = "https://ca/acct/1" }, true},
		{"accounturi needs an account", []string{`example.com. 60 IN CAA 0 issue "ssl.com; accounturi=https://ca/acct/1"`}, "example.com", nil, false},
		{"accounturi given twice", []string{`example.com. 60 IN CAA 0 issue "ssl.com; accounturi=https://ca/acct/2; accounturi=https://ca/acct/1"`}, "example.com", func(r *Request) { r.AccountURI = "https://ca/acct/1" }, false},
		{"validationmethods with a space", []string{`example.com. 60 IN CAA 0 issue "ssl.com; validationmethods=dns-01, http-01"`}, "example.com", func(r *Request) { r.Method = "http-01" }, false},
		{"validationmethods listed", []string{`example.com. 60 IN CAA 0 issue "ssl.com; validationmethods=dns-01,http-01"`}, "example.com", func(r *Request) { r.Method = "http-01" }, true},
		{"validationmethods, method case differs", []string{`example.com. 60 IN CAA 0 issue "ssl.com; validationmethods=dns-01"`}, "example.com", func(r *Request) { r.Method = "DNS-01" }, false},
		{"validationmethods needs a method", []string{`example.com. 60 IN CAA 0 issue "ssl.com; validationmethods=dns-01"`}, "example.com", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z := verifytest.NewZone().MustAdd(tc.records...)
			req := sslReq(tc.domain)
			if tc.req != nil {
				tc.req(&req)
			}
			d := mustCheck(t, z, req)
			assert.Equal(t, tc.permit, d.Permitted, d.Rule)
		})
	}
}

// Values arrive from the wire as raw bytes: tabs and spaces around the
// issuer and before the parameters are WSP.
func TestCheckTakesWhitespaceAroundTheIssuer(t *testing.T) {
	z := verifytest.NewZone()
	z.AddRR(&dns.CAA{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeCAA, Class: dns.ClassINET, Ttl: 60}, Tag: "issue", Value: " \tssl.com \t; "})
	d := mustCheck(t, z, sslReq("example.com"))
	assert.True(t, d.Permitted, d.Rule)
}

func TestCheckAuthenticated(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`example.com. CAA 0 issue "ssl.com"`)
	z.SetAuthenticated(true)
	d := mustCheck(t, z, sslReq("www.example.com"))
	assert.True(t, d.Authenticated)

	// One answer that mattered without AD makes the decision unauthenticated.
	ex := exchangeFunc(func(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
		r, err := z.Exchange(ctx, m)
		if err == nil && m.Question[0].Name == "www.example.com." {
			r.AuthenticatedData = false
		}
		return r, err
	})
	d = mustCheck(t, ex, sslReq("www.example.com"))
	assert.False(t, d.Authenticated)

	// An answer above the relevant set does not count.
	ex = exchangeFunc(func(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
		r, err := z.Exchange(ctx, m)
		if err == nil && m.Question[0].Name == "com." {
			r.AuthenticatedData = false
		}
		return r, err
	})
	d = mustCheck(t, ex, sslReq("www.example.com"))
	assert.True(t, d.Authenticated)
}

// TestCheckConcurrent proves every level is in flight at once: each query
// blocks until all levels have arrived, which a sequential walk would
// never reach.
func TestCheckConcurrent(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`example.com. CAA 0 issue "ssl.com"`)
	z.SetDelay(20 * time.Millisecond)
	const domain = "www.a.b.c.example.com"
	levels := 6
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	ex := exchangeFunc(func(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
		mu.Lock()
		if arrived++; arrived == levels {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return z.Exchange(ctx, m)
	})
	d := mustCheck(t, ex, sslReq(domain))
	assert.True(t, d.Permitted)
	for _, n := range dnsname.Parents(domain, "com") {
		assert.Equal(t, 1, z.Queries(dnsname.FQDN(n), dns.TypeCAA), "each level asked once: %s", n)
	}
}

func TestCheckBadInput(t *testing.T) {
	z := verifytest.NewZone()
	_, err := (&Checker{DNSSEC: DNSSECOff}).Check(context.Background(), sslReq("example.com"))
	require.ErrorIs(t, err, ErrNoResolver)
	var nilChecker *Checker
	_, err = nilChecker.Check(context.Background(), sslReq("example.com"))
	require.ErrorIs(t, err, ErrNoResolver)

	for _, d := range []string{"", "com", "co.uk", "192.0.2.1", "[::1]", "a..b.com", "*.com", "a.*.example.com", "localhost", "_x.example.com"} {
		_, err := check(t, z, sslReq(d))
		require.ErrorIs(t, err, ErrBadRequest, d)
	}
	_, err = check(t, z, sslReq("co.uk"))
	require.ErrorIs(t, err, dnsname.ErrPublicSuffix)

	_, err = check(t, z, Request{Domain: "example.com"})
	require.ErrorIs(t, err, ErrBadRequest)
	_, err = check(t, z, Request{Domain: "example.com", Issuers: []string{" ", ""}})
	require.ErrorIs(t, err, ErrBadRequest)
	_, err = check(t, z, Request{Domain: "example.com", Issuers: []string{"not a domain"}})
	require.ErrorIs(t, err, ErrBadRequest)
	assert.Equal(t, 0, z.TotalQueries(), "bad input sends no query")
}

func TestDecisionJSON(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`www.example.com. CNAME site.github.io.`, `site.github.io. CAA 0 issue "letsencrypt.org"`)
	d := mustCheck(t, z, sslReq("www.example.com"))
	b, err := json.Marshal(d)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"permitted", "domain", "wildcard", "issuers", "relevant_name", "cname_target", "ttl",
		"authenticated", "records", "rule", "hint", "checked_at", "valid_until"} {
		assert.Contains(t, m, k)
	}
	assert.Equal(t, false, m["permitted"])
	assert.Equal(t, "2026-03-01T20:00:00Z", m["valid_until"])
}

func TestCheckRefusesNonPublicNamesUnlessAllowPrivate(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`corp.internal. CAA 0 issue "ssl.com"`, `shop.test. CAA 0 issue "ssl.com"`)
	for _, name := range []string{"www.corp.internal", "shop.test", "x.onion", "printer.local", "intranet.corp"} {
		c := &Checker{DNSSEC: DNSSECOff, DNS: z}
		_, err := c.Check(context.Background(), sslReq(name))
		assert.ErrorIs(t, err, ErrBadRequest, name)
		assert.ErrorIs(t, err, ErrNotPublic, name)
	}
	c := &Checker{DNSSEC: DNSSECOff, DNS: z, AllowPrivate: true}
	d, err := c.Check(context.Background(), sslReq("www.corp.internal"))
	require.NoError(t, err)
	assert.True(t, d.Permitted)
	assert.Equal(t, "corp.internal", d.RelevantName)
}

// caaAt answers every CAA query with NOERROR, holding one issue "ssl.com"
// record of the given TTL at example.com.
func caaAt(ttl uint32) exchangeFunc {
	return func(_ context.Context, q *dns.Msg) (*dns.Msg, error) {
		m := new(dns.Msg)
		m.SetReply(q)
		if q.Question[0].Name == "example.com." {
			m.Answer = append(m.Answer, &dns.CAA{
				Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeCAA, Class: dns.ClassINET, Ttl: ttl},
				Tag: "issue", Value: "ssl.com",
			})
		}
		return m, nil
	}
}

// TestCheckTTLTopBitIsZero: RFC 2181 section 8 reads a TTL with the top bit
// set as 0, and every TTL is capped at MaxTTL, so ValidUntil stays near.
func TestCheckTTLTopBitIsZero(t *testing.T) {
	tests := []struct {
		ttl, want uint32
		valid     time.Duration
	}{
		{4294967295, 0, MinValidity},
		{1 << 31, 0, MinValidity},
		{1<<31 - 1, MaxTTL, MaxTTL * time.Second},
		{7 * 86400, MaxTTL, MaxTTL * time.Second},
		{MaxTTL, MaxTTL, MaxTTL * time.Second},
		{12 * 3600, 12 * 3600, 12 * time.Hour},
		{300, 300, MinValidity},
	}
	for _, tc := range tests {
		d := mustCheck(t, caaAt(tc.ttl), sslReq("www.example.com"))
		assert.Equal(t, tc.want, d.TTL, "TTL %d", tc.ttl)
		assert.Equal(t, fixedNow.Add(tc.valid), d.ValidUntil, "TTL %d", tc.ttl)
		assert.Equal(t, tc.want, EffectiveTTL(tc.ttl))
	}
}
