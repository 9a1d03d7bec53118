package dnssectest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/miekg/dns"
)

// Fault is a breakage injected into the signed data of one RRset.
type Fault int

const (
	// Expired: the RRSIGs over the RRset expired a day before the signing time.
	Expired Fault = iota + 1
	// NotYetValid: the RRSIGs over the RRset become valid a day after the signing time.
	NotYetValid
	// MissingSig: the RRset is served without its RRSIGs.
	MissingSig
	// Tampered: the RRset's data is altered after it was signed.
	Tampered
)

// Config describes how one zone is signed. The zero value signs with
// ECDSAP256SHA256 (a KSK and a ZSK), publishes a SHA-256 DS in the parent
// and denies with NSEC.
type Config struct {
	// Algorithm of both keys; 0 means ECDSAP256SHA256. Unsupported ones
	// (e.g. dns.RSASHA1) make a zone a validator must call insecure.
	Algorithm uint8
	// SecondAlgorithm, if set, adds a KSK and a ZSK of that algorithm (and
	// their DS in the parent): every RRset is signed with both algorithms.
	SecondAlgorithm uint8
	// RSABits is the RSA key size; 0 means 1024.
	RSABits int
	// Digest is the DS digest type in the parent; 0 means SHA-256.
	Digest uint8
	// NSEC3 denies with NSEC3 (hash SHA-1, Iterations, Salt) instead of NSEC.
	NSEC3      bool
	OptOut     bool   // NSEC3 opt-out: unsigned delegations are left out of the chain
	Iterations uint16 // NSEC3 extra hash iterations
	Salt       string // hex; "" means none
	// Unsigned serves the zone without keys and the parent without a DS:
	// an insecure delegation, proven by the parent's NSEC/NSEC3.
	Unsigned bool
	// Rollover publishes in the parent a second DS for a KSK the zone no
	// longer (or not yet) has, as during a double-DS key rollover.
	Rollover bool
	// BadDS makes the parent's DS match no key of the zone.
	BadDS bool
	// StripSignatures makes the zone's servers send no RRSIGs and no NSEC
	// records, though the parent has a DS.
	StripSignatures bool
	// OmitDenial makes the zone's negative answers carry the signed SOA
	// but no NSEC/NSEC3 proof (answers a validator must call bogus).
	OmitDenial bool
}

type zone struct {
	name string
	cfg  Config
	ksk  *Key
	zsk  *Key
	ksk2 *Key // SecondAlgorithm
	zsk2 *Key
	old  *Key // Rollover: the KSK only the parent's DS still names
}

type fkey struct {
	name  string
	qtype uint16
}

// Hierarchy is a set of signed zones (a root of its own, TLDs, children)
// and their records, answering like a recursive resolver that was asked
// with DO=1 and CD=1. Create it with New; safe for concurrent use.
type Hierarchy struct {
	inception, expiration uint32

	mu     sync.Mutex
	zones  map[string]*zone
	data   []dns.RR
	faults map[fkey]Fault
	built  *built
	count  atomic.Int64
}

// New returns an empty hierarchy whose signatures are valid from an hour
// before now to 30 days after.
func New(now time.Time) *Hierarchy {
	return &Hierarchy{
		inception:  uint32(now.Add(-time.Hour).Unix()),
		expiration: uint32(now.Add(30 * 24 * time.Hour).Unix()),
		zones:      make(map[string]*zone),
		faults:     make(map[fkey]Fault),
	}
}

