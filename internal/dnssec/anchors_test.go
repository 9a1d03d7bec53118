package dnssec_test

import (
	"strings"
	"testing"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyMatchesKnownDS: the DS lines were computed by testdata/ds_digest.py
// with hashlib, not by the code under test.
func TestKeyMatchesKnownDS(t *testing.T) {
	anchors, err := dnssec.ParseAnchors(strings.NewReader(`
lab.example. IN DS 2371 13 2 1C85C44C2CD6A191F497ABF2533FE4CDA7D6467E5F12583D6D467C9F9BDF82B6
lab.example. IN DS 2371 13 4 B99FE5FAFEE6CB188554C9823D40E126C38C84985009BBC0FD827C1ADCA8297D69796BE13AB55C667421489535198BC0
`))
	require.NoError(t, err)
	rr, err := dns.NewRR("lab.example. IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==")
	require.NoError(t, err)
	key := rr.(*dns.DNSKEY)
	assert.EqualValues(t, 2371, key.KeyTag())
	for _, a := range anchors {
		assert.True(t, dnssec.KeyMatches(key, []*dns.DS{a.(*dns.DS)}, nil), "%s", a)
	}
	other := *key
	other.PublicKey = "AAAA" + key.PublicKey[4:]
	for _, a := range anchors {
		assert.False(t, dnssec.KeyMatches(&other, []*dns.DS{a.(*dns.DS)}, nil), "%s", a)
	}
	assert.True(t, dnssec.KeyMatches(key, nil, []*dns.DNSKEY{key}))
	assert.False(t, dnssec.KeyMatches(&other, nil, []*dns.DNSKEY{key}))
}
