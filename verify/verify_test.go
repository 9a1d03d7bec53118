package verify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	cryptotls "crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/csrhash"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

var now = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func builder() challenge.Builder {
	return challenge.Builder{Now: func() time.Time { return now }}
}

// web is a set of loopback sites: each "ip:port" that the verifier dials
// (port 80 or 443, as the port policy demands) maps to an httptest server.
type web struct {
	mu    sync.Mutex
	sites map[string]string // vetted ip:port -> httptest address
	dials map[string]int
}

func newWeb() *web { return &web{sites: map[string]string{}, dials: map[string]int{}} }

func (w *web) serve(t testing.TB, vetted string, h http.Handler, tls bool) {
	srv := httptest.NewUnstartedServer(h)
	if tls {
		// An ECDSA certificate: httptest's RSA one makes every handshake
		// cost the test server milliseconds of CPU.
		srv.TLS = &cryptotls.Config{Certificates: []cryptotls.Certificate{ecdsaCert(t)}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	w.mu.Lock()
	w.sites[vetted] = srv.Listener.Addr().String()
	w.mu.Unlock()
}

func (w *web) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	w.mu.Lock()
	w.dials[addr]++
	to, ok := w.sites[addr]
	w.mu.Unlock()
	if !ok {
		// Nothing listens there: a closed port on loopback refuses at once.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		to = l.Addr().String()
		l.Close()
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

func ecdsaCert(t testing.TB) cryptotls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), DNSNames: []string{"example.com", "www.example.com"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	return cryptotls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// files serves path -> body, 404 elsewhere.
func files(m map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := m[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, body)
	})
}

type env struct {
	zone *verifytest.Zone
	web  *web
	v    *verify.Verifier
}

func newEnv(t testing.TB) *env {
	z := verifytest.NewZone()
	w := newWeb()
	return &env{zone: z, web: w, v: &verify.Verifier{DNSSEC: verify.DNSSECOff,
		DNS:  z,
		HTTP: &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: z, AllowPrivate: true, Dial: w.dial},
		Now:  func() time.Time { return now },
	}}
}

func TestVerifyTXT(t *testing.T) {
	e := newEnv(t)
	c, err := builder().DNSTXT("www.example.com")
	require.NoError(t, err)
	ctx := context.Background()

	// Nothing published: NXDOMAIN -> not found, not verified.
	r, err := e.v.Verify(ctx, c)
	assert.ErrorIs(t, err, verify.ErrNotFound)
	assert.True(t, verify.IsNXDOMAIN(err))
	assert.Equal(t, verify.NotVerified, r.Outcome)
	assert.NotEmpty(t, r.Hint)

	// Another value: mismatch with the values seen.
	e.zone.MustAdd(`_dnsauth.www.example.com. 300 IN TXT "stale-value"`)
	r, err = e.v.Verify(ctx, c)
	require.ErrorIs(t, err, verify.ErrMismatch)
	var ve *verify.Error
	require.True(t, errors.As(err, &ve))
	assert.Equal(t, []string{"stale-value"}, ve.Seen)
	assert.Equal(t, verify.NotVerified, r.Outcome)

	// The value published as two character-strings, beside the stale one.
	v := c.Record.Value
	e.zone.MustAdd(fmt.Sprintf(`_dnsauth.www.example.com. 300 IN TXT "%s" "%s"`, v[:10], v[10:]))
	r, err = e.v.Verify(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, verify.Verified, r.Outcome)
	assert.Equal(t, "_dnsauth.www.example.com.", r.Target)
	require.NotEmpty(t, r.Evidence)
	assert.Equal(t, "dns", r.Evidence[0].Protocol)
	assert.Contains(t, r.Evidence[0].Query, "TXT _dnsauth.www.example.com.")

	// TXT is case-sensitive.
	r, err = e.v.VerifyTXT(ctx, "_dnsauth.www.example.com", bytes.NewBufferString(v).String()+"X")
	assert.ErrorIs(t, err, verify.ErrMismatch)
	assert.Equal(t, verify.NotVerified, r.Outcome)
}

