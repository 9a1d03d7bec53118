package verifytest

import (
	"github.com/miekg/dns"
)

// resolve builds the reply to m the way a recursive resolver would. The
// caller holds z.mu. dropped means: send nothing.
func (z *Zone) resolve(m *dns.Msg, udp bool) (r *dns.Msg, dropped bool) {
	r = new(dns.Msg)
	r.SetReply(m)
	r.RecursionAvailable = true
	r.Authoritative = !m.RecursionDesired
	if opt := m.IsEdns0(); opt != nil {
		r.SetEdns0(opt.UDPSize(), opt.Do())
	}
	if len(m.Question) != 1 {
		r.Question = nil
		r.Rcode = dns.RcodeFormatError
		return r, false
	}
	if m.Opcode != dns.OpcodeQuery {
		r.Rcode = dns.RcodeNotImplemented
		return r, false
	}

	q := m.Question[0]
	qname := dns.CanonicalName(q.Name)
	if z.faulty(z.drops, qname, q.Qtype) {
		return nil, true
	}
	if rc, ok := z.rcodeFor(qname, q.Qtype); ok {
		r.Rcode = rc
		return r, false
	}
	if udp && z.faulty(z.truncs, qname, q.Qtype) {
		r.Truncated = true
		return r, false
	}
	if signed, ok := z.signedReply(m, r); ok {
		return signed, false
	}

	owner := dns.Fqdn(q.Name) // answers carry the name as asked
	seen := make(map[string]bool)
	for hops := 0; ; hops++ {
		name := dns.CanonicalName(owner)
		seen[name] = true
		if hops > 0 {
			if z.faulty(z.drops, name, q.Qtype) {
				return nil, true
			}
			if rc, ok := z.rcodeFor(name, q.Qtype); ok {
				r.Rcode = rc
				return r, false
			}
		}
		rrs, exists := z.lookup(name)
		if !exists {
			r.Rcode = dns.RcodeNameError
			z.addSOA(r, name)
			break
		}
		if match := ofType(rrs, q.Qtype); len(match) > 0 {
			r.Answer = append(r.Answer, withOwner(match, owner)...)
			break
		}
		cname := ofType(rrs, dns.TypeCNAME)
		if q.Qtype == dns.TypeCNAME || len(cname) == 0 {
			z.addSOA(r, name) // NODATA
			break
		}
		r.Answer = append(r.Answer, withOwner(cname[:1], owner)...)
		target := dns.Fqdn(cname[0].(*dns.CNAME).Target)
		if seen[dns.CanonicalName(target)] || hops+1 >= maxCNAMEHops {
			break // loop or overlong chain: the client must notice
		}
		owner = target
	}
	r.AuthenticatedData = z.ad
	return r, false
}

// faulty reports whether m holds name with qtype or with dns.TypeANY.
func (z *Zone) faulty(m map[key]bool, name string, qtype uint16) bool {
	return m[key{name, qtype}] || m[key{name, dns.TypeANY}]
}

func (z *Zone) rcodeFor(name string, qtype uint16) (int, bool) {
	if rc, ok := z.rcodes[key{name, qtype}]; ok {
		return rc, true
	}
	rc, ok := z.rcodes[key{name, dns.TypeANY}]
	return rc, ok
}

// lookup returns the records at name, those of a matching wildcard if name
// does not exist, and whether the name exists (an empty non-terminal
// exists with no records).
func (z *Zone) lookup(name string) ([]dns.RR, bool) {
	if z.exists(name) {
		return z.names[name], true
	}
	for ce, ok := parent(name); ok; ce, ok = parent(ce) {
		if !z.exists(ce) {
			continue
		}
		// ce is the closest encloser (RFC 4592 section 3.3.1).
		wild := "*." + ce
		if ce == "." {
			wild = "*."
		}
		if rrs := z.names[wild]; len(rrs) > 0 {
			return rrs, true
		}
		return nil, false
	}
	return nil, false
}

// exists reports whether name owns records or is an empty non-terminal.
func (z *Zone) exists(name string) bool {
	if len(z.names[name]) > 0 {
		return true
	}
	for n, rrs := range z.names {
		if len(rrs) > 0 && n != name && dns.IsSubDomain(name, n) {
			return true
		}
	}
	return false
}

// addSOA puts the SOA of the nearest enclosing zone apex, if any, in the
// authority section of a negative answer.
func (z *Zone) addSOA(r *dns.Msg, name string) {
	for n, ok := name, true; ok; n, ok = parent(n) {
		if soa := ofType(z.names[n], dns.TypeSOA); len(soa) > 0 {
			r.Ns = append(r.Ns, dns.Copy(soa[0]))
			return
		}
	}
}

// parent returns the name one label up; false at the root.
func parent(name string) (string, bool) {
	if name == "." || name == "" {
		return "", false
	}
	off, end := dns.NextLabel(name, 0)
	if end || off >= len(name) {
		return ".", true
	}
	return name[off:], true
}

// ofType returns the records of qtype; dns.TypeANY matches all.
func ofType(rrs []dns.RR, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		if qtype == dns.TypeANY || rr.Header().Rrtype == qtype {
			out = append(out, rr)
		}
	}
	return out
}

// withOwner returns copies of rrs named owner (wildcard synthesis, and the
// name's case as asked).
func withOwner(rrs []dns.RR, owner string) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		c := dns.Copy(rr)
		c.Header().Name = owner
		out[i] = c
	}
	return out
}
