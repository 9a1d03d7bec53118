package perspective_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dcvkit/dcv/verify/perspective"
)

func TestRedteamConfigEdges(t *testing.T) {
	ctx := ctx5s(t)
	// Zero remotes is a configuration error, never "corroborated by none".
	for _, rs := range [][]perspective.Perspective{nil, {}} {
		rep, err := (&perspective.Corroborator{Primary: pass("p", "")}).Run(ctx, txtCheck())
		_ = rs
		assert.ErrorIs(t, err, perspective.ErrConfig)
		assert.Nil(t, rep)
	}
	// Typed nil perspectives are refused, not dereferenced.
	for name, p := range map[string]perspective.Perspective{
		"nil remote": (*perspective.Remote)(nil),
		"nil local":  (*perspective.Local)(nil),
		"nil fake":   (*fake)(nil),
	} {
		assert.NotPanics(t, func() {
			_, err := (&perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{pass("r", ""), p}}).Run(ctx, txtCheck())
			assert.ErrorIs(t, err, perspective.ErrConfig, name)
		}, name)
		assert.NotPanics(t, func() {
			_, err := (&perspective.Corroborator{Primary: p, Remotes: []perspective.Perspective{pass("r", "")}}).Run(ctx, txtCheck())
			assert.ErrorIs(t, err, perspective.ErrConfig, name)
		}, name)
	}
	// Negative minimums.
	_, err := (&perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{pass("r", "")}, Policy: perspective.Policy{MinRegions: -1}}).Run(ctx, txtCheck())
	assert.ErrorIs(t, err, perspective.ErrConfig)
}
