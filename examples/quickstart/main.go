// Command quickstart shows the whole flow on a CSR it bundles, with no
// network: read the CSR, compute its validation hashes, build every kind of
// challenge (printed as an applicant would read them), then publish them on
// a DNS server and a web server it starts on loopback, and verify them the
// way a CA would.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/csrhash"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

//go:embed example.csr
var csrPEM []byte

//go:embed account.pem
var accountPEM []byte

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(2)
	}
}

func run(w io.Writer) error {
	csr, err := csrhash.Parse(csrPEM)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "CSR")
	fmt.Fprintln(w, "  domains:", strings.Join(csr.Domains, ", "))
	fmt.Fprintln(w, "  MD5:    ", csr.Hashes.MD5)
	fmt.Fprintln(w, "  SHA-256:", csr.Hashes.SHA256)

	var b challenge.Builder // zero value: crypto/rand, 30-day lifetime
	var all []*challenge.Challenge
	add := func(c *challenge.Challenge, err error) error {
		if err != nil {
			return err
		}
		all = append(all, c)
		return nil
	}
	domain := csr.Domains[0]
	if err := add(b.DNSTXT(domain)); err != nil {
		return err
	}
	if err := add(b.File(domain)); err != nil {
		return err
	}
	for _, m := range []challenge.Method{challenge.HashFile, challenge.HashCNAME} {
		cs, err := b.ForCSR(csr, m, csrhash.CASSL, "10TmfZdb9tj")
		if err != nil {
			return err
		}
		all = append(all, cs...)
	}
	if err := add(b.Email(domain)); err != nil {
		return err
	}
	key, err := challenge.ParseAccountKey(accountPEM)
	if err != nil {
		return err
	}
	token, err := b.NewToken()
	if err != nil {
		return err
	}
	if err := add(b.ACMEHTTP01(domain, token, key)); err != nil {
		return err
	}
	if err := add(b.ACMEDNS01(domain, token, key)); err != nil {
		return err
	}
	for _, c := range all {
		fmt.Fprintln(w)
		printChallenge(w, c)
	}
	return publishAndVerify(w, all)
}

// publishAndVerify plays both sides on loopback: the applicant publishes
// every challenge, then the CA verifies the whole order.
func publishAndVerify(w io.Writer, all []*challenge.Challenge) error {
	zone := verifytest.NewZone()
	site := verifytest.NewResponder()
	for _, c := range all {
		if err := verifytest.Publish(zone, site, c); err != nil {
			return err
		}
		// Point every name at the loopback web server.
		for _, host := range []string{c.ADN, "www." + c.ADN} {
			if err := zone.Add(host + ". 300 IN A 127.0.0.1"); err != nil {
				return err
			}
		}
	}
	// The lab signs its own root: answers are validated by DNSSEC against
	// its anchors, as a CA validates against the IANA root's (the default).
	anchors, err := zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}}})
	if err != nil {
		return err
	}
	dnsServer, err := verifytest.NewDNSServer(zone)
	if err != nil {
		return err
	}
	defer dnsServer.Close()
	web := verifytest.NewWeb(site)
	defer web.Close()

	resolver := &verify.DNSClient{Servers: []string{dnsServer.Addr()}}
	v := &verify.Verifier{
		DNS:          resolver,
		TrustAnchors: anchors,
		// AllowPrivate lets the address guard accept loopback, and Dial maps
		// ports 80/443 to the local servers; a real CA sets neither (nor
		// TrustAnchors).
		HTTP: &verify.HTTPClient{DNS: resolver, AllowPrivate: true, Dial: web.Dial, TrustAnchors: anchors},
	}
	var order []verify.OrderItem
	for _, c := range all {
		item := verify.OrderItem{Challenge: c}
		if c.Email != nil {
			item.EmailCode = c.Email.Code // as if the applicant typed it in
		}
		order = append(order, item)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	fmt.Fprintf(w, "\nVerifying the order on loopback (DNS %s, web %s)\n", dnsServer.Addr(), web.HTTP.Listener.Addr())
	res, err := v.VerifyOrder(ctx, order)
	for _, r := range res.Results {
		fmt.Fprintf(w, "  %-13s %-18s %s (%d observations, %s)\n", r.Method, r.Domain, r.Outcome, len(r.Evidence), r.Duration.Round(time.Millisecond))
	}
	fmt.Fprintln(w, "  order:", res.Outcome)
	if err != nil {
		return err
	}

	// And what an applicant sees when a record is missing.
	_, err = v.VerifyTXT(ctx, "_dnsauth.shop.example.com", "not-published")
	fmt.Fprintln(w, "\nA check that fails, as the applicant would read it:")
	fmt.Fprintf(w, "  %s: %v\n", verify.OutcomeOf(err), err)
	var e *verify.Error
	if errors.As(err, &e) {
		fmt.Fprintf(w, "  hint: %s\n", e.Hint)
	}
	return nil
}

func printChallenge(w io.Writer, c *challenge.Challenge) {
	fmt.Fprintf(w, "%s for %s (expires %s)\n", c.Method, c.Domain, c.ExpiresAt.Format("2006-01-02 15:04 MST"))
	switch {
	case c.Record != nil:
		r := c.Record
		fmt.Fprintf(w, "  In the DNS zone %s add a %s record:\n", r.Zone, r.Type)
		fmt.Fprintf(w, "    host record: %s\n    value:       %s\n", r.Host, r.Value)
		fmt.Fprintf(w, "    zone file:   %s\n", r)
	case c.File != nil:
		fmt.Fprintf(w, "  Serve this exact content (no redirect):\n")
		for _, line := range strings.Split(c.File.Content, "\n") {
			fmt.Fprintf(w, "    | %s\n", line)
		}
		fmt.Fprintf(w, "  at every one of these URLs:\n")
		for _, u := range c.File.URLs {
			fmt.Fprintf(w, "    %s\n", u)
		}
	case c.Email != nil:
		fmt.Fprintf(w, "  The CA mails code %s to one of:\n    %s\n", c.Email.Code, strings.Join(c.Email.Addresses, "\n    "))
	}
	for _, n := range c.Notes {
		fmt.Fprintln(w, "  note:", n)
	}
}
