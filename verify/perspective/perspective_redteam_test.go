package perspective_test

// Red-team tests: attacks on the wire protocol, the response checks and the
// quorum. Each asserts that an attack does not run a check or does not
// count as agreement.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
)

const rtBody = `{"version":1,"timeout_ms":1000,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`

// rtHandler is a handler whose every DNS query is counted by zone: a check
// that runs shows up in zone.TotalQueries().
func rtHandler(t *testing.T, h *perspective.Handler) (*httptest.Server, *verifytest.Zone) {
	t.Helper()
	zone := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)
	h.Key = testKey
	h.Local = &perspective.Local{Label: "rt", Verifier: &verify.Verifier{DNS: zone}}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, zone
}

// rtReq is a raw request with explicit parts, the signature computed over
// signMethod and signPath.
type rtReq struct {
	method, path         string
	signMethod, signPath string
	ts, nonce            string
	body, signBody       []byte
	extra                http.Header
	noSig                bool
	sigOverride          string
}

var rtNonceSeq int

func freshNonce() string {
	rtNonceSeq++
	return fmt.Sprintf("rt-nonce-%012d-%d", rtNonceSeq, time.Now().UnixNano()%1000000)
}

func (r rtReq) send(t *testing.T, base string) *http.Response {
	t.Helper()
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
	if r.ts == "" {
		r.ts = strconv.FormatInt(time.Now().Unix(), 10)
	}
	if r.nonce == "" {
		r.nonce = freshNonce()
	}
	if r.body == nil {
		r.body = []byte(rtBody)
	}
	if r.signBody == nil {
		r.signBody = r.body
	}
	req, err := http.NewRequest(r.method, base+r.path, bytes.NewReader(r.body))
	require.NoError(t, err)
	req.Header.Set(perspective.HeaderTimestamp, r.ts)
	req.Header.Set(perspective.HeaderNonce, r.nonce)
	if !r.noSig {
		sig := perspective.SignRequest(testKey, r.signMethod, r.signPath, r.ts, r.nonce, r.signBody)
		if r.sigOverride != "" {
			sig = r.sigOverride
		}
		req.Header.Set(perspective.HeaderSignature, sig)
	}
	for k, vs := range r.extra {
		req.Header[k] = vs
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestRedteamPathAndMethodNotInSignature(t *testing.T) {
	srv, zone := rtHandler(t, &perspective.Handler{})
	// Signed for /v1/check, sent elsewhere: never 200.
	for _, path := range []string{"//v1/check", "/v1/check/", "/v1/%63heck", "/x/v1/check", "/V1/check"} {
		resp := rtReq{path: path, signPath: perspective.CheckPath}.send(t, srv.URL)
		assert.NotEqual(t, http.StatusOK, resp.StatusCode, path)
	}
	// Signed for another method.
	for _, m := range []string{http.MethodPut, http.MethodGet, "post"} {
		resp := rtReq{signMethod: m}.send(t, srv.URL)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, m)
		resp = rtReq{method: m}.send(t, srv.URL)
		assert.NotEqual(t, http.StatusOK, resp.StatusCode, m)
	}
	assert.Equal(t, 0, zone.TotalQueries(), "no check ran")

	// A query string is outside the signature and ignored by the handler:
	// the check that runs is the signed body, nothing else.
	resp := rtReq{path: perspective.CheckPath + "?kind=caa&timeout_ms=1", signPath: perspective.CheckPath}.send(t, srv.URL)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	// The control: a correctly signed request runs.
	assert.Equal(t, http.StatusOK, rtReq{}.send(t, srv.URL).StatusCode)
}

func TestRedteamHeaderTricks(t *testing.T) {
	srv, zone := rtHandler(t, &perspective.Handler{})
	good := perspective.SignRequest(testKey, http.MethodPost, perspective.CheckPath, "1", "x", nil) // shape only

	for name, r := range map[string]rtReq{
		"two signatures, wrong first": {extra: http.Header{perspective.HeaderSignature: {good, ""}}},
		"unsigned":                    {noSig: true},
		"upper-case hex":              {sigOverride: "placeholder"},
		"no prefix":                   {sigOverride: strings.Repeat("a", 64)},
		"sha1 prefix":                 {sigOverride: "hmac-sha1=" + strings.Repeat("a", 64)},
	} {
		if name == "upper-case hex" {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			n := freshNonce()
			r.ts, r.nonce = ts, n
			sig := perspective.SignRequest(testKey, http.MethodPost, perspective.CheckPath, ts, n, []byte(rtBody))
			r.sigOverride = "hmac-sha256=" + strings.ToUpper(strings.TrimPrefix(sig, "hmac-sha256="))
			// Upper-case hex decodes to the same MAC: accepting it is harmless.
			resp := r.send(t, srv.URL)
			assert.Contains(t, []int{http.StatusOK, http.StatusUnauthorized}, resp.StatusCode, name)
			continue
		}
		resp := r.send(t, srv.URL)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
	}
	before := zone.TotalQueries()

	// Two nonces: the signature covers the first; swapping them to replay
	// an accepted request fails either the signature or the replay check.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	a, b := freshNonce(), freshNonce()
	resp := rtReq{ts: ts, nonce: a}.send(t, srv.URL)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	after := zone.TotalQueries()
	require.Greater(t, after, before)
	sigA := perspective.SignRequest(testKey, http.MethodPost, perspective.CheckPath, ts, a, []byte(rtBody))
	for _, nonces := range [][]string{{b, a}, {a, b}} {
		resp := rtReq{ts: ts, nonce: nonces[0], sigOverride: sigA, extra: http.Header{perspective.HeaderNonce: nonces}}.send(t, srv.URL)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, nonces)
	}
	// Header case does not matter to HTTP, and nothing is gained by it.
	resp = rtReq{ts: ts, nonce: a, sigOverride: sigA, extra: http.Header{"dcv-nonce": {b}}}.send(t, srv.URL)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, after, zone.TotalQueries(), "no replayed check ran")
}

