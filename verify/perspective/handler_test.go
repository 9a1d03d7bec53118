package perspective_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// recorder is a transport that keeps a copy of every request it sends.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(context.Background()))
	r.body = append(r.body, b)
	r.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(b))
	return http.DefaultTransport.RoundTrip(req)
}

// resend sends the i-th recorded request again, byte for byte, to base
// ("" for where it went).
func (r *recorder) resend(t *testing.T, i int, base string) *http.Response {
	t.Helper()
	r.mu.Lock()
	req := r.reqs[i].Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(r.body[i]))
	r.mu.Unlock()
	if base != "" {
		u, err := req.URL.Parse(base + req.URL.Path)
		require.NoError(t, err)
		req.URL, req.Host = u, u.Host
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func errorCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	var body struct {
		Version int
		Error   struct{ Code, Message string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Equal(t, perspective.Version, body.Version)
	assert.NotEmpty(t, body.Error.Message)
	return body.Error.Code
}

func ctx5s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const rawBody = `{"version":2,"timeout_ms":1000,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`

// countingHandler serves h (with testKey and a Local over an in-memory
// zone) on loopback: a check that runs shows up in zone.TotalQueries().
func countingHandler(t *testing.T, h *perspective.Handler) (*httptest.Server, *verifytest.Zone) {
	t.Helper()
	zone := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)
	h.Key = testKey
	h.Local = &perspective.Local{Label: "counting", Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}}
	return serveHandler(t, h), zone
}

// rawReq is a request built by hand, its parts signed as given: each
// sign* field, if set, is what the signature covers instead of what is
// sent.
type rawReq struct {
	method, path                 string
	signMethod, signPath, signTo string
	to                           string // Dcv-Perspective; "" means the server's URL
	ts, nonce                    string
	body, signBody               []byte
	extra                        http.Header
	noSig                        bool
	sigOverride                  string
}

var nonceSeq atomic.Int64

func freshNonce() string {
	return fmt.Sprintf("test-nonce-%012d-%d", nonceSeq.Add(1), time.Now().UnixNano()%1000000)
}

// headers fills the defaults and returns the request's headers.
func (r *rawReq) headers(base string) http.Header {
	if r.method == "" {
		r.method = http.MethodPost
	}
	if r.path == "" {
		r.path = perspective.CheckPath
	}
	if r.signMethod == "" {
		r.signMethod = r.method
	}
	if r.signPath == "" {
		r.signPath = r.path
	}
	if r.to == "" {
		r.to = base
	}
	if r.signTo == "" {
		r.signTo = r.to
	}
	if r.ts == "" {
		r.ts = strconv.FormatInt(time.Now().Unix(), 10)
	}
	if r.nonce == "" {
		r.nonce = freshNonce()
	}
	if r.body == nil {
		r.body = []byte(rawBody)
	}
	if r.signBody == nil {
		r.signBody = r.body
	}
	h := http.Header{}
	h.Set(perspective.HeaderTimestamp, r.ts)
	h.Set(perspective.HeaderNonce, r.nonce)
	h.Set(perspective.HeaderPerspective, r.to)
	h.Set(perspective.HeaderBodyDigest, perspective.BodyDigest(r.signBody))
	if !r.noSig {
		sig := perspective.SignRequest(testKey, r.signMethod, r.signPath, r.signTo, r.ts, r.nonce, r.signBody)
		if r.sigOverride != "" {
			sig = r.sigOverride
		}
		h.Set(perspective.HeaderSignature, sig)
	}
	for k, vs := range r.extra {
		h[k] = vs
	}
	return h
}

