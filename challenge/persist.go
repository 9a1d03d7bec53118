package challenge

import (
	"crypto"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
)

// Fixed names of dns-persist-01 (draft-ietf-acme-dns-persist).
const (
	PersistLabel      = "_validation-persist"
	PersistHashPath   = "/account-hash/" // default accountHashPrefix: the account URL's origin + this
	PersistHashMethod = "sha-256/"
	PersistWildcard   = "wildcard" // the policy value that widens a record to subdomains
)

// ErrPersistUntil refuses a dns-persist-01 record that would be unusable
// from the start.
var ErrPersistUntil = errors.New("persistUntil is not in the future")

// PersistParams is what a dns-persist-01 record says. The zero value is
// not usable: Issuer and AccountURL are required, and AccountKey unless
// Plain is set.
type PersistParams struct {
	Issuer     string           // the CA's issuer domain name, e.g. "letsencrypt.org"
	AccountURL string           // the ACME account URL
	AccountKey crypto.PublicKey // the account key, for the hashed accounturi (draft -02)

	// Plain puts the account URL itself in accounturi, as drafts -00 and
	// -01 (which CAs deploy in 2026) do; false gives draft -02's hash.
	Plain bool
	// AnyDomain hashes over "*" instead of the domain, so one record value
	// can be published for every domain of the account (draft -02).
	AnyDomain bool
	// AccountHashPrefix is the CA's prefix of hashed accounturis; ""
	// means the account URL's origin followed by PersistHashPath.
	AccountHashPrefix string

	Wildcard     bool      // policy=wildcard: also *.domain and every subdomain; implied by a wildcard domain
	PersistUntil time.Time // the record is unusable after this second; zero: no limit
}

// PersistOwner returns _validation-persist.<ADN>, without a trailing dot.
func PersistOwner(domain string) string { return PersistLabel + "." + dnsname.Base(domain) }

// PersistAccountHashPrefix returns the default accountHashPrefix for an
// account URL: its origin followed by "/account-hash/".
func PersistAccountHashPrefix(accountURL string) (string, error) {
	if err := ValidAccountURL(accountURL); err != nil {
		return "", err
	}
	u, _ := url.Parse(accountURL)
	return u.Scheme + "://" + u.Host + PersistHashPath, nil
}

// PersistAccountURI returns draft -02's hashed accounturi:
//
//	prefix + "sha-256/" + base64url(SHA-256(len(domain) || domain || thumbprint || accountURL))
//
// where domain is the FQDN (or "*" for a value reusable across domains),
// len one octet, and thumbprint the account key's RFC 7638 thumbprint.
func PersistAccountURI(prefix, domain, thumbprint, accountURL string) (string, error) {
	if len(domain) == 0 || len(domain) > 255 {
		return "", fmt.Errorf("challenge: %w: domain of %d octets for the accounturi hash", ErrInvalidName, len(domain))
	}
	h := sha256.New()
	h.Write([]byte{byte(len(domain))})
	h.Write([]byte(domain))
	h.Write([]byte(thumbprint))
	h.Write([]byte(accountURL))
	return prefix + PersistHashMethod + b64.EncodeToString(h.Sum(nil)), nil
}

// PersistRecordValue formats a dns-persist-01 TXT value in the RFC 8659
// issue-value grammar: "issuer; accounturi=<uri>[; policy=wildcard][; persistUntil=<unix>]".
func PersistRecordValue(issuer, accountURI string, wildcard bool, until time.Time) string {
	var b strings.Builder
	b.WriteString(issuer + "; accounturi=" + accountURI)
	if wildcard {
		b.WriteString("; policy=" + PersistWildcard)
	}
	if !until.IsZero() {
		b.WriteString("; persistUntil=" + strconv.FormatInt(until.Unix(), 10))
	}
	return b.String()
}

// DNSPersist01 builds a dns-persist-01 challenge: a TXT record at
// _validation-persist.<ADN> naming the CA (its issuer domain name) and the
// account, published once and reused for later orders (BR 3.2.2.4.22). A
// wildcard domain implies policy=wildcard. The challenge expires after the
// Builder's lifetime, or at the end of PersistUntil's second if that comes
// first; the record itself lasts until PersistUntil, or for ever without.
func (b Builder) DNSPersist01(domain string, p PersistParams) (*Challenge, error) {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return nil, err
	}
	issuer, err := dnsname.Domain(p.Issuer)
	if err != nil || dnsname.IsWildcard(issuer) {
		return nil, fmt.Errorf("challenge: %w: issuer domain name %q", ErrInvalidName, p.Issuer)
	}
	if err := ValidAccountURL(p.AccountURL); err != nil {
		return nil, err
	}
	c, err := b.base(DNSPersist01, d)
	if err != nil {
		return nil, err
	}
	uri := p.AccountURL
	if !p.Plain {
		tp, err := Thumbprint(p.AccountKey)
		if err != nil {
			return nil, fmt.Errorf("%w (the hashed accounturi needs the account key; or use the plain URL)", err)
		}
		prefix := p.AccountHashPrefix
		if prefix == "" {
			if prefix, err = PersistAccountHashPrefix(p.AccountURL); err != nil {
				return nil, err
			}
		}
		over := c.ADN
		if p.AnyDomain {
			over = "*"
		}
		if uri, err = PersistAccountURI(prefix, over, tp, p.AccountURL); err != nil {
			return nil, err
		}
	}
	if !p.PersistUntil.IsZero() {
		until := p.PersistUntil.UTC().Truncate(time.Second)
		if !until.After(c.IssuedAt) {
			return nil, fmt.Errorf("challenge: %w: %s", ErrPersistUntil, until.Format(time.RFC3339))
		}
		if end := until.Add(time.Second); end.Before(c.ExpiresAt) {
			c.ExpiresAt = end // usable during its last second
		}
	}
	wildcard := p.Wildcard || dnsname.IsWildcard(d)
	c.AccountURL = p.AccountURL
	if c.Record, err = record("TXT", PersistOwner(d), PersistRecordValue(issuer, uri, wildcard, p.PersistUntil)); err != nil {
		return nil, err
	}
	return c, nil
}

// wantPersist recomputes a dns-persist-01 record: the value as published
// (the CA side parses it fully, in package verify) at
// _validation-persist.<ADN>, for the account named.
func (c *Challenge) wantPersist() (typ, labels, value string, err error) {
	if err := ValidAccountURL(c.AccountURL); err != nil {
		return "", "", "", asBadChallenge(err)
	}
	v := c.Record.Value
	issuer, params, ok := strings.Cut(v, ";")
	if !ok || strings.TrimSpace(issuer) == "" || !strings.Contains(strings.ToLower(params), "accounturi=") {
		return "", "", "", badChallenge("dns-persist-01 value %q is not \"issuer; accounturi=...\"", v)
	}
	return "TXT", PersistLabel, v, nil
}
