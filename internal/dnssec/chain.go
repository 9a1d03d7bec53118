package dnssec

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// walk follows the chain of trust from the closest trust anchor down to
// target, one label at a time (RFC 4035 §5.1, §5.2), and returns the
// deepest zone that contains target: secure with its keys, or the first
// delegation proven insecure on the way. signed says target is a signer
// name (a zone): then the keys of every name on the way are fetched at
// once; otherwise a name's keys are fetched once its DS is seen.
func (s *session) walk(target string, signed bool) (*zoneKeys, *Result) {
	anchorName, anchors := s.v.anchorFor(target)
	if anchors == nil {
		return nil, &Result{Verdict: Indeterminate, Zone: target,
			Reason: fmt.Sprintf("no trust anchor covers %s", show(target))}
	}
	names := namesBelow(anchorName, target)
	s.prefetch(anchorName, names[:min(len(names), maxWalkLabels)], signed)
	z, res := s.anchorZone(anchorName, anchors)
	if res != nil {
		return nil, res
	}
	for i, x := range names {
		if !z.secure {
			return z, nil
		}
		if i >= maxWalkLabels {
			return nil, &Result{Verdict: Indeterminate, Zone: z.name,
				Reason: fmt.Sprintf("%s lies more than %d labels below the trust anchor %s inside the signed zone %s: too deep to validate", show(target), maxWalkLabels, show(anchorName), show(z.name))}
		}
		l, res := s.link(z, x)
		if res != nil {
			return nil, res
		}
		switch l.kind {
		case linkZone, linkInsecure:
			z = l.zone
		case linkNoName:
			return z, nil
		}
	}
	return z, nil
}

// prefetch starts the chain queries the walk to names will need and the
// cache cannot answer, all at once.
func (s *session) prefetch(anchor string, names []string, signed bool) {
	if l := s.v.cache.get(anchor, s.now); l == nil {
		s.fetch(anchor, dns.TypeDNSKEY)
	} else if l.kind != linkZone || !l.zone.secure {
		return
	}
	for _, x := range names {
		if l := s.v.cache.get(x, s.now); l != nil {
			if l.kind == linkInsecure || l.kind == linkNoName {
				return
			}
			continue
		}
		s.fetch(x, dns.TypeDS)
		if signed {
			s.fetch(x, dns.TypeDNSKEY)
		}
	}
}

// anchorZone authenticates the DNSKEY set of a trust anchor's owner.
func (s *session) anchorZone(name string, anchors []dns.RR) (*zoneKeys, *Result) {
	if l := s.v.cache.get(name, s.now); l != nil && l.kind == linkZone {
		return l.zone, nil
	}
	var ds []*dns.DS
	var keys []*dns.DNSKEY
	for _, a := range anchors {
		switch a := a.(type) {
		case *dns.DS:
			if supportedAlg(a.Algorithm) && supportedDigest(a.DigestType) {
				ds = append(ds, a)
			}
		case *dns.DNSKEY:
			if usableKey(a) {
				keys = append(keys, a)
			}
		}
	}
	if len(ds) == 0 && len(keys) == 0 {
		// A misconfigured anchor must not make everything "insecure": fail closed.
		return nil, &Result{Verdict: Indeterminate, Zone: name,
			Reason: "the trust anchors for " + show(name) + " use only unsupported algorithms, digest types or revoked keys: configure a usable anchor"}
	}
	return s.zoneKeys(name, ds, keys, "the trust anchor for "+show(name), nil)
}

// zoneKeys fetches the DNSKEY set of name and authenticates it with a key
// matching one of ds (digests from the parent or the anchors) or equal to
// one of anchorKeys, then caches the zone. from says where ds came from.
func (s *session) zoneKeys(name string, ds []*dns.DS, anchorKeys []*dns.DNSKEY, from string, dsSig *dns.RRSIG) (*zoneKeys, *Result) {
	m, res := s.get(name, dns.TypeDNSKEY)
	if res != nil {
		return nil, res
	}
	set, sigs := rrsetOf(m.Answer, name, dns.TypeDNSKEY)
	var all []*dns.DNSKEY
	for _, rr := range set {
		all = append(all, rr.(*dns.DNSKEY))
	}
	if len(all) > maxDNSKEYs {
		return nil, &Result{Verdict: Bogus, Zone: name,
			Reason: fmt.Sprintf("%s has %d DNSKEYs, more than the %d accepted", show(name), len(all), maxDNSKEYs)}
	}
	var usable, trusted []*dns.DNSKEY
	for _, k := range all {
		if !usableKey(k) {
			continue
		}
		usable = append(usable, k)
		if keyMatches(k, ds, anchorKeys) {
			trusted = append(trusted, k)
		}
	}
	if len(trusted) == 0 {
		var dsTags []uint16
		for _, d := range ds {
			dsTags = append(dsTags, d.KeyTag)
		}
		for _, k := range anchorKeys {
			dsTags = append(dsTags, k.KeyTag())
		}
		what := "DS key tag"
		if len(dsTags) > 1 {
			what = "DS key tags"
		}
		if len(all) == 0 && !hasRRSIG(m.Answer) && !hasRRSIG(m.Ns) {
			return nil, s.noSigs(name, dns.TypeDNSKEY, name)
		}
		return nil, &Result{Verdict: Bogus, Zone: name,
			Reason: fmt.Sprintf("%s matches no DNSKEY of %s (%s %s; DNSKEY tags %s)", from, show(name), what, tagList(uniq(dsTags)), tagList(keyTags(all)))}
	}
	sig, res := s.verify(set, sigs, name, dns.TypeDNSKEY, name, trusted, all)
	if res != nil {
		return nil, res
	}
	z := &zoneKeys{name: name, secure: true, keys: usable, tags: keyTags(all)}
	s.v.cache.put(name, &link{kind: linkZone, zone: z, expires: expiry(s.now, set, []*dns.RRSIG{sig, dsSig})})
	return z, nil
}

