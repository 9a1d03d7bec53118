package verify_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// testNet is an injected Dial: it maps vetted "ip:port" strings to real
// loopback listeners and records every dial. Unmapped addresses are
// refused without touching the network.
type testNet struct {
	mu     sync.Mutex
	routes map[string]string // vetted ip:port -> loopback listener address
	fail   map[string]error
	dials  []string
}

func newTestNet() *testNet {
	return &testNet{routes: map[string]string{}, fail: map[string]error{}}
}

func (n *testNet) route(vetted, to string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.routes[vetted] = to
}

func (n *testNet) failWith(vetted string, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.fail[vetted] = err
}

func (n *testNet) dialed() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.dials...)
}

func (n *testNet) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	n.dials = append(n.dials, addr)
	to, ok := n.routes[addr]
	ferr := n.fail[addr]
	n.mu.Unlock()
	if ferr != nil {
		return nil, ferr
	}
	if !ok {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

// site is a test web site: the same handler over http and https, reached
// as example.com (and www.example.com) at the vetted address ip.
type site struct {
	zone   *verifytest.Zone
	net    *testNet
	plain  *httptest.Server
	tls    *httptest.Server
	client *verify.HTTPClient
	hits   atomic.Int64
}

// newSite serves testMux on loopback; example.com resolves to ip, and the
// injected Dial maps ip:80 and ip:443 to the servers. The client allows
// private addresses when ip is loopback.
func newSite(t testing.TB, ip string) *site {
	t.Helper()
	s := &site{zone: verifytest.NewZone(), net: newTestNet()}
	done := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		testMux(done).ServeHTTP(w, r)
	})
	s.plain = httptest.NewServer(h)
	s.tls = httptest.NewUnstartedServer(h)
	s.tls.Config.ErrorLog = log.New(io.Discard, "", 0) // failed handshakes are expected
	s.tls.StartTLS()
	t.Cleanup(func() { close(done); s.plain.Close(); s.tls.Close() })

	rr := "A"
	if net.ParseIP(ip).To4() == nil {
		rr = "AAAA"
	}
	s.zone.MustAdd(
		"example.com. 300 IN "+rr+" "+ip,
		"www.example.com. 300 IN "+rr+" "+ip,
	)
	s.net.route(net.JoinHostPort(ip, "80"), s.plain.Listener.Addr().String())
	s.net.route(net.JoinHostPort(ip, "443"), s.tls.Listener.Addr().String())
	s.client = &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: s.zone, Dial: s.net.dial, AllowPrivate: ip == "127.0.0.1" || ip == "::1"}
	return s
}

// testMux serves the paths the tests use; done unblocks hanging handlers.
func testMux(done <-chan struct{}) *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/.well-known/pki-validation/fileauth.txt", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "\ufeffvalue123\r\nsecond line  \r\n")
	})
	m.HandleFunc("/ua", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.UserAgent()+"|"+r.Header.Get("Cookie"))
	})
	m.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		_, _ = io.WriteString(w, "ok "+scheme)
	})
	m.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "<html>error page</html>\n")
	})
	// /redirect/{code}?to=<Location>
	m.HandleFunc("/redirect/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		if to := r.URL.Query().Get("to"); to != "" {
			w.Header().Set("Location", to)
		}
		w.WriteHeader(code)
	})
	m.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			_, _ = io.WriteString(w, "end")
			return
		}
		http.Redirect(w, r, "/chain/"+strconv.Itoa(n-1), http.StatusFound)
	})
	m.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusMovedPermanently)
	})
	// /big/{n}: n bytes with a Content-Length; /chunked/{n}: without.
	m.HandleFunc("/big/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		_, _ = w.Write(make([]byte, n))
	})
	m.HandleFunc("/chunked/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		for n > 0 {
			k := min(n, 4096)
			_, _ = w.Write(make([]byte, k))
			w.(http.Flusher).Flush()
			n -= k
		}
	})
	// /slow sends headers and a byte, then nothing; /hang sends nothing.
	m.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "v")
		w.(http.Flusher).Flush()
		waitDone(r, done)
	})
	m.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { waitDone(r, done) })
	// /stall promises 64 bytes, sends one and stalls.
	m.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "64")
		_, _ = io.WriteString(w, "v")
		w.(http.Flusher).Flush()
		waitDone(r, done)
	})
	return m
}

func waitDone(r *http.Request, done <-chan struct{}) {
	select {
	case <-r.Context().Done():
	case <-done:
	}
}

func requireKind(t *testing.T, err error, kind error) *verify.Error {
	t.Helper()
	require.Error(t, err)
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	require.ErrorIs(t, err, kind, "kind %v, want %v: %v", e.Kind, kind, err)
	require.Equal(t, kind, e.Kind)
	return e
}

