package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's main command: every challenge is printed, published on
// loopback and verified.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	s := out.String()
	for _, want := range []string{"MD5:", "host record: _dnsauth", "fileauth.txt", "hash-cname", "admin@example.com",
		"acme-http-01", "order: verified", "not verified: verify: _dnsauth.shop.example.com: record not found", "hint: add the record exactly as shown"} {
		assert.Contains(t, s, want)
	}
	assert.NotContains(t, s, "could not decide")
}
