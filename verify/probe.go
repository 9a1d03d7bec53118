// Probes: the lower-level steps of verification, exported for callers that
// diagnose rather than verify (package verify/diagnose). Each one is the
// very code path a check takes (the same lookups, address guard, port
// policy, limits and timeouts), narrowed to one server, one address or one
// transport, so a diagnosis sees what verification would and makes no
// request verification would not.

package verify

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/challenge"
)

// Answer is what one lookup found: the values (TXT: one string per record,
// character-strings joined; CNAME: the lower-case target with a trailing
// dot; A/AAAA: the addresses), the lowest TTL, whether every response was
// DNSSEC-authenticated (the AD bit), and one Evidence per query sent.
type Answer struct {
	Values        []string      `json:"values,omitempty"`        // the records' values, as above
	TTL           uint32        `json:"ttl"`                     // the lowest TTL of the final RRset
	Authenticated bool          `json:"authenticated,omitempty"` // every response had the AD bit
	DNSSEC        DNSSECVerdict `json:"dnssec,omitempty"`        // the weakest verdict of the responses; "" when not validated
	Evidence      []Evidence    `json:"evidence,omitempty"`      // one per query sent
}

// Lookup asks ex for the qtype records at owner as the verifier does:
// CNAMEs followed (except for qtype CNAME, which reads the owner's own
// CNAME), NXDOMAIN and NODATA as ErrNotFound (IsNXDOMAIN, IsNODATA), the
// same size limits. qtype is dns.TypeTXT, TypeCNAME, TypeA or TypeAAAA.
func Lookup(ctx context.Context, ex Exchanger, owner string, qtype uint16) (Answer, error) {
	var a dnsAnswer
	var err error
	switch qtype {
	case dns.TypeTXT:
		a, err = lookupTXT(ctx, ex, owner)
	case dns.TypeCNAME:
		a, err = lookupCNAME(ctx, ex, owner)
	case dns.TypeA, dns.TypeAAAA:
		res, rerr := lookupRRs(ctx, ex, owner, qtype)
		a, err = dnsAnswer{TTL: res.ttl, Authenticated: res.ad, DNSSEC: res.dnssec, Evidence: res.ev}, rerr
		for _, rr := range res.rrs {
			switch v := rr.(type) {
			case *dns.A:
				a.Values = append(a.Values, v.A.String())
			case *dns.AAAA:
				a.Values = append(a.Values, v.AAAA.String())
			}
		}
	default:
		return Answer{}, newError(ErrBadInput, owner, fmt.Errorf("Lookup does not read %s records", dns.TypeToString[qtype]))
	}
	return Answer(a), err
}

// LookupIP returns the addresses of host through ex as HTTPClient finds
// them before it dials: AAAA and A, one family may be empty, neither is
// ErrNotFound. ex's answers are not validated by DNSSEC here: for what a
// client with its DNSSEC setting dials, use HTTPClient.LookupIP.
func LookupIP(ctx context.Context, ex Exchanger, host string) ([]netip.Addr, []Evidence, error) {
	return lookupIP(ctx, ex, host)
}

// AuthoritativeServers finds the zone of name and every address of every NS
// name of it through ex, as the authoritative mode does (port "" means 53).
// The zone and NS names are lower case without the trailing dot.
func AuthoritativeServers(ctx context.Context, ex Exchanger, name, port string) (zone string, servers []AuthServer, ev []Evidence, err error) {
	return authoritativeServers(ctx, ex, name, port)
}

// AtServer returns an Exchanger that sends every query to the one server
// addr ("ip:port") through sx with recursion off, and refuses an answer
// without the AA bit (ErrLookup): the server is lame for the name.
func AtServer(sx ServerExchanger, addr string) Exchanger { return atServer(sx, addr) }

// ExchangeOver sends m to server once over network alone ("udp" or "tcp"),
// within Timeout and ctx: no retry, no fallback, so a server that answers
// over UDP but not over TCP is seen. The address guard applies as for
// ExchangeServer (unless AllowPrivate). A truncated UDP answer is returned as
// it is. Errors are *Error (ErrTimeout, ErrConnection, ErrLookup).
func (c *DNSClient) ExchangeOver(ctx context.Context, m *dns.Msg, server, network string) (*dns.Msg, error) {
	if m == nil || len(m.Question) != 1 {
		return nil, newError(ErrBadInput, "", errors.New("a DNS query needs exactly one question"))
	}
	if network != "udp" && network != "tcp" {
		return nil, newError(ErrBadInput, "", fmt.Errorf("network %q: want udp or tcp", network))
	}
	server = withPort(server, "53")
	if !c.AllowPrivate {
		if err := vetServer(server); err != nil {
			return nil, err
		}
	}
	q := c.query(m)
	r, err := c.once(ctx, network, q, server)
	if err != nil {
		e := newError(kindOf(ctx, err), trimDot(q.Question[0].Name), fmt.Errorf("%s: %w", network, err))
		e.Server = server
		return nil, e
	}
	return r, nil
}

// CheckAddr applies the address guard to one address: nil if HTTPClient
// may dial it, else an error wrapping ErrAddressRefused that names the
// reserved range and why.
func CheckAddr(a netip.Addr) error { return checkAddr(a) }

