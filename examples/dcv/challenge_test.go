package main

import (
	"strings"
	"testing"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ACME vector of challenge/testdata/vectors.txt for the EC P-256 key.
const (
	acmeToken      = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
	acmeThumbprint = "CHAFrNzvtQVWRk4SfhznLw8mHoZmVpFB-7M7GHw12rU"
	acmeDNS01Value = "jWHGZW2z_50MmoFZdh2knHQwARLyMh1xAHWzHE8K8x4"
	acmeKey        = "testdata/account-ec256.pem"
	sanCSR         = "testdata/rsa-san.csr" // www.example.com, example.com, *.example.com, ...
)

// decodeLines decodes JSON Lines of challenges with challenge.Decode.
func decodeLines(t *testing.T, s string) []*challenge.Challenge {
	t.Helper()
	var out []*challenge.Challenge
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		c, err := challenge.Decode([]byte(line))
		require.NoError(t, err, line)
		out = append(out, c)
	}
	return out
}

func TestChallengeEveryMethodJSON(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		domains []string
	}{
		{[]string{"--method", "dns-txt", "example.com", "www.example.co.uk", "*.example.org"}, []string{"example.com", "www.example.co.uk", "*.example.org"}},
		{[]string{"--method", "file", "example.com", "shop.example.com"}, []string{"example.com", "shop.example.com"}},
		{[]string{"--method", "email", "example.com", "mail.example.com"}, []string{"example.com", "mail.example.com"}},
		{[]string{"--method", "hash-file", "--csr", sanCSR, "www.example.com", "example.com"}, []string{"www.example.com", "example.com"}},
		{[]string{"--method", "hash-cname", "--csr", sanCSR, "--ca", "sectigo", "--token", "abc123", "*.example.com", "example.org"}, []string{"*.example.com", "example.org"}},
		{[]string{"--method", "acme-http-01", "--token", acmeToken, "--account-key", acmeKey, "example.com", "www.example.com"}, []string{"example.com", "www.example.com"}},
		{[]string{"--method", "acme-dns-01", "--token", acmeToken, "--account-key", acmeKey, "*.example.com", "example.net"}, []string{"*.example.com", "example.net"}},
	} {
		t.Run(tc.args[1], func(t *testing.T) {
			o := dcv(t, append([]string{"challenge", "--json"}, tc.args...)...)
			require.Equal(t, exitOK, o.code, o.stderr)
			cs := decodeLines(t, o.stdout)
			require.Len(t, cs, len(tc.domains))
			for i, c := range cs {
				assert.Equal(t, challenge.Method(tc.args[1]), c.Method)
				assert.Equal(t, tc.domains[i], c.Domain)
			}
		})
	}
}

func TestChallengeACMEVector(t *testing.T) {
	o := dcv(t, "challenge", "--json", "--method", "acme-dns-01", "--token", acmeToken, "--account-key", acmeKey, "example.com")
	require.Equal(t, exitOK, o.code, o.stderr)
	c := decodeLines(t, o.stdout)[0]
	assert.Equal(t, acmeToken+"."+acmeThumbprint, c.KeyAuthorization)
	assert.Equal(t, "_acme-challenge.example.com.", c.Record.Name)
	assert.Equal(t, acmeDNS01Value, c.Record.Value)

	o = dcv(t, "challenge", "--method", "acme-http-01", "--token", acmeToken, "--account-key", acmeKey, "example.com")
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "http://example.com/.well-known/acme-challenge/"+acmeToken)
	assert.Contains(t, o.stdout, "    "+acmeToken+"."+acmeThumbprint+"\n")
}

func TestChallengeHashUsesCSR(t *testing.T) {
	o := dcv(t, "challenge", "--method", "hash-cname", "--csr", vectorCSR, "--json")
	require.Equal(t, exitOK, o.code, o.stderr)
	cs := decodeLines(t, o.stdout)
	require.Len(t, cs, 1, "every domain of the CSR when none is named")
	assert.Equal(t, "_"+vectorMD5+".hildegardconsort.org.", cs[0].Record.Name)
	assert.Equal(t, vectorSHA256[:32]+"."+vectorSHA256[32:]+".ssl.com.", cs[0].Record.Value)

	o = dcv(t, "challenge", "hildegardconsort.org", "--method", "hash-file", "--csr", vectorCSR, "--token", "10TmfZdb9tj")
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "http://hildegardconsort.org/.well-known/pki-validation/"+vectorMD5+".txt")
	assert.Contains(t, o.stdout, "    "+vectorSHA256+"\n    ssl.com\n    10TmfZdb9tj\n")
}

