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
		"bad method label":       {[]string{"--ca", "ssl.com", "--method", "carrier-pigeon", "example.com"}, exitFail},
		"issuer not a domain":    {[]string{"--ca", "not a domain", "example.com"}, exitFail},
		"flags after the domain": {[]string{"www.example.com", "--ca", "letsencrypt.org"}, exitOK},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, append([]string{"caa", "--resolver", res}, tc.args...)...)
			assert.Equal(t, tc.code, o.code, "stdout %s\nstderr %s", o.stdout, o.stderr)
			if tc.code != exitOK {
				assert.Contains(t, o.stderr, "dcv caa: ")
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
	var f caaFailure
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &f))
	assert.Equal(t, "broken.example.com", f.Domain)
	assert.Contains(t, f.Error, "SERVFAIL")
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
