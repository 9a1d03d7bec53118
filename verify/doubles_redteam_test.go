package verify_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
)

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// A broken HTTPDoer or ServerExchanger (nil response, no error; nil body)
// is a failed check, not a panic.
func TestRedteamBrokenDoubles(t *testing.T) {
	urls := []string{"http://example.com/f.txt"}
	for name, d := range map[string]verify.HTTPDoer{
		"nil response": doerFunc(func(*http.Request) (*http.Response, error) { return nil, nil }),
		"nil body":     doerFunc(func(*http.Request) (*http.Response, error) { return &http.Response{StatusCode: 200}, nil }),
	} {
		t.Run(name, func(t *testing.T) {
			v := &verify.Verifier{DNSSEC: verify.DNSSECOff, HTTP: d}
			var r *verify.Result
			var err error
			require.NotPanics(t, func() { r, err = v.VerifyFiles(context.Background(), urls, "value") })
			require.Error(t, err)
			assert.NotEqual(t, verify.Verified, r.Outcome)
		})
	}
	t.Run("nil DNS answer from an authoritative server", func(t *testing.T) {
		nilSX := sxFunc(func(context.Context, *dns.Msg, string) (*dns.Msg, error) { return nil, nil })
		v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: rtRecursive(), Authoritative: &verify.AuthOptions{Servers: nilSX}}
		var r *verify.Result
		var err error
		require.NotPanics(t, func() { r, err = v.VerifyTXT(context.Background(), "_dnsauth.example.com", "v") })
		require.Error(t, err)
		assert.Equal(t, verify.Undecided, r.Outcome)
	})
}

type sxFunc func(context.Context, *dns.Msg, string) (*dns.Msg, error)

func (f sxFunc) ExchangeServer(ctx context.Context, m *dns.Msg, s string) (*dns.Msg, error) {
	return f(ctx, m, s)
}
