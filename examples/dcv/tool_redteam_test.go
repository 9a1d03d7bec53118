package main

// Red-team tests of the tool: argument handling, exit statuses and JSON
// Lines under corroboration, and a bounded random walk over arguments.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify/verifytest"
)

func TestRedteamDuplicatePerspectives(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	kf := writeFile(t, "key", testKey)
	u := remote(t, realTXT)
	port := u[strings.LastIndex(u, ":")+1:]
	base := []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res, "--key-file", kf}
	// One remote under two spellings must not satisfy --min-remotes 2.
	for _, other := range []string{u + "/v2/check", "HTTP://127.0.0.1:" + port, u + "//", "http://127.0.0.1:" + port + "/x"} {
		o := dcv(t, append(base, "--perspective", u+","+other, "--min-remotes", "2", "--min-regions", "0")...)
		assert.NotEqual(t, exitOK, o.code, "%s: %s", other, o.stdout)
		assert.Equal(t, exitFail, o.code, o.stderr)
		assert.True(t, strings.Contains(o.stderr, "same server") || strings.Contains(o.stderr, "given twice"), o.stderr)
	}
	// Distinct remotes still work.
	o := dcv(t, append(base, "--perspective", u+","+remote(t, realTXT), "--min-remotes", "2", "--min-regions", "0")...)
	assert.Equal(t, exitOK, o.code, o.stderr)
}

func TestRedteamKeyFiles(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	u := remoteZone(t, strings.Repeat("k", 32), verifytest.NewZone().MustAdd(realTXT))
	args := func(kf string) []string {
		return []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res, "--key-file", kf, "--perspective", u,
			"--min-remotes", "1", "--min-regions", "0"}
	}
	for name, content := range map[string]string{
		"empty":       "",
		"whitespace":  " \n\t\r\n  ",
		"31 chars":    strings.Repeat("k", 31),
		"31 + spaces": "   " + strings.Repeat("k", 31) + "   \n",
	} {
		o := dcv(t, args(writeFile(t, "key", content))...)
		assert.Equal(t, exitFail, o.code, name)
		assert.Contains(t, o.stderr, "shorter than 32", name)
		assert.Empty(t, o.stdout, name)
	}
	o := dcv(t, args(writeFile(t, "key", "\n"+strings.Repeat("k", 32)+"\n"))...)
	assert.Equal(t, exitOK, o.code, o.stderr)
	o = dcv(t, args(t.TempDir())...) // a directory
	assert.Equal(t, exitFail, o.code, o.stderr)
	o = dcv(t, args("")...) // --key-file ""
	assert.Contains(t, []int{exitFail, exitUsage}, o.code, o.stderr)
}