func get(t *testing.T, c *verify.HTTPClient, url string) (*http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	if resp != nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestHTTPClientGet(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	resp, err := get(t, s.client, "http://example.com/ua")
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, verify.DefaultUserAgent+"|", readBody(t, resp))
	assert.Equal(t, []string{"127.0.0.1:80"}, s.net.dialed())

	// An explicit default port is fine; a custom User-Agent is kept.
	s.client.UserAgent = "test-agent"
	resp, err = get(t, s.client, "https://www.example.com:443/ua")
	require.NoError(t, err)
	assert.Equal(t, "test-agent|", readBody(t, resp))
	assert.Equal(t, []string{"127.0.0.1:80", "127.0.0.1:443"}, s.net.dialed())
}

func TestHTTPClientDoesNotFollowRedirects(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	resp, err := get(t, s.client, "http://example.com/redirect/302?to=/ok")
	require.NoError(t, err)
	assert.Equal(t, 302, resp.StatusCode)
	assert.Equal(t, "/ok", resp.Header.Get("Location"))
	assert.EqualValues(t, 1, s.hits.Load())
}

func TestHTTPClientTLS(t *testing.T) {
	s := newSite(t, "127.0.0.1")

	// Default: httptest's self-signed certificate is accepted.
	resp, err := get(t, s.client, "https://example.com/ok")
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)

	// RequireTrustedCert without the test root: ErrTLS.
	c := *s.client
	c.RequireTrustedCert = true
	_, err = get(t, &c, "https://example.com/ok")
	e := requireKind(t, err, verify.ErrTLS)
	assert.Equal(t, "127.0.0.1:443", e.Server)
	var unknown x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &unknown)

	// With the test root it verifies (the certificate covers example.com).
	c.RootCAs = x509.NewCertPool()
	c.RootCAs.AddCert(s.tls.Certificate())
	resp, err = get(t, &c, "https://example.com/ok")
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)

	// ...but not for a name it does not cover.
	s.zone.MustAdd("other.test. 300 IN A 127.0.0.1")
	_, err = get(t, &c, "https://other.test/ok")
	requireKind(t, err, verify.ErrTLS)
}

// badTLSListener accepts connections on loopback and, per connection,
// either writes garbage or closes at once.
func badTLSListener(t *testing.T, garbage bool) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			if garbage {
				_, _ = io.WriteString(conn, "SSH-2.0-OpenSSH_9.6 this is not TLS\r\n\r\n\r\n")
			}
			_ = conn.Close()
		}
	}()
	return l.Addr().String()
}

