package diagnose

import "fmt"

// Severity says how bad a finding is.
type Severity int

const (
	// Error: the CA will refuse the validation or the issuance.
	Error Severity = iota
	// Warning: the CA may refuse, or the setup is fragile (some CAs, some
	// vantage points, or the next change will break it).
	Warning
	// Info: worth knowing; nothing to fix for this validation.
	Info
)

var severityNames = [...]string{Error: "error", Warning: "warning", Info: "info"}

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(severityNames) {
		return nil, fmt.Errorf("diagnose: unknown severity %d", int(s))
	}
	return []byte(severityNames[s]), nil
}

// UnmarshalText reads what MarshalText writes.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if string(b) == n {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("diagnose: unknown severity %q", b)
}

// Code is a finding's stable identifier. Codes never change meaning; new
// ones may be added. A hosting panel can key its own help text on them.
type Code string

// Name: is the domain something a public CA can issue for at all?
const (
	// NameInvalid: not a valid DNS name (empty label, bad character,
	// misplaced "*", too long, a single label). Nothing else is checked.
	NameInvalid Code = "name_invalid"
	// NameIPAddress: an IP address, not a domain; DCV for IPs is another
	// matter (RFC 8738).
	NameIPAddress Code = "name_ip_address"
	// NamePublicSuffix: the name is a public suffix (com, co.uk, github.io):
	// nobody can prove control of it.
	NamePublicSuffix Code = "name_public_suffix"
	// NameSpecialUse: a special-use name (RFC 6761 and later: .test,
	// .example, .invalid, .localhost, .local, .onion, .internal, .alt,
	// home.arpa). Public CAs never issue for them. Not raised with
	// AllowPrivate.
	NameSpecialUse Code = "name_special_use"
	// NameUnknownTLD: the top-level domain is not in the public suffix
	// list's ICANN section, so it is not delegated in the public DNS (or
	// too new to be known). Not raised with AllowPrivate.
	NameUnknownTLD Code = "name_unknown_tld"
	// ChallengeExpired: the challenge given has expired (the Alibaba FAQ's
	// "record value older than 24 hours" for DigiCert): the CA refuses
	// it whatever is published.
	ChallengeExpired Code = "challenge_expired"
	// WildcardMethod: a wildcard name with a method that cannot validate
	// one (file, hash-file, ACME http-01, tls-alpn-01: BR 3.2.2.4.18/.19/.20).
	WildcardMethod Code = "wildcard_method"
)

// DNS: the zone and its authoritative servers, as the CA's resolver sees them.
const (
	// ZoneNotFound: no zone apex (SOA) answers for the name or any parent:
	// the domain is not registered, expired, or not delegated.
	ZoneNotFound Code = "zone_not_found"
	// DNSLookupFailed: the resolver answered SERVFAIL or REFUSED while
	// finding the zone or its servers, or reading the record to find; the
	// CA's resolver will fail too.
	DNSLookupFailed Code = "dns_lookup_failed"
	// NSUnreachable: an authoritative server does not answer (timeout,
	// refused, unreachable). Error when none answers, warning otherwise.
	NSUnreachable Code = "ns_unreachable"
	// NSNoTCP: a server answers over UDP but not TCP. Large answers
	// (several TXT records, DNSSEC) are truncated over UDP and need TCP.
	NSNoTCP Code = "ns_no_tcp"
	// NSLame: a server listed in the zone's NS set answers without
	// authority (AA bit clear, REFUSED, SERVFAIL): a lame delegation.
	NSLame Code = "ns_lame"
	// SOASerialMismatch: the servers serve different SOA serials: a zone
	// transfer has not reached all of them (the Alibaba FAQ's "not synced
	// to overseas DNS"), so what the CA sees depends on which it asks.
	SOASerialMismatch Code = "soa_serial_mismatch"
	// DNSSECBogus: the DNSSEC chain of trust is broken (bad signature,
	// missing DNSKEY for a DS): validating resolvers answer SERVFAIL and
	// the CA must refuse (BR ballot SC-085v2).
	DNSSECBogus Code = "dnssec_bogus"
	// DNSSECIndeterminate: the DNSSEC status could not be established; a
	// CA fails closed.
	DNSSECIndeterminate Code = "dnssec_indeterminate"
	// DNSSECInsecure: the zone is provably unsigned. Information only.
	DNSSECInsecure Code = "dnssec_insecure"
	// DNSSECSkipped: DNSSEC validation was switched off for this
	// diagnosis, so its status is not known. Information only.
	DNSSECSkipped Code = "dnssec_skipped"
)

