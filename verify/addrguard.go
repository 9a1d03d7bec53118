package verify

import (
	"fmt"
	"net/netip"
)

// guardRule is one row of the address guard: addresses in prefix are refused
// (or, for an exception, allowed) for the reason given. Rows are checked in
// order and the first match decides, so exceptions come before the range
// they carve out of.
type guardRule struct {
	prefix netip.Prefix
	why    string
	allow  bool
}

// guardRules is built once and never modified. Sources: the IANA IPv4 and
// IPv6 Special-Purpose Address Registries (RFC 6890 and updates); the
// exceptions are the entries marked globally reachable that host real
// services (anycast PCP/TURN/DNS-SD-SRP, AMT, AS112). ORCHID and DET
// identifiers (2001:10::/28, 2001:20::/28, 2001:30::/28) are not locators
// and stay refused with the rest of 2001::/23, as does Teredo (2001::/32),
// whose client address is obfuscated.
var guardRules = buildGuardRules()

func buildGuardRules() []guardRule {
	rows := []struct {
		prefix, why string
		allow       bool
	}{
		// IPv4.
		{"0.0.0.0/8", "this network (RFC 791) / unspecified", false},
		{"10.0.0.0/8", "private (RFC 1918)", false},
		{"100.64.0.0/10", "shared address space, CGNAT (RFC 6598)", false},
		{"127.0.0.0/8", "loopback (RFC 1122)", false},
		{"169.254.0.0/16", "link-local (RFC 3927)", false},
		{"172.16.0.0/12", "private (RFC 1918)", false},
		{"192.0.0.9/32", "PCP anycast (RFC 7723)", true},
		{"192.0.0.10/32", "TURN anycast (RFC 8155)", true},
		{"192.0.0.0/24", "IETF protocol assignments (RFC 6890)", false},
		{"192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)", false},
		{"192.88.99.0/24", "6to4 relay anycast, deprecated (RFC 7526)", false},
		{"192.168.0.0/16", "private (RFC 1918)", false},
		{"198.18.0.0/15", "benchmarking (RFC 2544)", false},
		{"198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)", false},
		{"203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)", false},
		{"224.0.0.0/4", "multicast (RFC 5771)", false},
		{"255.255.255.255/32", "limited broadcast (RFC 919)", false},
		{"240.0.0.0/4", "reserved (RFC 1112)", false},

		// IPv6. Embedded-IPv4 forms (mapped, compatible, NAT64 64:ff9b::/96,
		// 6to4) are checked as their IPv4 address before this table.
		{"::/128", "unspecified (RFC 4291)", false},
		{"::1/128", "loopback (RFC 4291)", false},
		{"64:ff9b:1::/48", "local-use NAT64 (RFC 8215)", false},
		{"100::/64", "discard-only (RFC 6666)", false},
		{"2001:1::1/128", "PCP anycast (RFC 7723)", true},
		{"2001:1::2/128", "TURN anycast (RFC 8155)", true},
		{"2001:1::3/128", "DNS-SD SRP anycast (RFC 9665)", true},
		{"2001:3::/32", "AMT (RFC 7450)", true},
		{"2001:4:112::/48", "AS112-v6 (RFC 7535)", true},
		{"2001:db8::/32", "documentation (RFC 3849)", false},
		{"2001::/23", "IETF protocol assignments, incl. Teredo, benchmarking, ORCHID (RFC 2928)", false},
		{"3fff::/20", "documentation (RFC 9637)", false},
		{"5f00::/16", "SRv6 SIDs (RFC 9602)", false},
		{"fc00::/7", "unique local (RFC 4193)", false},
		{"fe80::/10", "link-local (RFC 4291)", false},
		{"fec0::/10", "site-local, deprecated (RFC 3879)", false},
		{"ff00::/8", "multicast (RFC 4291)", false},
		// Everything outside 2000::/3 is not global unicast (RFC 4291).
		{"::/3", "not global unicast (RFC 4291)", false},
		{"4000::/2", "not global unicast (RFC 4291)", false},
		{"8000::/1", "not global unicast (RFC 4291)", false},
	}
	rules := make([]guardRule, len(rows))
	for i, r := range rows {
		rules[i] = guardRule{prefix: netip.MustParsePrefix(r.prefix), why: r.why, allow: r.allow}
	}
	return rules
}

// IPv6 prefixes that embed an IPv4 address, which is what gets checked.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
	compatV4    = netip.MustParsePrefix("::/96")
)

// checkAddr returns an error wrapping ErrAddressRefused if a is not a
// globally reachable unicast address, nil otherwise. IPv6 forms that embed an
// IPv4 address are judged by that address.
func checkAddr(a netip.Addr) error {
	if !a.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrAddressRefused)
	}
	// Prefix.Contains never matches a zoned address; the zone adds nothing.
	a = a.WithZone("")
	check, via := a, ""
	if v4, how := embeddedV4(a); how != "" {
		check, via = v4, fmt.Sprintf(" (%s form of %s)", how, v4)
	}
	for _, r := range guardRules {
		if r.prefix.Contains(check) {
			if r.allow {
				return nil
			}
			return fmt.Errorf("%w: %s%s is in %s, %s", ErrAddressRefused, a, via, r.prefix, r.why)
		}
	}
	return nil
}

// embeddedV4 returns the IPv4 address inside an IPv4-mapped, IPv4-compatible,
// NAT64 (well-known prefix) or 6to4 address, and the form's name; how is ""
// for any other address.
func embeddedV4(a netip.Addr) (v4 netip.Addr, how string) {
	if !a.Is6() {
		return netip.Addr{}, ""
	}
	b := a.As16()
	switch {
	case a.Is4In6():
		return a.Unmap(), "IPv4-mapped"
	case nat64Prefix.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), "NAT64"
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), "6to4"
	case compatV4.Contains(a) && a != netip.IPv6Unspecified() && a != netip.IPv6Loopback():
		return netip.AddrFrom4([4]byte(b[12:16])), "IPv4-compatible"
	}
	return netip.Addr{}, ""
}
