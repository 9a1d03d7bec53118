package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify/diagnose"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// diagnoseLab serves example.test: a resolver, two authoritative servers
// and a web server on port 80 of a loopback address (nothing on 443). It
// returns the flags that point the tool at it.
func diagnoseLab(t *testing.T) []string {
	t.Helper()
	ip := startHTTP(t, verifytest.NewResponder())
	lines := []string{
		"example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300",
		"example.test. 300 IN NS ns1.example.test.", "ns1.example.test. 300 IN A 127.0.0.2",
		"example.test. 300 IN NS ns2.example.test.", "ns2.example.test. 300 IN A 127.0.0.3",
		"example.test. 300 IN A " + ip, "www.example.test. 300 IN A " + ip,
		"shop.example.test. 300 IN A " + ip,
	}
	z1, z2 := verifytest.NewZone().MustAdd(lines...), verifytest.NewZone().MustAdd(lines...)
	servers, port, err := verifytest.NewDNSServers(z1, z2)
	require.NoError(t, err)
	for _, s := range servers {
		t.Cleanup(func() { s.Close() })
	}
	tld := []string{"test. 300 IN SOA a.nic.test. hostmaster.nic.test. 1 7200 3600 1209600 300", "test. 300 IN NS a.nic.test.", "a.nic.test. 300 IN A 127.0.0.250"}
	return []string{"--resolver", startDNS(t, verifytest.NewZone().MustAdd(append(lines, tld...)...)), "--auth-port", port, "--allow-private", "--dnssec", "off", "--timeout", "10s"}
}

