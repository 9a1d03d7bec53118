package caa_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// The Alibaba FAQ case: www points at a GitHub Pages site, whose CAA
// records do not name the CA.
func ExampleChecker_Check() {
	zone := verifytest.NewZone().MustAdd(
		`example.com. 3600 IN CAA 0 issue "sectigo.com"`,
		`www.example.com. 300 IN CNAME site.github.io.`,
		`site.github.io. 300 IN CAA 0 issue "letsencrypt.org"`,
	)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// A lab root signed for that day; a CA keeps the IANA root's anchors.
	anchors, err := zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}}, Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := &caa.Checker{TrustAnchors: anchors, DNS: zone, Now: func() time.Time { return now }}
	for _, name := range []string{"shop.example.com", "www.example.com"} {
		d, err := c.Check(context.Background(), caa.Request{Domain: name, Issuers: []string{"sectigo"}})
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(d.Domain, d.Permitted, d.RelevantName, d.Rule)
		if d.Hint != "" {
			fmt.Println("hint:", d.Hint)
		}
		fmt.Println("valid until", d.ValidUntil.Format(time.RFC3339))
	}
	// Output:
	// shop.example.com true example.com issue "sectigo.com" permits
	// valid until 2026-01-02T11:04:05Z
	// www.example.com false www.example.com issue names only "letsencrypt.org"
	// hint: the CNAME from www.example.com to site.github.io brings site.github.io's CAA records: add `site.github.io. CAA 0 issue "sectigo.com"` at site.github.io (whoever runs it), or pause the CNAME while the certificate is issued
	// valid until 2026-01-02T11:04:05Z
}

// A multi-domain order: every name checked once, with a bound; the names
// share their ancestors' answers, so example.com is asked once.
func ExampleChecker_CheckAll() {
	zone := verifytest.NewZone().MustAdd(
		`example.com. 3600 IN CAA 0 issue "ssl.com"`,
		`shop.example.com. 3600 IN CAA 0 issue "letsencrypt.org"`,
	)
	anchors, err := zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}}}) // a lab root
	if err != nil {
		fmt.Println(err)
		return
	}
	c := &caa.Checker{TrustAnchors: anchors, DNS: zone, Concurrency: 8}
	var reqs []caa.Request
	for _, name := range []string{"example.com", "www.example.com", "shop.example.com", "*.blog.example.com"} {
		reqs = append(reqs, caa.Request{Domain: name, Issuers: []string{"ssl.com"}})
	}
	for _, r := range c.CheckAll(context.Background(), reqs) {
		if r.Err != nil {
			fmt.Println(r.Request.Domain, r.Err)
			continue
		}
		fmt.Println(r.Decision.Domain, r.Decision.Permitted, r.Decision.RelevantName)
	}
	fmt.Println("example.com asked", zone.Queries("example.com.", dns.TypeCAA), "time")
	// Output:
	// example.com true example.com
	// www.example.com true example.com
	// shop.example.com false shop.example.com
	// *.blog.example.com true example.com
	// example.com asked 1 time
}

func ExampleParseIssueValue() {
	for _, s := range []string{
		"ssl.com",
		" letsencrypt.org ; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1; validationmethods=dns-01",
		";",
		"ssl.com.",
	} {
		v, err := caa.ParseIssueValue(s)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		uri, _ := v.Param(caa.ParamAccountURI)
		fmt.Printf("issuer=%q params=%d accounturi=%q\n", v.Issuer, len(v.Params), uri)
	}
	// Output:
	// issuer="ssl.com" params=0 accounturi=""
	// issuer="letsencrypt.org" params=2 accounturi="https://acme-v02.api.letsencrypt.org/acme/acct/1"
	// issuer="" params=0 accounturi=""
	// error: malformed CAA issue value "ssl.com.": issuer "ssl.com." is not a domain name
}

func ExampleResolveIdentity() {
	fmt.Println(caa.ResolveIdentity([]string{"Sectigo", "example-ca.net.", "ssl.com"}))
	// Output:
	// [sectigo.com comodoca.com comodo.com trust-provider.com usertrust.com example-ca.net ssl.com]
}

// IssuerDomains vets one CA identity as a user types it: a brand gives its
// domains (its own first), a public issuer domain itself; anything else is
// ErrUnknownIssuer.
func ExampleIssuerDomains() {
	for _, in := range []string{"comodo", "LetsEncrypt.org.", "ca.internal"} {
		ds, err := caa.IssuerDomains(in)
		fmt.Println(ds, errors.Is(err, caa.ErrUnknownIssuer))
	}
	// Output:
	// [comodoca.com comodo.com sectigo.com trust-provider.com usertrust.com] false
	// [letsencrypt.org] false
	// [] true
}
