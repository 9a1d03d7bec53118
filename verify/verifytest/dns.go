package verifytest

import "github.com/dcvkit/dcv/internal/dnstest"

// Zone is an in-memory DNS zone that answers like a recursive resolver and
// implements verify.Exchanger. See NewZone.
type Zone = dnstest.Zone

// DNSServer is a DNS server on a loopback address (UDP and TCP, one port)
// serving a Zone. See NewDNSServer.
type DNSServer = dnstest.Server

// NewZone returns an empty in-memory zone. Add records with Add or MustAdd
// (zone-file lines), inject faults with SetRcode, Drop, SetTruncate,
// SetDelay, and pass it wherever a verify.Exchanger is accepted.
func NewZone() *Zone { return dnstest.NewZone() }

// NewDNSServer starts a DNS server for z on 127.0.0.1 and a free port; use
// its Addr as the resolver address. Close it when done.
func NewDNSServer(z *Zone) (*DNSServer, error) { return dnstest.NewServer(z) }

// NewDNSServerAt starts a DNS server for z on addr, e.g. "127.0.0.2:0".
func NewDNSServerAt(z *Zone, addr string) (*DNSServer, error) {
	return dnstest.NewServerAt(z, addr)
}

// NewDNSServers starts one server per zone on 127.0.0.2, 127.0.0.3, ...
// all on one common port, for authoritative-mode tests where every name
// server must listen on the same port.
func NewDNSServers(zones ...*Zone) (servers []*DNSServer, port string, err error) {
	return dnstest.NewServers(zones...)
}
