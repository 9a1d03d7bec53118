package diagnose

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/verify"
)

// overExchanger asks one server over one transport only;
// verify.DNSClient is one.
type overExchanger interface {
	ExchangeOver(ctx context.Context, m *dns.Msg, server, network string) (*dns.Msg, error)
}

// errNotRegistered: the zone found is above the registrable domain.
var errNotRegistered = errors.New("domain not registered")

// serverState is what one authoritative server said to the SOA query.
type serverState struct {
	srv      verify.AuthServer
	serial   uint32
	ok       bool     // answered with authority over at least one transport
	lame     string   // why its answer carries no authority, if so
	down     []string // transports that failed, with the error
	noTCP    bool     // answered over UDP, not over TCP
	checked  bool     // per-transport checks ran
	evidence []string
}

func (s serverState) label() string { return s.srv.NS + " (" + s.srv.Addr + ")" }

// checkZone finds the zone and its authoritative servers, hands them to the
// record checks, then asks each server for the SOA over UDP and TCP.
func (r *run) checkZone() {
	zone, servers, _, err := verify.AuthoritativeServers(r.ctx, r.dns, r.adn, r.port)
	registrable, _ := dnsname.Registrable(r.adn)
	above := err == nil && len(zone) < len(registrable) // the TLD's (or a public suffix's) zone answered
	if above {
		err = fmt.Errorf("%w: %s does not exist; the closest zone is %s", errNotRegistered, registrable, zone)
	}
	r.zone, r.servers, r.zoneErr = zone, servers, err
	close(r.zoneDone)
	if err != nil {
		r.zoneFailed(err)
		return
	}
	if r.auth == nil {
		r.out.undone("authoritative servers of %s not asked: no way to query one server (Diagnoser.Auth)", zone)
		return
	}
	states := make([]serverState, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Go(func() { states[i] = r.askServer(zone, s) })
	}
	wg.Wait()
	if r.ctx.Err() != nil {
		r.out.undone("authoritative servers of %s: not every server was asked before the time ran out", zone)
		return
	}
	r.judgeServers(zone, states)
}

// zoneFailed reports why the zone or its servers could not be found.
func (r *run) zoneFailed(err error) {
	var e *verify.Error
	switch {
	case r.ours(err):
		r.out.undone("finding the zone of %s: %v", r.adn, err)
	case errors.Is(err, verify.ErrTimeout), errors.Is(err, verify.ErrConnection):
		r.out.undone("the resolver did not answer while finding the zone of %s: %v", r.adn, err)
	case errors.As(err, &e) && len(e.Seen) > 0:
		r.out.add(Finding{Code: DNSLookupFailed, Severity: Error, Subject: r.adn,
			Message:  fmt.Sprintf("the resolver answered %s while looking for the zone of %s", strings.Join(e.Seen, ", "), r.adn),
			Fix:      "fix the zone's name servers or DNSSEC so that lookups of the name succeed (a CA's resolver gets the same answer)",
			Evidence: []string{err.Error()}})
	case errors.Is(err, errNotRegistered), strings.Contains(err.Error(), "no zone apex"):
		r.out.add(Finding{Code: ZoneNotFound, Severity: Error, Subject: r.adn,
			Message:  fmt.Sprintf("no DNS zone answers for %s or any parent: the domain is not registered or not delegated", r.adn),
			Fix:      "register the domain, or check that its NS records at the registry point at working name servers",
			Evidence: []string{err.Error()}})
	default:
		r.out.add(Finding{Code: DNSLookupFailed, Severity: Error, Subject: r.adn,
			Message:  "the zone's name servers cannot be found",
			Fix:      "give the zone NS records whose names have A or AAAA records",
			Evidence: []string{err.Error()}})
	}
}

