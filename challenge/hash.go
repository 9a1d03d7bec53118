package challenge

import (
	"fmt"

	"github.com/dcvkit/dcv/csrhash"
	"github.com/dcvkit/dcv/internal/dnsname"
)

// HashFile builds the SSL.com/Sectigo hash-based file challenge for one
// domain of the CSR: /.well-known/pki-validation/<MD5>.txt holding the SHA-256,
// the CA domain and the optional unique token, over http or https (either
// suffices). Wildcards are refused.
func (b Builder) HashFile(csr *csrhash.CSR, domain, caDomain, token string) (*Challenge, error) {
	d, err := csrDomain(csr, domain)
	if err != nil {
		return nil, err
	}
	if dnsname.IsWildcard(d) {
		return nil, fmt.Errorf("challenge: %s: %w: use hash-cname", d, ErrWildcard)
	}
	content, err := csr.Hashes.FileContent(caDomain, token)
	if err != nil {
		return nil, err
	}
	c, err := b.base(HashFile, d)
	if err != nil {
		return nil, err
	}
	c.Token = token
	c.CADomain, _ = dnsname.Domain(caDomain) // FileContent above already refused a bad one
	path := csr.Hashes.FilePath()
	c.File = &FileSpec{Path: path, Content: content, URLs: urls([]string{c.ADN}, path, "http", "https")}
	return c, nil
}

// HashCNAME builds the SSL.com/Sectigo hash-based CNAME challenge for one
// domain of the CSR: _<MD5>.<ADN> CNAME <sha256 split>[.<token>].<ca-domain>.
func (b Builder) HashCNAME(csr *csrhash.CSR, domain, caDomain, token string) (*Challenge, error) {
	d, err := csrDomain(csr, domain)
	if err != nil {
		return nil, err
	}
	name, target, err := csr.Hashes.CNAME(d, caDomain, token)
	if err != nil {
		return nil, err
	}
	c, err := b.base(HashCNAME, d)
	if err != nil {
		return nil, err
	}
	c.Token = token
	c.CADomain, _ = dnsname.Domain(caDomain) // CNAME above already refused a bad one
	if c.Record, err = record("CNAME", name, target); err != nil {
		return nil, err
	}
	return c, nil
}

// ForCSR builds one hash-based challenge (HashFile or HashCNAME) per domain
// in the CSR, as a multi-domain (UCC/SAN) order validates each of them.
func (b Builder) ForCSR(csr *csrhash.CSR, m Method, caDomain, token string) ([]*Challenge, error) {
	if csr == nil || len(csr.Domains) == 0 {
		return nil, fmt.Errorf("challenge: %w: the CSR names no DNS domain", ErrDomainNotInCSR)
	}
	build := b.HashCNAME
	switch m {
	case HashFile:
		build = b.HashFile
	case HashCNAME:
	default:
		return nil, fmt.Errorf("challenge: %w: ForCSR takes hash-file or hash-cname, not %q", ErrBadChallenge, m)
	}
	out := make([]*Challenge, 0, len(csr.Domains))
	for _, d := range csr.Domains {
		c, err := build(csr, d, caDomain, token)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// csrDomain normalizes domain. Whether it must appear in the CSR is the
// caller's policy; the hashes are computed for any valid name.
func csrDomain(csr *csrhash.CSR, domain string) (string, error) {
	if csr == nil {
		return "", fmt.Errorf("challenge: %w: no CSR given", ErrBadChallenge)
	}
	d, err := dnsname.Domain(domain)
	if err != nil {
		return "", nameErr(err)
	}
	return d, nil
}
