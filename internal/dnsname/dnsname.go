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
// and may start with "*.". A name already in that form comes back as the
// input string itself (or it without the dot), without allocating.
func Domain(s string) (string, error) {
	d, _, err := normalize(s, false)
	return d, err
}

// DomainRegistrable is Domain that also returns Registrable of the result,
// from the one public suffix lookup both need.
func DomainRegistrable(s string) (domain, registrable string, err error) {
	return normalize(s, false)
}

// Owner normalizes a DNS owner name such as "_dnsauth.www.example.com" or
// "_<MD5>.example.com": as Domain, but labels starting with '_' are allowed
// (and kept out of IDNA) and the name may be a single label below a public
// suffix only if it has '_' labels above a registrable domain.
func Owner(s string) (string, error) {
	o, _, err := normalize(s, true)
	return o, err
}

func normalize(in string, owner bool) (name, registrable string, err error) {
	return normalizeWith(in, owner, true)
}

// normalizeWith is normalize; fast lets plain names skip IDNA and the
// general path (the tests compare both ways). It returns the name and the
// registrable domain of its host part.
func normalizeWith(in string, owner, fast bool) (name, registrable string, err error) {
	if fast {
		s := strings.TrimSuffix(in, ".")
		if host, ok := plainName(s, owner); ok {
			return withSuffix(in, s, s[host:])
		}
	}
	s := strings.TrimSpace(in)
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", "", fail(in, ErrEmpty, "")
	}
	if !utf8.ValidString(s) {
		// IDNA would read each bad byte as U+FFFD and still give an A-label.
		return "", "", fail(in, ErrInvalid, "not valid UTF-8")
	}
	if isIP(s) {
		return "", "", fail(in, ErrIPAddress, "")
	}
	labels := strings.Split(s, ".")
	wild := false
	underscored := 0 // leading labels that start with '_' (owner names only)
	for i, l := range labels {
		switch {
		case l == "":
			return "", "", fail(in, ErrEmptyLabel, "")
		case l == "*":
			if i != 0 || owner {
				return "", "", fail(in, ErrWildcard, "")
			}
			wild = true
		case strings.Contains(l, "*"):
			return "", "", fail(in, ErrWildcard, "")
		case strings.HasPrefix(l, "_") && owner && i == underscored:
			if !validUnderscoreLabel(l) {
				return "", "", fail(in, ErrInvalid, "label "+l)
			}
			labels[i] = strings.ToLower(l)
			underscored++
		case strings.Contains(l, "_"):
			return "", "", fail(in, ErrUnderscore, "label "+l)
		}
	}
	start := underscored
	if wild {
		start = 1
	}
	if start >= len(labels) {
		return "", "", fail(in, ErrSingleLabel, "")
	}
	host := s // labels[start:] joined, as given
	for _, l := range labels[:start] {
		host = host[len(l)+1:]
	}
	ascii := host
	if !fast || !plainLDH(host) {
		if ascii, err = profile.ToASCII(host); err != nil {
			return "", "", fail(in, ErrInvalid, err.Error())
		}
		ascii = strings.ToLower(ascii)
	}
	out := ascii
	if start > 0 {
		out = strings.Join(labels[:start], ".") + "." + ascii
	}
	if len(out) > 253 {
		return "", "", fail(in, ErrTooLong, "")
	}
	for rest := out; ; {
		l, after, more := strings.Cut(rest, ".")
		if len(l) > 63 {
			return "", "", fail(in, ErrTooLong, "label "+l)
		}
		if l == "" {
			// IDNA maps "xn--" (empty Punycode) to nothing.
			return "", "", fail(in, ErrInvalid, "a label is empty after IDNA")
		}
		if !more {
			break
		}
		rest = after
	}
	if !strings.Contains(ascii, ".") {
		return "", "", fail(in, ErrSingleLabel, "")
	}
	return withSuffix(in, out, ascii)
}

