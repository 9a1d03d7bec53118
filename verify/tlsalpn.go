package verify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/dnsname"
)

// The rules of a tls-alpn-01 challenge certificate (RFC 8737 §3). A failed
// rule is the cause of an ErrALPNCertificate *Error: errors.Is matches both.
var (
	ErrCertNotSelfSigned = errors.New("certificate is not self-signed")
	ErrCertSAN           = errors.New("certificate must carry exactly one SAN, a dNSName equal to the domain")
	ErrCertNoACMEExt     = errors.New("certificate has no acmeIdentifier extension")
	ErrCertExtRepeated   = errors.New("certificate repeats an extension")
	ErrCertExtCritical   = errors.New("acmeIdentifier extension is not critical")
	ErrCertDigest        = errors.New("acmeIdentifier extension does not hold SHA-256 of the key authorization")
	ErrCertMalformed     = errors.New("certificate does not parse")
)

// certHints are the applicant's remedies, one per rule.
var certHints = map[error]string{
	ErrCertNotSelfSigned: "present the self-signed challenge certificate itself, not one issued by a CA",
	ErrCertSAN:           "put exactly one subjectAltName in the challenge certificate: the domain being validated",
	ErrCertNoACMEExt:     "add the acmeIdentifier extension (1.3.6.1.5.5.7.1.31), or check that the server picks the challenge certificate for acme-tls/1",
	ErrCertExtRepeated:   "include each extension once",
	ErrCertExtCritical:   "mark the acmeIdentifier extension critical",
	ErrCertDigest:        "rebuild the challenge certificate from the current token and account key",
	ErrCertMalformed:     "present the challenge certificate as built; this one is not valid DER X.509",
}

// certHint is the remedy for the rule err breaks.
func certHint(err error) string {
	for rule, hint := range certHints {
		if errors.Is(err, rule) {
			return hint
		}
	}
	return kinds[ErrALPNCertificate].hint
}

var oidSAN = asn1.ObjectIdentifier{2, 5, 29, 17}

// CheckTLSALPN01Certificate checks the leaf a server presented for
// tls-alpn-01 against domain (an A-label, no wildcard) and the key
// authorization: self-signed (as Boulder requires; RFC 8737 has the client
// build it so), exactly one SAN that is a dNSName equal to domain, no
// extension twice, and the acmeIdentifier extension critical with the DER
// OCTET STRING of SHA-256(keyAuthorization). It returns nil or one of the
// ErrCert* rules, wrapped with what was seen.
func CheckTLSALPN01Certificate(leaf *x509.Certificate, domain, keyAuthorization string) error {
	if leaf == nil {
		return fmt.Errorf("%w: no certificate", ErrCertNoACMEExt)
	}
	seen := map[string]bool{}
	for _, e := range leaf.Extensions {
		if seen[e.Id.String()] {
			return fmt.Errorf("%w: %s", ErrCertExtRepeated, e.Id)
		}
		seen[e.Id.String()] = true
	}
	if !bytes.Equal(leaf.RawSubject, leaf.RawIssuer) ||
		leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) != nil {
		return ErrCertNotSelfSigned
	}
	if err := checkSAN(leaf, domain); err != nil {
		return err
	}
	for _, e := range leaf.Extensions {
		if !e.Id.Equal(challenge.ACMEIdentifierOID()) {
			continue
		}
		if !e.Critical {
			return ErrCertExtCritical
		}
		var got []byte
		rest, err := asn1.Unmarshal(e.Value, &got)
		want := sha256.Sum256([]byte(keyAuthorization))
		if err != nil || len(rest) > 0 || subtle.ConstantTimeCompare(got, want[:]) != 1 {
			return fmt.Errorf("%w: extension value %x, want the OCTET STRING of %x", ErrCertDigest, e.Value, want)
		}
		return nil
	}
	return ErrCertNoACMEExt
}

// checkSAN requires the SAN extension to be exactly one dNSName, domain.
// Go's parser keeps only some name types in its fields, so the extension's
// DER is compared with the one a single dNSName gives.
func checkSAN(leaf *x509.Certificate, domain string) error {
	names := sanNames(leaf)
	if len(leaf.DNSNames) != 1 || !strings.EqualFold(leaf.DNSNames[0], domain) || len(names) != 1 {
		return fmt.Errorf("%w: saw %q", ErrCertSAN, names)
	}
	want, err := asn1.Marshal([]asn1.RawValue{{Tag: 2, Class: asn1.ClassContextSpecific, Bytes: []byte(leaf.DNSNames[0])}})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCertSAN, err)
	}
	for _, e := range leaf.Extensions {
		if e.Id.Equal(oidSAN) && !bytes.Equal(e.Value, want) {
			return fmt.Errorf("%w: the SAN extension holds more than the one name", ErrCertSAN)
		}
	}
	return nil
}

