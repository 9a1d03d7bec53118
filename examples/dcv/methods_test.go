package main

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

const (
	methodsKey   = "../../challenge/testdata/ec384.pem"
	methodsToken = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
	methodsAcct  = "https://ca.example/acct/123"
)

// startALPN serves a tls-alpn-01 responder on port 443 of a random
// 127.0.0.x address (the tool dials only 443) and returns that address.
func startALPN(t *testing.T) (string, *verifytest.ALPNResponder) {
	t.Helper()
	var errs []error
	for range 5 {
		ip := fmt.Sprintf("127.0.0.%d", 2+rand.IntN(249))
		r, err := verifytest.NewALPNResponderAt(ip + ":443")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t.Cleanup(r.Close)
		return ip, r
	}
	t.Skipf("cannot listen on a loopback address at port 443 (needs root or CAP_NET_BIND_SERVICE): %v", errors.Join(errs...))
	return "", nil
}

func decodeChallenge(t *testing.T, line string) *challenge.Challenge {
	t.Helper()
	c, err := challenge.Decode([]byte(strings.TrimSpace(line)))
	require.NoError(t, err, line)
	return c
}

func TestChallengeTLSALPN01(t *testing.T) {
	dir := t.TempDir()
	certOut, keyOut := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	o := dcv(t, "challenge", "--method", "tls-alpn-01", "--token", methodsToken, "--account-key", methodsKey,
		"--json", "--cert-out", certOut, "--key-out", keyOut, "www.example.com")
	require.Equal(t, exitOK, o.code, o.stderr)
	c := decodeChallenge(t, o.stdout)
	assert.Equal(t, challenge.TLSALPN01, c.Method)
	assert.Contains(t, o.stdout, `"key_authorization":"`+methodsToken+".")
	assert.NotContains(t, o.stdout, "PRIVATE KEY")
	pair, err := tls.LoadX509KeyPair(certOut, keyOut)
	require.NoError(t, err, "the files are a usable certificate and key")
	assert.NoError(t, verify.CheckTLSALPN01Certificate(pair.Leaf, "www.example.com", c.KeyAuthorization))
	fi, err := os.Stat(keyOut)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// Without files, the text form shows both PEM blocks; --json says where the key went.
	o = dcv(t, "challenge", "--method", "tls-alpn-01", "--token", methodsToken, "--account-key", methodsKey, "www.example.com")
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "BEGIN CERTIFICATE")
	assert.Contains(t, o.stdout, "BEGIN PRIVATE KEY")
	assert.Contains(t, o.stdout, `ALPN "acme-tls/1"`)
	o = dcv(t, "challenge", "--method", "tls-alpn-01", "--token", methodsToken, "--account-key", methodsKey, "--json", "www.example.com")
	require.Equal(t, exitOK, o.code)
	assert.Contains(t, o.stderr, "--key-out")

	for name, args := range map[string][]string{
		"two domains with files": {"--token", methodsToken, "--account-key", methodsKey, "--cert-out", certOut, "a.example.com", "b.example.com"},
		"no token":               {"--account-key", methodsKey, "example.com"},
		"bad token":              {"--token", "x/y", "--account-key", methodsKey, "example.com"},
		"issuer":                 {"--token", methodsToken, "--account-key", methodsKey, "--issuer", "ca.example", "example.com"},
	} {
		o := dcv(t, append([]string{"challenge", "--method", "tls-alpn-01"}, args...)...)
		assert.Equal(t, exitUsage, o.code, "%s: %s", name, o.stderr)
	}
	o = dcv(t, "challenge", "--method", "tls-alpn-01", "--token", methodsToken, "--account-key", methodsKey, "*.example.com")
	assert.Equal(t, exitFail, o.code, "a wildcard is refused by the builder")
	assert.Contains(t, o.stderr, "wildcard")
}

