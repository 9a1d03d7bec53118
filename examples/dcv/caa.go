package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/miekg/dns"
)

// caaLine is the --json line of one name: the decision's fields, with the
// outcome spelt as in verify's JSON; for a name that could not be decided,
// the error and the evidence of the failed lookup.
type caaLine struct {
	Outcome string `json:"outcome"` // permitted, forbidden or undecided
	*caa.Decision
	Domain   string            `json:"domain"`
	Error    string            `json:"error,omitempty"`
	Hint     string            `json:"hint,omitempty"` // the decision's, or what to do about the failed lookup
	Evidence []verify.Evidence `json:"evidence,omitempty"`
}

// newCAALine builds the JSON line of a check of domain.
func newCAALine(domain string, d *caa.Decision, err error) caaLine {
	l := caaLine{Outcome: "undecided", Decision: d, Domain: domain}
	switch {
	case d != nil && d.Permitted:
		l.Outcome, l.Domain = "permitted", d.Domain
	case d != nil:
		l.Outcome, l.Domain = "forbidden", d.Domain
	}
	if d != nil {
		l.Hint = d.Hint
	}
	if err != nil {
		l.Error = err.Error()
		ev := verify.Evidence{Protocol: "dns", Query: "CAA " + domain, Error: err.Error()}
		var le *caa.LookupError
		if errors.As(err, &le) {
			l.Hint = le.Hint()
			ev.Query = "CAA " + le.Name
			if le.Rcode >= 0 {
				ev.Rcode = dns.RcodeToString[le.Rcode]
			}
		}
		l.Evidence = []verify.Evidence{ev}
	}
	return l
}

func runCAA(ctx context.Context, e *env, args []string) int {
	f := newFlags("caa", "dcv caa --ca NAME[,NAME] [--wildcard] [--account-uri U] [--method M] [--resolver ADDR[,ADDR]] [--dnssec validate|off] [--trust-anchor FILE] [--json] DOMAIN...",
		"dcv caa ... [--perspective [REGION@]URL[#KEYFILE][,...] [--key-file F] [--min-remotes N] [--min-regions N]] DOMAIN...")
	f.notes = "--ca takes issuer domain names as they appear in CAA records (in the public DNS),\n" +
		"or a brand standing for its domains:\n  " + strings.Join(caa.BrandNames(), ", ") + ".\n" +
		"Special-use and non-public names (.test, .internal, .local, .onion, ...) are\n" +
		"refused unless --allow-private (labs, tests).\n" +
		"Exit status: 0 permitted, 1 forbidden, 2 could not decide (lookup failure,\n" +
		"timeout, bad input), 64 usage; with several names the worst wins.\n\n" + mpicNotes
	ca := &listFlag{split: true, check: checkCA}
	f.Var(ca, "ca", "the CA: issuer domain `NAME`s or brands, comma-separated (required)")
	wildcard := f.Bool("wildcard", false, "the certificate is for the wildcard *.DOMAIN")
	accountURI := f.String("account-uri", "", "RFC 8657 accounturi of the requesting ACME account (an absolute `URI`)")
	method := f.String("method", "", "RFC 8657 validation `METHOD`: dns-01, http-01, tls-alpn-01 or ca-...")
	allowPrivate := f.Bool("allow-private", false, "permit special-use and non-public names (.test, .internal, .local, ...)")
	nf := addNetFlags(f, 10*time.Second, "bound on the check of each name")
	jsonOut := f.Bool("json", false, "print each name's outcome and Decision as one JSON line (with --perspective: its corroboration report)")
	mp := addMPICFlags(f)
	domains, code, ok := f.parse(e, args)
	if !ok {
		return code
	}
	switch {
	case len(ca.vals) == 0:
		return f.fail(e, "--ca is required")
	case len(domains) == 0:
		return f.fail(e, "no DOMAIN given")
	case *method != "" && !caa.ValidMethod(*method):
		return f.fail(e, "--method %q: want dns-01, http-01, tls-alpn-01 or a ca-... label (RFC 8657)", *method)
	case *accountURI != "" && !absoluteURI(*accountURI):
		return f.fail(e, "--account-uri %q: want an absolute URI, e.g. https://acme.example.com/acct/123", *accountURI)
	}
	if msg := mpicUsage(f, mp); msg != "" {
		return f.fail(e, "%s", msg)
	}

	checker := &caa.Checker{DNS: nf.dnsClient(), Timeout: *nf.timeout, AllowPrivate: *allowPrivate,
		DNSSEC: nf.dnssec, TrustAnchors: nf.anchors}
	request := func(d string) caa.Request {
		return caa.Request{Domain: d, Issuers: ca.vals, Wildcard: *wildcard, AccountURI: *accountURI, Method: *method}
	}
	if mp.on() {
		c, err := mp.corroborator(e, "caa", &perspective.Local{Label: primaryLabel, CAA: checker})
		if err != nil {
			return fail(e, err)
		}
		checks := make([]perspective.Check, len(domains))
		for i, d := range domains {
			r := request(d)
			checks[i] = perspective.Check{Determination: perspective.CAA, CAA: &r, DNSSEC: &nf.dnssec}
		}
		reports, errs := corroborateAll(ctx, e, c, checks, domains, *nf.timeout, 0, 0)
		return caaOutput(domains).report(e, reports, errs, *jsonOut)
	}
	decisions := make([]*caa.Decision, len(domains))
	errs := make([]error, len(domains))
	var wg sync.WaitGroup
	for i, d := range domains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, *nf.timeout)
			defer cancel()
			decisions[i], errs[i] = checker.Check(cctx, request(d))
		}()
	}
	wg.Wait()

	status := exitOK
	for i, d := range decisions {
		switch {
		case errs[i] != nil:
			status = max(status, exitFail)
			printErr(e, errs[i])
		case !d.Permitted:
			status = max(status, exitNo)
			printForbidden(e, d)
		}
		if *jsonOut {
			if err := writeJSON(e.stdout, newCAALine(domains[i], d, errs[i])); err != nil {
				return fail(e, err)
			}
			continue
		}
		if d == nil {
			fmt.Fprintf(e.stdout, "%s: could not decide\n", domains[i])
			continue
		}
		printDecision(e, d)
	}
	return status
}

