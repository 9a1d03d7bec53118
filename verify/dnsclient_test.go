package verify_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// dnsTServer starts a loopback server for z, closed when the test ends.
func dnsTServer(t testing.TB, z *verifytest.Zone) *verifytest.DNSServer {
	t.Helper()
	s, err := verifytest.NewDNSServer(z)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// dnsTClient is a DNSClient with short timeouts for tests.
func dnsTClient(servers ...string) *verify.DNSClient {
	return &verify.DNSClient{Servers: servers, Timeout: 200 * time.Millisecond, AllowPrivate: true}
}

// dnsTClosedAddr returns a loopback address where nothing listens.
func dnsTClosedAddr(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := pc.LocalAddr().String()
	require.NoError(t, pc.Close())
	return addr
}

// dnsTRawServer is a loopback UDP+TCP server whose replies h builds, for
// behaviour verifytest.Zone does not produce (TC over TCP, wrong question).
func dnsTRawServer(t *testing.T, h dns.HandlerFunc) string {
	t.Helper()
	var (
		pc  net.PacketConn
		l   net.Listener
		err error
	)
	for range 5 { // the UDP port may be taken on TCP by someone else
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		require.NoError(t, err)
		if l, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	require.NoError(t, err)
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: l, Handler: h}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return pc.LocalAddr().String()
}

func txtQuery(name string) *dns.Msg {
	return new(dns.Msg).SetQuestion(name, dns.TypeTXT)
}

func TestDNSClientPlainAnswer(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "abc"`)
	s := dnsTServer(t, z)
	r, err := dnsTClient(s.Addr()).Exchange(context.Background(), txtQuery("_dnsauth.example.com."))
	require.NoError(t, err)
	require.Equal(t, dns.RcodeSuccess, r.Rcode)
	require.Len(t, r.Answer, 1)
	assert.Equal(t, []string{"abc"}, r.Answer[0].(*dns.TXT).Txt)
	assert.Equal(t, 1, s.UDPQueries())
	assert.Equal(t, 0, s.TCPQueries())
	require.NotNil(t, r.IsEdns0(), "the query carried EDNS0, so the reply does")
	assert.EqualValues(t, verify.DefaultUDPSize, r.IsEdns0().UDPSize())
}

func TestDNSClientTruncatedRetriesOverTCP(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "abc"`)
	z.SetTruncate("_dnsauth.example.com.", dns.TypeTXT)
	s := dnsTServer(t, z)
	r, err := dnsTClient(s.Addr()).ExchangeServer(context.Background(), txtQuery("_dnsauth.example.com."), s.Addr())
	require.NoError(t, err)
	assert.False(t, r.Truncated)
	require.Len(t, r.Answer, 1)
	assert.Equal(t, 1, s.UDPQueries())
	assert.Equal(t, 1, s.TCPQueries())
}

func TestDNSClientLargeRRsetOverTCP(t *testing.T) {
	z := verifytest.NewZone()
	const n = 40
	for i := range n {
		z.MustAdd(fmt.Sprintf(`big.example.com. 300 IN TXT "%03d-%s"`, i, strings.Repeat("x", 100)))
	}
	s := dnsTServer(t, z)
	r, err := dnsTClient(s.Addr()).Exchange(context.Background(), txtQuery("big.example.com."))
	require.NoError(t, err)
	require.Greater(t, r.Len(), verify.DefaultUDPSize, "the RRset must not fit the EDNS0 buffer")
	assert.Len(t, r.Answer, n)
	assert.False(t, r.Truncated)
	assert.Equal(t, 1, s.TCPQueries())
}

func TestDNSClientStillTruncatedOverTCP(t *testing.T) {
	addr := dnsTRawServer(t, func(w dns.ResponseWriter, req *dns.Msg) {
		r := new(dns.Msg).SetReply(req)
		r.Truncated = true
		_ = w.WriteMsg(r)
	})
	_, err := dnsTClient(addr).Exchange(context.Background(), txtQuery("a.example.com."))
	require.ErrorIs(t, err, verify.ErrLookup)
	assert.Contains(t, err.Error(), "truncated")
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, addr, e.Server)
}

func TestDNSClientWrongQuestionRefused(t *testing.T) {
	addr := dnsTRawServer(t, func(w dns.ResponseWriter, req *dns.Msg) {
		r := new(dns.Msg).SetReply(req)
		r.Question[0].Name = "other.example.com."
		r.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: "other.example.com.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{"x"}}}
		_ = w.WriteMsg(r)
	})
	_, err := dnsTClient(addr).Exchange(context.Background(), txtQuery("a.example.com."))
	require.ErrorIs(t, err, verify.ErrLookup)
	assert.ErrorIs(t, err, verify.ErrQuestionMismatch)
}

