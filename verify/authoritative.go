// Authoritative mode: the Alibaba FAQ's "value not yet synced to overseas
// DNS" check. The zone's authoritative servers are found through the
// recursive resolver (SOA walk, NS, A/AAAA) and each is then asked
// directly, without recursion, so a server that still serves an old zone
// is seen even when the resolver's cache hides it.

package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/dcvkit/dcv/internal/pool"
	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
)

// Bounds on what one zone may make the authoritative mode do. More names
// or addresses are refused (ErrLookup) before any of them is asked,
// rather than checked in part; authFanOut bounds the queries in flight.
const (
	maxNSNames        = 32 // NS names of one zone
	maxAddrsPerNSName = 8  // addresses of one NS name
	maxAuthServers    = 64 // addresses of all NS names together
	authFanOut        = 16 // concurrent queries of one check
)

// AuthServer is one authoritative server of a zone: an NS name and one of
// its addresses, "ip:port".
type AuthServer struct {
	NS   string `json:"ns"`   // the name server's name, as the NS record gives it
	Addr string `json:"addr"` // one of its addresses, "ip:port"
}

// authoritativeServers finds the zone of name and every address of every
// NS name of that zone, through ex (the recursive resolver). The zone is
// the first of name and its ancestors (the root excluded) whose SOA query
// answers with an SOA owned by that very name. A network error or an error
// rcode at any step is an error, never a reason to skip a level or a
// server; an NS name without addresses (NXDOMAIN/NODATA) is skipped, as
// nobody can reach it. port defaults to "53". The zone is returned in
// lower case without the trailing dot, as are the NS names; servers are
// ordered by NS name, IPv6 first, without duplicate addresses.
func authoritativeServers(ctx context.Context, ex Exchanger, name, port string) (zone string, servers []AuthServer, ev []Evidence, err error) {
	if port == "" {
		port = defaultAuthPort
	}
	zone, ev, err = findZone(ctx, ex, name)
	if err != nil {
		return "", nil, ev, err
	}
	ns, err := lookupRRs(ctx, ex, zone, dns.TypeNS)
	ev = append(ev, ns.ev...)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			err = lookupErr(ex, zone, fmt.Errorf("zone %s has no NS records", zone))
		}
		return zone, nil, ev, err
	}
	var names []string
	for _, rr := range ns.rrs {
		if n, ok := rr.(*dns.NS); ok && !slices.Contains(names, trimDot(dns.CanonicalName(n.Ns))) {
			names = append(names, trimDot(dns.CanonicalName(n.Ns)))
		}
	}
	slices.Sort(names)
	if len(names) > maxNSNames {
		return zone, nil, ev, lookupErr(ex, zone, fmt.Errorf("zone %s has %d NS names, more than the limit of %d", zone, len(names), maxNSNames))
	}

	type found struct {
		addrs []string
		ev    []Evidence
		err   error
	}
	results := make([]found, len(names))
	pool.Each(authFanOut/2, len(names), func(i int) { // each lookupIP sends two queries
		ips, ipEv, err := lookupIP(ctx, ex, names[i])
		results[i] = found{ev: ipEv, err: err}
		for _, ip := range ips {
			results[i].addrs = append(results[i].addrs, net.JoinHostPort(ip.String(), port))
		}
	})

	var seen []string
	for i, r := range results {
		ev = append(ev, r.ev...)
		if r.err != nil && !errors.Is(r.err, ErrNotFound) {
			return zone, nil, ev, r.err
		}
		if len(r.addrs) > maxAddrsPerNSName {
			return zone, nil, ev, lookupErr(ex, zone, fmt.Errorf("NS name %s of zone %s has %d addresses, more than the limit of %d", names[i], zone, len(r.addrs), maxAddrsPerNSName))
		}
		for _, a := range r.addrs {
			if !slices.Contains(seen, a) {
				seen = append(seen, a)
				servers = append(servers, AuthServer{NS: names[i], Addr: a})
			}
		}
	}
	if len(servers) == 0 {
		return zone, nil, ev, lookupErr(ex, zone, fmt.Errorf("no NS name of zone %s has an address", zone))
	}
	if len(servers) > maxAuthServers {
		return zone, nil, ev, lookupErr(ex, zone, fmt.Errorf("the NS names of zone %s have %d addresses, more than the limit of %d", zone, len(servers), maxAuthServers))
	}
	return zone, servers, ev, nil
}