// sanNames lists the names of every type the parser kept, for messages.
func sanNames(leaf *x509.Certificate) []string {
	names := append([]string(nil), leaf.DNSNames...)
	names = append(names, leaf.EmailAddresses...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	for _, u := range leaf.URIs {
		names = append(names, u.String())
	}
	return names
}

// VerifyTLSALPN01 checks a tls-alpn-01 challenge (RFC 8737, BR 3.2.2.4.20)
// for domain: a TLS connection to port 443 of the domain's vetted addresses
// (the same resolution, address guard and IPv6/IPv4 order as file checks,
// through Verifier.HTTP, which must be nil or an ALPNDialer such as *HTTPClient), TLS 1.2 or newer, SNI = domain,
// offering only ALPN acme-tls/1, which must be negotiated; then the leaf
// certificate's rules (CheckTLSALPN01Certificate).
//
// A server that negotiates no ALPN (or answers no_application_protocol)
// is ErrALPNProtocol, "not verified": it answered TLS, so the check ran, and
// the applicant fixes it by serving the challenge. A refused connection, a
// failed handshake, a timeout, a wildcard or a refused address is
// "could not decide".
func (v *Verifier) VerifyTLSALPN01(ctx context.Context, domain, keyAuthorization string) (*Result, error) {
	start := v.begin()
	r := &Result{Method: challenge.TLSALPN01, Domain: domain, Target: domain}
	ctx, cancel := v.bound(ctx)
	defer cancel()
	return v.finish(r, start, v.checkTLSALPN(ctx, r, domain, keyAuthorization))
}

func (v *Verifier) checkTLSALPN(ctx context.Context, r *Result, domain, keyAuthorization string) error {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return newError(ErrBadInput, domain, err)
	}
	r.Domain = d
	if dnsname.IsWildcard(d) {
		e := newError(ErrBadInput, d, fmt.Errorf("%w: tls-alpn-01 validates exact names only (BR 3.2.2.4.20)", challenge.ErrWildcard))
		e.Hint = "validate a wildcard with dns-01, dns-account-01 or dns-persist-01"
		return e
	}
	if keyAuthorization == "" {
		return newError(ErrBadInput, d, errors.New("empty key authorization"))
	}
	target := net.JoinHostPort(d, strconv.Itoa(challenge.TLSALPNPort))
	r.Target = target
	dialer, ok := v.http().(ALPNDialer)
	if !ok {
		// Dialling around Verifier.HTTP (a proxy, a test double) would
		// bypass the resolution and guard the caller set up.
		return newError(ErrBadInput, target, fmt.Errorf("Verifier.HTTP (%T) is no ALPNDialer: tls-alpn-01 connects through its resolution, address guard and dialer", v.HTTP))
	}
	tc, evs, err := dialer.DialACMETLS(ctx, d)
	if err != nil {
		r.Evidence = append(r.Evidence, evs...)
		return err
	}
	defer tc.Close()
	if len(evs) == 0 || evs[len(evs)-1].Protocol != "tls" {
		return newError(ErrBadInput, target, fmt.Errorf("%T.DialACMETLS returned no handshake evidence", v.HTTP))
	}
	ev := evs[len(evs)-1]
	r.Evidence = append(r.Evidence, evs[:len(evs)-1]...)
	cs := tc.ConnectionState()
	proto := cs.NegotiatedProtocol
	ev.Answer = []string{"alpn=" + cmp.Or(proto, "(none)"), "tls=" + tls.VersionName(cs.Version)}
	if proto != challenge.ACMETLSProtocol {
		r.Evidence = append(r.Evidence, ev)
		e := newError(ErrALPNProtocol, target, nil)
		seen := "negotiated no protocol"
		if proto != "" {
			seen = "negotiated " + strconv.Quote(proto)
		}
		e.Server, e.Seen = ev.Server, []string{seen}
		return e
	}
	if len(cs.PeerCertificates) == 0 {
		r.Evidence = append(r.Evidence, ev)
		e := newError(ErrALPNCertificate, target, ErrCertNoACMEExt)
		e.Server = ev.Server
		return e
	}
	leaf := cs.PeerCertificates[0]
	sum := sha256.Sum256(leaf.Raw)
	ev.Answer = append(ev.Answer, "san="+strings.Join(sanNames(leaf), ","), "cert-sha256="+hex.EncodeToString(sum[:]))
	r.Evidence = append(r.Evidence, ev)
	if err := CheckTLSALPN01Certificate(leaf, d, keyAuthorization); err != nil {
		e := newError(ErrALPNCertificate, target, err)
		e.Server, e.Seen, e.Hint = ev.Server, sanNames(leaf), certHint(err)
		return e
	}
	return nil
}