func TestRedteamFlagPlacementAndDashes(t *testing.T) {
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
	// "--" as the value of a flag is a value.
	o = dcv(t, "caa", "--ca", "--", "--resolver", res, "example.com")
	assert.Contains(t, []int{exitNo, exitFail}, o.code, o.stderr)
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

func TestRedteamWorstWinsAndJSONLines(t *testing.T) {
	zone := verifytest.NewZone().MustAdd(ourCAA, `forbidden.example. 300 IN CAA 0 issue "letsencrypt.org"`)
	res := startDNS(t, zone)
	kf := writeFile(t, "key", testKey)
	rz := verifytest.NewZone().MustAdd(ourCAA, `forbidden.example. 300 IN CAA 0 issue "letsencrypt.org"`)
	u1, u2 := remoteZone(t, testKey, rz), remoteZone(t, testKey, rz)
	args := func(names ...string) []string {
		return append([]string{"caa", "--json", "--ca", "ssl.com", "--resolver", res, "--key-file", kf, "--perspective", u1 + "," + u2,
			"--min-remotes", "2", "--min-regions", "0"}, names...)
	}
	for names, want := range map[string]int{
		"example.com":                                exitOK,
		"example.com forbidden.example":              exitNo,
		"forbidden.example example.com":              exitNo,
		"example.com bad..name forbidden.example":    exitFail,
		"bad..name example.com":                      exitFail,
		"com":                                        exitFail, // a public suffix: bad input
		"example.com forbidden.example example.com.": exitNo,
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

// TestRedteamRandomArgs runs the tool on bounded random argument lists built
// from tokens that reach only loopback servers: never a panic, only the
// documented statuses, and --json output (when the status is 0 or 1) is
// JSON Lines.
func TestRedteamRandomArgs(t *testing.T) {
	zone := verifytest.NewZone().MustAdd(realTXT, ourCAA)
	res := startDNS(t, zone)
	kf := writeFile(t, "key", testKey)
	short := writeFile(t, "short", "x")
	u := remote(t, realTXT, ourCAA)
	tokens := []string{
		"--json", "--json=false", "--", "-", "-h", "--nope", "", " ", "=", "--=", "-json", "---json",
		"--name", "_dnsauth.example.com", "--value", "good-value", "--target", "x.example.", "--url", "http://127.0.0.1/x",
		"--content", "c", "--content-file", kf, "--challenge", kf, "--code", "1",
		"--ca", "ssl.com", "sectigo", "--wildcard", "--account-uri", "https://a/1", "--method", "dns-01", "ca-x", "ca-",
		"--perspective", u, "ARIN@" + u, u + "/", "http://127.0.0.1:1", "x@y", "--key-file", kf, short,
		"--min-remotes", "--min-regions", "0", "1", "-1", "99999999999999999999", "--perspective-ca", kf,
		"--timeout", "200ms", "--resolver", res, "--domain", "example.com", "*.example.com", "com", "bad..name", "\x00", "é.example",
		"dns-txt", "dns-cname", "file", "--token", "t", "--csr", kf, "--account-key", kf, "--allow-private",
	}
	cmds := []string{"verify", "caa", "hash", "challenge", "nope", "-h"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 400; i++ {
		cmd := cmds[rng.IntN(len(cmds))]
		// The safe flags come first, so no later "--" can turn them into
		// positionals: never the system resolver, never a long wait.
		args := []string{cmd}
		if cmd == "verify" || cmd == "caa" {
			args = append(args, "--resolver", res, "--timeout", "300ms")
		}
		for n := rng.IntN(9); n > 0; n-- {
			args = append(args, tokens[rng.IntN(len(tokens))])
		}
		name := fmt.Sprintf("%q", args)
		var o outcome
		require.NotPanics(t, func() { o = dcv(t, args...) }, name)
		require.Contains(t, []int{exitOK, exitNo, exitFail, exitUsage}, o.code, name)
		if o.code == exitUsage {
			assert.NotEmpty(t, o.stderr, name)
		}
		jsonOn := false
		for _, a := range args {
			if a == "--" {
				break
			}
			jsonOn = jsonOn || a == "--json"
		}
		if jsonOn && o.code <= exitNo && cmd != "-h" && !strings.HasPrefix(o.stdout, "usage:") {
			for _, l := range strings.Split(strings.TrimSuffix(o.stdout, "\n"), "\n") {
				if l == "" {
					continue
				}
				var v any
				assert.NoError(t, json.Unmarshal([]byte(l), &v), "%s: %q", name, l)
			}
		}
	}
}

func TestRedteamVerifyJSONOnBadCheck(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	kf := writeFile(t, "key", testKey)
	u := remote(t, realTXT)
	for _, mp := range [][]string{nil, {"--key-file", kf, "--perspective", u}} {
		o := dcv(t, append([]string{"verify", "dns-txt", "--json", "--name", "bad..name", "--value", "v", "--resolver", res}, mp...)...)
		assert.Equal(t, exitFail, o.code, o.stderr)
		lines := strings.Split(strings.TrimSuffix(o.stdout, "\n"), "\n")
		require.Len(t, lines, 1, "%v: one JSON line for the check: %q", mp, o.stdout)
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &v), lines[0])
		assert.NotEmpty(t, v["error"], lines[0])
	}
}
