package perspective_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
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

// resend sends the i-th recorded request again, byte for byte.
func (r *recorder) resend(t *testing.T, i int) *http.Response {
	t.Helper()
	r.mu.Lock()
	req := r.reqs[i].Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(r.body[i]))
	r.mu.Unlock()
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
	assert.Equal(t, 1, body.Version)
	assert.NotEmpty(t, body.Error.Message)
	return body.Error.Code
}

func ctx5s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRemoteRoundTrip(t *testing.T) {
	fx := newFixture(t)
	s := newSite(t, "eu-1", "RIPE", fx.honest)
	r := s.serve(t, testKey)
	r.Label, r.Region = "frankfurt", "RIPE"

	res, err := r.Run(ctx5s(t), dcvCheck(fx.txt))
	require.NoError(t, err)
	assert.True(t, res.Passed())
	assert.Equal(t, "frankfurt", res.Label)
	assert.Equal(t, "eu-1 (RIPE)", res.ServedBy)
	assert.Equal(t, "_dnsauth.example.com.", res.DCV.Target)
	assert.NotEmpty(t, res.DCV.Evidence)

	res, err = r.Run(ctx5s(t), dcvCheck(fx.file))
	require.NoError(t, err)
	assert.True(t, res.Passed(), res.Error)

	res, err = r.Run(ctx5s(t), caaCheck())
	require.NoError(t, err)
	assert.True(t, res.Passed())
	assert.Equal(t, "permitted", res.Outcome())
	assert.NotEmpty(t, res.CAA.Records)
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
	cases := map[string]func(*http.Request, []byte) []byte{
		"no signature": func(r *http.Request, b []byte) []byte { r.Header.Del(perspective.HeaderSignature); return b },
		"no nonce":     func(r *http.Request, b []byte) []byte { r.Header.Del(perspective.HeaderNonce); return b },
		"no timestamp": func(r *http.Request, b []byte) []byte { r.Header.Del(perspective.HeaderTimestamp); return b },
		"other nonce": func(r *http.Request, b []byte) []byte {
			r.Header.Set(perspective.HeaderNonce, "AAAAAAAAAAAAAAAAAAAAAA")
			return b
		},
		"body changed": func(r *http.Request, b []byte) []byte {
			return bytes.Replace(b, []byte(fx.txt.Record.Value), []byte("attacker-value"), 1)
		},
		"timestamp changed": func(r *http.Request, b []byte) []byte {
			ts, _ := strconv.ParseInt(r.Header.Get(perspective.HeaderTimestamp), 10, 64)
			r.Header.Set(perspective.HeaderTimestamp, strconv.FormatInt(ts+1, 10))
			return b
		},
		"method changed": func(r *http.Request, b []byte) []byte { r.Method = http.MethodPut; return b },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			resp := send(mutate)
			if name == "method changed" {
				assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
				return
			}
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t, "unauthenticated", errorCode(t, resp))
		})
	}
	assert.Equal(t, before, s.zone.TotalQueries(), "refused requests run no check")
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

	resp := rec.resend(t, 0)
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
	h := &perspective.Handler{Key: testKey, Local: s.local, Now: func() time.Time { return now }}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rec := &recorder{}
	r2 := &perspective.Remote{URL: srv.URL, Key: testKey, Client: &http.Client{Transport: rec}, Now: func() time.Time { return now }}
	_, err := r2.Run(ctx5s(t), dcvCheck(fx.txt))
	require.NoError(t, err)
	now = now.Add(2 * time.Minute)
	resp := rec.resend(t, 0)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "stale", errorCode(t, resp))
}

