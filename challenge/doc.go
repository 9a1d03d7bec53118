// Package challenge builds domain control validation challenges: exactly what
// an applicant must publish, and what a verifier will later check.
//
// A CA or reseller hands out a challenge per domain; the applicant publishes
// a DNS record, serves a file, or answers an email; the verify package then
// checks it. Getting the challenge itself exactly right matters as much as
// checking it: a TXT record at the wrong owner, a file name in lower case, or
// a value with too little entropy is a failure long before any network
// traffic. This package is pure: no DNS, no HTTP, no clock except the one in
// Builder.
//
// Methods, each a Builder method returning a *Challenge:
//
//   - DNSTXT: Alibaba/DigiCert random value at _dnsauth.<domain> (BR 3.2.2.4.7).
//     A wildcard *.d is validated at d.
//   - File: Alibaba/DigiCert random value at /.well-known/pki-validation/fileauth.txt,
//     over http and https, on the name and its apex/www pair (BR 3.2.2.4.18).
//   - HashFile and HashCNAME: SSL.com/Sectigo values computed from the CSR's
//     hashes (see package csrhash); ForCSR builds one per CSR domain.
//   - Email: the five constructed addresses (admin, administrator, webmaster,
//     hostmaster, postmaster) with a random code (BR 3.2.2.4.4, being retired).
//   - ACMEHTTP01 and ACMEDNS01: RFC 8555 key authorizations from a token and
//     the account key's RFC 7638 thumbprint.
//   - TLSALPN01: RFC 8737's self-signed certificate (one dNSName SAN, the
//     critical acmeIdentifier extension holding SHA-256 of the key
//     authorization) and its key, for a TLS server on 443 speaking ALPN
//     acme-tls/1 (BR 3.2.2.4.20). No wildcards.
//   - DNSAccount01: dns-01's value at _<label>._acme-challenge.<ADN>, the
//     label derived from the account URL (draft-ietf-acme-dns-account-label;
//     BR 3.2.2.4.21).
//   - DNSPersist01: a lasting "issuer; accounturi=..." TXT record at
//     _validation-persist.<ADN> (draft-ietf-acme-dns-persist; BR 3.2.2.4.22),
//     the accounturi hashed as draft -02 says, or the plain account URL of
//     drafts -00/-01 (PersistParams.Plain).
//
// Every random value carries 128 bits from crypto/rand (the Baseline
// Requirements ask for 112). Every challenge expires: 30 days by default and
// at most (MaxLifetime, BR 4.2.1), shorter presets match the source documents
// (LifetimeDigiCertDNS, LifetimeAlibabaFile). Names are normalized in one
// place: IDNs become A-labels, and IP addresses, public suffixes, single
// labels, underscores and misplaced wildcards are refused with a *NameError.
// Special-use and non-public names (.test, .internal, .local, .onion, a TLD
// outside ICANN, ...) are refused with ErrNotPublic unless
// Builder.AllowPrivate is set, as labs and tests do.
//
// A Record carries both the fully qualified owner name and the host record
// relative to the zone, because that is what a person types into a DNS
// console: for www.example.com the TXT host record is "_dnsauth.www".
//
// A Challenge marshals to JSON (the dcv tool's --json output) and Decode reads
// it back, validating it and refusing unknown fields, so a verifier can run
// in another process. Validation recomputes what the Builder produces for
// the challenge's domain and refuses any other target: a record moved to
// another name, a file URL on another host, scheme or path, a value not in
// the method's form, an address outside the constructed ones. Keys are snake_case; times are RFC 3339; exactly one of
// "record", "file" and "email" is present:
//
//	{"method": "dns-txt", "domain": "www.example.com", "adn": "www.example.com",
//	 "record": {"type": "TXT", "name": "_dnsauth.www.example.com.", "zone": "example.com",
//	            "host": "_dnsauth.www", "value": "hcqxiuuyweacktjtzmbiijyuum"},
//	 "issued_at": "2026-11-27T07:58:35Z", "expires_at": "2026-12-27T07:58:35Z"}
//
// A file challenge carries "file": {"path", "content", "urls"}; an email
// challenge "email": {"addresses", "code"}; a tls-alpn-01 challenge
// "tls_alpn": {"protocol", "port", "digest", "certificate_pem"} (never the
// private key); ACME challenges add "token" and "key_authorization",
// dns-account-01 and dns-persist-01 "account_url"; hash-based ones "token" (the unique value) and
// "ca_domain"; any may carry "notes".
package challenge
