package main

// The flags and checks of tls-alpn-01, dns-account-01 and dns-persist-01,
// for 'dcv challenge' and 'dcv verify'.

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
)

// acmeKeyed reports whether m is built from an ACME token and account key.
func acmeKeyed(m challenge.Method) bool {
	switch m {
	case challenge.ACMEHTTP01, challenge.ACMEDNS01, challenge.TLSALPN01, challenge.DNSAccount01:
		return true
	}
	return false
}

// methodFlags are dcv challenge's flags for the newer methods.
type methodFlags struct {
	accountURL     *string
	issuer         *string
	plain          *bool
	wildcardPolicy *bool
	anyDomain      *bool
	persistUntil   time.Time
	certOut        *string
	keyOut         *string
}

func addMethodFlags(f *cmdFlags) *methodFlags {
	mf := &methodFlags{
		accountURL: f.String("account-url", "", "ACME account `URL` (dns-account-01, dns-persist-01)"),
		issuer:     f.String("issuer", "", "the CA's issuer domain `NAME`, e.g. letsencrypt.org (dns-persist-01)"),
		plain: f.Bool("plain-accounturi", false,
			"put the account URL itself in accounturi, as drafts -00/-01 do (dns-persist-01; default: draft -02's hash, which needs --account-key)"),
		wildcardPolicy: f.Bool("wildcard-policy", false, "add policy=wildcard: the record also covers *.DOMAIN and every subdomain (dns-persist-01)"),
		anyDomain:      f.Bool("any-domain", false, "hash the accounturi over \"*\" instead of DOMAIN, so one value serves every domain (dns-persist-01)"),
		certOut:        f.String("cert-out", "", "write the challenge certificate (PEM) to `FILE` (tls-alpn-01, one DOMAIN)"),
		keyOut:         f.String("key-out", "", "write the certificate's private key (PEM) to `FILE`, mode 0600 (tls-alpn-01, one DOMAIN)"),
	}
	f.Func("persist-until", "the record is unusable after this `TIME`: RFC 3339 or Unix seconds (dns-persist-01)", func(s string) error {
		t, err := parseTime(s, true)
		mf.persistUntil = t
		return err
	})
	return mf
}

// usage returns a usage error for m, or "".
func (mf *methodFlags) usage(m challenge.Method, set map[string]bool, domains int) string {
	for fl, methods := range map[string][]challenge.Method{
		"account-url":      {challenge.DNSAccount01, challenge.DNSPersist01},
		"issuer":           {challenge.DNSPersist01},
		"plain-accounturi": {challenge.DNSPersist01},
		"wildcard-policy":  {challenge.DNSPersist01},
		"any-domain":       {challenge.DNSPersist01},
		"persist-until":    {challenge.DNSPersist01},
		"cert-out":         {challenge.TLSALPN01},
		"key-out":          {challenge.TLSALPN01},
	} {
		if set[fl] && !slices.Contains(methods, m) {
			return fmt.Sprintf("--%s is for %s only", fl, joinMethods(methods))
		}
	}
	switch m {
	case challenge.DNSAccount01:
		if *mf.accountURL == "" {
			return "dns-account-01 needs the account URL: --account-url URL"
		}
	case challenge.DNSPersist01:
		switch {
		case *mf.issuer == "" || *mf.accountURL == "":
			return "dns-persist-01 needs --issuer NAME and --account-url URL"
		case !*mf.plain && !set["account-key"]:
			return "dns-persist-01 hashes the accounturi with the account key: --account-key FILE (or --plain-accounturi)"
		case *mf.plain && (set["account-key"] || set["any-domain"]):
			return "--plain-accounturi puts the URL itself in the record: --account-key and --any-domain do not apply"
		}
	case challenge.TLSALPN01:
		if (set["cert-out"] || set["key-out"]) && domains != 1 {
			return "--cert-out and --key-out take one DOMAIN"
		}
	}
	return ""
}

// builder returns how to build m for a domain, for the newer methods; nil
// for the others.
func (mf *methodFlags) builder(b challenge.Builder, m challenge.Method, token string, key crypto.PublicKey) func(string) (*challenge.Challenge, error) {
	switch m {
	case challenge.TLSALPN01:
		return func(d string) (*challenge.Challenge, error) { return b.TLSALPN01(d, token, key) }
	case challenge.DNSAccount01:
		return func(d string) (*challenge.Challenge, error) { return b.DNSAccount01(d, token, key, *mf.accountURL) }
	case challenge.DNSPersist01:
		p := challenge.PersistParams{Issuer: *mf.issuer, AccountURL: *mf.accountURL, AccountKey: key, Plain: *mf.plain,
			AnyDomain: *mf.anyDomain, Wildcard: *mf.wildcardPolicy, PersistUntil: mf.persistUntil}
		return func(d string) (*challenge.Challenge, error) { return b.DNSPersist01(d, p) }
	}
	return nil
}

// writeFiles writes a tls-alpn-01 certificate and key where asked, and
// says on stderr when the key went nowhere.
func (mf *methodFlags) writeFiles(e *env, all []*challenge.Challenge, jsonOut bool) error {
	for _, c := range all {
		if c.TLSALPN == nil {
			continue
		}
		if *mf.certOut != "" {
			if err := os.WriteFile(*mf.certOut, []byte(c.TLSALPN.CertificatePEM), 0o644); err != nil {
				return err
			}
		}
		if *mf.keyOut != "" {
			if err := os.WriteFile(*mf.keyOut, []byte(c.TLSALPN.KeyPEM), 0o600); err != nil {
				return err
			}
		} else if jsonOut {
			fmt.Fprintf(e.stderr, "dcv challenge: %s: the certificate's private key is never in the JSON; write it with --key-out FILE\n", c.Domain)
		}
	}
	return nil
}

