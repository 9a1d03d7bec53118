package caa

import (
	"fmt"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// records parses CAA lines at example.com: `0 issue "ssl.com"`.
func records(t testing.TB, lines ...string) []*dns.CAA {
	t.Helper()
	var out []*dns.CAA
	for _, l := range lines {
		rr, err := dns.NewRR("example.com. 300 IN CAA " + l)
		require.NoError(t, err, l)
		out = append(out, rr.(*dns.CAA))
	}
	return out
}

func TestEvaluateRules(t *testing.T) {
	ssl := Request{Domain: "www.example.com", Issuers: []string{"ssl.com"}}
	wild := Request{Domain: "*.example.com", Issuers: []string{"ssl.com"}}
	acct := "https://acme.ssl.com/acct/42"
	tests := []struct {
		name    string
		req     Request
		rrs     []string
		permit  bool
		rule    string
		hintHas string
	}{
		{"empty set", ssl, nil, true, "no CAA records: unrestricted", ""},
		{"issue permits", ssl, []string{`0 issue "ssl.com"`}, true, `issue "ssl.com" permits`, ""},
		{"issue other CA", ssl, []string{`0 issue "letsencrypt.org"`, `0 issue "pki.goog"`}, false,
			`issue names only "letsencrypt.org", "pki.goog"`, "example.com. CAA 0 issue \"ssl.com\""},
		{"empty issuer", ssl, []string{`0 issue ";"`}, false, `issue ";" authorizes no one`, `issue "ssl.com"`},
		{"empty issuer beside a permit", ssl, []string{`0 issue ";"`, `0 issue "ssl.com"`}, true, `issue "ssl.com" permits`, ""},
		{"critical unknown forbids even with permit", ssl, []string{`0 issue "ssl.com"`, `128 tbs "Unknown"`}, false,
			`critical unknown tag "tbs" forbids`, "critical flag"},
		{"critical bit with other bits", ssl, []string{`0 issue "ssl.com"`, `129 future "x"`}, false,
			`critical unknown tag "future" forbids`, ""},
		{"non-critical unknown ignored", ssl, []string{`0 issue "ssl.com"`, `1 tbs "Unknown"`}, true, `issue "ssl.com" permits`, ""},
		{"non-critical unknown only", ssl, []string{`0 tbs "Unknown"`}, true, "no issue property: unrestricted", ""},
		{"critical known tag is fine", ssl, []string{`128 issue "ssl.com"`}, true, `issue "ssl.com" permits`, ""},
		{"iodef only", ssl, []string{`0 iodef "mailto:sec@example.com"`}, true, "no issue property: unrestricted", ""},
		{"critical iodef is known", ssl, []string{`128 iodef "mailto:sec@example.com"`}, true, "no issue property: unrestricted", ""},
		{"issuemail never restricts", ssl, []string{`0 issuemail "letsencrypt.org"`}, true, "no issue property: unrestricted", ""},
		{"issuemail never permits", ssl, []string{`0 issuemail "ssl.com"`, `0 issue "letsencrypt.org"`}, false,
			`issue names only "letsencrypt.org"`, ""},
		{"repeated unknown parameter permits", ssl, []string{`0 issue "ssl.com; policy=ev; policy=dv"`}, true,
			`issue "ssl.com; policy=ev; policy=dv" permits`, ""},
		{"repeated accounturi is malformed", ssl, []string{`0 issue "ssl.com; accounturi=https://a/1; accounturi=https://a/1"`}, false,
			`issue names only malformed "ssl.com; accounturi=https://a/1; accounturi=https://a/1"`, ""},
		{"issuevmc never restricts", ssl, []string{`0 issuevmc "letsencrypt.org"`}, true, "no issue property: unrestricted", ""},
		{"critical issuevmc is known", ssl, []string{`0 issue "ssl.com"`, `128 issuevmc "letsencrypt.org"`}, true, `issue "ssl.com" permits`, ""},
		{"issuevmc never permits", ssl, []string{`0 issuevmc "ssl.com"`, `0 issue "letsencrypt.org"`}, false,
			`issue names only "letsencrypt.org"`, ""},
		{"tag case", ssl, []string{`0 ISSUE "letsencrypt.org"`}, false, `issue names only "letsencrypt.org"`, ""},
		{"tag case permits", ssl, []string{`0 IsSuE "SSL.COM"`}, true, `issue "SSL.COM" permits`, ""},
		{"critical unknown tag case", ssl, []string{`128 TBS "x"`}, false, `critical unknown tag "TBS" forbids`, ""},
		{"whitespace", ssl, []string{`0 issue "  ssl.com ;  "`}, true, `issue "  ssl.com ;  " permits`, ""},
		{"malformed only", ssl, []string{`0 issue "ssl.com; bad"`}, false, `issue names only malformed "ssl.com; bad"`, ""},
		{"malformed beside a permit", ssl, []string{`0 issue "ssl.com; bad"`, `0 issue "ssl.com"`}, true, `issue "ssl.com" permits`, ""},
		{"unknown parameter ignored", ssl, []string{`0 issue "ssl.com; policy=ev"`}, true, `issue "ssl.com; policy=ev" permits`, ""},

		// issue vs issuewild, all four combinations.
		{"non-wildcard, issuewild present: ignored", ssl, []string{`0 issue "letsencrypt.org"`, `0 issuewild "ssl.com"`}, false,
			`issue names only "letsencrypt.org"`, ""},
		{"non-wildcard, issuewild present, issue permits", ssl, []string{`0 issue "ssl.com"`, `0 issuewild ";"`}, true, `issue "ssl.com" permits`, ""},
		{"non-wildcard, only issuewild: unrestricted", ssl, []string{`0 issuewild ";"`}, true, "no issue property: unrestricted", ""},
		{"non-wildcard, issuewild absent", ssl, []string{`0 issue "ssl.com"`}, true, `issue "ssl.com" permits`, ""},
		{"wildcard, issuewild present forbids", wild, []string{`0 issue "ssl.com"`, `0 issuewild "letsencrypt.org"`}, false,
			`issuewild present: governs wildcard; issuewild names only "letsencrypt.org"`, `example.com. CAA 0 issuewild "ssl.com"`},
		{"wildcard, issuewild present permits", wild, []string{`0 issue ";"`, `0 issuewild "ssl.com"`}, true, `issuewild "ssl.com" permits`, ""},
		{"wildcard, issuewild absent, issue permits", wild, []string{`0 issue "ssl.com"`}, true, `issue "ssl.com" permits`, ""},
		{"wildcard, issuewild absent, issue forbids", wild, []string{`0 issue "letsencrypt.org"`}, false, `issue names only "letsencrypt.org"`, ""},
		{"wildcard, neither", wild, []string{`0 iodef "mailto:a@example.com"`}, true, "no issue or issuewild property: unrestricted", ""},
		{"wildcard flag on request", Request{Domain: "example.com", Wildcard: true, Issuers: []string{"ssl.com"}},
			[]string{`0 issue "ssl.com"`, `0 issuewild ";"`}, false, `issuewild present: governs wildcard; issuewild ";" authorizes no one`, ""},

		// RFC 8657 accounturi.
		{"accounturi match", Request{Domain: "example.com", Issuers: []string{"ssl.com"}, AccountURI: acct},
			[]string{`0 issue "ssl.com; accounturi=` + acct + `"`}, true, `issue "ssl.com; accounturi=` + acct + `" permits`, ""},
		{"accounturi mismatch", Request{Domain: "example.com", Issuers: []string{"ssl.com"}, AccountURI: acct + "3"},
			[]string{`0 issue "ssl.com; accounturi=` + acct + `"`}, false, "accounturi mismatch", "accounturi=" + acct + "3"},
		{"accounturi is exact", Request{Domain: "example.com", Issuers: []string{"ssl.com"}, AccountURI: "HTTPS://acme.ssl.com/acct/42"},
			[]string{`0 issue "ssl.com; accounturi=` + acct + `"`}, false, "accounturi mismatch", ""},
		{"accounturi missing from request", ssl, []string{`0 issue "ssl.com; accounturi=` + acct + `"`}, false,
			"accounturi required: the request names no account", ""},
		{"accounturi on one record, another unbound", ssl, []string{`0 issue "ssl.com; accounturi=` + acct + `"`, `0 issue "ssl.com"`}, true,
			`issue "ssl.com" permits`, ""},

		// RFC 8657 validationmethods.
		{"method listed", Request{Domain: "example.com", Issuers: []string{"ssl.com"}, Method: "dns-01"},
			[]string{`0 issue "ssl.com; validationmethods=http-01,dns-01"`}, true, `issue "ssl.com; validationmethods=http-01,dns-01" permits`, ""},
		{"method not listed", Request{Domain: "example.com", Issuers: []string{"ssl.com"}, Method: "http-01"},
			[]string{`0 issue "ssl.com; validationmethods=dns-01,ca-email"`}, false, `validationmethods excludes "http-01"`, ""},
		{"method missing from request", ssl, []string{`0 issue "ssl.com; validationmethods=dns-01"`}, false,
			"validationmethods required: the request names no method", ""},
		{"both parameters", Request{Domain: "example.com", Issuers: []string{"ssl.com"}, AccountURI: acct, Method: "dns-01"},
			[]string{`0 issue "ssl.com; accounturi=` + acct + `; validationmethods=dns-01"`}, true, "", ""},
		{"both parameters, wrong method", Request{Domain: "example.com", Issuers: []string{"ssl.com"}, AccountURI: acct, Method: "http-01"},
			[]string{`0 issue "ssl.com; accounturi=` + acct + `; validationmethods=dns-01"`}, false, `validationmethods excludes "http-01"`, ""},

		// Several issuer names for one CA, and brands.
		{"several issuers", Request{Domain: "example.com", Issuers: []string{"sectigo.com", "comodoca.com"}},
			[]string{`0 issue "comodoca.com"`}, true, `issue "comodoca.com" permits`, ""},
		{"brand", Request{Domain: "example.com", Issuers: []string{"Sectigo"}},
			[]string{`0 issue "trust-provider.com"`}, true, `issue "trust-provider.com" permits`, ""},
		{"brand, hint names first domain", Request{Domain: "example.com", Issuers: []string{"sectigo"}},
			[]string{`0 issue "letsencrypt.org"`}, false, `issue names only "letsencrypt.org"`, `example.com. CAA 0 issue "sectigo.com"`},
		{"issuer name with trailing dot in request", Request{Domain: "example.com", Issuers: []string{"SSL.com."}},
			[]string{`0 issue "ssl.com"`}, true, `issue "ssl.com" permits`, ""},
		{"no issuers given", Request{Domain: "example.com"}, []string{`0 issue "ssl.com"`}, false, `issue names only "ssl.com"`, "issuer domain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := Evaluate(tc.req, records(t, tc.rrs...))
			assert.Equal(t, tc.permit, v.Permitted, v.Rule)
			if tc.rule != "" {
				assert.Equal(t, tc.rule, v.Rule)
			}
			if tc.permit {
				assert.Empty(t, v.Hint)
			} else {
				assert.NotEmpty(t, v.Hint)
				assert.Contains(t, v.Hint, tc.hintHas)
			}
		})
	}
}