func TestHandlerRefusesOversized(t *testing.T) {
	fx := newFixture(t)
	s := newSite(t, "eu-1", "RIPE", fx.honest)
	srv := httptest.NewServer(&perspective.Handler{Key: testKey, Local: s.local, MaxBody: 2048})
	t.Cleanup(srv.Close)
	r := &perspective.Remote{URL: srv.URL, Key: testKey}
	chk := perspective.Check{Kind: perspective.KindDCV, Files: &perspective.FilesCheck{
		URLs: []string{"http://example.com/.well-known/pki-validation/fileauth.txt"}, Content: strings.Repeat("x", 4096)}}
	_, err := r.Run(ctx5s(t), chk)
	require.ErrorIs(t, err, perspective.ErrTooLarge)
	var re *perspective.RemoteError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, http.StatusRequestEntityTooLarge, re.Status)

	// Without a Content-Length (chunked), the limit still holds.
	req, err := http.NewRequest(http.MethodPost, srv.URL+perspective.CheckPath, io.MultiReader(strings.NewReader(strings.Repeat("y", 4096))))
	require.NoError(t, err)
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Equal(t, "too_large", errorCode(t, resp))
	assert.Equal(t, 0, s.zone.TotalQueries())
}

func TestHandlerRoutes(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	srv := httptest.NewServer(&perspective.Handler{Key: testKey, Local: s.local})
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{http.MethodGet, "/v1/check", http.StatusMethodNotAllowed, "bad_request"},
		{http.MethodPost, "/v2/check", http.StatusNotFound, "version"},
		{http.MethodPost, "/", http.StatusNotFound, "bad_request"},
		{http.MethodPost, "/v1/check", http.StatusUnauthorized, "unauthenticated"},
	} {
		req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader("{}"))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		assert.Equal(t, tc.status, resp.StatusCode, "%s %s", tc.method, tc.path)
		assert.Equal(t, tc.code, errorCode(t, resp))
		resp.Body.Close()
	}

	// A handler without a usable key refuses everything.
	weak := httptest.NewServer(&perspective.Handler{Key: []byte("short"), Local: s.local})
	t.Cleanup(weak.Close)
	_, err := (&perspective.Remote{URL: weak.URL, Key: []byte("short-short-short-short-short-short")}).Run(ctx5s(t), txtCheck())
	assert.ErrorIs(t, err, perspective.ErrServer)
}

func TestHandlerUnsupportedKind(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	s.local.CAA = nil
	r := s.serve(t, testKey)
	_, err := r.Run(ctx5s(t), caaCheck())
	require.ErrorIs(t, err, perspective.ErrUnsupported)
	var re *perspective.RemoteError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, http.StatusNotImplemented, re.Status)
}

// signedRequest builds a raw signed request, as a client other than Remote would.
func signedRequest(t *testing.T, url string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+perspective.CheckPath, bytes.NewReader(body))
	require.NoError(t, err)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := "n" + strconv.FormatInt(time.Now().UnixNano(), 10) + "-xxxxxxxx"
	req.Header.Set(perspective.HeaderTimestamp, ts)
	req.Header.Set(perspective.HeaderNonce, nonce)
	req.Header.Set(perspective.HeaderSignature, perspective.SignRequest(testKey, http.MethodPost, perspective.CheckPath, ts, nonce, body))
	return req
}

