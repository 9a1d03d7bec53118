package verify_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
)

func fetchT(t *testing.T, s *site, url string, policy verify.RedirectPolicy, maxBody int64) (verify.FetchResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return verify.Fetch(ctx, s.client, url, policy, maxBody)
}

func TestFetchOK(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	u := "http://example.com/.well-known/pki-validation/fileauth.txt"
	res, err := fetchT(t, s, u, verify.NoRedirects, 0)
	require.NoError(t, err)
	assert.Equal(t, u, res.URL)
	assert.Equal(t, u, res.FinalURL)
	assert.Equal(t, 200, res.Status)
	assert.True(t, verify.ContentMatches(res.Body, "value123\nsecond line"))
	assert.False(t, verify.ContentMatches(res.Body, "value124\nsecond line"))

	// Evidence: the DNS lookups (AAAA and A), then the HTTP request.
	require.Len(t, res.Evidence, 3)
	for _, ev := range res.Evidence[:2] {
		assert.Equal(t, "dns", ev.Protocol)
	}
	ev := res.Evidence[2]
	assert.Equal(t, "http", ev.Protocol)
	assert.Equal(t, "GET "+u, ev.Query)
	assert.Equal(t, "127.0.0.1:80", ev.Server)
	assert.Equal(t, 200, ev.Status)
	assert.Equal(t, []string{"\ufeffvalue123", "second line  "}, ev.Answer)
	assert.Empty(t, ev.Error)
	assert.False(t, ev.Time.IsZero())
	assert.Positive(t, ev.Duration)
}

func TestFetchHTTPS(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	res, err := fetchT(t, s, "https://example.com/ok", verify.NoRedirects, 0)
	require.NoError(t, err)
	assert.Equal(t, "ok https", string(res.Body))
	assert.Equal(t, "127.0.0.1:443", res.Evidence[len(res.Evidence)-1].Server)
}

func TestFetchStatus(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	for _, code := range []int{404, 403, 500, 503, 204} {
		u := "http://example.com/status/" + strconv.Itoa(code)
		res, err := fetchT(t, s, u, verify.FollowBR, 0)
		if code == 204 {
			require.NoError(t, err, "any 2xx is success")
			assert.Empty(t, res.Body)
			continue
		}
		e := requireKind(t, err, verify.ErrHTTPStatus)
		assert.Equal(t, []string{"HTTP " + strconv.Itoa(code)}, e.Seen)
		assert.Equal(t, u, e.Target)
		assert.Equal(t, "127.0.0.1:80", e.Server)
		assert.Contains(t, e.Hint, "/.well-known/pki-validation/")
		assert.Equal(t, verify.NotVerified, verify.OutcomeOf(err))
		assert.Equal(t, code, res.Status)
		ev := res.Evidence[len(res.Evidence)-1]
		assert.Equal(t, code, ev.Status)
		assert.Equal(t, []string{"<html>error page</html>"}, ev.Answer)
	}
}

func TestFetchNoRedirects(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	for _, code := range []int{301, 302, 303, 307, 308} {
		before := s.hits.Load()
		res, err := fetchT(t, s, fmt.Sprintf("http://example.com/redirect/%d?to=/ok", code), verify.NoRedirects, 0)
		e := requireKind(t, err, verify.ErrRedirect)
		assert.Equal(t, []string{"HTTP " + strconv.Itoa(code), "Location: /ok"}, e.Seen)
		assert.Contains(t, e.Hint, "without any 301/302 redirect")
		assert.Equal(t, verify.NotVerified, verify.OutcomeOf(err))
		assert.Equal(t, code, res.Status)
		assert.Equal(t, "/ok", res.Evidence[len(res.Evidence)-1].Location)
		assert.EqualValues(t, 1, s.hits.Load()-before, "the redirect is not followed")
	}
}

