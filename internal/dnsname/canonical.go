package dnsname

import (
	"bytes"

	"github.com/miekg/dns"
)

// wireLabels returns the labels of a presentation-format name as
// lower-cased wire octets (escapes such as \046 decoded), or false if it is
// not a valid name.
func wireLabels(n string) ([][]byte, bool) {
	buf := make([]byte, 256)
	off, err := dns.PackDomainName(dns.Fqdn(n), buf, 0, nil, false)
	if err != nil {
		return nil, false
	}
	buf = buf[:off]
	for i, c := range buf { // ASCII only: bytes.ToLower would rewrite non-UTF-8 octets
		if 'A' <= c && c <= 'Z' {
			buf[i] = c + 'a' - 'A'
		}
	}
	var out [][]byte
	for i := 0; i < len(buf) && buf[i] != 0; {
		l := int(buf[i])
		if i+1+l > len(buf) {
			return nil, false
		}
		out = append(out, buf[i+1:i+1+l])
		i += 1 + l
	}
	return out, true
}

// CanonicalCompare orders two DNS names (presentation format, any case,
// with or without the trailing dot) in the canonical order of RFC 4034
// §6.1, the order of NSEC chains: it returns a negative number when a sorts
// before b, zero when they are the same name, a positive number otherwise.
// Invalid names sort before every valid one.
func CanonicalCompare(a, b string) int {
	la, oka := wireLabels(a)
	lb, okb := wireLabels(b)
	switch {
	case !oka && !okb:
		return 0
	case !oka:
		return -1
	case !okb:
		return 1
	}
	for i := 1; ; i++ {
		if i > len(la) || i > len(lb) {
			return len(la) - len(lb)
		}
		if c := bytes.Compare(la[len(la)-i], lb[len(lb)-i]); c != 0 {
			return c
		}
	}
}

// Canonical is miekg/dns's CanonicalName (fully qualified, ASCII letters
// lower-cased) without its cost on the hot path: s itself when it already
// is canonical, and bytes other than 'A'-'Z' left as they are.
func Canonical(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			upper = true
			break
		}
	}
	if !upper {
		return dns.Fqdn(s)
	}
	b := make([]byte, len(s), len(s)+1)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	if !dns.IsFqdn(s) {
		b = append(b, '.')
	}
	return string(b)
}
