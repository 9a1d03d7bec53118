package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify/perspective"
)

// caaFailure is the --json line for a name whose CAA could not be decided.
type caaFailure struct {
	Domain string `json:"domain"`
	Error  string `json:"error"`
}

func runCAA(ctx context.Context, e *env, args []string) int {
	f := newFlags("caa", "dcv caa --ca NAME[,NAME] [--wildcard] [--account-uri U] [--method M] [--resolver ADDR[,ADDR]] [--json] DOMAIN...",
		"dcv caa ... [--perspective [REGION@]URL[#KEYFILE][,...] [--key-file F] [--min-remotes N] [--min-regions N]] DOMAIN...")
	f.notes = "--ca takes issuer domain names as they appear in CAA records (any domain), or\n" +
		"a brand standing for its domains: " + strings.Join(caa.BrandNames(), ", ") + ".\n" +
		"Exit status: 0 permitted, 1 forbidden, 2 could not decide (lookup failure,\n" +
		"timeout, bad input), 64 usage; with several names the worst wins.\n\n" + mpicNotes
	ca := &listFlag{split: true}
	f.Var(ca, "ca", "the CA: issuer domain names or brands, comma-separated (required)")
	wildcard := f.Bool("wildcard", false, "the certificate is for the wildcard *.DOMAIN")
	accountURI := f.String("account-uri", "", "RFC 8657 accounturi of the requesting ACME account")
	method := f.String("method", "", "RFC 8657 validation method: dns-01, http-01, tls-alpn-01 or ca-...")
	nf := addNetFlags(f, 10*time.Second, "bound on the check of each name")
	jsonOut := f.Bool("json", false, "print each name's Decision as one JSON line (with --perspective: its corroboration report)")
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
	}
	if msg := mpicUsage(f, mp); msg != "" {
		return f.fail(e, "%s", msg)
	}
	if *method != "" && !validMethodLabel(*method) {
		return failf(e, "caa", "--method %q: want dns-01, http-01, tls-alpn-01 or a ca-... label (RFC 8657)", *method)
	}

	checker := &caa.Checker{DNS: nf.dnsClient(), Timeout: *nf.timeout}
	request := func(d string) caa.Request {
		return caa.Request{Domain: d, Issuers: ca.vals, Wildcard: *wildcard, AccountURI: *accountURI, Method: *method}
	}
	if mp.on() {
		c, err := mp.corroborator(e, "caa", &perspective.Local{Label: primaryLabel, CAA: checker})
		if err != nil {
			return failf(e, "caa", "%v", err)
		}
		checks := make([]perspective.Check, len(domains))
		for i, d := range domains {
			r := request(d)
			checks[i] = perspective.Check{Determination: perspective.CAA, CAA: &r}
		}
		reports, errs := corroborateAll(ctx, c, checks, *nf.timeout, 0, 0)
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
		if errs[i] != nil {
			status = max(status, exitFail)
			fmt.Fprintf(e.stderr, "dcv caa: %s: %s\n", domains[i], clean(errs[i].Error()))
			if *jsonOut {
				if err := writeJSON(e.stdout, caaFailure{Domain: domains[i], Error: errs[i].Error()}); err != nil {
					return failf(e, "caa", "%v", err)
				}
			} else {
				fmt.Fprintf(e.stdout, "%s: could not decide\n", domains[i])
			}
			continue
		}
		if !d.Permitted {
			status = max(status, exitNo)
			printForbidden(e, d)
		}
		if *jsonOut {
			if err := writeJSON(e.stdout, d); err != nil {
				return failf(e, "caa", "%v", err)
			}
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
		failure: func(name string, err error) any { return caaFailure{Domain: name, Error: err.Error()} },
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
	if d.Authenticated {
		fmt.Fprintf(w, "  DNSSEC: authenticated\n")
	}
	fmt.Fprintf(w, "  valid until: %s\n", d.ValidUntil.UTC().Format(time.RFC3339))
}

// validMethodLabel accepts the RFC 8657 method labels: the ACME ones and
// CA-specific "ca-..." labels of letters, digits and inner hyphens.
func validMethodLabel(m string) bool {
	switch m {
	case "dns-01", "http-01", "tls-alpn-01":
		return true
	}
	if !strings.HasPrefix(m, "ca-") || len(m) > 63 || strings.HasSuffix(m, "-") {
		return false
	}
	for _, c := range m {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
