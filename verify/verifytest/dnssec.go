package verifytest

import (
	"fmt"
	"time"

	"github.com/dcvkit/dcv/internal/dnssec/dnssectest"
	"github.com/miekg/dns"
)

// ZoneSigning says how Sign signs one zone of a Zone's records. The zero
// value signs with ECDSAP256SHA256 (a KSK and a ZSK), publishes a SHA-256
// DS in the parent zone and denies with NSEC.
type ZoneSigning struct {
	// Algorithm of the zone's keys; 0 means dns.ECDSAP256SHA256. An
	// algorithm a validator does not support (dns.RSASHA1) makes the zone
	// insecure.
	Algorithm uint8
	// SecondAlgorithm, if set, signs every RRset with keys of a second
	// algorithm too (with a DS for its KSK).
	SecondAlgorithm uint8
	// Digest is the DS digest type in the parent; 0 means dns.SHA256.
	// dns.SHA1 makes the zone insecure to a validator.
	Digest uint8
	// NSEC3 denies with NSEC3 records (Iterations, hex Salt) instead of
	// NSEC; OptOut leaves unsigned delegations out of the NSEC3 chain.
	NSEC3      bool
	OptOut     bool   // NSEC3 opt-out
	Iterations uint16 // NSEC3 extra hash iterations
	Salt       string // NSEC3 salt, hex; "" means none
	// Unsigned serves the zone without keys and its parent without a DS,
	// proven absent: an insecure delegation.
	Unsigned bool
	// Rollover publishes a second DS in the parent for a key the zone does
	// not have, as during a double-DS key rollover (still secure).
	Rollover bool
	// BadDS makes the parent's DS match no key of the zone (bogus).
	BadDS bool
	// StripSignatures makes the zone's answers carry no RRSIG and no
	// NSEC, though the parent has a DS (bogus).
	StripSignatures bool
	// OmitDenial makes NXDOMAIN and NODATA answers carry the signed SOA
	// but no NSEC/NSEC3 proof (bogus: an unproven denial).
	OmitDenial bool
}

// Signing lists the zones Sign makes out of a Zone's records.
type Signing struct {
	// Zones maps each zone apex (".", "com.", "example.com.") to how it is
	// signed. Records belong to the deepest zone above them; an NS record
	// at a name that is not listed makes an unsigned delegation there.
	Zones map[string]ZoneSigning
	// Now sets the signatures' validity: from an hour before Now to 30
	// days after. Zero means time.Now().
	Now time.Time
}

// SignatureFault is breakage BreakSignature injects into one RRset.
type SignatureFault int

// The faults BreakSignature injects.
const (
	// ExpiredSignature: the RRSIGs over the RRset expired a day before Now.
	ExpiredSignature SignatureFault = iota + 1
	// NotYetValidSignature: the RRSIGs become valid only after Now.
	NotYetValidSignature
	// MissingSignature: the RRset is served without RRSIG.
	MissingSignature
	// TamperedRecord: the record data is altered after signing.
	TamperedRecord
)

// signing is the signed view of a Zone.
type signing struct {
	h   *dnssectest.Hierarchy
	gen int // the zone generation h was last given
}

// Sign turns the zone into a signed hierarchy for queries that set the
// DNSSEC OK bit (DO=1): the zones listed get fresh keys, their answers
// carry RRSIGs, DNSKEY and DS queries are answered, and negative answers
// carry NSEC or NSEC3 proofs. Queries without DO, and names no listed zone
// holds, are answered as before. It returns the trust anchors (the DS of
// each top zone's key) to give a validator instead of the IANA root's.
// Records added or removed later are signed on the next query. Injected
// rcodes, drops, truncation and delays still apply to the name asked.
func (z *Zone) Sign(s Signing) ([]dns.RR, error) {
	if len(s.Zones) == 0 {
		return nil, fmt.Errorf("verifytest: Sign needs at least one zone")
	}
	now := s.Now
	if now.IsZero() {
		now = time.Now()
	}
	h := dnssectest.New(now)
	for name, c := range s.Zones {
		err := h.AddZone(name, dnssectest.Config{
			Algorithm: c.Algorithm, SecondAlgorithm: c.SecondAlgorithm, Digest: c.Digest,
			NSEC3: c.NSEC3, OptOut: c.OptOut, Iterations: c.Iterations, Salt: c.Salt,
			Unsigned: c.Unsigned, Rollover: c.Rollover, BadDS: c.BadDS, StripSignatures: c.StripSignatures,
			OmitDenial: c.OmitDenial,
		})
		if err != nil {
			return nil, fmt.Errorf("verifytest: %w", err)
		}
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	z.signed = &signing{h: h, gen: -1}
	return h.Anchors(), nil
}

// SignAs signs z like other, which Sign was called on: the same zones,
// keys, trust anchors and faults, over z's own records. Use it for the
// several authoritative servers of one zone (NewDNSServers), e.g. to test
// servers that disagree while every one of them is validly signed.
func (z *Zone) SignAs(other *Zone) error {
	other.mu.Lock()
	src := other.signed
	other.mu.Unlock()
	if src == nil {
		return fmt.Errorf("verifytest: SignAs: the other zone is not signed")
	}
	h := src.h.Clone()
	z.mu.Lock()
	defer z.mu.Unlock()
	z.signed = &signing{h: h, gen: -1}
	return nil
}

// BreakSignature injects f into the signed RRset name/qtype (the DS of a
// zone is the parent's RRset). Sign must have been called.
func (z *Zone) BreakSignature(name string, qtype uint16, f SignatureFault) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.signed == nil {
		return
	}
	var fault dnssectest.Fault
	switch f {
	case ExpiredSignature:
		fault = dnssectest.Expired
	case NotYetValidSignature:
		fault = dnssectest.NotYetValid
	case MissingSignature:
		fault = dnssectest.MissingSig
	case TamperedRecord:
		fault = dnssectest.Tampered
	default:
		return
	}
	z.signed.h.Break(name, qtype, fault)
}

// signedReply answers m from the signed view when m sets DO and a signed
// zone holds the name; the caller holds z.mu and has applied the faults.
func (z *Zone) signedReply(m, r *dns.Msg) (*dns.Msg, bool) {
	opt := m.IsEdns0()
	if z.signed == nil || opt == nil || !opt.Do() || !z.signed.h.Covers(m.Question[0].Name) {
		return nil, false
	}
	if z.signed.gen != z.gen {
		var all []dns.RR
		for _, rrs := range z.names {
			all = append(all, rrs...)
		}
		z.signed.h.SetRecords(all)
		z.signed.gen = z.gen
	}
	q := m.Question[0]
	a, err := z.signed.h.Resolve(q.Name, q.Qtype, true)
	if err != nil {
		r.Rcode = dns.RcodeServerFailure
		return r, true
	}
	r.Rcode = a.Rcode
	r.Answer, r.Ns = a.Answer, a.Ns
	r.AuthenticatedData = z.ad
	return r, true
}
