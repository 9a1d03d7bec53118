package challenge_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
)

// methodVectors reads testdata/methods-vectors.txt, written by
// gen-methods-vectors.py with python3 hashlib (never by the code under test).
func methodVectors(t *testing.T) map[string]string {
	f, err := os.Open("testdata/methods-vectors.txt")
	require.NoError(t, err)
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		require.True(t, ok, sc.Text())
		out[name] = value
	}
	require.NotEmpty(t, out)
	return out
}

func TestTLSALPN01ExtensionVector(t *testing.T) {
	v := methodVectors(t)
	ext := challenge.TLSALPN01Extension(v["alpn.key_authorization"])
	assert.True(t, ext.Critical)
	assert.Equal(t, v["alpn.extn_value"], hex.EncodeToString(ext.Value))
	der, err := asn1.Marshal(ext)
	require.NoError(t, err)
	assert.Equal(t, v["alpn.extension_der"], hex.EncodeToString(der))
}

func TestTLSALPN01CertificateVector(t *testing.T) {
	v := methodVectors(t)
	cert, err := challenge.TLSALPN01Certificate("Example.COM", v["alpn.key_authorization"], t0, t0.Add(time.Hour))
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	require.NoError(t, err)
	assert.Equal(t, []string{"example.com"}, leaf.DNSNames)
	var san, acme int
	for _, e := range leaf.Extensions {
		switch {
		case e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 17}):
			san++
			assert.Equal(t, v["alpn.san_example.com"], hex.EncodeToString(e.Value))
		case e.Id.Equal(challenge.ACMEIdentifierOID()):
			acme++
			assert.True(t, e.Critical)
			assert.Equal(t, v["alpn.extn_value"], hex.EncodeToString(e.Value))
		}
	}
	assert.Equal(t, 1, san)
	assert.Equal(t, 1, acme)
	// Self-signed: the issuer is the subject and the key signs it.
	assert.Equal(t, leaf.RawSubject, leaf.RawIssuer)
	assert.NoError(t, leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature))
}

func TestTLSALPN01Builder(t *testing.T) {
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ec384.pem"))
	require.NoError(t, err)
	c, err := fixed().TLSALPN01("www.example.org", token, key)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(c.KeyAuthorization))
	assert.Equal(t, challenge.TLSALPN01, c.Method)
	assert.Equal(t, hex.EncodeToString(sum[:]), c.TLSALPN.Digest)
	assert.Equal(t, "acme-tls/1", c.TLSALPN.Protocol)
	assert.Equal(t, 443, c.TLSALPN.Port)
	assert.Nil(t, c.Record)
	assert.Nil(t, c.File)
	block, _ := pem.Decode([]byte(c.TLSALPN.CertificatePEM))
	require.NotNil(t, block)
	leaf, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.Equal(t, []string{"www.example.org"}, leaf.DNSNames)
	kb, _ := pem.Decode([]byte(c.TLSALPN.KeyPEM))
	require.NotNil(t, kb)
	assert.Equal(t, "PRIVATE KEY", kb.Type)
	assert.Equal(t, c.ExpiresAt, leaf.NotAfter)

	// JSON: the key stays out; the rest survives Decode.
	data, err := json.Marshal(c)
	require.NoError(t, err)
	assert.NotContains(t, string(data), "PRIVATE KEY")
	assert.Contains(t, string(data), `"tls_alpn":{"protocol":"acme-tls/1","port":443,"digest":"`)
	back, err := challenge.Decode(data)
	require.NoError(t, err)
	assert.Equal(t, c.TLSALPN.CertificatePEM, back.TLSALPN.CertificatePEM)
	assert.Empty(t, back.TLSALPN.KeyPEM)

	_, err = fixed().TLSALPN01("*.example.org", token, key)
	assert.ErrorIs(t, err, challenge.ErrWildcard)
	_, err = fixed().TLSALPN01("example.org", "bad token", key)
	assert.ErrorIs(t, err, challenge.ErrToken)
	_, err = challenge.TLSALPN01Certificate("*.example.org", c.KeyAuthorization, t0, t0.Add(time.Hour))
	assert.ErrorIs(t, err, challenge.ErrWildcard)
}

func TestDecodeRefusesBadTLSALPN(t *testing.T) {
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ed25519.pem"))
	require.NoError(t, err)
	good, err := fixed().TLSALPN01("example.org", token, key)
	require.NoError(t, err)
	mutate := func(f func(c *challenge.Challenge)) []byte {
		c := *good
		s := *good.TLSALPN
		c.TLSALPN = &s
		f(&c)
		return mustJSON(t, &c)
	}
	for name, data := range map[string][]byte{
		"wildcard":     mutate(func(c *challenge.Challenge) { c.Domain = "*.example.org" }),
		"other digest": mutate(func(c *challenge.Challenge) { c.TLSALPN.Digest = strings.Repeat("0", 64) }),
		"other port":   mutate(func(c *challenge.Challenge) { c.TLSALPN.Port = 8443 }),
		"other proto":  mutate(func(c *challenge.Challenge) { c.TLSALPN.Protocol = "h2" }),
		"ka not token": mutate(func(c *challenge.Challenge) { c.Token = "AAAAAAAAAAAAAAAAAAAAAAAA" }),
		"no part":      mutate(func(c *challenge.Challenge) { c.TLSALPN = nil }),
		"garbage cert": mutate(func(c *challenge.Challenge) {
			c.TLSALPN.CertificatePEM = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
		}),
		"30+ days":   mutate(func(c *challenge.Challenge) { c.ExpiresAt = c.IssuedAt.Add(31 * 24 * time.Hour) }),
		"other cert": mutate(func(c *challenge.Challenge) { c.TLSALPN.CertificatePEM = otherCert(t) }),
		"with a record": mutate(func(c *challenge.Challenge) {
			c.Record = &challenge.Record{Type: "TXT", Name: "example.org.", Value: "x"}
		}),
	} {
		_, err := challenge.Decode(data)
		assert.ErrorIs(t, err, challenge.ErrBadChallenge, name)
	}
	// The certificate is optional in the JSON form: a verifier needs only the key authorization.
	_, err = challenge.Decode(mutate(func(c *challenge.Challenge) { c.TLSALPN.CertificatePEM = "" }))
	assert.NoError(t, err)
	assert.True(t, bytes.Contains(mustJSON(t, good), []byte(good.KeyAuthorization)))
}

// The RFC 8037 Ed25519 example key, as an ACME account key.
const exampleAccountKey = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
-----END PUBLIC KEY-----`

func ExampleBuilder_TLSALPN01() {
	key, err := challenge.ParseAccountKey([]byte(exampleAccountKey))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := exampleBuilder.TLSALPN01("www.example.com", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Serve c.TLSALPN.CertificatePEM and KeyPEM on port 443 for ALPN acme-tls/1.
	cert, err := tls.X509KeyPair([]byte(c.TLSALPN.CertificatePEM), []byte(c.TLSALPN.KeyPEM))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.TLSALPN.Protocol, c.TLSALPN.Port, cert.Leaf.DNSNames)
	fmt.Println(c.TLSALPN.Digest)
	// Output:
	// acme-tls/1 443 [www.example.com]
	// 940576f75777ef6c725d5119458f63d8543c8354d8a4e689afadb40a26a178f0
}

// otherCert is a challenge certificate for another name.
func otherCert(t *testing.T) string {
	cert, err := challenge.TLSALPN01Certificate("other.example.org", "x.y", t0, t0.Add(time.Hour))
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}))
}
