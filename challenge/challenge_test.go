package challenge_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/csrhash"
)

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// fixed returns a Builder with a zero random stream and a fixed clock.
func fixed() challenge.Builder {
	return challenge.Builder{Rand: bytes.NewReader(make([]byte, 1024)), Now: func() time.Time { return t0 }}
}

func TestDNSTXT(t *testing.T) {
	cases := []struct{ domain, adn, name, zone, host string }{
		{"example.com", "example.com", "_dnsauth.example.com.", "example.com", "_dnsauth"},
		{"WWW.Example.com.", "www.example.com", "_dnsauth.www.example.com.", "example.com", "_dnsauth.www"},
		{"*.example.com", "example.com", "_dnsauth.example.com.", "example.com", "_dnsauth"},
		{"a.b.example.co.uk", "a.b.example.co.uk", "_dnsauth.a.b.example.co.uk.", "example.co.uk", "_dnsauth.a.b"},
		{"münchen.de", "xn--mnchen-3ya.de", "_dnsauth.xn--mnchen-3ya.de.", "xn--mnchen-3ya.de", "_dnsauth"},
	}
	for _, tc := range cases {
		c, err := fixed().DNSTXT(tc.domain)
		require.NoError(t, err, tc.domain)
		assert.Equal(t, challenge.DNSTXT, c.Method)
		assert.Equal(t, tc.adn, c.ADN)
		require.NotNil(t, c.Record)
		assert.Equal(t, challenge.Record{Type: "TXT", Name: tc.name, Zone: tc.zone, Host: tc.host,
			Value: strings.Repeat("a", 26)}, *c.Record)
		assert.Nil(t, c.File)
		assert.Nil(t, c.Email)
		assert.Equal(t, t0, c.IssuedAt)
		assert.Equal(t, t0.Add(30*24*time.Hour), c.ExpiresAt)
	}
}

func TestRandomValues(t *testing.T) {
	var b challenge.Builder // zero value: crypto/rand, system clock
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		c, err := b.DNSTXT("example.com")
		require.NoError(t, err)
		v := c.Record.Value
		assert.Len(t, v, 26) // 128 bits in base32
		assert.False(t, seen[v], "repeated random value %s", v)
		seen[v] = true
	}
	// A failing random source is an error, not a weak value.
	_, err := challenge.Builder{Rand: bytes.NewReader(make([]byte, 3))}.DNSTXT("example.com")
	assert.Error(t, err)
}

func TestLifetimeAndLabel(t *testing.T) {
	b := fixed()
	b.Lifetime = challenge.LifetimeDigiCertDNS
	b.TXTLabel = "_globalsign-domain-verification"
	c, err := b.DNSTXT("www.example.com")
	require.NoError(t, err)
	assert.Equal(t, "_globalsign-domain-verification.www.example.com.", c.Record.Name)
	assert.Equal(t, t0.Add(24*time.Hour), c.ExpiresAt)
	assert.False(t, c.Expired(t0.Add(24*time.Hour-time.Second)))
	assert.True(t, c.Expired(t0.Add(24*time.Hour)))

	b.TXTLabel = "bad label"
	_, err = b.DNSTXT("example.com")
	assert.ErrorIs(t, err, challenge.ErrInvalidName)
}

func TestNameRefusals(t *testing.T) {
	var b challenge.Builder
	for in, want := range map[string]error{
		"":                  challenge.ErrEmptyName,
		"com":               challenge.ErrSingleLabel,
		"co.uk":             challenge.ErrPublicSuffix,
		"192.0.2.7":         challenge.ErrIPAddress,
		"a..example.com":    challenge.ErrEmptyLabel,
		"a_b.example.com":   challenge.ErrUnderscore,
		"www.*.example.com": challenge.ErrWildcardPos,
	} {
		for _, build := range []func(string) (*challenge.Challenge, error){b.DNSTXT, b.File, b.Email} {
			_, err := build(in)
			assert.ErrorIs(t, err, want, in)
			var ne *challenge.NameError
			assert.True(t, errors.As(err, &ne), in)
		}
	}
}

func TestFile(t *testing.T) {
	const p = "/.well-known/pki-validation/fileauth.txt"
	cases := map[string][]string{
		"example.com":      {"http://example.com" + p, "https://example.com" + p, "http://www.example.com" + p, "https://www.example.com" + p},
		"www.example.com":  {"http://www.example.com" + p, "https://www.example.com" + p, "http://example.com" + p, "https://example.com" + p},
		"shop.example.com": {"http://shop.example.com" + p, "https://shop.example.com" + p},
		"example.co.uk":    {"http://example.co.uk" + p, "https://example.co.uk" + p, "http://www.example.co.uk" + p, "https://www.example.co.uk" + p},
	}
	for d, want := range cases {
		c, err := fixed().File(d)
		require.NoError(t, err, d)
		require.NotNil(t, c.File)
		assert.Equal(t, want, c.File.URLs, d)
		assert.Equal(t, p, c.File.Path)
		assert.Equal(t, strings.Repeat("a", 26), c.File.Content)
		assert.Nil(t, c.Record)
	}
	_, err := fixed().File("*.example.com")
	assert.ErrorIs(t, err, challenge.ErrWildcard)
}

