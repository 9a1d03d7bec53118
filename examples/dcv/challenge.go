package main

import (
	"context"
	"crypto"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/csrhash"
)

func methodNames() string {
	var s []string
	for _, m := range challenge.Methods() {
		s = append(s, string(m))
	}
	return strings.Join(s, "|")
}

func runChallenge(ctx context.Context, e *env, args []string) int {
	f := newFlags("challenge",
		"dcv challenge --method "+methodNames()+" [flags] DOMAIN...",
		"dcv challenge --method hash-file|hash-cname --csr FILE [--ca D] [--token T] [DOMAIN...]",
		"dcv challenge --method acme-http-01|acme-dns-01 --token T --account-key FILE DOMAIN...")
	f.notes = "Prints what to publish for each domain. Hash methods take the CSR (every domain\n" +
		"in it when no DOMAIN is given); ACME methods take the token and the account key\n" +
		"(PEM). --json prints each challenge as one JSON line, which 'dcv verify\n" +
		"--challenge FILE' reads back.\n"
	method := f.String("method", "", "validation method: "+methodNames())
	csrPath := f.String("csr", "", "CSR file (PEM or DER, - for standard input), for hash-file and hash-cname")
	ca := f.String("ca", csrhash.CASSL, "CA domain for hash methods (ssl.com, sectigo.com, comodoca.com, or ssl, sectigo, comodo)")
	token := f.String("token", "", "ACME token, or the CA's unique value for hash methods")
	keyPath := f.String("account-key", "", "ACME account key, PEM (private or public)")
	lifetime := f.duration("lifetime", 0, "how long (`DURATION`) the challenge stays valid (default 720h, 30 days)")
	jsonOut := f.Bool("json", false, "print each challenge as one JSON line (JSON Lines)")
	pos, code, ok := f.parse(e, args)
	if !ok {
		return code
	}
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })

	m := challenge.Method(*method)
	isHash := m == challenge.HashFile || m == challenge.HashCNAME
	isACME := m == challenge.ACMEHTTP01 || m == challenge.ACMEDNS01
	switch {
	case *method == "":
		return f.fail(e, "--method is required")
	case !validMethod(m):
		return f.fail(e, "unknown method %q (want %s)", *method, methodNames())
	case !isHash && (set["csr"] || set["ca"]):
		return f.fail(e, "--csr and --ca are for hash-file and hash-cname only")
	case !isACME && set["account-key"]:
		return f.fail(e, "--account-key is for acme-http-01 and acme-dns-01 only")
	case !isHash && !isACME && set["token"]:
		return f.fail(e, "--token is for hash and ACME methods only")
	case !isHash && len(pos) == 0:
		return f.fail(e, "no DOMAIN given")
	}

	b := challenge.Builder{Lifetime: *lifetime}
	var build func(domain string) (*challenge.Challenge, error)
	var all []*challenge.Challenge
	switch {
	case isHash:
		if *csrPath == "" {
			return failf(e, "challenge", "%s needs the CSR: --csr FILE", m)
		}
		csr, err := readCSR(e, *csrPath)
		if err != nil {
			return failf(e, "challenge", "%v", err)
		}
		caD := caDomain(*ca)
		if len(pos) == 0 {
			if all, err = b.ForCSR(csr, m, caD, *token); err != nil {
				return failf(e, "challenge", "%v", err)
			}
			break
		}
		build = func(d string) (*challenge.Challenge, error) {
			hb := b.HashCNAME
			if m == challenge.HashFile {
				hb = b.HashFile
			}
			c, err := hb(csr, d, caD, *token)
			if err == nil && !covered(csr, c.Domain) {
				return nil, fmt.Errorf("%w (domains: %s)", challenge.ErrDomainNotInCSR, strings.Join(csr.Domains, ", "))
			}
			return c, err
		}
	case isACME:
		if *token == "" || *keyPath == "" {
			return failf(e, "challenge", "%s needs the CA's token and the account key: --token T --account-key FILE", m)
		}
		key, err := readAccountKey(e, *keyPath)
		if err != nil {
			return failf(e, "challenge", "%v", err)
		}
		acme := b.ACMEHTTP01
		if m == challenge.ACMEDNS01 {
			acme = b.ACMEDNS01
		}
		build = func(d string) (*challenge.Challenge, error) { return acme(d, *token, key) }
	case m == challenge.DNSTXT:
		build = b.DNSTXT
	case m == challenge.File:
		build = b.File
	case m == challenge.Email:
		build = b.Email
	}

	if build != nil {
		failed := false
		for _, d := range pos {
			c, err := build(d)
			if err != nil {
				failf(e, "challenge", "%v", err)
				failed = true
				continue
			}
			all = append(all, c)
		}
		if failed {
			return exitFail // nothing printed: a partial order is no use
		}
	}

	for i, c := range all {
		if *jsonOut {
			if err := writeJSON(e.stdout, c); err != nil {
				return failf(e, "challenge", "%v", err)
			}
			continue
		}
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		printChallenge(e.stdout, c)
	}
	return exitOK
}

