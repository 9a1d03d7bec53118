package challenge_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
)

// BR 3.2.2.4.4, .18 and .19: a random value for the email and file
// methods is used for at most 30 days.
func TestRedteamDecodeLifetime(t *testing.T) {
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