func TestChallengeDNSAccount01(t *testing.T) {
	o := dcv(t, "challenge", "--method", "dns-account-01", "--token", methodsToken, "--account-key", methodsKey,
		"--account-url", "https://example.com/acme/acct/ExampleAccount", "--json", "*.example.org")
	require.Equal(t, exitOK, o.code, o.stderr)
	c := decodeChallenge(t, o.stdout)
	assert.Equal(t, "_ujmmovf2vn55tgye._acme-challenge.example.org.", c.Record.Name, "spec.md's label vector")
	o = dcv(t, "challenge", "--method", "dns-account-01", "--token", methodsToken, "--account-key", methodsKey, "example.org")
	assert.Equal(t, exitUsage, o.code, "no --account-url")
}

func TestChallengeDNSPersist01(t *testing.T) {
	key, err := readAccountKey(&env{}, methodsKey)
	require.NoError(t, err)
	tp, err := challenge.Thumbprint(key)
	require.NoError(t, err)
	hashed, err := challenge.PersistAccountURI("https://ca.example/account-hash/", "example.com", tp, methodsAcct)
	require.NoError(t, err)

	o := dcv(t, "challenge", "--method", "dns-persist-01", "--issuer", "Authority.Example", "--account-url", methodsAcct,
		"--account-key", methodsKey, "--wildcard-policy", "--persist-until", "4102444800", "--json", "example.com")
	require.Equal(t, exitOK, o.code, o.stderr)
	c := decodeChallenge(t, o.stdout)
	assert.Equal(t, "authority.example; accounturi="+hashed+"; policy=wildcard; persistUntil=4102444800", c.Record.Value)

	o = dcv(t, "challenge", "--method", "dns-persist-01", "--issuer", "authority.example", "--account-url", methodsAcct,
		"--plain-accounturi", "--persist-until", "2100-01-01T00:00:00Z", "--json", "example.com")
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Equal(t, "authority.example; accounturi="+methodsAcct+"; persistUntil=4102444800", decodeChallenge(t, o.stdout).Record.Value)

	for name, args := range map[string][]string{
		"no key, hashed":    {"--issuer", "authority.example", "--account-url", methodsAcct},
		"no issuer":         {"--account-url", methodsAcct, "--plain-accounturi"},
		"plain with key":    {"--issuer", "authority.example", "--account-url", methodsAcct, "--plain-accounturi", "--account-key", methodsKey},
		"bad persist-until": {"--issuer", "authority.example", "--account-url", methodsAcct, "--plain-accounturi", "--persist-until", "soon"},
		"token":             {"--issuer", "authority.example", "--account-url", methodsAcct, "--plain-accounturi", "--token", methodsToken},
		"cert-out":          {"--issuer", "authority.example", "--account-url", methodsAcct, "--plain-accounturi", "--cert-out", "x"},
	} {
		o := dcv(t, append([]string{"challenge", "--method", "dns-persist-01"}, append(args, "example.com")...)...)
		assert.Equal(t, exitUsage, o.code, "%s: %s", name, o.stderr)
	}
}