// LookupIP returns the addresses of host as c finds them before it dials:
// AAAA and A through c.DNS under c's DNSSEC setting (a bogus or
// indeterminate answer is an error, as for Do), an IP literal as itself.
// The address guard is left to the caller (CheckAddr).
func (c *HTTPClient) LookupIP(ctx context.Context, host string) ([]netip.Addr, []Evidence, error) {
	return c.resolve(ctx, host)
}

// DoAt sends req as Do does (the same checks, guard, port policy, time
// bound until the body is closed, and User-Agent), but dials addr alone
// instead of resolving the host: the per-address view of a site with
// several addresses. addr should be one of the host's addresses.
func (c *HTTPClient) DoAt(req *http.Request, addr netip.Addr) (*http.Response, error) {
	if req == nil || req.URL == nil {
		return nil, newError(ErrBadInput, "", errors.New("nil request or URL"))
	}
	target := req.URL.Redacted()
	host, port, err := targetOf(req.URL)
	if err != nil {
		return nil, err
	}
	if req.Host != "" && !strings.EqualFold(req.Host, req.URL.Host) {
		return nil, newError(ErrBadInput, target, fmt.Errorf("request Host %q differs from the URL's host", req.Host))
	}
	if err := c.publicName(target, host); err != nil {
		return nil, err
	}
	addrs := []netip.Addr{addr}
	if err := c.guard(target, addrs); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(req.Context(), cmp.Or(c.Timeout, DefaultFetchTimeout))
	resp, err := c.roundTrip(ctx, req, target, host, port, addrs)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &boundBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// Fetched is what Fetch saw of one URL: the final URL and status, the body
// of a 2xx answer, the Location of a 3xx, and the evidence.
type Fetched struct {
	URL      string     `json:"url"`                // the URL asked
	FinalURL string     `json:"final_url"`          // the URL of the last hop
	Status   int        `json:"status,omitempty"`   // the last hop's status
	Location string     `json:"location,omitempty"` // the last hop's Location header
	Body     []byte     `json:"-"`                  // the body of a 2xx answer, within the limit
	Evidence []Evidence `json:"evidence,omitempty"` // one per request and lookup
}

// FetchFile GETs rawURL through doer as the file checks do: one request per hop,
// a body over maxBody refused (0: the default), the context bounding all.
// With follow, redirects are followed under the BR 3.2.2.4.18/.19 rules
// (301/302/307/308, http/https, ports 80/443, at most 10); without, any
// 3xx is an ErrRedirect whose Seen holds the status and Location.
func FetchFile(ctx context.Context, doer HTTPDoer, rawURL string, follow bool, maxBody int64) (Fetched, error) {
	p := noRedirects
	if follow {
		p = followBR
	}
	res, err := fetch(ctx, doer, rawURL, p, maxBody)
	out := Fetched{URL: res.URL, FinalURL: res.FinalURL, Status: res.Status, Body: res.Body, Evidence: res.Evidence}
	if n := len(res.Evidence); n > 0 {
		out.Location = res.Evidence[n-1].Location
	}
	return out, err
}

// RedirectTarget says whether the BR 3.2.2.4.18/.19 rules let a validator
// follow a redirect with status and location from the URL from: the next
// URL, or why not (wrapping ErrPortNotAllowed for another port).
func RedirectTarget(from *url.URL, status int, location string) (*url.URL, error) {
	if from == nil {
		return nil, errors.New("no URL to redirect from")
	}
	return redirectTarget(from, hop{status: status, location: location}, followBR, 0)
}

// ContentMatches reports whether a served body matches the expected file
// content under the verifier's rule: a leading BOM dropped, CRLF as LF,
// trailing whitespace of lines and of the body ignored, hex lines compared
// case-insensitively.
func ContentMatches(body []byte, want string) bool { return contentMatches(body, want) }

// TLSALPNAt runs the tls-alpn-01 handshake (RFC 8737) with one address of
// domain, as VerifyTLSALPN01 does with the domain's addresses: port 443,
// SNI domain, only ALPN acme-tls/1 offered, TLS 1.2 or newer, through the
// same name check, address guard and dialer. It returns the connection
// state (NegotiatedProtocol, PeerCertificates), or an *Error:
// ErrALPNProtocol when the server refuses acme-tls/1, ErrALPNCertificate
// when its certificate cannot even be parsed, else the connection's kind
// (ErrConnection, ErrTimeout, ErrTLS, ErrAddressRefused).
func (c *HTTPClient) TLSALPNAt(ctx context.Context, domain string, addr netip.Addr) (tls.ConnectionState, error) {
	target := net.JoinHostPort(domain, strconv.Itoa(challenge.TLSALPNPort))
	if err := c.publicName(target, domain); err != nil {
		return tls.ConnectionState{}, err
	}
	addrs := []netip.Addr{addr}
	if err := c.guard(target, addrs); err != nil {
		return tls.ConnectionState{}, err
	}
	st := &dialState{}
	tc, err := alpnHandshake(ctx, c, addrs, domain, st)
	if err != nil {
		return tls.ConnectionState{}, handshakeError(ctx, target, st, err)
	}
	defer tc.Close()
	return tc.ConnectionState(), nil
}
