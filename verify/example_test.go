package verify_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
)

func ExampleVerifier_Verify() {
	var b challenge.Builder
	c, err := b.DNSTXT("www.example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	// An in-memory zone stands in for the Internet's DNS.
	zone := verifytest.NewZone()
	anchors, err := zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}}}) // a lab root
	if err != nil {
		fmt.Println(err)
		return
	}
	v := &verify.Verifier{TrustAnchors: anchors, DNS: zone}
	ctx := context.Background()

	_, err = v.Verify(ctx, c)
	var e *verify.Error
	if errors.As(err, &e) {
		fmt.Println(verify.OutcomeOf(err), "-", e.Kind, "-", e.Hint)
	}

	// The applicant publishes the record; now it verifies.
	if err := verifytest.Publish(zone, nil, c); err != nil {
		fmt.Println(err)
		return
	}
	r, err := v.Verify(ctx, c)
	fmt.Println(r.Outcome, err)
	// Output:
	// not verified - record not found - add the record exactly as shown, then wait for its TTL before retrying
	// verified <nil>
}

func ExampleVerifier_VerifyOrder() {
	var b challenge.Builder
	zone := verifytest.NewZone()
	var order []verify.OrderItem
	for _, d := range []string{"example.com", "*.example.com", "shop.example.com"} {
		c, err := b.DNSTXT(d)
		if err != nil {
			fmt.Println(err)
			return
		}
		if d != "shop.example.com" { // one domain not yet published
			_ = verifytest.Publish(zone, nil, c)
		}
		order = append(order, verify.OrderItem{Challenge: c})
	}
	anchors, err := zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}}}) // a lab root
	if err != nil {
		fmt.Println(err)
		return
	}
	v := &verify.Verifier{TrustAnchors: anchors, DNS: zone}
	res, _ := v.VerifyOrder(context.Background(), order)
	for _, r := range res.Results {
		fmt.Println(r.Domain, r.Outcome)
	}
	fmt.Println("order:", res.Outcome)
	// Output:
	// example.com verified
	// *.example.com verified
	// shop.example.com not verified
	// order: not verified
}

// VerifyEach suits orders too large to keep: each result is handed over
// as its check ends (here printed; a CA would store it) and dropped.
func ExampleVerifier_VerifyEach() {
	var b challenge.Builder
	a, errA := b.DNSTXT("a.example.com")
	pending, errB := b.DNSTXT("b.example.com") // not published yet
	c, errC := b.DNSTXT("c.example.com")
	if err := errors.Join(errA, errB, errC); err != nil {
		fmt.Println(err)
		return
	}
	zone := verifytest.NewZone()
	if err := errors.Join(verifytest.Publish(zone, nil, a), verifytest.Publish(zone, nil, c)); err != nil {
		fmt.Println(err)
		return
	}
	order := []verify.OrderItem{{Challenge: a}, {Challenge: pending}, {Challenge: c}}
	anchors, err := zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}}}) // a lab root
	if err != nil {
		fmt.Println(err)
		return
	}
	v := &verify.Verifier{TrustAnchors: anchors, DNS: zone}
	outcome, err := v.VerifyEach(context.Background(), order, func(i int, r *verify.Result, err error) {
		fmt.Println(i, r.Domain, r.Outcome)
	})
	var oe *verify.OrderError
	if errors.As(err, &oe) {
		fmt.Printf("order: %s (%d of %d failed, first: %s)\n", outcome, oe.Failed, oe.Total, order[oe.Index].Challenge.Domain)
	}
	// Unordered output:
	// 0 a.example.com verified
	// 1 b.example.com not verified
	// 2 c.example.com verified
	// order: not verified (1 of 3 failed, first: b.example.com)
}

func ExampleVerifier_VerifyFiles() {
	zone := verifytest.NewZone().MustAdd("example.com. 300 IN A 127.0.0.1")
	site := verifytest.NewResponder()
	site.Set("/.well-known/pki-validation/fileauth.txt", "s3cr3t-value\n")
	web := verifytest.NewWeb(site)
	defer web.Close()

	anchors, err := zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}}}) // a lab root
	if err != nil {
		fmt.Println(err)
		return
	}
	v := &verify.Verifier{TrustAnchors: anchors,
		DNS:  zone,
		HTTP: &verify.HTTPClient{TrustAnchors: anchors, DNS: zone, AllowPrivate: true, Dial: web.Dial},
	}
	urls := []string{
		"http://example.com/.well-known/pki-validation/fileauth.txt",
		"https://example.com/.well-known/pki-validation/fileauth.txt",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := v.VerifyFiles(ctx, urls, "s3cr3t-value")
	fmt.Println(r.Outcome, err)

	site.SetRedirect("/.well-known/pki-validation/fileauth.txt", 301, "https://example.com/")
	r, err = v.VerifyFiles(ctx, urls, "s3cr3t-value")
	fmt.Println(r.Outcome, errors.Is(err, verify.ErrRedirect))
	// Output:
	// verified <nil>
	// not verified true
}

