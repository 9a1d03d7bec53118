// Package dcv is a library for Domain Control Validation (DCV): the step in
// which a certificate authority checks that the applicant for an SSL/TLS
// certificate controls each domain in it.
//
// CAs, resellers, hosting panels and ACME tooling all need DCV, and each
// tends to write its own fragile copy. This module is the one to import
// instead: exact formats, strict limits, and a verifier that never says
// "verified" when it is in doubt.
//
// # The flow
//
//	CSR --csrhash--> hashes --challenge--> what to publish --verify--> verified / not verified / could not decide
//	                                                        caa -----> may this CA issue?
//
// Four packages, one step each:
//
//  1. Package csrhash reads a CSR (PEM or DER), checks its signature, and
//     computes the SSL.com/Sectigo validation hashes: the MD5 and SHA-256 of
//     its DER bytes, and the file and CNAME they imply.
//  2. Package challenge builds what the applicant must publish, for every
//     method of the source documents: a random-value TXT record at
//     _dnsauth.<domain> or file at /.well-known/pki-validation/fileauth.txt
//     (Alibaba Cloud / DigiCert), hash-based file and CNAME (SSL.com /
//     Sectigo), constructed email, and ACME http-01 and dns-01. Each
//     challenge carries its random value, expiry, and the exact record or
//     URL, including the host record a person types into a DNS console.
//  3. Package verify checks a published challenge over real DNS and HTTP,
//     with its own hardened resolver and HTTP client, and fails closed: a
//     lookup failure, timeout, truncated answer, redirect or oversized body
//     is never "verified". Every failure is a typed *verify.Error with what
//     was seen and a one-line hint, and every result carries evidence a CA
//     can keep. Package verify/verifytest has the test doubles: an in-memory
//     zone, a loopback DNS server and an HTTP responder.
//  4. Package caa evaluates CAA records (RFC 8659, 8657): may this CA issue
//     for this name, and if not, which record to add.
//
// Package verify/perspective sits above verify and caa: it repeats a DCV or
// CAA check from remote network perspectives and applies the CA/B Forum
// quorum (BR 3.2.2.9), so a BGP or DNS hijack near the CA cannot fool it.
// It ships the remote side too: an authenticated HTTP handler and its client.
//
// Imports run one way: csrhash ← challenge ← verify; caa stands beside
// verify and consumes DNS through its own small interface, which
// verify.DNSClient satisfies.
//
// The runnable programs are in examples/: quickstart (no network needed) and
// the dcv command-line tool.
package dcv