func TestHTTPClientTLSHandshakeFailure(t *testing.T) {
	for _, garbage := range []bool{true, false} {
		t.Run(fmt.Sprintf("garbage=%v", garbage), func(t *testing.T) {
			s := newSite(t, "127.0.0.1")
			s.net.route("127.0.0.1:443", badTLSListener(t, garbage))
			_, err := get(t, s.client, "https://example.com/ok")
			e := requireKind(t, err, verify.ErrTLS)
			assert.Equal(t, "127.0.0.1:443", e.Server)
			assert.Equal(t, verify.Undecided, verify.OutcomeOf(err))
		})
	}
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestHTTPClientConnectionRefused(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	s.net.route("127.0.0.1:80", closedPort(t))
	_, err := get(t, s.client, "http://example.com/ok")
	e := requireKind(t, err, verify.ErrConnection)
	assert.Equal(t, "127.0.0.1:80", e.Server)
	assert.Len(t, e.Seen, 1)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Contains(t, e.Hint, "port 80/443")
}

func TestHTTPClientIPv6DownIPv4Works(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	s.zone.MustAdd("example.com. 300 IN AAAA ::1", "www.example.com. 300 IN AAAA ::1")
	s.net.failWith("[::1]:80", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ENETUNREACH})

	res, err := verify.Fetch(context.Background(), s.client, "http://example.com/ok", verify.NoRedirects, 0)
	require.NoError(t, err)
	assert.Equal(t, "ok http", string(res.Body))
	assert.Equal(t, []string{"[::1]:80", "127.0.0.1:80"}, s.net.dialed(), "IPv6 first, then IPv4")
	last := res.Evidence[len(res.Evidence)-1]
	assert.Equal(t, "127.0.0.1:80", last.Server)

	// Both down: ErrConnection listing both attempts.
	s.net.failWith("127.0.0.1:80", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	_, err = get(t, s.client, "http://www.example.com/ok")
	e := requireKind(t, err, verify.ErrConnection)
	assert.Len(t, e.Seen, 2)
	assert.Contains(t, e.Seen[0], "[::1]:80")
	assert.Contains(t, e.Seen[1], "127.0.0.1:80")
}

func TestInterleave(t *testing.T) {
	addrs := mustAddrs("192.0.2.1", "192.0.2.2", "2001:db8::1", "192.0.2.3", "2001:db8::2")
	assert.Equal(t, mustAddrs("2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2", "192.0.2.3"), verify.Interleave(addrs))
	assert.Empty(t, verify.Interleave(nil))
}

func TestHTTPClientPortPolicy(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	for _, u := range []string{
		"http://example.com:8443/ok",
		"https://example.com:8443/ok",
		"http://example.com:8080/ok",
		"http://example.com:443/ok",
		"https://example.com:80/ok",
		"http://example.com:080/ok",
		"http://127.0.0.1:8443/ok",
	} {
		_, err := get(t, s.client, u)
		e := requireKind(t, err, verify.ErrPortNotAllowed)
		assert.Equal(t, u, e.Target)
	}
	assert.Zero(t, s.zone.TotalQueries(), "refused before any DNS traffic")
	assert.Empty(t, s.net.dialed(), "refused before any connection")
}

func TestHTTPClientBadInput(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	for _, u := range []string{"ftp://example.com/x", "file:///etc/passwd", "http:///ok", "gopher://example.com:70/"} {
		_, err := get(t, s.client, u)
		requireKind(t, err, verify.ErrBadInput)
	}
	_, err := s.client.Do(nil)
	requireKind(t, err, verify.ErrBadInput)

	// A Host header other than the URL's host is refused, not sent.
	req, err := http.NewRequest(http.MethodGet, "http://example.com/ok", nil)
	require.NoError(t, err)
	req.Host = "internal.corp"
	_, err = s.client.Do(req)
	requireKind(t, err, verify.ErrBadInput)
	assert.Empty(t, s.net.dialed())
}

func TestHTTPClientAddressGuard(t *testing.T) {
	s := newSite(t, "1.2.3.4") // a public address, mapped by the test Dial to loopback
	s.zone.MustAdd(
		"mixed.example.com. 300 IN A 1.2.3.4",
		"mixed.example.com. 300 IN A 10.0.0.1",
		"v6.example.com. 300 IN AAAA fd00::1",
		"mapped.example.com. 300 IN AAAA ::ffff:127.0.0.1",
	)
	require.False(t, s.client.AllowPrivate)

	resp, err := get(t, s.client, "http://example.com/ok")
	require.NoError(t, err, "a public address passes the guard")
	assert.Equal(t, 200, resp.StatusCode)

	for _, u := range []string{
		"http://127.0.0.1/ok",
		"http://[::1]/ok",
		"http://[::ffff:10.0.0.1]/ok",
		"https://169.254.169.254/latest/meta-data/",
		"http://mixed.example.com/ok",
		"http://v6.example.com/ok",
		"http://mapped.example.com/ok",
	} {
		_, err := get(t, s.client, u)
		e := requireKind(t, err, verify.ErrAddressRefused)
		assert.NotEmpty(t, e.Seen, u)
	}
	_, err = get(t, s.client, "http://mixed.example.com/ok")
	e := requireKind(t, err, verify.ErrAddressRefused)
	assert.ElementsMatch(t, []string{"1.2.3.4", "10.0.0.1"}, e.Seen, "fail closed: one bad address refuses all")
	assert.Equal(t, []string{"1.2.3.4:80"}, s.net.dialed(), "no connection to any refused name")

	// AllowPrivate turns the guard off.
	s.client.AllowPrivate = true
	_, err = get(t, s.client, "http://mixed.example.com/ok")
	require.NoError(t, err)
}

func TestHTTPClientNoProxy(t *testing.T) {
	proxyHits := atomic.Int64{}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxyHits.Add(1)
		_, _ = io.WriteString(w, "from proxy")
	}))
	t.Cleanup(proxy.Close)
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"} {
		t.Setenv(k, proxy.URL)
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")

	s := newSite(t, "127.0.0.1")
	for _, u := range []string{"http://example.com/ok", "https://example.com/ok"} {
		resp, err := get(t, s.client, u)
		require.NoError(t, err)
		assert.NotEqual(t, "from proxy", readBody(t, resp))
	}
	assert.Zero(t, proxyHits.Load())
	// net/http caches the proxy environment once per process, so also
	// check the transport itself.
	tr := verify.HTTPClientTransport(s.client, "example.com", 80, mustAddrs("127.0.0.1"), &verify.DialState{})
	assert.Nil(t, tr.Proxy)
	assert.True(t, tr.DisableKeepAlives)
	assert.Equal(t, []string{"127.0.0.1:80", "127.0.0.1:443"}, s.net.dialed())
}

func TestHTTPClientDNSErrors(t *testing.T) {
	s := newSite(t, "127.0.0.1")
	_, err := get(t, s.client, "http://missing.example.com/ok")
	requireKind(t, err, verify.ErrNotFound)
	assert.True(t, verify.IsNXDOMAIN(err))
	assert.Empty(t, s.net.dialed())

	s.zone.MustAdd("broken.example.com. 300 IN A 127.0.0.1")
	s.zone.SetRcode("broken.example.com.", dns.TypeA, dns.RcodeServerFailure)
	_, err = get(t, s.client, "http://broken.example.com/ok")
	requireKind(t, err, verify.ErrLookup)
}