func (r rawReq) send(t *testing.T, base string) *http.Response {
	t.Helper()
	h := r.headers(base)
	req, err := http.NewRequest(r.method, base+r.path, bytes.NewReader(r.body))
	require.NoError(t, err)
	req.Header = h
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// wire writes r's request line and headers (plus extra header lines) on
// a raw connection, and no body.
func (r rawReq) wire(base, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: x\r\n", perspective.CheckPath)
	for k, vs := range r.headers(base) {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	return b.String() + extra + "\r\n"
}

// rawPost writes a hand-made HTTP/1.1 request and returns the status.
func rawPost(t *testing.T, srv *httptest.Server, head string, body []byte) int {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = io.WriteString(c, head)
	require.NoError(t, err)
	_, _ = c.Write(body) // the server may stop reading early
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestHandlerRefusesWrongKey(t *testing.T) {
	fx := newFixture(t)
	s := newSite(t, "eu-1", "RIPE", fx.honest)
	r := s.serve(t, []byte("another-key-another-key-another-key"))
	_, err := r.Run(ctx5s(t), dcvCheck(fx.txt))
	require.ErrorIs(t, err, perspective.ErrUnauthenticated)
	var re *perspective.RemoteError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, http.StatusUnauthorized, re.Status)
	assert.Equal(t, "unauthenticated", re.Code)
	assert.Equal(t, 1, strings.Count(err.Error(), "not authenticated"), "said once: %v", err)
	assert.Equal(t, 1, strings.Count(err.Error(), "perspective: "), "one prefix: %v", err)
	assert.Equal(t, 0, s.zone.TotalQueries(), "no check runs for an unauthenticated request")

	// A short key is refused before anything is sent.
	r.Key = []byte("short")
	_, err = r.Run(ctx5s(t), dcvCheck(fx.txt))
	assert.ErrorIs(t, err, perspective.ErrWeakKey)
}

func TestHandlerRefusesUnsignedAndTampered(t *testing.T) {
	fx := newFixture(t)
	s := newSite(t, "eu-1", "RIPE", fx.honest)
	rec := &recorder{}
	r := s.serve(t, testKey)
	r.Client = &http.Client{Transport: rec}
	_, err := r.Run(ctx5s(t), dcvCheck(fx.txt))
	require.NoError(t, err)
	before := s.zone.TotalQueries()

	send := func(mutate func(*http.Request, []byte) []byte) *http.Response {
		rec.mu.Lock()
		req := rec.reqs[0].Clone(context.Background())
		body := mutate(req, bytes.Clone(rec.body[0]))
		rec.mu.Unlock()
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		resp, err := http.DefaultTransport.RoundTrip(req)
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	changed := func(b []byte) []byte {
		return bytes.Replace(b, []byte(fx.txt.Record.Value), []byte("attacker-value"), 1)
	}
	for name, mutate := range map[string]func(*http.Request, []byte) []byte{
		"no signature":   func(r *http.Request, b []byte) []byte { r.Header.Del(perspective.HeaderSignature); return b },
		"no nonce":       func(r *http.Request, b []byte) []byte { r.Header.Del(perspective.HeaderNonce); return b },
		"no timestamp":   func(r *http.Request, b []byte) []byte { r.Header.Del(perspective.HeaderTimestamp); return b },
		"no perspective": func(r *http.Request, b []byte) []byte { r.Header.Del(perspective.HeaderPerspective); return b },
		"no body digest": func(r *http.Request, b []byte) []byte { r.Header.Del(perspective.HeaderBodyDigest); return b },
		"perspective set": func(r *http.Request, b []byte) []byte {
			r.Header.Set(perspective.HeaderPerspective, "http://other.example")
			return b
		},
		"other nonce": func(r *http.Request, b []byte) []byte {
			r.Header.Set(perspective.HeaderNonce, "AAAAAAAAAAAAAAAAAAAAAA")
			return b
		},
		"body and its digest changed": func(r *http.Request, b []byte) []byte {
			b = changed(b)
			r.Header.Set(perspective.HeaderBodyDigest, perspective.BodyDigest(b))
			return b
		},
		"timestamp changed": func(r *http.Request, b []byte) []byte {
			ts, _ := strconv.ParseInt(r.Header.Get(perspective.HeaderTimestamp), 10, 64)
			r.Header.Set(perspective.HeaderTimestamp, strconv.FormatInt(ts+1, 10))
			return b
		},
	} {
		t.Run(name, func(t *testing.T) {
			resp := send(mutate)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t, "unauthenticated", errorCode(t, resp))
		})
	}
	// The body changed under the captured headers: the headers were
	// accepted once, so this is a replay (and a fresh nonce would not
	// match the signature; TestHandlerRefusesMalformedSignatureHeaders
	// sends a body that does not match its signed digest).
	resp := send(func(r *http.Request, b []byte) []byte { return changed(b) })
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "replay", errorCode(t, resp))
	resp = send(func(r *http.Request, b []byte) []byte { r.Method = http.MethodPut; return b })
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, before, s.zone.TotalQueries(), "refused requests run no check")
}

