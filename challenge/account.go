package challenge

import (
	"crypto"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/url"
	"strings"

	"github.com/dcvkit/dcv/internal/dnsname"
)

// DNSAccountLabel returns the dns-account-01 owner label for an ACME
// account (draft-ietf-acme-dns-account-label): "_" and the lower-case,
// unpadded base32 of the first 10 bytes of SHA-256(account URL), 16
// characters.
func DNSAccountLabel(accountURL string) string {
	sum := sha256.Sum256([]byte(accountURL))
	return "_" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:10]))
}

// DNSAccountOwner returns the dns-account-01 owner name,
// _<label>._acme-challenge.<ADN> (a leading "*." removed), without a
// trailing dot.
func DNSAccountOwner(domain, accountURL string) string {
	return dnsAccountLabels(accountURL) + "." + dnsname.Base(domain)
}

// dnsAccountLabels is the part of the owner name above the ADN:
// _<label>._acme-challenge.
func dnsAccountLabels(accountURL string) string {
	return DNSAccountLabel(accountURL) + "." + ACMEDNSLabel
}

// ValidAccountURL accepts an absolute http or https URL with a host and no
// fragment or user information: the ACME account URL ("kid") a CA issued.
func ValidAccountURL(accountURL string) error {
	u, err := url.Parse(accountURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("challenge: %w: account URL %q is not an absolute http(s) URL", ErrAccountURL, accountURL)
	}
	if strings.ContainsAny(accountURL, " \t\r\n;") {
		return fmt.Errorf("challenge: %w: account URL %q holds a space or ';'", ErrAccountURL, accountURL)
	}
	return nil
}

// DNSAccount01 builds a dns-account-01 challenge: the dns-01 value at
// _<account label>._acme-challenge.<ADN>, so several ACME clients (one per
// account) can each hold a record for the same name. A wildcard *.d is
// validated at d (BR 3.2.2.4.21).
func (b Builder) DNSAccount01(domain, token string, accountKey crypto.PublicKey, accountURL string) (*Challenge, error) {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return nil, err
	}
	if err := ValidAccountURL(accountURL); err != nil {
		return nil, err
	}
	ka, err := KeyAuthorization(token, accountKey)
	if err != nil {
		return nil, err
	}
	c, err := b.base(DNSAccount01, d)
	if err != nil {
		return nil, err
	}
	c.Token, c.KeyAuthorization, c.AccountURL = token, ka, accountURL
	if c.Record, err = record("TXT", DNSAccountOwner(d, accountURL), DNS01Value(ka)); err != nil {
		return nil, err
	}
	return c, nil
}

// wantDNSAccount recomputes a dns-account-01 record: dns-01's value of the
// key authorization at the account's owner name.
func (c *Challenge) wantDNSAccount() (typ, labels, value string, err error) {
	if err := ValidAccountURL(c.AccountURL); err != nil {
		return "", "", "", asBadChallenge(err)
	}
	if err := c.validKeyAuthorization(); err != nil {
		return "", "", "", err
	}
	if !dns01Matches(c.KeyAuthorization, c.Record.Value) {
		return "", "", "", badChallenge("dns-account-01 value is not the digest of the key authorization")
	}
	return "TXT", dnsAccountLabels(c.AccountURL), c.Record.Value, nil
}
