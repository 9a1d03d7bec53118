package verify_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Time bounds (issue 9): no check hangs, whatever the server does and
// whether or not the caller's context has a deadline.

// within returns f's error, failing the test if f has not returned after d:
// a test of a time bound must fail, not hang, on code without the bound.
func within(t *testing.T, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still running after %s: no time bound", d)
		return nil
	}
}

// TestHTTPClientTimeoutBoundsBody: a server that sends 200 with
// Content-Length 64 and stalls cannot hold a fetch whose context has no
// deadline; HTTPClient.Timeout bounds the whole request, body included.
func TestHTTPClientTimeoutBoundsBody(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	s.client.Timeout = 200 * time.Millisecond
	for _, u := range []string{"http://example.com/stall", "https://example.com/stall", "http://example.com/hang"} {
		err := within(t, 10*time.Second, func() error {
			_, err := verify.Fetch(context.Background(), s.client, u, verify.NoRedirects, 0)
			return err
		})
		requireKind(t, err, verify.ErrTimeout)
		assert.Equal(t, verify.Undecided, verify.OutcomeOf(err))
	}
}

// TestHTTPClientDefaultTimeout: the zero HTTPClient bounds each Do by
// DefaultFetchTimeout, starting with its DNS lookup.
func TestHTTPClientDefaultTimeout(t *testing.T) {
	ex := &deadlineSpy{}
	c := &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: ex}
	req, err := http.NewRequest(http.MethodGet, "http://example.com/", nil)
	require.NoError(t, err)
	_, err = c.Do(req)
	require.Error(t, err)
	assert.InDelta(t, verify.DefaultFetchTimeout.Seconds(), ex.left().Seconds(), 2)
}

// stallBody blocks every Read until Close, as a doer's body that ignores
// the request's context would.
type stallBody struct{ closed chan struct{} }

func (b *stallBody) Read([]byte) (int, error) { <-b.closed; return 0, errors.New("closed") }
func (b *stallBody) Close() error {
	select {
	case <-b.closed:
	default:
		close(b.closed)
	}
	return nil
}

// stallDoer answers 200 with Content-Length 64 and a body that stalls.
type stallDoer struct{}

func (stallDoer) Do(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, ContentLength: 64, Body: &stallBody{closed: make(chan struct{})}}, nil
}

// TestFetchContextBoundsAnyDoersBody: fetch stops reading when its context
// ends even if the doer's body ignores the context.
func TestFetchContextBoundsAnyDoersBody(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	err := within(t, 10*time.Second, func() error {
		_, err := verify.Fetch(ctx, stallDoer{}, "http://example.com/x", verify.NoRedirects, 0)
		return err
	})
	requireKind(t, err, verify.ErrTimeout)
}

// deadlineSpy records how far off the deadline of the last query was, and
// fails every query.
type deadlineSpy struct {
	mu   sync.Mutex
	last time.Duration
}

func (s *deadlineSpy) Exchange(ctx context.Context, _ *dns.Msg) (*dns.Msg, error) {
	left := time.Duration(-1)
	if dl, ok := ctx.Deadline(); ok {
		left = time.Until(dl)
	}
	s.mu.Lock()
	s.last = left
	s.mu.Unlock()
	return nil, errors.New("no DNS here")
}

func (s *deadlineSpy) left() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// TestVerifierDefaultDeadline: a check whose context has no deadline gets
// Verifier.Timeout (0: DefaultTimeout); a caller's deadline is kept.
func TestVerifierDefaultDeadline(t *testing.T) {
	spy := &deadlineSpy{}
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: spy}
	_, err := v.VerifyTXT(context.Background(), "_dnsauth.example.com", "v")
	require.Error(t, err)
	assert.InDelta(t, verify.DefaultTimeout.Seconds(), spy.left().Seconds(), 2)

	v.Timeout = time.Minute
	_, err = v.VerifyCNAME(context.Background(), "_x.example.com", "t.example.net")
	require.Error(t, err)
	assert.InDelta(t, time.Minute.Seconds(), spy.left().Seconds(), 2)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = v.VerifyTXT(ctx, "_dnsauth.example.com", "v")
	require.Error(t, err)
	assert.InDelta(t, 5, spy.left().Seconds(), 1, "the caller's deadline wins")
}

// TestVerifyStalledFileWithoutDeadline: Verify with a context without a
// deadline ends (undecided) when the server stalls after its headers.
func TestVerifyStalledFileWithoutDeadline(t *testing.T) {
	var b challenge.Builder
	key, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	c, err := b.ACMEHTTP01("example.com", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key)
	require.NoError(t, err)
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, HTTP: stallDoer{}, Timeout: 200 * time.Millisecond}
	var r *verify.Result
	err = within(t, 10*time.Second, func() (err error) {
		r, err = v.Verify(context.Background(), c)
		return err
	})
	requireKind(t, err, verify.ErrTimeout)
	assert.Equal(t, verify.Undecided, r.Outcome)
}