func uniq(tags []uint16) []uint16 {
	var out []uint16
	seen := map[uint16]bool{}
	for _, t := range tags {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// keyMatches reports whether k is vouched for by one of ds (RFC 4035 §5.2)
// or equals one of anchorKeys.
func keyMatches(k *dns.DNSKEY, ds []*dns.DS, anchorKeys []*dns.DNSKEY) bool {
	tag := k.KeyTag()
	for _, d := range ds {
		if d.KeyTag != tag || d.Algorithm != k.Algorithm {
			continue
		}
		if got := k.ToDS(d.DigestType); got != nil && strings.EqualFold(got.Digest, d.Digest) {
			return true
		}
	}
	for _, a := range anchorKeys {
		if a.Algorithm == k.Algorithm && a.Flags&^dns.SEP == k.Flags&^dns.SEP && a.Protocol == k.Protocol &&
			strings.EqualFold(strings.Join(strings.Fields(a.PublicKey), ""), strings.Join(strings.Fields(k.PublicKey), "")) {
			return true
		}
	}
	return false
}

// link finds out what name x (one label below what z has covered so far)
// is: a secure child zone, an insecure delegation, a name inside z, or no
// name at all. It asks for the DS of x (answered by z's servers) and
// validates the answer or the denial with z's keys.
func (s *session) link(z *zoneKeys, x string) (*link, *Result) {
	if l := s.v.cache.get(x, s.now); l != nil {
		return l, nil
	}
	m, res := s.get(x, dns.TypeDS)
	if res != nil {
		return nil, res
	}
	set, sigs := rrsetOf(m.Answer, x, dns.TypeDS)
	if len(set) > 0 {
		if x == z.name || !isSub(z.name, x) {
			return nil, &Result{Verdict: Bogus, Zone: z.name, Reason: fmt.Sprintf("the DS of %s is not below %s", show(x), show(z.name))}
		}
		sig, res := s.verify(set, sigs, x, dns.TypeDS, z.name, z.keys, z.keys)
		if res != nil {
			return nil, res
		}
		if len(set) > maxDS {
			return nil, &Result{Verdict: Bogus, Zone: x, Reason: fmt.Sprintf("%s has %d DS records at %s, more than the %d accepted", show(x), len(set), show(z.name), maxDS)}
		}
		var ds []*dns.DS
		for _, rr := range set {
			if d := rr.(*dns.DS); supportedAlg(d.Algorithm) && supportedDigest(d.DigestType) {
				ds = append(ds, d)
			}
		}
		if len(ds) == 0 {
			// RFC 6840 §5.2: nothing we can check, so the child is unsigned to us.
			why := fmt.Sprintf("the DS records of %s at %s use only unsupported algorithms or digest types (RFC 6840 §5.2)", show(x), show(z.name))
			l := &link{kind: linkInsecure, zone: &zoneKeys{name: x, why: why}, expires: expiry(s.now, set, []*dns.RRSIG{sig})}
			s.v.cache.put(x, l)
			return l, nil
		}
		zk, res := s.zoneKeys(x, ds, nil, fmt.Sprintf("the DS for %s at %s", show(x), show(z.name)), sig)
		if res != nil {
			return nil, res
		}
		return &link{kind: linkZone, zone: zk}, nil
	}
	// No DS: a CNAME or DNAME at x means x is an ordinary name of z.
	for _, t := range []uint16{dns.TypeCNAME, dns.TypeDNAME} {
		if cs, csigs := rrsetOf(m.Answer, x, t); len(cs) > 0 {
			sig, res := s.verify(cs, csigs, x, t, z.name, z.keys, z.keys)
			if res != nil {
				return nil, res
			}
			l := &link{kind: linkNotCut, expires: expiry(s.now, cs, []*dns.RRSIG{sig})}
			s.v.cache.put(x, l)
			return l, nil
		}
	}
	d, _, res := s.deny(m.Ns, z, x, dns.TypeDS)
	if res != nil {
		return nil, res
	}
	l := &link{expires: d.expires}
	switch {
	case d.insecure != "":
		l.kind, l.zone = linkInsecure, &zoneKeys{name: x, why: d.insecure}
	case d.delegation:
		l.kind, l.zone = linkInsecure, &zoneKeys{name: x, why: fmt.Sprintf("%s proves that the delegation to %s has no DS", show(z.name), show(x))}
	case d.nxdomain:
		l.kind = linkNoName
	default:
		l.kind = linkNotCut
	}
	s.v.cache.put(x, l)
	return l, nil
}
