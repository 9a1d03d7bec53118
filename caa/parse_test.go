package caa

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseIssueValueValid(t *testing.T) {
	tests := []struct {
		in     string
		issuer string
		params []Param
	}{
		{"ssl.com", "ssl.com", nil},
		{"SSL.Com", "ssl.com", nil},
		{"  ssl.com\t ", "ssl.com", nil},
		{"ssl.com;", "ssl.com", nil},
		{"ssl.com ; ", "ssl.com", nil},
		{";", "", nil},
		{"", "", nil},
		{" ; ", "", nil},
		{"ca1.example.net", "ca1.example.net", nil},
		{"x-1.ca", "x-1.ca", nil},
		{"a--b.example", "a--b.example", nil},
		// RFC 8659 section 4.2 example.
		{"ca1.example.net; account=230123", "ca1.example.net", []Param{{"account", "230123"}}},
		// RFC 8657 examples.
		{"example.net; accounturi=https://example.net/account/1234", "example.net",
			[]Param{{"accounturi", "https://example.net/account/1234"}}},
		{"example.net; validationmethods=dns-01,ca-foo", "example.net",
			[]Param{{"validationmethods", "dns-01,ca-foo"}}},
		{"letsencrypt.org;validationmethods=dns-01;accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1",
			"letsencrypt.org", []Param{{"validationmethods", "dns-01"},
				{"accounturi", "https://acme-v02.api.letsencrypt.org/acme/acct/1"}}},
		{"ssl.com ;  Key = Value ;\tk2=", "ssl.com", []Param{{"key", "Value"}, {"k2", ""}}},
		{"; policy=ev", "", []Param{{"policy", "ev"}}},
		{"ssl.com; k=a=b", "ssl.com", []Param{{"k", "a=b"}}},
		// An unknown parameter may repeat: it binds nothing (issue 9).
		{"ssl.com; a=1; A=2", "ssl.com", []Param{{"a", "1"}, {"a", "2"}}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			v, err := ParseIssueValue(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.issuer, v.Issuer)
			assert.Equal(t, tc.params, v.Params)
		})
	}
}

func TestParseIssueValueMalformed(t *testing.T) {
	for _, in := range []string{
		"ssl.com.",        // trailing dot is not in the grammar
		".ssl.com",        // empty label
		"ssl..com",        // empty label
		"ssl com",         // space inside
		"-ssl.com",        // leading hyphen
		"ssl-.com",        // trailing hyphen
		"ssl_com.example", // underscore
		"ssl.com; key",    // no '='
		"ssl.com; =v",     // empty key
		"ssl.com; -k=v",   // bad key
		"ssl.com; k=v w",  // space in value
		"ssl.com; k=v;",   // empty parameter after ';'
		"ssl.com;; k=v",   // empty parameter
		"ssl.com; k=é",    // non-ASCII value
		"ssl.com; k=\x00", // control character
		"ssl.com; accounturi=https://a/1; AccountURI=https://a/2", // binding parameter given twice
		"ssl.com; validationmethods=dns-01; validationmethods=http-01",
		"sslé.com",       // non-ASCII issuer (must be A-labels)
		"ssl.com\"",      // quote
		"*.ssl.com",      // wildcard
		"ssl.com; k_x=v", // underscore in key
		"ssl.com k=v",    // missing ';'
	} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseIssueValue(in)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrMalformed))
		})
	}
}

func TestIssueValueParamCaseInsensitive(t *testing.T) {
	v, err := ParseIssueValue("ssl.com; AccountURI=https://a/B")
	require.NoError(t, err)
	got, ok := v.Param("ACCOUNTURI")
	assert.True(t, ok)
	assert.Equal(t, "https://a/B", got, "values keep their case")
	_, ok = v.Param("validationmethods")
	assert.False(t, ok)
}

func FuzzParseIssueValue(f *testing.F) {
	for _, s := range []string{
		"ssl.com", "ssl.com;", ";", "", " ", "ca1.example.net; account=230123",
		"example.net; accounturi=https://example.net/account/1234",
		"example.net; validationmethods=dns-01,ca-foo", "ssl.com; a=1; A=2",
		"ssl.com.", "ssl com", "ssl.com; k=v;", "\t;\t", "a;b=c;d=e", "x;=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseIssueValue(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if v.Issuer != "" && (!isDomain(v.Issuer) || v.Issuer != strings.ToLower(v.Issuer)) {
			t.Fatalf("issuer %q not a lower-case domain", v.Issuer)
		}
		// Re-serializing must give the same value back.
		out := v.Issuer
		if len(v.Params) > 0 {
			out += ";"
		}
		seen := map[string]bool{}
		for i, p := range v.Params {
			binding := p.Key == ParamAccountURI || p.Key == ParamValidationMethods
			if seen[p.Key] && binding || p.Key != strings.ToLower(p.Key) || strings.ContainsAny(p.Value, "; \t") {
				t.Fatalf("bad parameter %+v", p)
			}
			seen[p.Key] = true
			if i > 0 {
				out += ";"
			}
			out += p.Key + "=" + p.Value
		}
		again, err := ParseIssueValue(out)
		if err != nil {
			t.Fatalf("re-serialized %q does not parse: %v", out, err)
		}
		if again.Issuer != v.Issuer || len(again.Params) != len(v.Params) {
			t.Fatalf("round trip %q -> %q changed the value", s, out)
		}
	})
}

func TestValidMethodIsAnACMENameOrACALabel(t *testing.T) {
	for _, m := range []string{"dns-01", "http-01", "tls-alpn-01", "dns-account-01", "dns-persist-01", "ca-x", "ca-email-1", "ca-A1"} {
		assert.True(t, ValidMethod(m), m)
	}
	for _, m := range []string{"", "ca-", "ca--", "ca-x-", "-ca-x", "carrier-pigeon", "dns-02", "DNS-01", "ca-ü", "ca-a b", "ca-" + strings.Repeat("x", 61)} {
		assert.False(t, ValidMethod(m), m)
	}
}
