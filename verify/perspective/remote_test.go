package perspective_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify/perspective"
)

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

// forger answers every request itself, signed with key for identity
// ("" for the identity the request asked for), echoing nonce ("" for the
// request's).
func forger(t *testing.T, key []byte, identity, nonce, result string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, id := nonce, identity
		if n == "" {
			n = r.Header.Get(perspective.HeaderNonce)
		}
		if id == "" {
			id = r.Header.Get(perspective.HeaderPerspective)
		}
		body := []byte(`{"version":2,"nonce":"` + n + `","result":` + result + `}`)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		w.Header().Set(perspective.HeaderTimestamp, ts)
		w.Header().Set(perspective.HeaderPerspective, id)
		w.Header().Set(perspective.HeaderSignature, perspective.SignResponse(key, http.StatusOK, id, n, ts, body))
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const verifiedResult = `{"label":"x","determination":"dcv","verdict":"pass","dcv":{"target":"t","outcome":"verified","evidence":[],"checked_at":"2025-01-01T00:00:00Z","duration_ns":0},"duration_ns":0}`

func TestRemoteRefusesBadResponses(t *testing.T) {
	for name, srv := range map[string]*httptest.Server{
		"wrong key":          forger(t, []byte("not-the-key-not-the-key-not-the-key"), "", "", verifiedResult),
		"other nonce":        forger(t, testKey, "", "AAAAAAAAAAAAAAAAAAAAAA", verifiedResult),
		"pass sans evidence": forger(t, testKey, "", "", `{"label":"x","determination":"dcv","verdict":"pass"}`),
		"other kind":         forger(t, testKey, "", "", `{"label":"x","determination":"caa","verdict":"fail"}`),
		"no result":          forger(t, testKey, "", "", `null`),
		"unsigned": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(perspective.HeaderPerspective, r.Header.Get(perspective.HeaderPerspective))
			_, _ = io.WriteString(w, `{"version":2,"nonce":"`+r.Header.Get(perspective.HeaderNonce)+`","result":`+verifiedResult+`}`)
		})),
	} {
		t.Run(name, func(t *testing.T) {
			t.Cleanup(srv.Close)
			_, err := (&perspective.Remote{URL: srv.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
			assert.ErrorIs(t, err, perspective.ErrBadResponse)
		})
	}
	// The forger with the key, the identity and the live nonce is
	// believed: the cases above fail for the reasons named.
	res, err := (&perspective.Remote{URL: forger(t, testKey, "", "", verifiedResult).URL, Key: testKey}).Run(ctx5s(t), txtCheck())
	require.NoError(t, err)
	assert.True(t, res.Passed())
}

// The attack of issue 9: one perspective's genuinely signed answer
// offered as another's.
func TestRemoteRefusesAnswerSignedForAnotherPerspective(t *testing.T) {
	for name, identity := range map[string]string{
		"another perspective":      "http://perspective-a.example:8443",
		"another path on the host": "", // set below
	} {
		t.Run(name, func(t *testing.T) {
			srv := forger(t, testKey, identity, "", verifiedResult)
			if identity == "" {
				srv = forger(t, testKey, srv.URL+"/other", "", verifiedResult)
			}
			_, err := (&perspective.Remote{URL: srv.URL, Key: testKey, Label: "b"}).Run(ctx5s(t), txtCheck())
			assert.ErrorIs(t, err, perspective.ErrBadResponse)
		})
	}
	// The header says the right identity, the signature is for another.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := r.Header.Get(perspective.HeaderNonce)
		body := []byte(`{"version":2,"nonce":"` + n + `","result":` + verifiedResult + `}`)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		w.Header().Set(perspective.HeaderTimestamp, ts)
		w.Header().Set(perspective.HeaderPerspective, r.Header.Get(perspective.HeaderPerspective))
		w.Header().Set(perspective.HeaderSignature, perspective.SignResponse(testKey, http.StatusOK, "http://perspective-a.example", n, ts, body))
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	_, err := (&perspective.Remote{URL: srv.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
	assert.ErrorIs(t, err, perspective.ErrBadResponse)
}

// The attack of issue 9: someone on the path to perspective B forwards
// B's requests to perspective A, which holds the same key.
func TestRemoteRelayedToAnotherPerspectiveIsNoAnswer(t *testing.T) {
	fx := newFixture(t)
	a := newSite(t, "a", "ARIN", fx.honest)
	ra := a.serve(t, testKey)
	target, err := url.Parse(ra.URL)
	require.NoError(t, err)
	relay := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	t.Cleanup(relay.Close)

	_, err = (&perspective.Remote{URL: relay.URL, Key: testKey, Label: "b"}).Run(ctx5s(t), dcvCheck(fx.txt))
	require.ErrorIs(t, err, perspective.ErrMisdirected)
	var re *perspective.RemoteError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusMisdirectedRequest, re.Status)
	assert.Equal(t, 0, a.zone.TotalQueries(), "a runs no check addressed to b")
}

func TestRemoteKeyPerPerspective(t *testing.T) {
	fx := newFixture(t)
	keyA := []byte("key-of-perspective-a-0123456789abcdef")
	keyB := []byte("key-of-perspective-b-0123456789abcdef")
	a := newSite(t, "a", "ARIN", fx.honest)
	b := newSite(t, "b", "RIPE", fx.honest)
	srvA := serveHandler(t, &perspective.Handler{Key: keyA, Local: a.local})
	srvB := serveHandler(t, &perspective.Handler{Key: keyB, Local: b.local})

	for _, tc := range []struct {
		url string
		key []byte
		ok  bool
	}{
		{srvA.URL, keyA, true}, {srvB.URL, keyB, true},
		{srvA.URL, keyB, false}, {srvB.URL, keyA, false},
	} {
		res, err := (&perspective.Remote{URL: tc.url, Key: tc.key}).Run(ctx5s(t), dcvCheck(fx.txt))
		if tc.ok {
			require.NoError(t, err)
			assert.True(t, res.Passed())
		} else {
			assert.ErrorIs(t, err, perspective.ErrUnauthenticated)
		}
	}
}

func TestRemoteRefusesReplayedOrAlteredAnswers(t *testing.T) {
	realSrv, _ := countingHandler(t, &perspective.Handler{})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	n := freshNonce()
	resp := rawReq{ts: ts, nonce: n}.send(t, realSrv.URL)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	hdr := resp.Header.Clone()

	// The recorded answer, sent to a later request.
	replay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range hdr {
			w.Header()[k] = v
		}
		w.Header().Set(perspective.HeaderPerspective, r.Header.Get(perspective.HeaderPerspective))
		_, _ = w.Write(body)
	}))
	t.Cleanup(replay.Close)
	_, err = (&perspective.Remote{URL: replay.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
	assert.ErrorIs(t, err, perspective.ErrBadResponse)

	// Re-signed under the live nonce but with a changed timestamp header,
	// or a status other than 200: refused.
	resign := func(w http.ResponseWriter, r *http.Request, tsSigned string, status int) {
		id, live := r.Header.Get(perspective.HeaderPerspective), r.Header.Get(perspective.HeaderNonce)
		b := []byte(strings.Replace(string(body), n, live, 1))
		w.Header().Set(perspective.HeaderTimestamp, "1")
		w.Header().Set(perspective.HeaderPerspective, id)
		w.Header().Set(perspective.HeaderSignature, perspective.SignResponse(testKey, http.StatusOK, id, live, tsSigned, b))
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
	for name, h := range map[string]http.HandlerFunc{
		"timestamp changed":    func(w http.ResponseWriter, r *http.Request) { resign(w, r, "2", http.StatusOK) },
		"signed 200, sent 203": func(w http.ResponseWriter, r *http.Request) { resign(w, r, "1", http.StatusNonAuthoritativeInfo) },
	} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		res, err := (&perspective.Remote{URL: srv.URL, Key: testKey}).Run(ctx5s(t), txtCheck())
		assert.Error(t, err, name)
		assert.False(t, res.Passed(), name)
	}
}

func TestRemoteRefusesForgedVerdicts(t *testing.T) {
	for name, result := range map[string]string{
		"pass with not verified evidence": `{"label":"x","determination":"dcv","verdict":"pass","dcv":{"target":"t","outcome":"not verified","checked_at":"2025-01-01T00:00:00Z","duration_ns":0}}`,
		"pass with a caa permit for dcv":  `{"label":"x","determination":"dcv","verdict":"pass","caa":{"permitted":true}}`,
		"fail with verified evidence":     `{"label":"x","determination":"dcv","verdict":"fail","dcv":{"target":"t","outcome":"verified","checked_at":"2025-01-01T00:00:00Z","duration_ns":0}}`,
		"unknown verdict":                 `{"label":"x","determination":"dcv","verdict":"PASS","dcv":{"target":"t","outcome":"verified","checked_at":"2025-01-01T00:00:00Z","duration_ns":0}}`,
		"numeric verdict":                 `{"label":"x","determination":"dcv","verdict":1,"dcv":{"target":"t","outcome":"verified","checked_at":"2025-01-01T00:00:00Z","duration_ns":0}}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := &perspective.Remote{URL: forger(t, testKey, "", "", result).URL, Key: testKey, Label: "f"}
			res, err := r.Run(ctx5s(t), txtCheck())
			assert.False(t, err == nil && res.Passed(), "a forged result passed")
			c := &perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{r}}
			rep, err := c.Run(ctx5s(t), txtCheck())
			assert.ErrorIs(t, err, perspective.ErrQuorum)
			assert.Equal(t, 0, rep.Corroborating)
		})
	}
	// A caa pass carrying dcv evidence, for a caa check: refused.
	r := &perspective.Remote{URL: forger(t, testKey, "", "", `{"label":"x","determination":"caa","verdict":"pass","dcv":{"target":"t","outcome":"verified","checked_at":"2025-01-01T00:00:00Z","duration_ns":0}}`).URL, Key: testKey}
	_, err := r.Run(ctx5s(t), caaCheck())
	assert.ErrorIs(t, err, perspective.ErrBadResponse)
}

func TestRemoteURLAndRedirects(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	mux := http.NewServeMux()
	h := &perspective.Handler{Key: testKey, Local: s.local}
	mux.Handle("/mpic/", h)
	mux.Handle("/moved/", http.RedirectHandler("/mpic/v2/check", http.StatusTemporaryRedirect))
	srv := httptest.NewUnstartedServer(mux)
	h.URL = "http://" + srv.Listener.Addr().String() + "/mpic"
	srv.Start()
	t.Cleanup(srv.Close)
	s.zone.MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)

	for _, u := range []string{srv.URL + "/mpic", srv.URL + "/mpic/", srv.URL + "/mpic/v2/check", srv.URL + "/x/../mpic"} {
		res, err := (&perspective.Remote{URL: u, Key: testKey}).Run(ctx5s(t), txtCheck())
		require.NoError(t, err, u)
		assert.True(t, res.Passed(), u)
	}
	// Redirects are not followed, even by a client that would.
	_, err := (&perspective.Remote{URL: srv.URL + "/moved", Key: testKey, Client: &http.Client{}}).Run(ctx5s(t), txtCheck())
	assert.ErrorIs(t, err, perspective.ErrServer)
	for _, u := range []string{"ftp://x", "http://", "http://h/?q=1", "::", "http://h:0", "http://h:99999"} {
		_, err := (&perspective.Remote{URL: u, Key: testKey}).Run(ctx5s(t), txtCheck())
		assert.ErrorIs(t, err, perspective.ErrConfig, u)
	}
	info := (&perspective.Remote{URL: "https://Example.NET.:8443/x/"}).Info()
	assert.Equal(t, "Example.NET.:8443", info.Label)
	assert.Equal(t, "example.net:8443", info.Endpoint)
	assert.Equal(t, "example.net:443", (&perspective.Remote{URL: "https://example.net/x"}).Info().Endpoint)
}

func TestIdentity(t *testing.T) {
	for in, want := range map[string]string{
		"https://mpic.example.net":                   "https://mpic.example.net",
		"HTTPS://MPIC.Example.NET.:443/":             "https://mpic.example.net",
		"https://mpic.example.net:8443/eu/v2/check":  "https://mpic.example.net:8443/eu",
		"http://127.0.0.1:80/a/../b//":               "http://127.0.0.1/b",
		"http://[::ffff:127.0.0.1]:8080":             "http://127.0.0.1:8080",
		"http://[::1]:9/":                            "http://[::1]:9",
		"http://[::1]":                               "http://[::1]",
		"https://mpic.example.net:0443/p%20q":        "https://mpic.example.net/p%20q",
		"https://mpic.example.net:443/v2/check/../x": "https://mpic.example.net/v2/x",
	} {
		got, err := perspective.Identity(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		again, err := perspective.Identity(got)
		require.NoError(t, err)
		assert.Equal(t, got, again, "canonical is a fixed point")
	}
	for _, in := range []string{"", "mpic.example.net", "ftp://x", "http://", "http://u@x", "http://x?q", "http://x#f", "http://x:0", "http://x:65536",
		"http://.", "http://a..b", "http://a%20b", "http://[fe80::1%25eth0]:8", "https://bücher.example"} {
		_, err := perspective.Identity(in)
		assert.ErrorIs(t, err, perspective.ErrConfig, in)
	}
}
