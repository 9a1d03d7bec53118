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
	"sync"

	"github.com/miekg/dns"
)

// maxNSNames bounds the NS names of one zone this package will query.
// More is refused (ErrLookup) rather than checked in part.
const maxNSNames = 32

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
	ns, err := resolve(ctx, ex, zone, dns.TypeNS)
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
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Go(func() {
			ips, ipEv, err := lookupIP(ctx, ex, n)
			results[i] = found{ev: ipEv, err: err}
			for _, ip := range ips {
				results[i].addrs = append(results[i].addrs, net.JoinHostPort(ip.String(), port))
			}
		})
	}
	wg.Wait()

	var seen []string
	for i, r := range results {
		ev = append(ev, r.ev...)
		if r.err != nil && !errors.Is(r.err, ErrNotFound) {
			return zone, nil, ev, r.err
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
	return zone, servers, ev, nil
}

// findZone walks from name up towards the root asking for SOA records.
func findZone(ctx context.Context, ex Exchanger, name string) (string, []Evidence, error) {
	target := trimDot(dns.CanonicalName(dns.Fqdn(name)))
	server := serverName(ex)
	var ev []Evidence
	for cand := target; cand != ""; {
		fq := cand + "."
		r, e, err := query(ctx, ex, fq, dns.TypeSOA)
		ev = append(ev, e)
		if err != nil {
			return "", ev, transportError(ctx, err, target, server)
		}
		switch r.Rcode {
		case dns.RcodeSuccess, dns.RcodeNameError:
		default:
			rc := rcodeString(r.Rcode)
			e := newError(ErrLookup, target, fmt.Errorf("SOA query for %s answered %s", fq, rc))
			e.Seen, e.Server = []string{rc}, server
			return "", ev, e
		}
		if r.Truncated {
			return "", ev, lookupErr(ex, target, fmt.Errorf("SOA answer for %s truncated", fq))
		}
		for _, rr := range r.Answer {
			if _, ok := rr.(*dns.SOA); ok && r.Rcode == dns.RcodeSuccess && strings.EqualFold(rr.Header().Name, fq) {
				return cand, ev, nil
			}
		}
		_, cand, _ = strings.Cut(cand, ".")
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
		e := newError(ErrLookup, trimDot(q.Question[0].Name), fmt.Errorf("%s answered %s without authority (AA=0)", a.addr, rcodeString(r.Rcode)))
		e.Server = a.addr
		return nil, e
	}
	return r, nil
}