// findZone finds the zone apex of name: the deepest of name and its
// ancestors (the root excluded) whose SOA query answers with an SOA owned
// by that very name. Every level is asked at once, so the walk costs one
// round trip, as caa's climb does (within an order the upper levels'
// answers are shared). A failed query (transport, error rcode, truncation,
// DNSSEC) at or below the apex is an error, never a reason to skip a
// level; answers above the apex are not waited for.
func findZone(ctx context.Context, ex Exchanger, name string) (string, []Evidence, error) {
	target := trimDot(dns.CanonicalName(dns.Fqdn(name)))
	var cands []string
	for cand := target; cand != ""; _, cand, _ = strings.Cut(cand, ".") {
		cands = append(cands, cand)
	}
	type soa struct {
		r   *dns.Msg
		ev  Evidence
		err error
	}
	var (
		ev   []Evidence
		apex string
		err  error
	)
	resolve.Levels(ctx, cands, func(ctx context.Context, cand string) soa {
		r, e, err := query(ctx, ex, cand+".", dns.TypeSOA)
		return soa{r, e, err}
	}, func(i int, res soa) bool {
		ev = append(ev, res.ev)
		if res.err != nil {
			var de *Error
			if errors.As(res.err, &de) {
				de.Target = target
			}
			err = res.err
			return true
		}
		for _, rr := range res.r.Answer {
			if _, ok := rr.(*dns.SOA); ok && res.r.Rcode == dns.RcodeSuccess && strings.EqualFold(rr.Header().Name, cands[i]+".") {
				apex = cands[i]
				return true
			}
		}
		return false
	})
	if err != nil || apex != "" {
		return apex, ev, err
	}
	return "", ev, lookupErr(ex, target, fmt.Errorf("no zone apex (SOA) found for %s", target))
}

func lookupErr(ex Exchanger, target string, cause error) error {
	e := newError(ErrLookup, target, cause)
	e.Server = serverName(ex)
	return e
}

// atServer returns an Exchanger that sends every query to the one server
// addr through sx, with recursion off. An answer without the AA bit
// (NOERROR or NXDOMAIN) is an ErrLookup: the server is not authoritative
// for the name (lame delegation, or a referral further down), so its word
// cannot stand for the zone.
func atServer(sx ServerExchanger, addr string) Exchanger {
	return authExchanger{sx: sx, addr: addr}
}

type authExchanger struct {
	sx   ServerExchanger
	addr string
}

func (a authExchanger) String() string { return a.addr }

func (a authExchanger) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	if m == nil || len(m.Question) != 1 {
		return nil, newError(ErrBadInput, "", errors.New("a DNS query needs exactly one question"))
	}
	q := m.Copy()
	q.RecursionDesired = false
	r, err := a.sx.ExchangeServer(ctx, q, a.addr)
	if err != nil {
		return nil, err
	}
	if r == nil {
		e := newError(ErrLookup, trimDot(q.Question[0].Name), errors.New("no response"))
		e.Server = a.addr
		return nil, e
	}
	if (r.Rcode == dns.RcodeSuccess || r.Rcode == dns.RcodeNameError) && !r.Authoritative {
		e := newError(ErrLookup, trimDot(q.Question[0].Name), fmt.Errorf("%s answered %s without authority (AA=0)", a.addr, resolve.RcodeString(r.Rcode)))
		e.Server = a.addr
		return nil, e
	}
	return r, nil
}