// The attack of issue 9: a request captured on its way to one
// perspective, sent to another that holds the same key.
func TestHandlerRefusesRequestForAnotherPerspective(t *testing.T) {
	fx := newFixture(t)
	a := newSite(t, "a", "ARIN", fx.honest)
	b := newSite(t, "b", "RIPE", fx.honest)
	rec := &recorder{}
	ra := a.serve(t, testKey)
	ra.Client = &http.Client{Transport: rec}
	rb := b.serve(t, testKey)
	_, err := ra.Run(ctx5s(t), dcvCheck(fx.txt))
	require.NoError(t, err)

	resp := rec.resend(t, 0, rb.URL)
	assert.Equal(t, http.StatusMisdirectedRequest, resp.StatusCode)
	assert.Equal(t, "misdirected", errorCode(t, resp))
	assert.Equal(t, 0, b.zone.TotalQueries(), "b runs no check addressed to a")

	// Signed for b but sent with a's identity (or the reverse): the
	// signature covers the identity.
	srv, zone := countingHandler(t, &perspective.Handler{})
	for _, r := range []rawReq{{to: "http://a.example", signTo: srv.URL}, {to: srv.URL, signTo: "http://a.example"}} {
		assert.Equal(t, http.StatusUnauthorized, r.send(t, srv.URL).StatusCode)
	}
	// A request signed for another spelling of the handler's URL is not
	// canonical, and refused.
	assert.Equal(t, http.StatusUnauthorized, rawReq{to: srv.URL + "/"}.send(t, srv.URL).StatusCode)
	assert.Equal(t, 0, zone.TotalQueries())
	assert.Equal(t, http.StatusOK, rawReq{}.send(t, srv.URL).StatusCode, "the control")
}

func TestHandlerRefusesReplay(t *testing.T) {
	fx := newFixture(t)
	s := newSite(t, "eu-1", "RIPE", fx.honest)
	rec := &recorder{}
	r := s.serve(t, testKey)
	r.Client = &http.Client{Transport: rec}
	_, err := r.Run(ctx5s(t), dcvCheck(fx.txt))
	require.NoError(t, err)
	queries := s.zone.TotalQueries()

	resp := rec.resend(t, 0, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "replay", errorCode(t, resp))
	assert.Equal(t, queries, s.zone.TotalQueries(), "a replay runs no check")

	// A fresh request with the same content is fine.
	_, err = r.Run(ctx5s(t), dcvCheck(fx.txt))
	require.NoError(t, err)
}

func TestHandlerRefusesStale(t *testing.T) {
	fx := newFixture(t)
	s := newSite(t, "eu-1", "RIPE", fx.honest)
	r := s.serve(t, testKey)
	for _, skew := range []time.Duration{-61 * time.Second, 2 * time.Minute, -24 * time.Hour} {
		r.Now = func() time.Time { return time.Now().Add(skew) }
		_, err := r.Run(ctx5s(t), dcvCheck(fx.txt))
		assert.ErrorIs(t, err, perspective.ErrStale, "skew %s", skew)
	}
	// Within the window either way is accepted.
	for _, skew := range []time.Duration{-50 * time.Second, 50 * time.Second} {
		r.Now = func() time.Time { return time.Now().Add(skew) }
		_, err := r.Run(ctx5s(t), dcvCheck(fx.txt))
		assert.NoError(t, err, "skew %s", skew)
	}
	assert.Equal(t, 2, s.zone.Queries("_dnsauth.example.com.", dns.TypeTXT))

	// A replay after the window is stale rather than replayed: the handler
	// has forgotten the nonce by then.
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := serveHandler(t, &perspective.Handler{Key: testKey, Local: s.local, Now: clock})
	rec := &recorder{}
	r2 := &perspective.Remote{URL: srv.URL, Key: testKey, Client: &http.Client{Transport: rec}, Now: clock}
	_, err := r2.Run(ctx5s(t), dcvCheck(fx.txt))
	require.NoError(t, err)
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	resp := rec.resend(t, 0, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "stale", errorCode(t, resp))
}