func TestRedteamTimestampFormats(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	srv, zone := rtHandler(t, &perspective.Handler{Now: func() time.Time { return now }})
	for _, ts := range []string{"+1800000000", " 1800000000x", "1800000000.0", "-1800000000", "1.8e9", "0x6B49D200",
		"1800000000000", "999999999999", "0", "-0", "١٨٠٠٠٠٠٠٠٠", "18000000 00", "1799999939", "1800000061"} {
		resp := rtReq{ts: ts}.send(t, srv.URL)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, ts)
	}
	assert.Equal(t, 0, zone.TotalQueries())
	// The window's edges are inclusive.
	for _, ts := range []string{"1799999940", "1800000060", "001800000000"} {
		resp := rtReq{ts: ts}.send(t, srv.URL)
		assert.Equal(t, http.StatusOK, resp.StatusCode, ts)
	}
}

func TestRedteamNonces(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := now
	srv, zone := rtHandler(t, &perspective.Handler{Now: func() time.Time { return clock }, MaxNonces: 2})
	ts := strconv.FormatInt(now.Unix(), 10)
	for _, n := range []string{"short", strings.Repeat("a", 65), "aaaaaaaaaaaaaaa=", "aaaaaaaa+aaaaaaaa", "aaaaaaaa aaaaaaaa", "aaaaaaaaaaaaaaaaé"} {
		resp := rtReq{ts: ts, nonce: n}.send(t, srv.URL)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, n)
	}
	assert.Equal(t, 0, zone.TotalQueries())

	// The same nonce with another body (and another timestamp) is a replay.
	n1 := "nonce-one-aaaaaaaaaaaa"
	require.Equal(t, http.StatusOK, rtReq{ts: ts, nonce: n1}.send(t, srv.URL).StatusCode)
	ran := zone.TotalQueries()
	other := []byte(strings.Replace(rtBody, `"timeout_ms":1000`, `"timeout_ms":999`, 1))
	resp := rtReq{ts: strconv.FormatInt(now.Unix()+5, 10), nonce: n1, body: other}.send(t, srv.URL)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "replay", errorCode(t, resp))
	assert.Equal(t, ran, zone.TotalQueries())

	// The cache (2) full of live nonces refuses new requests, busy.
	require.Equal(t, http.StatusOK, rtReq{ts: ts, nonce: "nonce-two-aaaaaaaaaaaa"}.send(t, srv.URL).StatusCode)
	ran = zone.TotalQueries()
	resp = rtReq{ts: ts, nonce: "nonce-three-aaaaaaaaaa"}.send(t, srv.URL)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "busy", errorCode(t, resp))
	assert.Equal(t, ran, zone.TotalQueries())

	// Once the entries' timestamps leave the window, old nonces are
	// forgotten and a replay of them is stale instead.
	clock = now.Add(perspective.DefaultWindow + 2*time.Second)
	resp = rtReq{ts: ts, nonce: n1}.send(t, srv.URL)
	assert.Equal(t, "stale", errorCode(t, resp))
	resp = rtReq{ts: strconv.FormatInt(clock.Unix(), 10), nonce: "nonce-four-aaaaaaaaaaa"}.send(t, srv.URL)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// rawPost writes a hand-made HTTP/1.1 request and returns the status.
