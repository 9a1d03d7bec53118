package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func caaZone(t *testing.T) string {
	t.Helper()
	zone := verifytest.NewZone().MustAdd(
		`example.com. 300 IN CAA 0 issue "letsencrypt.org"`,
		`example.com. 300 IN CAA 0 issuewild "ssl.com"`,
		`example.org. 300 IN CAA 0 issue "comodoca.com"`,
		`example.net. 300 IN CAA 0 issue "ssl.com; validationmethods=dns-01"`,
		`broken.example.com. 300 IN A 192.0.2.1`,
		`info. 300 IN NS a0.info.afilias-nst.info.`, // an existing TLD without CAA records
	)
	zone.SetRcode("broken.example.com.", dns.TypeCAA, dns.RcodeServerFailure)
	return startDNS(t, zone)
}

func TestCAA(t *testing.T) {
	res := caaZone(t)
	for name, tc := range map[string]struct {
		args []string
		code int
	}{
		"permitted":              {[]string{"--ca", "letsencrypt.org", "www.example.com"}, exitOK},
		"forbidden":              {[]string{"--ca", "ssl.com", "www.example.com"}, exitNo},
		"issuewild":              {[]string{"--ca", "ssl.com", "--wildcard", "example.com"}, exitOK},
		"wildcard name":          {[]string{"--ca", "letsencrypt.org", "*.example.com"}, exitNo},
		"brand alias":            {[]string{"--ca", "sectigo", "shop.example.org"}, exitOK},
		"brand in a list":        {[]string{"--ca", "ssl.com,letsencrypt", "example.com"}, exitOK},
		"no records":             {[]string{"--ca", "ssl.com", "example.info"}, exitOK},
		"servfail":               {[]string{"--ca", "letsencrypt.org", "broken.example.com"}, exitFail},
		"method bound":           {[]string{"--ca", "ssl.com", "--method", "dns-01", "example.net"}, exitOK},
		"method excluded":        {[]string{"--ca", "ssl.com", "--method", "http-01", "example.net"}, exitNo},
		"method missing":         {[]string{"--ca", "ssl.com", "example.net"}, exitNo},
		"worst wins":             {[]string{"--ca", "letsencrypt.org", "example.com", "example.org"}, exitNo},
		"undecided is worst":     {[]string{"--ca", "letsencrypt.org", "broken.example.com", "example.org"}, exitFail},
		"public suffix":          {[]string{"--ca", "ssl.com", "co.uk"}, exitFail},
		"flags after the domain": {[]string{"www.example.com", "--ca", "letsencrypt.org"}, exitOK},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, append([]string{"caa", "--resolver", res}, tc.args...)...)
			assert.Equal(t, tc.code, o.code, "stdout %s\nstderr %s", o.stdout, o.stderr)
			if tc.code != exitOK {
				assert.Regexp(t, `^dcv( caa)?: `, o.stderr)
			}
		})
	}
}

func TestCAAOutput(t *testing.T) {
	res := caaZone(t)
	o := dcv(t, "caa", "--ca", "ssl.com", "www.example.com", "--resolver", res)
	require.Equal(t, exitNo, o.code)
	assert.Contains(t, o.stdout, "www.example.com: forbidden for ssl.com")
	assert.Contains(t, o.stdout, `example.com. 300 IN CAA 0 issue "letsencrypt.org"`)
	assert.Contains(t, o.stderr, `hint: add `+"`"+`example.com. CAA 0 issue "ssl.com"`)

	o = dcv(t, "caa", "--json", "--ca", "sectigo", "--resolver", res, "example.org", "broken.example.com")
	require.Equal(t, exitFail, o.code)
	lines := strings.Split(strings.TrimSpace(o.stdout), "\n")
	require.Len(t, lines, 2, "one JSON line per name")
	var d caa.Decision
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &d))
	assert.True(t, d.Permitted)
	assert.Equal(t, "example.org", d.RelevantName)
	assert.Contains(t, d.Issuers, "comodoca.com")
	var f map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &f))
	assert.Equal(t, "broken.example.com", f["domain"])
	assert.Equal(t, "undecided", f["outcome"], "a failed check still has an outcome")
	assert.Contains(t, f["error"], "SERVFAIL")
	require.Len(t, f["evidence"], 1, "and the evidence of the failed lookup")
	ev := f["evidence"].([]any)[0].(map[string]any)
	assert.Equal(t, "SERVFAIL", ev["rcode"])
	assert.Contains(t, ev["query"], "broken.example.com")
}

func TestCAAUsage(t *testing.T) {
	for name, args := range map[string][]string{
		"no ca":     {"caa", "example.com"},
		"no domain": {"caa", "--ca", "ssl.com"},
		"empty ca":  {"caa", "--ca", "", "example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, args...)
			assert.Equal(t, exitUsage, o.code, o.stderr)
			assert.Contains(t, o.stderr, "usage: dcv caa")
		})
	}
}

