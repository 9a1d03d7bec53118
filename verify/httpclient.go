package verify

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
)

// Defaults of HTTPClient and fetch.
const (
	DefaultMaxBody       = 64 << 10 // bytes of a validation file body
	DefaultUserAgent     = "dcv/1 (+https://github.com/dcvkit/dcv)"
	defaultDialTimeout   = 5 * time.Second
	defaultTLSTimeout    = 5 * time.Second
	defaultHeaderTimeout = 10 * time.Second
	maxHeaderBytes       = 64 << 10

	// DefaultFetchTimeout bounds one HTTPClient.Do from the DNS lookup
	// until the body is read or closed: a server that sends its headers
	// and then stalls cannot hold a check for longer.
	DefaultFetchTimeout = 20 * time.Second
)

// HTTPClient is the hardened HTTPDoer used to fetch validation files. It
// sends exactly one request per Do and never follows redirects, uses no
// proxy and no cookies, allows only http on port 80 and https on port 443,
// refuses host names outside the public DNS (special-use names such as
// foo.internal, names without an ICANN public suffix) before any query, resolves the host through its own DNS (never the system
// resolver) and dials only addresses that passed the address guard, so a
// validation request cannot be pointed at the CA's internal network
// (SSRF), not even by DNS rebinding. The zero value is ready to use.
type HTTPClient struct {
	// DNS resolves target hosts (A and AAAA). Nil means &DNSClient{}, the
	// servers of /etc/resolv.conf queried directly.
	DNS Exchanger

	// AllowPrivate turns the address guard off: loopback, private and
	// reserved addresses may be dialled, and host names outside the public
	// DNS asked for (tests, labs, internal PKI).
	AllowPrivate bool

	// Dial connects to one vetted "ip:port"; nil means a net.Dialer. Tests
	// use it to map 127.0.0.1:80 to an httptest server: the port policy
	// itself is never loosened.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	// RequireTrustedCert makes HTTPS fail (ErrTLS) unless the server's
	// certificate chains to RootCAs (nil: the system roots) and covers the
	// host. Off by default: the random value in the file proves control,
	// and BR 3.2.2.4.18 does not require a trusted certificate.
	RequireTrustedCert bool
	RootCAs            *x509.CertPool // roots for RequireTrustedCert; nil: the system roots

	// Timeouts for each TCP connect attempt, the TLS handshake and the
	// response headers; 0 means 5s, 5s and 10s.
	DialTimeout, TLSTimeout, HeaderTimeout time.Duration

	// Timeout bounds each Do as a whole, body included: after it the body
	// reads fail (ErrTimeout for fetch). 0 means DefaultFetchTimeout. The
	// request's context may end it sooner.
	Timeout time.Duration

	// UserAgent is sent unless the request sets one (empty: DefaultUserAgent).
	UserAgent string

	// DNSSEC and TrustAnchors apply to the A/AAAA lookups of target hosts
	// as Verifier's fields of the same names do: validated by default, a
	// bogus or indeterminate answer is never dialled.
	DNSSEC       DNSSECMode
	TrustAnchors []dns.RR // DS or DNSKEY records for DNSSEC; nil means the IANA root anchors
}

// Do sends req, which must be an http or https URL on the default port, and
// returns the response as it is, 3xx included. The caller must close the
// response body and should read it through a size limit. Failures are
// *Error: ErrBadInput, ErrPortNotAllowed (before any traffic), the DNS
// lookup's error, ErrAddressRefused (before any connection), ErrConnection,
// ErrTimeout or ErrTLS.
func (c *HTTPClient) Do(req *http.Request) (*http.Response, error) {
	resp, _, err := c.DoWithEvidence(req)
	return resp, err
}

// DoWithEvidence is Do, and also returns the evidence of the DNS lookups
// (A and AAAA) it made for the request's host, on failure too. The
// Verifier uses it to record them (see EvidenceDoer).
func (c *HTTPClient) DoWithEvidence(req *http.Request) (*http.Response, []Evidence, error) {
	if req == nil || req.URL == nil {
		return nil, nil, newError(ErrBadInput, "", errors.New("nil request or URL"))
	}
	target := req.URL.Redacted()
	host, port, err := targetOf(req.URL)
	if err != nil {
		return nil, nil, err
	}
	if req.Host != "" && !strings.EqualFold(req.Host, req.URL.Host) {
		return nil, nil, newError(ErrBadInput, target, fmt.Errorf("request Host %q differs from the URL's host", req.Host))
	}
	ctx, cancel := context.WithTimeout(req.Context(), cmp.Or(c.Timeout, DefaultFetchTimeout))
	resp, ev, err := c.do(ctx, req, target, host, port)
	if err != nil {
		cancel()
		return nil, ev, err
	}
	// The bound holds until the body is closed.
	resp.Body = &boundBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, ev, nil
}