func TestHandlerAcceptsOnlyDecimalTimestampsInWindow(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	srv, zone := countingHandler(t, &perspective.Handler{Now: func() time.Time { return now }})
	for _, ts := range []string{"+1800000000", " 1800000000x", "1800000000.0", "-1800000000", "1.8e9", "0x6B49D200",
		"1800000000000", "999999999999", "0", "-0", "١٨٠٠٠٠٠٠٠٠", "18000000 00", "1799999939", "1800000061"} {
		resp := rawReq{ts: ts}.send(t, srv.URL)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, ts)
	}
	assert.Equal(t, 0, zone.TotalQueries())
	// The window's edges are inclusive.
	for _, ts := range []string{"1799999940", "1800000060", "001800000000"} {
		resp := rawReq{ts: ts}.send(t, srv.URL)
		assert.Equal(t, http.StatusOK, resp.StatusCode, ts)
	}
}

func TestHandlerReplayCacheNeverForgetsALiveNonce(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := now
	srv, zone := countingHandler(t, &perspective.Handler{Now: func() time.Time { return clock }, MaxNonces: 2})
	ts := strconv.FormatInt(now.Unix(), 10)
	for _, n := range []string{"short", strings.Repeat("a", 65), "aaaaaaaaaaaaaaa=", "aaaaaaaa+aaaaaaaa", "aaaaaaaa aaaaaaaa", "aaaaaaaaaaaaaaaaé"} {
		resp := rawReq{ts: ts, nonce: n}.send(t, srv.URL)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, n)
	}
	assert.Equal(t, 0, zone.TotalQueries())

	// The same nonce with another body (and another timestamp) is a replay.
	n1 := "nonce-one-aaaaaaaaaaaa"
	require.Equal(t, http.StatusOK, rawReq{ts: ts, nonce: n1}.send(t, srv.URL).StatusCode)
	ran := zone.TotalQueries()
	other := []byte(strings.Replace(rawBody, `"timeout_ms":1000`, `"timeout_ms":999`, 1))
	resp := rawReq{ts: strconv.FormatInt(now.Unix()+5, 10), nonce: n1, body: other}.send(t, srv.URL)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "replay", errorCode(t, resp))
	assert.Equal(t, ran, zone.TotalQueries())

	// The cache (2) full of live nonces refuses new requests, busy.
	require.Equal(t, http.StatusOK, rawReq{ts: ts, nonce: "nonce-two-aaaaaaaaaaaa"}.send(t, srv.URL).StatusCode)
	ran = zone.TotalQueries()
	resp = rawReq{ts: ts, nonce: "nonce-three-aaaaaaaaaa"}.send(t, srv.URL)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "busy", errorCode(t, resp))
	assert.Equal(t, ran, zone.TotalQueries())

	// Once the entries' timestamps leave the window, old nonces are
	// forgotten and a replay of them is stale instead.
	clock = now.Add(perspective.DefaultWindow + 2*time.Second)
	resp = rawReq{ts: ts, nonce: n1}.send(t, srv.URL)
	assert.Equal(t, "stale", errorCode(t, resp))
	resp = rawReq{ts: strconv.FormatInt(clock.Unix(), 10), nonce: "nonce-four-aaaaaaaaaaa"}.send(t, srv.URL)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestHandlerRefusesRequestSignedForAnotherPathOrMethod(t *testing.T) {
	srv, zone := countingHandler(t, &perspective.Handler{})
	// Signed for /v2/check, sent elsewhere: never 200.
	for _, path := range []string{"//v2/check", "/v2/check/", "/v2/%63heck", "/x/v2/check", "/V2/check"} {
		resp := rawReq{path: path, signPath: perspective.CheckPath}.send(t, srv.URL)
		assert.NotEqual(t, http.StatusOK, resp.StatusCode, path)
	}
	// Signed for another method.
	for _, m := range []string{http.MethodPut, http.MethodGet, "post"} {
		resp := rawReq{signMethod: m}.send(t, srv.URL)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, m)
		resp = rawReq{method: m}.send(t, srv.URL)
		assert.NotEqual(t, http.StatusOK, resp.StatusCode, m)
	}
	assert.Equal(t, 0, zone.TotalQueries(), "no check ran")

	// A query string is outside the signature and ignored by the handler:
	// the check that runs is the signed body, nothing else.
	resp := rawReq{path: perspective.CheckPath + "?determination=caa&timeout_ms=1", signPath: perspective.CheckPath}.send(t, srv.URL)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, http.StatusOK, rawReq{}.send(t, srv.URL).StatusCode, "the control")
}

