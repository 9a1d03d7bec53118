package dnssectest

import (
	"sort"
	"strings"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/miekg/dns"
)

const maxHops = 16

// zoneFor returns the zone that answers name/qtype: the deepest zone
// holding name, or for a DS at a zone apex the parent.
func (b *built) zoneFor(name string, qtype uint16) *bzone {
	var best *bzone
	for _, z := range b.zones {
		if !dns.IsSubDomain(z.name, name) {
			continue
		}
		if qtype == dns.TypeDS && z.name == name && name != "." && b.hasParent(z.name) {
			continue
		}
		if best == nil || dns.CountLabel(z.name) > dns.CountLabel(best.name) {
			best = z
		}
	}
	return best
}

func (b *built) hasParent(n string) bool {
	for _, z := range b.zones {
		if z.name != n && dns.IsSubDomain(z.name, n) {
			return true
		}
	}
	return false
}

// resolve answers like a recursive resolver: it follows CNAMEs and DNAMEs
// across zones, expands wildcards and proves denials.
func (b *built) resolve(qname string, qtype uint16, do bool) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(qname, qtype)
	m.Response, m.RecursionDesired, m.RecursionAvailable = true, true, true
	m.CheckingDisabled = do
	if do {
		m.SetEdns0(4096, true)
		m.Question[0].Name = qname
	}
	name := qname
	for hop := 0; hop < maxHops; hop++ {
		z := b.zoneFor(name, qtype)
		if z == nil {
			m.Rcode = dns.RcodeRefused
			return m
		}
		sig := do && z.signed && !z.cfg.StripSignatures
		if s := z.sets[fkey{name, qtype}]; s != nil {
			m.Answer = append(m.Answer, s.with(sig)...)
			return m
		}
		if s := z.sets[fkey{name, dns.TypeCNAME}]; s != nil && qtype != dns.TypeCNAME {
			m.Answer = append(m.Answer, s.with(sig)...)
			name = dns.CanonicalName(s.rrs[0].(*dns.CNAME).Target)
			continue
		}
		if d, owner := z.dname(name); d != nil && qtype != dns.TypeDNAME {
			m.Answer = append(m.Answer, d.with(sig)...)
			target := strings.TrimSuffix(name, owner) + dns.CanonicalName(d.rrs[0].(*dns.DNAME).Target)
			m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: d.rrs[0].Header().Ttl}, Target: target})
			name = target
			continue
		}
		if z.exists[name] {
			z.nodata(m, name, sig)
			return m
		}
		ce := z.closestEncloser(name)
		wc := "*." + strings.TrimPrefix(ce, ".")
		if ce == "." {
			wc = "*."
		}
		if z.exists[wc] {
			if s := z.sets[fkey{wc, qtype}]; s != nil {
				m.Answer = append(m.Answer, s.expand(name, sig)...)
				if sig {
					z.proveNoCloser(m, name, ce)
				}
				return m
			}
			if s := z.sets[fkey{wc, dns.TypeCNAME}]; s != nil && qtype != dns.TypeCNAME {
				m.Answer = append(m.Answer, s.expand(name, sig)...)
				if sig {
					z.proveNoCloser(m, name, ce)
				}
				name = dns.CanonicalName(s.rrs[0].(*dns.CNAME).Target)
				continue
			}
			// Wildcard NODATA.
			m.Ns = append(m.Ns, z.soa.with(sig)...)
			if sig && !z.cfg.OmitDenial {
				z.proveNoCloser(m, name, ce)
				z.proveMatch(m, wc)
			}
			return m
		}
		m.Rcode = dns.RcodeNameError
		m.Ns = append(m.Ns, z.soa.with(sig)...)
		if sig && !z.cfg.OmitDenial {
			z.proveNoCloser(m, name, ce)
			z.proveNoName(m, wc)
		}
		return m
	}
	m.Rcode = dns.RcodeServerFailure
	return m
}

// with returns copies of the records (and their RRSIGs if sigs), so
// that callers may alter an answer without altering the zone.
func (s *sset) with(sigs bool) []dns.RR {
	var out []dns.RR
	for _, rr := range s.rrs {
		out = append(out, dns.Copy(rr))
	}
	if sigs {
		for _, rr := range s.sigs {
			out = append(out, dns.Copy(rr))
		}
	}
	return out
}