// CAA: may this CA issue for the name (RFC 8659, 8657; BR 3.2.2.8)?
const (
	// CAAForbidden: the relevant CAA records do not name the CA. The fix
	// is the exact record to add.
	CAAForbidden Code = "caa_forbidden"
	// CAACriticalUnknown: a record with the critical flag and a tag the
	// CA does not know forbids every CA.
	CAACriticalUnknown Code = "caa_critical_unknown"
	// CAAAccountURI: a record names the CA but binds it to an ACME account
	// (RFC 8657 accounturi) that is not the one given.
	CAAAccountURI Code = "caa_accounturi"
	// CAAValidationMethods: a record names the CA but lists validation
	// methods (RFC 8657 validationmethods) that exclude the chosen one.
	CAAValidationMethods Code = "caa_validationmethods"
	// CAACNAME: the relevant CAA records come through a CNAME, from a zone
	// the domain owner may not run (the Alibaba FAQ's github.io case).
	// Warning: the target's owner can block issuance at any time.
	CAACNAME Code = "caa_cname"
	// CAALookupFailed: a CAA query that matters failed (SERVFAIL,
	// REFUSED); a CA treats that as a refusal.
	CAALookupFailed Code = "caa_lookup_failed"
)

// DNS methods (dns-txt, hash-cname, ACME dns-01): the record itself.
const (
	// RecordOwner: where the record goes, as a DNS console wants it (zone,
	// host record, type). Information, given when no challenge is.
	RecordOwner Code = "record_owner"
	// RecordMissing: no record at the owner name, at any server.
	RecordMissing Code = "record_missing"
	// RecordMismatch: a record is there but holds another value; the
	// values seen are the evidence.
	RecordMismatch Code = "record_mismatch"
	// RecordNotPropagated: some authoritative servers serve the record,
	// others do not (yet).
	RecordNotPropagated Code = "record_not_propagated"
	// RecordResolverStale: every authoritative server serves the record
	// but the resolver still answers from its cache; the CA's resolver may
	// too until the negative TTL passes.
	RecordResolverStale Code = "record_resolver_stale"
	// RecordDoubledLabel: the record sits at the owner name with the zone
	// or the whole domain repeated (_dnsauth.example.com.example.com): the
	// full name was typed into a host-record field.
	RecordDoubledLabel Code = "record_doubled_label"
	// RecordCNAME: the owner name is a CNAME; the CA follows it and reads
	// the record at the target. Information.
	RecordCNAME Code = "record_cname"
	// RecordCNAMETarget: the owner's CNAME leads to a name that does not
	// answer (NXDOMAIN, SERVFAIL, a loop).
	RecordCNAMETarget Code = "record_cname_target"
	// PersistMalformed: a dns-persist-01 record naming the CA breaks the
	// record grammar (no accounturi, a parameter twice, a bad persistUntil).
	PersistMalformed Code = "persist_malformed"
	// PersistDenied: dns-persist-01 records name the CA but none
	// authorizes this account and domain (another accounturi, no
	// policy=wildcard for a subdomain, persistUntil past); the reasons per
	// record are the evidence.
	PersistDenied Code = "persist_denied"
	// RecordTooLong: the value is over 255 octets and was published as a
	// single character-string cut at 255; it must be split into strings.
	RecordTooLong Code = "record_too_long"
)