func TestChallengeHumanDNS(t *testing.T) {
	o := dcv(t, "challenge", "www.example.co.uk", "--method", "dns-txt")
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "zone example.co.uk")
	assert.Contains(t, o.stdout, "Record type:   TXT\n")
	assert.Contains(t, o.stdout, "Host record:   _dnsauth.www\n")
	assert.Contains(t, o.stdout, "Zone file:     _dnsauth.www.example.co.uk. IN TXT \"")
}

func TestChallengeBadInput(t *testing.T) {
	for name, args := range map[string][]string{
		"public suffix":      {"--method", "dns-txt", "co.uk"},
		"one bad of two":     {"--method", "dns-txt", "example.com", "bad..name"},
		"ip address":         {"--method", "file", "192.0.2.1"},
		"wildcard file":      {"--method", "file", "*.example.com"},
		"wildcard hash-file": {"--method", "hash-file", "--csr", sanCSR, "*.example.com"},
		"wildcard in CSR":    {"--method", "hash-file", "--csr", sanCSR},
		"wildcard http-01":   {"--method", "acme-http-01", "--token", acmeToken, "--account-key", acmeKey, "*.example.com"},
		"garbage csr":        {"--method", "hash-cname", "--csr", "challenge_test.go", "example.com"},
		"certificate as csr": {"--method", "hash-cname", "--csr", "testdata/refuse-cert.pem", "example.com"},
		"domain not in csr":  {"--method", "hash-cname", "--csr", vectorCSR, "example.com"},
		"key is a csr":       {"--method", "acme-dns-01", "--token", acmeToken, "--account-key", vectorCSR, "example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, append([]string{"challenge"}, args...)...)
			assert.Equal(t, exitFail, o.code, o.stderr)
			assert.Empty(t, o.stdout, "nothing printed when any domain fails")
			assert.True(t, strings.HasPrefix(o.stderr, "dcv: "), o.stderr)
		})
	}
}

// Missing and malformed flag values are usage errors (64), whatever the
// method: the token as the method reads it, the lifetime beyond the cap.
func TestChallengeFlagValuesAreUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"missing csr":          {"--method", "hash-cname", "example.com"},
		"bad hash token":       {"--method", "hash-cname", "--csr", vectorCSR, "--token", "a.b", "hildegardconsort.org"},
		"missing acme token":   {"--method", "acme-dns-01", "--account-key", acmeKey, "example.com"},
		"missing account key":  {"--method", "acme-dns-01", "--token", acmeToken, "example.com"},
		"short acme token":     {"--method", "acme-dns-01", "--token", "abc", "--account-key", acmeKey, "example.com"},
		"unknown brand":        {"--method", "hash-cname", "--csr", vectorCSR, "--ca", "nobody", "hildegardconsort.org"},
		"method without value": {"example.com", "--method"},
		"unknown method":       {"--method", "carrier-pigeon", "example.com"},
		"bad duration":         {"--method", "dns-txt", "--lifetime", "soon", "example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, append([]string{"challenge"}, args...)...)
			assert.Equal(t, exitUsage, o.code, o.stderr)
			assert.Empty(t, o.stdout)
			assert.Contains(t, o.stderr, "usage: dcv challenge")
		})
	}
}

// Random values live at most 30 days for every method, DNS ones too (BR
// 4.2.1); a longer --lifetime is refused with the cap in the message.
func TestChallengeLifetimeCappedAt30Days(t *testing.T) {
	for _, m := range []string{"dns-txt", "file", "email"} {
		o := dcv(t, "challenge", "--method", m, "--lifetime", "721h", "example.com")
		assert.Equal(t, exitUsage, o.code, o.stderr)
		assert.Contains(t, o.stderr, "at most 720h0m0s (30 days, BR 4.2.1)", m)
		o = dcv(t, "challenge", "--json", "--method", m, "--lifetime", "720h", "example.com")
		require.Equal(t, exitOK, o.code, o.stderr)
		c := decodeLines(t, o.stdout)[0]
		assert.Equal(t, 720*time.Hour, c.ExpiresAt.Sub(c.IssuedAt), m)
	}
}

// Special-use and non-public names are refused with the reason, unless
// --allow-private.
func TestChallengeRefusesNonPublicNamesUnlessAllowPrivate(t *testing.T) {
	for name, reason := range map[string]string{
		"shop.onion":    "onion",
		"db.internal":   "internal",
		"printer.local": "multicast DNS",
		"app.localhost": "loopback",
		"a.test":        "testing",
		"www.example":   "documentation",
		"x.invalid":     "never valid",
		"intranet.corp": "not an ICANN top-level domain",
	} {
		o := dcv(t, "challenge", "--method", "dns-txt", name)
		assert.Equal(t, exitFail, o.code, name)
		assert.Contains(t, o.stderr, reason, name)
		assert.Empty(t, o.stdout, name)
		o = dcv(t, "challenge", "--method", "dns-txt", "--allow-private", name)
		assert.Equal(t, exitOK, o.code, "%s: %s", name, o.stderr)
	}
}
