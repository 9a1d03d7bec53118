package challenge

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"slices"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/internal/random"
)

// Fixed values of tls-alpn-01 (RFC 8737).
const (
	ACMETLSProtocol = "acme-tls/1" // the only ALPN protocol the validator offers
	TLSALPNPort     = 443
)

// ACMEIdentifierOID returns id-pe-acmeIdentifier, 1.3.6.1.5.5.7.1.31, the
// extension that carries the key authorization's digest (a fresh copy on
// each call).
func ACMEIdentifierOID() asn1.ObjectIdentifier {
	return asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 31}
}

// TLSALPNSpec is a tls-alpn-01 challenge: the certificate a TLS server on
// port 443 presents when a client sends SNI = the domain and offers only
// ALPN "acme-tls/1". The private key never appears in the JSON form.
type TLSALPNSpec struct {
	Protocol       string `json:"protocol"`                  // ACMETLSProtocol
	Port           int    `json:"port"`                      // TLSALPNPort
	Digest         string `json:"digest"`                    // hex SHA-256(key authorization), the extension's value
	CertificatePEM string `json:"certificate_pem,omitempty"` // self-signed challenge certificate
	KeyPEM         string `json:"-"`                         // its private key (PKCS #8)
}

// TLSALPN01Extension returns the critical acmeIdentifier extension whose
// value is the DER OCTET STRING of SHA-256(keyAuthorization).
func TLSALPN01Extension(keyAuthorization string) pkix.Extension {
	sum := sha256.Sum256([]byte(keyAuthorization))
	v, _ := asn1.Marshal(sum[:]) // marshalling a byte slice cannot fail
	return pkix.Extension{Id: ACMEIdentifierOID(), Critical: true, Value: v}
}

// TLSALPN01Certificate returns a self-signed tls-alpn-01 certificate for
// domain (a fresh P-256 key, one dNSName SAN, the critical acmeIdentifier
// extension), valid from notBefore to notAfter, ready for a tls.Config.
// Wildcards are refused: RFC 8737 validates only exact names.
func TLSALPN01Certificate(domain, keyAuthorization string, notBefore, notAfter time.Time) (tls.Certificate, error) {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return tls.Certificate{}, err
	}
	if dnsname.IsWildcard(d) {
		return tls.Certificate{}, fmt.Errorf("challenge: %s: %w: tls-alpn-01 cannot validate wildcards; use dns-01", d, ErrWildcard)
	}
	src := random.Source{}
	key, err := src.Key()
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := src.Serial()
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: d},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{d},
		ExtraExtensions:       []pkix.Extension{TLSALPN01Extension(keyAuthorization)},
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("challenge: creating the tls-alpn-01 certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("challenge: parsing the tls-alpn-01 certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// TLSALPN01 builds an RFC 8737 tls-alpn-01 challenge: the key authorization,
// its digest, and a self-signed certificate with its private key (PEM) for
// the applicant's TLS server. Wildcards are refused (BR 3.2.2.4.20).
func (b Builder) TLSALPN01(domain, token string, accountKey crypto.PublicKey) (*Challenge, error) {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return nil, err
	}
	if dnsname.IsWildcard(d) {
		return nil, fmt.Errorf("challenge: %s: %w: tls-alpn-01 cannot validate wildcards; use dns-01", d, ErrWildcard)
	}
	ka, err := KeyAuthorization(token, accountKey)
	if err != nil {
		return nil, err
	}
	c, err := b.base(TLSALPN01, d)
	if err != nil {
		return nil, err
	}
	cert, err := TLSALPN01Certificate(d, ka, c.IssuedAt.Add(-time.Hour), c.ExpiresAt)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("challenge: encoding the tls-alpn-01 key: %w", err)
	}
	sum := sha256.Sum256([]byte(ka))
	c.Token, c.KeyAuthorization = token, ka
	c.TLSALPN = &TLSALPNSpec{
		Protocol:       ACMETLSProtocol,
		Port:           TLSALPNPort,
		Digest:         hex.EncodeToString(sum[:]),
		CertificatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})),
		KeyPEM:         string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
	}
	return c, nil
}

// validateTLSALPN checks the tls-alpn-01 part of c: an exact name, a key
// authorization for c.Token, its digest, protocol and port.
func (c *Challenge) validateTLSALPN() error {
	s := c.TLSALPN
	if s == nil {
		return badChallenge("tls-alpn-01 needs a tls_alpn part")
	}
	if dnsname.IsWildcard(c.Domain) {
		return badChallenge("tls-alpn-01 cannot validate a wildcard name")
	}
	if err := c.validKeyAuthorization(); err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(c.KeyAuthorization))
	if s.Digest != hex.EncodeToString(sum[:]) {
		return badChallenge("tls_alpn digest %q is not SHA-256 of the key authorization", s.Digest)
	}
	if s.Protocol != ACMETLSProtocol || s.Port != TLSALPNPort {
		return badChallenge("tls-alpn-01 is %s on port %d, not %q on %d", ACMETLSProtocol, TLSALPNPort, s.Protocol, s.Port)
	}
	if s.CertificatePEM != "" {
		block, _ := pem.Decode([]byte(s.CertificatePEM))
		if block == nil || block.Type != "CERTIFICATE" {
			return badChallenge("tls_alpn certificate_pem holds no CERTIFICATE block")
		}
		leaf, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return badChallenge("tls_alpn certificate_pem: %v", err)
		}
		if !slices.Equal(leaf.DNSNames, []string{c.Domain}) || !hasExtension(leaf, TLSALPN01Extension(c.KeyAuthorization)) {
			return badChallenge("tls_alpn certificate is not for %s and this key authorization", c.Domain)
		}
	}
	return nil
}

// hasExtension reports whether leaf carries ext exactly (ID, criticality,
// value).
func hasExtension(leaf *x509.Certificate, ext pkix.Extension) bool {
	return slices.ContainsFunc(leaf.Extensions, func(e pkix.Extension) bool {
		return e.Id.Equal(ext.Id) && e.Critical == ext.Critical && bytes.Equal(e.Value, ext.Value)
	})
}
