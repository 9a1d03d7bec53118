// Package dnsname is the one place where names are normalized: domains (what a
// certificate covers) and DNS owner names (record names, which may hold `_`
// labels). The public packages re-export its errors.
package dnsname

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Reasons a name is refused. Match them with errors.Is.
var (
	ErrEmpty        = errors.New("name is empty")
	ErrIPAddress    = errors.New("name is an IP address, not a domain")
	ErrPublicSuffix = errors.New("name is a public suffix; it cannot be validated")
	ErrSingleLabel  = errors.New("name has a single label")
	ErrEmptyLabel   = errors.New("name has an empty label")
	ErrUnderscore   = errors.New("domain has an underscore")
	ErrWildcard     = errors.New("wildcard '*' is allowed only as the whole leftmost label")
	ErrTooLong      = errors.New("name or label too long (253 / 63 octets)")
	ErrInvalid      = errors.New("name is not a valid DNS name")
)

// Error reports a refused name: the input as given and the reason.
type Error struct {
	Input  string // the name as given
	Reason error  // one of the Err* values
	Detail string // what in the name is wrong, e.g. the label; may be empty
}

// Error reads `invalid name "INPUT": REASON (DETAIL)`, with no package
// prefix: the public package returning it adds its own.
func (e *Error) Error() string {
	s := fmt.Sprintf("invalid name %q: %v", e.Input, e.Reason)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Unwrap returns the reason, so errors.Is(err, ErrPublicSuffix) works.
func (e *Error) Unwrap() error { return e.Reason }

func fail(in string, reason error, detail string) error {
	return &Error{Input: in, Reason: reason, Detail: detail}
}

var profile = idna.Lookup

// Domain normalizes a certificate domain: trims spaces and one trailing dot,
// converts Unicode to A-labels, lower-cases, and checks length, labels, the
// wildcard position and the public suffix list. The result has no trailing dot
// and may start with "*.".
func Domain(s string) (string, error) {
	return normalize(s, false)
}

// Owner normalizes a DNS owner name such as "_dnsauth.www.example.com" or
// "_<MD5>.example.com": as Domain, but labels starting with '_' are allowed
// (and kept out of IDNA) and the name may be a single label below a public
// suffix only if it has '_' labels above a registrable domain.
func Owner(s string) (string, error) {
	return normalize(s, true)
}

func normalize(in string, owner bool) (string, error) {
	return normalizeWith(in, owner, true)
}

// normalizeWith is normalize; fast lets plain names skip IDNA (the tests
// compare both paths).
func normalizeWith(in string, owner, fast bool) (string, error) {
	s := strings.TrimSpace(in)
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", fail(in, ErrEmpty, "")
	}
	if !utf8.ValidString(s) {
		// IDNA would read each bad byte as U+FFFD and still give an A-label.
		return "", fail(in, ErrInvalid, "not valid UTF-8")
	}
	if isIP(s) {
		return "", fail(in, ErrIPAddress, "")
	}
	labels := strings.Split(s, ".")
	wild := false
	underscored := 0 // leading labels that start with '_' (owner names only)
	for i, l := range labels {
		switch {
		case l == "":
			return "", fail(in, ErrEmptyLabel, "")
		case l == "*":
			if i != 0 || owner {
				return "", fail(in, ErrWildcard, "")
			}
			wild = true
		case strings.Contains(l, "*"):
			return "", fail(in, ErrWildcard, "")
		case strings.HasPrefix(l, "_") && owner && i == underscored:
			if !validUnderscoreLabel(l) {
				return "", fail(in, ErrInvalid, "label "+l)
			}
			labels[i] = strings.ToLower(l)
			underscored++
		case strings.Contains(l, "_"):
			return "", fail(in, ErrUnderscore, "label "+l)
		}
	}
	start := underscored
	if wild {
		start = 1
	}
	if start >= len(labels) {
		return "", fail(in, ErrSingleLabel, "")
	}
	host := s // labels[start:] joined, as given
	for _, l := range labels[:start] {
		host = host[len(l)+1:]
	}
	ascii := host
	if !fast || !plainLDH(host) {
		var err error
		if ascii, err = profile.ToASCII(host); err != nil {
			return "", fail(in, ErrInvalid, err.Error())
		}
		ascii = strings.ToLower(ascii)
	}
	out := ascii
	if start > 0 {
		out = strings.Join(labels[:start], ".") + "." + ascii
	}
	if len(out) > 253 {
		return "", fail(in, ErrTooLong, "")
	}
	for rest := out; ; {
		l, after, more := strings.Cut(rest, ".")
		if len(l) > 63 {
			return "", fail(in, ErrTooLong, "label "+l)
		}
		if l == "" {
			// IDNA maps "xn--" (empty Punycode) to nothing.
			return "", fail(in, ErrInvalid, "a label is empty after IDNA")
		}
		if !more {
			break
		}
		rest = after
	}
	if !strings.Contains(ascii, ".") {
		return "", fail(in, ErrSingleLabel, "")
	}
	if isPublicSuffix(ascii) {
		return "", fail(in, ErrPublicSuffix, ascii)
	}
	return out, nil
}

