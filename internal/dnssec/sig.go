package dnssec

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// rrsetOf returns the records of type t owned by name (canonical) in rrs,
// and the RRSIGs covering them.
func rrsetOf(rrs []dns.RR, name string, t uint16) (set []dns.RR, sigs []*dns.RRSIG) {
	for _, rr := range rrs {
		h := rr.Header()
		if canon(h.Name) != name {
			continue
		}
		if sig, ok := rr.(*dns.RRSIG); ok {
			if sig.TypeCovered == t {
				sigs = append(sigs, sig)
			}
			continue
		}
		if h.Rrtype == t {
			set = append(set, rr)
		}
	}
	return set, sigs
}

// sigTime maps an RRSIG timestamp to the time nearest now (RFC 4034 §3.1.5
// serial arithmetic, as RRSIG.ValidityPeriod does).
func sigTime(ts uint32, now time.Time) time.Time {
	const year68 = 1 << 31
	utc := now.Unix()
	mod := (int64(ts) - utc) / year68
	return time.Unix(int64(ts)+mod*year68, 0).UTC()
}

func tagList(tags []uint16) string {
	if len(tags) == 0 {
		return "none"
	}
	s := make([]string, len(tags))
	for i, t := range tags {
		s[i] = itoa(int(t))
	}
	return strings.Join(s, ", ")
}

func keyTags(keys []*dns.DNSKEY) []uint16 {
	var out []uint16
	for _, k := range keys {
		t := k.KeyTag()
		if i := sort.Search(len(out), func(i int) bool { return out[i] >= t }); i == len(out) || out[i] != t {
			out = append(out, 0)
			copy(out[i+1:], out[i:])
			out[i] = t
		}
	}
	return out
}

// verify authenticates rrset (owner name, type t) with one of sigs made by
// zone with one of keys (RFC 4035 §5.3, RFC 6840 §5.11: any one valid
// signature from an authenticated key suffices). allKeys names the zone's
// keys in messages.
func (s *session) verify(rrset []dns.RR, sigs []*dns.RRSIG, name string, t uint16, zone string, keys, allKeys []*dns.DNSKEY) (*dns.RRSIG, *Result) {
	what := show(name) + " " + typeName(t)
	if len(sigs) == 0 {
		return nil, s.noSigs(name, t, zone)
	}
	var expired, future, tampered, noKey *dns.RRSIG
	var otherAlg, otherSigner int
	looked := 0
	for _, sig := range sigs {
		if looked >= maxSigsPerRRset {
			break
		}
		if canon(sig.SignerName) != zone {
			otherSigner++
			continue
		}
		if !supportedAlg(sig.Algorithm) {
			otherAlg++
			continue
		}
		looked++
		if int(sig.Labels) > ownerLabels(name) {
			tampered = sig
			continue
		}
		if !sig.ValidityPeriod(s.now) {
			if sigTime(sig.Inception, s.now).After(s.now) {
				future = sig
			} else {
				expired = sig
			}
			continue
		}
		tried := 0
		for _, k := range keys {
			if k.Algorithm != sig.Algorithm || k.KeyTag() != sig.KeyTag {
				continue
			}
			if tried >= maxKeysPerSig {
				break
			}
			tried++
			s.mu.Lock()
			s.verifies++
			over := s.verifies > maxVerifies
			s.mu.Unlock()
			if over {
				return nil, &Result{Verdict: Bogus, Zone: zone,
					Reason: fmt.Sprintf("more than %d signatures to check for one answer (at %s): refusing the work", maxVerifies, what)}
			}
			if err := sig.Verify(k, rrset); err == nil {
				return sig, nil
			}
			tampered = sig
		}
		if tried == 0 && noKey == nil {
			noKey = sig
		}
	}
	r := &Result{Verdict: Bogus, Zone: zone}
	switch {
	case tampered != nil:
		r.Reason = fmt.Sprintf("the RRSIG over %s (key tag %d) does not verify with the DNSKEY of %s: the data or the signature was altered", what, tampered.KeyTag, show(zone))
	case expired != nil:
		r.Reason = fmt.Sprintf("the RRSIG over %s expired at %s", what, sigTime(expired.Expiration, s.now).Format(time.RFC3339))
	case future != nil:
		r.Reason = fmt.Sprintf("the RRSIG over %s is not valid before %s", what, sigTime(future.Inception, s.now).Format(time.RFC3339))
	case noKey != nil:
		r.Reason = fmt.Sprintf("the RRSIG over %s was made with key tag %d, which is not an authenticated DNSKEY of %s (DNSKEY tags %s)", what, noKey.KeyTag, show(zone), tagList(keyTags(allKeys)))
	case otherAlg > 0:
		r.Reason = fmt.Sprintf("the RRSIGs over %s use only unsupported algorithms though %s has a supported key", what, show(zone))
	default:
		r.Reason = fmt.Sprintf("no RRSIG over %s is made by its zone %s", what, show(zone))
	}
	return nil, r
}

// noSigs is the verdict on unsigned data where the chain says it must be signed.
func (s *session) noSigs(name string, t uint16, zone string) *Result {
	return &Result{Verdict: Bogus, Zone: zone,
		Reason: fmt.Sprintf("%s returned no DNSSEC signatures for %s %s though %s is signed: use a DNSSEC-aware resolver (or fix the zone's signing)", s.source(), show(name), typeName(t), show(zone))}
}

// capTTL lowers the TTLs of rrset and its signatures to the RRSIG original
// TTL and the seconds left before the signature expires.
func capTTL(rrset []dns.RR, sigs []*dns.RRSIG, used *dns.RRSIG, now time.Time) {
	limit := used.OrigTtl
	left := sigTime(used.Expiration, now).Sub(now) / time.Second
	if left < 0 {
		left = 0
	}
	if int64(left) < int64(limit) {
		limit = uint32(left)
	}
	for _, rr := range rrset {
		if h := rr.Header(); h.Ttl > limit {
			h.Ttl = limit
		}
	}
	for _, sig := range sigs {
		if sig.Hdr.Ttl > limit {
			sig.Hdr.Ttl = limit
		}
	}
}

// expiry is when a validated link stops being cached: the smallest TTL of
// rrs (capped at maxCacheTTL) and the expiry of the signatures used.
func expiry(now time.Time, rrs []dns.RR, used []*dns.RRSIG) time.Time {
	ttl := uint32(maxCacheTTL)
	for _, rr := range rrs {
		if h := rr.Header(); h.Ttl < ttl {
			ttl = h.Ttl
		}
	}
	e := now.Add(time.Duration(ttl) * time.Second)
	for _, sig := range used {
		if sig == nil {
			continue
		}
		if x := sigTime(sig.Expiration, now); x.Before(e) {
			e = x
		}
		if sig.OrigTtl < ttl {
			if x := now.Add(time.Duration(sig.OrigTtl) * time.Second); x.Before(e) {
				e = x
			}
		}
	}
	return e
}
