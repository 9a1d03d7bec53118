// Package verify checks published domain control validation challenges over
// real DNS and HTTP, and never says "verified" when it is in doubt.
//
// A false "verified" is the worst bug a DCV library can have: a certificate
// for a domain its applicant does not control. So every check here fails
// closed. A lookup failure, a timeout, a truncated answer, a redirect, an
// oversized body or a refused address is an error, never a pass, and every
// error is a *Error whose Kind is one of the Err* values (the causes listed
// in the Alibaba Cloud DCV FAQ, one kind each). Its message says what
// happened, a mismatch what was expected next to what was found; its Hint
// field, not part of the message, tells the applicant what to do. OutcomeOf sorts them into
// NotVerified (the check ran and said no: fix the record and retry) and
// Undecided (no trustworthy answer: never treat it as verified).
//
// # What is checked
//
//   - TXT (random value, ACME dns-01): any TXT record at the owner equals the
//     value exactly; character-strings of one record are joined.
//   - CNAME (SSL.com/Sectigo hash): the owner's CNAME target, compared
//     case-insensitively.
//   - Files (random value, hash-based, ACME http-01): every host listed must
//     serve the content; SchemePolicy says whether http or https suffices
//     (SSL.com), or https must match too when port 443 answers (Alibaba).
//     Redirects fail by default, as the Alibaba Cloud and SSL.com DCV
//     pages demand; Files.FollowRedirects applies the BR 3.2.2.4.18/.19
//     rules, which ACME http-01 always uses. Verifier.Files holds both
//     settings, for Verify and VerifyFiles alike.
//   - TLS-ALPN (RFC 8737, VerifyTLSALPN01): a handshake to port 443 of the
//     vetted addresses offering only acme-tls/1, then the leaf's rules
//     (CheckTLSALPN01Certificate: self-signed, one dNSName SAN, the critical
//     acmeIdentifier extension once, the right digest). A wrong certificate
//     or no negotiated protocol is NotVerified; refused, failed or slow
//     handshakes are Undecided.
//   - dns-account-01: a TXT check at the account's owner name, as dns-01.
//   - dns-persist-01 (VerifyPersist): the records at _validation-persist of
//     the name and its parents, filtered by issuer, account, persistUntil
//     and policy=wildcard; Result.Persist names the record that authorized.
//   - Email: the submitted code, compared in constant time.
//   - Orders: many domains at once, concurrently with a bound: VerifyOrder
//     keeps every Result, VerifyEach hands each over as its check ends
//     and keeps none (memory flat in the number of names).
//   - Poll retries until success, a terminal failure or the context ends.
//
// Expired and malformed challenges are refused before any traffic. Every
// Result carries Evidence (what was asked, of which server, what came back,
// when and how long it took) that marshals to JSON for the CA's records.
//
// # DNS and HTTP
//
// The Verifier consumes two small interfaces, Exchanger (one DNS query) and
// HTTPDoer (one HTTP request, no redirects). DNSClient is the real resolver
// client on github.com/miekg/dns: EDNS0 with a 1232-byte buffer, TCP when an
// answer is truncated, bounded retries, NXDOMAIN, NODATA, SERVFAIL, REFUSED
// and timeouts kept apart. With Verifier.Authoritative set (an AuthOptions)
// it asks every authoritative server of the zone directly (the FAQ's "not
// yet synced" case). HTTPClient resolves through the same DNS, never the system
// resolver, dials only addresses that pass the address guard (no loopback,
// private, link-local or reserved targets unless AllowPrivate), allows only
// ports 80 and 443, uses no proxy, and bounds body size and time: each
// request as a whole, body included (HTTPClient.Timeout, default 20 s).
//
// # DNSSEC
//
// Every DNS answer a check relies on (the TXT or CNAME record, each CNAME
// and DNAME link, the A/AAAA records behind a file fetch, each
// authoritative server's answers) is validated back to the IANA root
// trust anchors, as the Baseline Requirements oblige a CA (ballot
// SC-085v2): queries carry DO=1 (and CD=1 to a recursive resolver, so
// broken signatures reach the validator rather than hide behind a
// SERVFAIL), and a bogus or indeterminate answer makes the check
// Undecided (ErrDNSSECBogus, ErrDNSSECIndeterminate) with a Hint that names
// the broken link. A securely proven NXDOMAIN or NODATA is ErrNotFound.
// Result.DNSSEC and each Evidence entry carry the verdict. A lab replaces
// the anchors (TrustAnchors, ParseTrustAnchors); DNSSECOff records only
// the resolver's AD bit and is not allowed for a CA. DS and DNSKEY sets
// are cached per DNSClient: share one between checks.
//
// One resolution layer (internal/resolve) serves this package and caa:
// one CNAME/DNAME policy (8 links), one check that a reply answers the
// question, one classification of failures. Authoritative mode dials
// only name-server addresses the address guard allows (DNSClient's
// AllowPrivate for labs), refuses zones naming too many, and bounds the
// queries in flight; within an order it asks each zone's SOA, NS and
// addresses once (Evidence.Shared marks a shared answer), and with a
// ZoneCache (AuthOptions.Cache) across checks and orders while their TTLs
// last.
//
// No check hangs: when the caller's context has no deadline, each check
// gets one (Verifier.Timeout, default 30 s; an order's items one each),
// and body reads stop when the context ends, whatever the HTTPDoer.
//
// Package verifytest has the test doubles: an in-memory zone that satisfies
// Exchanger, a loopback DNS server, an HTTP responder for the well-known
// paths, a TLS-ALPN responder, and Publish, which plays the applicant.
package verify