func TestVerifyDNSFailuresAreUndecided(t *testing.T) {
	e := newEnv(t)
	e.zone.MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)
	e.zone.SetRcode("_dnsauth.example.com.", dns.TypeTXT, dns.RcodeServerFailure)
	r, err := e.v.VerifyTXT(context.Background(), "_dnsauth.example.com", "v")
	assert.ErrorIs(t, err, verify.ErrLookup)
	assert.Equal(t, verify.Undecided, r.Outcome)

	e.zone.SetRcode("_dnsauth.example.com.", dns.TypeTXT, dns.RcodeRefused)
	_, err = e.v.VerifyTXT(context.Background(), "_dnsauth.example.com", "v")
	assert.ErrorIs(t, err, verify.ErrLookup)

	e.zone.Heal("_dnsauth.example.com.", dns.TypeTXT)
	e.zone.Drop("_dnsauth.example.com.", dns.TypeTXT)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	r, err = e.v.VerifyTXT(ctx, "_dnsauth.example.com", "v")
	assert.ErrorIs(t, err, verify.ErrTimeout)
	assert.Equal(t, verify.Undecided, r.Outcome)

	_, err = e.v.VerifyTXT(context.Background(), "not a name", "v")
	assert.ErrorIs(t, err, verify.ErrBadInput)
}

func TestVerifyCNAME(t *testing.T) {
	e := newEnv(t)
	e.zone.MustAdd(`_ABC.example.com. 300 IN CNAME 0123.4567.SSL.com.`)
	ctx := context.Background()
	_, err := e.v.VerifyCNAME(ctx, "_abc.example.com.", "0123.4567.ssl.com")
	assert.NoError(t, err)
	_, err = e.v.VerifyCNAME(ctx, "_abc.example.com", "0123.4567.sectigo.com.")
	assert.ErrorIs(t, err, verify.ErrMismatch)
	_, err = e.v.VerifyCNAME(ctx, "_def.example.com", "0123.4567.ssl.com.")
	assert.ErrorIs(t, err, verify.ErrNotFound)
}

func TestExpiredRefusedBeforeTraffic(t *testing.T) {
	e := newEnv(t)
	c, err := builder().DNSTXT("example.com")
	require.NoError(t, err)
	e.v.Now = func() time.Time { return c.ExpiresAt }
	r, err := e.v.Verify(context.Background(), c)
	assert.ErrorIs(t, err, verify.ErrExpired)
	assert.Equal(t, verify.NotVerified, r.Outcome)
	assert.Zero(t, e.zone.TotalQueries())

	// A tampered challenge is bad input, also before any traffic.
	c.Record.Name = "_dnsauth.other.org."
	e.v.Now = func() time.Time { return now }
	_, err = e.v.Verify(context.Background(), c)
	assert.ErrorIs(t, err, verify.ErrBadInput)
	assert.Zero(t, e.zone.TotalQueries())
}

// site publishes body at path for host on http and/or https.
func (e *env) site(t testing.TB, host, ip string, http80, https443 http.Handler) {
	e.zone.MustAdd(fmt.Sprintf("%s. 300 IN A %s", host, ip))
	if http80 != nil {
		e.web.serve(t, ip+":80", http80, false)
	}
	if https443 != nil {
		e.web.serve(t, ip+":443", https443, true)
	}
}

func TestVerifyFileAlibaba(t *testing.T) {
	c, err := builder().File("example.com")
	require.NoError(t, err)
	ok := files(map[string]string{c.File.Path: c.File.Content + "\r\n"})
	ctx := context.Background()

	t.Run("apex and www on both schemes", func(t *testing.T) {
		e := newEnv(t)
		e.site(t, "example.com", "127.0.0.1", ok, ok)
		e.site(t, "www.example.com", "127.0.0.2", ok, ok)
		r, err := e.v.Verify(ctx, c)
		require.NoError(t, err)
		assert.Len(t, httpEvidence(r), 4)
	})
	t.Run("no HTTPS site at all is fine", func(t *testing.T) {
		e := newEnv(t)
		e.site(t, "example.com", "127.0.0.1", ok, nil)
		e.site(t, "www.example.com", "127.0.0.2", ok, nil)
		_, err := e.v.Verify(ctx, c)
		require.NoError(t, err)
	})
	t.Run("www missing", func(t *testing.T) {
		e := newEnv(t)
		e.site(t, "example.com", "127.0.0.1", ok, ok)
		e.site(t, "www.example.com", "127.0.0.2", files(nil), nil)
		r, err := e.v.Verify(ctx, c)
		assert.ErrorIs(t, err, verify.ErrHTTPStatus)
		assert.Equal(t, verify.NotVerified, r.Outcome)
	})
	t.Run("HTTPS site without the file", func(t *testing.T) {
		e := newEnv(t)
		e.site(t, "example.com", "127.0.0.1", ok, files(map[string]string{c.File.Path: "old value"}))
		e.site(t, "www.example.com", "127.0.0.2", ok, ok)
		_, err := e.v.Verify(ctx, c)
		assert.ErrorIs(t, err, verify.ErrContentMismatch)
	})
	t.Run("redirect refused", func(t *testing.T) {
		e := newEnv(t)
		redir := http.RedirectHandler("https://example.com"+c.File.Path, http.StatusMovedPermanently)
		e.site(t, "example.com", "127.0.0.1", redir, ok)
		e.site(t, "www.example.com", "127.0.0.2", ok, ok)
		r, err := e.v.Verify(ctx, c)
		require.ErrorIs(t, err, verify.ErrRedirect)
		assert.Equal(t, verify.NotVerified, r.Outcome)
		assert.Contains(t, err.Error(), "301")

		e.v.Files.FollowRedirects = true // BR 3.2.2.4.18 mode
		_, err = e.v.Verify(ctx, c)
		require.NoError(t, err)
	})
	t.Run("private address refused by default", func(t *testing.T) {
		e := newEnv(t)
		e.site(t, "example.com", "127.0.0.1", ok, ok)
		e.site(t, "www.example.com", "127.0.0.2", ok, ok)
		e.v.HTTP = &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: e.zone, Dial: e.web.dial}
		r, err := e.v.Verify(ctx, c)
		assert.ErrorIs(t, err, verify.ErrAddressRefused)
		assert.Equal(t, verify.Undecided, r.Outcome)
		assert.Empty(t, e.web.dials)
	})
}