// AddZone makes name a zone (a cut below its parent zone) configured by
// c, with fresh keys. Add the root (".") or another top zone first; the
// top zone is the one Anchors returns the DS of.
func (h *Hierarchy) AddZone(name string, c Config) error {
	name = dns.CanonicalName(name)
	if _, ok := dns.IsDomainName(name); !ok {
		return fmt.Errorf("dnssectest: bad zone name %q", name)
	}
	if c.Algorithm == 0 {
		c.Algorithm = dns.ECDSAP256SHA256
	}
	if c.Digest == 0 {
		c.Digest = dns.SHA256
	}
	z := &zone{name: name, cfg: c}
	if !c.Unsigned {
		var err error
		if z.ksk, err = NewKey(name, c.Algorithm, true, c.RSABits); err != nil {
			return err
		}
		if z.zsk, err = NewKey(name, c.Algorithm, false, c.RSABits); err != nil {
			return err
		}
		if c.SecondAlgorithm != 0 {
			if z.ksk2, err = NewKey(name, c.SecondAlgorithm, true, c.RSABits); err != nil {
				return err
			}
			if z.zsk2, err = NewKey(name, c.SecondAlgorithm, false, c.RSABits); err != nil {
				return err
			}
		}
		if c.Rollover || c.BadDS {
			if z.old, err = NewKey(name, c.Algorithm, true, c.RSABits); err != nil {
				return err
			}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.zones[name] = z
	h.built = nil
	return nil
}

// Rekey gives zone name fresh keys (and the parent a matching DS), as at
// the end of a key rollover.
func (h *Hierarchy) Rekey(name string) error {
	name = dns.CanonicalName(name)
	h.mu.Lock()
	z := h.zones[name]
	h.mu.Unlock()
	if z == nil {
		return fmt.Errorf("dnssectest: no zone %s", name)
	}
	return h.AddZone(name, z.cfg)
}

// Add parses zone-file lines and adds them to whichever zone holds them.
func (h *Hierarchy) Add(rrs ...string) error {
	var parsed []dns.RR
	for _, s := range rrs {
		rr, err := dns.NewRR(s)
		if err != nil {
			return fmt.Errorf("dnssectest: bad record %q: %w", s, err)
		}
		if rr == nil {
			return fmt.Errorf("dnssectest: no record in %q", s)
		}
		parsed = append(parsed, rr)
	}
	h.AddRR(parsed...)
	return nil
}

// AddRR adds copies of rrs.
func (h *Hierarchy) AddRR(rrs ...dns.RR) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, rr := range rrs {
		rr = dns.Copy(rr)
		rr.Header().Name = dns.CanonicalName(rr.Header().Name)
		h.data = append(h.data, rr)
	}
	h.built = nil
}

// Clone returns a hierarchy with the same zones, keys, signature window
// and faults, and no records: several servers of one zone can then serve
// different data under the same keys.
func (h *Hierarchy) Clone() *Hierarchy {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := &Hierarchy{inception: h.inception, expiration: h.expiration, zones: make(map[string]*zone), faults: make(map[fkey]Fault)}
	for n, z := range h.zones {
		c.zones[n] = z
	}
	for k, f := range h.faults {
		c.faults[k] = f
	}
	return c
}

// SetRecords replaces every record added so far by copies of rrs (the
// zones' own SOA, NS, DNSKEY and DS records are kept). The hierarchy is
// signed again on the next query.
func (h *Hierarchy) SetRecords(rrs []dns.RR) {
	h.mu.Lock()
	h.data = nil
	h.mu.Unlock()
	h.AddRR(rrs...)
}

// Break injects fault f into the RRset name/qtype (as served by the zone
// holding it; the DS of a zone is held by its parent).
func (h *Hierarchy) Break(name string, qtype uint16, f Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults[fkey{dns.CanonicalName(name), qtype}] = f
	h.built = nil
}

// Anchors returns the trust anchors of the hierarchy: the DS records
// (SHA-256) of the KSK of every top zone (a zone with no declared zone
// above it: the root of its own, or each island). Validate with these
// instead of the IANA root's.
func (h *Hierarchy) Anchors() []dns.RR {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []dns.RR
	for _, z := range h.zones {
		if z.ksk == nil || h.above(z.name) != nil {
			continue
		}
		out = append(out, z.ksk.DNSKEY.ToDS(dns.SHA256))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Header().Name < out[j].Header().Name })
	return out
}

// above returns the closest declared zone strictly above name. The caller holds h.mu.
func (h *Hierarchy) above(name string) *zone {
	var best *zone
	for _, z := range h.zones {
		if z.name != name && dns.IsSubDomain(z.name, name) && (best == nil || dns.CountLabel(z.name) > dns.CountLabel(best.name)) {
			best = z
		}
	}
	return best
}

// Covers reports whether a declared zone holds name.
func (h *Hierarchy) Covers(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	name = dns.CanonicalName(name)
	return h.zones[name] != nil || h.above(name) != nil
}

// Keys returns the DNSKEYs of zone name (KSK first), nil for an unsigned
// or unknown zone.
func (h *Hierarchy) Keys(name string) []*dns.DNSKEY {
	h.mu.Lock()
	defer h.mu.Unlock()
	z := h.zones[dns.CanonicalName(name)]
	if z == nil || z.ksk == nil {
		return nil
	}
	return []*dns.DNSKEY{z.ksk.DNSKEY, z.zsk.DNSKEY}
}

