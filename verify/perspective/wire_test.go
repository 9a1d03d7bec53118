package perspective

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The vectors are from testdata/signature_vectors.py (Python hmac).
func TestSignatureKnownAnswers(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	body := []byte(`{"version":2}`)
	digest := bodyDigest(body)
	assert.Equal(t, "732322c128ed67841ef5aa42c7cd04ffcd74a61b2d17d710cd502b713d62930d", digest)
	req := requestMAC(key, "POST", "/v2/check", "https://mpic-eu.example.net", "1700000000", "nonce-nonce-nonce-0", digest)
	assert.Equal(t, "0cd687d6f10d12b865a5246f9dbb097d76e4103242b406b8431d7a56d8ac0df3", hex.EncodeToString(req))
	resp := responseMAC(key, 200, "https://mpic-eu.example.net", "nonce-nonce-nonce-0", "1700000001", body)
	assert.Equal(t, "4c928617f1b940e10386bc35beba40d1457ae290a8c95a0e13fee624e578c84a", hex.EncodeToString(resp))
}

func TestSignatureCoversEveryPart(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	const id, d = "https://a.example", "00"
	base := requestMAC(key, "POST", "/v2/check", id, "1700000000", "nonce-nonce-nonce", d)
	for name, other := range map[string][]byte{
		"method":    requestMAC(key, "PUT", "/v2/check", id, "1700000000", "nonce-nonce-nonce", d),
		"path":      requestMAC(key, "POST", "/v3/check", id, "1700000000", "nonce-nonce-nonce", d),
		"identity":  requestMAC(key, "POST", "/v2/check", "https://b.example", "1700000000", "nonce-nonce-nonce", d),
		"timestamp": requestMAC(key, "POST", "/v2/check", id, "1700000001", "nonce-nonce-nonce", d),
		"nonce":     requestMAC(key, "POST", "/v2/check", id, "1700000000", "nonce-nonce-noncf", d),
		"digest":    requestMAC(key, "POST", "/v2/check", id, "1700000000", "nonce-nonce-nonce", "01"),
		"key":       requestMAC([]byte("0123456789abcdef0123456789abcdeF"), "POST", "/v2/check", id, "1700000000", "nonce-nonce-nonce", d),
		"response":  responseMAC(key, 200, id, "nonce-nonce-nonce", "1700000000", nil),
	} {
		assert.NotEqual(t, base, other, name)
	}
	r := responseMAC(key, 200, id, "n", "1", []byte("{}"))
	assert.NotEqual(t, r, responseMAC(key, 200, "https://b.example", "n", "1", []byte("{}")), "identity")
	assert.NotEqual(t, r, responseMAC(key, 203, id, "n", "1", []byte("{}")), "status")
	assert.NotEqual(t, r, responseMAC(key, 200, id, "n", "1", []byte("{ }")), "body")

	assert.True(t, validSignature(formatSignature(base), base))
	assert.False(t, validSignature("hmac-sha256=00", base))
	assert.False(t, validSignature(formatSignature(base)[len(sigPrefix):], base))
}

func TestHeaderForms(t *testing.T) {
	for s, ok := range map[string]bool{"0": true, "1700000000": true, "": false, "+1700000000": false, "-1": false, "1e9": false, "1234567890123": false} {
		_, got := parseTimestamp(s)
		assert.Equal(t, ok, got, s)
	}
	for s, ok := range map[string]bool{"AAAAAAAAAAAAAAAA": true, "abc_-0123456789xyz": true, "short": false, "with space 123456": false, "ümlaut0123456789": false} {
		assert.Equal(t, ok, validNonce(s), s)
	}
	for s, ok := range map[string]bool{bodyDigest(nil): true, "": false, "AB" + bodyDigest(nil)[2:]: false, bodyDigest(nil)[1:]: false} {
		assert.Equal(t, ok, validDigest(s), s)
	}
	for s, ok := range map[string]bool{"https://a.example": true, "https://a.example/": false, "HTTPS://a.example": false, "https://a.example:443": false, "https://a.example\n": false, "": false} {
		assert.Equal(t, ok, validIdentity(s), s)
	}
	assert.True(t, otherVersion("/v1/check"))
	assert.True(t, otherVersion("/prefix/v10/check"))
	assert.False(t, otherVersion("/v/check"))
	assert.False(t, otherVersion("/vx/check"))
	assert.False(t, otherVersion("/check"))
}
