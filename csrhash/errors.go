package csrhash

import (
	"errors"
	"fmt"
)

// Kinds of refused input. Every error from this package is an *InputError
// whose Kind is one of these: test with errors.Is(err, csrhash.ErrNotCSR).
var (
	ErrEmpty       = errors.New("input is empty")
	ErrTooLarge    = errors.New("input is larger than 64 KiB")
	ErrNotCSR      = errors.New("input is not a CSR")
	ErrMalformed   = errors.New("input cannot be parsed as a CSR")
	ErrSignature   = errors.New("CSR signature does not verify")
	ErrBadToken    = errors.New("token must be 1 to 20 ASCII letters or digits")
	ErrBadCADomain = errors.New("CA domain is not a valid domain name")
	ErrBadDomain   = errors.New("domain is not a valid domain name")
	ErrBadHash     = errors.New("hash is not hex of the right length")
)

// InputError reports refused input: the kind, what was seen and the cause.
type InputError struct {
	Kind  error  // one of the Err* values above
	Found string // what was seen, e.g. the PEM type "CERTIFICATE" or the token given
	Err   error  // underlying cause (from crypto/x509, dnsname, ...), may be nil
}

// Error says what was refused and what to give instead, then the cause.
func (e *InputError) Error() string {
	s := "csrhash: " + e.what()
	if e.Err != nil {
		s += " (" + e.Err.Error() + ")"
	}
	return s
}

// what says what was seen and what to do about it.
func (e *InputError) what() string {
	switch e.Kind {
	case ErrEmpty:
		return "input is empty: give the CSR, the -----BEGIN CERTIFICATE REQUEST----- block"
	case ErrTooLarge:
		return fmt.Sprintf("input is %s, over the %d-byte limit: give only the CSR", e.Found, MaxSize)
	case ErrNotCSR:
		switch e.Found {
		case "CERTIFICATE", "DER certificate", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
			return "this is a certificate, not a CSR: give the CSR you generated the key with"
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
			"OPENSSH PRIVATE KEY", "DSA PRIVATE KEY", "DER private key":
			return "this is a private key, not a CSR: keep it secret and give the CSR made from it (openssl req -new -key ...)"
		case "PUBLIC KEY", "RSA PUBLIC KEY", "DER public key":
			return "this is a public key, not a CSR: give the CSR made from its key pair (openssl req -new -key ...)"
		}
		return fmt.Sprintf("PEM block %q is not a CSR: give the CERTIFICATE REQUEST block", e.Found)
	case ErrMalformed:
		return e.Found + " is not a readable CSR: give the CSR as PEM (-----BEGIN CERTIFICATE REQUEST-----) or DER, unchanged"
	case ErrSignature:
		return "the CSR's signature does not verify, so it was altered or damaged: give the CSR exactly as generated"
	case ErrBadToken:
		return fmt.Sprintf("token %q is not 1 to 20 ASCII letters or digits: copy the token from the CA's order page", e.Found)
	case ErrBadCADomain:
		return fmt.Sprintf("CA domain %q is not usable: use the CA's domain, e.g. %s, %s or %s", e.Found, CASSL, CASectigo, CAComodo)
	case ErrBadDomain:
		return fmt.Sprintf("domain %q cannot be validated: give the domain name the certificate is for", e.Found)
	case ErrBadHash:
		return fmt.Sprintf("hash %q is not hex of the right length (MD5 32, SHA-256 64): compute it with Sum or Parse", e.Found)
	}
	return fmt.Sprintf("%v: %s", e.Kind, e.Found)
}

// Unwrap returns Kind and Err, so errors.Is matches both.
func (e *InputError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func inputError(kind error, found string, err error) error {
	return &InputError{Kind: kind, Found: found, Err: err}
}
