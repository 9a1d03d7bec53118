package main

import (
	"bytes"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/dcvkit/dcv/verify/perspective"
)

// FuzzParseArgs: the interspersed flag parser never panics, keeps the
// positional arguments in order, and never invents one.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{
		"hash.csr\x00--json", "--ca\x00sectigo\x00-", "a\x00--\x00--json\x00b", "--token\x00--\x00x",
		"--json=true\x00x\x00--domain=y", "-h", "--nope", "--domain", "\x00\x00", "--json\x00--\x00--",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		fl := newFlags("fuzz", "dcv fuzz [flags] ARG...")
		fl.Bool("json", false, "")
		fl.String("ca", "", "")
		fl.String("token", "", "")
		fl.String("domain", "", "")
		var out, errb bytes.Buffer
		pos, code, ok := fl.parse(&env{stdout: &out, stderr: &errb}, args)
		if !ok {
			if code != exitOK && code != exitUsage {
				t.Fatalf("code %d", code)
			}
			return
		}
		// pos is a subsequence of args.
		i := 0
		for _, p := range pos {
			for i < len(args) && args[i] != p {
				i++
			}
			if i == len(args) {
				t.Fatalf("positional %q not in %q", p, args)
			}
			i++
		}
		if slices.Contains(pos, "--json") && !slices.Contains(args, "--") {
			t.Fatalf("flag taken as positional: %q -> %q", args, pos)
		}
	})
}

// FuzzResolverFlag: a resolver is accepted only as an IP address and port.
func FuzzResolverFlag(f *testing.F) {
	for _, s := range []string{"127.0.0.1:53", "::1", "[::1]:5353", "127.0.0.1", "dns.example.com:53", "1.1.1.1:0", "a,b", "[fe80::1%eth0]:53", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var r resolverFlag
		if err := r.Set(s); err != nil {
			return
		}
		for _, v := range r.vals {
			ap, err := netip.ParseAddrPort(v)
			if err != nil || ap.Port() == 0 || ap.Addr().Zone() != "" {
				t.Fatalf("accepted %q as %q", s, v)
			}
		}
	})
}

// FuzzParseRemote: a --perspective entry is refused or yields an http(s)
// URL with a host, no user info, query or fragment, a label and a region
// of the allowed characters; never a panic.
func FuzzParseRemote(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:8080", "ARIN@https://mpic.example.net/eu/", "a@b@http://x", "http://u@x",
		"@http://x", "http://[::1]:9", "https://x?q", "http://x#f", "mailto:a@b", "RIPE@", "http://%zz", "RIPE@https://x:8443/eu#k.key", "http://x#",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := parseRemote(s)
		if err != nil {
			return
		}
		u, err := url.Parse(spec.URL)
		if err != nil {
			t.Fatalf("%q: accepted URL %q does not parse: %v", s, spec.URL, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q: accepted %q", s, spec.URL)
		}
		if spec.Label == "" || len(spec.Region) > maxRegion || strings.IndexFunc(spec.Region, badRegionRune) >= 0 {
			t.Fatalf("%q: label %q region %q", s, spec.Label, spec.Region)
		}
		if _, err := perspective.Identity(spec.URL); err != nil || strings.Contains(s, "#") != (spec.KeyFile != "") {
			t.Fatalf("%q: identity of %q: %v; key file %q", s, spec.URL, err, spec.KeyFile)
		}
	})
}