// DialACMETLS resolves domain through the client's DNS (DNSSEC included),
// vets its addresses with the guard, and runs a handshake offering only
// acme-tls/1 on port 443 of each in turn (IPv6 and IPv4 alternating, as
// file checks dial) until one answers. The evidence ends with the
// handshake's own entry whenever one was tried; a failure is an *Error.
func (c *HTTPClient) DialACMETLS(ctx context.Context, domain string) (*tls.Conn, []Evidence, error) {
	target := net.JoinHostPort(domain, strconv.Itoa(challenge.TLSALPNPort))
	addrs, evs, err := c.vetted(ctx, target, domain)
	if err != nil {
		return nil, evs, err
	}
	st := &dialState{}
	began := time.Now()
	ev := Evidence{Protocol: "tls", Query: "TLS " + challenge.ACMETLSProtocol + " " + target, Time: began.UTC()}
	tc, err := alpnHandshake(ctx, c, addrs, domain, st)
	ev.Duration = time.Since(began)
	st.mu.Lock()
	ev.Server = st.server
	st.mu.Unlock()
	if err != nil {
		ev.Error = err.Error()
		return nil, append(evs, ev), handshakeError(ctx, target, st, err)
	}
	return tc, append(evs, ev), nil
}

// alpnHandshake dials the vetted addresses like a file check and runs a
// handshake that offers only acme-tls/1. The challenge certificate is
// self-signed: the chain is not verified, the leaf is checked instead.
func alpnHandshake(ctx context.Context, c *HTTPClient, addrs []netip.Addr, domain string, st *dialState) (*tls.Conn, error) {
	conn, err := c.dialVetted(ctx, addrs, challenge.TLSALPNPort, st)
	if err != nil {
		return nil, err
	}
	conf := &tls.Config{
		ServerName:         domain,
		MinVersion:         tls.VersionTLS12,
		NextProtos:         []string{challenge.ACMETLSProtocol},
		InsecureSkipVerify: true, // the leaf is checked by CheckTLSALPN01Certificate
	}
	return c.handshake(ctx, conn, conf, st)
}

// handshakeError turns a failed tls-alpn-01 handshake into an *Error: a
// certificate the TLS client could not parse (a repeated extension, say)
// is a broken rule and a no_application_protocol alert a refused protocol
// (both "not verified"); anything else is the connection's kind.
func handshakeError(ctx context.Context, target string, st *dialState, err error) error {
	st.mu.Lock()
	server := st.server
	st.mu.Unlock()
	if rule := certParseRule(err); rule != nil {
		e := newError(ErrALPNCertificate, target, fmt.Errorf("%w: %w", rule, err))
		e.Server, e.Hint = server, certHint(rule)
		return e
	}
	if isNoALPNAlert(err) {
		e := newError(ErrALPNProtocol, target, err)
		e.Server, e.Seen = server, []string{"no_application_protocol alert"}
		return e
	}
	return st.classify(ctx, target, err)
}

// certParseRule returns the rule a handshake error reports the server's
// certificate to break, or nil: crypto/tls refuses a certificate that
// x509.ParseCertificate refuses (with a plain-text error), which includes
// any extension given twice.
func certParseRule(err error) error {
	const prefix = "tls: failed to parse certificate from server: "
	if err == nil || !strings.Contains(err.Error(), prefix) {
		return nil
	}
	if strings.Contains(err.Error(), "duplicate extension") {
		return ErrCertExtRepeated
	}
	return ErrCertMalformed
}

// isNoALPNAlert reports whether the server refused every offered protocol
// with the no_application_protocol alert (RFC 7301 §3.2).
func isNoALPNAlert(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error" && op.Err != nil && op.Err.Error() == "tls: no application protocol"
}
