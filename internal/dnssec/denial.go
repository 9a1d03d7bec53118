package dnssec

import (
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// denial is what a validated NSEC or NSEC3 proof established.
type denial struct {
	nxdomain   bool   // the name does not exist, nor a wildcard that could answer
	delegation bool   // NODATA for DS at a delegation point (NS, no SOA): an unsigned child
	wildcard   bool   // NODATA through a matching wildcard
	insecure   string // non-empty: the proof leaves the answer insecure (opt-out, NSEC3 parameters)
	expires    time.Time
}

// proof holds the validated NSEC and NSEC3 records of one zone.
type proof struct {
	zone   string
	nsec   []*dns.NSEC
	nsec3  []*dns.NSEC3
	unsupp int // NSEC3 records with an unknown hash or flags (RFC 5155 §8.1, §8.2)
	iter   uint16
	exp    time.Time
	hashes map[hashKey]string
	sets   []provenSet // the validated records, for capping TTLs
}

type provenSet struct {
	rrs  []dns.RR
	sigs []*dns.RRSIG
	used *dns.RRSIG
}

// capTTLs caps the TTLs of the proof records in place (and the SOA of
// auth to the lowest of them): only for a response the caller owns.
func (p *proof) capTTLs(auth []dns.RR, now time.Time) {
	low := uint32(1<<32 - 1)
	for _, ps := range p.sets {
		capTTL(ps.rrs, ps.sigs, ps.used, now)
		for _, rr := range ps.rrs {
			low = min(low, rr.Header().Ttl)
		}
	}
	if len(p.sets) == 0 {
		return
	}
	for _, rr := range auth {
		if h := rr.Header(); (h.Rrtype == dns.TypeSOA || h.Rrtype == dns.TypeRRSIG) && h.Ttl > low && canon(h.Name) == p.zone {
			h.Ttl = low
		}
	}
}

// collectProof validates every NSEC and NSEC3 record of auth signed by
// zone z; records signed by others are ignored, a record of z that does
// not validate makes the answer bogus.
func (s *session) collectProof(auth []dns.RR, z *zoneKeys) (*proof, *Result) {
	p := &proof{zone: z.name}
	var used []*dns.RRSIG
	var recs []dns.RR
	mine := 0
	for _, set := range groupRRsets(auth) {
		if (set.t != dns.TypeNSEC && set.t != dns.TypeNSEC3) || !isSub(z.name, set.name) || !signedBy(set.sigs, z.name) {
			continue
		}
		if mine++; mine > maxProofRecords {
			return nil, &Result{Verdict: Bogus, Zone: z.name, Reason: fmt.Sprintf("more than %d NSEC/NSEC3 records in one answer", maxProofRecords)}
		}
		sig, res := s.verify(set.rrs, set.sigs, set.name, set.t, z.name, z.keys, z.keys)
		if res != nil {
			return nil, res
		}
		used = append(used, sig)
		recs = append(recs, set.rrs...)
		p.sets = append(p.sets, provenSet{set.rrs, set.sigs, sig})
		for _, rr := range set.rrs {
			switch r := rr.(type) {
			case *dns.NSEC:
				p.nsec = append(p.nsec, r)
			case *dns.NSEC3:
				if r.Hash != dns.SHA1 || r.Flags&^1 != 0 || canon(parentOf(set.name)) != z.name {
					p.unsupp++
					continue
				}
				c := *r
				c.NextDomain = strings.ToUpper(c.NextDomain)
				p.nsec3 = append(p.nsec3, &c)
				if r.Iterations > p.iter {
					p.iter = r.Iterations
				}
			}
		}
	}
	p.exp = expiry(s.now, recs, used)
	return p, nil
}

func signedBy(sigs []*dns.RRSIG, zone string) bool {
	for _, sig := range sigs {
		if canon(sig.SignerName) == zone {
			return true
		}
	}
	return false
}

func (p *proof) empty() bool { return len(p.nsec) == 0 && len(p.nsec3) == 0 && p.unsupp == 0 }

// deny validates the proof in auth that name has no type t in zone z
// (RFC 4035 §5.4, RFC 5155 §8).
func (s *session) deny(auth []dns.RR, z *zoneKeys, name string, t uint16) (denial, *proof, *Result) {
	p, res := s.collectProof(auth, z)
	if res != nil {
		return denial{}, nil, res
	}
	what := show(name) + " " + typeName(t)
	if p.empty() {
		if !hasRRSIG(auth) {
			return denial{}, nil, s.noSigs(name, t, z.name)
		}
		return denial{}, nil, &Result{Verdict: Bogus, Zone: z.name,
			Reason: fmt.Sprintf("no NSEC or NSEC3 record of %s proves that %s does not exist", show(z.name), what)}
	}
	var d denial
	var why string
	if len(p.nsec) > 0 {
		d, why = p.nsecDeny(name, t)
	} else {
		d, why = p.nsec3Deny(name, t)
	}
	if why != "" {
		return denial{}, nil, &Result{Verdict: Bogus, Zone: z.name, Reason: fmt.Sprintf("the denial of %s is broken: %s", what, why)}
	}
	d.expires = p.exp
	return d, p, nil
}

func hasBit(bitmap []uint16, t uint16) bool {
	for _, b := range bitmap {
		if b == t {
			return true
		}
	}
	return false
}

// exactDeny checks the type bitmap of a record matching name.
func exactDeny(bitmap []uint16, owner, name string, t uint16) (denial, string) {
	switch {
	case hasBit(bitmap, t):
		return denial{}, fmt.Sprintf("the record at %s lists %s", show(owner), typeName(t))
	case t != dns.TypeCNAME && hasBit(bitmap, dns.TypeCNAME):
		return denial{}, fmt.Sprintf("the record at %s lists a CNAME", show(owner))
	case t == dns.TypeDS && hasBit(bitmap, dns.TypeSOA) && name != ".":
		return denial{}, fmt.Sprintf("the record at %s comes from the child zone, which cannot deny its own DS", show(owner))
	case t == dns.TypeDS:
		return denial{delegation: hasBit(bitmap, dns.TypeNS)}, ""
	case hasBit(bitmap, dns.TypeNS) && !hasBit(bitmap, dns.TypeSOA):
		return denial{}, fmt.Sprintf("the record at %s is the parent's side of a delegation", show(owner))
	}
	return denial{}, ""
}

// covers reports whether n proves that no name exists between its owner
// and next name, name included (RFC 4034 §4.1.1; the last NSEC wraps to
// the apex).
func (p *proof) covers(n *dns.NSEC, name string) bool {
	owner, next := canon(n.Hdr.Name), canon(n.NextDomain)
	if canonCmp(owner, name) >= 0 || !isSub(p.zone, name) {
		return false
	}
	if canonCmp(owner, next) < 0 {
		return canonCmp(name, next) < 0
	}
	return true
}

func (p *proof) nsecDeny(name string, t uint16) (denial, string) {
	for _, n := range p.nsec {
		if canon(n.Hdr.Name) == name {
			return exactDeny(n.TypeBitMap, name, name, t)
		}
	}
	var cover *dns.NSEC
	for _, n := range p.nsec {
		if p.covers(n, name) {
			cover = n
			break
		}
	}
	if cover == nil {
		return denial{}, "no NSEC matches or covers the name"
	}
	owner, next := canon(cover.Hdr.Name), canon(cover.NextDomain)
	if isSub(owner, name) && ((hasBit(cover.TypeBitMap, dns.TypeNS) && !hasBit(cover.TypeBitMap, dns.TypeSOA)) || hasBit(cover.TypeBitMap, dns.TypeDNAME)) {
		return denial{}, fmt.Sprintf("the NSEC at %s is a delegation or DNAME and cannot deny names below it", show(owner))
	}
	if isSub(name, next) && next != name {
		return denial{}, "" // an empty non-terminal: the name exists, without data
	}
	ce := commonAncestor(name, owner)
	if c2 := commonAncestor(name, next); dns.CountLabel(c2) > dns.CountLabel(ce) {
		ce = c2
	}
	if !isSub(p.zone, ce) {
		ce = p.zone
	}
	wc := "*." + ce
	if ce == "." {
		wc = "*."
	}
	for _, n := range p.nsec {
		if canon(n.Hdr.Name) == wc {
			d, why := exactDeny(n.TypeBitMap, wc, name, t)
			if why != "" {
				return denial{}, why + " (the wildcard should have answered)"
			}
			d.wildcard = true
			return d, ""
		}
	}
	for _, n := range p.nsec {
		if p.covers(n, wc) {
			return denial{nxdomain: true}, ""
		}
	}
	return denial{}, fmt.Sprintf("no NSEC proves that the wildcard %s does not exist", show(wc))
}

// hash returns the NSEC3 hash of name under r's parameters, memoized per
// proof so that a hostile answer cannot make us hash the same name again
// for every record ("" if the parameters are unusable).
func (p *proof) hash(name string, r *dns.NSEC3) string {
	k := hashKey{name, r.Iterations, r.Salt}
	if h, ok := p.hashes[k]; ok {
		return h
	}
	if p.hashes == nil {
		p.hashes = map[hashKey]string{}
	}
	h := dns.HashName(name, r.Hash, r.Iterations, r.Salt)
	p.hashes[k] = h
	return h
}

type hashKey struct {
	name string
	iter uint16
	salt string
}

// ownerHash is the first label of an NSEC3 owner, upper case.
func ownerHash(r *dns.NSEC3) string {
	i, _ := dns.NextLabel(r.Hdr.Name, 0)
	if i == 0 {
		return ""
	}
	return strings.ToUpper(r.Hdr.Name[:i-1])
}

// match3 returns the NSEC3 whose owner is the hash of name (as
// NSEC3.Match, with the hash computed once).
func (p *proof) match3(name string) *dns.NSEC3 {
	for _, r := range p.nsec3 {
		if h := p.hash(name, r); h != "" && h == ownerHash(r) {
			return r
		}
	}
	return nil
}

// cover3 returns the NSEC3 whose interval holds the hash of name strictly
// (as NSEC3.Cover, the last record wrapping around).
func (p *proof) cover3(name string) *dns.NSEC3 {
	for _, r := range p.nsec3 {
		h := p.hash(name, r)
		owner, next := ownerHash(r), r.NextDomain
		if h == "" || owner == "" || h == owner {
			continue
		}
		switch {
		case owner < next && owner < h && h < next,
			owner >= next && (h > owner || h < next):
			return r
		}
	}
	return nil
}

// nsec3Params checks the NSEC3 parameters: unusable says why the records
// cannot be used at all (an unknown hash: insecure, RFC 5155 §8.1),
// tooMany why checking them would cost too much (bogus), costly why a
// proof that holds only makes the answer insecure (RFC 9276 §3.2: more
// iterations than the limit). The proof is still checked in the costly
// case, so a validly signed NSEC3 cannot be replayed to downgrade a name
// it does not deny.
func (p *proof) nsec3Params() (unusable, tooMany, costly string) {
	switch {
	case len(p.nsec3) == 0:
		return "the NSEC3 records of " + show(p.zone) + " use an unsupported hash algorithm or flags (RFC 5155 §8.1)", "", ""
	case p.iter > maxNSEC3IterationsChecked:
		return "", fmt.Sprintf("the NSEC3 records of %s use %d iterations, more than the %d this validator checks", show(p.zone), p.iter, maxNSEC3IterationsChecked), ""
	case p.iter > maxNSEC3Iterations:
		return "", "", fmt.Sprintf("the NSEC3 records of %s use %d iterations, above the limit of %d (RFC 9276 §3.2)", show(p.zone), p.iter, maxNSEC3Iterations)
	}
	return "", "", ""
}

// closest finds the closest encloser of name and the NSEC3 covering the
// next closer name (RFC 5155 §8.3).
func (p *proof) closest(name string) (ce string, nc *dns.NSEC3, why string) {
	for cand := parentOf(name); isSub(p.zone, cand); cand = parentOf(cand) {
		if m := p.match3(cand); m != nil {
			if (hasBit(m.TypeBitMap, dns.TypeNS) && !hasBit(m.TypeBitMap, dns.TypeSOA)) || hasBit(m.TypeBitMap, dns.TypeDNAME) {
				return "", nil, fmt.Sprintf("the closest encloser %s is a delegation or DNAME", show(cand))
			}
			nextCloser := lastLabels(name, dns.CountLabel(cand)+1)
			c := p.cover3(nextCloser)
			if c == nil {
				return "", nil, fmt.Sprintf("no NSEC3 covers the next closer name %s", show(nextCloser))
			}
			return cand, c, ""
		}
		if cand == p.zone || cand == "." {
			break
		}
	}
	return "", nil, "no NSEC3 proves a closest encloser"
}

func (p *proof) nsec3Deny(name string, t uint16) (denial, string) {
	unusable, tooMany, costly := p.nsec3Params()
	switch {
	case unusable != "":
		return denial{insecure: unusable}, ""
	case tooMany != "":
		return denial{}, tooMany
	}
	d, why := p.nsec3Check(name, t)
	if why == "" && costly != "" && d.insecure == "" {
		d.insecure = costly
	}
	return d, why
}

func (p *proof) nsec3Check(name string, t uint16) (denial, string) {
	if m := p.match3(name); m != nil {
		return exactDeny(m.TypeBitMap, name, name, t)
	}
	ce, nc, why := p.closest(name)
	if why != "" {
		return denial{}, why
	}
	if nc.Flags&1 != 0 {
		return denial{insecure: fmt.Sprintf("an opt-out NSEC3 of %s covers %s, which may be an unsigned delegation", show(p.zone), show(lastLabels(name, dns.CountLabel(ce)+1)))}, ""
	}
	wc := "*." + ce
	if ce == "." {
		wc = "*."
	}
	if m := p.match3(wc); m != nil {
		d, why := exactDeny(m.TypeBitMap, wc, name, t)
		if why != "" {
			return denial{}, why + " (the wildcard should have answered)"
		}
		d.wildcard = true
		return d, ""
	}
	if p.cover3(wc) != nil {
		return denial{nxdomain: true}, ""
	}
	return denial{}, fmt.Sprintf("no NSEC3 proves that the wildcard %s does not exist", show(wc))
}

// expansion checks the proof that a wildcard expansion was legitimate: no
// name closer to owner than the wildcard's parent (labels long) exists
// (RFC 4035 §5.3.4, RFC 5155 §8.8).
func (s *session) expansion(auth []dns.RR, z *zoneKeys, owner string, t uint16, labels int) (string, *Result) {
	p, res := s.collectProof(auth, z)
	if res != nil {
		return "", res
	}
	bogus := func(why string) (string, *Result) {
		return "", &Result{Verdict: Bogus, Zone: z.name, Reason: fmt.Sprintf("%s %s was synthesized from the wildcard *.%s without proof that %s does not exist%s", show(owner), typeName(t), show(lastLabels(owner, labels)), show(owner), why)}
	}
	if len(p.nsec) > 0 {
		for _, n := range p.nsec {
			if p.covers(n, owner) {
				p.capTTLs(auth, s.now)
				return "", nil
			}
		}
		return bogus("")
	}
	if p.empty() {
		return bogus(": no NSEC or NSEC3 record in the answer")
	}
	unusable, tooMany, costly := p.nsec3Params()
	switch {
	case unusable != "":
		return unusable, nil
	case tooMany != "":
		return bogus(": " + tooMany)
	}
	nc := lastLabels(owner, labels+1)
	c := p.cover3(nc)
	if c == nil {
		return bogus("")
	}
	if c.Flags&1 != 0 {
		return fmt.Sprintf("an opt-out NSEC3 of %s covers %s", show(z.name), show(nc)), nil
	}
	if costly != "" {
		return costly, nil
	}
	p.capTTLs(auth, s.now)
	return "", nil
}