// Queries reports how many queries the hierarchy has answered.
func (h *Hierarchy) Queries() int { return int(h.count.Load()) }

// Query answers name/qtype as a recursive resolver asked with DO=1 and
// CD=1 would: it implements dnssec.Querier. It never fails.
func (h *Hierarchy) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return h.Resolve(name, qtype, true)
}

// Resolve answers name/qtype, with RRSIGs and NSEC/NSEC3 proofs when do
// is set.
func (h *Hierarchy) Resolve(name string, qtype uint16, do bool) (*dns.Msg, error) {
	h.count.Add(1)
	b, err := h.build()
	if err != nil {
		return nil, err
	}
	return b.resolve(dns.CanonicalName(name), qtype, do), nil
}

// ---- building: sign every zone once per change ----

type sset struct {
	rrs  []dns.RR
	sigs []dns.RR
}

type bzone struct {
	name   string
	cfg    Config
	signed bool
	sets   map[fkey]*sset
	exists map[string]bool // owners and empty non-terminals
	cuts   map[string]bool // delegation points
	soa    *sset
	// NSEC: chain in canonical order; NSEC3: records sorted by hash.
	nsec   []*sset
	nsec3  []*sset
	hashes []string
}

type built struct {
	zones map[string]*bzone
}

func (h *Hierarchy) build() (*built, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.built != nil {
		return h.built, nil
	}
	b := &built{zones: make(map[string]*bzone)}
	// A delegation (NS) to a name that is not a declared zone makes an
	// unsigned zone there, so that the data below it stays reachable.
	zones := make(map[string]*zone, len(h.zones))
	for n, z := range h.zones {
		zones[n] = z
	}
	for _, rr := range h.data {
		if n := dns.CanonicalName(rr.Header().Name); rr.Header().Rrtype == dns.TypeNS && zones[n] == nil && len(h.zones) > 0 {
			zones[n] = &zone{name: n, cfg: Config{Unsigned: true, Algorithm: dns.ECDSAP256SHA256, Digest: dns.SHA256}}
		}
	}
	zoneOf := func(owner string) *zone {
		var best *zone
		for _, z := range zones {
			if dns.IsSubDomain(z.name, owner) && (best == nil || dns.CountLabel(z.name) > dns.CountLabel(best.name)) {
				best = z
			}
		}
		return best
	}
	raw := map[string]map[fkey][]dns.RR{}
	apex := map[fkey][]dns.RR{}
	add := func(z *zone, rr dns.RR) {
		if raw[z.name] == nil {
			raw[z.name] = map[fkey][]dns.RR{}
		}
		k := fkey{dns.CanonicalName(rr.Header().Name), rr.Header().Rrtype}
		raw[z.name][k] = append(raw[z.name][k], rr)
	}
	for _, rr := range h.data {
		owner := dns.CanonicalName(rr.Header().Name)
		z := zoneOf(owner)
		if z == nil {
			continue
		}
		switch rr.Header().Rrtype {
		case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3, dns.TypeDNSKEY, dns.TypeNSEC3PARAM:
			continue // the signer makes these
		case dns.TypeDS:
			if _, isZone := zones[owner]; isZone {
				continue
			}
		case dns.TypeSOA, dns.TypeNS:
			if owner == z.name {
				apex[fkey{owner, rr.Header().Rrtype}] = append(apex[fkey{owner, rr.Header().Rrtype}], rr)
				continue // the zone's own apex records are added below
			}
		}
		add(z, rr)
	}
	for _, z := range zones {
		host := strings.TrimPrefix(z.name, ".")
		soa := apex[fkey{z.name, dns.TypeSOA}]
		if len(soa) == 0 {
			soa = []dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: z.name, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 3600},
				Ns: "ns." + host, Mbox: "hostmaster." + host, Serial: 1, Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 300}}
		}
		ns := apex[fkey{z.name, dns.TypeNS}]
		if len(ns) == 0 {
			ns = []dns.RR{&dns.NS{Hdr: dns.RR_Header{Name: z.name, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: 3600}, Ns: "ns." + host}}
		}
		add(z, soa[0])
		for _, rr := range ns {
			add(z, rr)
		}
		for _, k := range []*Key{z.ksk, z.zsk, z.ksk2, z.zsk2} {
			if k != nil {
				add(z, dns.Copy(k.DNSKEY))
			}
		}
		if p := zoneOf(parentName(z.name)); p != nil && z.name != "." {
			for _, rr := range ns {
				add(p, dns.Copy(rr))
			}
			if z.ksk != nil {
				ds := z.ksk.DNSKEY.ToDS(z.cfg.Digest)
				if ds == nil {
					ds = z.ksk.DNSKEY.ToDS(dns.SHA256)
					ds.DigestType = z.cfg.Digest // a digest type the signer cannot compute
				}
				if z.cfg.BadDS {
					ds = z.old.DNSKEY.ToDS(z.cfg.Digest)
				}
				ds.Hdr.Ttl = 3600
				add(p, ds)
				if z.ksk2 != nil {
					ds2 := z.ksk2.DNSKEY.ToDS(dns.SHA256)
					ds2.Hdr.Ttl = 3600
					add(p, ds2)
				}
				if z.cfg.Rollover {
					old := z.old.DNSKEY.ToDS(z.cfg.Digest)
					old.Hdr.Ttl = 3600
					add(p, old)
				}
			}
		}
	}
	for _, z := range zones {
		bz, err := h.signZone(z, raw[z.name])
		if err != nil {
			return nil, err
		}
		b.zones[z.name] = bz
	}
	h.built = b
	return b, nil
}