func TestDiagnoseCleanDomainExitsZero(t *testing.T) {
	flags := diagnoseLab(t)
	o := dcv(t, append([]string{"diagnose", "--ca", "letsencrypt", "--method", "acme-http-01", "example.test"}, flags...)...)
	require.Equal(t, exitOK, o.code, "stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stdout, "example.test: 0 errors, 0 warnings")
	assert.Contains(t, o.stdout, "[https_not_served]", "nothing listens on 443: information")
}

// With every method, an error that rules out one method (tls-alpn-01
// needs port 443) is an error (exit 1), and the report names the methods
// still open.
func TestDiagnoseAnyMethodNamesTheUsableOnes(t *testing.T) {
	flags := diagnoseLab(t)
	o := dcv(t, append([]string{"diagnose", "--ca", "letsencrypt", "example.test"}, flags...)...)
	require.Equal(t, exitNo, o.code, "stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stdout, "methods without errors: dns-txt, file, hash-file, hash-cname, acme-http-01, acme-dns-01, dns-account-01, dns-persist-01\n")
	assert.Contains(t, o.stdout, "[port_closed] example.test:443 at ")
	assert.Contains(t, o.stdout, "(tls-alpn-01)")
}

func TestDiagnoseMissingRecordExitsOne(t *testing.T) {
	flags := diagnoseLab(t)
	c, err := challenge.Builder{AllowPrivate: true}.DNSTXT("example.test")
	require.NoError(t, err)
	b, err := json.Marshal(c)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "challenge.json")
	require.NoError(t, os.WriteFile(file, append(b, '\n'), 0o600))

	o := dcv(t, append([]string{"diagnose", "--ca", "letsencrypt", "--challenge", file}, flags...)...)
	require.Equal(t, exitNo, o.code, "stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stdout, "errors (the CA will refuse):\n  [record_missing] _dnsauth.example.test:")
	assert.Contains(t, o.stdout, `host record "_dnsauth"`)
	assert.Contains(t, o.stdout, c.Record.Value)
}

func TestDiagnoseJSONOneReportPerDomain(t *testing.T) {
	flags := diagnoseLab(t)
	o := dcv(t, append([]string{"diagnose", "--json", "--ca", "letsencrypt", "--method", "acme-http-01", "example.test", "shop.example.test"}, flags...)...)
	require.Equal(t, exitOK, o.code, "stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	lines := strings.Split(strings.TrimSpace(o.stdout), "\n")
	require.Len(t, lines, 2)
	for i, want := range []string{"example.test", "shop.example.test"} {
		var rep diagnose.Report
		require.NoError(t, json.Unmarshal([]byte(lines[i]), &rep))
		assert.Equal(t, want, rep.Domain)
		assert.Equal(t, []challenge.Method{challenge.ACMEHTTP01}, rep.Methods)
		assert.True(t, rep.Complete())
	}
}

func TestDiagnoseResolverDownExitsTwo(t *testing.T) {
	start := time.Now()
	o := dcv(t, "diagnose", "--ca", "letsencrypt", "--resolver", "127.0.0.1:1", "--allow-private", "--timeout", "5s", "example.test")
	assert.Equal(t, exitFail, o.code, "stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stderr, "could not complete")
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestDiagnoseUsage(t *testing.T) {
	for _, args := range [][]string{
		{"diagnose", "example.test"},                                         // no --ca
		{"diagnose", "--ca", "letsencrypt"},                                  // no domain
		{"diagnose", "--ca", "letsencrypt", "--method", "email", "a.test"},   // not diagnosable
		{"diagnose", "--ca", "letsencrypt", "--method", "dns-01x", "a.test"}, // unknown
		{"diagnose", "--ca", "letsencrypt", "--method", "file", "--challenge", "x.json"},
		{"diagnose", "--ca", "letsencrypt", "--dnssec", "maybe", "a.test"},
		{"diagnose", "--ca", "letsencrypt", "--account-uri", "acct/1", "a.test"},
		{"diagnose", "--ca", "letsencrypt", "--dnssec", "off", "--trust-anchor", "a.ds", "a.test"},
	} {
		o := dcv(t, args...)
		assert.Equal(t, exitUsage, o.code, "%v: %s", args, o.stderr)
	}
}

func TestDiagnoseTrustAnchor(t *testing.T) {
	flags := slices.DeleteFunc(diagnoseLab(t), func(s string) bool { return s == "--dnssec" || s == "off" })
	anchors := filepath.Join(t.TempDir(), "anchors")
	// The IANA root's KSK-2017: the lab's unsigned root cannot chain to it.
	require.NoError(t, os.WriteFile(anchors, []byte("; root\n. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"), 0o600))
	o := dcv(t, append([]string{"diagnose", "--ca", "letsencrypt", "--method", "dns-txt", "--trust-anchor", anchors, "example.test"}, flags...)...)
	assert.Equal(t, exitNo, o.code, "stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stdout, "[dnssec_")

	bad := filepath.Join(t.TempDir(), "bad")
	require.NoError(t, os.WriteFile(bad, []byte("example.test. IN A 192.0.2.1\n"), 0o600))
	o = dcv(t, append([]string{"diagnose", "--ca", "letsencrypt", "--trust-anchor", bad, "example.test"}, flags...)...)
	assert.Equal(t, exitUsage, o.code, "a malformed flag value is a usage error, as for verify and caa: %s", o.stderr)
	assert.Contains(t, o.stderr, "bad")
}

// A value from another CA's console, given as flags: a record or a file
// the lab does not have is a finding (exit 1); flags that do not fit
// together are usage errors.
func TestDiagnoseGivenValue(t *testing.T) {
	flags := diagnoseLab(t)
	long := strings.Repeat("v", 300)
	o := dcv(t, append([]string{"diagnose", "--ca", "letsencrypt", "--method", "dns-txt", "--name", "_dnsauth.example.test", "--value", long, "example.test"}, flags...)...)
	assert.Equal(t, exitNo, o.code, "stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stdout, "[record_missing] _dnsauth.example.test")

	o = dcv(t, append([]string{"diagnose", "--ca", "letsencrypt", "--method", "file", "--url", "http://example.test/.well-known/pki-validation/ca.txt", "--content", "v", "example.test"}, flags...)...)
	assert.Equal(t, exitNo, o.code, "stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stdout, "[file_not_found] http://example.test at ")

	for _, args := range [][]string{
		{"--name", "_dnsauth.example.test", "example.test"},                                                   // no value
		{"--method", "dns-txt", "--name", "_dnsauth.example.test", "--target", "x.ssl.com", "example.test"},   // target for TXT
		{"--method", "file", "--url", "http://example.test/.well-known/pki-validation/f.txt", "example.test"}, // no content
		{"--method", "dns-txt", "--name", "_dnsauth.example.test", "--value", "v", "a.test", "b.test"},        // two domains
	} {
		o := dcv(t, append([]string{"diagnose", "--ca", "letsencrypt"}, args...)...)
		assert.Equal(t, exitUsage, o.code, "%v: %s", args, o.stderr)
	}
}
