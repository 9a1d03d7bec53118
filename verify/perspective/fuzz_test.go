package perspective_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// noHTTP fails every fetch at once, keeping the fuzzer off the network.
type noHTTP struct{}

func (noHTTP) Do(*http.Request) (*http.Response, error) { return nil, errors.New("no HTTP in fuzzing") }

// FuzzHandler sends arbitrary bodies, signed or not, with arbitrary header
// values through the real handler: it never panics, answers only with the
// documented statuses and error codes, and runs a check only for a signed,
// valid request.
func FuzzHandler(f *testing.F) {
	const self = "https://fuzz.example:8443/mpic"
	good, err := json.Marshal(perspective.Request{Version: perspective.Version, TimeoutMS: 1000, Check: txtCheck()})
	require.NoError(f, err)
	f.Add(good, true, "", "", "")
	f.Add(good, false, "", "", "")
	f.Add(good, true, "AAAAAAAAAAAAAAAAAAAAAA", "1", "")
	f.Add(good, true, "", "", "https://other.example")
	f.Add(good, true, "", "", "HTTPS://fuzz.example:8443/mpic/")
	f.Add([]byte(`{"version":1}`), true, "", "", "")
	f.Add([]byte(`{"version":3}`), true, "", "", "")
	f.Add([]byte(`{}`), true, "short", "", "")
	f.Add([]byte("\xff"), true, "", "-1", "")
	caaBody, err := json.Marshal(perspective.Request{Version: perspective.Version, TimeoutMS: 1, Check: caaCheck()})
	require.NoError(f, err)
	f.Add(caaBody, true, "", "99999999999999", "")
	for _, c := range []perspective.Check{
		{Determination: perspective.DCV, TLSALPN: &perspective.TLSALPNCheck{Domain: "example.com", KeyAuthorization: "t.k"}},
		{Determination: perspective.DCV, Persist: &perspective.PersistCheck{Domain: "www.example.com",
			Issuers: []string{"ssl.com"}, AccountURIs: []string{"https://ca.example/acct/1"}}},
	} {
		body, err := json.Marshal(perspective.Request{Version: perspective.Version, TimeoutMS: 1000, Check: c})
		require.NoError(f, err)
		f.Add(body, true, "", "", "")
	}

	zone := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`, `example.com. 300 IN CAA 0 issue "ssl.com"`)
	now := time.Unix(1_750_000_000, 0)
	h := &perspective.Handler{URL: self, Key: testKey, MaxBody: 4096, Now: func() time.Time { return now },
		Local: &perspective.Local{Label: "fuzz", Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone, HTTP: noHTTP{}}, CAA: &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: zone}}}
	codes := map[int][]string{
		http.StatusOK:                    {""},
		http.StatusBadRequest:            {"bad_request", "version"},
		http.StatusUnauthorized:          {"unauthenticated", "stale", "replay"},
		http.StatusMisdirectedRequest:    {"misdirected"},
		http.StatusRequestEntityTooLarge: {"too_large"},
	}
	n := 0
	f.Fuzz(func(t *testing.T, body []byte, sign bool, nonce, ts, to string) {
		n++
		// The clock moves, so accepted nonces leave the window and the
		// replay cache does not fill up (503 busy) over a long run.
		now = now.Add(time.Second)
		if nonce == "" {
			nonce = "fuzz-nonce-" + strconv.Itoa(n) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		}
		if ts == "" {
			ts = strconv.FormatInt(now.Unix(), 10)
		}
		req := httptest.NewRequest(http.MethodPost, perspective.CheckPath, strings.NewReader(string(body)))
		req.Header.Set(perspective.HeaderNonce, nonce)
		req.Header.Set(perspective.HeaderTimestamp, ts)
		if to == "" {
			to = self
		}
		req.Header.Set(perspective.HeaderPerspective, to)
		req.Header.Set(perspective.HeaderBodyDigest, perspective.BodyDigest(body))
		if sign {
			req.Header.Set(perspective.HeaderSignature, perspective.SignRequest(testKey, http.MethodPost, perspective.CheckPath, to, ts, nonce, body))
		}
		before := zone.TotalQueries()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)

		allowed, ok := codes[w.Code]
		require.True(t, ok, "status %d: %s", w.Code, w.Body)
		var resp struct {
			Nonce  string
			Result *perspective.Result
			Error  *struct{ Code string }
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
		if w.Code != http.StatusOK {
			require.NotNil(t, resp.Error)
			require.Contains(t, allowed, resp.Error.Code)
			require.Equal(t, before, zone.TotalQueries(), "a refused request ran a check")
			return
		}
		require.True(t, sign)
		require.Equal(t, self, to, "answered a request for another perspective")
		_, err := perspective.DecodeRequest(body)
		require.NoError(t, err)
		require.Equal(t, nonce, resp.Nonce)
		require.NotNil(t, resp.Result)
		sig := w.Header().Get(perspective.HeaderSignature)
		require.Equal(t, self, w.Header().Get(perspective.HeaderPerspective))
		require.Equal(t, perspective.SignResponse(testKey, http.StatusOK, self, nonce, w.Header().Get(perspective.HeaderTimestamp), w.Body.Bytes()), sig)
	})
}

// FuzzIdentity reads arbitrary URLs as a perspective's identity (the
// Dcv-Perspective header of every request): never a panic, and what is
// accepted is canonical, a fixed point, and keeps its scheme and host.
func FuzzIdentity(f *testing.F) {
	for _, s := range []string{"https://mpic.example.net", "HTTP://[::1]:80/a/../b/", "https://x:0443/v2/check",
		"http://u@x", "http://x?q", "http://x#f", "http://%zz", "http://[::1", "https://xn--bcher-kva.example/ü", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := perspective.Identity(raw)
		if err != nil {
			require.ErrorIs(t, err, perspective.ErrConfig)
			return
		}
		again, err := perspective.Identity(id)
		require.NoError(t, err, id)
		require.Equal(t, id, again)
		require.True(t, strings.HasPrefix(id, "http://") || strings.HasPrefix(id, "https://"), id)
		require.False(t, strings.HasSuffix(id, "/"), id)
		require.NotContains(t, id, "\n")
	})
}