func TestHandlerRefusesMalformedSignatureHeaders(t *testing.T) {
	srv, zone := countingHandler(t, &perspective.Handler{})
	good := perspective.SignRequest(testKey, http.MethodPost, perspective.CheckPath, srv.URL, "1", "x", nil) // shape only
	for name, r := range map[string]rawReq{
		"two signatures, wrong first": {extra: http.Header{perspective.HeaderSignature: {good, ""}}},
		"unsigned":                    {noSig: true},
		"no prefix":                   {sigOverride: strings.Repeat("a", 64)},
		"sha1 prefix":                 {sigOverride: "hmac-sha1=" + strings.Repeat("a", 64)},
		"upper-case digest":           {extra: http.Header{perspective.HeaderBodyDigest: {strings.ToUpper(perspective.BodyDigest([]byte(rawBody)))}}},
		"short digest":                {extra: http.Header{perspective.HeaderBodyDigest: {"abcd"}}},
		"identity not canonical":      {to: "HTTP://127.0.0.1:1"},
		"body not the one signed":     {signBody: []byte(strings.Replace(rawBody, `"v"`, `"w"`, 1))},
	} {
		resp := r.send(t, srv.URL)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
	}
	// Upper-case hex in the signature decodes to the same MAC: harmless.
	r := rawReq{nonce: freshNonce(), ts: strconv.FormatInt(time.Now().Unix(), 10)}
	sig := perspective.SignRequest(testKey, http.MethodPost, perspective.CheckPath, srv.URL, r.ts, r.nonce, []byte(rawBody))
	r.sigOverride = "hmac-sha256=" + strings.ToUpper(strings.TrimPrefix(sig, "hmac-sha256="))
	assert.Contains(t, []int{http.StatusOK, http.StatusUnauthorized}, r.send(t, srv.URL).StatusCode)
	before := zone.TotalQueries()

	// Two nonces: the signature covers the first; swapping them to replay
	// an accepted request fails either the signature or the replay check.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	a, b := freshNonce(), freshNonce()
	resp := rawReq{ts: ts, nonce: a}.send(t, srv.URL)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	after := zone.TotalQueries()
	require.Greater(t, after, before)
	sigA := perspective.SignRequest(testKey, http.MethodPost, perspective.CheckPath, srv.URL, ts, a, []byte(rawBody))
	for _, nonces := range [][]string{{b, a}, {a, b}} {
		resp := rawReq{ts: ts, nonce: nonces[0], sigOverride: sigA, extra: http.Header{perspective.HeaderNonce: nonces}}.send(t, srv.URL)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, nonces)
	}
	// Header case does not matter to HTTP, and nothing is gained by it.
	resp = rawReq{ts: ts, nonce: a, sigOverride: sigA, extra: http.Header{"dcv-nonce": {b}}}.send(t, srv.URL)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, after, zone.TotalQueries(), "no replayed check ran")
}

