package dnssec

import "github.com/miekg/dns"

// supportedAlg and supportedDigest say which algorithms and DS digests
// can make an answer secure; see the package documentation for the
// choice (no SHA-1, RFC 9905).
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
	// maxNSEC3IterationsChecked: beyond it a proof is not even checked
	// (bogus); between the two limits it is checked and then insecure.
	maxNSEC3IterationsChecked = 500
	maxWalkLabels             = 16   // names walked below a trust anchor
	maxQueries                = 48   // chain queries per Validate
	maxVerifies               = 48   // signature verifications per Validate
	maxSigsPerRRset           = 8    // RRSIGs looked at per RRset
	maxKeysPerSig             = 4    // keys tried per RRSIG (key tag collisions)
	maxDNSKEYs                = 32   // DNSKEY records in a set
	maxDS                     = 16   // DS records in a set
	maxRRsets                 = 32   // RRsets in an answer section
	maxProofRecords           = 16   // NSEC/NSEC3 records looked at per proof
	maxCacheTTL               = 3600 // seconds a validated link is cached at most
	defaultCacheSize          = 1024
)
