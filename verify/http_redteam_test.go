package verify_test

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
)

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

func TestRedteamBodyLimits(t *testing.T) {
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

func TestRedteamAddressMixes(t *testing.T) {
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

func TestRedteamRedirectTricks(t *testing.T) {
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