// The attack of issue 9: connections that send headers and then a body
// slowly, or never. An unauthenticated request is answered from its
// headers alone, before a byte of its body is read.
func TestHandlerRefusesUnauthenticatedBeforeReadingBody(t *testing.T) {
	const conns = 100
	srv, zone := countingHandler(t, &perspective.Handler{MaxConcurrent: 2 * conns}) // so none is answered busy
	var wg sync.WaitGroup
	statuses := make(chan int, conns)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", srv.Listener.Addr().String())
			if !assert.NoError(t, err) {
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // a hang guard
			r := rawReq{noSig: i%2 == 0}                        // the others with a wrong signature
			if i%2 == 1 {
				r.sigOverride = "hmac-sha256=" + strings.Repeat("0", 64)
			}
			_, err = io.WriteString(c, r.wire(srv.URL, fmt.Sprintf("Content-Length: %d\r\n", perspective.DefaultMaxBody)))
			if !assert.NoError(t, err) {
				return
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if !assert.NoError(t, err, "no answer before the body") {
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	n := 0
	for s := range statuses {
		assert.Equal(t, http.StatusUnauthorized, s)
		n++
	}
	assert.Equal(t, conns, n)
	assert.Equal(t, 0, zone.TotalQueries())
}

// gate is a DNS exchanger that holds every query until released.
type gate struct {
	entered chan struct{}
	release chan struct{}
}

func (g *gate) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	g.entered <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r := new(dns.Msg)
	r.SetRcode(m, dns.RcodeNameError)
	return r, nil
}

func TestHandlerAnswersBusyBeyondMaxConcurrent(t *testing.T) {
	g := &gate{entered: make(chan struct{}, 64), release: make(chan struct{})}
	h := &perspective.Handler{Key: testKey, MaxConcurrent: 2,
		Local: &perspective.Local{Label: "busy", Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: g}}}
	srv := serveHandler(t, h)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = (&perspective.Remote{URL: srv.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
		}()
	}
	<-g.entered
	<-g.entered // both slots are taken, each by a running check

	resp := rawReq{}.send(t, srv.URL)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Equal(t, "busy", errorCode(t, resp))
	_, err := (&perspective.Remote{URL: srv.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
	assert.ErrorIs(t, err, perspective.ErrBusy)

	close(g.release)
	wg.Wait()
	assert.Equal(t, http.StatusOK, rawReq{}.send(t, srv.URL).StatusCode, "free again once they are done")
}

func TestHandlerServerClosesSlowBodies(t *testing.T) {
	zone := verifytest.NewZone()
	h := &perspective.Handler{Key: testKey, Local: &perspective.Local{Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}}}
	std := h.Server()
	assert.Equal(t, perspective.DefaultReadHeaderTimeout, std.ReadHeaderTimeout)
	assert.Equal(t, perspective.DefaultReadTimeout, std.ReadTimeout)
	assert.Equal(t, perspective.DefaultIdleTimeout, std.IdleTimeout)
	assert.Equal(t, perspective.DefaultMaxTimeout+10*time.Second, std.WriteTimeout)
	assert.Equal(t, perspective.DefaultMaxHeaderBytes, std.MaxHeaderBytes)

	// The same server with short timeouts: a signed request whose body
	// never comes, and a connection that never finishes its headers, are
	// both closed.
	srv := httptest.NewUnstartedServer(h)
	h.URL = "http://" + srv.Listener.Addr().String()
	cfg := h.Server()
	cfg.ReadHeaderTimeout, cfg.ReadTimeout = 200*time.Millisecond, 300*time.Millisecond
	srv.Config = cfg
	srv.Start()
	t.Cleanup(srv.Close)
	for name, head := range map[string]string{
		"slow body":    rawReq{}.wire(h.URL, "Content-Length: 1000\r\n") + "{",
		"slow headers": "POST " + perspective.CheckPath + " HTTP/1.1\r\nHost: x\r\n",
	} {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // a hang guard
		_, err = io.WriteString(c, head)
		require.NoError(t, err)
		_, err = io.Copy(io.Discard, c) // returns when the server closes
		var ne net.Error
		assert.False(t, errors.As(err, &ne) && ne.Timeout(), "%s: the server did not close the connection", name)
		c.Close()
	}
	assert.Equal(t, 0, zone.TotalQueries())
}

func TestHandlerBoundsBodies(t *testing.T) {
	srv, zone := countingHandler(t, &perspective.Handler{MaxBody: 512})
	big := []byte(strings.Replace(rawBody, `"value":"v"`, `"value":"`+strings.Repeat("v", 1000)+`"`, 1))
	signed := func(body []byte, extra string) string { return rawReq{body: body}.wire(srv.URL, extra) }
	// A Content-Length that lies low: the server reads only that much, so
	// the body does not match its signed digest.
	assert.Equal(t, http.StatusUnauthorized, rawPost(t, srv, signed(big, "Content-Length: 100\r\n"), big))
	// An honest Content-Length over the limit.
	assert.Equal(t, http.StatusRequestEntityTooLarge, rawPost(t, srv, signed(big, fmt.Sprintf("Content-Length: %d\r\n", len(big))), big))
	// Chunked, no length announced.
	chunked := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rawPost(t, srv, signed(big, "Transfer-Encoding: chunked\r\n"), []byte(chunked)))
	// Unsigned and oversized: refused as unauthenticated, body unread.
	assert.Equal(t, http.StatusUnauthorized, rawPost(t, srv, rawReq{body: big, noSig: true}.wire(srv.URL, "Transfer-Encoding: chunked\r\n"), []byte(chunked)))
	// gzip is not decoded: the signed gzip bytes are not a JSON request.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(rawBody))
	require.NoError(t, zw.Close())
	resp := rawReq{body: gz.Bytes(), extra: http.Header{"Content-Encoding": {"gzip"}}}.send(t, srv.URL)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, 0, zone.TotalQueries())
	// The control: the plain body under the limit runs.
	assert.Equal(t, http.StatusOK, rawPost(t, srv, signed([]byte(rawBody), fmt.Sprintf("Content-Length: %d\r\n", len(rawBody))), []byte(rawBody)))
}