// plainLDH reports whether IDNA lookup (UTS 46) would return host as it
// is: lower-case letters, digits, '-' and '.', no label that starts or ends
// with '-', and no "--" in a label's third and fourth places (where
// "xn--" A-labels sit, which IDNA decodes and checks). Labels are not
// empty (normalize checked).
func plainLDH(host string) bool {
	start := 0
	for i := 0; i <= len(host); i++ {
		if i < len(host) && host[i] != '.' {
			c := host[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
			continue
		}
		l := host[start:i]
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' || len(l) >= 4 && l[2] == '-' && l[3] == '-' {
			return false
		}
		start = i + 1
	}
	return true
}

func validUnderscoreLabel(l string) bool {
	if len(l) < 2 || len(l) > 63 {
		return false
	}
	for _, c := range l[1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isIP(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	// Only an IPv6 form has ':', only digits and dots make an IPv4 one:
	// a name skips the parse (and its error allocation).
	if strings.Contains(s, ":") || strings.Trim(s, "0123456789.") == "" {
		if _, err := netip.ParseAddr(s); err == nil {
			return true
		}
	}
	// Shorthand IPv4 forms that some resolvers accept ("127.1", "0x7f.1").
	last := s[strings.LastIndexByte(s, '.')+1:]
	return last != "" && strings.Trim(last, "0123456789") == "" ||
		len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')
}

// isPublicSuffix reports whether name is itself on the public suffix list,
// counting the default "*" rule (any unknown TLD) as a suffix too.
func isPublicSuffix(name string) bool {
	ps, _ := publicsuffix.PublicSuffix(name)
	return ps == name
}

// HasICANNSuffix reports whether name ends in a public suffix of the ICANN
// section of the public suffix list: a delegated top-level domain, not
// "internal", "local", "test" or a made-up one (which only the list's
// default rule matches). A suffix of the list's private section counts
// through its ICANN part: "x.github.io" has "io". Case and one trailing
// dot are ignored.
func HasICANNSuffix(name string) bool {
	s := strings.ToLower(strings.TrimSuffix(name, "."))
	for s != "" {
		ps, icann := publicsuffix.PublicSuffix(s)
		if icann {
			return true
		}
		i := strings.IndexByte(ps, '.')
		if i < 0 {
			return false
		}
		s = ps[i+1:]
	}
	return false
}

// IsWildcard reports whether a normalized domain starts with "*.".
func IsWildcard(domain string) bool { return strings.HasPrefix(domain, "*.") }

// Base returns the authorization domain name (ADN) of a normalized domain:
// the domain with a leading "*." removed.
func Base(domain string) string { return strings.TrimPrefix(domain, "*.") }

// Registrable returns the registrable domain (public suffix + one label) of a
// normalized domain or owner name; "_" labels and a wildcard are skipped.
func Registrable(name string) (string, error) {
	labels := strings.Split(Base(name), ".")
	i := 0
	for i < len(labels) && strings.HasPrefix(labels[i], "_") {
		i++
	}
	rd, err := publicsuffix.EffectiveTLDPlusOne(strings.Join(labels[i:], "."))
	if err != nil {
		return "", fail(name, ErrPublicSuffix, err.Error())
	}
	return rd, nil
}

// HostRecord returns owner relative to zone, as typed into a DNS console:
// "@" for the apex, "_dnsauth.www" for "_dnsauth.www.example.com" in
// "example.com". Both names are normalized, without trailing dots.
func HostRecord(owner, zone string) string {
	if owner == zone {
		return "@"
	}
	return strings.TrimSuffix(owner, "."+zone)
}

// Parents returns name and its ancestors down to and including stop, which
// must be a suffix of name: Parents("a.b.example.com", "example.com") is
// [a.b.example.com b.example.com example.com].
func Parents(name, stop string) []string {
	out := []string{name}
	for name != stop {
		i := strings.IndexByte(name, '.')
		if i < 0 {
			break
		}
		name = name[i+1:]
		out = append(out, name)
	}
	return out
}

// FQDN returns name with exactly one trailing dot.
func FQDN(name string) string { return strings.TrimSuffix(name, ".") + "." }
