// DNSClient: the network Exchanger. UDP with EDNS0 first, TCP when the
// answer is truncated or UDP keeps timing out, bounded retries, and typed
// errors (*Error with ErrTimeout, ErrConnection or ErrLookup).

package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

const (
	defaultResolvConf = "/etc/resolv.conf"
	defaultDNSTimeout = 2 * time.Second
	defaultAttempts   = 2
	defaultUDPSize    = 1232 // the DNS flag day 2020 value: no IP fragmentation
	defaultAuthPort   = "53"
)

// DNSClient sends queries to DNS servers over UDP and TCP. It implements
// Exchanger (the recursive resolvers in Servers, in order) and
// ServerExchanger (one named server, as the authoritative mode needs). The
// zero value uses the nameservers of /etc/resolv.conf with the defaults
// below. A DNSClient holds no state between calls; it is safe for
// concurrent use as long as its fields are not changed.
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
	servers, err := c.servers()
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, s := range servers {
		r, err := c.ExchangeServer(ctx, m, s)
		if err == nil {
			return r, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil || errors.Is(err, ErrBadInput) {
			break
		}
	}
	if len(errs) == 1 {
		return nil, errs[0]
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
	return nil, e
}

// ExchangeServer sends m to server ("ip:port") alone: UDP up to Attempts
// times on timeout, then TCP; TCP at once when the UDP answer is
// truncated. m is not modified: an EDNS0 OPT record is added to a copy
// when m has none. Any rcode is a response; errors are *Error.
func (c *DNSClient) ExchangeServer(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	if m == nil || len(m.Question) != 1 {
		return nil, newError(ErrBadInput, "", errors.New("a DNS query needs exactly one question"))
	}
	server = withPort(server, "53")
	q := m.Copy()
	if q.Id == 0 {
		q.Id = dns.Id()
	}
	if q.IsEdns0() == nil {
		q.SetEdns0(c.udpSize(), false)
	}
	target := strings.TrimSuffix(q.Question[0].Name, ".")
	fail := func(err error) error {
		e := newError(classifyNetErr(ctx, err), target, err)
		e.Server = server
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
			return nil, fail(err)
		}
	}
	r, err := c.once(ctx, "tcp", q, server)
	if err != nil {
		if udpErr != nil {
			return nil, fail(fmt.Errorf("udp: %w; then tcp: %w", udpErr, err))
		}
		return nil, fail(fmt.Errorf("tcp after truncated udp answer: %w", err))
	}
	if r.Truncated {
		e := newError(ErrLookup, target, errors.New("answer truncated even over TCP"))
		e.Server = server
		return nil, e
	}
	return r, nil
}

// errQuestionMismatch: a reply that is not for the question asked.
var errQuestionMismatch = errors.New("reply does not answer the question asked")

// once sends q over network to server once, bounded by Timeout and ctx.
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
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cl := &dns.Client{Net: network, UDPSize: c.udpSize(), Timeout: timeout}
	co, err := cl.DialContext(actx, server)
	if err != nil {
		return nil, err
	}
	defer co.Close()

	// miekg/dns honours only the context's deadline; closing the
	// connection also makes a cancelled context end the read at once.
	type result struct {
		r   *dns.Msg
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, _, err := cl.ExchangeWithConnContext(actx, q, co)
		done <- result{r, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-actx.Done():
		co.Close()
		<-done
		return nil, actx.Err()
	}
	if res.err != nil {
		return nil, res.err
	}
	if !sameQuestion(q, res.r) {
		return nil, errQuestionMismatch
	}
	return res.r, nil
}

// sameQuestion reports whether r answers q. Error responses (FORMERR,
// NOTIMP…) may come without a question section.
func sameQuestion(q, r *dns.Msg) bool {
	if len(r.Question) == 0 {
		return r.Rcode != dns.RcodeSuccess
	}
	if len(r.Question) != 1 {
		return false
	}
	a, b := q.Question[0], r.Question[0]
	return a.Qtype == b.Qtype && a.Qclass == b.Qclass && strings.EqualFold(a.Name, b.Name)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// classifyNetErr maps a transport error to an error kind. A cancelled
// context counts as a timeout: the caller stopped waiting.
func classifyNetErr(ctx context.Context, err error) error {
	switch {
	case isTimeout(err), ctx.Err() != nil, errors.Is(err, context.Canceled):
		return ErrTimeout
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return ErrConnection
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return ErrConnection
	}
	return ErrLookup
}
