package dnssec

import (
	"strings"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/miekg/dns"
)

// canon returns n in canonical form: lower case, fully qualified.
func canon(n string) string { return dns.CanonicalName(n) }

// show renders a name for a message: without the trailing dot, "." for the root.
func show(n string) string {
	n = canon(n)
	if n == "." {
		return n
	}
	return strings.TrimSuffix(n, ".")
}

// typeName renders a type for a message.
func typeName(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return "TYPE" + itoa(int(t))
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	if i == 0 {
		return "0"
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

// isSub reports whether child is at or below parent (both any case).
func isSub(parent, child string) bool { return dns.IsSubDomain(canon(parent), canon(child)) }

// parentOf returns the name one label up ("." for the root and TLDs).
func parentOf(n string) string {
	i, end := dns.NextLabel(n, 0)
	if end || i >= len(n) {
		return "."
	}
	return n[i:]
}

// namesBelow returns the names strictly below top down to target
// inclusive, top-down; nil if target is not below top.
func namesBelow(top, target string) []string {
	if !isSub(top, target) {
		return nil
	}
	idx := dns.Split(target)
	n := dns.CountLabel(top)
	var out []string
	for i := len(idx) - n - 1; i >= 0; i-- {
		out = append(out, target[idx[i]:])
	}
	return out
}

// lastLabels returns the last k labels of n as a name ("." for k = 0).
func lastLabels(n string, k int) string {
	idx := dns.Split(n)
	if k <= 0 || len(idx) == 0 {
		return "."
	}
	if k >= len(idx) {
		return n
	}
	return n[idx[len(idx)-k]:]
}

// ownerLabels counts the labels of an owner name as the RRSIG Labels field
// does: a leading "*" label is not counted (RFC 4034 §3.1.3).
func ownerLabels(n string) int {
	c := dns.CountLabel(n)
	if strings.HasPrefix(n, "*.") {
		c--
	}
	return c
}

// canonCmp compares two names in the canonical DNS order (RFC 4034 §6.1).
func canonCmp(a, b string) int { return dnsname.CanonicalCompare(a, b) }

// commonAncestor returns the longest name that is an ancestor-or-self of both.
func commonAncestor(a, b string) string {
	return lastLabels(canon(a), dns.CompareDomainName(a, b))
}
