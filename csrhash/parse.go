package csrhash

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/dcvkit/dcv/internal/dnsname"
)

// CSR is a parsed, signature-checked certificate signing request.
type CSR struct {
	DER     []byte                   // the CSR's DER bytes, which the hashes are over
	Request *x509.CertificateRequest // the parsed request
	Hashes  Hashes                   // MD5 and SHA-256 of DER
	// Domains are the CN, then the DNS SANs, normalized and without
	// duplicates, in order. Empty if the CSR names no valid domain.
	Domains []string
	// Skipped are CN and SAN values that are not valid domain names (a CN
	// such as "My Company", IP, email and URI SANs, a public suffix), as given.
	Skipped []string
}

// PEM block types that hold a CSR.
const (
	pemCSR    = "CERTIFICATE REQUEST"
	pemNewCSR = "NEW CERTIFICATE REQUEST"
)

// Parse reads one CSR, as PEM (a CERTIFICATE REQUEST or NEW CERTIFICATE
// REQUEST block, with any text around it, LF or CRLF) or as raw DER, checks
// its signature and hashes its DER bytes. Anything else is an *InputError.
func Parse(data []byte) (*CSR, error) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, inputError(ErrEmpty, "", nil)
	case len(data) > MaxSize:
		return nil, inputError(ErrTooLarge, fmt.Sprintf("%d bytes", len(data)), nil)
	}
	der, isPEM, err := findDER(data)
	if err != nil {
		return nil, err
	}
	req, err := x509.ParseCertificateRequest(der)
	if err != nil {
		if kind := derKind(der); kind != "" {
			return nil, inputError(ErrNotCSR, kind, nil)
		}
		what := "the data"
		if isPEM {
			what = "the CERTIFICATE REQUEST block"
		}
		return nil, inputError(ErrMalformed, what, err)
	}
	if err := req.CheckSignature(); err != nil {
		return nil, inputError(ErrSignature, "", err)
	}
	c := &CSR{DER: req.Raw, Request: req, Hashes: Sum(req.Raw)}
	c.names()
	return c, nil
}

// findDER returns the DER of the single CSR block in PEM data, or data itself
// (isPEM true), or data itself when it holds no PEM at all.
func findDER(data []byte) (der []byte, isPEM bool, err error) {
	var (
		found []byte
		csrs  int
		other string
		rest  = data
	)
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		return data, false, nil
	}
	rest = unindent(data)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case pemCSR, pemNewCSR:
			csrs++
			found = b.Bytes
		default:
			if other == "" {
				other = b.Type
			}
		}
	}
	switch {
	case csrs == 1:
		return found, true, nil
	case csrs > 1:
		return nil, true, inputError(ErrMalformed, fmt.Sprintf("input with %d CSR blocks", csrs), nil)
	case other != "":
		return nil, true, inputError(ErrNotCSR, other, nil)
	}
	// pem.Decode skips a block it cannot read (bad base64, no END line).
	return nil, true, inputError(ErrMalformed, "a PEM block with bad base64 or no END line", nil)
}

// unindent puts every BEGIN and END line at the start of its own line and
// trims spaces, tabs and CRs around each line, so a CSR pasted indented or
// after text on the same line still decodes. This is safe to be lenient
// about: the hashes are over the decoded DER, whose signature Parse checks.
func unindent(data []byte) []byte {
	out := make([]byte, 0, len(data)+16)
	for line := range bytes.Lines(data) {
		line = bytes.Trim(line, " \t\r\n")
		for _, marker := range [][]byte{[]byte("-----BEGIN "), []byte("-----END ")} {
			if i := bytes.Index(line, marker); i > 0 {
				out = append(out, bytes.TrimRight(line[:i], " \t")...)
				out = append(out, '\n')
				line = line[i:]
			}
		}
		out = append(out, line...)
		out = append(out, '\n')
	}
	return out
}

// derKind names what DER that is not a CSR is, or returns "".
func derKind(der []byte) string {
	if _, err := x509.ParseCertificate(der); err == nil {
		return "DER certificate"
	}
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return "DER private key"
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return "DER private key"
	}
	if _, err := x509.ParseECPrivateKey(der); err == nil {
		return "DER private key"
	}
	if _, err := x509.ParsePKIXPublicKey(der); err == nil {
		return "DER public key"
	}
	return ""
}

// names fills Domains and Skipped from the CN and the SANs.
func (c *CSR) names() {
	seen := map[string]bool{}
	skip := func(s string) {
		if !seen["\x00"+s] {
			seen["\x00"+s] = true
			c.Skipped = append(c.Skipped, s)
		}
	}
	add := func(s string) {
		d, err := dnsname.Domain(s)
		if err != nil {
			skip(s)
			return
		}
		if !seen[d] {
			seen[d] = true
			c.Domains = append(c.Domains, d)
		}
	}
	r := c.Request
	if r.Subject.CommonName != "" {
		add(r.Subject.CommonName)
	}
	for _, s := range r.DNSNames {
		add(s)
	}
	for _, ip := range r.IPAddresses {
		skip(ip.String())
	}
	for _, e := range r.EmailAddresses {
		skip(e)
	}
	for _, u := range r.URIs {
		skip(u.String())
	}
}

// Covers reports whether validating domain serves this CSR: domain (given
// in any form dnsname accepts, e.g. "WWW.Example.com.") is one of Domains,
// the wildcard or base form of one ("*.example.com" for "example.com" and
// back), or a parent of one — an authorization domain name the Baseline
// Requirements allow validating instead (BR 3.2.2.4). A name that is not a
// valid domain is not covered.
func (c *CSR) Covers(domain string) bool {
	d, err := dnsname.Domain(domain)
	if c == nil || err != nil {
		return false
	}
	b := dnsname.Base(d)
	for _, cd := range c.Domains {
		cb := dnsname.Base(cd)
		if cd == d || cb == b || strings.HasSuffix(cb, "."+b) {
			return true
		}
	}
	return false
}
