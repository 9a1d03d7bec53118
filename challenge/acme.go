package challenge

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"

	"github.com/dcvkit/dcv/internal/dnsname"
)

// minTokenLen is 128 bits in base64url (RFC 8555 §8.1: tokens MUST carry at
// least 128 bits of entropy).
const minTokenLen = 22

// ValidACMEToken accepts only non-empty base64url tokens of at least 22
// characters, so a token can never smuggle a path or a query into a URL.
func ValidACMEToken(token string) error {
	if len(token) < minTokenLen || len(token) > 512 {
		return fmt.Errorf("challenge: %w: ACME token must be 22 to 512 base64url characters (128 bits or more), got %d", ErrToken, len(token))
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("challenge: %w: ACME token has %q at %d; only base64url characters are allowed", ErrToken, c, i)
		}
	}
	return nil
}

// ParseAccountKey reads an ACME account key from PEM: PKCS#8 "PRIVATE KEY",
// SEC 1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or PKIX "PUBLIC KEY".
// It returns the public key; only its public half is ever needed.
func ParseAccountKey(pemData []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return nil, fmt.Errorf("challenge: %w: no PEM block found", ErrAccountKey)
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("challenge: %w: PEM block %q; want PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY or PUBLIC KEY", ErrAccountKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("challenge: %w: %s: %v", ErrAccountKey, block.Type, err)
	}
	if s, ok := key.(crypto.Signer); ok {
		key = s.Public()
	}
	if _, err := Thumbprint(key); err != nil {
		return nil, err
	}
	return key, nil
}

var b64 = base64.RawURLEncoding

// Thumbprint returns the RFC 7638 JWK thumbprint (SHA-256, base64url) of an
// RSA, ECDSA P-256/384/521 or Ed25519 public key.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	var jwk string
	switch k := pub.(type) {
	case *rsa.PublicKey:
		e := big.NewInt(int64(k.E)).Bytes()
		jwk = fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`, b64.EncodeToString(e), b64.EncodeToString(k.N.Bytes()))
	case *ecdsa.PublicKey:
		var crv string
		switch k.Curve {
		case elliptic.P256():
			crv = "P-256"
		case elliptic.P384():
			crv = "P-384"
		case elliptic.P521():
			crv = "P-521"
		default:
			return "", fmt.Errorf("challenge: %w: unsupported EC curve", ErrAccountKey)
		}
		point, err := k.Bytes() // 0x04 || X || Y, each at the curve's full length
		if err != nil {
			return "", fmt.Errorf("challenge: %w: %v", ErrAccountKey, err)
		}
		n := (len(point) - 1) / 2
		jwk = fmt.Sprintf(`{"crv":"%s","kty":"EC","x":"%s","y":"%s"}`, crv,
			b64.EncodeToString(point[1:1+n]), b64.EncodeToString(point[1+n:]))
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", fmt.Errorf("challenge: %w: Ed25519 key of %d bytes", ErrAccountKey, len(k))
		}
		jwk = fmt.Sprintf(`{"crv":"Ed25519","kty":"OKP","x":"%s"}`, b64.EncodeToString(k))
	default:
		return "", fmt.Errorf("challenge: %w: %T (want RSA, ECDSA P-256/384/521 or Ed25519)", ErrAccountKey, pub)
	}
	sum := sha256.Sum256([]byte(jwk))
	return b64.EncodeToString(sum[:]), nil
}

// KeyAuthorization returns token + "." + the account key's thumbprint
// (RFC 8555 §8.1).
func KeyAuthorization(token string, accountKey crypto.PublicKey) (string, error) {
	if err := ValidACMEToken(token); err != nil {
		return "", err
	}
	tp, err := Thumbprint(accountKey)
	if err != nil {
		return "", err
	}
	return token + "." + tp, nil
}

// DNS01Value returns the dns-01 TXT value: base64url(SHA-256(keyAuthorization)).
func DNS01Value(keyAuthorization string) string {
	sum := sha256.Sum256([]byte(keyAuthorization))
	return b64.EncodeToString(sum[:])
}

// ACMEHTTP01 builds an RFC 8555 http-01 challenge: the key authorization at
// http://<domain>/.well-known/acme-challenge/<token>. Wildcards are refused.
func (b Builder) ACMEHTTP01(domain, token string, accountKey crypto.PublicKey) (*Challenge, error) {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return nil, nameErr(err)
	}
	if dnsname.IsWildcard(d) {
		return nil, fmt.Errorf("challenge: %s: %w: http-01 cannot validate wildcards; use dns-01", d, ErrWildcard)
	}
	ka, err := KeyAuthorization(token, accountKey)
	if err != nil {
		return nil, err
	}
	c, err := b.base(ACMEHTTP01, d)
	if err != nil {
		return nil, err
	}
	c.Token, c.KeyAuthorization = token, ka
	path := ACMEHTTPPrefix + token
	c.File = &FileSpec{Path: path, Content: ka, URLs: urls([]string{d}, path, "http")}
	return c, nil
}

// ACMEDNS01 builds an RFC 8555 dns-01 challenge: a TXT record at
// _acme-challenge.<ADN> holding DNS01Value(keyAuthorization).
func (b Builder) ACMEDNS01(domain, token string, accountKey crypto.PublicKey) (*Challenge, error) {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return nil, nameErr(err)
	}
	ka, err := KeyAuthorization(token, accountKey)
	if err != nil {
		return nil, err
	}
	c, err := b.base(ACMEDNS01, d)
	if err != nil {
		return nil, err
	}
	c.Token, c.KeyAuthorization = token, ka
	if c.Record, err = record("TXT", ACMEDNSLabel+"."+c.ADN, DNS01Value(ka)); err != nil {
		return nil, err
	}
	return c, nil
}
