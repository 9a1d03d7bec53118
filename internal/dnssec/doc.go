// Package dnssec validates DNS answers back to a trust anchor (RFC 4033,
// RFC 4034, RFC 4035 §5, NSEC3 per RFC 5155, SHA-2 per RFC 4509 and RFC
// 5702, the clarifications of RFC 6840), as the Baseline Requirements
// (ballot SC-085v2) oblige a CA for every DNS query of a domain validation
// and of a CAA lookup.
//
// A Validator takes a response obtained with DO=1 and returns a Result:
// Secure (authenticated back to an anchor), Insecure (proven unsigned),
// Bogus (should be signed and is not valid) or Indeterminate (the chain
// could not be fetched). Only Secure and Insecure answers may be used.
//
// The validator fetches the chain itself (DS and DNSKEY sets, denial
// proofs) through a Querier, which must set DO=1 and CD=1 so that the
// validator sees bogus data itself rather than a validating resolver's
// SERVFAIL.
package dnssec
