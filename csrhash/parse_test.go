package csrhash

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vector is one entry of testdata/vectors.json, written by testdata/gen.sh
// from openssl, md5sum and sha256sum.
type vector struct {
	File   string `json:"file"`
	DERLen int    `json:"der_len"`
	MD5    string `json:"md5"`
	SHA256 string `json:"sha256"`
}

func readVectors(t testing.TB) []vector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	require.NoError(t, err)
	var vs []vector
	require.NoError(t, json.Unmarshal(b, &vs))
	require.NotEmpty(t, vs)
	return vs
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func TestParseVectors(t *testing.T) {
	for _, v := range readVectors(t) {
		t.Run(v.File, func(t *testing.T) {
			c, err := Parse(readFile(t, v.File))
			require.NoError(t, err)
			assert.Len(t, c.DER, v.DERLen)
			assert.Equal(t, Hashes{MD5: v.MD5, SHA256: v.SHA256}, c.Hashes)
			assert.Equal(t, c.Hashes, Sum(c.DER))
			assert.Equal(t, c.Request.Raw, c.DER)
		})
	}
}

// The spec's independent vector, written out here as well as in vectors.json.
func TestSample616(t *testing.T) {
	c, err := Parse(readFile(t, "sample-616.csr"))
	require.NoError(t, err)
	assert.Len(t, c.DER, 616)
	assert.Equal(t, "4547FDDC7118AC1B676C964534F2DB10", c.Hashes.MD5)
	assert.Equal(t, "0ba404b6326c6790c9abe76fa303b17ba25b90b732507810df280549d1c5d5b0", c.Hashes.SHA256)
	assert.Equal(t, "hildegardconsort.org", c.Request.Subject.CommonName)
	assert.Equal(t, []string{"hildegardconsort.org"}, c.Domains)
	assert.Empty(t, c.Skipped)
	// Not the hash of the PEM text.
	assert.NotEqual(t, Sum(readFile(t, "sample-616.csr")), c.Hashes)
}

func TestParseDomains(t *testing.T) {
	tests := []struct {
		file    string
		domains []string
		skipped []string
	}{
		{"rsa-san.csr", []string{
			"www.example.com", "example.com", "*.example.com", "xn--mnchen-3ya.de",
			"shop.example.org", "mail.example.com", "api.example.com", "static.example.com",
			"autodiscover.example.com", "vpn.example.com", "www.example.org", "example.org",
		}, nil},
		{"ec-p256.csr", []string{"api.example.net"}, []string{"My Company", "192.0.2.7"}},
		{"ed25519.csr", []string{"xn--bcher-kva.example.com"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := Parse(readFile(t, tt.file))
			require.NoError(t, err)
			assert.Equal(t, tt.domains, c.Domains)
			assert.Equal(t, tt.skipped, c.Skipped)
		})
	}
}

func TestParseVariantsSameHashes(t *testing.T) {
	want, err := Parse(readFile(t, "rsa-san.csr"))
	require.NoError(t, err)
	base := readFile(t, "rsa-san.csr")
	variants := map[string][]byte{
		"der":            readFile(t, "rsa-san.der"),
		"new header":     readFile(t, "rsa-san-new-header.csr"),
		"crlf":           readFile(t, "rsa-san-crlf.csr"),
		"text around":    readFile(t, "rsa-san-text-around.csr"),
		"leading spaces": append([]byte("\n\n   \t"), base...),
		"no final EOL":   bytes.TrimRight(base, "\n"),
		"indented":       bytes.ReplaceAll(append([]byte("    "), base...), []byte("\n"), []byte("\n    ")),
		"same line":      append([]byte("CSR: "), base...),
		"with other block": append(append([]byte{}, readFile(t, "refuse-public-key.pem")...),
			base...),
	}
	for name, data := range variants {
		t.Run(name, func(t *testing.T) {
			c, err := Parse(data)
			require.NoError(t, err)
			assert.Equal(t, want.Hashes, c.Hashes)
			assert.Equal(t, want.DER, c.DER)
			assert.Equal(t, want.Domains, c.Domains)
		})
	}
	// Sanity: the variants really differ from the base file.
	assert.NotEqual(t, base, variants["crlf"])
	assert.True(t, bytes.Contains(variants["crlf"], []byte("\r\n")))
	assert.True(t, bytes.Contains(variants["new header"], []byte("BEGIN NEW CERTIFICATE REQUEST")))
}

