package main

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/miekg/dns"
)

// netFlags are the DNS flags that verify, caa and serve-perspective share.
type netFlags struct {
	resolvers resolverFlag
	timeout   *time.Duration
	dnssec    verify.DNSSECMode
	anchors   []dns.RR // from --trust-anchor; nil: the IANA root's
}

func addNetFlags(f *cmdFlags, defTimeout time.Duration, timeoutUsage string) *netFlags {
	n := &netFlags{}
	f.Var(&n.resolvers, "resolver", "recursive resolvers, `host:port[,host:port]` by IP address (default: those of /etc/resolv.conf)")
	n.timeout = f.duration("timeout", defTimeout, timeoutUsage+", a `DURATION`")
	f.TextVar(&n.dnssec, "dnssec", verify.DNSSECValidate,
		"`validate` every DNS answer back to the trust anchors, or `off` (not allowed for CAs by the Baseline Requirements)")
	f.Func("trust-anchor", "DNSSEC trust anchors: a `FILE` of DS or DNSKEY records, any owner (default: the IANA root's)", func(path string) error {
		fh, err := os.Open(path)
		if err != nil {
			return err
		}
		defer fh.Close()
		n.anchors, err = verify.ParseTrustAnchors(fh)
		return err
	})
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
