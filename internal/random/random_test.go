package random

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValue(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		v, err := Source{}.Value()
		require.NoError(t, err)
		require.Len(t, v, 26) // ceil(128/5)
		assert.Empty(t, strings.Trim(v, "abcdefghijklmnopqrstuvwxyz234567"), v)
		assert.False(t, seen[v])
		seen[v] = true
	}
	// All 128 bits reach the value: the last byte changes the output.
	a, _ := Source{Reader: bytes.NewReader(make([]byte, 16))}.Value()
	b, _ := Source{Reader: bytes.NewReader(append(make([]byte, 15), 1))}.Value()
	assert.NotEqual(t, a, b)
}

func TestToken(t *testing.T) {
	tok, err := Source{}.Token()
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	require.NoError(t, err)
	assert.Len(t, raw, Bits/8)
}

func TestShortSourceFails(t *testing.T) {
	_, err := Source{Reader: bytes.NewReader(make([]byte, 15))}.Value()
	assert.Error(t, err)
	_, err = Source{Reader: bytes.NewReader(nil)}.Token()
	assert.Error(t, err)
}

func TestIsValue(t *testing.T) {
	v, err := Source{}.Value()
	require.NoError(t, err)
	assert.True(t, IsValue(v))
	assert.True(t, IsValue(strings.Repeat("a", 26)))
	for _, bad := range []string{"", strings.Repeat("a", 25), strings.Repeat("a", 27), strings.ToUpper(v),
		"0" + v[1:], "customer-blog.victim.com", v[:25] + "="} {
		assert.False(t, IsValue(bad), bad)
	}
	// The last character carries only 3 bits: a form with the low bits set
	// is not what Value draws.
	assert.False(t, IsValue(strings.Repeat("a", 25)+"b"))
}