func TestVerifyHashFileEitherScheme(t *testing.T) {
	// SSL.com: http or https suffices.
	e := newEnv(t)
	csr := &csrhash.CSR{Hashes: csrhash.Sum([]byte("any DER"))}
	c, err := builder().HashFile(csr, "shop.example.com", "ssl.com", "")
	require.NoError(t, err)
	ok := files(map[string]string{c.File.Path: c.File.Content})
	e.site(t, "shop.example.com", "127.0.0.1", files(nil), ok)
	_, err = e.v.Verify(context.Background(), c)
	require.NoError(t, err)

	// Under the Alibaba rule (every URL, https if served) the same site
	// fails: HTTP has no file.
	e.v.Files.Schemes = verify.HTTPSIfServed
	_, err = e.v.VerifyFiles(context.Background(), c.File.URLs, c.File.Content)
	assert.ErrorIs(t, err, verify.ErrHTTPStatus)
}

func TestVerifyACMEHTTP01FollowsRedirects(t *testing.T) {
	e := newEnv(t)
	key, err := challenge.ParseAccountKey(mustKey(t))
	require.NoError(t, err)
	c, err := builder().ACMEHTTP01("example.com", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key)
	require.NoError(t, err)
	e.site(t, "example.com", "127.0.0.1", http.RedirectHandler("https://www.example.com"+c.File.Path, http.StatusFound), nil)
	e.site(t, "www.example.com", "127.0.0.2", nil, files(map[string]string{c.File.Path: c.KeyAuthorization}))
	r, err := e.v.Verify(context.Background(), c)
	require.NoError(t, err)
	hops := httpEvidence(r)
	require.Len(t, hops, 2)
	assert.Equal(t, http.StatusFound, hops[0].Status)
	assert.Equal(t, "https://www.example.com"+c.File.Path, hops[0].Location)
	assert.Equal(t, http.StatusOK, hops[1].Status)
}

func httpEvidence(r *verify.Result) []verify.Evidence {
	var out []verify.Evidence
	for _, ev := range r.Evidence {
		if ev.Protocol == "http" {
			out = append(out, ev)
		}
	}
	return out
}

func mustKey(t *testing.T) []byte {
	return []byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n")
}

func TestVerifyEmail(t *testing.T) {
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, Now: func() time.Time { return now }}
	c, err := builder().Email("example.com")
	require.NoError(t, err)
	r, err := v.VerifyEmail(c, "wrong")
	assert.ErrorIs(t, err, verify.ErrCodeMismatch)
	require.Len(t, r.Evidence, 1, "the comparison is evidence")
	assert.Equal(t, "email", r.Evidence[0].Protocol)
	assert.Equal(t, now, r.Evidence[0].Time)
	assert.Contains(t, r.Evidence[0].Answer[0], "(5 characters)")
	assert.Contains(t, r.Evidence[0].Answer[0], "no match")
	r, err = v.VerifyEmail(c, " "+c.Email.Code+"\n")
	require.NoError(t, err)
	assert.Equal(t, verify.Verified, r.Outcome)
	require.Len(t, r.Evidence, 1)
	assert.Contains(t, r.Evidence[0].Answer[0], ": match")
	data, err := json.Marshal(r)
	require.NoError(t, err)
	assert.NotContains(t, string(data), c.Email.Code, "the evidence never holds the code")
	v.Now = func() time.Time { return c.ExpiresAt.Add(time.Second) }
	_, err = v.VerifyEmail(c, c.Email.Code)
	assert.ErrorIs(t, err, verify.ErrExpired)
	_, err = v.Verify(context.Background(), c)
	assert.Error(t, err)
}