func TestHandlerRoutes(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	srv := serveHandler(t, &perspective.Handler{Key: testKey, Local: s.local})
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{http.MethodGet, "/v2/check", http.StatusMethodNotAllowed, "bad_request"},
		{http.MethodPost, "/v1/check", http.StatusNotFound, "version"},
		{http.MethodPost, "/v3/check", http.StatusNotFound, "version"},
		{http.MethodPost, "/", http.StatusNotFound, "bad_request"},
		{http.MethodPost, "/v2/check", http.StatusUnauthorized, "unauthenticated"},
	} {
		req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader("{}"))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		assert.Equal(t, tc.status, resp.StatusCode, "%s %s", tc.method, tc.path)
		assert.Equal(t, tc.code, errorCode(t, resp))
		resp.Body.Close()
	}

	// A handler without a usable key or URL refuses everything.
	for name, h := range map[string]*perspective.Handler{
		"short key": {Key: []byte("short"), Local: s.local},
		"bad URL":   {Key: testKey, Local: s.local, URL: "ftp://x"},
	} {
		srv := serveHandler(t, h)
		_, err := (&perspective.Remote{URL: srv.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
		assert.ErrorIs(t, err, perspective.ErrServer, name)
	}
}

func TestHandlerUnsupportedDetermination(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	s.local.CAA = nil
	r := s.serve(t, testKey)
	_, err := r.Run(ctx5s(t), caaCheck())
	require.ErrorIs(t, err, perspective.ErrUnsupported)
	var re *perspective.RemoteError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, http.StatusNotImplemented, re.Status)
}

func TestHandlerRefusesBadBodies(t *testing.T) {
	srv, zone := countingHandler(t, &perspective.Handler{})
	for body, code := range map[string]string{
		`{"version":1,"timeout_ms":1000,"check":{"kind":"dcv"}}`: "version",
		`{"version":3,"timeout_ms":1000,"check":{"kind":"dcv"}}`: "version",
		`not json`: "bad_request",
		`{"version":2,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`:                         "bad_request",
		`{"version":2,"timeout_ms":1000,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}},"x":1}`: "bad_request",
		`{"version":2,"timeout_ms":1000,"check":{"determination":"dns","txt":{"name":"_dnsauth.example.com","value":"v"}}}`:       "bad_request",
		`{"version":2,"timeout_ms":1000,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`:                "bad_request",
		rawBody + `{}`: "bad_request",
	} {
		resp := rawReq{body: []byte(body)}.send(t, srv.URL)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
		assert.Equal(t, code, errorCode(t, resp), body)
	}
	assert.Equal(t, 0, zone.TotalQueries())
	assert.Equal(t, http.StatusOK, rawReq{}.send(t, srv.URL).StatusCode)
}

