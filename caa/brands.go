package caa

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/dcvkit/dcv/internal/dnsname"
)

// brands maps a CA brand to the issuer domain names its CAA records may
// use; the first is the brand's own domain, the one the SSL.com/Sectigo
// hash-based methods write. Read only through Brands, BrandNames,
// IssuerDomains and ResolveIdentity; never mutated.
var brands = map[string][]string{
	// The Alibaba FAQ's advice for certificates bought from Alibaba Cloud.
	"alibaba":     {"trust-provider.com", "globalsign.com", "sectigo.com"},
	"amazon":      {"amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"},
	"buypass":     {"buypass.com", "buypass.no"},
	"comodo":      {"comodoca.com", "comodo.com", "sectigo.com", "trust-provider.com", "usertrust.com"},
	"digicert":    {"digicert.com", "symantec.com", "thawte.com", "geotrust.com", "rapidssl.com", "digicert.ne.jp", "cybertrust.ne.jp"},
	"entrust":     {"entrust.net"},
	"globalsign":  {"globalsign.com"},
	"godaddy":     {"godaddy.com", "starfieldtech.com"},
	"google":      {"pki.goog"},
	"letsencrypt": {"letsencrypt.org"},
	"sectigo":     {"sectigo.com", "comodoca.com", "comodo.com", "trust-provider.com", "usertrust.com"},
	"ssl.com":     {"ssl.com"},
}

// Brands returns a fresh copy of the table of well-known CA brands and the
// issuer domain names each uses in CAA records, the brand's own first.
func Brands() map[string][]string {
	out := make(map[string][]string, len(brands))
	for b, ds := range brands {
		out[b] = append([]string(nil), ds...)
	}
	return out
}

// BrandNames returns the brand names of Brands, sorted.
func BrandNames() []string {
	out := make([]string, 0, len(brands))
	for b := range brands {
		out = append(out, b)
	}
	sort.Strings(out)
	return out
}

// ResolveIdentity turns a CA identity as a user gives it into issuer
// domain names: a brand from Brands stands for its domains, anything else
// is taken as an issuer domain. Names are trimmed, lower-cased, stripped of
// one trailing dot and de-duplicated, in order of first appearance.
func ResolveIdentity(names []string) []string {
	var out []string
	seen := make(map[string]bool)
	add := func(d string) {
		if d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	for _, n := range names {
		n = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), ".")
		if ds, ok := brands[n]; ok {
			for _, d := range ds {
				add(d)
			}
			continue
		}
		add(n)
	}
	return out
}

// ErrUnknownIssuer: a CA identity is neither a brand nor an issuer domain
// name under an ICANN public suffix.
var ErrUnknownIssuer = errors.New("caa: not a CA brand or issuer domain name")

// IssuerDomains resolves one CA identity as a user types it (trimmed,
// case-insensitive, one trailing dot ignored): a brand from Brands gives
// its issuer domains, the brand's own first; any other value must be a
// syntactically valid issuer domain name in the public DNS (letters,
// digits and inner hyphens, under an ICANN public suffix) and is returned
// alone. Anything else is an error wrapping ErrUnknownIssuer that lists
// the brands.
func IssuerDomains(name string) ([]string, error) {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	if ds, ok := brands[n]; ok {
		return append([]string(nil), ds...), nil
	}
	d, err := dnsname.Domain(n)
	if err == nil {
		err = dnsname.Public(d)
	}
	if err != nil || !isDomain(d) {
		return nil, fmt.Errorf("%w: %q (want an issuer domain such as ssl.com, or a brand: %s)",
			ErrUnknownIssuer, name, strings.Join(BrandNames(), ", "))
	}
	return []string{d}, nil
}