func TestFetchFollowBR(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	for _, code := range []int{301, 302, 307, 308} {
		u := fmt.Sprintf("http://example.com/redirect/%d?to=/ok", code)
		res, err := fetchT(t, s, u, verify.FollowBR, 0)
		require.NoError(t, err, code)
		assert.Equal(t, "ok http", string(res.Body))
		assert.Equal(t, u, res.URL)
		assert.Equal(t, "http://example.com/ok", res.FinalURL)
		httpEv := 0
		for _, ev := range res.Evidence {
			if ev.Protocol == "http" {
				httpEv++
			}
		}
		assert.Equal(t, 2, httpEv, "one evidence record per hop")
	}
	for _, code := range []int{300, 303, 304, 305, 306} {
		_, err := fetchT(t, s, fmt.Sprintf("http://example.com/redirect/%d?to=/ok", code), verify.FollowBR, 0)
		requireKind(t, err, verify.ErrRedirect)
	}
	// A followable status without a Location.
	_, err := fetchT(t, s, "http://example.com/redirect/302", verify.FollowBR, 0)
	requireKind(t, err, verify.ErrRedirect)

	// http to https on 443 (another name, same guard and DNS).
	res, err := fetchT(t, s, "http://example.com/redirect/301?to=https://www.example.com/ok", verify.FollowBR, 0)
	require.NoError(t, err)
	assert.Equal(t, "ok https", string(res.Body))
	assert.Equal(t, "https://www.example.com/ok", res.FinalURL)
}

func TestFetchRedirectForbiddenTarget(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	// Another port: ErrRedirect (the policy refused it), also matching
	// ErrPortNotAllowed; nothing is sent to the port.
	for _, to := range []string{"http://example.com:8080/ok", "https://example.com:8443/ok", "http://www.example.com:443/ok"} {
		_, err := fetchT(t, s, "http://example.com/redirect/302?to="+to, verify.FollowBR, 0)
		e := requireKind(t, err, verify.ErrRedirect)
		assert.ErrorIs(t, err, verify.ErrPortNotAllowed)
		assert.Equal(t, verify.NotVerified, verify.OutcomeOf(err))
		assert.Contains(t, e.Seen, "Location: "+to)
	}
	// Another scheme: ErrRedirect only.
	for _, to := range []string{"ftp://example.com/ok", "file:///etc/passwd", "javascript:alert(1)"} {
		_, err := fetchT(t, s, "http://example.com/redirect/302?to="+to, verify.FollowBR, 0)
		requireKind(t, err, verify.ErrRedirect)
		assert.NotErrorIs(t, err, verify.ErrPortNotAllowed)
		assert.NotErrorIs(t, err, verify.ErrBadInput)
	}
	for _, d := range s.net.dialed() {
		assert.Equal(t, "127.0.0.1:80", d)
	}
}

func TestFetchRedirectHops(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	res, err := fetchT(t, s, "http://example.com/chain/10", verify.FollowBR, 0)
	require.NoError(t, err, "10 redirects are followed")
	assert.Equal(t, "end", string(res.Body))
	assert.Equal(t, "http://example.com/chain/0", res.FinalURL)

	_, err = fetchT(t, s, "http://example.com/chain/11", verify.FollowBR, 0)
	e := requireKind(t, err, verify.ErrRedirect)
	assert.Contains(t, e.Error(), "more than 10 redirects")

	before := s.hits.Load()
	_, err = fetchT(t, s, "http://example.com/loop", verify.FollowBR, 0)
	requireKind(t, err, verify.ErrRedirect)
	assert.EqualValues(t, verify.MaxRedirects+1, s.hits.Load()-before)
}

