package dnssec

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// rrset is one RRset of an answer section with the RRSIGs covering it.
type rrset struct {
	name string
	t    uint16
	rrs  []dns.RR
	sigs []*dns.RRSIG
}

func groupRRsets(rrs []dns.RR) []*rrset {
	var sets []*rrset
	index := map[qkey]*rrset{}
	for _, rr := range rrs {
		if rr == nil || rr.Header() == nil || rr.Header().Rrtype == dns.TypeRRSIG || rr.Header().Rrtype == dns.TypeOPT {
			continue
		}
		k := qkey{canon(rr.Header().Name), rr.Header().Rrtype}
		set := index[k]
		if set == nil {
			set = &rrset{name: k.name, t: k.qtype}
			index[k] = set
			sets = append(sets, set)
		}
		set.rrs = append(set.rrs, rr)
	}
	for _, rr := range rrs {
		if sig, ok := rr.(*dns.RRSIG); ok {
			if set := index[qkey{canon(sig.Hdr.Name), sig.TypeCovered}]; set != nil {
				set.sigs = append(set.sigs, sig)
			}
		}
	}
	return sets
}

func findSet(sets []*rrset, name string, t uint16) *rrset {
	for _, s := range sets {
		if s.name == name && (s.t == t || t == dns.TypeANY) {
			return s
		}
	}
	return nil
}

// dnameFor returns the DNAME RRset at a proper ancestor of name, if any.
func dnameFor(sets []*rrset, name string) *rrset {
	for _, s := range sets {
		if s.t == dns.TypeDNAME && s.name != name && isSub(s.name, name) && len(s.rrs) == 1 {
			return s
		}
	}
	return nil
}

// synthesize applies DNAME d to name (RFC 6672 §2.2).
func synthesize(d *rrset, name string) string {
	target := canon(d.rrs[0].(*dns.DNAME).Target)
	prefix := strings.TrimSuffix(name, d.name)
	if target == "." {
		return prefix
	}
	return prefix + target
}

func (s *session) validate(resp *dns.Msg, qname string, qtype uint16) Result {
	sets := groupRRsets(resp.Answer)
	if len(sets) > maxRRsets {
		return Result{Verdict: Bogus, Zone: qname, Reason: fmt.Sprintf("the answer for %s %s holds %d RRsets, more than the %d accepted", show(qname), typeName(qtype), len(sets), maxRRsets)}
	}
	// Follow the CNAME/DNAME chain to the final name.
	name, final := qname, false
	for hops := 0; hops <= len(sets); hops++ {
		if findSet(sets, name, qtype) != nil {
			final = true
			break
		}
		if c := findSet(sets, name, dns.TypeCNAME); c != nil && qtype != dns.TypeCNAME && len(c.rrs) == 1 {
			name = canon(c.rrs[0].(*dns.CNAME).Target)
			continue
		}
		if d := dnameFor(sets, name); d != nil && qtype != dns.TypeDNAME {
			name = synthesize(d, name)
			continue
		}
		break
	}
	// Start every chain fetch the answer will need at once.
	for _, set := range sets {
		if signer := signerOf(set); signer != "" {
			s.prefetchWalk(signer, true)
		} else {
			s.prefetchWalk(set.name, false)
		}
	}
	var results []Result
	for _, set := range sets {
		if set.t == dns.TypeCNAME && len(set.sigs) == 0 && len(set.rrs) == 1 {
			if d := dnameFor(sets, set.name); d != nil && synthesize(d, set.name) == canon(set.rrs[0].(*dns.CNAME).Target) {
				continue // synthesized from a DNAME, which is validated itself
			}
		}
		results = append(results, s.positive(resp, set))
	}
	if !final && !partial(resp, name, qname) {
		results = append(results, s.negative(resp, name, qtype))
	}
	return weakestResult(results)
}

// partial reports whether resp stops at a CNAME or DNAME target without
// saying anything about it: NOERROR, no SOA and no NSEC/NSEC3 in the
// authority section. An authoritative server answers so when the target
// lies outside its zones; the caller asks for the target itself (and that
// answer is validated then), so there is no denial to check here.
func partial(resp *dns.Msg, name, qname string) bool {
	if name == qname || resp.Rcode != dns.RcodeSuccess {
		return false
	}
	for _, rr := range resp.Ns {
		switch rr.Header().Rrtype {
		case dns.TypeSOA, dns.TypeNSEC, dns.TypeNSEC3:
			return false
		}
	}
	return true
}

// weakestResult picks the weakest verdict; among equals the last (the
// final answer of a chain) speaks.
func weakestResult(rs []Result) Result {
	if len(rs) == 0 {
		return Result{Verdict: Bogus, Reason: "nothing to validate in the answer"}
	}
	out := rs[0]
	for _, r := range rs[1:] {
		if w := Weakest(out.Verdict, r.Verdict); w == r.Verdict {
			out = r
		}
	}
	return out
}

// signerOf returns the deepest plausible signer of set, or "".
func signerOf(set *rrset) string {
	best := ""
	for _, sig := range set.sigs {
		sn := canon(sig.SignerName)
		if !isSub(sn, set.name) || (set.t == dns.TypeDS && sn == set.name) {
			continue
		}
		if best == "" || dns.CountLabel(sn) > dns.CountLabel(best) {
			best = sn
		}
	}
	return best
}

func (s *session) prefetchWalk(target string, signed bool) {
	if anchor, anchors := s.v.anchorFor(target); anchors != nil {
		names := namesBelow(anchor, target)
		s.prefetch(anchor, names[:min(len(names), maxWalkLabels)], signed)
	}
}