func parentName(n string) string {
	i, end := dns.NextLabel(n, 0)
	if end || i >= len(n) {
		return "."
	}
	return n[i:]
}

func (h *Hierarchy) window(k fkey) (uint32, uint32) {
	const day = 24 * 3600
	switch h.faults[k] {
	case Expired:
		return h.inception - 30*day, h.inception - day
	case NotYetValid:
		return h.inception + 2*day, h.expiration + 30*day
	}
	return h.inception, h.expiration
}

func (h *Hierarchy) signZone(z *zone, raw map[fkey][]dns.RR) (*bzone, error) {
	bz := &bzone{name: z.name, cfg: z.cfg, signed: z.ksk != nil, sets: map[fkey]*sset{}, exists: map[string]bool{z.name: true}, cuts: map[string]bool{}}
	for k := range raw {
		if k.qtype == dns.TypeNS && k.name != z.name {
			bz.cuts[k.name] = true
		}
	}
	// Names below a cut (glue) are not authoritative: leave them out.
	below := func(n string) bool {
		for c := range bz.cuts {
			if n != c && dns.IsSubDomain(c, n) {
				return true
			}
		}
		return false
	}
	sign := func(k fkey, rrs []dns.RR, key *Key) (*sset, error) {
		s := &sset{rrs: rrs}
		if !bz.signed || key == nil {
			return s, nil
		}
		inc, exp := h.window(k)
		sig, err := key.Sign(rrs, z.name, inc, exp)
		if err != nil {
			return nil, err
		}
		s.sigs = []dns.RR{sig}
		if second := map[*Key]*Key{z.ksk: z.ksk2, z.zsk: z.zsk2}[key]; second != nil {
			sig2, err := second.Sign(rrs, z.name, inc, exp)
			if err != nil {
				return nil, err
			}
			s.sigs = append(s.sigs, sig2)
		}
		return s, nil
	}
	for k, rrs := range raw {
		if below(k.name) {
			continue
		}
		key := (*Key)(nil)
		if bz.signed {
			key = z.zsk
			if k.qtype == dns.TypeDNSKEY {
				key = z.ksk
			}
			if k.qtype == dns.TypeNS && bz.cuts[k.name] {
				key = nil // delegation NS sets are not signed
			}
		}
		s, err := sign(k, rrs, key)
		if err != nil {
			return nil, err
		}
		bz.sets[k] = s
		for n := k.name; ; n = parentName(n) {
			bz.exists[n] = true
			if n == z.name || n == "." {
				break
			}
		}
	}
	if s := bz.sets[fkey{z.name, dns.TypeSOA}]; s != nil {
		bz.soa = s
	}
	if bz.signed {
		if err := h.chain(z, bz, sign); err != nil {
			return nil, err
		}
	}
	// Faults that act after signing.
	for k, s := range bz.sets {
		switch h.faults[k] {
		case MissingSig:
			s.sigs = nil
		case Tampered:
			s.rrs = tamper(s.rrs)
		}
	}
	return bz, nil
}