func rawPost(t *testing.T, addr, headers string, body []byte) int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = io.WriteString(c, "POST "+perspective.CheckPath+" HTTP/1.1\r\nHost: x\r\n"+headers+"\r\n")
	require.NoError(t, err)
	_, _ = c.Write(body) // the server may stop reading early
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestRedteamBodies(t *testing.T) {
	srv, zone := rtHandler(t, &perspective.Handler{MaxBody: 512})
	addr := strings.TrimPrefix(srv.URL, "http://")
	big := []byte(strings.Replace(rtBody, `"value":"v"`, `"value":"`+strings.Repeat("v", 1000)+`"`, 1))
	sigHeaders := func(body []byte) string {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		n := freshNonce()
		return fmt.Sprintf("%s: %s\r\n%s: %s\r\n%s: %s\r\n", perspective.HeaderTimestamp, ts, perspective.HeaderNonce, n,
			perspective.HeaderSignature, perspective.SignRequest(testKey, http.MethodPost, perspective.CheckPath, ts, n, body))
	}
	// A Content-Length that lies low: the server reads only that much, so
	// the signature over the whole body does not match.
	assert.Equal(t, http.StatusUnauthorized, rawPost(t, addr, sigHeaders(big)+"Content-Length: 100\r\n", big))
	// Honest Content-Length over the limit.
	assert.Equal(t, http.StatusRequestEntityTooLarge, rawPost(t, addr, sigHeaders(big)+fmt.Sprintf("Content-Length: %d\r\n", len(big)), big))
	// Chunked, no length announced.
	chunked := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rawPost(t, addr, sigHeaders(big)+"Transfer-Encoding: chunked\r\n", []byte(chunked)))
	// gzip is not decoded: the signed gzip bytes are not a JSON request.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(rtBody))
	require.NoError(t, zw.Close())
	resp := rtReq{body: gz.Bytes(), extra: http.Header{"Content-Encoding": {"gzip"}}}.send(t, srv.URL)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, 0, zone.TotalQueries())
	// Control: the plain body under the limit runs.
	assert.Equal(t, http.StatusOK, rawPost(t, addr, sigHeaders([]byte(rtBody))+fmt.Sprintf("Content-Length: %d\r\n", len(rtBody)), []byte(rtBody)))
}