// stale reports whether z's keys came from the cache rather than from
// this call; if so it drops them (once per zone and call) so that the
// caller can retry with the zone's current DNSKEY set. A failure is thus
// never blamed on keys the zone has since replaced.
func (s *session) stale(z *zoneKeys) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, fetched := s.futures[qkey{z.name, dns.TypeDNSKEY}]; fetched || s.refreshed[z.name] {
		return false
	}
	if s.refreshed == nil {
		s.refreshed = map[string]bool{}
	}
	s.refreshed[z.name] = true
	s.v.cache.remove(z.name)
	return true
}

func insecure(z *zoneKeys) Result {
	return Result{Verdict: Insecure, Zone: z.name, Reason: z.why}
}

// positive validates one RRset of the answer section.
func (s *session) positive(resp *dns.Msg, set *rrset) Result {
	what := show(set.name) + " " + typeName(set.t)
	if len(set.sigs) == 0 {
		target := set.name
		if set.t == dns.TypeDS {
			target = parentOf(set.name)
		}
		z, res := s.walk(target, false)
		if res != nil {
			return *res
		}
		if !z.secure {
			return insecure(z)
		}
		return *s.noSigs(set.name, set.t, z.name)
	}
	signer := signerOf(set)
	if signer == "" {
		return Result{Verdict: Bogus, Zone: set.name, Reason: fmt.Sprintf("the RRSIGs over %s name a signer that does not contain %s", what, show(set.name))}
	}
	z, res := s.signedBy(signer, func(z *zoneKeys) string {
		return fmt.Sprintf("the RRSIG over %s names %s as its signer, which is not a signed zone (the name lies in %s)", what, show(signer), show(z.name))
	})
	if res != nil {
		return *res
	}
	sig, res := s.verify(set.rrs, set.sigs, set.name, set.t, z.name, z.keys, z.keys)
	if res != nil && s.stale(z) {
		return s.positive(resp, set) // the cached keys may predate a key rollover: once more, fresh
	}
	if res != nil {
		return *res
	}
	if labels := int(sig.Labels); labels < ownerLabels(set.name) {
		why, res := s.expansion(resp.Ns, z, set.name, set.t, labels)
		if res != nil {
			return *res
		}
		if why != "" {
			return Result{Verdict: Insecure, Zone: z.name, Reason: why}
		}
	}
	capTTL(set.rrs, set.sigs, sig, s.now)
	return Result{Verdict: Secure, Zone: z.name}
}

// signedBy walks to signer, the zone the signatures of an answer name: it
// returns that zone's keys, or the result to give instead: the walk's
// own, insecure below an insecure cut, or bogus (notApex says why) when
// signer is not the apex of the signed zone the walk found.
func (s *session) signedBy(signer string, notApex func(z *zoneKeys) string) (*zoneKeys, *Result) {
	z, res := s.walk(signer, true)
	if res != nil {
		return nil, res
	}
	if !z.secure {
		r := insecure(z)
		return nil, &r
	}
	if z.name != signer {
		return nil, &Result{Verdict: Bogus, Zone: z.name, Reason: notApex(z)}
	}
	return z, nil
}

// negative validates the denial of name/qtype (NXDOMAIN or NODATA).
func (s *session) negative(resp *dns.Msg, name string, qtype uint16) Result {
	nx := resp.Rcode == dns.RcodeNameError
	what := show(name) + " " + typeName(qtype)
	signer := ""
	for _, rr := range resp.Ns {
		sig, ok := rr.(*dns.RRSIG)
		if !ok || (sig.TypeCovered != dns.TypeNSEC && sig.TypeCovered != dns.TypeNSEC3) {
			continue
		}
		sn := canon(sig.SignerName)
		if !isSub(sn, name) || (qtype == dns.TypeDS && sn == name) {
			continue
		}
		if signer == "" || dns.CountLabel(sn) > dns.CountLabel(signer) {
			signer = sn
		}
	}
	if signer == "" {
		target := name
		if qtype == dns.TypeDS {
			target = parentOf(name)
		}
		z, res := s.walk(target, false)
		if res != nil {
			return *res
		}
		if !z.secure {
			return insecure(z)
		}
		if !hasRRSIG(resp.Ns) {
			return *s.noSigs(name, qtype, z.name)
		}
		return Result{Verdict: Bogus, Zone: z.name, Reason: fmt.Sprintf("the negative answer for %s from the signed zone %s carries no NSEC or NSEC3 proof", what, show(z.name))}
	}
	z, res := s.signedBy(signer, func(*zoneKeys) string {
		return fmt.Sprintf("the denial of %s names %s as its signer, which is not a signed zone", what, show(signer))
	})
	if res != nil {
		return *res
	}
	d, p, res := s.deny(resp.Ns, z, name, qtype)
	if res != nil && s.stale(z) {
		return s.negative(resp, name, qtype)
	}
	if res != nil {
		return *res
	}
	switch {
	case d.insecure != "":
		return Result{Verdict: Insecure, Zone: z.name, Reason: d.insecure}
	case nx && !d.nxdomain:
		return Result{Verdict: Bogus, Zone: z.name, Reason: fmt.Sprintf("the answer says %s does not exist, but the proof of %s says it does", show(name), show(z.name))}
	case !nx && d.nxdomain:
		return Result{Verdict: Bogus, Zone: z.name, Reason: fmt.Sprintf("the answer says %s exists without %s records, but the proof of %s says the name does not exist", show(name), typeName(qtype), show(z.name))}
	}
	p.capTTLs(resp.Ns, s.now)
	return Result{Verdict: Secure, Zone: z.name}
}
