package verifytest

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func startServer(t *testing.T, z *Zone) *DNSServer {
	t.Helper()
	s, err := NewDNSServer(z)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func query(name string, qtype uint16, udpSize uint16) *dns.Msg {
	m := new(dns.Msg).SetQuestion(name, qtype)
	if udpSize > 0 {
		m.SetEdns0(udpSize, false)
	}
	return m
}

func exchange(t *testing.T, network, addr string, m *dns.Msg) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, addr)
	require.NoError(t, err)
	return r
}

func TestServerUDPAndTCP(t *testing.T) {
	z := NewZone().MustAdd(soa, `_dnsauth.example.com. 300 IN TXT "abc"`)
	s := startServer(t, z)
	host, _, err := net.SplitHostPort(s.Addr())
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", host)

	for _, network := range []string{"udp", "tcp"} {
		r := exchange(t, network, s.Addr(), query("_dnsauth.example.com.", dns.TypeTXT, 0))
		assert.Equal(t, dns.RcodeSuccess, r.Rcode, network)
		require.Len(t, r.Answer, 1, network)
		assert.Equal(t, []string{"abc"}, r.Answer[0].(*dns.TXT).Txt)

		r = exchange(t, network, s.Addr(), query("nx.example.com.", dns.TypeTXT, 1232))
		assert.Equal(t, dns.RcodeNameError, r.Rcode, network)
		assert.Len(t, r.Ns, 1)
		require.NotNil(t, r.IsEdns0())
		assert.Equal(t, uint16(1232), r.IsEdns0().UDPSize())
	}
	assert.Equal(t, 2, s.UDPQueries())
	assert.Equal(t, 2, s.TCPQueries())
	assert.Equal(t, 4, z.TotalQueries())
	assert.Equal(t, 2, z.Queries("_dnsauth.example.com.", dns.TypeTXT))
}

func TestServerSetTruncate(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "small"`, `example.com. IN A 192.0.2.1`)
	z.SetTruncate("example.com.", dns.TypeTXT)
	s := startServer(t, z)

	r := exchange(t, "udp", s.Addr(), query("example.com.", dns.TypeTXT, 1232))
	assert.True(t, r.Truncated)
	assert.Empty(t, r.Answer)

	r = exchange(t, "udp", s.Addr(), query("example.com.", dns.TypeA, 1232))
	assert.False(t, r.Truncated, "other types are not truncated")
	assert.Len(t, r.Answer, 1)

	r = exchange(t, "tcp", s.Addr(), query("example.com.", dns.TypeTXT, 1232))
	assert.False(t, r.Truncated)
	assert.Len(t, r.Answer, 1)
}

func TestServerTruncatesLargeAnswers(t *testing.T) {
	z := NewZone()
	for i := range 10 {
		z.MustAdd(fmt.Sprintf(`big.example.com. 300 IN TXT "%02d%s"`, i, strings.Repeat("x", 200)))
	}
	// Sanity: the full answer really exceeds 1232 bytes.
	full := new(dns.Msg).SetQuestion("big.example.com.", dns.TypeTXT)
	full.Answer = append(full.Answer, z.names["big.example.com."]...)
	require.Greater(t, full.Len(), 1232)
	s := startServer(t, z)

	for _, size := range []uint16{0, 512, 1232} {
		r := exchange(t, "udp", s.Addr(), query("big.example.com.", dns.TypeTXT, size))
		assert.True(t, r.Truncated, "EDNS0 size %d", size)
		assert.Less(t, len(r.Answer), 10, "EDNS0 size %d", size)
	}
	r := exchange(t, "udp", s.Addr(), query("big.example.com.", dns.TypeTXT, 4096))
	assert.False(t, r.Truncated, "fits in 4096")
	assert.Len(t, r.Answer, 10)

	r = exchange(t, "tcp", s.Addr(), query("big.example.com.", dns.TypeTXT, 0))
	assert.False(t, r.Truncated, "TCP never truncates")
	assert.Len(t, r.Answer, 10)
}

func TestServerDrop(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`, `example.com. IN A 192.0.2.1`)
	z.Drop("example.com.", dns.TypeTXT)
	s := startServer(t, z)

	for _, network := range []string{"udp", "tcp"} {
		c := &dns.Client{Net: network, Timeout: 150 * time.Millisecond}
		_, _, err := c.Exchange(query("example.com.", dns.TypeTXT, 0), s.Addr())
		require.Error(t, err, network)
		var ne net.Error
		require.True(t, errors.As(err, &ne), "%s: %v", network, err)
		assert.True(t, ne.Timeout(), network)

		r := exchange(t, network, s.Addr(), query("example.com.", dns.TypeA, 0))
		assert.Len(t, r.Answer, 1, network)
	}
	assert.Equal(t, 2, z.Queries("example.com.", dns.TypeTXT))
}