func TestVerifyOrder(t *testing.T) {
	e := newEnv(t)
	var items []verify.OrderItem
	for i, d := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		c, err := builder().DNSTXT(d)
		require.NoError(t, err)
		if i != 1 {
			e.zone.MustAdd(fmt.Sprintf(`%s 300 IN TXT "%s"`, c.Record.Name, c.Record.Value))
		}
		items = append(items, verify.OrderItem{Challenge: c})
	}
	mail, err := builder().Email("example.com")
	require.NoError(t, err)
	items = append(items, verify.OrderItem{Challenge: mail, EmailCode: mail.Email.Code})

	res, err := e.v.VerifyOrder(context.Background(), items)
	require.Error(t, err)
	assert.Equal(t, verify.NotVerified, res.Outcome)
	require.Len(t, res.Results, 4)
	assert.Equal(t, verify.Verified, res.Results[0].Outcome)
	assert.Equal(t, verify.NotVerified, res.Results[1].Outcome)
	assert.Equal(t, "b.example.com", res.Results[1].Domain)
	assert.Equal(t, verify.Verified, res.Results[3].Outcome)

	// One undecided item makes the whole order undecided.
	e.zone.SetRcode(items[0].Challenge.Record.Name, dns.TypeTXT, dns.RcodeServerFailure)
	res, _ = e.v.VerifyOrder(context.Background(), items)
	assert.Equal(t, verify.Undecided, res.Outcome)
}

// gauge is an Exchanger over a zone that records the most queries in
// flight at once and the most goroutines alive while one was.
type gauge struct {
	zone     verify.Exchanger
	mu       sync.Mutex
	inflight int
	peak     int
	peakG    int
}

func (g *gauge) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	g.mu.Lock()
	g.inflight++
	g.peak = max(g.peak, g.inflight)
	g.peakG = max(g.peakG, runtime.NumGoroutine())
	g.mu.Unlock()
	time.Sleep(time.Millisecond) // let the other workers pile up
	defer func() {
		g.mu.Lock()
		g.inflight--
		g.mu.Unlock()
	}()
	return g.zone.Exchange(ctx, m)
}

// TestVerifyOrderFixedPool: an order runs on Concurrency workers, not on a
// goroutine per item waiting for a slot, so memory stays flat in N.
func TestVerifyOrderFixedPool(t *testing.T) {
	zone := verifytest.NewZone()
	g := &gauge{zone: zone}
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: g, Concurrency: 4, Now: func() time.Time { return now }}
	const n = 2000
	items := make([]verify.OrderItem, n)
	for i := range items {
		c, err := builder().DNSTXT(fmt.Sprintf("d%d.example.com", i))
		require.NoError(t, err)
		zone.MustAdd(fmt.Sprintf(`%s 300 IN TXT "%s"`, c.Record.Name, c.Record.Value))
		items[i] = verify.OrderItem{Challenge: c}
	}
	base := runtime.NumGoroutine()
	res, err := v.VerifyOrder(context.Background(), items)
	require.NoError(t, err)
	require.Len(t, res.Results, n)
	for i, r := range res.Results {
		require.Equal(t, items[i].Challenge.Domain, r.Domain, "results in item order")
	}
	assert.LessOrEqual(t, g.peak, 4, "at most Concurrency checks at once")
	assert.Less(t, g.peakG, base+50, "goroutines grow with the bound, not with the %d items", n)
}

func TestPoll(t *testing.T) {
	e := newEnv(t)
	c, err := builder().DNSTXT("example.com")
	require.NoError(t, err)
	attempts := 0
	r, err := e.v.Poll(context.Background(), c, verify.PollOptions{
		Interval: time.Millisecond, // raised to MinPollInterval
		OnAttempt: func(n int, r *verify.Result, err error) {
			attempts = n
			if n == 1 {
				e.zone.MustAdd(fmt.Sprintf(`%s 300 IN TXT "%s"`, c.Record.Name, c.Record.Value))
			}
		},
	})
	require.NoError(t, err)
	assert.Equal(t, verify.Verified, r.Outcome)
	assert.Equal(t, 2, attempts)

	// A terminal failure stops at once.
	e.v.Now = func() time.Time { return c.ExpiresAt }
	attempts = 0
	_, err = e.v.Poll(context.Background(), c, verify.PollOptions{Interval: time.Millisecond,
		OnAttempt: func(n int, _ *verify.Result, _ error) { attempts = n }})
	assert.ErrorIs(t, err, verify.ErrExpired)
	assert.Equal(t, 1, attempts)

	// ctx ends the wait with the last result.
	e.v.Now = func() time.Time { return now }
	d, err := builder().DNSTXT("other.example.com")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r, err = e.v.Poll(ctx, d, verify.PollOptions{Interval: time.Minute})
	assert.ErrorIs(t, err, verify.ErrNotFound)
	assert.Equal(t, verify.NotVerified, r.Outcome)
}

