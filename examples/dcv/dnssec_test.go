package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signedResolver serves a signed lab hierarchy and returns the resolver
// address and a --trust-anchor file for its root.
func signedResolver(t *testing.T) (string, string) {
	t.Helper()
	z := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN TXT "v"`,
		`_dnsauth.expired.example.com. 300 IN TXT "v"`,
		`example.com. 300 IN CAA 0 issue "ssl.com"`,
		`bad.example.com. 300 IN CAA 0 issue "ssl.com"`,
	)
	anchors, err := z.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}, "com.": {}, "example.com.": {}}})
	require.NoError(t, err)
	z.BreakSignature("_dnsauth.expired.example.com.", dns.TypeTXT, verifytest.ExpiredSignature)
	z.BreakSignature("bad.example.com.", dns.TypeCAA, verifytest.TamperedRecord)
	var b strings.Builder
	b.WriteString("; the lab's root\n")
	for _, a := range anchors {
		b.WriteString(a.String() + "\n")
	}
	return startDNS(t, z), writeFile(t, "anchors", b.String())
}

func TestVerifyDNSSECFlags(t *testing.T) {
	res, anchors := signedResolver(t)
	base := []string{"verify", "dns-txt", "--resolver", res, "--value", "v"}

	o := dcv(t, append(base, "--name", "_dnsauth.example.com", "--trust-anchor", anchors, "--json")...)
	require.Equal(t, exitOK, o.code, o.stderr)
	var r map[string]any
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &r))
	assert.Equal(t, "secure", r["dnssec"])

	o = dcv(t, append(base, "--name", "_dnsauth.expired.example.com", "--trust-anchor", anchors)...)
	assert.Equal(t, exitFail, o.code, o.stdout)
	assert.Contains(t, o.stdout, "  DNSSEC: bogus\n")
	assert.Contains(t, o.stderr, "expired at", "the broken link is named")

	o = dcv(t, append(base, "--name", "_dnsauth.expired.example.com", "--trust-anchor", anchors, "--dnssec", "off")...)
	assert.Equal(t, exitOK, o.code, o.stderr)

	// Validated against the IANA root by default: the lab's root does not
	// chain to it, so nothing is decided.
	o = dcv(t, append(base, "--name", "_dnsauth.example.com", "--dnssec", "validate", "--timeout", "5s")...)
	assert.Equal(t, exitFail, o.code, o.stdout)

	for _, bad := range [][]string{
		{"--dnssec", "maybe"},
		{"--trust-anchor", writeFile(t, "junk", "example.com. IN A 192.0.2.1\n")},
		{"--trust-anchor", "/nonexistent/anchors"},
	} {
		o = dcv(t, append(append(base, "--name", "_dnsauth.example.com"), bad...)...)
		assert.Equal(t, exitUsage, o.code, "%v: %s", bad, o.stderr)
	}
}

func TestCAADNSSECFlags(t *testing.T) {
	res, anchors := signedResolver(t)
	o := dcv(t, "caa", "--resolver", res, "--trust-anchor", anchors, "--ca", "ssl.com", "--json", "www.example.com")
	require.Equal(t, exitOK, o.code, o.stderr)
	var d map[string]any
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &d))
	assert.Equal(t, "secure", d["dnssec"])

	o = dcv(t, "caa", "--resolver", res, "--trust-anchor", anchors, "--ca", "ssl.com", "www.example.com")
	assert.Contains(t, o.stdout, "  DNSSEC: secure\n")

	o = dcv(t, "caa", "--resolver", res, "--trust-anchor", anchors, "--ca", "ssl.com", "bad.example.com")
	assert.Equal(t, exitFail, o.code, o.stdout)
	assert.Contains(t, o.stderr, "DNSSEC bogus")
}