// boundBody ends the Do's time bound when the body is closed.
type boundBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *boundBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// do is DoWithEvidence under its time bound ctx.
func (c *HTTPClient) do(ctx context.Context, req *http.Request, target, host string, port uint16) (*http.Response, []Evidence, error) {
	addrs, ev, err := c.vetted(ctx, target, host)
	if err != nil {
		return nil, ev, err
	}
	resp, err := c.roundTrip(ctx, req, target, host, port, addrs)
	return resp, ev, err
}

// roundTrip sends req to host:port over exactly the vetted addrs, with the
// client's User-Agent, and classifies a failure (while ctx is still live:
// a cancelled ctx would read as a timeout).
func (c *HTTPClient) roundTrip(ctx context.Context, req *http.Request, target, host string, port uint16, addrs []netip.Addr) (*http.Response, error) {
	st := &dialState{}
	tr := c.transport(host, port, addrs, st)
	out := req.Clone(ctx)
	if out.Header.Get("User-Agent") == "" {
		out.Header.Set("User-Agent", cmp.Or(c.UserAgent, DefaultUserAgent))
	}
	resp, err := tr.RoundTrip(out)
	if err != nil {
		tr.CloseIdleConnections()
		return nil, st.classify(ctx, target, err)
	}
	return resp, nil
}

// targetOf checks the scheme and port of u and returns its host (without
// brackets) and port number.
func targetOf(u *url.URL) (host string, port uint16, err error) {
	target := u.Redacted()
	var want string
	switch strings.ToLower(u.Scheme) {
	case "http":
		want, port = "80", 80
	case "https":
		want, port = "443", 443
	default:
		return "", 0, newError(ErrBadInput, target, fmt.Errorf("scheme %q: only http and https", u.Scheme))
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return "", 0, newError(ErrBadInput, target, errors.New("URL has no host"))
	}
	if p := u.Port(); p != "" && p != want {
		e := newError(ErrPortNotAllowed, target, fmt.Errorf("%s on port %s", u.Scheme, p))
		e.Seen = []string{p}
		return "", 0, e
	}
	return u.Hostname(), port, nil
}

// vetted refuses a host without a public suffix, resolves it and returns
// its addresses if the guard passes them all: what every connection of a
// check (HTTP or TLS-ALPN) dials.
func (c *HTTPClient) vetted(ctx context.Context, target, host string) ([]netip.Addr, []Evidence, error) {
	if err := c.publicName(target, host); err != nil {
		return nil, nil, err
	}
	addrs, ev, err := c.resolve(ctx, host)
	if err != nil {
		return nil, ev, err
	}
	if err := c.guard(target, addrs); err != nil {
		return nil, ev, err
	}
	return addrs, ev, nil
}

// resolve returns the addresses of host: itself for an IP literal, else A
// and AAAA through c.DNS, with the lookup's evidence.
func (c *HTTPClient) resolve(ctx context.Context, host string) ([]netip.Addr, []Evidence, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil, nil
	}
	var ex Exchanger = c.DNS
	if ex == nil {
		ex = &DNSClient{}
	}
	ex = &dnsPath{Exchanger: ex, val: resolve.ValidatorFor(c.DNSSEC, c.TrustAnchors, nil, ex)}
	addrs, ev, err := lookupIP(ctx, ex, host)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, ev, err
		}
		return nil, ev, newError(ErrLookup, host, err)
	}
	return addrs, ev, nil
}

// publicName refuses, before any query, a host name that is not in the
// public DNS (dnsname.Public: a special-use name such as foo.internal or
// printer.local, or one without an ICANN public suffix such as x.notatld):
// it can only name something inside the CA's network. IP literals are left
// to the address guard.
func (c *HTTPClient) publicName(target, host string) error {
	if c.AllowPrivate {
		return nil
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return nil
	}
	err := dnsname.Public(strings.ToLower(strings.TrimSuffix(host, ".")))
	if err == nil {
		return nil
	}
	e := newError(ErrAddressRefused, target, fmt.Errorf("%w: %w", ErrAddressRefused, err))
	e.Seen = []string{host}
	return e
}

