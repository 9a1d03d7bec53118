// DNSClient: the network Exchanger. UDP with EDNS0 first, TCP when the
// answer is truncated or UDP keeps timing out, bounded retries, and typed
// errors (*Error with ErrTimeout, ErrConnection or ErrLookup).

package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
)

const (
	defaultResolvConf = "/etc/resolv.conf"
	defaultDNSTimeout = 2 * time.Second
	defaultAttempts   = 2
	defaultUDPSize    = 1232 // the DNS flag day 2020 value: no IP fragmentation
	defaultAuthPort   = "53"
	dnsHeaderLen      = 12 // a reply shorter than this is garbage
)

// DNSClient sends queries to DNS servers over UDP and TCP. It implements
// Exchanger (the recursive resolvers in Servers, in order) and
// ServerExchanger (one named server, as the authoritative mode needs). The
// zero value uses the nameservers of /etc/resolv.conf with the defaults
// below. Its only state is the DNSSEC validators' DS/DNSKEY cache: share
// one DNSClient between checks, and do not copy it after first use. It is
// safe for concurrent use as long as its fields are not changed.
type DNSClient struct {
	// Servers are the recursive resolvers, "host:port" (":53" is added
	// when the port is missing). Empty: the nameservers of ResolvConf.
	Servers []string
	// ResolvConf is read on every Exchange when Servers is empty.
	// Default "/etc/resolv.conf".
	ResolvConf string
	// Timeout bounds each attempt; the context's deadline bounds the
	// whole call. Default 2s.
	Timeout time.Duration
	// Attempts is how many times a UDP query is sent to one server before
	// the client falls back to TCP. Default 2.
	Attempts int
	// UDPSize is the EDNS0 buffer size advertised. Default 1232.
	UDPSize uint16
	// AllowPrivate lets ExchangeServer dial loopback, private and
	// reserved addresses (labs, tests). Without it ExchangeServer, which
	// the authoritative mode uses for the addresses a zone names, dials
	// only addresses the address guard allows (as HTTPClient does), so a
	// zone cannot aim the validator at the CA's own network. The resolvers
	// in Servers and ResolvConf are the operator's choice and are exempt.
	AllowPrivate bool

	validators resolve.Validators // DNSSEC validators with their caches, per anchor set
}

func (c *DNSClient) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return defaultDNSTimeout
}

func (c *DNSClient) attempts() int {
	if c.Attempts > 0 {
		return c.Attempts
	}
	return defaultAttempts
}

func (c *DNSClient) udpSize() uint16 {
	if c.UDPSize >= dns.MinMsgSize {
		return c.UDPSize
	}
	return defaultUDPSize
}

func (c *DNSClient) resolvConf() string {
	if c.ResolvConf != "" {
		return c.ResolvConf
	}
	return defaultResolvConf
}

// String names the servers asked, for evidence records.
func (c *DNSClient) String() string {
	if len(c.Servers) == 1 {
		return withPort(c.Servers[0], "53")
	}
	if len(c.Servers) > 0 {
		s := make([]string, len(c.Servers))
		for i, v := range c.Servers {
			s[i] = withPort(v, "53")
		}
		return strings.Join(s, ",")
	}
	return "resolvers of " + c.resolvConf()
}

// servers returns the resolvers to ask, in order.
func (c *DNSClient) servers() ([]string, error) {
	if len(c.Servers) > 0 {
		out := make([]string, len(c.Servers))
		for i, s := range c.Servers {
			out[i] = withPort(s, "53")
		}
		return out, nil
	}
	path := c.resolvConf()
	cfg, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, newError(ErrLookup, "", fmt.Errorf("no DNS servers: reading %s: %w", path, err))
	}
	if len(cfg.Servers) == 0 {
		return nil, newError(ErrLookup, "", fmt.Errorf("no DNS servers: no nameserver line in %s", path))
	}
	out := make([]string, len(cfg.Servers))
	for i, s := range cfg.Servers {
		out[i] = net.JoinHostPort(s, cfg.Port)
	}
	return out, nil
}

// withPort adds port to a bare host or IP address ("::1" -> "[::1]:53").
func withPort(server, port string) string {
	if _, _, err := net.SplitHostPort(server); err == nil {
		return server
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(server, "["), "]"), port)
}

// Exchange sends m to the recursive resolvers in order and returns the
// first response; it moves to the next server only on a transport failure
// (timeout, refused, unreadable reply), never because of the rcode.
func (c *DNSClient) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	r, _, err := c.ExchangeWithServer(ctx, m)
	return r, err
}