// Missing and malformed flag values are usage errors: an unknown CA (the
// message lists the brands), a bad RFC 8657 method, a relative account URI.
func TestCAAFlagValuesAreUsageErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		msg  string
	}{
		"issuer not a domain":   {[]string{"--ca", "not a domain", "example.com"}, "letsencrypt, sectigo"},
		"issuer not public":     {[]string{"--ca", "ca.internal", "example.com"}, "letsencrypt, sectigo"},
		"bad method label":      {[]string{"--ca", "ssl.com", "--method", "carrier-pigeon", "example.com"}, "RFC 8657"},
		"relative account uri":  {[]string{"--ca", "ssl.com", "--account-uri", "acct/1", "example.com"}, "absolute URI"},
		"account uri no scheme": {[]string{"--ca", "ssl.com", "--account-uri", "//ca.example.net/acct/1", "example.com"}, "absolute URI"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, append([]string{"caa", "--resolver", "127.0.0.1:1"}, tc.args...)...)
			assert.Equal(t, exitUsage, o.code, o.stderr)
			assert.Contains(t, o.stderr, tc.msg)
			assert.Contains(t, o.stderr, "usage: dcv caa")
		})
	}
}

// Special-use and non-public names are refused before any lookup, unless
// --allow-private.
func TestCAARefusesNonPublicNamesUnlessAllowPrivate(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(`corp.internal. 300 IN CAA 0 issue "ssl.com"`))
	o := dcv(t, "caa", "--ca", "ssl.com", "--resolver", res, "www.corp.internal")
	assert.Equal(t, exitFail, o.code, o.stderr)
	assert.Contains(t, o.stderr, "not in the public DNS")
	assert.Contains(t, o.stderr, "private networks")
	o = dcv(t, "caa", "--ca", "ssl.com", "--resolver", res, "--allow-private", "www.corp.internal")
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "www.corp.internal: permitted for ssl.com")
}

// --json prints one object per name with an outcome, also for a name that
// could not be decided (with the evidence of the failed lookup), and a hint
// for every name that is not permitted.
func TestCAAJSONHasOutcomeForEveryName(t *testing.T) {
	res := caaZone(t)
	o := dcv(t, "caa", "--json", "--ca", "ssl.com", "--resolver", res, "www.example.com", "example.info", "broken.example.com")
	require.Equal(t, exitFail, o.code, o.stderr)
	lines := strings.Split(strings.TrimSpace(o.stdout), "\n")
	require.Len(t, lines, 3)
	for i, want := range []string{"forbidden", "permitted", "undecided"} {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(lines[i]), &m))
		assert.Equal(t, want, m["outcome"], lines[i])
		assert.NotEmpty(t, m["domain"], lines[i])
		// What to do: how to permit the CA, or how to fix the lookup.
		if want == "permitted" {
			assert.Nil(t, m["hint"], lines[i])
		} else {
			assert.NotEmpty(t, m["hint"], lines[i])
		}
	}
}

func TestCAACorroboratedWorstStatusWinsOneJSONLinePerName(t *testing.T) {
	zone := verifytest.NewZone().MustAdd(ourCAA, `forbidden.example.net. 300 IN CAA 0 issue "letsencrypt.org"`)
	res := startDNS(t, zone)
	kf := writeFile(t, "key", testKey)
	rz := verifytest.NewZone().MustAdd(ourCAA, `forbidden.example.net. 300 IN CAA 0 issue "letsencrypt.org"`)
	u1, u2 := remoteZone(t, testKey, rz), remoteZone(t, testKey, rz)
	args := func(names ...string) []string {
		return append([]string{"caa", "--json", "--ca", "ssl.com", "--resolver", res, "--key-file", kf, "--perspective", u1 + "," + u2,
			"--min-remotes", "2", "--min-regions", "0"}, names...)
	}
	for names, want := range map[string]int{
		"example.com":                                    exitOK,
		"example.com forbidden.example.net":              exitNo,
		"forbidden.example.net example.com":              exitNo,
		"example.com bad..name forbidden.example.net":    exitFail,
		"bad..name example.com":                          exitFail,
		"com":                                            exitFail, // a public suffix: bad input
		"example.com forbidden.example.net example.com.": exitNo,
	} {
		list := strings.Fields(names)
		o := dcv(t, args(list...)...)
		assert.Equal(t, want, o.code, "%s: %s", names, o.stderr)
		lines := strings.Split(strings.TrimSuffix(o.stdout, "\n"), "\n")
		assert.Len(t, lines, len(list), "one JSON line per name: %s", names)
		for _, l := range lines {
			var v map[string]any
			assert.NoError(t, json.Unmarshal([]byte(l), &v), "%s: line %q", names, l)
		}
	}
}
