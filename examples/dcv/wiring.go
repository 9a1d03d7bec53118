package main

import (
	"time"

	"github.com/dcvkit/dcv/verify"
)

// viewFlags are the flags that set up this host's view of the network,
// shared by verify and serve-perspective (and so by the primary and the
// remote perspectives): resolvers, timeout, authoritative mode, private
// targets.
type viewFlags struct {
	*netFlags
	authoritative *bool
	authPort      *string
	allowPrivate  *bool
}

func addViewFlags(f *cmdFlags, defTimeout time.Duration, timeoutUsage string) *viewFlags {
	return &viewFlags{
		netFlags:      addNetFlags(f, defTimeout, timeoutUsage),
		authoritative: f.Bool("authoritative", false, "DNS: ask every authoritative server directly; all must agree"),
		authPort:      f.port("auth-port", "`PORT` of the authoritative servers, with --authoritative (default 53; for tests)"),
		allowPrivate:  f.Bool("allow-private", false, "permit loopback and private addresses as HTTP targets and name servers"),
	}
}

// newVerifier is the Verifier of the flags: one DNS client for lookups
// and for the HTTP client's address resolution.
func (v *viewFlags) newVerifier() *verify.Verifier {
	dnsc := v.dnsClient()
	dnsc.AllowPrivate = *v.allowPrivate
	return &verify.Verifier{
		DNS: dnsc,
		HTTP: &verify.HTTPClient{DNS: dnsc, AllowPrivate: *v.allowPrivate,
			DNSSEC: v.dnssec, TrustAnchors: v.anchors},
		Authoritative: authOptions(*v.authoritative, *v.authPort),
		DNSSEC:        v.dnssec,
		TrustAnchors:  v.anchors,
	}
}