// ExchangeWithServer is Exchange that also returns the server that
// answered ("ip:port"), for evidence that names it.
func (c *DNSClient) ExchangeWithServer(ctx context.Context, m *dns.Msg) (*dns.Msg, string, error) {
	servers, err := c.servers()
	if err != nil {
		return nil, "", err
	}
	var errs []error
	for _, s := range servers {
		r, err := c.exchange(ctx, m, s)
		if err == nil {
			return r, s, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil || errors.Is(err, ErrBadInput) {
			break
		}
	}
	if len(errs) == 1 {
		return nil, "", errs[0]
	}
	// Several servers failed: a timeout anywhere makes it a timeout, else
	// the last server's kind.
	var last *Error
	errors.As(errs[len(errs)-1], &last)
	kind := last.Kind
	for _, e := range errs {
		if errors.Is(e, ErrTimeout) {
			kind = ErrTimeout
		}
	}
	e := newError(kind, last.Target, fmt.Errorf("all %d servers failed: %w", len(errs), errors.Join(errs...)))
	e.Server = strings.Join(servers, ",")
	e.Hint = last.Hint
	return nil, "", e
}

// DNSSECValidator returns the DNSSEC validator this client keeps for
// anchors (nil: the IANA root anchors), so that DS and DNSKEY sets stay
// cached across checks for as long as the client lives. Verifier and
// caa.Checker use it when their clock is the wall clock.
func (c *DNSClient) DNSSECValidator(anchors []dns.RR) *dnssec.Validator {
	return c.validators.Get(anchors)
}

// ExchangeServer sends m to server ("ip:port") alone: UDP up to Attempts
// times on timeout, then TCP; TCP at once when the UDP answer is
// truncated. m is not modified: an EDNS0 OPT record is added to a copy
// when m has none. Any rcode is a response; errors are *Error. Unless
// AllowPrivate is set, server must be an IP address the address guard
// allows: anything else is ErrAddressRefused (or ErrBadInput for a host
// name) and is never dialled.
func (c *DNSClient) ExchangeServer(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	server = withPort(server, "53")
	if !c.AllowPrivate {
		if err := vetServer(server); err != nil {
			return nil, err
		}
	}
	return c.exchange(ctx, m, server)
}

// vetServer applies the address guard to a name server's "ip:port".
func vetServer(server string) error {
	host, _, err := net.SplitHostPort(server)
	if err != nil {
		return newError(ErrBadInput, server, err)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return newError(ErrBadInput, server, errors.New("a name server must be given as an IP address"))
	}
	if err := checkAddr(a); err != nil {
		e := newError(ErrAddressRefused, server, err)
		e.Server, e.Hint = server, "make the zone's NS records name servers on public addresses"
		return e
	}
	return nil
}

// exchange is ExchangeServer without the address guard.
func (c *DNSClient) exchange(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	if m == nil || len(m.Question) != 1 {
		return nil, newError(ErrBadInput, "", errors.New("a DNS query needs exactly one question"))
	}
	q := c.query(m)
	target := strings.TrimSuffix(q.Question[0].Name, ".")
	fail := func(last, err error) error {
		e := newError(kindOf(ctx, last), target, err)
		e.Server = server
		switch e.Kind {
		case ErrConnection:
			e.Hint = hintDNSConnection
		case ErrTimeout:
			e.Hint = hintDNSTimeout
		}
		return e
	}

	var udpErr error
	for range c.attempts() {
		r, err := c.once(ctx, "udp", q, server)
		if err == nil && !r.Truncated {
			return r, nil
		}
		if err == nil { // truncated: the whole answer needs TCP
			udpErr = nil
			break
		}
		udpErr = err
		if ctx.Err() != nil || !isTimeout(err) {
			return nil, fail(err, err)
		}
	}
	r, err := c.once(ctx, "tcp", q, server)
	if err != nil {
		if udpErr != nil {
			return nil, fail(err, fmt.Errorf("udp: %w; then tcp: %w", udpErr, err))
		}
		return nil, fail(err, fmt.Errorf("tcp after truncated udp answer: %w", err))
	}
	if r.Truncated {
		e := newError(ErrLookup, target, errors.New("answer truncated even over TCP"))
		e.Server = server
		return nil, e
	}
	return r, nil
}

// query is m as sent: a shallow copy (m is never modified) with an ID and
// an EDNS0 OPT record when m has none. once gives every attempt its own ID.
func (c *DNSClient) query(m *dns.Msg) *dns.Msg {
	q := *m
	if q.Id == 0 {
		q.Id = dns.Id()
	}
	if q.IsEdns0() == nil {
		q.Extra = slices.Clip(q.Extra) // SetEdns0 appends: never into m's array
		q.SetEdns0(c.udpSize(), false)
	}
	return &q
}

// bufPool holds the buffers a UDP attempt packs its query into and reads
// its replies into; Unpack copies what it keeps, so a buffer is free again
// once the attempt returns.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// dialUDP opens a fresh UDP socket to server, so the kernel picks a new
// random source port for every attempt (RFC 5452). An "ip:port" is dialled
// without the resolver's address parsing.
func dialUDP(ctx context.Context, server string, size uint16) (*dns.Conn, error) {
	if ap, err := netip.ParseAddrPort(server); err == nil {
		uc, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(ap))
		if err != nil {
			return nil, err
		}
		return &dns.Conn{Conn: uc, UDPSize: size}, nil
	}
	cl := &dns.Client{Net: "udp", UDPSize: size}
	co, err := cl.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	co.UDPSize = size
	return co, nil
}

