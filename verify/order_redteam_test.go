package verify_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
)

// An order with nothing in it verifies nothing.
func TestRedteamEmptyOrder(t *testing.T) {
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff}
	for _, items := range [][]verify.OrderItem{nil, {}} {
		r, err := v.VerifyOrder(context.Background(), items)
		require.Error(t, err)
		assert.ErrorIs(t, err, verify.ErrBadInput)
		assert.NotEqual(t, verify.Verified, r.Outcome)
	}
}
