// Package random is the one place where random values are drawn. Every value
// carries at least 128 bits from crypto/rand (the CA/B Forum Baseline
// Requirements ask for 112).
package random

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
)

// Bits is the entropy of every value this package draws.
const Bits = 128

// Source draws random values. The zero value reads crypto/rand; tests may set
// Reader to a deterministic stream.
type Source struct {
	Reader io.Reader // nil means crypto/rand.Reader
}

func (s Source) read(n int) ([]byte, error) {
	r := s.Reader
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("drawing a random value: %w", err)
	}
	return b, nil
}

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Value returns a random value safe in DNS labels, TXT records, file bodies and
// URLs: 128 bits as 26 lower-case base32 characters.
func (s Source) Value() (string, error) {
	b, err := s.read(Bits / 8)
	if err != nil {
		return "", err
	}
	return lowerBase32.EncodeToString(b), nil
}

// Token returns an ACME-style token: 128 bits as unpadded base64url.
func (s Source) Token() (string, error) {
	b, err := s.read(Bits / 8)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Serial returns a positive 128-bit certificate serial number (RFC 5280
// §4.1.2.2 allows up to 20 octets).
func (s Source) Serial() (*big.Int, error) {
	b, err := s.read(Bits / 8)
	if err != nil {
		return nil, err
	}
	b[0] &= 0x7f // positive even when DER-encoded as a signed integer
	b[0] |= 0x40 // and never shorter than 16 octets
	return new(big.Int).SetBytes(b), nil
}

// Key returns a fresh ECDSA P-256 key, for short-lived certificates such
// as the tls-alpn-01 challenge certificate. The key comes from crypto/rand
// whatever Reader says: Go's key generation takes no other source.
func (s Source) Key() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating a key: %w", err)
	}
	return k, nil
}

// IsValue reports whether s has the form Value draws: 26 characters of
// lower-case base32, which is 128 bits.
func IsValue(s string) bool {
	if len(s) != 26 {
		return false
	}
	b, err := lowerBase32.DecodeString(s)
	return err == nil && len(b) == Bits/8 && lowerBase32.EncodeToString(b) == s
}