// guard refuses the whole request if any address is refused: dropping some
// would let an attacker's name list one public and one internal address.
func (c *HTTPClient) guard(target string, addrs []netip.Addr) error {
	if c.AllowPrivate {
		return nil
	}
	var errs []error
	for _, a := range addrs {
		if err := checkAddr(a); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	e := newError(ErrAddressRefused, target, errors.Join(errs...))
	for _, a := range addrs {
		e.Seen = append(e.Seen, a.String())
	}
	return e
}

// transport returns a single-use transport whose every connection goes to
// one of the vetted addrs.
func (c *HTTPClient) transport(host string, port uint16, addrs []netip.Addr, st *dialState) *http.Transport {
	tlsConf := &tls.Config{
		ServerName: host,
		MinVersion: tls.VersionTLS12,
		RootCAs:    c.RootCAs,
		// The random value served in the file proves control of the name,
		// so by default any certificate is accepted (as BR 3.2.2.4.18
		// allows); RequireTrustedCert turns verification on.
		InsecureSkipVerify: !c.RequireTrustedCert,
	}
	dialTCP := func(ctx context.Context, _, _ string) (net.Conn, error) {
		return c.dialVetted(ctx, addrs, port, st)
	}
	return &http.Transport{
		Proxy:       nil, // never a proxy, whatever HTTP_PROXY says
		DialContext: dialTCP,
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialTCP(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return c.handshake(ctx, conn, tlsConf, st)
		},
		DisableKeepAlives:      true,
		DisableCompression:     true, // compare the bytes as served
		ResponseHeaderTimeout:  cmp.Or(c.HeaderTimeout, defaultHeaderTimeout),
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
}

// handshake runs the TLS client handshake on conn within TLSTimeout; on
// failure it closes conn and records the error in st.
func (c *HTTPClient) handshake(ctx context.Context, conn net.Conn, conf *tls.Config, st *dialState) (*tls.Conn, error) {
	hctx, cancel := context.WithTimeout(ctx, cmp.Or(c.TLSTimeout, defaultTLSTimeout))
	defer cancel()
	tc := tls.Client(conn, conf)
	if err := tc.HandshakeContext(hctx); err != nil {
		_ = conn.Close()
		st.setTLSErr(err)
		return nil, err
	}
	return tc, nil
}

// dialVetted connects to the first of addrs that answers, IPv6 and IPv4 in
// turn (as Happy Eyeballs orders them, one attempt at a time).
func (c *HTTPClient) dialVetted(ctx context.Context, addrs []netip.Addr, port uint16, st *dialState) (net.Conn, error) {
	dial := c.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	var last error
	for _, a := range interleave(addrs) {
		ap := netip.AddrPortFrom(a, port)
		dctx, cancel := context.WithTimeout(ctx, cmp.Or(c.DialTimeout, defaultDialTimeout))
		conn, err := dial(dctx, "tcp", ap.String())
		cancel()
		if err == nil {
			st.setConnected(ap.String())
			return vettedConn{Conn: conn, remote: net.TCPAddrFromAddrPort(ap)}, nil
		}
		st.addDialErr(ap.String(), err)
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	if last == nil {
		last = errors.New("no address to dial")
	}
	return nil, last
}

// interleave orders addrs IPv6, IPv4, IPv6, … keeping each family's order.
func interleave(addrs []netip.Addr) []netip.Addr {
	var v6, v4 []netip.Addr
	for _, a := range addrs {
		if a.Is4() || a.Is4In6() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for i := 0; i < max(len(v6), len(v4)); i++ {
		if i < len(v6) {
			out = append(out, v6[i])
		}
		if i < len(v4) {
			out = append(out, v4[i])
		}
	}
	return out
}

// vettedConn reports the vetted address as its remote end, so evidence
// names what the guard approved even when Dial is a test double.
type vettedConn struct {
	net.Conn
	remote net.Addr
}

func (v vettedConn) RemoteAddr() net.Addr { return v.remote }

// dialState records what the dials of one Do saw, for its error. The
// transport dials in its own goroutine, hence the mutex.
type dialState struct {
	mu        sync.Mutex
	server    string // the ip:port connected, or the last tried
	connected bool
	failures  []string // "ip:port: error" per failed attempt
	timeouts  int      // failed attempts that timed out
	dialErr   error    // the last dial error
	tlsErr    error
}

func (s *dialState) setConnected(server string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.server, s.connected = server, true
}

func (s *dialState) addDialErr(server string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.server, s.dialErr = server, err
	s.failures = append(s.failures, server+": "+err.Error())
	if isTimeout(err) {
		s.timeouts++
	}
}

func (s *dialState) setTLSErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tlsErr = err
}

// classify turns a round-trip failure into an *Error.
func (s *dialState) classify(ctx context.Context, target string, err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var e *Error
	switch {
	case ctx.Err() != nil:
		e = newError(ErrTimeout, target, err)
	case s.tlsErr != nil:
		kind := ErrTLS
		if isTimeout(s.tlsErr) {
			kind = ErrTimeout
		}
		e = newError(kind, target, s.tlsErr)
	case !s.connected && s.dialErr != nil:
		kind := ErrConnection
		if s.timeouts == len(s.failures) {
			kind = ErrTimeout
		}
		e = newError(kind, target, s.dialErr)
		e.Seen = s.failures
	case isTimeout(err):
		e = newError(ErrTimeout, target, err)
	default:
		e = newError(ErrConnection, target, err)
	}
	e.Server = s.server
	return e
}