// tampered returns the rsa-san DER with one byte of its signature flipped.
func tampered(t testing.TB) []byte {
	return flipped(readFile(t, "rsa-san.der"), -10) // the signature is the last element
}

// flipped returns a copy of der with the low bit of byte i flipped; a
// negative i counts from the end.
func flipped(der []byte, i int) []byte {
	out := bytes.Clone(der)
	if i < 0 {
		i += len(out)
	}
	out[i] ^= 0x01
	return out
}

func TestParseRefusals(t *testing.T) {
	pemOf := func(typ string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}) }
	csrPEM := readFile(t, "rsa-san.csr")
	badB64 := bytes.Replace(csrPEM, []byte("MII"), []byte("M!I"), 1)
	require.NotEqual(t, csrPEM, badB64)
	noEnd := csrPEM[:bytes.Index(csrPEM, []byte("-----END"))]
	// A CSR block holding a certificate's DER.
	certDER := readFile(t, "refuse-cert.der")
	der := readFile(t, "rsa-san.der")

	tests := []struct {
		name   string
		data   []byte
		kind   error
		found  string
		inText string
	}{
		{"empty", nil, ErrEmpty, "", "empty"},
		{"whitespace", []byte(" \r\n\t"), ErrEmpty, "", "empty"},
		{"too large", append(bytes.Repeat([]byte(" "), MaxSize), csrPEM...), ErrTooLarge, "", "limit"},
		{"PEM certificate", readFile(t, "refuse-cert.pem"), ErrNotCSR, "CERTIFICATE", "this is a certificate, not a CSR: give the CSR you generated the key with"},
		{"DER certificate", certDER, ErrNotCSR, "DER certificate", "this is a certificate, not a CSR"},
		{"certificate in CSR block", pemOf("CERTIFICATE REQUEST", certDER), ErrNotCSR, "DER certificate", "certificate"},
		{"private key", readFile(t, "refuse-private-key.pem"), ErrNotCSR, "PRIVATE KEY", "private key"},
		{"public key", readFile(t, "refuse-public-key.pem"), ErrNotCSR, "PUBLIC KEY", "public key"},
		{"DER public key", mustPEM(t, readFile(t, "refuse-public-key.pem")), ErrNotCSR, "DER public key", "public key"},
		{"DER private key", mustPEM(t, readFile(t, "refuse-private-key.pem")), ErrNotCSR, "DER private key", "private key"},
		{"other PEM type", pemOf("X509 CRL", []byte{0x30, 0x00}), ErrNotCSR, "X509 CRL", `"X509 CRL" is not a CSR`},
		{"garbage", []byte("hello, this is not a CSR"), ErrMalformed, "the data", "not a readable CSR"},
		{"garbage DER", []byte{0x30, 0x82, 0x01}, ErrMalformed, "the data", "not a readable CSR"},
		{"bad base64", badB64, ErrMalformed, "", "bad base64"},
		{"no END line", noEnd, ErrMalformed, "", "bad base64 or no END line"},
		{"CSR block with garbage", pemOf("CERTIFICATE REQUEST", []byte("garbage")), ErrMalformed, "the CERTIFICATE REQUEST block", "not a readable CSR"},
		{"two CSRs", append(append([]byte{}, csrPEM...), readFile(t, "ec-p256.csr")...), ErrMalformed, "", "2 CSR blocks"},
		{"DER with trailing data", append(readFile(t, "rsa-san.der"), 0), ErrMalformed, "the data", ""},
		{"bad signature DER", tampered(t), ErrSignature, "", "signature does not verify"},
		{"bad signature PEM", pemOf("CERTIFICATE REQUEST", tampered(t)), ErrSignature, "", "give the CSR exactly as generated"},
		{"bad signature, another byte", flipped(der, -5), ErrSignature, "", ""},
		{"bad signature, another byte, PEM", pemOf("CERTIFICATE REQUEST", flipped(der, -5)), ErrSignature, "", ""},
		{"DER with trailing garbage", append(bytes.Clone(der), 0, 1, 2), ErrMalformed, "", ""},
		{"PEM whose DER has trailing data", pemOf("CERTIFICATE REQUEST", append(bytes.Clone(der), 0)), ErrMalformed, "", ""},
		{"a CSR block and a NEW CSR block", append(pemOf("CERTIFICATE REQUEST", der), pemOf("NEW CERTIFICATE REQUEST", der)...), ErrMalformed, "", ""},
		{"PEM certificate's DER in a CSR block", pemOf("CERTIFICATE REQUEST", mustPEM(t, readFile(t, "refuse-cert.pem"))), ErrNotCSR, "", ""},
		{"one byte over the limit", append(pemOf("CERTIFICATE REQUEST", der), bytes.Repeat([]byte(" "), MaxSize)...), ErrTooLarge, "", ""},
		{"deeply nested BEGIN lines", []byte(strings.Repeat("-----BEGIN X-----\n", 3000)), ErrMalformed, "", ""},
		{"truncated DER", der[:len(der)/2], ErrMalformed, "", ""},
		{"lower-case type", pemOf("certificate request", der), ErrNotCSR, "", ""},
	}
	kinds := []error{ErrEmpty, ErrTooLarge, ErrNotCSR, ErrMalformed, ErrSignature}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *CSR
			var err error
			require.NotPanics(t, func() { c, err = Parse(tt.data) })
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, tt.kind)
			for _, k := range kinds {
				if k != tt.kind {
					assert.NotErrorIs(t, err, k)
				}
			}
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.kind, ie.Kind)
			if tt.found != "" {
				assert.Equal(t, tt.found, ie.Found)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "csrhash: "), err.Error())
			assert.Contains(t, err.Error(), tt.inText)
		})
	}
}

