package caa

import (
	"context"
	"errors"
	"testing"

	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

func TestRedteamCAAAnswerShapes(t *testing.T) {
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

func TestRedteamCAARecords(t *testing.T) {
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
func TestRedteamCAAWhitespaceValue(t *testing.T) {
	z := verifytest.NewZone()
	z.AddRR(&dns.CAA{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeCAA, Class: dns.ClassINET, Ttl: 60}, Tag: "issue", Value: " \tssl.com \t; "})
	d := mustCheck(t, z, sslReq("example.com"))
	assert.True(t, d.Permitted, d.Rule)
}

// SERVFAIL at the leaf is an error even when an ancestor has records
// that would permit.
func TestRedteamCAALeafFailureAboveRecords(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`example.com. 60 IN CAA 0 issue "ssl.com"`, `www.example.com. 60 IN A 192.0.2.1`)
	z.SetRcode("www.example.com.", dns.TypeCAA, dns.RcodeServerFailure)
	_, err := check(t, z, sslReq("www.example.com"))
	assert.ErrorIs(t, err, ErrLookup)
}