func TestServerRcode(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`)
	z.SetRcode("example.com.", dns.TypeANY, dns.RcodeRefused)
	s := startServer(t, z)
	r := exchange(t, "udp", s.Addr(), query("example.com.", dns.TypeTXT, 0))
	assert.Equal(t, dns.RcodeRefused, r.Rcode)
}

// A delay is per query: concurrent queries are answered in parallel, not
// one after another.
func TestServerDelayDoesNotSerialize(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`)
	z.SetDelay(300 * time.Millisecond)
	s := startServer(t, z)

	const n = 10 // serialized, these would need 3 s: more than the timeout
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &dns.Client{Net: "udp", Timeout: 2500 * time.Millisecond}
			r, _, err := c.Exchange(query("example.com.", dns.TypeTXT, 0), s.Addr())
			if err == nil && len(r.Answer) != 1 {
				err = fmt.Errorf("answer %v", r.Answer)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

// Close wakes handlers that are still waiting out a delay.
func TestServerCloseWithQueryInFlight(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`)
	z.SetDelay(time.Hour)
	s, err := NewDNSServer(z)
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() {
		c := &dns.Client{Net: "udp", Timeout: 300 * time.Millisecond}
		_, _, err := c.Exchange(query("example.com.", dns.TypeTXT, 0), s.Addr())
		done <- err
	}()
	require.Eventually(t, func() bool { return s.UDPQueries() == 1 }, 2*time.Second, 5*time.Millisecond)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "idempotent")
	assert.Error(t, <-done)

	_, _, err = (&dns.Client{Net: "tcp", Timeout: 300 * time.Millisecond}).Exchange(query("example.com.", dns.TypeTXT, 0), s.Addr())
	assert.Error(t, err, "closed server does not answer")
}

func TestNewServerAt(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`)
	s, err := NewDNSServerAt(z, "127.0.0.5:0")
	require.NoError(t, err)
	defer s.Close()
	assert.True(t, strings.HasPrefix(s.Addr(), "127.0.0.5:"), s.Addr())
	assert.Len(t, exchange(t, "tcp", s.Addr(), query("example.com.", dns.TypeTXT, 0)).Answer, 1)

	_, err = NewDNSServerAt(z, s.Addr())
	assert.Error(t, err, "port in use")
	_, err = NewDNSServerAt(z, "no-port")
	assert.Error(t, err)
	_, err = NewDNSServerAt(nil, "127.0.0.1:0")
	assert.Error(t, err)
}

func TestNewServers(t *testing.T) {
	var zones []*Zone
	for i := range 3 {
		zones = append(zones, NewZone().MustAdd(fmt.Sprintf(`example.com. IN TXT "ns%d"`, i+1)))
	}
	servers, port, err := NewDNSServers(zones...)
	require.NoError(t, err)
	require.Len(t, servers, 3)
	defer func() {
		for _, s := range servers {
			assert.NoError(t, s.Close())
		}
	}()
	for i, s := range servers {
		assert.Equal(t, net.JoinHostPort(fmt.Sprintf("127.0.0.%d", i+2), port), s.Addr())
		r := exchange(t, "udp", s.Addr(), query("example.com.", dns.TypeTXT, 0))
		require.Len(t, r.Answer, 1)
		assert.Equal(t, []string{fmt.Sprintf("ns%d", i+1)}, r.Answer[0].(*dns.TXT).Txt, "each server answers from its own zone")
		assert.Equal(t, 1, zones[i].TotalQueries())
	}

	_, _, err = NewDNSServers()
	assert.Error(t, err)
}

func TestServerCloseLeaksNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 3 {
		z := NewZone().MustAdd(`example.com. IN TXT "a"`)
		z.Drop("dropped.example.com.", dns.TypeANY)
		s, err := NewDNSServer(z)
		require.NoError(t, err)
		for _, network := range []string{"udp", "tcp"} {
			exchange(t, network, s.Addr(), query("example.com.", dns.TypeTXT, 0))
			c := &dns.Client{Net: network, Timeout: 50 * time.Millisecond}
			_, _, err := c.Exchange(query("dropped.example.com.", dns.TypeA, 0), s.Addr())
			require.Error(t, err)
		}
		require.NoError(t, s.Close())
	}
	// Poll by hand: assert.Eventually runs its condition in goroutines of
	// its own.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: before %d, after Close %d\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