// mustPEM returns the bytes of the first PEM block in b.
func mustPEM(t testing.TB, b []byte) []byte {
	t.Helper()
	blk, _ := pem.Decode(b)
	require.NotNil(t, blk)
	return blk.Bytes
}

// A certificate block before the CSR does not hide it; the hashes are over
// the CSR's DER whatever surrounds it.
func TestParseFindsTheCSRAfterACertificate(t *testing.T) {
	der := readFile(t, "rsa-san.der")
	data := append(readFile(t, "refuse-cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})...)
	c, err := Parse(data)
	require.NoError(t, err)
	assert.Equal(t, Sum(der), c.Hashes)
}

func TestParseSignatureCause(t *testing.T) {
	_, err := Parse(tampered(t))
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	require.Error(t, ie.Err, "the x509 cause is kept")
	assert.ErrorIs(t, err, ie.Err)
}

func TestParseMaxSizeBoundary(t *testing.T) {
	pad := func(n int) []byte {
		csr := readFile(t, "rsa-san.csr")
		return append(bytes.Repeat([]byte("x"), n-len(csr)), csr...)
	}
	_, err := Parse(pad(MaxSize))
	assert.NoError(t, err)
	_, err = Parse(pad(MaxSize + 1))
	assert.ErrorIs(t, err, ErrTooLarge)
}

func TestInputErrorUnwrap(t *testing.T) {
	cause := errors.New("cause")
	e := &InputError{Kind: ErrMalformed, Found: "x", Err: cause}
	assert.ErrorIs(t, e, ErrMalformed)
	assert.ErrorIs(t, e, cause)
	assert.Contains(t, e.Error(), "(cause)")
	assert.Equal(t, []error{ErrBadToken}, (&InputError{Kind: ErrBadToken}).Unwrap())
}

func TestCoversNamesTheCSRAndTheirParents(t *testing.T) {
	c, err := Parse(readFile(t, "ec-p256.csr")) // api.example.net
	require.NoError(t, err)
	for name, want := range map[string]bool{
		"api.example.net":   true,
		"API.Example.NET.":  true, // normalized first
		"*.api.example.net": true, // the wildcard of a listed name
		"example.net":       true, // a parent: an ADN the BR allow
		"www.example.net":   false,
		"x.api.example.net": false, // a child is not covered
		"pi.example.net":    false, // a suffix of a label is not a parent
		"net":               false, // not a valid domain
		"":                  false,
		"My Company":        false,
		"192.0.2.7":         false,
		"other.example.com": false,
		"*.example.net":     true, // validated at example.net, a parent
	} {
		assert.Equal(t, want, c.Covers(name), name)
	}
	var none *CSR
	assert.False(t, none.Covers("example.net"))
}