func TestEmail(t *testing.T) {
	c, err := fixed().Email("*.shop.example.com")
	require.NoError(t, err)
	assert.Equal(t, "shop.example.com", c.ADN)
	require.NotNil(t, c.Email)
	assert.Equal(t, []string{
		"admin@shop.example.com", "administrator@shop.example.com", "webmaster@shop.example.com", "hostmaster@shop.example.com", "postmaster@shop.example.com",
		"admin@example.com", "administrator@example.com", "webmaster@example.com", "hostmaster@example.com", "postmaster@example.com",
	}, c.Email.Addresses)
	assert.Len(t, c.Email.Code, 26)
	require.Len(t, c.Notes, 1, "after 2026-03-15 the method carries a deprecation note")
	assert.Contains(t, c.Notes[0], "SHOULD NOT")

	before := challenge.Builder{Now: func() time.Time { return time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC) }}
	c, err = before.Email("example.com")
	require.NoError(t, err)
	assert.Empty(t, c.Notes)
	assert.Len(t, c.Email.Addresses, 5)

	after := challenge.Builder{Now: func() time.Time { return time.Date(2028, 3, 15, 0, 0, 0, 0, time.UTC) }}
	_, err = after.Email("example.com")
	assert.ErrorIs(t, err, challenge.ErrMethodRetired)
}

func loadCSR(t testing.TB) *csrhash.CSR {
	csr, err := sampleCSR()
	require.NoError(t, err)
	return csr
}

// Vector from spec.md (computed with openssl over the DER form).
const (
	sampleMD5    = "4547FDDC7118AC1B676C964534F2DB10"
	sampleSHA256 = "0ba404b6326c6790c9abe76fa303b17ba25b90b732507810df280549d1c5d5b0"
)

func TestHashMethods(t *testing.T) {
	csr := loadCSR(t)
	c, err := fixed().HashFile(csr, "hildegardconsort.org", csrhash.CASSL, "10TmfZdb9tj")
	require.NoError(t, err)
	assert.Equal(t, "/.well-known/pki-validation/"+sampleMD5+".txt", c.File.Path)
	assert.Equal(t, sampleSHA256+"\nssl.com\n10TmfZdb9tj", c.File.Content)
	assert.Equal(t, []string{"http://hildegardconsort.org" + c.File.Path, "https://hildegardconsort.org" + c.File.Path}, c.File.URLs)
	assert.Equal(t, "ssl.com", c.CADomain)
	assert.Equal(t, "10TmfZdb9tj", c.Token)

	c, err = fixed().HashFile(csr, "hildegardconsort.org", csrhash.CASectigo, "")
	require.NoError(t, err)
	assert.Equal(t, sampleSHA256+"\nsectigo.com", c.File.Content)

	_, err = fixed().HashFile(csr, "*.hildegardconsort.org", csrhash.CASSL, "")
	assert.ErrorIs(t, err, challenge.ErrWildcard)

	c, err = fixed().HashCNAME(csr, "*.hildegardconsort.org", csrhash.CAComodo, "f08916997c")
	require.NoError(t, err)
	assert.Equal(t, challenge.Record{Type: "CNAME", Name: "_" + sampleMD5 + ".hildegardconsort.org.", Zone: "hildegardconsort.org",
		Host:  "_" + sampleMD5,
		Value: sampleSHA256[:32] + "." + sampleSHA256[32:] + ".f08916997c.comodoca.com."}, *c.Record)

	all, err := fixed().ForCSR(csr, challenge.HashCNAME, csrhash.CASSL, "")
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, "hildegardconsort.org", all[0].Domain)
	_, err = fixed().ForCSR(csr, challenge.DNSTXT, csrhash.CASSL, "")
	assert.ErrorIs(t, err, challenge.ErrBadChallenge)
	_, err = fixed().HashFile(nil, "example.com", csrhash.CASSL, "")
	assert.ErrorIs(t, err, challenge.ErrBadChallenge)
}

type vector struct{ file, thumbprint, keyAuth, dns01 string }

// vectors reads testdata/vectors.txt, written by gen-vectors.sh with openssl.
func vectors(t *testing.T) []vector {
	f, err := os.Open("testdata/vectors.txt")
	require.NoError(t, err)
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Fields(sc.Text())
		require.Len(t, p, 4)
		out = append(out, vector{p[0], p[1], p[2], p[3]})
	}
	require.NotEmpty(t, out)
	return out
}

const token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"

func TestACMEVectors(t *testing.T) {
	for _, v := range vectors(t) {
		data, err := os.ReadFile(filepath.Join("testdata", v.file))
		require.NoError(t, err)
		key, err := challenge.ParseAccountKey(data)
		require.NoError(t, err, v.file)
		tp, err := challenge.Thumbprint(key)
		require.NoError(t, err)
		assert.Equal(t, v.thumbprint, tp, v.file)

		h, err := fixed().ACMEHTTP01("www.example.org", token, key)
		require.NoError(t, err)
		assert.Equal(t, v.keyAuth, h.KeyAuthorization)
		assert.Equal(t, v.keyAuth, h.File.Content)
		assert.Equal(t, []string{"http://www.example.org/.well-known/acme-challenge/" + token}, h.File.URLs)

		d, err := fixed().ACMEDNS01("*.example.org", token, key)
		require.NoError(t, err)
		assert.Equal(t, v.dns01, d.Record.Value, v.file)
		assert.Equal(t, "_acme-challenge.example.org.", d.Record.Name)
		assert.Equal(t, "_acme-challenge", d.Record.Host)
	}
}