func ExampleVerifier_Poll() {
	var b challenge.Builder
	c, err := b.DNSTXT("example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	zone := verifytest.NewZone()
	anchors, err := zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}}}) // a lab root
	if err != nil {
		fmt.Println(err)
		return
	}
	v := &verify.Verifier{TrustAnchors: anchors, DNS: zone}
	r, err := v.Poll(context.Background(), c, verify.PollOptions{
		Interval: verify.MinPollInterval, // real use: the default 10 s, growing to 2 min
		OnAttempt: func(n int, r *verify.Result, err error) {
			fmt.Printf("attempt %d: %s\n", n, r.Outcome)
			if n == 1 { // the applicant publishes the record meanwhile
				_ = verifytest.Publish(zone, nil, c)
			}
		},
	})
	fmt.Println(r.Outcome, err)
	// Output:
	// attempt 1: not verified
	// attempt 2: verified
	// verified <nil>
}

func ExampleVerifier_VerifyEmail() {
	var b challenge.Builder
	c, err := b.Email("example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	// The CA mails c.Email.Code to one of c.Email.Addresses; the applicant
	// types it back.
	var v verify.Verifier
	_, err = v.VerifyEmail(c, "a guess")
	fmt.Println(errors.Is(err, verify.ErrCodeMismatch))
	r, err := v.VerifyEmail(c, c.Email.Code)
	fmt.Println(r.Outcome, err)
	// Output:
	// true
	// verified <nil>
}

// DNSSEC is validated by default. A lab (or a test) signs its own root
// and gives its trust anchors; a CA keeps the IANA root's.
func ExampleVerifier_VerifyTXT_dnssec() {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	zone := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN TXT "s3cr3t"`,
		`_dnsauth.shop.example.com. 300 IN TXT "s3cr3t"`,
	)
	anchors, err := zone.Sign(verifytest.Signing{Now: now, Zones: map[string]verifytest.ZoneSigning{
		".": {}, "com.": {}, "example.com.": {},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	zone.BreakSignature("_dnsauth.shop.example.com.", dns.TypeTXT, verifytest.ExpiredSignature)
	v := &verify.Verifier{DNS: zone, TrustAnchors: anchors, Now: func() time.Time { return now }}
	ctx := context.Background()

	r, _ := v.VerifyTXT(ctx, "_dnsauth.example.com", "s3cr3t")
	fmt.Println(r.Outcome, r.DNSSEC)
	r, _ = v.VerifyTXT(ctx, "_dnsauth.shop.example.com", "s3cr3t")
	fmt.Println(r.Outcome, r.DNSSEC, r.Code)
	fmt.Println(r.Hint)
	// Output:
	// verified secure
	// could not decide bogus dnssec_bogus
	// the RRSIG over _dnsauth.shop.example.com TXT expired at 2026-05-31T11:00:00Z; the zone's DNSSEC is broken; every CA will refuse it: fix the signatures or the DS at the parent
}

// A service that checks many names of the same zones in authoritative
// mode keeps one ZoneCache: after the first check, the zone's SOA, NS and
// name-server addresses come from it (while their TTLs last), and every
// check still asks the zone's servers for the record itself.
func ExampleZoneCache() {
	auth := verifytest.NewZone() // the zone's own name server, on loopback
	srv, err := verifytest.NewDNSServer(auth)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Addr())
	recursive := verifytest.NewZone().MustAdd( // what the recursive resolver knows
		`example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300`,
		`example.com. 300 IN NS ns1.example.com.`,
		`ns1.example.com. 300 IN A 127.0.0.1`)

	cache := &verify.ZoneCache{} // kept for the service's lifetime
	v := &verify.Verifier{
		DNS:    recursive,
		DNSSEC: verify.DNSSECOff, // an unsigned lab zone; a CA validates (the default)
		Authoritative: &verify.AuthOptions{
			Servers: &verify.DNSClient{AllowPrivate: true}, // loopback name servers
			Port:    port,
			Cache:   cache,
		},
	}
	var b challenge.Builder
	for _, d := range []string{"a.example.com", "b.example.com"} {
		c, err := b.DNSTXT(d)
		if err != nil {
			fmt.Println(err)
			return
		}
		_ = verifytest.Publish(auth, nil, c)
		_, err = v.Verify(context.Background(), c)
		fmt.Println(d, verify.OutcomeOf(err))
	}
	fmt.Println("NS queries to the resolver:", recursive.Queries("example.com.", dns.TypeNS))
	// Output:
	// a.example.com verified
	// b.example.com verified
	// NS queries to the resolver: 1
}
