// Package perspective repeats domain control validation and CAA checks
// from several network perspectives and issues a verdict only when enough
// of them agree: multi-perspective issuance corroboration (MPIC), CA/Browser
// Forum Baseline Requirements 3.2.2.9.
//
// # Why
//
// A single vantage point can be fooled. An attacker who hijacks a BGP
// prefix near the CA, or poisons the CA's resolver, makes the CA see a TXT
// record, a validation file or a CAA RRset that the rest of the Internet
// does not see, and obtains a certificate for a domain they do not
// control. Such attacks are local: a perspective in another region, on
// another network, sees the real records. Since 2025 public CAs must
// repeat every DCV and CAA check from remote perspectives and issue only
// if a quorum corroborates the primary's determination.
//
// # Perspectives and the quorum
//
// A Perspective runs a Check (DCV: a challenge, or a TXT, CNAME or file
// check; CAA: a caa.Request) and returns a Result carrying the
// evidence (verify.Result or caa.Decision). Local runs in-process with its
// own resolver and HTTP client. Remote calls a Handler deployed elsewhere.
//
// Corroborator.Run runs the primary and every remote concurrently. The
// check is corroborated when the primary passed (DCV verified, CAA
// permitted), the remotes that did not corroborate are no more than the
// quorum allows, and the Policy minimums are met. The quorum
// (AllowedNonCorroborating):
//
//	remotes  non-corroborating allowed
//	1        0  (the BR start at 2; a single remote must agree)
//	2 to 5   1
//	6+       2
//
// Policy asks for MinRemotes remotes used and MinRegions distinct regions
// among the corroborating remotes. The zero Policy sets none; PolicyAt(t)
// gives the BR phase-in (2 remotes from 2025-09-15; 3 in 2 RIRs from
// 2026-03-15, BR2026; 4 from 2026-06-15; 5 from 2026-12-15) and names
// the phase in Policy.Rule, which the Report keeps.
//
// A remote corroborates only by passing itself: "not verified",
// "forbidden", an error, a timeout, an unreachable or refused remote all
// count against the quorum, never for it. The Report lists every
// perspective's result and says why the quorum passed or failed.
//
// Each perspective counts once: labels must differ, and two perspectives
// with one Info.Endpoint (for Remotes, one host and port, however the URL
// is spelled) are refused as misconfiguration rather than counted twice. A Corroborator without
// remotes is misconfigured too (ErrConfig): it never reports a check
// "corroborated" by no one, whatever the Policy.
//
// Regions are what the caller configures: for the BR, the RIR (ARIN,
// RIPE, APNIC, LACNIC, AFRINIC) whose service region a perspective is in.
// The BR also want perspectives >= 500 km apart; that is a deployment
// matter this package cannot check.
//
// # Wire protocol, version 2
//
// A remote perspective serves one endpoint, POST <base>/v2/check, JSON
// over HTTPS (plain HTTP works, but shows the checks and results to
// anyone on the path; use it only on a private network). The base URL is
// the perspective's identity: the Remote's URL and the Handler's URL,
// compared in the canonical form of Identity. The request body:
//
//	{"version": 2,
//	 "timeout_ms": 9000,
//	 "check": {"determination": "dcv", "txt": {"name": "_dnsauth.example.com", "value": "…"}}}
//
// "check" holds "determination" ("dcv" or "caa") and exactly one form:
// "challenge" (the challenge package's JSON, validated by challenge.Decode),
// "txt" {name, value}, "cname" {name, target}, "files" {urls, content},
// "tls_alpn" {domain, key_authorization}, "persist" {domain, issuers,
// account_uris, at (RFC 3339, optional)}, or,
// for caa, "caa" {domain, issuers, wildcard, account_uri, method}. A dcv
// check may carry "file_policy" {schemes, follow_redirects}, schemes one
// of "default", "either", "https-if-served", "all". Unknown fields, trailing data
// and oversize values are refused. timeout_ms (required) is the time the
// caller will wait; the handler runs the check within it, capped by its
// MaxTimeout.
//
// Headers of the request:
//
//	Dcv-Timestamp:      Unix time in seconds
//	Dcv-Nonce:          16 to 64 base64url characters, fresh for each request
//	Dcv-Perspective:    identity of the perspective the request is for
//	Dcv-Content-Sha256: lower-case hex SHA-256 of the body
//	Dcv-Signature:      hmac-sha256=<lower-case hex of HMAC-SHA256(key, S)>
//
// where S is "dcv-perspective/v2 request\n" followed by the method, the
// request path (as sent, escaped), the identity, the timestamp, the nonce
// and the body's digest, each followed by "\n". Everything signed is in
// the request line and headers, so the handler authenticates a request
// before it reads a byte of the body, then reads the body (at most
// MaxBody) and compares its digest. The key is a secret of at least 32
// bytes (LoadKey), one per perspective or shared by all.
//
// The handler refuses, with a JSON error body
// {"version":2,"error":{"code":…,"message":…}}: a missing or wrong
// signature, or a body that does not match its digest (401
// unauthenticated); a request signed for another perspective (421
// misdirected); a timestamp more than Window (default 60 s) from its clock
// (401 stale); a nonce already seen within the window (401 replay); a body
// over MaxBody (413 too_large); a malformed body or bad check (400
// bad_request); a version it does not speak (400 or 404, code version); a
// determination its Local does not serve (501 unsupported); more than
// MaxConcurrent requests at once, or a full replay cache, which it never
// empties early (503 busy). Handler.Server adds timeouts that close slow
// connections.
//
// The answer (200) is {"version":2,"nonce":"<the request's nonce>",
// "result":{…Result…}}, with Dcv-Timestamp, Dcv-Perspective (the
// handler's identity) and Dcv-Signature headers; the signature covers
// "dcv-perspective/v2 response\n", the status, the identity, the
// request's nonce, the timestamp and the body's SHA-256 (lower-case hex),
// each followed by "\n". So an answer comes from the perspective the
// request was for and answers exactly that request: it cannot be forged,
// replayed, or relayed from another perspective. The client refuses
// unsigned answers, an answer from another identity, another nonce, a
// result of another determination, or a "pass" verdict its evidence does
// not back.
//
// What is authenticated, then: the check, its timeout, the path, the
// perspective it is for and the time it was asked (request); the result
// with its evidence, the perspective that answered and the request it
// answers (response). What is not: the error bodies of refusals (they
// count as no answer, never as agreement) and, over plain HTTP, the
// secrecy of checks and results.
//
// # Versions and extensions
//
// The version is in the path and in the body; a handler refuses a version
// it does not speak, and both sides refuse unknown fields, so a check is
// never run with a part of it silently ignored. Version 2 changed version
// 1 so: the identity (Dcv-Perspective) is signed in requests and
// responses, the body is signed through its digest (Dcv-Content-Sha256)
// so the headers are checked before the body is read, the check's
// "kind" became "determination", and 421 misdirected and 503 for
// concurrency were added. Version 1 peers are refused (404 version).
//
// A new form of check (tls-alpn-01, dns-account-01, dns-persist-01, ...)
// or a new setting (a DNSSEC requirement, say) is a compatible extension:
// add an optional field (a pointer, omitempty) to Check, count a new DCV
// form in Check.dcvForms, validate it in Check.Validate and run it in
// Local. A peer that does not know the field refuses the request (400
// bad_request, unknown field) rather than run less than was asked, and a
// request without it means what it meant before, so the version stays.
// A change of what an existing field means needs a new version and path.
//
// The "tls_alpn" and "persist" forms (and the tls-alpn-01,
// dns-account-01 and dns-persist-01 challenges, whose JSON adds
// "tls_alpn" and "account_url") are such extensions of version 2: a peer
// that predates them answers 400 bad_request, which never counts as
// corroboration.
//
// Check.DNSSEC ("validate" or "off") is such an extension: it carries the
// primary's DNSSEC setting, and a remote applies it to its verifier's and
// CAA checker's lookups (its HTTP client's address lookups keep the
// remote's own setting).
//
// A handler runs exactly the check it was sent, with its own resolver,
// HTTP client and address guard; the request cannot change them.
//
// Mutual TLS may be added by serving the Handler with an http.Server
// whose TLS config requires client certificates and giving Remote a
// Client with a matching certificate; the HMAC signature is required
// either way.
package perspective
