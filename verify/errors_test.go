package verify_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dcvkit/dcv/verify"
)

// Every kind has a code, a hint and an outcome; codes are unique and map
// back to their kind.
func TestKindTable(t *testing.T) {
	all := []error{verify.ErrNotFound, verify.ErrMismatch, verify.ErrNotPropagated, verify.ErrHTTPStatus, verify.ErrRedirect, verify.ErrContentMismatch,
		verify.ErrExpired, verify.ErrCodeMismatch, verify.ErrLookup, verify.ErrTimeout, verify.ErrConnection, verify.ErrTLS, verify.ErrBodyTooLarge,
		verify.ErrAddressRefused, verify.ErrPortNotAllowed, verify.ErrBadInput}
	assert.Len(t, verify.Kinds, len(all))
	seen := map[string]bool{}
	for _, k := range all {
		e := verify.NewError(k, "example.com", nil)
		code := verify.KindCode(e)
		assert.NotEmpty(t, code, k)
		assert.False(t, seen[code], code)
		seen[code] = true
		assert.Equal(t, k, verify.KindByCode(code))
		assert.NotEmpty(t, e.Hint, k)
		assert.NotEqual(t, verify.Verified, verify.OutcomeOf(e), k)
	}
	assert.Equal(t, verify.NotVerified, verify.OutcomeOf(verify.NewError(verify.ErrNotFound, "x", nil)))
	assert.Equal(t, verify.Undecided, verify.OutcomeOf(verify.NewError(verify.ErrTimeout, "x", nil)))
	assert.Nil(t, verify.KindByCode("no_such_code"))
	assert.Empty(t, verify.KindCode(assert.AnError))
	assert.Equal(t, verify.Undecided, verify.OutcomeOf(assert.AnError), "unknown errors never pass")
}