// RFC 7638 §3.1 and RFC 8037 Appendix A.3 give published thumbprints.
func TestThumbprintRFCExamples(t *testing.T) {
	x, err := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	require.NoError(t, err)
	tp, err := challenge.Thumbprint(ed25519.PublicKey(x))
	require.NoError(t, err)
	assert.Equal(t, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", tp)
}

func TestACMERefusals(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	for _, bad := range []string{"", "short", "../../etc/passwd-xxxxxxxxxxxx", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ+PCt92wr/oA",
		"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA==", "evaGxfADs6pSRb2LAv9IZf17Dt3 juxGJ", "evaGxfADs6pSRb2LAv9IZf17Dt3?a=b"} {
		_, err := fixed().ACMEHTTP01("example.com", bad, key.Public())
		assert.ErrorIs(t, err, challenge.ErrToken, bad)
	}
	_, err = fixed().ACMEHTTP01("*.example.com", token, key.Public())
	assert.ErrorIs(t, err, challenge.ErrWildcard)
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	_, err = fixed().ACMEDNS01("example.com", token, p224.Public())
	assert.ErrorIs(t, err, challenge.ErrAccountKey)
	_, err = challenge.Thumbprint("not a key")
	assert.ErrorIs(t, err, challenge.ErrAccountKey)
}

func TestParseAccountKeyRefusals(t *testing.T) {
	cert, err := os.ReadFile("../csrhash/testdata/sample-616.csr")
	require.NoError(t, err)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(p224)
	for name, in := range map[string][]byte{
		"empty":       nil,
		"garbage":     []byte("hello"),
		"csr":         cert,
		"bad base64":  []byte("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"),
		"bad DER":     pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}),
		"P-224":       pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}),
		"wrong label": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}),
	} {
		_, err := challenge.ParseAccountKey(in)
		assert.ErrorIs(t, err, challenge.ErrAccountKey, name)
	}
	// Keys generated here round-trip through every accepted encoding.
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	pk8, _ := x509.MarshalPKCS8PrivateKey(rk)
	pub, _ := x509.MarshalPKIXPublicKey(rk.Public())
	want, _ := challenge.Thumbprint(rk.Public())
	for typ, der := range map[string][]byte{"PRIVATE KEY": pk8, "RSA PRIVATE KEY": x509.MarshalPKCS1PrivateKey(rk), "PUBLIC KEY": pub} {
		k, err := challenge.ParseAccountKey(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
		require.NoError(t, err, typ)
		got, _ := challenge.Thumbprint(k)
		assert.Equal(t, want, got, typ)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ed25519.pem"))
	require.NoError(t, err)
	csr := loadCSR(t)
	b := fixed()
	var all []*challenge.Challenge
	for _, f := range []func() (*challenge.Challenge, error){
		func() (*challenge.Challenge, error) { return b.DNSTXT("*.example.com") },
		func() (*challenge.Challenge, error) { return b.File("www.example.com") },
		func() (*challenge.Challenge, error) { return b.Email("example.com") },
		func() (*challenge.Challenge, error) { return b.HashFile(csr, "hildegardconsort.org", "ssl.com", "abc") },
		func() (*challenge.Challenge, error) { return b.HashCNAME(csr, "hildegardconsort.org", "ssl.com", "") },
		func() (*challenge.Challenge, error) { return b.ACMEHTTP01("example.com", token, key) },
		func() (*challenge.Challenge, error) { return b.ACMEDNS01("example.com", token, key) },
	} {
		c, err := f()
		require.NoError(t, err)
		all = append(all, c)
	}
	for _, c := range all {
		data, err := json.Marshal(c)
		require.NoError(t, err)
		back, err := challenge.Decode(data)
		require.NoError(t, err, string(data))
		assert.Equal(t, c, back)
	}
	// The documented keys.
	data, _ := json.Marshal(all[0])
	for _, k := range []string{`"method":"dns-txt"`, `"domain":"*.example.com"`, `"adn":"example.com"`, `"record":{"type":"TXT"`,
		`"host":"_dnsauth"`, `"issued_at":"2026-11-27T08:00:00Z"`, `"expires_at":"2026-12-27T08:00:00Z"`} {
		assert.Contains(t, string(data), k)
	}
}

func TestDecodeRefusals(t *testing.T) {
	good, err := fixed().File("example.com")
	require.NoError(t, err)
	mutate := func(f func(c *challenge.Challenge)) []byte {
		c := *good
		fs := *good.File
		fs.URLs = append([]string(nil), good.File.URLs...)
		c.File = &fs
		f(&c)
		data, _ := json.Marshal(&c)
		return data
	}
	for name, data := range map[string][]byte{
		"not json":       []byte("{"),
		"unknown field":  []byte(`{"method":"file","bogus":1}`),
		"unknown method": mutate(func(c *challenge.Challenge) { c.Method = "carrier-pigeon" }),
		"bad domain":     mutate(func(c *challenge.Challenge) { c.Domain, c.ADN = "co.uk", "co.uk" }),
		"unnormalized":   mutate(func(c *challenge.Challenge) { c.Domain = "EXAMPLE.com" }),
		"adn mismatch":   mutate(func(c *challenge.Challenge) { c.ADN = "other.com" }),
		"no expiry":      mutate(func(c *challenge.Challenge) { c.ExpiresAt = time.Time{} }),
		"two parts":      mutate(func(c *challenge.Challenge) { c.Email = &challenge.EmailSpec{Addresses: []string{"a@b.c"}, Code: "x"} }),
		"foreign URL":    mutate(func(c *challenge.Challenge) { c.File.URLs[0] = "http://evil.test" + c.File.Path }),
		"other path":     mutate(func(c *challenge.Challenge) { c.File.URLs[0] = "http://example.com/x" }),
		"ftp URL":        mutate(func(c *challenge.Challenge) { c.File.URLs[0] = "ftp://example.com" + c.File.Path }),
		"no content":     mutate(func(c *challenge.Challenge) { c.File.Content = "" }),
		"wrong part":     mutate(func(c *challenge.Challenge) { c.Method = challenge.DNSTXT }),
	} {
		_, err := challenge.Decode(data)
		assert.ErrorIs(t, err, challenge.ErrBadChallenge, name)
	}
}

// BR 3.2.2.4.4, .18 and .19: a random value for the email and file
// methods is used for at most 30 days.
func TestDecodeRefusesLifetimeOverTheMethodCap(t *testing.T) {
	b := fixed()
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ed25519.pem"))
	require.NoError(t, err)
	file, err := b.File("example.com")
	require.NoError(t, err)
	acme, err := b.ACMEHTTP01("example.com", token, key)
	require.NoError(t, err)
	email, err := b.Email("example.com")
	require.NoError(t, err)
	for _, good := range []*challenge.Challenge{file, acme, email} {
		c := *good
		c.ExpiresAt = c.IssuedAt.Add(challenge.DefaultLifetime)
		data, err := json.Marshal(&c)
		require.NoError(t, err)
		_, err = challenge.Decode(data)
		assert.NoError(t, err, "%s: 30 days is fine", c.Method)

		c.ExpiresAt = c.IssuedAt.Add(challenge.DefaultLifetime + time.Second)
		data, err = json.Marshal(&c)
		require.NoError(t, err)
		_, err = challenge.Decode(data)
		assert.ErrorIs(t, err, challenge.ErrBadChallenge, "%s: over 30 days", c.Method)
	}

	// DNS methods too (BR 4.2.1: random values at most 30 days).
	d, err := challenge.Builder{Now: b.Now}.DNSTXT("example.com")
	require.NoError(t, err)
	d.ExpiresAt = d.IssuedAt.Add(90 * 24 * time.Hour)
	data, err := json.Marshal(d)
	require.NoError(t, err)
	_, err = challenge.Decode(data)
	assert.ErrorIs(t, err, challenge.ErrBadChallenge)
}

// Tampered file challenges: every URL must be exactly what the method
// fetches, on the method's own path, with nothing a server could read as
// another resource (query, userinfo, port, fragment).
func TestDecodeRefusesFileURLsTheMethodDoesNotFetch(t *testing.T) {
	b := fixed()
	file, err := b.File("example.com")
	require.NoError(t, err)
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ed25519.pem"))
	require.NoError(t, err)
	acme, err := b.ACMEHTTP01("example.com", token, key)
	require.NoError(t, err)
	hash, err := b.HashFile(loadCSR(t), "hildegardconsort.org", "ssl.com", "")
	require.NoError(t, err)

	mutate := func(good *challenge.Challenge, f func(c *challenge.Challenge)) []byte {
		c := *good
		fs := *good.File
		fs.URLs = append([]string(nil), good.File.URLs...)
		c.File = &fs
		f(&c)
		data, err := json.Marshal(&c)
		require.NoError(t, err)
		return data
	}
	for name, data := range map[string][]byte{
		"userinfo making another host": mutate(file, func(c *challenge.Challenge) { c.File.URLs[0] = "http://example.com@evil.test" + c.File.Path }),
		"userinfo":                     mutate(file, func(c *challenge.Challenge) { c.File.URLs[0] = "http://user:pw@example.com" + c.File.Path }),
		"port":                         mutate(file, func(c *challenge.Challenge) { c.File.URLs[0] = "http://example.com:8080" + c.File.Path }),
		"query": mutate(file, func(c *challenge.Challenge) {
			c.File.URLs[0] = "http://example.com" + c.File.Path + "?echo=" + c.File.Content
		}),
		"empty query":       mutate(file, func(c *challenge.Challenge) { c.File.URLs[0] = "http://example.com" + c.File.Path + "?" }),
		"fragment":          mutate(file, func(c *challenge.Challenge) { c.File.URLs[0] = "http://example.com" + c.File.Path + "#x" }),
		"upper-case host":   mutate(file, func(c *challenge.Challenge) { c.File.URLs[0] = "http://EXAMPLE.com" + c.File.Path }),
		"trailing-dot host": mutate(file, func(c *challenge.Challenge) { c.File.URLs[0] = "http://example.com." + c.File.Path }),
		"path and URLs moved together": mutate(file, func(c *challenge.Challenge) {
			c.File.Path = "/uploads/anyone-can-write.txt"
			for i := range c.File.URLs {
				c.File.URLs[i] = c.File.URLs[i][:len(c.File.URLs[i])-len(challenge.FileAuthPath)] + c.File.Path
			}
		}),
		"path traversal": mutate(file, func(c *challenge.Challenge) {
			c.File.Path = "/.well-known/pki-validation/../../uploads/x.txt"
			for i := range c.File.URLs {
				c.File.URLs[i] = c.File.URLs[i][:len(c.File.URLs[i])-len(challenge.FileAuthPath)] + c.File.Path
			}
		}),
		"acme path for another token": mutate(acme, func(c *challenge.Challenge) {
			c.File.Path = challenge.ACMEHTTPPrefix + "other"
			c.File.URLs = []string{"http://example.com" + c.File.Path}
		}),
		"hash file off pki-validation": mutate(hash, func(c *challenge.Challenge) {
			c.File.Path = "/" + c.File.Path[len("/.well-known/pki-validation/"):]
			c.File.URLs = []string{"http://hildegardconsort.org" + c.File.Path}
		}),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := challenge.Decode(data)
			assert.ErrorIs(t, err, challenge.ErrBadChallenge)
		})
	}
}