func TestDNSClientDroppedQueryTimesOut(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`a.example.com. 300 IN TXT "abc"`)
	z.Drop("a.example.com.", dns.TypeTXT)
	s := dnsTServer(t, z)
	c := &verify.DNSClient{Servers: []string{s.Addr()}, Timeout: 50 * time.Millisecond, Attempts: 2}
	_, err := c.Exchange(context.Background(), txtQuery("a.example.com."))
	require.ErrorIs(t, err, verify.ErrTimeout)
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, s.Addr(), e.Server)
	assert.Equal(t, "a.example.com", e.Target)
	assert.Equal(t, 2, s.UDPQueries(), "Attempts bounds the UDP retries")
	assert.Equal(t, 1, s.TCPQueries(), "after the UDP timeouts, one TCP try")
}

func TestDNSClientHonoursContextDeadline(t *testing.T) {
	z := verifytest.NewZone()
	z.Drop("a.example.com.", dns.TypeANY)
	s := dnsTServer(t, z)
	c := &verify.DNSClient{Servers: []string{s.Addr()}, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Exchange(ctx, txtQuery("a.example.com."))
	require.ErrorIs(t, err, verify.ErrTimeout)
	// A bound, not a speed claim: without the context the call would
	// take 3 x 10 s.
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestDNSClientContextCancel(t *testing.T) {
	z := verifytest.NewZone()
	z.Drop("a.example.com.", dns.TypeANY)
	s := dnsTServer(t, z)
	c := &verify.DNSClient{Servers: []string{s.Addr()}, Timeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Exchange(ctx, txtQuery("a.example.com."))
	require.ErrorIs(t, err, verify.ErrTimeout)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 5*time.Second, "cancel ends the wait, not the 10 s timeout")
	assert.Equal(t, 1, s.UDPQueries(), "no retry after cancel")

	_, err = c.Exchange(ctx, txtQuery("a.example.com."))
	require.ErrorIs(t, err, context.Canceled, "a cancelled context sends nothing")
	assert.Equal(t, 1, s.UDPQueries())
}

func TestDNSClientNextServerOnTransportFailure(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`a.example.com. 300 IN TXT "abc"`)
	s := dnsTServer(t, z)
	closed := dnsTClosedAddr(t)

	r, err := dnsTClient(closed, s.Addr()).Exchange(context.Background(), txtQuery("a.example.com."))
	require.NoError(t, err)
	require.Len(t, r.Answer, 1)
	assert.Equal(t, 1, s.UDPQueries())

	_, err = dnsTClient().ExchangeServer(context.Background(), txtQuery("a.example.com."), closed)
	require.Error(t, err)
	assert.True(t, errors.Is(err, verify.ErrConnection) || errors.Is(err, verify.ErrTimeout), "%v", err)
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, closed, e.Server)
}

func TestDNSClientAllServersFail(t *testing.T) {
	z := verifytest.NewZone()
	z.Drop("a.example.com.", dns.TypeANY)
	s := dnsTServer(t, z)
	closed := dnsTClosedAddr(t)
	c := &verify.DNSClient{Servers: []string{s.Addr(), closed}, Timeout: 30 * time.Millisecond, Attempts: 1}
	_, err := c.Exchange(context.Background(), txtQuery("a.example.com."))
	require.ErrorIs(t, err, verify.ErrTimeout, "one server timed out")
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, s.Addr()+","+closed, e.Server)
	assert.Contains(t, err.Error(), "all 2 servers failed")
}

func TestDNSClientErrorRcodesAreResponses(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`a.example.com. 300 IN TXT "abc"`)
	z.SetRcode("a.example.com.", dns.TypeTXT, dns.RcodeServerFailure)
	z.SetRcode("b.example.com.", dns.TypeTXT, dns.RcodeRefused)
	s := dnsTServer(t, z)
	other := dnsTServer(t, verifytest.NewZone().MustAdd(`a.example.com. 300 IN TXT "abc"`))
	c := dnsTClient(s.Addr(), other.Addr())
	for name, rcode := range map[string]int{"a.example.com.": dns.RcodeServerFailure, "b.example.com.": dns.RcodeRefused, "c.example.com.": dns.RcodeNameError} {
		r, err := c.Exchange(context.Background(), txtQuery(name))
		require.NoError(t, err, name)
		assert.Equal(t, rcode, r.Rcode, name)
	}
	assert.Equal(t, 0, other.UDPQueries(), "an rcode is an answer: no next server")
}