func TestRedteamCheckNotAskedFor(t *testing.T) {
	srv, zone := rtHandler(t, &perspective.Handler{})
	for name, body := range map[string]string{
		"two forms":            `{"version":1,"timeout_ms":1000,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"},"cname":{"name":"a.example.com","target":"b"}}}`,
		"caa with a dcv form":  `{"version":1,"timeout_ms":1000,"check":{"kind":"caa","txt":{"name":"_dnsauth.example.com","value":"v"},"caa":{"domain":"example.com","issuers":["ssl.com"]}}}`,
		"unknown nested field": `{"version":1,"timeout_ms":1000,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v","server":"1.2.3.4:53"}}}`,
		"allow_private":        `{"version":1,"timeout_ms":1000,"check":{"kind":"dcv","files":{"urls":["http://127.0.0.1/x"],"content":"c"},"allow_private":true}}`,
		"bad scheme policy":    `{"version":1,"timeout_ms":1000,"check":{"kind":"dcv","files":{"urls":["http://example.com/x"],"content":"c"},"file_policy":{"schemes":"gopher"}}}`,
		"negative timeout":     `{"version":1,"timeout_ms":-1,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`,
		"huge timeout":         `{"version":1,"timeout_ms":9223372036854775807,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`,
		"float version":        `{"version":1.0,"timeout_ms":1000,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`,
		"string version":       `{"version":"1","timeout_ms":1000,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`,
		"null check":           `{"version":1,"timeout_ms":1000,"check":null}`,
		"array":                `[` + rtBody + `]`,
		"empty":                ``,
		"deep":                 strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	} {
		resp := rtReq{body: []byte(body)}.send(t, srv.URL)
		assert.Contains(t, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, resp.StatusCode, name)
	}
	// A caa check to a handler without a CAA checker: unsupported.
	caaBody := `{"version":1,"timeout_ms":1000,"check":{"kind":"caa","caa":{"domain":"example.com","issuers":["ssl.com"]}}}`
	resp := rtReq{body: []byte(caaBody)}.send(t, srv.URL)
	assert.Equal(t, http.StatusNotImplemented, resp.StatusCode)
	assert.Equal(t, 0, zone.TotalQueries())
}

