// Package dnssec validates DNS answers back to a trust anchor (RFC 4033,
// RFC 4034, RFC 4035 §5, NSEC3 per RFC 5155, SHA-2 per RFC 4509 and RFC
// 5702, the clarifications of RFC 6840), as the Baseline Requirements
// (ballot SC-085v2) oblige a CA for every DNS query of a domain validation
// and of a CAA lookup.
//
// # Verdicts
//
// A Validator takes a response obtained with DO=1 and returns a Result
// whose Verdict is one of (RFC 4033 §5):
//
//   - Secure: every RRset that decided was authenticated back to an anchor,
//     and a negative answer (NXDOMAIN, NODATA) by an NSEC or NSEC3 proof.
//   - Insecure: the answer lies below a delegation proven to have no DS
//     (a signed NSEC/NSEC3 NODATA for DS, or an opt-out NSEC3), or whose
//     DS set uses only unsupported algorithms or digests (RFC 6840 §5.2).
//   - Bogus: the chain says the data must be signed and it does not
//     validate: an expired signature, a DS that matches no key, tampered
//     data, a missing RRSIG or proof.
//   - Indeterminate: the chain could not be fetched (timeout, SERVFAIL)
//     or no anchor covers the name.
//
// Only Secure and Insecure answers may be used (Verdict.OK); the others
// fail closed. Result.Reason names the broken link in the user's terms,
// e.g. "the DS for example.com at com matches no DNSKEY of example.com (DS
// key tag 12345; DNSKEY tags 23456, 34567)".
//
// # How the chain is fetched
//
// Validate walks from the closest trust anchor down to the answer's
// signer one label at a time, asking a Querier for the DNSKEY set of the
// anchor and the DS of every name below it (answered by the parent zone,
// or denied with a proof that says whether the name is a delegation).
// The Querier must set DO=1 and CD=1 so that the validator sees bogus
// data itself rather than a validating resolver's SERVFAIL. All the
// queries of a cold chain are sent at once; validated links are cached
// per Validator (bounded, for their TTL, never a failure).
//
// # Limits
//
// Hostile input stays cheap: at most 48 chain queries and 48 signature
// checks per answer, 8 RRSIGs per RRset, 4 keys per key tag, 32 DNSKEYs,
// 16 NSEC/NSEC3 records, 16 labels below the anchor. A denial by NSEC3
// records with more than 100 iterations makes the answer insecure (RFC
// 9276 §3.2 allows this; 100 is close to what deployed validators settled
// on, and zones should use 0), but only once the proof has been checked,
// so that a signed NSEC3 cannot be replayed to downgrade a name it does
// not deny; beyond 500 iterations the proof is not checked and the answer
// is bogus.
//
// # Algorithms
//
// Supported signing algorithms: RSASHA256 (8) and RSASHA512 (10), RFC
// 5702; ECDSAP256SHA256 (13) and ECDSAP384SHA384 (14), RFC 6605; ED25519
// (15), RFC 8080. Supported DS digest types: SHA-256 (2), RFC 4509, and
// SHA-384 (4), RFC 6605. An RRset is secure if any one signature from an
// authenticated key of its zone validates; not every algorithm of the
// zone has to (RFC 6840 §5.11).
//
// SHA-1 is not supported, neither in signatures (RSASHA1, 5;
// RSASHA1-NSEC3-SHA1, 7) nor in DS digests (type 1). RFC 9905 (2025,
// updating RFC 4034 and RFC 5155, and overriding RFC 8624's "MUST
// validate" for these algorithms) says operators of validating resolvers
// MUST treat RSASHA1 and RSASHA1-NSEC3-SHA1 as unsupported, rendering
// answers insecure unless another algorithm validates them, and MUST treat
// such DS records as insecure. SHA-1 DS digests are treated the same way:
// chosen-prefix collisions on SHA-1 are practical, so a CA's "secure" must
// not rest on one. Following RFC 6840 §5.2, a zone whose DS set uses only
// unsupported algorithms or digest types is Insecure: never Secure, never
// Bogus. Everything else (RSAMD5, DSA, ECC-GOST, GOST digests, private and
// unknown algorithms) is unsupported in the same way. A zone with a
// supported key must sign every RRset with it (RFC 4035 §2.2): an RRset
// signed only with unsupported algorithms there is Bogus.
package dnssec
