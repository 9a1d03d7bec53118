// Command quickstart shows the whole flow on a CSR it bundles, with no
// network: read the CSR, compute its validation hashes, and build every kind
// of challenge, printed as an applicant would read them.
//
//	go run ./examples/quickstart
package main

import (
	_ "embed"
	"fmt"
	"os"
	"strings"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/csrhash"
)

//go:embed example.csr
var csrPEM []byte

//go:embed account.pem
var accountPEM []byte

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(2)
	}
}

func run() error {
	csr, err := csrhash.Parse(csrPEM)
	if err != nil {
		return err
	}
	fmt.Println("CSR")
	fmt.Println("  domains:", strings.Join(csr.Domains, ", "))
	fmt.Println("  MD5:    ", csr.Hashes.MD5)
	fmt.Println("  SHA-256:", csr.Hashes.SHA256)

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
		fmt.Println()
		printChallenge(c)
	}
	return nil
}

func printChallenge(c *challenge.Challenge) {
	fmt.Printf("%s for %s (expires %s)\n", c.Method, c.Domain, c.ExpiresAt.Format("2006-01-02 15:04 MST"))
	switch {
	case c.Record != nil:
		r := c.Record
		fmt.Printf("  In the DNS zone %s add a %s record:\n", r.Zone, r.Type)
		fmt.Printf("    host record: %s\n    value:       %s\n", r.Host, r.Value)
		fmt.Printf("    zone file:   %s\n", r)
	case c.File != nil:
		fmt.Printf("  Serve this exact content (no redirect):\n")
		for _, line := range strings.Split(c.File.Content, "\n") {
			fmt.Printf("    | %s\n", line)
		}
		fmt.Printf("  at every one of these URLs:\n")
		for _, u := range c.File.URLs {
			fmt.Printf("    %s\n", u)
		}
	case c.Email != nil:
		fmt.Printf("  The CA mails code %s to one of:\n    %s\n", c.Email.Code, strings.Join(c.Email.Addresses, "\n    "))
	}
	for _, n := range c.Notes {
		fmt.Println("  note:", n)
	}
}