func TestHTTPClientTimeouts(t *testing.T) {
	s := newSite(t, "127.0.0.1")

	// Response headers never come.
	c := *s.client
	c.HeaderTimeout = 100 * time.Millisecond
	_, err := get(t, &c, "http://example.com/hang")
	requireKind(t, err, verify.ErrTimeout)

	// The connect attempt hangs.
	c = *s.client
	c.DialTimeout = 50 * time.Millisecond
	c.Dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	_, err = get(t, &c, "http://example.com/ok")
	e := requireKind(t, err, verify.ErrTimeout)
	assert.Equal(t, "127.0.0.1:80", e.Server)

	// The TLS handshake hangs: a listener that accepts and says nothing.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	c = *s.client
	c.TLSTimeout = 100 * time.Millisecond
	s.net.route("127.0.0.1:443", l.Addr().String())
	_, err = get(t, &c, "https://example.com/ok")
	requireKind(t, err, verify.ErrTimeout)

	// The caller's deadline passes first.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://example.com/hang", nil)
	_, err = s.client.Do(req)
	requireKind(t, err, verify.ErrTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestHTTPClientZeroValue(t *testing.T) {
	var c verify.HTTPClient
	// Refused before any lookup, so the zero value never reaches the
	// system's DNS servers here.
	req, err := http.NewRequest(http.MethodGet, "http://example.com:8080/", nil)
	require.NoError(t, err)
	_, err = c.Do(req)
	requireKind(t, err, verify.ErrPortNotAllowed)
}

func ExampleHTTPClient() {
	c := &verify.HTTPClient{DNSSEC: verify.DNSSECOff,
		// DNS: a verify.DNSClient or any Exchanger; nil reads resolv.conf.
		RequireTrustedCert: false, // the file's random value proves control
	}
	// Only ports 80 and 443: this request is refused before any traffic.
	req, _ := http.NewRequest(http.MethodGet, "https://example.com:8443/.well-known/pki-validation/fileauth.txt", nil)
	_, err := c.Do(req)
	fmt.Println(errors.Is(err, verify.ErrPortNotAllowed))
	// Output: true
}

// One non-public address in a name's address set refuses the whole set,
// before any connection.
func TestHTTPClientRefusesASetWithAnyNonPublicAddress(t *testing.T) {
	ok := files(map[string]string{"/f.txt": "value"})
	cases := map[string][]string{
		"public v4, ULA v6":          {"example.com. 300 IN A 203.0.114.7", "example.com. 300 IN AAAA fd00::1"},
		"public v6, private v4":      {"example.com. 300 IN AAAA 2a00:1450::1", "example.com. 300 IN A 10.1.2.3"},
		"IPv4-mapped loopback":       {"example.com. 300 IN AAAA ::ffff:127.0.0.1"},
		"0.0.0.0":                    {"example.com. 300 IN A 0.0.0.0"},
		"::":                         {"example.com. 300 IN AAAA ::"},
		"CNAME to a private name":    {"example.com. 300 IN CNAME intranet.corp.test.", "intranet.corp.test. 300 IN A 192.168.1.1"},
		"NAT64 of metadata service":  {"example.com. 300 IN AAAA 64:ff9b::a9fe:a9fe"},
		"public and metadata v4 mix": {"example.com. 300 IN A 203.0.114.7", "example.com. 300 IN A 169.254.169.254"},
	}
	for name, recs := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.zone.MustAdd(recs...)
			e.web.serve(t, "203.0.114.7:80", ok, false)
			e.v.HTTP = &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: e.zone, Dial: e.web.dial} // guard on
			r, err := e.v.VerifyFiles(context.Background(), []string{"http://example.com/f.txt"}, "value")
			assert.ErrorIs(t, err, verify.ErrAddressRefused)
			assert.Equal(t, verify.Undecided, r.Outcome)
			assert.Empty(t, e.web.dials, "nothing may be dialled")
		})
	}
	t.Run("the vetted address is the one dialled", func(t *testing.T) {
		e := newEnv(t)
		e.zone.MustAdd("example.com. 300 IN A 203.0.114.7")
		e.web.serve(t, "203.0.114.7:80", ok, false)
		e.v.HTTP = &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: e.zone, Dial: e.web.dial}
		_, err := e.v.VerifyFiles(context.Background(), []string{"http://example.com/f.txt"}, "value")
		require.NoError(t, err)
		assert.Equal(t, map[string]int{"203.0.114.7:80": 1}, e.web.dials)
	})
}