// TestRetryFloorsInterval: a tiny interval (1 ns) does not busy-loop; the
// pauses are at least MinPollInterval and grow from there.
func TestRetryFloorsInterval(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), verify.MinPollInterval*3/2)
	defer cancel()
	attempts := 0
	_, err := verify.Retry(ctx, verify.PollOptions{Interval: time.Nanosecond, MaxInterval: time.Nanosecond},
		func(context.Context, int) (int, error) {
			attempts++
			return 0, errors.New("not yet")
		})
	require.Error(t, err)
	// Attempts at 0 and after one pause of MinPollInterval; the next would
	// come at 2.5 x MinPollInterval, after the deadline.
	assert.LessOrEqual(t, attempts, 2)
	assert.GreaterOrEqual(t, attempts, 1)
}

// TestRetryKeepsLastCompleteAnswerWhenWaitEndsMidAttempt: an attempt cut
// off by the end of the wait does not replace the last complete answer
// with a timeout of its own making.
func TestRetryKeepsLastCompleteAnswerWhenWaitEndsMidAttempt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), verify.MinPollInterval+200*time.Millisecond)
	defer cancel()
	notYet := errors.New("not yet")
	_, err := verify.Retry(ctx, verify.PollOptions{Interval: verify.MinPollInterval},
		func(actx context.Context, n int) (int, error) {
			if n == 1 {
				return 1, notYet
			}
			<-actx.Done() // the second attempt outlives the wait
			return n, actx.Err()
		})
	assert.ErrorIs(t, err, notYet)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
}