// replayer answers each request with a recorded, genuinely signed response
// of the real handler to an earlier request.
func TestRedteamRecordedResponseReplayed(t *testing.T) {
	realSrv, _ := rtHandler(t, &perspective.Handler{})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	n := freshNonce()
	resp := rtReq{ts: ts, nonce: n}.send(t, realSrv.URL)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	hdr := resp.Header.Clone()

	replay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range hdr {
			w.Header()[k] = v
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(replay.Close)
	_, err = (&perspective.Remote{URL: replay.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
	assert.ErrorIs(t, err, perspective.ErrBadResponse)

	// The same result re-signed under the live nonce but with a changed
	// timestamp header, or a status other than 200: refused.
	for name, h := range map[string]http.HandlerFunc{
		"timestamp changed": func(w http.ResponseWriter, r *http.Request) {
			b := []byte(strings.Replace(string(body), n, r.Header.Get(perspective.HeaderNonce), 1))
			w.Header().Set(perspective.HeaderTimestamp, "1")
			w.Header().Set(perspective.HeaderSignature, perspective.SignResponse(testKey, http.StatusOK, r.Header.Get(perspective.HeaderNonce), "2", b))
			_, _ = w.Write(b)
		},
		"signed 200, sent 203": func(w http.ResponseWriter, r *http.Request) {
			b := []byte(strings.Replace(string(body), n, r.Header.Get(perspective.HeaderNonce), 1))
			w.Header().Set(perspective.HeaderTimestamp, "1")
			w.Header().Set(perspective.HeaderSignature, perspective.SignResponse(testKey, http.StatusOK, r.Header.Get(perspective.HeaderNonce), "1", b))
			w.WriteHeader(http.StatusNonAuthoritativeInfo)
			_, _ = w.Write(b)
		},
	} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		res, err := (&perspective.Remote{URL: srv.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
		assert.Error(t, err, name)
		assert.False(t, res.Passed(), name)
	}
}

func TestRedteamForgedVerdicts(t *testing.T) {
	for name, result := range map[string]string{
		"pass with not verified evidence": `{"label":"x","kind":"dcv","verdict":"pass","dcv":{"target":"t","outcome":"not verified","checked_at":"2025-01-01T00:00:00Z","duration_ns":0}}`,
		"pass with a caa permit for dcv":  `{"label":"x","kind":"dcv","verdict":"pass","caa":{"permitted":true}}`,
		"fail with verified evidence":     `{"label":"x","kind":"dcv","verdict":"fail","dcv":{"target":"t","outcome":"verified","checked_at":"2025-01-01T00:00:00Z","duration_ns":0}}`,
		"unknown verdict":                 `{"label":"x","kind":"dcv","verdict":"PASS","dcv":{"target":"t","outcome":"verified","checked_at":"2025-01-01T00:00:00Z","duration_ns":0}}`,
		"numeric verdict":                 `{"label":"x","kind":"dcv","verdict":1,"dcv":{"target":"t","outcome":"verified","checked_at":"2025-01-01T00:00:00Z","duration_ns":0}}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := &perspective.Remote{URL: forger(t, testKey, "", result).URL, Key: testKey, Label: "f"}
			res, err := r.Run(ctx5s(t), txtCheck())
			assert.False(t, err == nil && res.Passed(), "a forged result passed")
			c := &perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{r}}
			rep, err := c.Run(ctx5s(t), txtCheck())
			assert.ErrorIs(t, err, perspective.ErrQuorum)
			assert.Equal(t, 0, rep.Corroborating)
		})
	}
	// A pass for caa when a caa check was asked, with the evidence for
	// dcv: refused.
	r := &perspective.Remote{URL: forger(t, testKey, "", `{"label":"x","kind":"caa","verdict":"pass","dcv":{"target":"t","outcome":"verified","checked_at":"2025-01-01T00:00:00Z","duration_ns":0}}`).URL, Key: testKey}
	_, err := r.Run(ctx5s(t), caaCheck())
	assert.ErrorIs(t, err, perspective.ErrBadResponse)
}

// A perspective's own claims about label and region count for nothing.
type claimer struct{ fake }

func (c *claimer) Run(ctx context.Context, chk perspective.Check) (*perspective.Result, error) {
	r, err := c.fake.Run(ctx, chk)
	if r != nil {
		r.Region = "APNIC"
		r.Label = "someone-else"
	}
	return r, err
}

func TestRedteamRegions(t *testing.T) {
	remotes := []perspective.Perspective{
		pass("a", "ripe"), pass("b", " RIPE "), pass("c", "Ripe"),
		&claimer{fake{label: "d", verdict: perspective.Pass}},
		&fake{label: "e", region: "ARIN", verdict: perspective.Fail},
	}
	c := &perspective.Corroborator{Primary: pass("p", "LACNIC"), Remotes: remotes, Policy: perspective.Policy{MinRegions: 2}}
	rep, err := run(t, c)
	assert.ErrorIs(t, err, perspective.ErrPolicy)
	assert.Equal(t, []string{"RIPE"}, rep.Regions, "case and space variants are one region; a dissenter's, the primary's and a claimed region do not count")
	assert.Equal(t, "d", rep.Remotes[3].Label)
	assert.Empty(t, rep.Remotes[3].Region)
}

func TestRedteamQuorumBoundaries(t *testing.T) {
	for _, n := range []int{1, 2, 5, 6, 7} {
		allowed := perspective.AllowedNonCorroborating(n)
		for dissent := 0; dissent <= n; dissent++ {
			var rs []perspective.Perspective
			for i := 0; i < n; i++ {
				if i < dissent {
					rs = append(rs, &fake{label: fmt.Sprintf("r%d", i), verdict: perspective.Undecided})
				} else {
					rs = append(rs, pass(fmt.Sprintf("r%d", i), ""))
				}
			}
			rep, err := run(t, &perspective.Corroborator{Primary: pass("p", ""), Remotes: rs})
			if dissent <= allowed {
				assert.NoError(t, err, "n=%d dissent=%d", n, dissent)
				assert.True(t, rep.Corroborated)
			} else {
				assert.ErrorIs(t, err, perspective.ErrQuorum, "n=%d dissent=%d", n, dissent)
				assert.False(t, rep.Corroborated)
			}
			// The primary failing fails every case.
			rep, err = run(t, &perspective.Corroborator{Primary: failing("p"), Remotes: rs})
			assert.ErrorIs(t, err, perspective.ErrPrimaryFailed)
			assert.False(t, rep.Corroborated)
		}
	}
	assert.Equal(t, 1, perspective.AllowedNonCorroborating(2))
	assert.Equal(t, 2, perspective.AllowedNonCorroborating(6))
	assert.Equal(t, 0, perspective.AllowedNonCorroborating(-3))
}

func TestRedteamOddPerspectives(t *testing.T) {
	// A primary with a bare pass verdict, or (nil, nil), or a panic, or
	// an answer of the wrong kind never passes.
	for name, p := range map[string]*fake{
		"bare pass": {label: "p", verdict: perspective.Pass, bareVerdict: true},
		"nil, nil":  {label: "p", nilResult: true},
		"panic":     {label: "p", panics: true},
		"error":     {label: "p", err: errors.New("x")},
	} {
		rep, err := run(t, &perspective.Corroborator{Primary: p, Remotes: []perspective.Perspective{pass("r", "")}})
		assert.ErrorIs(t, err, perspective.ErrPrimaryFailed, name)
		assert.False(t, rep.Corroborated, name)
	}
	// A perspective that answers a caa result to a dcv check.
	wrongKind := &funcPerspective{label: "wk", run: func(ctx context.Context, c perspective.Check) (*perspective.Result, error) {
		return &perspective.Result{Kind: perspective.KindCAA, Verdict: perspective.Pass, CAA: &caa.Decision{Permitted: true}}, nil
	}}
	rep, err := run(t, &perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{wrongKind}})
	assert.ErrorIs(t, err, perspective.ErrQuorum)
	assert.Equal(t, 0, rep.Corroborating)
}

type funcPerspective struct {
	label, region string
	run           func(ctx context.Context, c perspective.Check) (*perspective.Result, error)
}

func (f *funcPerspective) Info() perspective.Info {
	return perspective.Info{Label: f.label, Region: f.region}
}
func (f *funcPerspective) Run(ctx context.Context, c perspective.Check) (*perspective.Result, error) {
	return f.run(ctx, c)
}

func TestRedteamDuplicateRemotes(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	s.zone.MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)
	srv := httptest.NewServer(&perspective.Handler{Key: testKey, Local: s.local})
	t.Cleanup(srv.Close)
	port := strings.TrimPrefix(srv.URL, "http://127.0.0.1:")
	// The same handler under other spellings of its URL: one remote, so it
	// must not count twice toward the quorum or MinRemotes.
	for _, other := range []string{
		srv.URL, srv.URL + "/", srv.URL + perspective.CheckPath, srv.URL + "//",
		"HTTP://127.0.0.1:" + port, "http://127.0.0.1:" + port + "/v1/../v1/check",
	} {
		c := &perspective.Corroborator{
			Primary: pass("p", ""),
			Remotes: []perspective.Perspective{
				&perspective.Remote{URL: srv.URL, Key: testKey, Label: "eu", Region: "RIPE"},
				&perspective.Remote{URL: other, Key: testKey, Label: "us", Region: "ARIN"},
			},
			Policy: perspective.Policy{MinRemotes: 2, MinRegions: 2},
		}
		rep, err := run(t, c)
		assert.ErrorIs(t, err, perspective.ErrConfig, other)
		assert.False(t, rep != nil && rep.Corroborated, other)
	}
}

func TestRedteamCancelledAndLate(t *testing.T) {
	// Cancelled before Run: perspectives that honour ctx cannot pass.
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	s.zone.MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)
	r := s.serve(t, testKey)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.Label = "eu-remote"
	rep, err := (&perspective.Corroborator{Primary: s.local, Remotes: []perspective.Perspective{r}}).Run(ctx, txtCheck())
	assert.ErrorIs(t, err, perspective.ErrNotCorroborated)
	require.NotNil(t, rep)
	assert.False(t, rep.Corroborated)

	// A remote that answers "pass" after the deadline changes nothing in
	// the report already returned.
	release := make(chan struct{})
	late := &fake{label: "late", verdict: perspective.Pass, hang: true, release: release}
	c := &perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{late}, Timeout: 50 * time.Millisecond}
	rep, err = c.Run(context.Background(), txtCheck())
	assert.ErrorIs(t, err, perspective.ErrQuorum)
	close(release)
	time.Sleep(20 * time.Millisecond) // let the late goroutine send (race detector watches)
	assert.Equal(t, perspective.Undecided, rep.Remotes[0].Verdict)
	assert.False(t, rep.Corroborated)
	assert.Equal(t, 0, rep.Corroborating)
}