func TestHandlerRefusesBadBodies(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	srv := httptest.NewServer(&perspective.Handler{Key: testKey, Local: s.local})
	t.Cleanup(srv.Close)
	good := `{"version":1,"timeout_ms":1000,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`
	for body, code := range map[string]string{
		`{"version":2,"timeout_ms":1000,"check":{"kind":"dcv"}}`: "version",
		`not json`: "bad_request",
		`{"version":1,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`:                         "bad_request",
		`{"version":1,"timeout_ms":1000,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}},"x":1}`: "bad_request",
		`{"version":1,"timeout_ms":1000,"check":{"kind":"dns","txt":{"name":"_dnsauth.example.com","value":"v"}}}`:       "bad_request",
		good + `{}`: "bad_request",
	} {
		resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL, []byte(body)))
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
		assert.Equal(t, code, errorCode(t, resp), body)
		resp.Body.Close()
	}
	assert.Equal(t, 0, s.zone.TotalQueries())
	resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL, []byte(good)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestHandlerHonoursDeadline(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	s.zone.Drop("_dnsauth.example.com.", dns.TypeTXT)

	// The caller waits 1 s: the handler answers within it, with the
	// timeout as the result, rather than letting the call fail.
	r := s.serve(t, testKey)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	res, err := r.Run(ctx, txtCheck())
	require.NoError(t, err)
	assert.Equal(t, perspective.Undecided, res.Verdict)
	assert.Equal(t, verify.Undecided, res.DCV.Outcome)
	assert.Contains(t, res.Error, "timed out")

	// The handler's cap applies to a caller that would wait longer.
	srv := httptest.NewServer(&perspective.Handler{Key: testKey, Local: s.local, MaxTimeout: 200 * time.Millisecond})
	t.Cleanup(srv.Close)
	res, err = (&perspective.Remote{URL: srv.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
	require.NoError(t, err)
	assert.Equal(t, perspective.Undecided, res.Verdict)
	assert.Less(t, res.DCV.Duration, 3*time.Second)
}

// forger answers every request itself: it knows the key but not the nonce
// of the request it answers (a recorded or forged response).
func forger(t *testing.T, key []byte, nonce string, result string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := nonce
		if n == "" {
			n = r.Header.Get(perspective.HeaderNonce)
		}
		body := []byte(`{"version":1,"nonce":"` + n + `","result":` + result + `}`)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		w.Header().Set(perspective.HeaderTimestamp, ts)
		w.Header().Set(perspective.HeaderSignature, perspective.SignResponse(key, http.StatusOK, n, ts, body))
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRemoteRefusesBadResponses(t *testing.T) {
	verified := `{"label":"x","kind":"dcv","verdict":"pass","dcv":{"target":"t","outcome":"verified","evidence":[],"checked_at":"2025-01-01T00:00:00Z","duration_ns":0},"duration_ns":0}`
	for name, srv := range map[string]*httptest.Server{
		"wrong key":          forger(t, []byte("not-the-key-not-the-key-not-the-key"), "", verified),
		"other nonce":        forger(t, testKey, "AAAAAAAAAAAAAAAAAAAAAA", verified),
		"pass sans evidence": forger(t, testKey, "", `{"label":"x","kind":"dcv","verdict":"pass"}`),
		"other kind":         forger(t, testKey, "", `{"label":"x","kind":"caa","verdict":"fail"}`),
		"no result":          forger(t, testKey, "", `null`),
		"unsigned": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"version":1,"nonce":"`+r.Header.Get(perspective.HeaderNonce)+`","result":`+verified+`}`)
		})),
	} {
		t.Run(name, func(t *testing.T) {
			t.Cleanup(srv.Close)
			_, err := (&perspective.Remote{URL: srv.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
			assert.ErrorIs(t, err, perspective.ErrBadResponse)
		})
	}
	// The forger with the key and the live nonce is believed: the test
	// above fails for the reasons named, not by accident.
	res, err := (&perspective.Remote{URL: forger(t, testKey, "", verified).URL, Key: testKey}).Run(ctx5s(t), txtCheck())
	require.NoError(t, err)
	assert.True(t, res.Passed())
}

func TestRemoteURLAndRedirects(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	mux := http.NewServeMux()
	mux.Handle("/mpic/", &perspective.Handler{Key: testKey, Local: s.local})
	mux.Handle("/moved/", http.RedirectHandler("/mpic/v1/check", http.StatusTemporaryRedirect))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.zone.MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)

	for _, u := range []string{srv.URL + "/mpic", srv.URL + "/mpic/", srv.URL + "/mpic/v1/check"} {
		res, err := (&perspective.Remote{URL: u, Key: testKey}).Run(ctx5s(t), txtCheck())
		require.NoError(t, err, u)
		assert.True(t, res.Passed(), u)
	}
	// Redirects are not followed, even by a client that would.
	_, err := (&perspective.Remote{URL: srv.URL + "/moved", Key: testKey, Client: &http.Client{}}).Run(ctx5s(t), txtCheck())
	assert.ErrorIs(t, err, perspective.ErrServer)
	for _, u := range []string{"ftp://x", "http://", "http://h/?q=1", "::"} {
		_, err := (&perspective.Remote{URL: u, Key: testKey}).Run(ctx5s(t), txtCheck())
		assert.ErrorIs(t, err, perspective.ErrConfig, u)
	}
	assert.Equal(t, "example.net:8443", (&perspective.Remote{URL: "https://example.net:8443/x"}).Info().Label)
}
