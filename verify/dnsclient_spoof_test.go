package verify_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// udpScript is a loopback UDP server that answers each query with the
// datagrams reply builds, in order, and records the queries it saw.
type udpScript struct {
	addr string
	mu   sync.Mutex
	ids  []uint16
	srcs []string
}

func newUDPScript(t *testing.T, reply func(n int, q *dns.Msg) [][]byte) *udpScript {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &udpScript{addr: pc.LocalAddr().String()}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for n := 0; ; n++ {
			k, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := new(dns.Msg)
			if q.Unpack(buf[:k]) != nil {
				continue
			}
			s.mu.Lock()
			s.ids = append(s.ids, q.Id)
			s.srcs = append(s.srcs, from.String())
			s.mu.Unlock()
			for _, d := range reply(n, q) {
				_, _ = pc.WriteTo(d, from)
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return s
}

func pack(t *testing.T, m *dns.Msg) []byte {
	b, err := m.Pack()
	require.NoError(t, err)
	return b
}

func TestDNSClientIgnoresSpoofedDatagrams(t *testing.T) {
	// Before the valid reply, the server sends what an off-path spoofer who
	// guessed the source port could: garbage, a reply with another ID, and
	// a reply with the right ID to another question. None may end the wait.
	s := newUDPScript(t, func(_ int, q *dns.Msg) [][]byte {
		good := new(dns.Msg).SetReply(q)
		good.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{"ok"}}}
		otherID := good.Copy()
		otherID.Id = q.Id + 1
		otherQ := new(dns.Msg).SetReply(q)
		otherQ.Question[0].Name = "evil.example."
		return [][]byte{[]byte("\x00\x01garbage"), pack(t, otherID), pack(t, otherQ), pack(t, good)}
	})
	c := &verify.DNSClient{Servers: []string{s.addr}, Timeout: time.Second, Attempts: 1}
	r, err := c.Exchange(context.Background(), new(dns.Msg).SetQuestion("_dnsauth.example.com.", dns.TypeTXT))
	require.NoError(t, err)
	require.Len(t, r.Answer, 1)
	assert.Equal(t, []string{"ok"}, r.Answer[0].(*dns.TXT).Txt)
}

func TestDNSClientGarbageOnlyTimesOut(t *testing.T) {
	s := newUDPScript(t, func(int, *dns.Msg) [][]byte { return [][]byte{[]byte("junk")} })
	c := &verify.DNSClient{Servers: []string{s.addr}, Timeout: 150 * time.Millisecond, Attempts: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Exchange(ctx, new(dns.Msg).SetQuestion("a.example.", dns.TypeTXT))
	require.Error(t, err)
	// Garbage is skipped: the UDP attempt ends at its timeout (then TCP,
	// on which nothing listens here, is refused).
	var ne net.Error
	assert.True(t, errors.As(err, &ne) && ne.Timeout(), "%v", err)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
}

func TestDNSClientFreshIDAndPortPerAttempt(t *testing.T) {
	// The first query is dropped; the retry must use a new ID and a new
	// source port (RFC 5452), else a spoofer learns both from the first.
	s := newUDPScript(t, func(n int, q *dns.Msg) [][]byte {
		if n == 0 {
			return nil
		}
		return [][]byte{pack(t, new(dns.Msg).SetReply(q))}
	})
	c := &verify.DNSClient{Servers: []string{s.addr}, Timeout: 150 * time.Millisecond, Attempts: 2}
	q := new(dns.Msg).SetQuestion("a.example.", dns.TypeTXT)
	r, err := c.Exchange(context.Background(), q)
	require.NoError(t, err)
	assert.Equal(t, q.Id, r.Id, "the caller sees its own ID")
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Len(t, s.ids, 2)
	assert.NotEqual(t, s.srcs[0], s.srcs[1], "source port reused")
	assert.NotEqual(t, s.ids[0], s.ids[1], "query ID reused")
}