func printForbidden(e *env, d *caa.Decision) {
	fmt.Fprintf(e.stderr, "dcv caa: %s: forbidden: %s\n", d.Domain, d.Rule)
	if d.Hint != "" {
		fmt.Fprintf(e.stderr, "  hint: %s\n", d.Hint)
	}
}

// caaOutput reports corroborated CAA checks: the primary's decision under
// the final outcome, and why it forbids.
func caaOutput(domains []string) mpicOutput {
	return mpicOutput{
		cmd:   "caa",
		names: domains,
		primary: func(e *env, name string, rep *perspective.Report, final string) {
			if d := rep.Primary.CAA; d != nil {
				printDecisionAs(e, d, final)
				return
			}
			fmt.Fprintf(e.stdout, "%s: %s\n", name, final)
		},
		problem: func(e *env, rep *perspective.Report) {
			if d := rep.Primary.CAA; d != nil && !d.Permitted {
				printForbidden(e, d)
			}
		},
		failure: func(name string, err error) any { return newCAALine(name, nil, err) },
	}
}

func printDecision(e *env, d *caa.Decision) {
	verdict := "forbidden"
	if d.Permitted {
		verdict = "permitted"
	}
	printDecisionAs(e, d, verdict)
}

// printDecisionAs prints d under the verdict given (with --perspective,
// the corroboration's).
func printDecisionAs(e *env, d *caa.Decision, verdict string) {
	w := e.stdout
	name := d.Domain
	if d.Wildcard && !strings.HasPrefix(name, "*.") {
		name = "*." + name
	}
	fmt.Fprintf(w, "%s: %s for %s\n", name, verdict, strings.Join(d.Issuers, ", "))
	fmt.Fprintf(w, "  rule: %s\n", d.Rule)
	if d.RelevantName == "" {
		fmt.Fprintf(w, "  no CAA records at the name or any parent\n")
	} else {
		at := d.RelevantName
		if d.CNAMETarget != "" {
			at += " (through CNAME to " + d.CNAMETarget + ")"
		}
		fmt.Fprintf(w, "  relevant records at %s, TTL %d:\n", at, d.TTL)
		for _, r := range d.Records {
			fmt.Fprintf(w, "    %s\n", r)
		}
	}
	switch {
	case d.DNSSEC != caa.DNSSECUnvalidated:
		fmt.Fprintf(w, "  DNSSEC: %s\n", d.DNSSEC)
	case d.Authenticated:
		fmt.Fprintf(w, "  DNSSEC: not validated (resolver's AD bit set)\n")
	}
	fmt.Fprintf(w, "  valid until: %s\n", d.ValidUntil.UTC().Format(time.RFC3339))
}

// absoluteURI reports whether s is an absolute URI (RFC 3986: a scheme and
// a hierarchical or opaque part), as RFC 8657 accounturi values are.
func absoluteURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.IsAbs() && (u.Host != "" || u.Opaque != "" || u.Path != "")
}