func TestVerifyTLSALPN01Form(t *testing.T) {
	ip, resp := startALPN(t)
	zone := verifytest.NewZone().MustAdd("example.com. 300 IN A " + ip)
	res := startDNS(t, zone)
	const ka = methodsToken + ".NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
	run := func(extra ...string) outcome {
		return dcv(t, append([]string{"verify", "tls-alpn-01", "--domain", "example.com", "--key-authorization", ka,
			"--resolver", res, "--timeout", "10s"}, extra...)...)
	}
	for _, tc := range []struct {
		fault verifytest.ALPNFault
		code  int
		says  string
	}{
		{verifytest.ALPNRight, exitOK, ""},
		{verifytest.ALPNOtherDigest, exitNo, "SHA-256"},
		{verifytest.ALPNNonCritical, exitNo, "critical"},
		{verifytest.ALPNExtraSAN, exitNo, "SAN"},
		{verifytest.ALPNNoALPN, exitNo, "acme-tls/1"},
	} {
		require.NoError(t, resp.Set("example.com", ka, tc.fault))
		o := run("--allow-private")
		assert.Equal(t, tc.code, o.code, "fault %d: %s", tc.fault, o.stderr)
		assert.Contains(t, o.stderr, tc.says)
	}
	require.NoError(t, resp.Set("example.com", ka, verifytest.ALPNRight))
	o := run("--allow-private", "--json")
	require.Equal(t, exitOK, o.code, o.stderr)
	var r verify.Result
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &r))
	assert.Equal(t, challenge.TLSALPN01, r.Method)
	assert.Equal(t, "tls", r.Evidence[len(r.Evidence)-1].Protocol)

	o = run()
	assert.Equal(t, exitFail, o.code, "the address guard refuses loopback: %s", o.stderr)
	o = run("--allow-private", "--json")
	assert.Equal(t, exitOK, o.code)
	o = dcv(t, "verify", "tls-alpn-01", "--domain", "*.example.com", "--key-authorization", ka, "--resolver", res, "--allow-private")
	assert.Equal(t, exitFail, o.code, "a wildcard is could-not-decide: %s", o.stderr)
	zone.MustAdd("down.example.com. 300 IN A 127.0.0.1")
	o = dcv(t, "verify", "tls-alpn-01", "--domain", "down.example.com", "--key-authorization", ka, "--resolver", res, "--allow-private", "--timeout", "5s")
	assert.Equal(t, exitFail, o.code, "nothing on 443 (refused): %s", o.stderr)
	o = dcv(t, "verify", "tls-alpn-01", "--domain", "example.com", "--resolver", res)
	assert.Equal(t, exitUsage, o.code, "no --key-authorization")
	o = dcv(t, "verify", "tls-alpn-01", "--domain", "example.com", "--key-authorization", ka, "--issuer", "x.example")
	assert.Equal(t, exitUsage, o.code, "--issuer is dns-persist's")
}

func TestVerifyDNSPersistForm(t *testing.T) {
	zone := verifytest.NewZone()
	add := func(owner, value string) {
		zone.AddRR(&dns.TXT{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}, Txt: []string{value}})
	}
	add("_validation-persist.example.com.", "authority.example; accounturi="+methodsAcct+"; persistUntil=1767225600")
	add("_validation-persist.example.net.", "authority.example; accounturi="+methodsAcct+"; policy=wildcard")
	res := startDNS(t, zone)
	run := func(args ...string) outcome {
		return dcv(t, append([]string{"verify", "dns-persist", "--resolver", res, "--issuer", "other.example,authority.example",
			"--account-uri", methodsAcct}, args...)...)
	}
	o := run("--domain", "example.com", "--at", "2025-06-15T12:00:00Z")
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "authorized by _validation-persist.example.com")
	assert.Contains(t, o.stdout, "reusable until 2025-06-25T12:00:00Z")
	o = run("--domain", "example.com", "--at", "2026-01-01T00:00:01Z")
	assert.Equal(t, exitNo, o.code, "persistUntil has passed: %s", o.stderr)
	o = run("--domain", "example.com", "--wildcard", "--at", "2025-06-15T12:00:00Z")
	assert.Equal(t, exitNo, o.code, "no policy=wildcard: %s", o.stderr)
	o = run("--domain", "www.example.net", "--json")
	require.Equal(t, exitOK, o.code, o.stderr)
	var r verify.Result
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &r))
	require.NotNil(t, r.Persist)
	assert.Equal(t, "_validation-persist.example.net", r.Persist.Owner)
	o = dcv(t, "verify", "dns-persist", "--resolver", res, "--issuer", "authority.example", "--account-uri", "https://ca.example/acct/9", "--domain", "example.net")
	assert.Equal(t, exitNo, o.code, "another account: %s", o.stderr)

	for name, args := range map[string][]string{
		"no issuer":    {"--domain", "example.com", "--account-uri", methodsAcct},
		"no domain":    {"--issuer", "authority.example", "--account-uri", methodsAcct},
		"relative uri": {"--domain", "example.com", "--issuer", "authority.example", "--account-uri", "acct/1"},
		"bad --at":     {"--domain", "example.com", "--issuer", "authority.example", "--account-uri", methodsAcct, "--at", "1767225600"},
		"--key-authorization": {"--domain", "example.com", "--issuer", "authority.example", "--account-uri", methodsAcct,
			"--key-authorization", "x"},
	} {
		o := dcv(t, append([]string{"verify", "dns-persist", "--resolver", res}, args...)...)
		assert.Equal(t, exitUsage, o.code, "%s: %s", name, o.stderr)
	}
}