// printTLSALPN writes what a tls-alpn-01 applicant serves; the PEM blocks
// only when they were not written to files.
func (mf *methodFlags) printTLSALPN(w io.Writer, c *challenge.Challenge) {
	s := c.TLSALPN
	fmt.Fprintf(w, "  Serve this certificate on port %d to TLS clients that send SNI %s and offer ALPN %q\n", s.Port, c.Domain, s.Protocol)
	fmt.Fprintf(w, "  (self-signed; one SAN; acmeIdentifier extension = SHA-256 %s):\n", s.Digest)
	if *mf.certOut != "" {
		fmt.Fprintf(w, "    certificate: %s\n", *mf.certOut)
	} else {
		fmt.Fprintf(w, "%s", indent(s.CertificatePEM))
	}
	if *mf.keyOut != "" {
		fmt.Fprintf(w, "    private key: %s\n", *mf.keyOut)
	} else if s.KeyPEM != "" {
		fmt.Fprintf(w, "%s", indent(s.KeyPEM))
	}
}

func indent(pem string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(pem, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

func joinMethods(list []challenge.Method) string {
	s := make([]string, len(list))
	for i, m := range list {
		s[i] = string(m)
	}
	return strings.Join(s, " and ")
}

// parseTime reads RFC 3339, or with unix also a number of Unix seconds.
func parseTime(s string, unix bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if unix {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
			return time.Unix(n, 0).UTC(), nil
		}
		return time.Time{}, errors.New("want RFC 3339 (2027-01-01T00:00:00Z) or Unix seconds")
	}
	return time.Time{}, errors.New("want RFC 3339, e.g. 2027-01-01T00:00:00Z")
}

// verifyMethodFlags are dcv verify's flags for the tls-alpn-01 and
// dns-persist forms.
type verifyMethodFlags struct {
	domain   *string
	ka       *string
	issuers  listFlag
	accounts listFlag
	wildcard *bool
	at       time.Time
}

// verifyMethodForms are the forms and the flags each takes beyond the
// common ones.
var verifyMethodForms = map[string][]string{
	"tls-alpn-01": {"domain", "key-authorization", "allow-private"},
	"dns-persist": {"domain", "issuer", "account-uri", "wildcard", "at"},
}

// verifyMethodFlagNames lists those flags, for the check that a flag
// applies to the form given.
var verifyMethodFlagNames = []string{"domain", "key-authorization", "issuer", "account-uri", "wildcard", "at"}

func addVerifyMethodFlags(f *cmdFlags) *verifyMethodFlags {
	vm := &verifyMethodFlags{
		domain:   f.String("domain", "", "the `DOMAIN` validated (tls-alpn-01, dns-persist)"),
		ka:       f.String("key-authorization", "", "the expected ACME key `AUTHORIZATION`, token.thumbprint (tls-alpn-01)"),
		wildcard: f.Bool("wildcard", false, "check for *.DOMAIN: the record needs policy=wildcard (dns-persist)"),
	}
	vm.issuers = listFlag{split: true}
	vm.accounts = listFlag{split: true, check: func(s string) error {
		if !absoluteURI(s) {
			return errors.New("want an absolute URI")
		}
		return nil
	}}
	f.Var(&vm.issuers, "issuer", "the CA's issuer domain `NAME[,NAME]`; records of other issuers are ignored (dns-persist)")
	f.Var(&vm.accounts, "account-uri", "accepted accounturi `URI[,URI]`, plain or hashed, compared exactly (dns-persist)")
	f.Func("at", "check as of this `TIME`, RFC 3339 (dns-persist; default now)", func(s string) error {
		t, err := parseTime(s, false)
		vm.at = t
		return err
	})
	return vm
}

// check returns the check of a tls-alpn-01 or dns-persist form and the
// same check for --perspective, or a usage error.
func (vm *verifyMethodFlags) check(kind string, v *verify.Verifier) (verifyCheck, perspective.Check, string) {
	d := *vm.domain
	pc := perspective.Check{Determination: perspective.DCV}
	if d == "" {
		return nil, pc, kind + " needs --domain"
	}
	switch kind {
	case "tls-alpn-01":
		if *vm.ka == "" {
			return nil, pc, "tls-alpn-01 needs --key-authorization"
		}
		pc.TLSALPN = &perspective.TLSALPNCheck{Domain: d, KeyAuthorization: *vm.ka}
		return single(func(ctx context.Context) (*verify.Result, error) { return v.VerifyTLSALPN01(ctx, d, *vm.ka) }), pc, ""
	default: // dns-persist
		if len(vm.issuers.vals) == 0 || len(vm.accounts.vals) == 0 {
			return nil, pc, "dns-persist needs --issuer and --account-uri"
		}
		if *vm.wildcard {
			d = "*." + strings.TrimPrefix(d, "*.")
		}
		p := verify.PersistPolicy{Issuers: vm.issuers.vals, AccountURIs: vm.accounts.vals, At: vm.at}
		pc.Persist = &perspective.PersistCheck{Domain: d, Issuers: p.Issuers, AccountURIs: p.AccountURIs, At: p.At}
		return single(func(ctx context.Context) (*verify.Result, error) { return v.VerifyPersist(ctx, d, p) }), pc, ""
	}
}

// printPersist adds which record authorized, and until when.
func printPersist(w io.Writer, r *verify.Result) {
	if p := r.Persist; p != nil {
		fmt.Fprintf(w, "  authorized by %s %q\n", p.Owner, p.Record)
		fmt.Fprintf(w, "  reusable until %s\n", p.ValidUntil.UTC().Format(time.RFC3339))
	}
}