func TestFetchRedirectToPrivateAddress(t *testing.T) {
	s := newSite(t, "1.2.3.4") // public, mapped by the test Dial to loopback
	s.zone.MustAdd("internal.example.com. 300 IN A 10.0.0.1")
	s.net.route("10.0.0.1:80", s.plain.Listener.Addr().String()) // would succeed if dialled
	require.False(t, s.client.AllowPrivate)

	res, err := fetchT(t, s, "http://example.com/redirect/302?to=http://internal.example.com/ok", verify.FollowBR, 0)
	e := requireKind(t, err, verify.ErrAddressRefused)
	assert.Equal(t, "http://internal.example.com/ok", e.Target)
	assert.Equal(t, []string{"10.0.0.1"}, e.Seen)
	assert.Equal(t, []string{"1.2.3.4:80"}, s.net.dialed(), "the refused hop is never dialled")
	assert.Equal(t, verify.Undecided, verify.OutcomeOf(err))
	last := res.Evidence[len(res.Evidence)-1]
	assert.Equal(t, "GET http://internal.example.com/ok", last.Query)
	assert.NotEmpty(t, last.Error)

	// An IP literal in the Location too.
	_, err = fetchT(t, s, "http://example.com/redirect/307?to=http://169.254.169.254/latest/", verify.FollowBR, 0)
	requireKind(t, err, verify.ErrAddressRefused)
	assert.Equal(t, []string{"1.2.3.4:80", "1.2.3.4:80"}, s.net.dialed())
}

// TestFetchRefusesNamesWithoutICANNSuffix: a file host or redirect target
// without a public suffix of the ICANN section is refused before any DNS
// query or connection, unless the client allows private targets.
func TestFetchRefusesNamesWithoutICANNSuffix(t *testing.T) {
	s := newSite(t, "1.2.3.4") // public, mapped by the test Dial to loopback
	hosts := []string{"foo.internal", "x.notatld", "printer.local", "intranet", "nas.home.arpa", "x.onion", "a.test"}
	for _, host := range hosts {
		s.zone.MustAdd(host + ". 300 IN A 1.2.3.4")
	}
	require.False(t, s.client.AllowPrivate)
	for _, host := range append(hosts, "FOO.INTERNAL.") {
		before := s.zone.TotalQueries()
		_, err := fetchT(t, s, "http://"+host+"/.well-known/pki-validation/fileauth.txt", verify.NoRedirects, 0)
		e := requireKind(t, err, verify.ErrAddressRefused)
		assert.Equal(t, []string{host}, e.Seen)
		assert.Equal(t, before, s.zone.TotalQueries(), "%s: refused before any query", host)

		before = s.zone.TotalQueries()
		_, err = fetchT(t, s, "http://example.com/redirect/302?to=http://"+host+"/ok", verify.FollowBR, 0)
		requireKind(t, err, verify.ErrAddressRefused)
		assert.Equal(t, before+2, s.zone.TotalQueries(), "%s: only example.com was looked up (A and AAAA)", host)
	}
	for _, d := range s.net.dialed() {
		assert.Equal(t, "1.2.3.4:80", d, "only example.com was dialled")
	}

	// AllowPrivate (labs, tests) lets them through.
	s.client.AllowPrivate = true
	_, err := fetchT(t, s, "http://foo.internal/ok", verify.NoRedirects, 0)
	require.NoError(t, err)
}

func TestFetchBodyLimit(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	for _, path := range []string{"big", "chunked"} {
		res, err := fetchT(t, s, fmt.Sprintf("http://example.com/%s/%d", path, verify.DefaultMaxBody), verify.NoRedirects, 0)
		require.NoError(t, err, path)
		assert.Len(t, res.Body, verify.DefaultMaxBody)

		res, err = fetchT(t, s, fmt.Sprintf("http://example.com/%s/%d", path, verify.DefaultMaxBody+1), verify.NoRedirects, 0)
		requireKind(t, err, verify.ErrBodyTooLarge)
		assert.Nil(t, res.Body, "never a truncated body")

		_, err = fetchT(t, s, "http://example.com/"+path+"/11", verify.NoRedirects, 10)
		requireKind(t, err, verify.ErrBodyTooLarge)
		_, err = fetchT(t, s, "http://example.com/"+path+"/10", verify.NoRedirects, 10)
		require.NoError(t, err)
	}
}

