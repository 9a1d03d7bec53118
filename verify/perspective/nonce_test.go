package perspective

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNonceCache(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	c := newNonceCache(3)
	require.NoError(t, c.add("a", t0.Add(time.Minute), t0))
	assert.ErrorIs(t, c.add("a", t0.Add(time.Minute), t0.Add(time.Second)), ErrReplay)
	require.NoError(t, c.add("b", t0.Add(2*time.Minute), t0))
	require.NoError(t, c.add("c", t0.Add(30*time.Second), t0))
	// Full of unexpired nonces: refuse rather than forget one.
	assert.ErrorIs(t, c.add("d", t0.Add(time.Minute), t0), ErrBusy)
	assert.ErrorIs(t, c.add("a", t0.Add(time.Minute), t0), ErrReplay)
	assert.Equal(t, 3, c.len())

	// c expires at +30s, a at +60s: each frees one place when due.
	require.NoError(t, c.add("d", t0.Add(3*time.Minute), t0.Add(30*time.Second)))
	assert.ErrorIs(t, c.add("e", t0.Add(3*time.Minute), t0.Add(59*time.Second)), ErrBusy)
	assert.ErrorIs(t, c.add("a", t0.Add(3*time.Minute), t0.Add(59*time.Second)), ErrReplay)
	require.NoError(t, c.add("e", t0.Add(3*time.Minute), t0.Add(60*time.Second)))
	assert.Equal(t, 3, c.len())

	// Once everything expired, the cache is empty again.
	require.NoError(t, c.add("z", t0.Add(10*time.Minute), t0.Add(5*time.Minute)))
	assert.Equal(t, 1, c.len())
}

func TestNonceCacheBounded(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	c := newNonceCache(100)
	for i := range 1000 {
		now := t0.Add(time.Duration(i) * time.Second)
		err := c.add(fmt.Sprint(i), now.Add(60*time.Second), now)
		require.NoError(t, err, "at %d", i) // 60 live at most
		assert.LessOrEqual(t, c.len(), 61)
	}
}
