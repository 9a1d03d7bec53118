package main

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/dcvkit/dcv/verify"
)

// netFlags are the DNS flags that verify and caa share.
type netFlags struct {
	resolvers resolverFlag
	timeout   *time.Duration
}

func addNetFlags(f *cmdFlags, defTimeout time.Duration, timeoutUsage string) *netFlags {
	n := &netFlags{}
	f.Var(&n.resolvers, "resolver", "recursive resolvers, `host:port[,host:port]` by IP address (default: those of /etc/resolv.conf)")
	n.timeout = f.duration("timeout", defTimeout, timeoutUsage+", a `DURATION`")
	return n
}

// dnsClient returns the DNS client for the --resolver flags; with none it
// reads /etc/resolv.conf.
func (n *netFlags) dnsClient() *verify.DNSClient {
	return &verify.DNSClient{Servers: n.resolvers.vals}
}

// resolverFlag holds resolver addresses. Only IP addresses are accepted: a
// host name would need a resolver to find the resolver.
type resolverFlag struct{ vals []string }

func (r *resolverFlag) String() string { return strings.Join(r.vals, ",") }

func (r *resolverFlag) Set(s string) error {
	for _, a := range strings.Split(s, ",") {
		a = strings.TrimSpace(a)
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			host, port = strings.TrimSuffix(strings.TrimPrefix(a, "["), "]"), "53"
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || ip.Zone() != "" {
			return fmt.Errorf("resolver %q: want an IP address with an optional :port", a)
		}
		if p, err := netip.ParseAddrPort(net.JoinHostPort(host, port)); err != nil || p.Port() == 0 {
			return fmt.Errorf("resolver %q: bad port", a)
		}
		r.vals = append(r.vals, net.JoinHostPort(host, port))
	}
	return nil
}