func TestFetchSlowBody(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	res, err := verify.Fetch(ctx, s.client, "http://example.com/slow", verify.NoRedirects, 0)
	e := requireKind(t, err, verify.ErrTimeout)
	assert.Equal(t, "127.0.0.1:80", e.Server)
	assert.Nil(t, res.Body)
	assert.Equal(t, verify.Undecided, verify.OutcomeOf(err))
}

func TestFetchErrorsPassThrough(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	res, err := fetchT(t, s, "http://nx.example.com/ok", verify.NoRedirects, 0)
	requireKind(t, err, verify.ErrNotFound)
	assert.True(t, verify.IsNXDOMAIN(err))
	require.NotEmpty(t, res.Evidence)
	assert.Equal(t, "http", res.Evidence[len(res.Evidence)-1].Protocol)
	assert.NotEmpty(t, res.Evidence[len(res.Evidence)-1].Error)

	s.net.route("127.0.0.1:80", closedPort(t))
	res, err = fetchT(t, s, "http://example.com/ok", verify.NoRedirects, 0)
	requireKind(t, err, verify.ErrConnection)
	assert.Equal(t, "127.0.0.1:80", res.Evidence[len(res.Evidence)-1].Server)
}

func TestFetchBadURL(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	for _, u := range []string{"://x", "ftp://example.com/", "http://", "http://exa mple.com/"} {
		_, err := fetchT(t, s, u, verify.NoRedirects, 0)
		requireKind(t, err, verify.ErrBadInput)
	}
	_, err := fetchT(t, s, "https://example.com:8443/x", verify.NoRedirects, 0)
	requireKind(t, err, verify.ErrPortNotAllowed)
	assert.Zero(t, s.zone.TotalQueries())
	assert.Empty(t, s.net.dialed())
}

// Any HTTPDoer fits: a plain *http.Client that does not follow redirects.
func TestFetchWithHTTPClientDoer(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return s.net.dial(ctx, network, "127.0.0.1:80")
	}
	c := &http.Client{
		Transport:     &http.Transport{DialContext: dial, Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := verify.Fetch(context.Background(), c, "http://example.com/redirect/308?to=/ok", verify.FollowBR, 0)
	require.NoError(t, err)
	assert.Equal(t, "ok http", string(res.Body))

	s.net.route("127.0.0.1:80", closedPort(t))
	_, err = verify.Fetch(context.Background(), c, "http://example.com/ok", verify.FollowBR, 0)
	requireKind(t, err, verify.ErrConnection)
}

func TestBodyLines(t *testing.T) {
	assert.Nil(t, verify.BodyLines(nil))
	assert.Equal(t, []string{"a", "b"}, verify.BodyLines([]byte("a\r\nb\n")))
	assert.Equal(t, []string{"1", "2", "3", "4", "5"}, verify.BodyLines([]byte("1\n2\n3\n4\n5\n6\n7\n")))
	long := verify.BodyLines(make([]byte, 1000))
	require.Len(t, long, 1)
	assert.Len(t, long[0], verify.EvidenceBodyBytes)
	assert.Equal(t, []string{"\uFFFD"}, verify.BodyLines([]byte{0xff}))
}

// 206 Partial Content is part of a resource (and was never asked for):
// it must not pass for the file.
func TestFetchRefusesPartialContent(t *testing.T) {
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

// rawHTTP serves one canned response per connection on 127.0.0.1:80.
func rawHTTP(t *testing.T, e *env, response string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				c.Write([]byte(response))
			})
		}
	})
	e.zone.MustAdd("example.com. 300 IN A 127.0.0.1")
	e.web.mu.Lock()
	e.web.sites["127.0.0.1:80"] = l.Addr().String()
	e.web.mu.Unlock()
}

