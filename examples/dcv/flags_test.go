package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify/verifytest"
)

func TestFlagsFollowArgumentsAndDoubleDashEndsThem(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(ourCAA))
	kf := writeFile(t, "key", testKey)
	u := remote(t, ourCAA)
	// Every flag after the positional arguments.
	o := dcv(t, "caa", "example.com", "www.example.com", "--ca", "ssl.com", "--resolver", res, "--key-file", kf, "--perspective", u, "--json",
		"--min-remotes", "1", "--min-regions", "0")
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(o.stdout), "\n"), 2)
	// After "--", a flag is a positional: "--json" is a (bad) domain, not JSON output.
	o = dcv(t, "caa", "--ca", "ssl.com", "--resolver", res, "--key-file", kf, "--perspective", u, "--", "--json")
	assert.Equal(t, exitFail, o.code, o.stderr)
	assert.NotContains(t, o.stdout, "{")
	// "--" as the value of a flag is a value (here not a CA: usage).
	o = dcv(t, "caa", "--ca", "--", "--resolver", res, "example.com")
	assert.Equal(t, exitUsage, o.code, o.stderr)
	assert.Contains(t, o.stderr, `invalid value "--" for flag --ca`)
	// Repeated flags: the last --key-file wins; --perspective accumulates.
	o = dcv(t, "caa", "--ca", "ssl.com", "--resolver", res, "--key-file", writeFile(t, "k2", "short"), "--key-file", kf,
		"--perspective", u, "--perspective", remote(t, ourCAA), "example.com", "--min-remotes", "2", "--min-regions", "0")
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "2 of 2 remotes corroborate")
	// Empty values.
	for _, args := range [][]string{
		{"caa", "--ca", "ssl.com", "--resolver", res, "--key-file", kf, "--perspective", "", "example.com"},
		{"caa", "--ca", "ssl.com", "--resolver", res, "--key-file", kf, "--perspective", " , ", "example.com"},
		{"caa", "--ca", "ssl.com", "--resolver", res, "--key-file", kf, "--perspective", u, "--min-remotes", "", "example.com"},
		{"caa", "--ca", "", "--resolver", res, "example.com"},
		{"caa", "--ca", "ssl.com", "--resolver", "", "example.com"},
	} {
		o := dcv(t, args...)
		assert.Equal(t, exitUsage, o.code, "%q: %s", args, o.stderr)
	}
	// URLs with user info, query, fragment: bad input, 2.
	for _, p := range []string{"http://user:pw@" + strings.TrimPrefix(u, "http://"), u + "?x=1", u + "#f", u + "?", "RIPE@http://a@" + strings.TrimPrefix(u, "http://")} {
		o := dcv(t, "caa", "--ca", "ssl.com", "--resolver", res, "--key-file", kf, "--perspective", p, "example.com")
		assert.Equal(t, exitFail, o.code, "%s: %s", p, o.stderr)
		assert.Empty(t, o.stdout, p)
	}
}
