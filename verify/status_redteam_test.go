package verify_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
)

// 206 Partial Content is part of a resource (and was never asked for):
// it must not pass for the file.
func TestRedteamPartialContent(t *testing.T) {
	e := newEnv(t)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Range", "bytes 0-4/100")
		w.WriteHeader(http.StatusPartialContent)
		fmt.Fprint(w, "value")
	})
	e.site(t, "example.com", "127.0.0.1", h, nil)
	r, err := e.v.VerifyFiles(context.Background(), []string{"http://example.com/f.txt"}, "value")
	require.Error(t, err)
	assert.ErrorIs(t, err, verify.ErrHTTPStatus)
	assert.Equal(t, verify.NotVerified, r.Outcome)
}
