package verify_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// An empty expected CNAME target is bad input, even when the record
// points at the root (which is what "" with a dot added names).
func TestRedteamEmptyCNAMETarget(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`_x.example.com. 60 IN CNAME .`)
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: z}
	for _, want := range []string{"", " ", ".", " . "} {
		r, err := v.VerifyCNAME(context.Background(), "_x.example.com", want)
		require.Error(t, err, "%q", want)
		assert.ErrorIs(t, err, verify.ErrBadInput)
		assert.NotEqual(t, verify.Verified, r.Outcome)
	}
}