func TestResultJSON(t *testing.T) {
	e := newEnv(t)
	r, err := e.v.VerifyTXT(context.Background(), "_dnsauth.example.com", "v")
	require.Error(t, err)
	data, err := json.Marshal(r)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"outcome":"not_verified"`)
	assert.Contains(t, string(data), `"code":"not_found"`)
	assert.Contains(t, string(data), `"evidence":[{"protocol":"dns"`)
	var back verify.Result
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, verify.NotVerified, back.Outcome)
	assert.Equal(t, r.Error, back.Error)
}

func TestOutcomeMarshalsSnakeCase(t *testing.T) {
	for o, want := range map[verify.Outcome]string{
		verify.Verified:    "verified",
		verify.NotVerified: "not_verified",
		verify.Undecided:   "undecided",
	} {
		b, err := o.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, want, string(b))
		var back verify.Outcome
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, o, back)
	}
	_, err := verify.Outcome(7).MarshalText()
	assert.Error(t, err)
	var o verify.Outcome
	assert.Error(t, o.UnmarshalText([]byte("not verified")), "the human spelling is not the wire form")
}

// Every timestamp of a result, evidence included, is on the Verifier's
// clock, here 2026-11-27 09:00 UTC fixed.
func TestEvidenceUsesVerifierClock(t *testing.T) {
	e := newEnv(t)
	e.site(t, "example.com", "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "value")
	}), nil)
	for name, check := range map[string]func() (*verify.Result, error){
		"dns": func() (*verify.Result, error) {
			return e.v.VerifyTXT(context.Background(), "_dnsauth.example.com", "v")
		},
		"http": func() (*verify.Result, error) {
			return e.v.VerifyFiles(context.Background(), []string{"http://example.com/f.txt"}, "value")
		},
	} {
		r, _ := check()
		require.NotEmpty(t, r.Evidence, name)
		assert.Equal(t, now, r.CheckedAt, name)
		for _, ev := range r.Evidence {
			assert.False(t, ev.Time.Before(now), "%s: %s at %s", name, ev.Query, ev.Time)
			assert.Less(t, ev.Time.Sub(now), time.Minute, "%s: %s at %s", name, ev.Query, ev.Time)
		}
	}
}

// authoritative sets up a recursive view (in memory) that delegates
// example.com to three loopback servers, each with its own zone.
func authoritative(t *testing.T) (*env, []*verifytest.Zone) {
	e := newEnv(t)
	zones := []*verifytest.Zone{verifytest.NewZone(), verifytest.NewZone(), verifytest.NewZone()}
	servers, port, err := verifytest.NewDNSServers(zones...)
	require.NoError(t, err)
	for _, s := range servers {
		t.Cleanup(func() { s.Close() })
	}
	e.zone.MustAdd("example.com. 300 IN SOA ns1.example.com. host.example.com. 1 7200 3600 1209600 300")
	for i, s := range servers {
		host, _, _ := net.SplitHostPort(s.Addr())
		e.zone.MustAdd(fmt.Sprintf("example.com. 300 IN NS ns%d.example.com.", i+1),
			fmt.Sprintf("ns%d.example.com. 300 IN A %s", i+1, host))
	}
	e.v.Authoritative = &verify.AuthOptions{
		Servers: &verify.DNSClient{Timeout: 500 * time.Millisecond, Attempts: 1, AllowPrivate: true},
		Port:    port,
	}
	return e, zones
}

func TestVerifyAuthoritative(t *testing.T) {
	e, zones := authoritative(t)
	ctx := context.Background()
	rec := `_dnsauth.www.example.com. 300 IN TXT "fresh"`
	zones[0].MustAdd(rec)
	zones[1].MustAdd(rec)

	r, err := e.v.VerifyTXT(ctx, "_dnsauth.www.example.com", "fresh")
	require.ErrorIs(t, err, verify.ErrNotPropagated)
	assert.Equal(t, verify.NotVerified, r.Outcome)
	require.Len(t, r.Servers, 3)
	assert.Contains(t, err.Error(), "2 of 3")

	e.v.Authoritative.Policy = verify.AuthAny
	_, err = e.v.VerifyTXT(ctx, "_dnsauth.www.example.com", "fresh")
	require.NoError(t, err)
	e.v.Authoritative.Policy = verify.AuthAll

	zones[2].MustAdd(rec)
	r, err = e.v.VerifyTXT(ctx, "_dnsauth.www.example.com", "fresh")
	require.NoError(t, err)
	for _, s := range r.Servers {
		assert.Equal(t, verify.Verified, s.Outcome, s.Addr)
	}

	// A server that fails means "could not decide", not "not propagated".
	zones[1].SetRcode("_dnsauth.www.example.com.", dns.TypeTXT, dns.RcodeServerFailure)
	r, err = e.v.VerifyTXT(ctx, "_dnsauth.www.example.com", "fresh")
	assert.ErrorIs(t, err, verify.ErrLookup)
	assert.Equal(t, verify.Undecided, r.Outcome)
}

// A file check lists each URL's own outcome: a passing check may hold URLs
// that did not serve the file (an https refused where the method allows it,
// or the other scheme of an either-scheme method), and only the URLs that
// served the content are Verified.
func TestVerifyFilesReportsEachURL(t *testing.T) {
	c, err := builder().File("shop.example.com")
	require.NoError(t, err)
	ok := files(map[string]string{c.File.Path: c.File.Content})
	outcomes := func(r *verify.Result) map[string]verify.Outcome {
		m := map[string]verify.Outcome{}
		for _, u := range r.URLs {
			m[u.URL] = u.Outcome
			if u.Outcome != verify.Verified {
				assert.NotEmpty(t, u.Error, u.URL)
			}
		}
		return m
	}
	httpURL, httpsURL := c.File.URLs[0], c.File.URLs[1]

	e := newEnv(t)
	e.site(t, "shop.example.com", "127.0.0.1", ok, nil) // nothing on 443
	r, err := e.v.Verify(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, map[string]verify.Outcome{httpURL: verify.Verified, httpsURL: verify.Undecided}, outcomes(r))

	e = newEnv(t)
	e.v.Files.Schemes = verify.EitherScheme // hash-file's rule: either scheme suffices
	e.site(t, "shop.example.com", "127.0.0.1", files(map[string]string{c.File.Path: "old"}), ok)
	r, err = e.v.VerifyFiles(context.Background(), c.File.URLs, c.File.Content)
	require.NoError(t, err)
	assert.Equal(t, map[string]verify.Outcome{httpURL: verify.NotVerified, httpsURL: verify.Verified}, outcomes(r))
}

// plainDoer hides every method of an HTTPDoer but Do.
type plainDoer struct{ d verify.HTTPDoer }

func (p plainDoer) Do(req *http.Request) (*http.Response, error) { return p.d.Do(req) }

// HTTPClient's DNS lookups reach the evidence through EvidenceDoer; a doer
// with only Do contributes the requests alone.
func TestFileEvidenceHasTheDoersLookups(t *testing.T) {
	e := newEnv(t)
	e.site(t, "example.com", "127.0.0.1", files(map[string]string{"/f.txt": "value"}), nil)
	protocols := func(r *verify.Result) (out []string) {
		for _, ev := range r.Evidence {
			out = append(out, ev.Protocol)
		}
		return out
	}
	var _ verify.EvidenceDoer = e.v.HTTP.(*verify.HTTPClient)
	r, err := e.v.VerifyFiles(context.Background(), []string{"http://example.com/f.txt"}, "value")
	require.NoError(t, err)
	assert.Equal(t, []string{"dns", "dns", "http"}, protocols(r), "AAAA, A, GET")

	e.v.HTTP = plainDoer{e.v.HTTP}
	r, err = e.v.VerifyFiles(context.Background(), []string{"http://example.com/f.txt"}, "value")
	require.NoError(t, err)
	assert.Equal(t, []string{"http"}, protocols(r))
}

// An empty expected CNAME target is bad input, even when the record
// points at the root (which is what "" with a dot added names).
func TestVerifyCNAMERefusesAnEmptyTarget(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`_x.example.com. 60 IN CNAME .`)
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: z}
	for _, want := range []string{"", " ", ".", " . "} {
		r, err := v.VerifyCNAME(context.Background(), "_x.example.com", want)
		require.Error(t, err, "%q", want)
		assert.ErrorIs(t, err, verify.ErrBadInput)
		assert.NotEqual(t, verify.Verified, r.Outcome)
	}
}

// verifyEachOrder is five dns-txt items: 0 and 4 published, 1 and 3
// missing (not verified), 2 answered with SERVFAIL (undecided).
func verifyEachOrder(t *testing.T) (*verify.Verifier, []verify.OrderItem) {
	t.Helper()
	zone := verifytest.NewZone()
	items := make([]verify.OrderItem, 5)
	for i := range items {
		c, err := builder().DNSTXT(fmt.Sprintf("d%d.example.com", i))
		require.NoError(t, err)
		if i == 0 || i == 4 {
			zone.MustAdd(fmt.Sprintf(`%s 300 IN TXT "%s"`, c.Record.Name, c.Record.Value))
		}
		if i == 2 {
			zone.SetRcode(c.Record.Name, dns.TypeTXT, dns.RcodeServerFailure)
		}
		items[i] = verify.OrderItem{Challenge: c}
	}
	return &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone, Concurrency: 2, Now: func() time.Time { return now }}, items
}

// VerifyEach gives every item's result to fn exactly once, one call at a
// time (fn below takes no lock: -race sees any overlap), with the outcome
// VerifyOrder gives the same item.
func TestVerifyEachHandsOverEachResultOnceAndOneAtATime(t *testing.T) {
	v, items := verifyEachOrder(t)
	want, _ := v.VerifyOrder(context.Background(), items)
	got := map[int]verify.Outcome{}
	calls := 0
	_, _ = v.VerifyEach(context.Background(), items, func(i int, r *verify.Result, err error) {
		calls++
		got[i] = r.Outcome
		assert.Equal(t, verify.OutcomeOf(err), r.Outcome, "item %d", i)
		assert.Equal(t, items[i].Challenge.Domain, r.Domain, "item %d", i)
	})
	assert.Equal(t, len(items), calls)
	for i, r := range want.Results {
		assert.Equal(t, r.Outcome, got[i], "item %d", i)
	}
}

// The order's error counts the failures and carries the first item with
// the worst outcome: undecided beats not verified, whatever the order in
// which the checks end.
func TestVerifyEachReportsTheFirstItemWithTheWorstOutcome(t *testing.T) {
	v, items := verifyEachOrder(t)
	out, err := v.VerifyEach(context.Background(), items, nil)
	assert.Equal(t, verify.Undecided, out)
	var oe *verify.OrderError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, verify.OrderError{Failed: 3, Total: 5, Index: 2, Err: oe.Err}, *oe)
	assert.Equal(t, verify.Undecided, verify.OutcomeOf(err))
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, items[2].Challenge.Record.Name, e.Target+".")
	assert.Contains(t, err.Error(), "3 of 5 items not verified; item 2: ")

	// Without the undecided item, the worst is the first not verified.
	out, err = v.VerifyEach(context.Background(), append(items[:2:2], items[3:]...), nil)
	assert.Equal(t, verify.NotVerified, out)
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, 1, oe.Index)
	assert.ErrorIs(t, err, verify.ErrNotFound)
}

func TestVerifyEachOfVerifiedItemsIsNil(t *testing.T) {
	v, items := verifyEachOrder(t)
	out, err := v.VerifyEach(context.Background(), []verify.OrderItem{items[0], items[4]}, nil)
	assert.Equal(t, verify.Verified, out)
	assert.NoError(t, err)
}

// An order with nothing in it verifies nothing.
func TestVerifyOrderWithoutItemsIsBadInput(t *testing.T) {
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff}
	for _, items := range [][]verify.OrderItem{nil, {}} {
		r, err := v.VerifyOrder(context.Background(), items)
		require.Error(t, err)
		assert.ErrorIs(t, err, verify.ErrBadInput)
		assert.NotEqual(t, verify.Verified, r.Outcome)

		called := false
		out, err := v.VerifyEach(context.Background(), items, func(int, *verify.Result, error) { called = true })
		assert.ErrorIs(t, err, verify.ErrBadInput)
		assert.NotEqual(t, verify.Verified, out)
		assert.False(t, called)
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// A broken HTTPDoer or ServerExchanger (nil response, no error; nil body)
// is a failed check, not a panic.
func TestBrokenDoublesFailClosed(t *testing.T) {
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
		v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: delegatingResolver(), Authoritative: &verify.AuthOptions{Servers: nilSX}}
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

// hangUp completes the request's TLS handshake and closes the connection
// without an answer.
func hangUp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			c.Close()
		}
	})
}

// garbage answers with bytes that are not HTTP.
func garbage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c, buf, err := w.(http.Hijacker).Hijack()
		if err == nil {
			buf.WriteString("SSH-2.0-OpenSSH_9.6\r\n\r\n")
			buf.Flush()
			c.Close()
		}
	})
}

// Alibaba rule: only "nothing listens on 443" lets https be skipped. An
// HTTPS site that answers and then breaks is an HTTPS site that does not
// serve the file.
func TestHTTPSIfServedSkipsOnlyARefusedPort443(t *testing.T) {
	c, err := builder().File("shop.example.com")
	require.NoError(t, err)
	ok := files(map[string]string{c.File.Path: c.File.Content})
	for name, h := range map[string]http.Handler{"hang up after TLS": hangUp(), "not HTTP": garbage()} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.site(t, "shop.example.com", "127.0.0.1", ok, h)
			r, err := e.v.Verify(context.Background(), c)
			require.Error(t, err)
			assert.NotEqual(t, verify.Verified, r.Outcome)
		})
	}
	t.Run("TLS handshake failure", func(t *testing.T) {
		e := newEnv(t)
		e.site(t, "shop.example.com", "127.0.0.1", ok, nil)
		e.web.serve(t, "127.0.0.1:443", ok, false) // plain HTTP on 443
		r, err := e.v.Verify(context.Background(), c)
		assert.ErrorIs(t, err, verify.ErrTLS)
		assert.Equal(t, verify.Undecided, r.Outcome)
	})
	t.Run("refused is skipped", func(t *testing.T) {
		e := newEnv(t)
		e.site(t, "shop.example.com", "127.0.0.1", ok, nil)
		_, err := e.v.Verify(context.Background(), c)
		assert.NoError(t, err)
	})
}

// A host listed only with https URLs has no http URL to stand for it:
// refused connections cannot make it pass.
func TestHTTPSIfServedWithoutAnHTTPURLNeedsHTTPS(t *testing.T) {
	e := newEnv(t)
	e.zone.MustAdd("example.com. 300 IN A 127.0.0.1")
	urls := []string{"https://example.com/.well-known/pki-validation/a.txt", "https://example.com/.well-known/pki-validation/b.txt"}
	e.v.Files.Schemes = verify.HTTPSIfServed
	r, err := e.v.VerifyFiles(context.Background(), urls, "value")
	require.Error(t, err)
	assert.ErrorIs(t, err, verify.ErrConnection)
	assert.NotEqual(t, verify.Verified, r.Outcome)
}

// The email code must match exactly, case included; only whitespace
// around a pasted code is ignored.
func TestVerifyEmailNeedsTheExactCode(t *testing.T) {
	c, err := builder().Email("example.com")
	require.NoError(t, err)
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, Now: func() time.Time { return now }}
	for _, code := range []string{"", " ", strings.ToUpper(c.Email.Code), strings.ToLower(c.Email.Code), c.Email.Code[:len(c.Email.Code)-1], c.Email.Code + "x"} {
		if code == c.Email.Code {
			continue
		}
		_, err := v.VerifyEmail(c, code)
		assert.ErrorIs(t, err, verify.ErrCodeMismatch, "code %q", code)
	}
	_, err = v.VerifyEmail(c, " "+c.Email.Code+"\n")
	assert.NoError(t, err, "surrounding whitespace from a paste is ignored")

	// A challenge emptied of its code is refused, not matched by "".
	c2 := *c
	c2.Email = &challenge.EmailSpec{Addresses: c.Email.Addresses}
	_, err = v.VerifyEmail(&c2, "")
	assert.ErrorIs(t, err, verify.ErrBadInput)
}
