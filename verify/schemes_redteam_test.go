package verify_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
)

// hangUp completes the request's TLS handshake and closes the connection
// without an answer.
func hangUp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			c.Close()
		}
	})
}

// garbage answers with bytes that are not HTTP.
func garbage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c, buf, err := w.(http.Hijacker).Hijack()
		if err == nil {
			buf.WriteString("SSH-2.0-OpenSSH_9.6\r\n\r\n")
			buf.Flush()
			c.Close()
		}
	})
}

// Alibaba rule: only "nothing listens on 443" lets https be skipped. An
// HTTPS site that answers and then breaks is an HTTPS site that does not
// serve the file.
func TestRedteamHTTPSIfServedOnlyRefusedIsSkipped(t *testing.T) {
	c, err := builder().File("shop.example.com")
	require.NoError(t, err)
	ok := files(map[string]string{c.File.Path: c.File.Content})
	for name, h := range map[string]http.Handler{"hang up after TLS": hangUp(), "not HTTP": garbage()} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.site(t, "shop.example.com", "127.0.0.1", ok, h)
			r, err := e.v.Verify(context.Background(), c)
			require.Error(t, err)
			assert.NotEqual(t, verify.Verified, r.Outcome)
		})
	}
	t.Run("TLS handshake failure", func(t *testing.T) {
		e := newEnv(t)
		e.site(t, "shop.example.com", "127.0.0.1", ok, nil)
		e.web.serve(t, "127.0.0.1:443", ok, false) // plain HTTP on 443
		r, err := e.v.Verify(context.Background(), c)
		assert.ErrorIs(t, err, verify.ErrTLS)
		assert.Equal(t, verify.Undecided, r.Outcome)
	})
	t.Run("refused is skipped", func(t *testing.T) {
		e := newEnv(t)
		e.site(t, "shop.example.com", "127.0.0.1", ok, nil)
		_, err := e.v.Verify(context.Background(), c)
		assert.NoError(t, err)
	})
}

// A host listed only with https URLs has no http URL to stand for it:
// refused connections cannot make it pass.
func TestRedteamHTTPSIfServedWithoutHTTPURL(t *testing.T) {
	e := newEnv(t)
	e.zone.MustAdd("example.com. 300 IN A 127.0.0.1")
	urls := []string{"https://example.com/.well-known/pki-validation/a.txt", "https://example.com/.well-known/pki-validation/b.txt"}
	e.v.Files.Schemes = verify.HTTPSIfServed
	r, err := e.v.VerifyFiles(context.Background(), urls, "value")
	require.Error(t, err)
	assert.ErrorIs(t, err, verify.ErrConnection)
	assert.NotEqual(t, verify.Verified, r.Outcome)
}
