package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	vectorCSR    = "testdata/sample-616.csr"
	vectorMD5    = "4547FDDC7118AC1B676C964534F2DB10"
	vectorSHA256 = "0ba404b6326c6790c9abe76fa303b17ba25b90b732507810df280549d1c5d5b0"
)

func TestHashVector(t *testing.T) {
	o := dcv(t, "hash", vectorCSR)
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "MD5:      "+vectorMD5)
	assert.Contains(t, o.stdout, "SHA-256:  "+vectorSHA256)
	assert.Contains(t, o.stdout, "hildegardconsort.org")
	assert.NotContains(t, o.stdout, "CNAME", "no artefacts without --domain")
}

func TestHashJSONKeys(t *testing.T) {
	o := dcv(t, "hash", "--json", vectorCSR, "--domain", "hildegardconsort.org", "--token", "10TmfZdb9tj")
	require.Equal(t, exitOK, o.code, o.stderr)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &m))
	assert.Equal(t, map[string]any{
		"md5":          vectorMD5,
		"sha256":       vectorSHA256,
		"file_path":    "/.well-known/pki-validation/" + vectorMD5 + ".txt",
		"file_content": vectorSHA256 + "\nssl.com\n10TmfZdb9tj",
		"cname_name":   "_" + vectorMD5 + ".hildegardconsort.org.",
		"cname_target": vectorSHA256[:32] + "." + vectorSHA256[32:] + ".10TmfZdb9tj.ssl.com.",
		"domains":      []any{"hildegardconsort.org"},
		"skipped":      []any{},
	}, m)
	assert.Empty(t, o.stderr)

	// Without --domain: hashes and domains only.
	o = dcv(t, "hash", vectorCSR, "--json")
	require.Equal(t, exitOK, o.code, o.stderr)
	m = nil
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &m))
	assert.Equal(t, vectorMD5, m["md5"])
	assert.NotContains(t, m, "cname_name")
}

func TestHashStdinAndCA(t *testing.T) {
	pem, err := os.ReadFile(vectorCSR)
	require.NoError(t, err)
	o := dcvIn(t, string(pem), "hash", "-", "--ca", "sectigo", "--domain", "Hildegardconsort.ORG.")
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "CSR:      standard input")
	assert.Contains(t, o.stdout, "http://hildegardconsort.org/.well-known/pki-validation/"+vectorMD5+".txt")
	assert.Contains(t, o.stdout, "    sectigo.com\n")
	assert.Contains(t, o.stdout, "_"+vectorMD5+".hildegardconsort.org. IN CNAME "+vectorSHA256[:32]+"."+vectorSHA256[32:]+".sectigo.com.")
}

func TestHashWildcardDomain(t *testing.T) {
	o := dcv(t, "hash", "--json", "--domain", "*.hildegardconsort.org", vectorCSR)
	require.Equal(t, exitOK, o.code, o.stderr)
	var h hashOutput
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &h))
	assert.Equal(t, "_"+vectorMD5+".hildegardconsort.org.", h.CNAMEName)
	assert.Empty(t, h.FilePath, "no hash-based file for a wildcard")
	assert.Contains(t, o.stderr, "cannot validate *.hildegardconsort.org")
}

func TestHashBadInput(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.csr")
	require.NoError(t, os.WriteFile(garbage, []byte("not a CSR at all"), 0o600))
	empty := filepath.Join(dir, "empty.csr")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	for name, args := range map[string][]string{
		"garbage":       {"hash", garbage},
		"empty":         {"hash", empty},
		"certificate":   {"hash", "testdata/refuse-cert.pem"},
		"missing file":  {"hash", filepath.Join(dir, "nope.csr")},
		"public suffix": {"hash", vectorCSR, "--domain", "co.uk"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, args...)
			assert.Equal(t, exitFail, o.code)
			assert.Empty(t, o.stdout)
			assert.True(t, strings.HasPrefix(o.stderr, "dcv: "), o.stderr)
		})
	}
}

func TestDoubleDashEndsFlags(t *testing.T) {
	o := dcv(t, "hash", "--json", "--", vectorCSR)
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, vectorMD5)
	// "--" as a flag's value is a value, not the end of the flags.
	o = dcv(t, "hash", "--token", "--", vectorCSR)
	assert.Equal(t, exitUsage, o.code) // "--" is not a valid token
	assert.Contains(t, o.stderr, `dcv hash: invalid value "--" for flag --token`)
}

// Skipped CN and SAN values are listed in the JSON too, not only in the
// text form.
func TestHashJSONListsSkippedNames(t *testing.T) {
	o := dcv(t, "hash", "--json", "testdata/ec-p256.csr")
	require.Equal(t, exitOK, o.code, o.stderr)
	var h hashOutput
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &h))
	assert.Equal(t, []string{"api.example.net"}, h.Domains)
	assert.Equal(t, []string{"My Company", "192.0.2.7"}, h.Skipped)
}

// --ca takes a brand (its own domain) or a public issuer domain from the
// one table caa.IssuerDomains holds; anything else is a usage error that
// lists the brands.
func TestHashCAIsABrandOrAPublicIssuerDomain(t *testing.T) {
	for ca, want := range map[string]string{"sectigo": "sectigo.com", "comodo": "comodoca.com", "ssl.com": "ssl.com", "SSL.com.": "ssl.com", "ca.example.net": "ca.example.net"} {
		o := dcv(t, "hash", "--json", "--domain", "hildegardconsort.org", "--ca", ca, vectorCSR)
		require.Equal(t, exitOK, o.code, "%s: %s", ca, o.stderr)
		var h hashOutput
		require.NoError(t, json.Unmarshal([]byte(o.stdout), &h))
		assert.True(t, strings.HasSuffix(h.CNAMETarget, "."+want+"."), "%s: %s", ca, h.CNAMETarget)
	}
	for _, ca := range []string{"not a domain", "ssl", "ca.test", "com", ""} {
		o := dcv(t, "hash", "--domain", "hildegardconsort.org", "--ca", ca, vectorCSR)
		assert.Equal(t, exitUsage, o.code, ca)
		assert.Contains(t, o.stderr, "letsencrypt, sectigo", "%q: the brands are listed", ca)
	}
	o := dcv(t, "hash", vectorCSR, "--token", "no/slashes")
	assert.Equal(t, exitUsage, o.code, o.stderr)
}