func TestDNSClientDoesNotMutateQuery(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`a.example.com. 300 IN TXT "abc"`)
	z.SetTruncate("a.example.com.", dns.TypeTXT)
	s := dnsTServer(t, z)
	m := txtQuery("a.example.com.")
	m.Id = 4242
	before := m.String()
	_, err := dnsTClient(s.Addr()).Exchange(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, before, m.String())
	assert.Nil(t, m.IsEdns0())
	assert.EqualValues(t, 4242, m.Id)

	// A caller's own OPT record is kept as it is.
	m.SetEdns0(4096, true)
	r, err := dnsTClient(s.Addr()).Exchange(context.Background(), m)
	require.NoError(t, err)
	assert.EqualValues(t, 4096, r.IsEdns0().UDPSize())
}

func TestDNSClientBadQuery(t *testing.T) {
	c := dnsTClient("127.0.0.1:1")
	for _, m := range []*dns.Msg{nil, new(dns.Msg)} {
		_, err := c.Exchange(context.Background(), m)
		require.ErrorIs(t, err, verify.ErrBadInput)
	}
}

func TestDNSClientResolvConf(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "resolv.conf")
	require.NoError(t, os.WriteFile(path, []byte("# test\nnameserver 127.0.0.1\nnameserver ::1\nsearch example.com\n"), 0o600))
	c := &verify.DNSClient{ResolvConf: path}
	got, err := verify.DNSClientServers(c)
	require.NoError(t, err)
	assert.Equal(t, []string{"127.0.0.1:53", "[::1]:53"}, got)
	assert.Equal(t, "resolvers of "+path, c.String())

	c.ResolvConf = filepath.Join(dir, "missing")
	_, err = c.Exchange(context.Background(), txtQuery("a.example.com."))
	require.ErrorIs(t, err, verify.ErrLookup)
	assert.Contains(t, err.Error(), "missing")

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("search example.com\n"), 0o600))
	c.ResolvConf = empty
	_, err = verify.DNSClientServers(c)
	require.ErrorIs(t, err, verify.ErrLookup)
}

func TestDNSClientDefaultsAndString(t *testing.T) {
	var c verify.DNSClient
	assert.Equal(t, verify.DefaultDNSTimeout, verify.DNSClientTimeout(&c))
	assert.Equal(t, verify.DefaultAttempts, verify.DNSClientAttempts(&c))
	assert.EqualValues(t, verify.DefaultUDPSize, verify.DNSClientUDPSize(&c))
	assert.Equal(t, "resolvers of /etc/resolv.conf", c.String())
	c = verify.DNSClient{Servers: []string{"127.0.0.1", "::1", "[::1]:5353", "127.0.0.2:53"}}
	assert.Equal(t, "127.0.0.1:53,[::1]:53,[::1]:5353,127.0.0.2:53", c.String())
}

// TestDNSClientEachUDPAttemptHasItsOwnPortAndID: a retried UDP query
// leaves from a fresh socket with a fresh ID (RFC 5452), so an off-path
// forger cannot learn both from the first attempt.
func TestDNSClientEachUDPAttemptHasItsOwnPortAndID(t *testing.T) {
	const attempts = 4
	var mu sync.Mutex
	ports, ids := map[string]bool{}, map[uint16]bool{}
	n := 0
	addr := dnsTRawServer(t, func(w dns.ResponseWriter, r *dns.Msg) {
		if w.RemoteAddr().Network() != "udp" {
			return
		}
		_, port, _ := net.SplitHostPort(w.RemoteAddr().String())
		mu.Lock()
		ports[port], ids[r.Id] = true, true
		n++
		last := n == attempts
		mu.Unlock()
		if !last {
			return // dropped: the client must try again
		}
		m := new(dns.Msg).SetReply(r)
		m.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: r.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{"v"}}}
		_ = w.WriteMsg(m)
	})
	c := dnsTClient(addr)
	c.Attempts = attempts
	r, err := c.Exchange(context.Background(), txtQuery("a.example.com."))
	require.NoError(t, err)
	require.Len(t, r.Answer, 1)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, attempts, n)
	// A reused socket or ID would give one value over all four attempts;
	// fresh random ones all collide by chance once in 2^48.
	assert.Greater(t, len(ports), 1, "source port reused")
	assert.Greater(t, len(ids), 1, "ID reused")
}

// TestDNSClientQueryWithSpareCapacityUntouched: adding the OPT record to a
// query whose Extra slice has room must not write into the caller's array.
func TestDNSClientQueryWithSpareCapacityUntouched(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`a.example.com. 300 IN TXT "abc"`)
	s := dnsTServer(t, z)
	m := txtQuery("a.example.com.")
	m.Extra = make([]dns.RR, 0, 4)
	_, err := dnsTClient(s.Addr()).Exchange(context.Background(), m)
	require.NoError(t, err)
	assert.Empty(t, m.Extra)
	assert.Nil(t, m.Extra[:1][0], "the OPT record was written into the caller's array")
}
