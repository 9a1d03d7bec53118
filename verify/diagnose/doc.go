// Package diagnose finds, before an order is placed, every reason a
// certification authority would refuse to validate a domain or issue for
// it, and says how to fix each one.
//
// # Why
//
// The Alibaba Cloud DCV FAQ is a list of reasons validation fails: the
// record was not found, the value does not match, the value has not reached
// the overseas name servers, port 80 or 443 is closed, a redirect is in the
// way, the file content is wrong on www or on HTTPS, CAA forbids the CA
// (often through a CNAME). Users learn them one failed attempt at a time,
// each costing a round trip with the CA. A diagnosis asks everything at
// once, the way the CA would, and reports each problem with a stable code,
// a severity, what was seen and the fix in the user's terms: the host
// record and value to type into the DNS console, the CAA line to add, the
// port to open.
//
// # What is checked
//
//   - The name: valid, not an IP address, not a public suffix, not a
//     special-use or non-public top-level domain; a wildcard only with a
//     method that can validate one.
//   - DNS: the zone and its authoritative servers; each answers over UDP
//     and TCP, with authority (not lame), and all serve the same SOA serial.
//   - DNSSEC: the answers for the domain's SOA and for the record to find
//     validated back to the trust anchors (the IANA root by default) with the library's one
//     validator: secure, insecure (information), or bogus and indeterminate
//     (errors: a CA must refuse) with the broken link named.
//   - CAA, when a CA is named: the decision of caa.Checker, and why a
//     refusal happened (the exact record to add, a CNAME that brings in
//     someone else's policy, an unknown critical tag, RFC 8657 accounturi
//     or validationmethods that rule the method out).
//   - DNS methods (dns-txt, hash-cname, ACME dns-01 and dns-account-01):
//     where the record goes (zone, host record), whether each
//     authoritative server and the resolver serve it with the expected
//     value, a doubled owner name (the full name typed into a host-record
//     field), a CNAME at the owner and whether its target answers, a value
//     cut at 255 octets.
//   - File and ACME http-01 methods: the A and AAAA records (none,
//     reserved); then every address separately, IPv4 and IPv6, on ports 80
//     and 443: the connection, the TLS handshake (certificate problems are
//     information only: validation accepts any certificate), plain HTTP on
//     443, the status of the well-known path, each redirect and whether the
//     CA follows it, the same answer from every address, apex and www, http
//     and https, and a body that matches only after dcv's lenient
//     comparison (BOM, CRLF, whitespace) that a stricter CA may refuse.
//   - dns-persist-01: the verifier's own check of the records at
//     _validation-persist.<domain> for the CA and account (grammar, issuer,
//     accounturi, policy=wildcard, persistUntil).
//   - tls-alpn-01: on every address, port 443, a handshake offering only
//     acme-tls/1 must negotiate it, and with a challenge the certificate must
//     follow RFC 8737 (verify.CheckTLSALPN01Certificate).
//
// A finding names the methods it rules out (none: all of them); Report.Usable
// lists the methods left, which matters when every method is diagnosed.
//
// With a challenge (Request.Challenge) the published record or file is
// compared with its value; without one, the checks that need no value
// still run, fetching a random name under the well-known directory as a
// CA would fetch its token.
//
// # How
//
// Diagnose reuses the verification code paths: verify.DNSClient for DNS,
// verify.HTTPClient (with its address guard, port policy, limits and
// timeouts) for HTTP, caa.Checker for CAA, narrowed to one server, one
// address or one transport by the probes of package verify. It makes no
// HTTP request a CA's validation would not make, and changes nothing; beyond
// a CA's DNS questions it asks only about the doubled owner names a console
// typo creates. The check chains (zone and servers, DNSSEC, CAA, each DNS
// method, the web servers) run concurrently, so a report takes about as long as the slowest chain,
// bounded by the context. A check that could not finish because the
// resolver did not answer or the time ran out is listed in
// Report.Incomplete, never reported as a finding or as a pass.
//
// Findings are sorted errors first. Report marshals to JSON; WriteText
// renders it for a person. Codes are stable and listed by Codes.
package diagnose
