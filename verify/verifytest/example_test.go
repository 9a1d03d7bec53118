package verifytest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// A Zone answers in memory, like a recursive resolver: it can be passed
// wherever a verify.Exchanger is accepted.
func ExampleNewZone() {
	zone := verifytest.NewZone().MustAdd(
		`example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300`,
		`_dnsauth.example.com. 300 IN TXT "2024061100000000abcdef"`,
		`www.example.com. 300 IN CNAME example.com.`,
	)
	zone.SetRcode("broken.example.com.", dns.TypeANY, dns.RcodeServerFailure)

	for _, name := range []string{"_dnsauth.example.com.", "www.example.com.", "nope.example.com.", "broken.example.com."} {
		r, err := zone.Exchange(context.Background(), new(dns.Msg).SetQuestion(name, dns.TypeTXT))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(name, dns.RcodeToString[r.Rcode], len(r.Answer), "answer(s)")
	}
	// Output:
	// _dnsauth.example.com. NOERROR 1 answer(s)
	// www.example.com. NOERROR 1 answer(s)
	// nope.example.com. NXDOMAIN 0 answer(s)
	// broken.example.com. SERVFAIL 0 answer(s)
}

// A DNSServer serves a Zone on loopback, over UDP and TCP.
func ExampleNewDNSServer() {
	zone := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "abc"`)
	srv, err := verifytest.NewDNSServer(zone)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
	r, _, err := c.Exchange(new(dns.Msg).SetQuestion("_dnsauth.example.com.", dns.TypeTXT), srv.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Answer[0].(*dns.TXT).Txt[0], srv.UDPQueries(), zone.Queries("_dnsauth.example.com.", dns.TypeTXT))
	// Output: abc 1 1
}

// NewDNSServers starts name servers on distinct loopback addresses sharing
// one port, for authoritative-mode tests.
func ExampleNewDNSServers() {
	servers, port, err := verifytest.NewDNSServers(verifytest.NewZone(), verifytest.NewZone())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range servers {
		defer s.Close()
		fmt.Println(s.Addr() == "127.0.0.2:"+port || s.Addr() == "127.0.0.3:"+port)
	}
	// Output:
	// true
	// true
}

// A Responder serves the well-known validation paths; serve it with
// net/http/httptest.
func ExampleNewResponder() {
	resp := verifytest.NewResponder()
	resp.Set("/.well-known/pki-validation/fileauth.txt", "2024061100000000abcdef")
	resp.SetStatus("/.well-known/acme-challenge/broken", http.StatusInternalServerError)
	ts := httptest.NewServer(resp)
	defer ts.Close()

	for _, path := range []string{
		"/.well-known/pki-validation/fileauth.txt",
		"/.well-known/acme-challenge/broken",
		"/.well-known/pki-validation/unknown.txt",
	} {
		r, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		fmt.Printf("%d %q\n", r.StatusCode, body)
	}
	// Output:
	// 200 "2024061100000000abcdef"
	// 500 "Internal Server Error\n"
	// 404 "404 page not found\n"
}

// Publish plays the applicant: it puts a challenge's record in a Zone or
// its file on a Responder, so a Verifier can then find it.
func ExamplePublish() {
	zone := verifytest.NewZone()
	site := verifytest.NewResponder()
	b := challenge.Builder{Rand: strings.NewReader(strings.Repeat("\x01", 64))} // fixed values for the output below
	c, err := b.DNSTXT("www.example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}
	_, err = v.Verify(context.Background(), c)
	fmt.Println(verify.OutcomeOf(err))

	if err := verifytest.Publish(zone, site, c); err != nil {
		fmt.Println(err)
		return
	}
	r, err := v.Verify(context.Background(), c)
	fmt.Println(r.Outcome, err, r.Target)
	// Output:
	// not verified
	// verified <nil> _dnsauth.www.example.com.
}

// NewWeb serves one site over HTTP and HTTPS on loopback; its Dial lets
// verify.HTTPClient, which dials only ports 80 and 443, reach them.
func ExampleNewWeb() {
	site := verifytest.NewResponder()
	site.Set("/.well-known/pki-validation/fileauth.txt", "s3cr3t-value")
	web := verifytest.NewWeb(site)
	defer web.Close()
	zone := verifytest.NewZone().MustAdd("example.com. 300 IN A 127.0.0.1")
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff,
		DNS:  zone,
		HTTP: &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: zone, AllowPrivate: true, Dial: web.Dial},
	}
	r, err := v.VerifyFiles(context.Background(), []string{
		"http://example.com/.well-known/pki-validation/fileauth.txt",
		"https://example.com/.well-known/pki-validation/fileauth.txt",
	}, "s3cr3t-value")
	fmt.Println(r.Outcome, err)
	for _, ev := range r.Evidence {
		if ev.Protocol == "http" {
			fmt.Println(ev.Query, ev.Status)
		}
	}
	// Output:
	// verified <nil>
	// GET http://example.com/.well-known/pki-validation/fileauth.txt 200
	// GET https://example.com/.well-known/pki-validation/fileauth.txt 200
}

// An ALPNResponder answers tls-alpn-01 checks on loopback; its Dial maps
// port 443 to it for verify.HTTPClient.
func ExampleNewALPNResponder() {
	r, err := verifytest.NewALPNResponder()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	ka := "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
	if err := r.Set("example.com", ka, verifytest.ALPNNonCritical); err != nil { // a deliberately wrong certificate
		fmt.Println(err)
		return
	}
	zone := verifytest.NewZone().MustAdd("example.com. 300 IN A 127.0.0.1")
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone, HTTP: &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: zone, AllowPrivate: true, Dial: r.Dial}}
	res, err := v.VerifyTLSALPN01(context.Background(), "example.com", ka)
	fmt.Println(res.Outcome, errors.Is(err, verify.ErrCertExtCritical))
	// Output: not verified true
}
