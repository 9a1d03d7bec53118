package diagnose_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/diagnose"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// lab is a small Internet on loopback: a recursive resolver (a Zone on
// 127.0.0.1), the zone's authoritative servers (127.0.0.2, .3, ... on one
// port) and web servers that the HTTP client reaches through its Dial hook,
// so "203.0.113.x:80" style addresses map to httptest servers.
type lab struct {
	t        testing.TB
	resolver *verifytest.Zone
	auth     []*verifytest.Zone
	servers  []*verifytest.DNSServer
	port     string
	resAddr  string

	mu  sync.Mutex
	web map[string]string // "ip:port" the client dials -> backend address, or "drop"
}

const soaLine = "example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. %d 7200 3600 1209600 300"

// newLab starts a resolver and n authoritative servers for example.test,
// whose NS records name them, each serving SOA serial 1.
func newLab(t testing.TB, n int) *lab {
	t.Helper()
	l := &lab{t: t, resolver: verifytest.NewZone(), web: map[string]string{}}
	for range n {
		l.auth = append(l.auth, verifytest.NewZone())
	}
	servers, port, err := verifytest.NewDNSServers(l.auth...)
	require.NoError(t, err)
	l.servers, l.port = servers, port
	res, err := verifytest.NewDNSServer(l.resolver)
	require.NoError(t, err)
	l.resAddr = res.Addr()
	t.Cleanup(func() {
		res.Close()
		for _, s := range servers {
			s.Close()
		}
	})
	// The TLD exists, as a real one does (a CAA lookup that meets NXDOMAIN
	// at the TLD is a lookup error).
	l.resolver.MustAdd("test. 300 IN SOA a.nic.test. hostmaster.nic.test. 1 7200 3600 1209600 300",
		"test. 300 IN NS a.nic.test.", "a.nic.test. 300 IN A 127.0.0.250")
	l.add(fmt.Sprintf(soaLine, 1))
	for i := range n {
		l.add(fmt.Sprintf("example.test. 300 IN NS ns%d.example.test.", i+1),
			fmt.Sprintf("ns%d.example.test. 300 IN A 127.0.0.%d", i+1, i+2))
	}
	return l
}

// add puts records at the resolver and at every authoritative server.
func (l *lab) add(lines ...string) {
	l.resolver.MustAdd(lines...)
	for _, z := range l.auth {
		z.MustAdd(lines...)
	}
}

// dnsClient is the DNS client of the diagnoser: the lab's resolver,
// authoritative servers on the lab's port, one attempt. The timeout is
// generous: loopback servers answer at once unless a case silences them,
// and under -race on a loaded machine a tight one turned a clean domain's
// slow answer into a finding.
func (l *lab) dnsClient() *verify.DNSClient {
	return &verify.DNSClient{Servers: []string{l.resAddr}, Timeout: 2 * time.Second, Attempts: 1, AllowPrivate: true}
}

// diagnoser returns a Diagnoser for the lab, with AllowPrivate.
func (l *lab) diagnoser() *diagnose.Diagnoser {
	dc := l.dnsClient()
	return &diagnose.Diagnoser{
		DNS:          dc,
		AuthPort:     l.port,
		HTTP:         &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: dc, AllowPrivate: true, Dial: l.dial, DialTimeout: 300 * time.Millisecond},
		AllowPrivate: true,
		DNSSEC:       verify.DNSSECOff, // the lab has no signed root; dnssec_test.go signs one
	}
}

// route makes the client's connections to addr ("127.0.0.10:80",
// "[::1]:443") reach backend; "drop" makes them time out.
func (l *lab) route(addr, backend string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.web[addr] = backend
}

func (l *lab) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	l.mu.Lock()
	to, ok := l.web[addr]
	l.mu.Unlock()
	switch {
	case !ok:
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	case to == "drop":
		<-ctx.Done()
		return nil, ctx.Err()
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

// site serves h over HTTP and HTTPS for the addresses given (ports 80 and
// 443), and returns the two servers. IPv6 addresses get servers listening
// on ::1, skipping the test if the machine has no IPv6 loopback.
func (l *lab) site(h http.Handler, addrs ...string) (httpSrv, httpsSrv *httptest.Server) {
	l.t.Helper()
	v6 := strings.Contains(strings.Join(addrs, " "), ":")
	httpSrv, httpsSrv = httptest.NewUnstartedServer(h), httptest.NewUnstartedServer(h)
	if v6 {
		for _, s := range []*httptest.Server{httpSrv, httpsSrv} {
			ln, err := net.Listen("tcp6", "[::1]:0")
			if err != nil {
				l.t.Skipf("no IPv6 loopback: %v", err)
			}
			s.Listener.Close()
			s.Listener = ln
		}
	}
	httpsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused acme-tls/1 handshakes are expected
	httpSrv.Start()
	httpsSrv.StartTLS()
	l.t.Cleanup(httpSrv.Close)
	l.t.Cleanup(httpsSrv.Close)
	for _, a := range addrs {
		l.route(net.JoinHostPort(a, "80"), httpSrv.Listener.Addr().String())
		l.route(net.JoinHostPort(a, "443"), httpsSrv.Listener.Addr().String())
	}
	return httpSrv, httpsSrv
}

// tlsOld serves h over TLS 1.1 at most, which the client refuses.
func (l *lab) tlsOld(h http.Handler) string {
	s := httptest.NewUnstartedServer(h)
	s.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	s.StartTLS()
	l.t.Cleanup(s.Close)
	return s.Listener.Addr().String()
}

// plain serves h over plain HTTP and returns its address.
func (l *lab) plain(h http.Handler) string {
	s := httptest.NewServer(h)
	l.t.Cleanup(s.Close)
	return s.Listener.Addr().String()
}

// udpOnly starts a server on addr that answers over UDP from z and has
// nothing on TCP.
func (l *lab) udpOnly(z *verifytest.Zone, addr string) {
	l.t.Helper()
	pc, err := net.ListenPacket("udp", addr)
	require.NoError(l.t, err)
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) }, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, m *dns.Msg) {
		r, err := z.Exchange(context.Background(), m)
		if err == nil {
			_ = w.WriteMsg(r)
		}
	})}
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	l.t.Cleanup(func() { _ = srv.Shutdown() })
}

// codes returns the codes of a report's findings by severity, for messages.
func codes(r *diagnose.Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s %s %s: %s | fix: %s | %v\n", f.Severity, f.Code, f.Subject, f.Message, f.Fix, f.Evidence)
	}
	for _, s := range r.Incomplete {
		fmt.Fprintf(&b, "incomplete: %s\n", s)
	}
	return b.String()
}

// find returns the first finding with code c, failing the test if none.
func find(t *testing.T, r *diagnose.Report, c diagnose.Code) diagnose.Finding {
	t.Helper()
	for _, f := range r.Findings {
		if f.Code == c {
			return f
		}
	}
	t.Fatalf("no %s finding; report:\n%s", c, codes(r))
	return diagnose.Finding{}
}

// alpn starts a tls-alpn-01 responder presenting, for example.test, the
// certificate of c (or a faulty one) and routes addr's port 443 to it.
func (l *lab) alpn(c *challenge.Challenge, fault verifytest.ALPNFault, addr string) {
	l.t.Helper()
	r, err := verifytest.NewALPNResponder()
	require.NoError(l.t, err)
	l.t.Cleanup(r.Close)
	require.NoError(l.t, r.Set(c.Domain, c.KeyAuthorization, fault))
	l.route(net.JoinHostPort(addr, "443"), r.Addr())
}
