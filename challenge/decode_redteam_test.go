package challenge_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
)

// Tampered file challenges: every URL must be exactly what the method
// fetches, on the method's own path, with nothing a server could read as
// another resource (query, userinfo, port, fragment).
func TestRedteamDecodeFileTampering(t *testing.T) {
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
		_, err := challenge.Decode(data)
		assert.ErrorIs(t, err, challenge.ErrBadChallenge, name)
	}
}

func TestRedteamDecodeRecordTampering(t *testing.T) {
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
