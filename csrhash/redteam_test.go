package csrhash

import (
	"bytes"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rtDER(t *testing.T) []byte {
	t.Helper()
	b, _ := pem.Decode(readFile(t, "rsa-san.csr"))
	require.NotNil(t, b)
	return b.Bytes
}

func rtPEM(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestRedteamParseRefusals(t *testing.T) {
	der := rtDER(t)
	badSig := bytes.Clone(der)
	badSig[len(badSig)-5] ^= 0x01 // inside the signature bit string
	cert := readFile(t, "refuse-cert.pem")
	cases := map[string]struct {
		data []byte
		kind error
	}{
		"DER with trailing garbage":       {append(bytes.Clone(der), 0, 1, 2), ErrMalformed},
		"PEM whose DER has trailing data": {rtPEM("CERTIFICATE REQUEST", append(bytes.Clone(der), 0)), ErrMalformed},
		"bad signature":                   {badSig, ErrSignature},
		"bad signature in PEM":            {rtPEM("CERTIFICATE REQUEST", badSig), ErrSignature},
		"two CSR blocks":                  {append(rtPEM("CERTIFICATE REQUEST", der), rtPEM("NEW CERTIFICATE REQUEST", der)...), ErrMalformed},
		"certificate in a CSR block":      {rtPEM("CERTIFICATE REQUEST", mustBlock(t, cert)), ErrNotCSR},
		"one byte over the limit":         {append(rtPEM("CERTIFICATE REQUEST", der), bytes.Repeat([]byte(" "), MaxSize)...), ErrTooLarge},
		"deeply nested BEGIN lines":       {[]byte(strings.Repeat("-----BEGIN X-----\n", 3000)), ErrMalformed},
		"truncated DER":                   {der[:len(der)/2], ErrMalformed},
		"lower-case type":                 {rtPEM("certificate request", der), ErrNotCSR},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := Parse(tc.data)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.Nil(t, c)
		})
	}
}

func mustBlock(t *testing.T, p []byte) []byte {
	b, _ := pem.Decode(p)
	require.NotNil(t, b)
	return b.Bytes
}

// A certificate block before the CSR does not hide it; the hashes are over
// the CSR's DER whatever surrounds it.
func TestRedteamParseCertificateFirst(t *testing.T) {
	der := rtDER(t)
	data := append(readFile(t, "refuse-cert.pem"), rtPEM("CERTIFICATE REQUEST", der)...)
	c, err := Parse(data)
	require.NoError(t, err)
	assert.Equal(t, Sum(der), c.Hashes)
}

func TestRedteamCNAMENames(t *testing.T) {
	h := Sum(rtDER(t))
	for _, d := range []string{"xn--zz.example.com", strings.Repeat("a", 64) + ".example.com", "exa mple.com", "_x.example.com", "com", "*.*.example.com", "example..com"} {
		_, _, err := h.CNAME(d, CASSL, "")
		assert.ErrorIs(t, err, ErrBadDomain, d)
	}
	name, target, err := h.CNAME("WWW.Example.COM.", CASSL, "")
	require.NoError(t, err)
	assert.Equal(t, "_"+h.MD5+".www.example.com.", name)
	assert.True(t, strings.HasSuffix(target, ".ssl.com."))
	name, _, err = h.CNAME("*.example.com", CASSL, "")
	require.NoError(t, err)
	assert.Equal(t, "_"+h.MD5+".example.com.", name, "a wildcard is validated at its base")
}
