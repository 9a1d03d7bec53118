package dnssec

import "github.com/miekg/dns"

// Algorithm support.
//
// Supported signing algorithms: RSASHA256 (8) and RSASHA512 (10) per RFC
// 5702, ECDSAP256SHA256 (13) and ECDSAP384SHA384 (14) per RFC 6605, and
// ED25519 (15) per RFC 8080. Supported DS digest types: SHA-256 (2, RFC
// 4509) and SHA-384 (4, RFC 6605).
//
// SHA-1 is not supported, neither as a signing algorithm (RSASHA1 = 5,
// RSASHA1-NSEC3-SHA1 = 7) nor as a DS digest type (1). RFC 9905 (2025,
// updating RFC 4034 and RFC 5155, and superseding the "MUST validate" of
// RFC 8624 §3.1 for these algorithms) says operators of validating
// resolvers MUST treat RSASHA1 and RSASHA1-NSEC3-SHA1 as unsupported,
// rendering answers insecure unless another algorithm validates them, and
// MUST treat such DS records as insecure. A SHA-1 DS digest is treated the
// same way: chosen-prefix collisions on SHA-1 are practical, so a SHA-1
// digest cannot be the only thing a CA's "secure" rests on. Following RFC
// 6840 §5.2, a zone whose DS set holds only unsupported algorithms or
// digest types is insecure (never secure, never bogus); an RRset signed
// only with unsupported algorithms in a zone that also has a supported
// key is bogus, since the zone's supported key must sign every RRset
// (RFC 4035 §2.2).
//
// Everything else (RSAMD5, DSA, ECC-GOST, private algorithms, GOST and
// unknown digests) is unsupported in the same way.

func supportedAlg(a uint8) bool {
	switch a {
	case dns.RSASHA256, dns.RSASHA512, dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519:
		return true
	}
	return false
}

func supportedDigest(d uint8) bool { return d == dns.SHA256 || d == dns.SHA384 }

// usableKey reports whether k can verify signatures: a zone key (RFC 4034
// §2.1.1), protocol 3, a supported algorithm, not revoked (RFC 5011 §2.1).
func usableKey(k *dns.DNSKEY) bool {
	return k.Flags&dns.ZONE != 0 && k.Flags&dns.REVOKE == 0 && k.Protocol == 3 && supportedAlg(k.Algorithm)
}

// Limits that keep hostile input cheap (compare the KeyTrap and NSEC3
// hash-exhaustion attacks, CVE-2023-50387 and CVE-2023-50868).
const (
	// maxNSEC3Iterations: NSEC3 records with more iterations make the
	// answer insecure, as RFC 9276 §3.2 allows; 100 matches what deployed
	// validators settled on (RFC 9276 Appendix A; zones should use 0).
	maxNSEC3Iterations = 100
	maxWalkLabels      = 16   // names walked below a trust anchor
	maxQueries         = 48   // chain queries per Validate
	maxVerifies        = 48   // signature verifications per Validate
	maxSigsPerRRset    = 8    // RRSIGs looked at per RRset
	maxKeysPerSig      = 4    // keys tried per RRSIG (key tag collisions)
	maxDNSKEYs         = 32   // DNSKEY records in a set
	maxDS              = 16   // DS records in a set
	maxRRsets          = 32   // RRsets in an answer section
	maxProofRecords    = 16   // NSEC/NSEC3 records looked at per proof
	maxCacheTTL        = 3600 // seconds a validated link is cached at most
	defaultCacheSize   = 1024
)
