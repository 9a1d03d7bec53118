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
// A Perspective runs a Check (KindDCV: a challenge, or a TXT, CNAME or
// file check; KindCAA: a caa.Request) and returns a Result carrying the
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
// among the corroborating remotes. The zero Policy sets none; BR2026
// (3 remotes, 2 RIRs) and PolicyAt(t) give the BR phase-in.
//
// A remote corroborates only by passing itself: "not verified",
// "forbidden", an error, a timeout, an unreachable or refused remote all
// count against the quorum, never for it. The Report lists every
// perspective's result and says why the quorum passed or failed.
//
// Each perspective counts once: labels must differ, and two Remotes at
// one host and port (however the URL is spelled) are refused as
// misconfiguration rather than counted twice. A Corroborator without
// remotes is misconfigured too (ErrConfig): it never reports a check
// "corroborated" by no one, whatever the Policy.
//
// Regions are what the caller configures: for the BR, the RIR (ARIN,
// RIPE, APNIC, LACNIC, AFRINIC) whose service region a perspective is in.
// The BR also want perspectives >= 500 km apart; that is a deployment
// matter this package cannot check.
//
// # Wire protocol, version 1
//
// A remote perspective serves one endpoint, POST <base>/v1/check, JSON
// over HTTP(S). The request body:
//
//	{"version": 1,
//	 "timeout_ms": 9000,
//	 "check": {"kind": "dcv", "txt": {"name": "_dnsauth.example.com", "value": "…"}}}
//
// "check" holds "kind" ("dcv" or "caa") and exactly one form:
// "challenge" (the challenge package's JSON, validated by challenge.Decode),
// "txt" {name, value}, "cname" {name, target}, "files" {urls, content}, or,
// for caa, "caa" {domain, issuers, wildcard, account_uri, method}. A dcv
// check may carry "file_policy" {schemes, follow_redirects}, schemes one
// of "default", "either", "https-if-served", "all". Unknown fields, trailing data
// and oversize values are refused. timeout_ms (required) is the time the
// caller will wait; the handler runs the check within it, capped by its
// MaxTimeout.
//
// Headers of the request:
//
//	Dcv-Timestamp: Unix time in seconds
//	Dcv-Nonce:     16 to 64 base64url characters, fresh for each request
//	Dcv-Signature: hmac-sha256=<hex of HMAC-SHA256(key, S)>
//
// where S is "dcv-perspective/v1 request\n" followed by the method, the
// request path (as sent, escaped), the timestamp and the nonce, each
// followed by "\n", and then the body bytes. The key is a shared secret of
// at least 32 bytes (LoadKey). The handler refuses, with a JSON error
// body {"version":1,"error":{"code":…,"message":…}}: a body over MaxBody
// (413 too_large); a missing or wrong signature (401 unauthenticated); a
// timestamp more than Window (default 60 s) from its clock (401 stale); a
// nonce already seen within the window (401 replay; the replay cache is
// bounded and, when full, refuses new requests with 503 busy rather than
// forget a nonce); a malformed body or bad check (400 bad_request); a
// version it does not speak (400 or 404, code version); a kind its Local
// does not serve (501 unsupported).
//
// The answer (200) is {"version":1,"nonce":"<the request's nonce>",
// "result":{…Result…}}, with Dcv-Timestamp and Dcv-Signature headers; the
// signature covers "dcv-perspective/v1 response\n", the status, the
// request's nonce and the timestamp (each followed by "\n") and the body,
// so a response answers exactly one request and cannot be forged or
// replayed. The client refuses unsigned responses, another nonce, a
// result of another kind, or a "pass" verdict its evidence does not back.
//
// Versioning: the version is in the path and in the body. A new version
// gets a new path (/v2/check); a handler refuses a version it does not
// speak, and both sides refuse unknown fields, so a check is never run
// with a part of it silently ignored. A handler runs exactly the check
// it was sent, with its own resolver, HTTP client and address guard; the
// request cannot change them.
//
// Mutual TLS may be added by serving the Handler with an http.Server
// whose TLS config requires client certificates and giving Remote a
// Client with a matching certificate; the HMAC signature is required
// either way.
package perspective
