// Package caa decides whether a certification authority may issue a
// certificate for a name, from the name's CAA records (RFC 8659), with the
// account and method bindings of RFC 8657 and the issuemail property of
// RFC 9495, as the Baseline Requirements (3.2.2.8) require of every CA.
// issuemail and issuevmc (mark certificates) are known tags that never
// restrict TLS issuance.
//
// Why it exists: the Alibaba Cloud FAQ lists "CAA records made validation
// fail" as a cause of refused certificates, most often through a CNAME —
// a name pointed at, say, a github.io site inherits that site's CAA policy,
// which names other CAs. Domain owners rarely see this coming, because the
// records that forbid issuance are not in their own zone. Check says which
// records decided, where they came from (including the CNAME), and the
// exact record to add, or that the CNAME must be paused.
//
// The relevant RRset is the CAA RRset of the name itself or, if that is
// empty, of the nearest ancestor with one, up to but excluding the root;
// a wildcard "*.a.b" starts at "a.b". CNAMEs are followed by the
// resolver, name by name (RFC 8659 replaced RFC 6844's climbing from the
// CNAME target). Check asks every level at once and reads the answers from
// the bottom, so a deep name costs one round trip, not one per label.
//
// Fail closed: a lookup that fails (SERVFAIL, REFUSED, timeout, a
// truncated or unusable answer) at a level that would be consulted before
// the relevant RRset is reached is a *LookupError, never a permission.
// Failures above the relevant RRset do not matter and are not waited for.
// A malformed issue value authorizes no one, and an unknown property with
// the critical flag forbids issuance outright.
//
// A Decision records when it was made and the TTL of the relevant RRset:
// the BR let a CA rely on it for max(TTL, 8 hours), given as ValidUntil,
// and the DNSSEC verdict of the answers that decided: each level the
// climb used, and each CNAME or DNAME link, is validated back to the IANA
// root trust anchors (Checker.TrustAnchors for a lab), and a bogus or
// indeterminate answer at such a level is a *LookupError wrapping
// ErrDNSSECBogus or ErrDNSSECIndeterminate that names the broken link;
// Checker.DNSSEC = DNSSECOff (not allowed for a CA) records only whether
// the resolver set the AD bit. A top-level domain that does not exist is
// a lookup error, never "no records". A TTL
// with the top bit set counts as 0 (RFC 2181 section 8) and no TTL counts
// for more than MaxTTL (one day).
//
// CheckAll checks many names with a bound (Checker.Concurrency), one
// result per request in order; names of one registrable domain share
// their ancestors' answers within the batch: each level asked, validated
// and parsed once, its records evaluated once for each kind of request,
// and a failure fails every name that needs that level, for this batch
// only.
package caa