// dns-01 lives at _acme-challenge only: a record moved elsewhere is refused.
func TestDecodeRefusesDNS01AwayFromACMEChallenge(t *testing.T) {
	b := fixed()
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ed25519.pem"))
	require.NoError(t, err)
	acme, err := b.ACMEDNS01("example.com", token, key)
	require.NoError(t, err)

	c := *acme
	rec := *acme.Record
	rec.Name = "_other.example.com."
	c.Record = &rec
	data, err := json.Marshal(&c)
	require.NoError(t, err)
	_, err = challenge.Decode(data)
	assert.ErrorIs(t, err, challenge.ErrBadChallenge, "dns-01 lives at _acme-challenge only")
}

func mustRead(t testing.TB, p string) []byte {
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	return data
}

func FuzzDecode(f *testing.F) {
	b := fixed()
	for _, d := range []string{"example.com", "www.example.co.uk"} {
		for _, c := range []func(string) (*challenge.Challenge, error){b.DNSTXT, b.File, b.Email} {
			ch, err := c(d)
			if err != nil {
				f.Fatal(err)
			}
			data, _ := json.Marshal(ch)
			f.Add(data)
		}
	}
	f.Add([]byte(`{"method":"file","file":{"urls":["http://[::1]/x"]}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := challenge.Decode(data)
		if err != nil {
			if !errors.Is(err, challenge.ErrBadChallenge) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// Whatever decodes is valid and survives a round trip.
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := challenge.Decode(again); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func TestLifetimeCapIs30DaysForEveryMethod(t *testing.T) {
	b := fixed()
	b.Lifetime = 31 * 24 * time.Hour
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ed25519.pem"))
	require.NoError(t, err)
	for name, build := range map[string]func() (*challenge.Challenge, error){
		"file":         func() (*challenge.Challenge, error) { return b.File("example.com") },
		"email":        func() (*challenge.Challenge, error) { return b.Email("example.com") },
		"dns-txt":      func() (*challenge.Challenge, error) { return b.DNSTXT("example.com") },
		"acme-dns-01":  func() (*challenge.Challenge, error) { return b.ACMEDNS01("example.com", token, key) },
		"acme-http-01": func() (*challenge.Challenge, error) { return b.ACMEHTTP01("example.com", token, key) },
		"hash-file": func() (*challenge.Challenge, error) {
			return b.HashFile(loadCSR(t), "hildegardconsort.org", "ssl.com", "")
		},
		"hash-cname": func() (*challenge.Challenge, error) {
			return b.HashCNAME(loadCSR(t), "hildegardconsort.org", "ssl.com", "")
		},
	} {
		_, err := build()
		assert.ErrorIs(t, err, challenge.ErrLifetime, name)
		assert.Contains(t, err.Error(), "720h", "%s: the cap is in the message", name)
		assert.Equal(t, challenge.DefaultLifetime, challenge.MaxLifetime(challenge.Method(name)), name)
	}
	// A DNS challenge that claims to live longer is refused on Decode too.
	c, err := fixed().DNSTXT("example.com")
	require.NoError(t, err)
	c.ExpiresAt = c.IssuedAt.Add(challenge.DefaultLifetime + time.Second)
	_, err = challenge.Decode(mustJSON(t, c))
	assert.ErrorIs(t, err, challenge.ErrBadChallenge)
}

func mustJSON(t *testing.T, v any) []byte {
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}

func TestBuilderRefusesNonPublicNamesUnlessAllowPrivate(t *testing.T) {
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ed25519.pem"))
	require.NoError(t, err)
	builds := map[string]func(b challenge.Builder, d string) (*challenge.Challenge, error){
		"dns-txt":      challenge.Builder.DNSTXT,
		"file":         challenge.Builder.File,
		"email":        challenge.Builder.Email,
		"acme-dns-01":  func(b challenge.Builder, d string) (*challenge.Challenge, error) { return b.ACMEDNS01(d, token, key) },
		"acme-http-01": func(b challenge.Builder, d string) (*challenge.Challenge, error) { return b.ACMEHTTP01(d, token, key) },
		"hash-cname": func(b challenge.Builder, d string) (*challenge.Challenge, error) {
			return b.HashCNAME(loadCSR(t), d, "ssl.com", "")
		},
	}
	for method, build := range builds {
		for _, name := range []string{"shop.onion", "db.internal", "printer.local", "app.localhost", "a.test", "www.example", "x.invalid", "intranet.corp"} {
			b := fixed()
			_, err := build(b, name)
			assert.ErrorIs(t, err, challenge.ErrNotPublic, "%s %s", method, name)
			b.AllowPrivate = true
			c, err := build(b, name)
			require.NoError(t, err, "%s %s with AllowPrivate", method, name)
			_, err = challenge.Decode(mustJSON(t, c))
			assert.NoError(t, err, "%s %s: a lab challenge round-trips", method, name)
		}
	}
}

// clone deep-copies c so a test can tamper with it.
func clone(t *testing.T, c *challenge.Challenge) *challenge.Challenge {
	t.Helper()
	data, err := json.Marshal(c)
	require.NoError(t, err)
	var out challenge.Challenge
	require.NoError(t, json.Unmarshal(data, &out))
	return &out
}

// TestValidateRefusesRetargetedChallenge: every target of a challenge must be
// exactly what its method prescribes for its domain; a challenge edited to
// point at another name (or path, value form, address) never validates.
func TestValidateRefusesRetargetedChallenge(t *testing.T) {
	b := fixed()
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ed25519.pem"))
	require.NoError(t, err)
	csr := loadCSR(t)
	build := func(c *challenge.Challenge, err error) *challenge.Challenge {
		require.NoError(t, err)
		return c
	}
	txt := build(b.DNSTXT("example.com"))
	file := build(b.File("example.com"))
	hfile := build(b.HashFile(csr, "hildegardconsort.org", "ssl.com", "abc"))
	hcname := build(b.HashCNAME(csr, "hildegardconsort.org", "ssl.com", ""))
	http01 := build(b.ACMEHTTP01("example.com", token, key))
	dns01 := build(b.ACMEDNS01("example.com", token, key))
	email := build(b.Email("shop.example.com"))
	dns01www := build(b.ACMEDNS01("www.example.co.uk", token, key))
	acct := build(b.DNSAccount01("www.example.com", token, key, "https://ca.example/acct/1"))
	persist := build(b.DNSPersist01("www.example.com", challenge.PersistParams{Issuer: "authority.example", AccountURL: "https://ca.example/acct/1", Plain: true}))
	const wk = "/.well-known/pki-validation/"
	// at moves a record: its name and the host a DNS console shows.
	at := func(name, host string) func(c *challenge.Challenge) {
		return func(c *challenge.Challenge) { c.Record.Name, c.Record.Host = name, host }
	}

	tests := []struct {
		name   string
		good   *challenge.Challenge
		tamper func(c *challenge.Challenge)
	}{
		{"dns-txt on a host of the domain", txt, func(c *challenge.Challenge) {
			c.Record.Name, c.Record.Host = "customer-blog.example.com.", "customer-blog"
		}},
		{"dns-txt below the ADN", txt, func(c *challenge.Challenge) {
			c.Record.Name, c.Record.Host = "_dnsauth.customer-blog.example.com.", "_dnsauth.customer-blog"
		}},
		{"dns-txt at the ADN", txt, func(c *challenge.Challenge) { c.Record.Name, c.Record.Host = "example.com.", "@" }},
		{"dns-txt on another domain", txt, func(c *challenge.Challenge) {
			c.Record.Name, c.Record.Zone = "_dnsauth.evil.test.", "evil.test"
		}},
		{"dns-txt host disagrees", txt, func(c *challenge.Challenge) { c.Record.Host = "_dnsauth.www" }},
		{"dns-txt zone disagrees", txt, func(c *challenge.Challenge) { c.Record.Zone = "evil.test" }},
		{"dns-txt value not random", txt, func(c *challenge.Challenge) { c.Record.Value = "v=spf1 -all" }},
		{"dns-txt as CNAME", txt, func(c *challenge.Challenge) { c.Record.Type = "CNAME" }},
		{"file only on the www pair", file, func(c *challenge.Challenge) { c.File.URLs = c.File.URLs[2:] }},
		{"file without the www pair", file, func(c *challenge.Challenge) { c.File.URLs = c.File.URLs[:2] }},
		{"file over http only", file, func(c *challenge.Challenge) { c.File.URLs = []string{c.File.URLs[0], c.File.URLs[2]} }},
		{"file on a sibling host", file, func(c *challenge.Challenge) {
			c.File.URLs[2], c.File.URLs[3] = "http://blog.example.com"+c.File.Path, "https://blog.example.com"+c.File.Path
		}},
		{"file under another name", file, func(c *challenge.Challenge) {
			c.File.Path = wk + "other.txt"
			for i, u := range c.File.URLs {
				c.File.URLs[i] = strings.Replace(u, "fileauth.txt", "other.txt", 1)
			}
		}},
		{"file content not random", file, func(c *challenge.Challenge) { c.File.Content = "anything the server echoes" }},
		{"hash-file on http only", hfile, func(c *challenge.Challenge) { c.File.URLs = c.File.URLs[:1] }},
		{"hash-file on the www pair", hfile, func(c *challenge.Challenge) {
			c.File.URLs[0] = strings.Replace(c.File.URLs[0], "//", "//www.", 1)
		}},
		{"hash-file path not an MD5", hfile, func(c *challenge.Challenge) {
			c.File.Path = wk + "upload.txt"
			c.File.URLs = []string{"http://hildegardconsort.org" + c.File.Path, "https://hildegardconsort.org" + c.File.Path}
		}},
		{"hash-file content names another CA", hfile, func(c *challenge.Challenge) {
			c.File.Content = strings.Replace(c.File.Content, "ssl.com", "evil.test", 1)
		}},
		{"hash-file content drops the token", hfile, func(c *challenge.Challenge) {
			c.File.Content = strings.TrimSuffix(c.File.Content, "\nabc")
		}},
		{"hash-cname below the ADN", hcname, func(c *challenge.Challenge) {
			c.Record.Name = strings.Replace(c.Record.Name, ".hildegardconsort", ".www.hildegardconsort", 1)
			c.Record.Host += ".www"
		}},
		{"hash-cname owner not an MD5", hcname, func(c *challenge.Challenge) {
			c.Record.Name, c.Record.Host = "_x.hildegardconsort.org.", "_x"
		}},
		{"hash-cname target at another CA", hcname, func(c *challenge.Challenge) {
			c.Record.Value = strings.Replace(c.Record.Value, "ssl.com.", "evil.test.", 1)
		}},
		{"http-01 over https", http01, func(c *challenge.Challenge) { c.File.URLs[0] = strings.Replace(c.File.URLs[0], "http:", "https:", 1) }},
		{"http-01 on www", http01, func(c *challenge.Challenge) { c.File.URLs[0] = strings.Replace(c.File.URLs[0], "//", "//www.", 1) }},
		{"http-01 key authorization of another token", http01, func(c *challenge.Challenge) {
			c.KeyAuthorization = "x" + c.KeyAuthorization
			c.File.Content = c.KeyAuthorization
		}},
		{"http-01 content not the key authorization", http01, func(c *challenge.Challenge) { c.File.Content = token }},
		{"http-01 thumbprint not a SHA-256", http01, func(c *challenge.Challenge) {
			c.KeyAuthorization = c.KeyAuthorization[:len(c.KeyAuthorization)-1]
			c.File.Content = c.KeyAuthorization
		}},
		{"http-01 thumbprint in a non-canonical form", http01, func(c *challenge.Challenge) {
			// 43 characters hold 258 bits: a set low bit is not a SHA-256.
			last := c.KeyAuthorization[len(c.KeyAuthorization)-1]
			c.KeyAuthorization = c.KeyAuthorization[:len(c.KeyAuthorization)-1] + string(last+1)
			c.File.Content = c.KeyAuthorization
		}},
		{"dns-01 value of another key authorization", dns01, func(c *challenge.Challenge) {
			c.Record.Value = challenge.DNS01Value("other")
		}},
		{"dns-01 below the ADN", dns01, func(c *challenge.Challenge) {
			c.Record.Name, c.Record.Host = "_acme-challenge.www.example.com.", "_acme-challenge.www"
		}},
		// The DNS methods' records are compared part by part: each part,
		// and the owner's labels, form and trailing dot, is checked.
		{"dns-01 as CNAME", dns01www, func(c *challenge.Challenge) { c.Record.Type = "CNAME" }},
		{"dns-01 zone disagrees", dns01www, func(c *challenge.Challenge) { c.Record.Zone = "co.uk" }},
		{"dns-01 zone is the ADN", dns01www, func(c *challenge.Challenge) {
			c.Record.Zone, c.Record.Host = "www.example.co.uk", "_acme-challenge"
		}},
		{"dns-01 host disagrees", dns01www, func(c *challenge.Challenge) { c.Record.Host = "_acme-challenge" }},
		{"dns-01 name without the trailing dot", dns01www, func(c *challenge.Challenge) {
			c.Record.Name = strings.TrimSuffix(c.Record.Name, ".")
		}},
		{"dns-01 at the ADN", dns01www, at("www.example.co.uk.", "www")},
		{"dns-01 above the ADN", dns01www, at("_acme-challenge.example.co.uk.", "_acme-challenge")},
		{"dns-01 on a longer name", dns01www, at("_acme-challenge.www.example.co.uk.evil.test.", "_acme-challenge.www")},
		{"dns-01 label in upper case", dns01www, at("_ACME-CHALLENGE.www.example.co.uk.", "_ACME-CHALLENGE.www")},
		{"dns-01 label joined to the ADN", dns01www, at("_acme-challenge-www.example.co.uk.", "_acme-challenge-www")},
		{"dns-01 key authorization without its dot", dns01www, func(c *challenge.Challenge) {
			c.KeyAuthorization = token + "-" + c.KeyAuthorization[len(token)+1:]
			c.Record.Value = challenge.DNS01Value(c.KeyAuthorization)
		}},
		{"dns-txt label in upper case", txt, at("_DNSAUTH.example.com.", "_DNSAUTH")},
		{"dns-txt label with a bad character", txt, at("_dns!auth.example.com.", "_dns!auth")},
		{"hash-cname owner without '_'", hcname, func(c *challenge.Challenge) {
			c.Record.Name, c.Record.Host = strings.TrimPrefix(c.Record.Name, "_"), strings.TrimPrefix(c.Record.Host, "_")
		}},
		{"dns-account-01 at dns-01's owner", acct, at("_acme-challenge.www.example.com.", "_acme-challenge.www")},
		{"dns-account-01 host disagrees", acct, func(c *challenge.Challenge) { c.Record.Host = "_acme-challenge.www" }},
		{"dns-account-01 zone disagrees", acct, func(c *challenge.Challenge) { c.Record.Zone = "www.example.com" }},
		{"dns-persist-01 below the ADN", persist, at("_validation-persist.a.www.example.com.", "_validation-persist.a.www")},
		{"dns-persist-01 host disagrees", persist, func(c *challenge.Challenge) { c.Record.Host = "_validation-persist" }},
		{"email to another domain", email, func(c *challenge.Challenge) { c.Email.Addresses = []string{"admin@evil.test"} }},
		{"email with an extra address", email, func(c *challenge.Challenge) {
			c.Email.Addresses = append(c.Email.Addresses, "attacker@example.com")
		}},
		{"email to a child", email, func(c *challenge.Challenge) { c.Email.Addresses[0] = "admin@x.shop.example.com" }},
		{"email code not random", email, func(c *challenge.Challenge) { c.Email.Code = "1234" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.good.Validate(), "the untouched challenge is valid")
			c := clone(t, tc.good)
			tc.tamper(c)
			assert.ErrorIs(t, c.Validate(), challenge.ErrBadChallenge)
			data, err := json.Marshal(c)
			require.NoError(t, err)
			_, err = challenge.Decode(data)
			assert.ErrorIs(t, err, challenge.ErrBadChallenge)
		})
	}
}

// TestTXTLabelMustBeUnderscored: the CA's own TXT label round-trips, but a
// label that could be a host name is refused by the builder.
func TestTXTLabelMustBeUnderscored(t *testing.T) {
	b := fixed()
	b.TXTLabel = "_globalsign-domain-verification"
	c, err := b.DNSTXT("*.example.com")
	require.NoError(t, err)
	require.NoError(t, c.Validate())

	for _, l := range []string{"dnsauth", "www", "_a._b", "_a.b"} {
		b.TXTLabel = l
		_, err = b.DNSTXT("example.com")
		assert.ErrorIs(t, err, challenge.ErrInvalidName, l)
	}
}

// BenchmarkValidateDNS01 is the re-validation a verifier does before each
// dns-01 check (Verifier.Verify calls Validate on every challenge).
func BenchmarkValidateDNS01(b *testing.B) {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public()
	c, err := fixed().ACMEDNS01("www.example.com", token, key)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRecordIsAgreesWithTheBuiltRecord: Validate's part-by-part check
// accepts a record exactly when it equals the one the builder makes, over
// records of other names, zones, labels and forms.
func TestRecordIsAgreesWithTheBuiltRecord(t *testing.T) {
	adns := []string{"example.com", "www.example.com", "a.b.example.co.uk", "xn--mnchen-3ya.de", "x.github.io", "example.co.uk"}
	labels := []string{"_acme-challenge", "_dnsauth", "_x._acme-challenge", "_acme-challenge.www", "_"}
	var all []challenge.Record
	for _, adn := range adns {
		for _, l := range labels {
			for _, typ := range []string{"TXT", "CNAME"} {
				r, err := challenge.BuildRecord(typ, l+"."+adn, "v")
				require.NoError(t, err)
				all = append(all, *r)
			}
		}
	}
	variants := func(r challenge.Record) []challenge.Record {
		out := []challenge.Record{r}
		for _, f := range []func(*challenge.Record){
			func(r *challenge.Record) { r.Name = strings.TrimSuffix(r.Name, ".") },
			func(r *challenge.Record) { r.Name += "." },
			func(r *challenge.Record) { r.Name = strings.ToUpper(r.Name) },
			func(r *challenge.Record) { r.Name = strings.Replace(r.Name, ".", "-", 1) },
			func(r *challenge.Record) {
				r.Name, r.Host = strings.Replace(r.Name, ".", "-", 1), strings.Replace(r.Host, ".", "-", 1)
			},
			func(r *challenge.Record) { r.Name = "x" + r.Name },
			func(r *challenge.Record) { r.Host = "@" },
			func(r *challenge.Record) { r.Host += ".x" },
			func(r *challenge.Record) { r.Zone = strings.TrimPrefix(r.Zone, "example.") },
			func(r *challenge.Record) { r.Value = "w" },
		} {
			v := r
			f(&v)
			out = append(out, v)
		}
		return out
	}
	for _, want := range all {
		owner := strings.TrimSuffix(want.Name, ".")
		for _, adn := range adns {
			l, ok := strings.CutSuffix(owner, "."+adn)
			if !ok {
				continue
			}
			for _, other := range all {
				for _, got := range variants(other) {
					assert.Equal(t, got == want, challenge.RecordIs(&got, want.Type, l, adn, want.Zone, want.Value),
						"want %+v (labels %q, adn %q), got %+v", want, l, adn, got)
				}
			}
		}
	}
}

// A record's Zone and Host are cut from its Name, so a challenge holds the
// owner name once (10,000 challenges held for an order are ~0.5 MB less).
func TestRecordZoneAndHostShareTheNamesBytes(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public()
	b := challenge.Builder{}
	dns01, err := b.ACMEDNS01("www.example.com", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key)
	require.NoError(t, err)
	txt, err := b.DNSTXT("shop.example.co.uk")
	require.NoError(t, err)
	within := func(part, whole string) bool {
		p, w := uintptr(unsafe.Pointer(unsafe.StringData(part))), uintptr(unsafe.Pointer(unsafe.StringData(whole)))
		return p >= w && p+uintptr(len(part)) <= w+uintptr(len(whole))
	}
	for _, r := range []*challenge.Record{dns01.Record, txt.Record} {
		assert.True(t, within(r.Zone, r.Name), "zone %q", r.Zone)
		assert.True(t, within(r.Host, r.Name), "host %q", r.Host)
	}
}