// tamper returns a copy of rrs with the first record's data altered.
func tamper(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
	}
	switch r := out[0].(type) {
	case *dns.TXT:
		r.Txt = append(slices.Clone(r.Txt), "tampered")
	case *dns.A:
		r.A = slices.Clone(r.A)
		r.A[len(r.A)-1] ^= 1
	case *dns.AAAA:
		r.AAAA = slices.Clone(r.AAAA)
		r.AAAA[len(r.AAAA)-1] ^= 1
	case *dns.CNAME:
		r.Target = "tampered." + r.Target
	case *dns.CAA:
		r.Value += ".tampered"
	case *dns.DS:
		r.KeyTag++
	case *dns.NSEC:
		r.TypeBitMap = append(slices.Clone(r.TypeBitMap), dns.TypeSPF)
	case *dns.NSEC3:
		r.TypeBitMap = append(slices.Clone(r.TypeBitMap), dns.TypeSPF)
	default:
		r.Header().Class = dns.ClassCHAOS
	}
	return out
}

// chain builds the zone's NSEC or NSEC3 chain.
func (h *Hierarchy) chain(z *zone, bz *bzone, sign func(fkey, []dns.RR, *Key) (*sset, error)) error {
	types := map[string][]uint16{}
	for k := range bz.sets {
		types[k.name] = append(types[k.name], k.qtype)
	}
	const ttl = 300
	if !z.cfg.NSEC3 {
		var names []string
		for n := range types {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool { return dnsname.CanonicalCompare(names[i], names[j]) < 0 })
		for i, n := range names {
			bm := append(slices.Clone(types[n]), dns.TypeNSEC, dns.TypeRRSIG)
			slices.Sort(bm)
			rec := &dns.NSEC{Hdr: dns.RR_Header{Name: n, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: ttl},
				NextDomain: names[(i+1)%len(names)], TypeBitMap: bm}
			k := fkey{n, dns.TypeNSEC}
			s, err := sign(k, []dns.RR{rec}, z.zsk)
			if err != nil {
				return err
			}
			bz.nsec = append(bz.nsec, s)
			bz.applyFault(h.faults[k], s)
		}
		return nil
	}
	type entry struct {
		hash string
		bm   []uint16
	}
	var entries []entry
	for n := range bz.exists {
		t := types[n]
		insecureCut := bz.cuts[n] && !slices.Contains(t, dns.TypeDS)
		if insecureCut && z.cfg.OptOut {
			continue
		}
		// With opt-out, an empty non-terminal above only unsigned delegations is left out too.
		if len(t) == 0 && z.cfg.OptOut && !bz.coversSigned(n) {
			continue
		}
		bm := slices.Clone(t)
		if len(t) > 0 && !insecureCut {
			bm = append(bm, dns.TypeRRSIG)
		}
		slices.Sort(bm)
		entries = append(entries, entry{dns.HashName(n, dns.SHA1, z.cfg.Iterations, z.cfg.Salt), bm})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].hash < entries[j].hash })
	flags := uint8(0)
	if z.cfg.OptOut {
		flags = 1
	}
	for i, e := range entries {
		owner := strings.ToLower(e.hash) + "." + strings.TrimPrefix(z.name, ".")
		if z.name == "." {
			owner = strings.ToLower(e.hash) + "."
		}
		rec := &dns.NSEC3{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeNSEC3, Class: dns.ClassINET, Ttl: ttl},
			Hash: dns.SHA1, Flags: flags, Iterations: z.cfg.Iterations, SaltLength: uint8(len(z.cfg.Salt) / 2), Salt: z.cfg.Salt,
			HashLength: 20, NextDomain: entries[(i+1)%len(entries)].hash, TypeBitMap: e.bm}
		k := fkey{owner, dns.TypeNSEC3}
		s, err := sign(k, []dns.RR{rec}, z.zsk)
		if err != nil {
			return err
		}
		bz.nsec3 = append(bz.nsec3, s)
		bz.hashes = append(bz.hashes, e.hash)
		bz.applyFault(h.faults[k], s)
	}
	return nil
}

func (bz *bzone) applyFault(f Fault, s *sset) {
	switch f {
	case MissingSig:
		s.sigs = nil
	case Tampered:
		s.rrs = tamper(s.rrs)
	}
}

// coversSigned reports whether an authoritative name other than an
// unsigned delegation lies below n.
func (bz *bzone) coversSigned(n string) bool {
	for k := range bz.sets {
		if k.name != n && dns.IsSubDomain(n, k.name) && !(bz.cuts[k.name] && bz.sets[fkey{k.name, dns.TypeDS}] == nil) {
			return true
		}
	}
	return false
}