func TestEvaluateNilRecord(t *testing.T) {
	v := Evaluate(Request{Domain: "example.com", Issuers: []string{"ssl.com"}}, []*dns.CAA{nil})
	assert.True(t, v.Permitted)
}

// FuzzEvaluate checks the safety invariants of the rule engine on any
// record: a critical unknown tag always forbids, and a permit always comes
// from an issue/issuewild record naming the CA.
func FuzzEvaluate(f *testing.F) {
	f.Add(uint8(0), "issue", "ssl.com", false, "", "")
	f.Add(uint8(128), "tbs", "x", false, "", "")
	f.Add(uint8(0), "issuewild", "ssl.com; validationmethods=dns-01", true, "", "dns-01")
	f.Add(uint8(0), "ISSUE", "ssl.com; accounturi=https://a/1", false, "https://a/1", "")
	f.Add(uint8(0), "issue", ";", true, "", "")
	f.Fuzz(func(t *testing.T, flag uint8, tag, value string, wild bool, account, method string) {
		req := Request{Domain: "example.com", Issuers: []string{"ssl.com"}, Wildcard: wild, AccountURI: account, Method: method}
		rr := &dns.CAA{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeCAA, Class: dns.ClassINET}, Flag: flag, Tag: tag, Value: value}
		other := &dns.CAA{Hdr: rr.Hdr, Tag: "issue", Value: "letsencrypt.org"}
		v := Evaluate(req, []*dns.CAA{rr, other})
		if !known(lower(tag)) && flag&FlagCritical != 0 && v.Permitted {
			t.Fatalf("critical unknown tag %q permitted", tag)
		}
		if v.Permitted {
			iv, err := ParseIssueValue(value)
			if err != nil || iv.Issuer != "ssl.com" {
				t.Fatalf("permitted by %v %q (%v): %s", fmt.Sprint(flag), value, err, v.Rule)
			}
		}
		if v.Rule == "" {
			t.Fatal("no rule")
		}
	})
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// The labels of the newer methods (RFC 8737's tls-alpn-01; dns-account-01
// and dns-persist-01 from their drafts) work in validationmethods like the
// RFC 8555 ones, exactly and only as listed.
func TestEvaluateNewMethodLabels(t *testing.T) {
	rec := `0 issue "ssl.com; validationmethods=tls-alpn-01,dns-account-01,dns-persist-01"`
	for _, m := range []string{"tls-alpn-01", "dns-account-01", "dns-persist-01"} {
		v := Evaluate(Request{Domain: "example.com", Issuers: []string{"ssl.com"}, Method: m}, records(t, rec))
		assert.True(t, v.Permitted, m+": "+v.Rule)
	}
	for _, m := range []string{"dns-01", "http-01", "dns-account", "dns-persist-01x", "TLS-ALPN-01"} {
		v := Evaluate(Request{Domain: "example.com", Issuers: []string{"ssl.com"}, Method: m}, records(t, rec))
		assert.False(t, v.Permitted, m)
		assert.Equal(t, fmt.Sprintf("validationmethods excludes %q", m), v.Rule)
	}
	v := Evaluate(Request{Domain: "example.com", Issuers: []string{"ssl.com"}, Method: "dns-persist-01"},
		records(t, `0 issue "ssl.com; validationmethods=dns-01, dns-persist-01"`))
	assert.False(t, v.Permitted, "a space inside the value breaks the RFC 8659 grammar: "+v.Rule)
}
