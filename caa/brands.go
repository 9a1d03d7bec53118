package caa

import (
	"sort"
	"strings"
)

// brands maps a CA brand to the issuer domain names its CAA records may
// use. Read only through Brands and ResolveIdentity; never mutated.
var brands = map[string][]string{
	// The Alibaba FAQ's advice for certificates bought from Alibaba Cloud.
	"alibaba":     {"trust-provider.com", "globalsign.com", "sectigo.com"},
	"amazon":      {"amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"},
	"buypass":     {"buypass.com", "buypass.no"},
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
// issuer domain names each uses in CAA records.
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