// withSuffix ends normalize: it refuses a host that is itself a public
// suffix (counting the list's default "*" rule) and returns name with the
// host's registrable domain, the suffix and one label more; one lookup
// serves both.
func withSuffix(in, name, host string) (string, string, error) {
	ps, _ := publicsuffix.PublicSuffix(host)
	i := len(host) - len(ps) - 1 // the dot before the suffix
	if ps == host || i < 0 || host[i] != '.' {
		return "", "", fail(in, ErrPublicSuffix, host)
	}
	return name, host[strings.LastIndexByte(host[:i], '.')+1:], nil
}

// plainName reports whether s (no trailing dot) is a name normalize would
// return unchanged with no IDNA: lower-case LDH host labels as plainLDH
// accepts, after a leading "*" label (domains) or leading '_' labels
// (owners) in the lower case normalize makes, within the length limits, with
// a host of two labels or more whose last label is not numeric or hex (as
// an IP shorthand would be). It also returns where the host starts. Any
// other name takes the general path, which says what is wrong.
func plainName(s string, owner bool) (host int, ok bool) {
	if s == "" || len(s) > 253 {
		return 0, false
	}
	prefix := true // still in the leading "*" or '_' labels
	start, digits, under, star := 0, true, false, false
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch c := s[i]; {
			case c >= 'a' && c <= 'z' || c == '-':
				digits = false
				continue
			case c >= '0' && c <= '9':
				continue
			case c == '_':
				under = true
				continue
			case c == '*':
				star = true
				continue
			case c != '.':
				return 0, false
			}
		}
		l := s[start:i]
		switch {
		case l == "" || len(l) > 63:
			return 0, false
		case l == "*" && start == 0 && !owner:
			host = i + 1
		case l[0] == '_' && owner && prefix && !star && len(l) >= 2:
			host = i + 1
		case under || star || !ldhLabel(l):
			return 0, false
		default:
			prefix = false
		}
		if i == len(s) {
			// The last label: a number or 0x... reads as an IP address.
			if digits || len(l) >= 2 && l[0] == '0' && l[1] == 'x' {
				return 0, false
			}
			break
		}
		start, digits, under, star = i+1, true, false, false
	}
	if host >= len(s) || strings.IndexByte(s[host:], '.') < 0 {
		return 0, false // single label
	}
	return host, true
}

// plainLDH reports whether IDNA lookup (UTS 46) would return host as it
// is: lower-case letters, digits, '-' and '.', no label that starts or ends
// with '-', and no "--" in a label's third and fourth places (where
// "xn--" A-labels sit, which IDNA decodes and checks). Labels are not
// empty (normalize checked).
func plainLDH(host string) bool {
	for {
		l, rest, more := strings.Cut(host, ".")
		if !ldhLabel(l) {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
		if !more {
			return true
		}
		host = rest
	}
}

// ldhLabel checks the hyphens of a label plainLDH accepts: not empty, no
// '-' first or last, no "--" in the third and fourth places.
func ldhLabel(l string) bool {
	return l != "" && l[0] != '-' && l[len(l)-1] != '-' && !(len(l) >= 4 && l[2] == '-' && l[3] == '-')
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
// The result is a substring of name.
func Registrable(name string) (string, error) {
	host := Base(name)
	for strings.HasPrefix(host, "_") {
		_, rest, more := strings.Cut(host, ".")
		if !more {
			rest = ""
		}
		host = rest
	}
	rd, err := publicsuffix.EffectiveTLDPlusOne(host)
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
	if rel, ok := strings.CutSuffix(owner, zone); ok && strings.HasSuffix(rel, ".") {
		return rel[:len(rel)-1] // owner without "."+zone, with no copy
	}
	return owner
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

// FQDN returns name with one trailing dot added unless it ends in one:
// a name that does comes back as it is, with no copy.
func FQDN(name string) string {
	if strings.HasSuffix(name, ".") {
		return name
	}
	return name + "."
}