// expand synthesizes the wildcard set s for name (RFC 4592): the records
// and their RRSIGs take the owner name; the RRSIG labels stay.
func (s *sset) expand(name string, sigs bool) []dns.RR {
	var out []dns.RR
	for _, rr := range s.rrs {
		c := dns.Copy(rr)
		c.Header().Name = name
		out = append(out, c)
	}
	if sigs {
		for _, rr := range s.sigs {
			c := dns.Copy(rr)
			c.Header().Name = name
			out = append(out, c)
		}
	}
	return out
}

func (z *bzone) dname(name string) (*sset, string) {
	for n := parentName(name); dns.IsSubDomain(z.name, n); n = parentName(n) {
		if s := z.sets[fkey{n, dns.TypeDNAME}]; s != nil {
			return s, n
		}
		if n == z.name || n == "." {
			break
		}
	}
	return nil, ""
}

func (z *bzone) closestEncloser(name string) string {
	for n := parentName(name); ; n = parentName(n) {
		if z.exists[n] || n == z.name || n == "." {
			return n
		}
	}
}

// nodata adds the SOA and the proof that name exists without the type.
func (z *bzone) nodata(m *dns.Msg, name string, sig bool) {
	m.Ns = append(m.Ns, z.soa.with(sig)...)
	if !sig || z.cfg.OmitDenial {
		return
	}
	if z.cfg.NSEC3 && z.match3(name) < 0 {
		// Opt-out: an unsigned delegation (or an ENT above only such) is
		// not in the chain; prove its closest encloser and cover it.
		ce := z.closestProvable(name)
		z.proveMatch(m, ce)
		z.proveNoCloser(m, name, ce)
		return
	}
	if !z.cfg.NSEC3 && z.nsecAt(name) == nil {
		z.proveNoName(m, name) // an empty non-terminal: the NSEC whose next name lies below it
		return
	}
	z.proveMatch(m, name)
}

func (z *bzone) nsecAt(name string) *sset {
	for _, s := range z.nsec {
		if dns.CanonicalName(s.rrs[0].Header().Name) == name {
			return s
		}
	}
	return nil
}

// closestProvable is the closest ancestor of name that has an NSEC3.
func (z *bzone) closestProvable(name string) string {
	for n := parentName(name); ; n = parentName(n) {
		if z.match3(n) >= 0 || n == z.name || n == "." {
			return n
		}
	}
}

// proveMatch adds the NSEC or NSEC3 record owned by (or matching) name.
func (z *bzone) proveMatch(m *dns.Msg, name string) {
	if z.cfg.NSEC3 {
		if i := z.match3(name); i >= 0 {
			add(m, z.nsec3[i])
		}
		return
	}
	if s := z.nsecAt(name); s != nil {
		add(m, s)
	}
}

// proveNoCloser proves that name does not exist below its closest
// encloser ce: the NSEC covering name, or the NSEC3 matching ce and the
// one covering the next closer name.
func (z *bzone) proveNoCloser(m *dns.Msg, name, ce string) {
	if z.cfg.NSEC3 {
		z.proveMatch(m, ce)
		nc := name
		for parentName(nc) != ce && nc != "." {
			nc = parentName(nc)
		}
		z.proveNoName(m, nc)
		return
	}
	z.proveNoName(m, name)
}

// proveNoName adds the record covering name.
func (z *bzone) proveNoName(m *dns.Msg, name string) {
	if z.cfg.NSEC3 {
		if len(z.hashes) == 0 {
			return
		}
		h := dns.HashName(name, dns.SHA1, z.cfg.Iterations, z.cfg.Salt)
		i := sort.SearchStrings(z.hashes, h) - 1 // the last hash below h
		if i < 0 {
			i = len(z.hashes) - 1
		}
		add(m, z.nsec3[i])
		return
	}
	var best *sset
	for _, s := range z.nsec {
		if dnsname.CanonicalCompare(s.rrs[0].Header().Name, name) < 0 {
			best = s
		}
	}
	if best == nil && len(z.nsec) > 0 {
		best = z.nsec[len(z.nsec)-1]
	}
	if best != nil {
		add(m, best)
	}
}

func (z *bzone) match3(name string) int {
	h := dns.HashName(name, dns.SHA1, z.cfg.Iterations, z.cfg.Salt)
	i := sort.SearchStrings(z.hashes, h)
	if i < len(z.hashes) && z.hashes[i] == h {
		return i
	}
	return -1
}

// add appends s to the authority section once.
func add(m *dns.Msg, s *sset) {
	for _, rr := range m.Ns {
		if dns.IsDuplicate(rr, s.rrs[0]) {
			return
		}
	}
	m.Ns = append(m.Ns, s.with(true)...)
}