// File, ACME http-01 and tls-alpn-01 methods: the server behind each address.
const (
	// NoAddress: the host has no A or AAAA record.
	NoAddress Code = "no_address"
	// AddressReserved: an address is private, loopback or otherwise not
	// globally reachable; a CA will not connect to it. Not raised with
	// AllowPrivate.
	AddressReserved Code = "address_reserved"
	// PortClosed: the connection to port 80 or 443 was refused or reset.
	PortClosed Code = "port_closed"
	// PortTimeout: the connection timed out (a firewall drops it, or an
	// IP allow-list keeps the CA out: the Alibaba FAQ's "whitelist").
	PortTimeout Code = "port_timeout"
	// TLSHandshakeFailed: port 443 accepts connections but the TLS
	// handshake fails.
	TLSHandshakeFailed Code = "tls_handshake_failed"
	// HTTPOnHTTPSPort: port 443 speaks plain HTTP instead of TLS.
	HTTPOnHTTPSPort Code = "http_on_https_port"
	// TLSCertName: the certificate does not cover the name. Validation
	// accepts any certificate, so this is information.
	TLSCertName Code = "tls_cert_name"
	// TLSCertExpired: the certificate has expired (or is not yet valid).
	// Information, as above.
	TLSCertExpired Code = "tls_cert_expired"
	// FileNotFound: the well-known URL answers 404 or 410.
	FileNotFound Code = "file_not_found"
	// HTTPStatus: the well-known URL answers another non-2xx status
	// (403, 500...).
	HTTPStatus Code = "http_status"
	// RedirectRefused: a redirect the CA will not follow: any redirect for
	// the Alibaba and SSL.com file methods; for ACME http-01 one outside
	// the BR rules (status, scheme, port, hop count).
	RedirectRefused Code = "redirect_refused"
	// RedirectFollowed: a redirect the CA follows (ACME http-01, BR
	// 3.2.2.4.19); the final URL must serve the file. Information.
	RedirectFollowed Code = "redirect_followed"
	// ContentMismatch: the body is not the expected content.
	ContentMismatch Code = "content_mismatch"
	// ContentBOM: the body starts with a UTF-8 byte order mark. dcv
	// ignores it; a stricter CA may not.
	ContentBOM Code = "content_bom"
	// ContentCRLF: the body has CRLF line ends. dcv reads them as LF; a
	// stricter CA may not.
	ContentCRLF Code = "content_crlf"
	// ContentWhitespace: the body has trailing spaces or blank lines. dcv
	// ignores them; a stricter CA may not.
	ContentWhitespace Code = "content_whitespace"
	// BodyTooLarge: the body is over the limit; it is never cut to match.
	BodyTooLarge Code = "body_too_large"
	// AddressInconsistent: the addresses of one host serve different
	// things; the CA asks one of them, so the result depends on which.
	AddressInconsistent Code = "address_inconsistent"
	// ApexWWW: the apex and the www name do not both serve the file; the
	// Alibaba file method checks both whichever was applied for.
	ApexWWW Code = "apex_www"
	// HTTPSMismatch: port 443 serves HTTPS but not the file that http
	// serves (the Alibaba FAQ's "site enabled HTTPS but the file is only
	// on HTTP").
	HTTPSMismatch Code = "https_mismatch"
	// HTTPSNotServed: nothing listens on port 443, so the CA uses http
	// alone. Information.
	HTTPSNotServed Code = "https_not_served"
	// TLSALPNUnsupported: port 443 does not negotiate the acme-tls/1
	// protocol (RFC 8737), so tls-alpn-01 cannot succeed.
	TLSALPNUnsupported Code = "tls_alpn_unsupported"
	// TLSALPNCertificate: port 443 negotiates acme-tls/1 but presents a
	// certificate that breaks a rule of RFC 8737 (another digest, a second
	// name, no critical acmeIdentifier extension, not self-signed).
	TLSALPNCertificate Code = "tls_alpn_certificate"
)

// Codes lists every code, in the order the report sorts findings of one
// severity.
func Codes() []Code {
	return []Code{
		NameInvalid, NameIPAddress, NamePublicSuffix, NameSpecialUse, NameUnknownTLD, ChallengeExpired, WildcardMethod,
		ZoneNotFound, DNSLookupFailed, NSUnreachable, NSNoTCP, NSLame, SOASerialMismatch,
		DNSSECBogus, DNSSECIndeterminate, DNSSECInsecure, DNSSECSkipped,
		CAAForbidden, CAACriticalUnknown, CAAAccountURI, CAAValidationMethods, CAACNAME, CAALookupFailed,
		RecordOwner, RecordMissing, RecordMismatch, RecordNotPropagated, RecordResolverStale,
		RecordDoubledLabel, RecordCNAME, RecordCNAMETarget, PersistMalformed, PersistDenied, RecordTooLong,
		NoAddress, AddressReserved, PortClosed, PortTimeout, TLSHandshakeFailed, HTTPOnHTTPSPort,
		TLSCertName, TLSCertExpired, FileNotFound, HTTPStatus, RedirectRefused, RedirectFollowed,
		ContentMismatch, ContentBOM, ContentCRLF, ContentWhitespace, BodyTooLarge,
		AddressInconsistent, ApexWWW, HTTPSMismatch, HTTPSNotServed, TLSALPNUnsupported, TLSALPNCertificate,
	}
}

// codeOrder is each code's position in Codes, for sorting.
var codeOrder = func() map[Code]int {
	m := map[Code]int{}
	for i, c := range Codes() {
		m[c] = i
	}
	return m
}()
