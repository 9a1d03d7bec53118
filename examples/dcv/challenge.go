package main

import (
	"context"
	"crypto"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dcvkit/dcv/caa"
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
		"dcv challenge --method acme-http-01|acme-dns-01 --token T --account-key FILE DOMAIN...",
		"dcv challenge --method tls-alpn-01|dns-account-01 --token T --account-key FILE [--account-url URL] [--cert-out F --key-out F] DOMAIN...",
		"dcv challenge --method dns-persist-01 --issuer NAME --account-url URL (--account-key FILE | --plain-accounturi) [--wildcard-policy] DOMAIN...")
	f.notes = "Prints what to publish for each domain. Hash methods take the CSR (every domain\n" +
		"in it when no DOMAIN is given); ACME methods take the token and the account key\n" +
		"(PEM); dns-account-01 also the account URL. dns-persist-01 takes the CA's issuer\n" +
		"domain and the account URL, and hashes the accounturi as draft -02 does (with\n" +
		"--account-key) or puts the URL itself in it as drafts -00/-01 do\n" +
		"(--plain-accounturi). tls-alpn-01 prints the certificate and key to serve, or\n" +
		"writes them with --cert-out and --key-out (the key is never in the JSON).\n" +
		"--json prints each challenge as one JSON line, which 'dcv verify\n" +
		"--challenge FILE' reads back. Special-use and non-public names (.test, .internal,\n" +
		".local, .onion, ...) are refused unless --allow-private (labs, tests).\n"
	var m challenge.Method
	f.Func("method", "validation `METHOD`: "+methodNames()+" (required)", func(s string) error {
		m = challenge.Method(s)
		if !slices.Contains(challenge.Methods(), m) {
			return fmt.Errorf("unknown method (want %s)", methodNames())
		}
		return nil
	})
	csrPath := f.String("csr", "", "CSR `FILE` (PEM or DER, - for standard input), for hash-file and hash-cname")
	caD := caDomainFlag(f, "`CA` domain for hash methods, or a brand ("+strings.Join(caa.BrandNames(), ", ")+")")
	token := f.String("token", "", "ACME `TOKEN`, or the CA's unique value for hash methods")
	keyPath := f.String("account-key", "", "ACME account key `FILE`, PEM (private or public)")
	lifetime := f.duration("lifetime", 0, "how long (`DURATION`) the challenge stays valid, at most 720h (default 720h, 30 days)")
	allowPrivate := f.Bool("allow-private", false, "permit special-use and non-public names (.test, .internal, .local, ...)")
	jsonOut := f.Bool("json", false, "print each challenge as one JSON line (JSON Lines)")
	mf := addMethodFlags(f)
	pos, code, ok := f.parse(e, args)
	if !ok {
		return code
	}
	set := f.given()
	isHash := m == challenge.HashFile || m == challenge.HashCNAME
	isACME := acmeKeyed(m)
	switch {
	case m == "":
		return f.fail(e, "--method is required")
	case !isHash && (set["csr"] || set["ca"]):
		return f.fail(e, "--csr and --ca are for hash-file and hash-cname only")
	case !isACME && m != challenge.DNSPersist01 && set["account-key"]:
		return f.fail(e, "--account-key is for the ACME methods and dns-persist-01 only")
	case !isHash && !isACME && set["token"]:
		return f.fail(e, "--token is for hash and ACME methods only")
	case !isHash && len(pos) == 0:
		return f.fail(e, "no DOMAIN given")
	case isHash && *csrPath == "":
		return f.fail(e, "%s needs the CSR: --csr FILE", m)
	case isACME && (*token == "" || *keyPath == ""):
		return f.fail(e, "%s needs the CA's token and the account key: --token T --account-key FILE", m)
	case mf.usage(m, set, len(pos)) != "":
		return f.fail(e, "%s", mf.usage(m, set, len(pos)))
	case *lifetime > challenge.MaxLifetime(m):
		return f.fail(e, "--lifetime %s: %s values may be used for at most %s (30 days, BR 4.2.1)", *lifetime, m, challenge.MaxLifetime(m))
	}
	if err := validToken(m, *token); err != nil {
		return f.fail(e, "--token: %v", err)
	}

	b := challenge.Builder{Lifetime: *lifetime, AllowPrivate: *allowPrivate}
	var build func(domain string) (*challenge.Challenge, error)
	var all []*challenge.Challenge
	switch {
	case isHash:
		csr, err := readCSR(e, *csrPath)
		if err != nil {
			return fail(e, err)
		}
		if len(pos) == 0 {
			if all, err = b.ForCSR(csr, m, *caD, *token); err != nil {
				return fail(e, err)
			}
			break
		}
		build = func(d string) (*challenge.Challenge, error) {
			hb := b.HashCNAME
			if m == challenge.HashFile {
				hb = b.HashFile
			}
			c, err := hb(csr, d, *caD, *token)
			if err == nil && !csr.Covers(c.Domain) {
				return nil, fmt.Errorf("%s: %w (it names %s)", c.Domain, challenge.ErrDomainNotInCSR, strings.Join(csr.Domains, ", "))
			}
			return c, err
		}
	case isACME:
		key, err := readAccountKey(e, *keyPath)
		if err != nil {
			return fail(e, err)
		}
		acme := b.ACMEHTTP01
		if m == challenge.ACMEDNS01 {
			acme = b.ACMEDNS01
		}
		build = func(d string) (*challenge.Challenge, error) { return acme(d, *token, key) }
		if nb := mf.builder(b, m, *token, key); nb != nil {
			build = nb
		}
	case m == challenge.DNSPersist01:
		var key crypto.PublicKey
		if *keyPath != "" {
			var err error
			if key, err = readAccountKey(e, *keyPath); err != nil {
				return fail(e, err)
			}
		}
		build = mf.builder(b, m, "", key)
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
				fail(e, err)
				failed = true
				continue
			}
			all = append(all, c)
		}
		if failed {
			return exitFail // nothing printed: a partial order is no use
		}
	}

	if err := mf.writeFiles(e, all, *jsonOut); err != nil {
		return fail(e, err)
	}
	for i, c := range all {
		if *jsonOut {
			if err := writeJSON(e.stdout, c); err != nil {
				return fail(e, err)
			}
			continue
		}
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		printChallenge(e.stdout, c)
		if c.TLSALPN != nil {
			mf.printTLSALPN(e.stdout, c)
		}
	}
	return exitOK
}

// validToken checks --token as the method reads it: the CA's unique value
// for hash methods, an ACME token for ACME ones.
func validToken(m challenge.Method, token string) error {
	switch {
	case token == "":
		return nil
	case m == challenge.HashFile || m == challenge.HashCNAME:
		return csrhash.ValidToken(token)
	case acmeKeyed(m):
		return challenge.ValidACMEToken(token)
	}
	return nil
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