// once sends q over network to server once, bounded by Timeout and ctx,
// with a fresh random ID (and, over UDP, a fresh socket with a random
// source port: RFC 5452). Datagrams that do not parse, carry another ID or
// answer another question are dropped and the wait goes on until the
// attempt's timeout: one spoofed or garbled packet cannot fail the lookup.
func (c *DNSClient) once(ctx context.Context, network string, q *dns.Msg, server string) (*dns.Msg, error) {
	timeout := c.timeout()
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if timeout <= 0 {
		return nil, context.DeadlineExceeded
	}
	// The socket's deadline bounds the attempt; ctx's cancellation closes
	// the socket. A UDP attempt needs no context of its own.
	deadline := time.Now().Add(timeout)
	size := c.udpSize()
	var co *dns.Conn
	var err error
	if network == "udp" {
		co, err = dialUDP(ctx, server, size)
	} else {
		dctx, cancel := context.WithDeadline(ctx, deadline)
		defer cancel()
		cl := &dns.Client{Net: network, UDPSize: size, Timeout: timeout}
		co, err = cl.DialContext(dctx, server)
	}
	if err != nil {
		return nil, attemptErr(ctx, err)
	}
	defer co.Close()
	co.UDPSize = size
	if err := co.SetDeadline(deadline); err != nil {
		return nil, err
	}
	if network != "udp" && ctx.Done() != nil {
		// Closing the connection ends a read at once when ctx is cancelled.
		// (UDP reads wait in slices of cancelPoll instead: no callback.)
		stop := context.AfterFunc(ctx, func() { co.Close() })
		defer stop()
	}

	out := *q // the questions and records are only read, never changed
	out.Id = dns.Id()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	if n := max(int(size), dns.MinMsgSize); cap(*bp) < n {
		*bp = make([]byte, n)
	}
	buf := (*bp)[:cap(*bp)]
	if network == "udp" {
		buf = buf[:max(int(size), dns.MinMsgSize)]
	}
	if out.IsTsig() != nil {
		err = co.WriteMsg(&out) // signs, or fails without a secret
	} else {
		var packed []byte
		if packed, err = out.PackBuffer(buf); err == nil {
			_, err = co.Write(packed)
		}
	}
	if err != nil {
		return nil, attemptErr(ctx, err)
	}
	var skipped error
	for {
		var raw []byte
		var err error
		if network == "udp" {
			var n int
			if n, err = readUDP(ctx, co, buf, deadline); err == nil {
				if raw = buf[:n]; n < dnsHeaderLen {
					err = dns.ErrShortRead
				}
			}
		} else {
			raw, err = co.ReadMsgHeader(nil)
		}
		if network == "udp" && errors.Is(err, dns.ErrShortRead) {
			skipped = errors.New("unreadable reply: shorter than a DNS header")
			continue
		}
		if err != nil {
			if skipped != nil && isTimeout(attemptErr(ctx, err)) {
				return nil, fmt.Errorf("%w (ignored before it: %w)", attemptErr(ctx, err), skipped)
			}
			return nil, attemptErr(ctx, err)
		}
		r := new(dns.Msg)
		if err := r.Unpack(raw); err != nil {
			skipped = fmt.Errorf("unreadable reply: %w", err)
			continue
		}
		if r.Id != out.Id || !r.Response {
			skipped = errors.New("reply with another ID")
			continue
		}
		if !resolve.SameQuestion(&out, r) {
			skipped = resolve.ErrQuestionMismatch
			if network == "tcp" {
				return nil, resolve.ErrQuestionMismatch // one stream, one answer
			}
			continue
		}
		r.Id = q.Id
		return r, nil
	}
}

// cancelPoll is how soon a UDP read notices that its context was
// cancelled: it waits in slices this long, so an attempt needs no
// callback, goroutine or timer of its own for cancellation (the context's
// deadline is the socket's already).
const cancelPoll = 100 * time.Millisecond

// readUDP reads one datagram by deadline, or until ctx is cancelled.
func readUDP(ctx context.Context, co *dns.Conn, buf []byte, deadline time.Time) (int, error) {
	for {
		next := time.Now().Add(cancelPoll)
		if next.After(deadline) {
			next = deadline
		}
		if err := co.SetReadDeadline(next); err != nil {
			return 0, err
		}
		n, err := co.Read(buf)
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) || !next.Before(deadline) || ctx.Err() != nil {
			return n, err
		}
	}
}

// attemptErr prefers the context's error (deadline or cancellation) to
// the read or write error it caused by closing the connection, and names
// the attempt's own deadline on the socket context.DeadlineExceeded.
func attemptErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return err
}

// kindOf maps the layer's classification of a transport error onto a
// kind of this package.
func kindOf(ctx context.Context, err error) error {
	switch resolve.ClassifyNetErr(ctx, err) {
	case resolve.Timeout:
		return ErrTimeout
	case resolve.Connection:
		return ErrConnection
	}
	return ErrLookup
}

// isTimeout reports whether err is a deadline or a network timeout.
func isTimeout(err error) bool { return resolve.IsTimeout(err) }
