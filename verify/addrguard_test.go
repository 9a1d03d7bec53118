package verify_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
)

func mustAddrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

func TestCheckAddrRefused(t *testing.T) {
	refused := []string{
		// IPv4, every range, with edges.
		"0.0.0.0", "0.1.2.3", "0.255.255.255",
		"10.0.0.0", "10.0.0.1", "10.255.255.255",
		"100.64.0.0", "100.100.100.200", "100.127.255.255",
		"127.0.0.1", "127.255.255.254",
		"169.254.0.1", "169.254.169.254",
		"172.16.0.0", "172.20.1.1", "172.31.255.255",
		"192.0.0.0", "192.0.0.8", "192.0.0.11", "192.0.0.255",
		"192.0.2.0", "192.0.2.1", "192.0.2.255",
		"192.88.99.1",
		"192.168.0.0", "192.168.1.1", "192.168.255.255",
		"198.18.0.0", "198.19.255.255",
		"198.51.100.7",
		"203.0.113.9",
		"224.0.0.1", "239.255.255.250",
		"240.0.0.1", "254.255.255.255", "255.255.255.255",
		// IPv6.
		"::", "::1",
		"fc00::1", "fd12:3456::1",
		"fe80::1", "fe80::1%eth0", "febf:ffff::1",
		"fec0::1",
		"ff02::1", "ff05::1:3",
		"100::", "100::ffff:ffff:ffff:ffff",
		"2001:db8::1", "2001:db8:ffff::1",
		"2001::1",            // Teredo
		"2001:2::1",          // benchmarking
		"2001:10::1",         // ORCHID
		"2001:20::1",         // ORCHIDv2
		"2001:1::4",          // not one of the anycast exceptions
		"2001:1ff:ffff::1",   // end of 2001::/23
		"3fff::1",            // documentation (RFC 9637)
		"5f00::1",            // SRv6 SIDs
		"64:ff9b:1::1",       // local-use NAT64
		"::ffff:0:0:0",       // SIIT, outside 2000::/3
		"1000::1", "4000::1", // not global unicast
		"8000::1", "e000::1",
		// Embedded IPv4 forms of refused addresses.
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0",
		"::ffff:255.255.255.255", "::ffff:100.64.0.1",
		"::127.0.0.1", "::10.0.0.1", "::0.0.0.2", // IPv4-compatible
		"64:ff9b::7f00:1", "64:ff9b::10.1.2.3", "64:ff9b::192.168.1.1", // NAT64
		"2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:101::1", // 6to4
	}
	for _, s := range refused {
		err := verify.CheckAddr(netip.MustParseAddr(s))
		assert.ErrorIs(t, err, verify.ErrAddressRefused, s)
	}
}

func TestCheckAddrAllowed(t *testing.T) {
	allowed := []string{
		"1.1.1.1", "8.8.8.8", "1.2.3.4", "93.184.215.14",
		"9.255.255.255", "11.0.0.0", // around 10/8
		"100.63.255.255", "100.128.0.0", // around 100.64/10
		"126.255.255.255", "128.0.0.0", // around 127/8
		"169.253.255.255", "169.255.0.0",
		"172.15.255.255", "172.32.0.0", // around 172.16/12
		"192.0.0.9", "192.0.0.10", // globally reachable exceptions
		"192.0.1.255", "192.0.3.0",
		"192.167.255.255", "192.169.0.0",
		"198.17.255.255", "198.20.0.0",
		"223.255.255.255",
		"2001:4860:4860::8888", "2606:4700:4700::1111", "2a00:1450::1",
		"2000::1", "3ffe::1", "3fff:1000::1", // edges of 2000::/3 and 3fff::/20
		"2001:1::1", "2001:1::2", "2001:1::3", "2001:3::1", "2001:4:112::1",
		"2001:200::1", // first address after 2001::/23
		"::ffff:8.8.8.8", "::8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1",
	}
	for _, s := range allowed {
		assert.NoError(t, verify.CheckAddr(netip.MustParseAddr(s)), s)
	}
}

func TestCheckAddrInvalid(t *testing.T) {
	assert.ErrorIs(t, verify.CheckAddr(netip.Addr{}), verify.ErrAddressRefused)
}

func TestCheckAddrMessage(t *testing.T) {
	err := verify.CheckAddr(netip.MustParseAddr("::ffff:10.1.2.3"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "IPv4-mapped form of 10.1.2.3")
	assert.Contains(t, err.Error(), "10.0.0.0/8")
	assert.Contains(t, err.Error(), "RFC 1918")
}

// Every row decides its own first and last address, unless an earlier row
// (an exception listed before it) covers that address.
func TestGuardRulesTable(t *testing.T) {
	rules := verify.BuildGuardRules()
	require.NotEmpty(t, rules)
	for i, r := range rules {
		require.True(t, r.Prefix.IsValid())
		require.Equal(t, r.Prefix.Masked(), r.Prefix, "row %d not masked", i)
		require.NotEmpty(t, r.Why)
		for _, a := range []netip.Addr{r.Prefix.Addr(), lastAddr(r.Prefix)} {
			if coveredBefore(rules[:i], a) {
				continue
			}
			if _, how := verify.EmbeddedV4(a); how != "" {
				continue // judged by its IPv4 address
			}
			if r.Allow {
				assert.NoError(t, verify.CheckAddr(a), "%s (row %s)", a, r.Prefix)
			} else {
				assert.ErrorIs(t, verify.CheckAddr(a), verify.ErrAddressRefused, "%s (row %s)", a, r.Prefix)
			}
		}
	}
}

func coveredBefore(rules []verify.GuardRule, a netip.Addr) bool {
	for _, r := range rules {
		if r.Prefix.Contains(a) {
			return true
		}
	}
	return false
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestEmbeddedV4(t *testing.T) {
	for in, want := range map[string]string{
		"::ffff:1.2.3.4":   "1.2.3.4",
		"64:ff9b::1.2.3.4": "1.2.3.4",
		"2002:102:304::":   "1.2.3.4",
		"::1.2.3.4":        "1.2.3.4",
	} {
		got, how := verify.EmbeddedV4(netip.MustParseAddr(in))
		assert.NotEmpty(t, how, in)
		assert.Equal(t, want, got.String(), in)
	}
	for _, in := range []string{"::", "::1", "1.2.3.4", "2001:db8::1"} {
		_, how := verify.EmbeddedV4(netip.MustParseAddr(in))
		assert.Empty(t, how, in)
	}
}
