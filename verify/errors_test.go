package verify

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every kind has a code, a hint and an outcome; codes are unique and map
// back to their kind.
func TestKindTable(t *testing.T) {
	all := []error{ErrNotFound, ErrMismatch, ErrNotPropagated, ErrHTTPStatus, ErrRedirect, ErrContentMismatch,
		ErrExpired, ErrCodeMismatch, ErrLookup, ErrTimeout, ErrConnection, ErrTLS, ErrBodyTooLarge,
		ErrAddressRefused, ErrPortNotAllowed, ErrBadInput,
		ErrALPNProtocol, ErrALPNCertificate, ErrPersistDenied, ErrPersistMalformed}
	assert.Len(t, kinds, len(all))
	seen := map[string]bool{}
	for _, k := range all {
		e := newError(k, "example.com", nil)
		code := KindCode(e)
		assert.NotEmpty(t, code, k)
		assert.False(t, seen[code], code)
		seen[code] = true
		assert.Equal(t, k, KindByCode(code))
		assert.NotEmpty(t, e.Hint, k)
		assert.NotEqual(t, Verified, OutcomeOf(e), k)
	}
	assert.Equal(t, NotVerified, OutcomeOf(newError(ErrNotFound, "x", nil)))
	assert.Equal(t, Undecided, OutcomeOf(newError(ErrTimeout, "x", nil)))
	assert.Nil(t, KindByCode("no_such_code"))
	assert.Empty(t, KindCode(assert.AnError))
	assert.Equal(t, Undecided, OutcomeOf(assert.AnError), "unknown errors never pass")
}