// The three methods go from 'dcv challenge --json' to 'dcv verify
// --challenge' as one order.
func TestVerifyChallengeNewMethods(t *testing.T) {
	ip, resp := startALPN(t)
	zone := verifytest.NewZone().MustAdd("example.com. 300 IN A " + ip)
	res := startDNS(t, zone)
	var lines []string
	for _, args := range [][]string{
		{"--method", "tls-alpn-01", "--token", methodsToken, "--account-key", methodsKey, "example.com"},
		{"--method", "dns-account-01", "--token", methodsToken, "--account-key", methodsKey, "--account-url", methodsAcct, "*.example.com"},
		{"--method", "dns-persist-01", "--issuer", "authority.example", "--account-url", methodsAcct, "--account-key", methodsKey, "www.example.com"},
	} {
		o := dcv(t, append([]string{"challenge", "--json"}, args...)...)
		require.Equal(t, exitOK, o.code, o.stderr)
		lines = append(lines, strings.TrimSpace(o.stdout))
	}
	file := writeFile(t, "ch.jsonl", strings.Join(lines, "\n")+"\n")
	verifyAll := func() outcome {
		return dcv(t, "verify", "--challenge", file, "--resolver", res, "--allow-private", "--timeout", "10s")
	}
	o := verifyAll()
	assert.Equal(t, exitNo, o.code, "nothing published: %s", o.stderr)

	for _, l := range lines {
		c := decodeChallenge(t, l)
		if c.TLSALPN != nil {
			require.NoError(t, resp.Set(c.Domain, c.KeyAuthorization, verifytest.ALPNRight))
			continue
		}
		require.NoError(t, verifytest.Publish(zone, nil, c))
	}
	o = verifyAll()
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "tls-alpn-01 example.com")
	assert.Contains(t, o.stdout, "authorized by _validation-persist.www.example.com")
}

// dcv verify dns-persist --perspective sends the persist form to each
// remote, which reads the record through its own DNS.
func TestVerifyDNSPersistCorroborated(t *testing.T) {
	rec := `_validation-persist.example.com. 300 IN TXT "authority.example; accounturi=` + methodsAcct + `"`
	res := startDNS(t, verifytest.NewZone().MustAdd(rec))
	kf := writeFile(t, "key", testKey)
	ok1, ok2 := remote(t, rec), remote(t, rec)
	bad := remote(t, `example.com. 300 IN A 192.0.2.1`)
	run := func(remotes string) outcome {
		return dcv(t, "verify", "dns-persist", "--domain", "example.com", "--issuer", "authority.example",
			"--account-uri", methodsAcct, "--resolver", res, "--key-file", kf, "--perspective", remotes,
			"--min-remotes", "1", "--min-regions", "0")
	}
	o := run(ok1 + "," + ok2)
	assert.Equal(t, exitOK, o.code, "%s\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stdout, "2 of 2 remotes corroborate")
	o = run(bad)
	assert.Equal(t, exitNo, o.code, "%s\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stdout, labelOf(bad)+": not verified")
}