func TestHandlerRunsOnlyTheCheckAskedFor(t *testing.T) {
	srv, zone := countingHandler(t, &perspective.Handler{})
	for name, body := range map[string]string{
		"two forms":            `{"version":2,"timeout_ms":1000,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"},"cname":{"name":"a.example.com","target":"b"}}}`,
		"caa with a dcv form":  `{"version":2,"timeout_ms":1000,"check":{"determination":"caa","txt":{"name":"_dnsauth.example.com","value":"v"},"caa":{"domain":"example.com","issuers":["ssl.com"]}}}`,
		"unknown nested field": `{"version":2,"timeout_ms":1000,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v","server":"1.2.3.4:53"}}}`,
		"allow_private":        `{"version":2,"timeout_ms":1000,"check":{"determination":"dcv","files":{"urls":["http://127.0.0.1/x"],"content":"c"},"allow_private":true}}`,
		"bad scheme policy":    `{"version":2,"timeout_ms":1000,"check":{"determination":"dcv","files":{"urls":["http://example.com/x"],"content":"c"},"file_policy":{"schemes":"gopher"}}}`,
		"negative timeout":     `{"version":2,"timeout_ms":-1,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`,
		"huge timeout":         `{"version":2,"timeout_ms":9223372036854775807,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`,
		"float version":        `{"version":2.0,"timeout_ms":1000,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`,
		"string version":       `{"version":"2","timeout_ms":1000,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`,
		"null check":           `{"version":2,"timeout_ms":1000,"check":null}`,
		"array":                `[` + rawBody + `]`,
		"empty":                ``,
		"deep":                 strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	} {
		resp := rawReq{body: []byte(body)}.send(t, srv.URL)
		assert.Contains(t, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, resp.StatusCode, name)
	}
	// A caa check to a handler without a CAA checker: unsupported.
	caaBody := `{"version":2,"timeout_ms":1000,"check":{"determination":"caa","caa":{"domain":"example.com","issuers":["ssl.com"]}}}`
	resp := rawReq{body: []byte(caaBody)}.send(t, srv.URL)
	assert.Equal(t, http.StatusNotImplemented, resp.StatusCode)
	assert.Equal(t, 0, zone.TotalQueries())
}

func TestHandlerHonoursDeadline(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	s.zone.Drop("_dnsauth.example.com.", dns.TypeTXT)

	// The caller waits 3 s: the handler answers within it, with the
	// timeout as the result, rather than letting the call fail. (At 1 s
	// the 100 ms margin for the trip back was too short under -race.)
	r := s.serve(t, testKey)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res, err := r.Run(ctx, txtCheck())
	require.NoError(t, err)
	assert.Equal(t, perspective.Undecided, res.Verdict)
	assert.Equal(t, verify.Undecided, res.DCV.Outcome)
	assert.Contains(t, res.Error, "timed out")

	// The handler's cap applies to a caller that would wait longer.
	srv := serveHandler(t, &perspective.Handler{Key: testKey, Local: s.local, MaxTimeout: 200 * time.Millisecond})
	res, err = (&perspective.Remote{URL: srv.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
	require.NoError(t, err)
	assert.Equal(t, perspective.Undecided, res.Verdict)
	assert.Less(t, res.DCV.Duration, 3*time.Second)
}

// countingListener counts the bytes the server reads from its connections.
type countingListener struct {
	net.Listener
	read *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.read}, nil
}

type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// The memory of issue 9: unauthenticated clients sending whole bodies
// made the server read (and hold) each one. Now it reads their headers
// only.
func TestHandlerReadsNoBodyOfAnUnauthenticatedRequest(t *testing.T) {
	zone := verifytest.NewZone()
	h := &perspective.Handler{Key: testKey, Local: &perspective.Local{Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}}, MaxConcurrent: 1000}
	srv := httptest.NewUnstartedServer(h)
	h.URL = "http://" + srv.Listener.Addr().String()
	read := &atomic.Int64{}
	srv.Listener = countingListener{srv.Listener, read}
	srv.Start()
	t.Cleanup(srv.Close)

	const conns, size = 50, perspective.DefaultMaxBody
	body := bytes.Repeat([]byte("x"), size)
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", srv.Listener.Addr().String())
			if !assert.NoError(t, err) {
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // a hang guard
			go func() {                                         // the whole body, as fast as the server takes it
				_, _ = io.WriteString(c, rawReq{noSig: true}.wire(h.URL, fmt.Sprintf("Content-Length: %d\r\n", size)))
				_, _ = c.Write(body)
			}()
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if assert.NoError(t, err) {
				resp.Body.Close()
				assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	srv.Close()
	assert.Less(t, read.Load(), int64(conns*64<<10), "the server read %d bytes of %d sent", read.Load(), conns*size)
	assert.Equal(t, 0, zone.TotalQueries())
}