func validMethod(m challenge.Method) bool {
	for _, k := range challenge.Methods() {
		if m == k {
			return true
		}
	}
	return false
}

func readAccountKey(e *env, path string) (crypto.PublicKey, error) {
	data, err := readInput(e, path, 64<<10)
	if err != nil {
		return nil, err
	}
	key, err := challenge.ParseAccountKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", displayName(path), err)
	}
	return key, nil
}

// printChallenge writes a challenge as a person reads it: what to put
// where, exactly.
func printChallenge(w io.Writer, c *challenge.Challenge) {
	fmt.Fprintf(w, "%s (%s)", c.Domain, c.Method)
	if c.ADN != c.Domain {
		fmt.Fprintf(w, ", validated at %s", c.ADN)
	}
	fmt.Fprintln(w)
	switch {
	case c.Record != nil:
		r := c.Record
		fmt.Fprintf(w, "  Add this DNS record in the zone %s:\n", r.Zone)
		fmt.Fprintf(w, "    Record type:   %s\n", r.Type)
		fmt.Fprintf(w, "    Host record:   %s\n", r.Host)
		fmt.Fprintf(w, "    Record value:  %s\n", r.Value)
		fmt.Fprintf(w, "    Zone file:     %s\n", r.String())
	case c.File != nil:
		fmt.Fprintf(w, "  Serve this file (status 200) at %s:\n", fileRule(c.Method))
		for _, u := range c.File.URLs {
			fmt.Fprintf(w, "    %s\n", u)
		}
		fmt.Fprintf(w, "  Content:\n")
		for _, l := range strings.Split(c.File.Content, "\n") {
			fmt.Fprintf(w, "    %s\n", l)
		}
	case c.Email != nil:
		fmt.Fprintf(w, "  Send the code to one of:\n")
		for _, a := range c.Email.Addresses {
			fmt.Fprintf(w, "    %s\n", a)
		}
		fmt.Fprintf(w, "  Code:  %s\n", c.Email.Code)
	}
	if c.KeyAuthorization != "" {
		fmt.Fprintf(w, "  Key authorization: %s\n", c.KeyAuthorization)
	}
	fmt.Fprintf(w, "  Expires: %s\n", c.ExpiresAt.Format(time.RFC3339))
	for _, n := range c.Notes {
		fmt.Fprintf(w, "  Note: %s\n", n)
	}
}

func fileRule(m challenge.Method) string {
	switch m {
	case challenge.HashFile:
		return "http or https (either suffices), without redirect"
	case challenge.File:
		return "every http URL, and the https ones too if the site serves HTTPS, without redirect"
	}
	return "this URL (redirects to http/https on ports 80/443 are followed)"
}
