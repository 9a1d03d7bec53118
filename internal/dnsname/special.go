package dnsname

import (
	"errors"
	"strings"
)

// ErrNotPublic is the reason for a name no publicly-trusted CA can
// validate: a special-use name, or one under no ICANN top-level domain.
var ErrNotPublic = errors.New("name is not in the public DNS")

// specialUse are the special-use domains (RFC 6761 and later) a public CA
// never validates, each with the reason a user reads.
var specialUse = []struct{ suffix, why string }{
	{"onion", "a Tor onion service name, RFC 7686"},
	{"local", "a multicast DNS name, RFC 6762"},
	{"localhost", "a loopback name, RFC 6761"},
	{"test", "reserved for testing, RFC 6761"},
	{"example", "reserved for documentation, RFC 6761"},
	{"invalid", "reserved as never valid, RFC 6761"},
	{"internal", "reserved for private networks by ICANN"},
	{"alt", "reserved for non-DNS name systems, RFC 9476"},
	{"home.arpa", "reserved for home networks, RFC 8375"},
}

// Public reports why a normalized domain cannot be validated on the public
// internet: a special-use name (.onion, .local, .localhost, .test,
// .example, .invalid, .internal, .alt, home.arpa) or a name whose
// top-level domain is not on the ICANN part of the public suffix list.
// It returns nil for a public name; the error wraps ErrNotPublic.
func Public(domain string) error {
	name := strings.TrimSuffix(Base(domain), ".")
	for _, s := range specialUse {
		if name == s.suffix || strings.HasSuffix(name, "."+s.suffix) {
			return fail(domain, ErrNotPublic, "."+s.suffix+" is "+s.why)
		}
	}
	if !HasICANNSuffix(name) {
		tld := name[strings.LastIndexByte(name, '.')+1:]
		return fail(domain, ErrNotPublic, "."+tld+" is not an ICANN top-level domain")
	}
	return nil
}