// askServer sends the zone's SOA query to one server, over UDP and TCP
// separately when the Auth exchanger can, else as verification would.
func (r *run) askServer(zone string, s verify.AuthServer) serverState {
	st := serverState{srv: s}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(zone), dns.TypeSOA)
	m.RecursionDesired = false
	judge := func(network string, resp *dns.Msg, err error) {
		switch {
		case errors.Is(err, verify.ErrAddressRefused):
			st.lame = "has an address that is not public, which a CA does not query"
			st.down = append(st.down, network+": "+err.Error())
		case err != nil:
			st.down = append(st.down, network+": "+err.Error())
		case resp.Rcode != dns.RcodeSuccess:
			st.lame = "answered " + dns.RcodeToString[resp.Rcode]
		case !resp.Authoritative:
			st.lame = "answered without authority (AA bit clear)"
		default:
			for _, rr := range resp.Answer {
				if soa, ok := rr.(*dns.SOA); ok && strings.EqualFold(soa.Hdr.Name, dns.Fqdn(zone)) {
					st.ok, st.serial = true, soa.Serial
					st.evidence = append(st.evidence, fmt.Sprintf("%s over %s: SOA serial %d", st.label(), network, soa.Serial))
					return
				}
			}
			st.lame = "answered without the zone's SOA record"
		}
	}
	ox, ok := r.auth.(overExchanger)
	if !ok {
		resp, err := verify.AtServer(r.auth, s.Addr).Exchange(r.ctx, m)
		if err != nil && errors.Is(err, verify.ErrLookup) {
			st.lame = err.Error()
		} else {
			judge("dns", resp, err)
		}
		return st
	}
	st.checked = true
	var udp, tcp *dns.Msg
	var udpErr, tcpErr error
	var wg sync.WaitGroup
	wg.Go(func() { udp, udpErr = ox.ExchangeOver(r.ctx, m, s.Addr, "udp") })
	wg.Go(func() { tcp, tcpErr = ox.ExchangeOver(r.ctx, m, s.Addr, "tcp") })
	wg.Wait()
	judge("udp", udp, udpErr)
	judge("tcp", tcp, tcpErr)
	st.noTCP = udpErr == nil && tcpErr != nil
	return st
}

// judgeServers turns the servers' answers into findings.
func (r *run) judgeServers(zone string, states []serverState) {
	working := 0
	for _, s := range states {
		if s.ok && s.lame == "" {
			working++
		}
	}
	sev := Warning
	if working == 0 {
		sev = Error
	}
	for _, s := range states {
		switch {
		case s.lame != "":
			r.out.add(Finding{Code: NSLame, Severity: sev, Subject: s.label(),
				Message:  fmt.Sprintf("%s is listed as a name server of %s but %s", s.srv.NS, zone, s.lame),
				Fix:      fmt.Sprintf("load the zone %s on %s, or remove %s from the zone's NS records and at the registrar", zone, s.srv.NS, s.srv.NS),
				Evidence: append(s.evidence, s.down...)})
		case !s.ok:
			r.out.add(Finding{Code: NSUnreachable, Severity: sev, Subject: s.label(),
				Message:  fmt.Sprintf("name server %s does not answer", s.srv.NS),
				Fix:      fmt.Sprintf("make %s answer DNS on port 53 (UDP and TCP) from the Internet, or remove it from the NS records", s.srv.Addr),
				Evidence: s.down})
		case s.noTCP:
			r.out.add(Finding{Code: NSNoTCP, Severity: Warning, Subject: s.label(),
				Message:  fmt.Sprintf("name server %s answers over UDP but not over TCP", s.srv.NS),
				Fix:      fmt.Sprintf("allow TCP port 53 to %s: large answers (several TXT records, DNSSEC) need it", s.srv.Addr),
				Evidence: append(s.evidence, s.down...)})
		case s.checked && len(s.down) > 0:
			r.out.add(Finding{Code: NSUnreachable, Severity: Warning, Subject: s.label(),
				Message:  fmt.Sprintf("name server %s answers over TCP but not over UDP", s.srv.NS),
				Fix:      fmt.Sprintf("allow UDP port 53 to %s", s.srv.Addr),
				Evidence: append(s.evidence, s.down...)})
		}
	}
	var serials []uint32
	var ev []string
	for _, s := range states {
		if s.ok && s.lame == "" {
			if !slices.Contains(serials, s.serial) {
				serials = append(serials, s.serial)
			}
			ev = append(ev, fmt.Sprintf("%s: serial %d", s.label(), s.serial))
		}
	}
	if len(serials) > 1 {
		r.out.add(Finding{Code: SOASerialMismatch, Severity: Warning, Subject: zone,
			Message:  fmt.Sprintf("the name servers of %s serve %d different versions of the zone", zone, len(serials)),
			Fix:      "wait for the zone to reach every name server (check zone transfers / your DNS provider's sync) before asking the CA to validate",
			Evidence: ev})
	}
}