// The body limit holds however the body is framed, and the body is
// compared as served: never decoded, repaired or read past a lying
// Content-Length.
func TestFetchNeverPassesAnOversizedOrAlteredBody(t *testing.T) {
	const limit = 64
	want := "value"
	pad := func(n int) string { return want + strings.Repeat(" ", n-len(want)) } // trailing space is ignored
	cases := []struct {
		name, resp string
		kind       error
	}{
		{"at the limit, Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n" + pad(limit), nil},
		{"one over, Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n" + pad(limit+1), verify.ErrBodyTooLarge},
		{"at the limit, HTTP/1.0 to EOF", "HTTP/1.0 200 OK\r\n\r\n" + pad(limit), nil},
		{"one over, HTTP/1.0 to EOF", "HTTP/1.0 200 OK\r\n\r\n" + pad(limit+1), verify.ErrBodyTooLarge},
		{"one over, chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + pad(32) + "\r\n21\r\n" + strings.Repeat(" ", 33) + "\r\n0\r\n\r\n", verify.ErrBodyTooLarge},
		{"Content-Length lies short", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nvalueXXXXX", nil},
		{"Content-Length lies long", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\nConnection: close\r\n\r\nvalue", verify.ErrConnection},
		{"gzip-encoded", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 25\r\n\r\n\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff+K\xcc)M\x05\x00\x93\x1b\xa2\xa4\x05\x00\x00\x00", verify.ErrContentMismatch},
		{"BOM in the middle", "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nva\xef\xbb\xbflue", verify.ErrContentMismatch},
		{"204 with a body", "HTTP/1.1 204 No Content\r\n\r\nvalue", verify.ErrContentMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.v.MaxBody = limit
			rawHTTP(t, e, tc.resp)
			r, err := e.v.VerifyFiles(context.Background(), []string{"http://example.com/f.txt"}, want)
			if tc.kind == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.NotEqual(t, verify.Verified, r.Outcome)
		})
	}
}

// Followed redirects go through the same address guard and port policy:
// no Location reaches a private address, another port or scheme, or loops.
func TestFetchRedirectsNeverReachARefusedTarget(t *testing.T) {
	ok := files(map[string]string{"/f.txt": "value"})
	cases := []struct {
		name, loc string
		code      int
		kind      error
	}{
		{"protocol-relative to a private host", "//intranet.corp.test/f.txt", 302, verify.ErrAddressRefused},
		{"https on port 80", "https://example.com:80/f.txt", 301, verify.ErrRedirect},
		{"http on 8080", "http://example.com:8080/f.txt", 301, verify.ErrPortNotAllowed},
		{"303 to the same host", "/f.txt", 303, verify.ErrRedirect},
		{"loop", "/loop", 302, verify.ErrRedirect},
		{"ftp", "ftp://example.com/f.txt", 302, verify.ErrRedirect},
		{"IP literal private", "http://[::1]/f.txt", 307, verify.ErrAddressRefused},
		{"second hop private", "http://hop.example.com/f.txt", 302, verify.ErrAddressRefused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.zone.MustAdd("example.com. 300 IN A 203.0.114.7", "hop.example.com. 300 IN A 203.0.114.8",
				"intranet.corp.test. 300 IN A 10.0.0.1")
			e.web.serve(t, "203.0.114.7:80", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", tc.loc)
				w.WriteHeader(tc.code)
			}), false)
			e.web.serve(t, "203.0.114.8:80", http.RedirectHandler("http://intranet.corp.test/f.txt", http.StatusFound), false)
			e.web.serve(t, "10.0.0.1:80", ok, false)
			e.v.HTTP = &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: e.zone, Dial: e.web.dial}
			e.v.Files.FollowRedirects = true
			r, err := e.v.VerifyFiles(context.Background(), []string{"http://example.com/f.txt"}, "value")
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.NotEqual(t, verify.Verified, r.Outcome)
			assert.Zero(t, e.web.dials["10.0.0.1:80"])
		})
	}
}
