package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/diagnose"
)

func runDiagnose(ctx context.Context, e *env, args []string) int {
	f := newFlags("diagnose",
		"dcv diagnose --ca NAME[,NAME] [--method M] [--challenge FILE] [--resolver ADDR[,ADDR]] [--trust-anchor F] [--dnssec validate|off] [--allow-private] [--json] DOMAIN...",
		"dcv diagnose --ca NAME --method M (--name FQDN (--value V | --target T) | --url URL... --content S) DOMAIN")
	f.notes = "Finds every reason the CA would refuse each DOMAIN (name, DNS servers, CAA, the\n" +
		"DNS record, the web server at each address on ports 80 and 443) and says how to\n" +
		"fix it. --ca takes issuer domain names or a brand:\n  " + strings.Join(caa.BrandNames(), ", ") + ".\n" +
		"--method is any (default: every method that applies) or one of:\n  " + diagnoseMethodNames() + ".\n" +
		"--challenge reads what 'dcv challenge --json' prints; the published record or\n" +
		"file is then checked too, and its domain is diagnosed. --name with --value (a TXT\n" +
		"record) or --target (a CNAME), or --url with --content, give a value another\n" +
		"CA's console showed, for one DOMAIN and the --method it belongs to.\n" +
		"Exit status: 0 no errors; 1 errors found (the CA will refuse); 2 a check could\n" +
		"not complete (resolver down, time out) or bad input; 64 usage. The worst wins.\n"
	ca := &listFlag{split: true}
	f.Var(ca, "ca", "the CA: issuer domain names or brands, comma-separated (required)")
	method := f.String("method", "any", "validation method to diagnose, or any")
	chFile := f.String("challenge", "", "challenge JSON Lines from 'dcv challenge --json' (- for standard input)")
	accountURI := f.String("account-uri", "", "RFC 8657 accounturi of the ACME account, for CAA (an absolute `URI`)")
	nf := addNetFlags(f, 30*time.Second, "bound on the diagnosis of each domain")
	authPort := f.String("auth-port", "", "port of the authoritative servers (default 53; for tests)")
	allowPrivate := f.Bool("allow-private", false, "labs and tests: accept special-use names (.test) and private or loopback addresses")
	jsonOut := f.Bool("json", false, "print each domain's report as one JSON line")
	name := f.String("name", "", "owner name of the record the CA asked for (with --value or --target)")
	value := f.String("value", "", "TXT value the CA asked for")
	target := f.String("target", "", "CNAME target the CA asked for (hash-cname)")
	var urls listFlag
	f.Var(&urls, "url", "`URL` the CA fetches the file from (repeat)")
	content := f.String("content", "", "file content the CA asked for")
	domains, code, ok := f.parse(e, args)
	if !ok {
		return code
	}
	m := challenge.Method(*method)
	switch {
	case len(ca.vals) == 0:
		return f.fail(e, "--ca is required")
	case len(domains) == 0 && *chFile == "":
		return f.fail(e, "no DOMAIN given")
	case m != "any" && !slices.Contains(diagnose.Methods(), m):
		return f.fail(e, "--method %q: want %s or any", *method, diagnoseMethodNames())
	case *chFile != "" && f.Lookup("method").Value.String() != "any":
		return f.fail(e, "--method does not apply with --challenge: the challenge names its method")
	case *accountURI != "" && !absoluteURI(*accountURI):
		return f.fail(e, "--account-uri %q: want an absolute URI, e.g. https://acme.example.com/acct/123", *accountURI)
	case nf.dnssec == verify.DNSSECOff && nf.anchors != nil:
		return f.fail(e, "--trust-anchor does not apply with --dnssec off")
	}
	given, msg := givenValue(m, domains, *chFile, *name, *value, *target, urls.vals, *content)
	if msg != "" {
		return f.fail(e, "%s", msg)
	}
	if m == "any" {
		m = ""
	}
	var reqs []diagnose.Request
	for _, d := range domains {
		r := diagnose.Request{Domain: d, CA: ca.vals, Method: m, AccountURI: *accountURI}
		r.Record, r.File = given.Record, given.File
		reqs = append(reqs, r)
	}
	if *chFile != "" {
		items, err := readChallenges(e, *chFile, nil)
		if err != nil {
			return failf(e, "diagnose", "%v", err)
		}
		for _, it := range items {
			reqs = append(reqs, diagnose.Request{CA: ca.vals, Challenge: it.Challenge, AccountURI: *accountURI})
		}
	}

	dnsc := nf.dnsClient()
	dnsc.AllowPrivate = *allowPrivate
	d := &diagnose.Diagnoser{
		DNS:      dnsc,
		AuthPort: *authPort,
		HTTP: &verify.HTTPClient{DNS: dnsc, AllowPrivate: *allowPrivate,
			DNSSEC: nf.dnssec, TrustAnchors: nf.anchors},
		AllowPrivate: *allowPrivate,
		DNSSEC:       nf.dnssec,
		TrustAnchors: nf.anchors,
	}
	reports := make([]*diagnose.Report, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, *nf.timeout)
			defer cancel()
			reports[i] = d.Diagnose(cctx, r)
		})
	}
	wg.Wait()

	status := exitOK
	for i, rep := range reports {
		switch {
		case !rep.Complete():
			status = max(status, exitFail)
			for _, why := range rep.Incomplete {
				fmt.Fprintf(e.stderr, "dcv diagnose: %s: could not complete: %s\n", rep.Domain, why)
			}
		case rep.HasErrors():
			status = max(status, exitNo)
		}
		if *jsonOut {
			if err := writeJSON(e.stdout, rep); err != nil {
				return failf(e, "diagnose", "%v", err)
			}
			continue
		}
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		if err := rep.WriteText(e.stdout); err != nil {
			return failf(e, "diagnose", "%v", err)
		}
	}
	return status
}

func diagnoseMethodNames() string {
	var s []string
	for _, m := range diagnose.Methods() {
		s = append(s, string(m))
	}
	return strings.Join(s, ", ")
}

// givenValue builds the record or file of --name/--value/--target or
// --url/--content, or says why the flags do not fit together.
func givenValue(m challenge.Method, domains []string, chFile, name, value, target string, urls []string, content string) (diagnose.Request, string) {
	var r diagnose.Request
	dnsGiven, fileGiven := name != "" || value != "" || target != "", len(urls) > 0 || content != ""
	switch {
	case !dnsGiven && !fileGiven:
		return r, ""
	case chFile != "":
		return r, "--name, --value, --target, --url and --content do not apply with --challenge"
	case dnsGiven && fileGiven:
		return r, "give a record (--name ...) or a file (--url ...), not both"
	case len(domains) != 1:
		return r, "a record or file the CA asked for belongs to one DOMAIN"
	case m == "any":
		return r, "--method says which method the record or file is for"
	case dnsGiven && (name == "" || (value == "") == (target == "")):
		return r, "a record needs --name and either --value (TXT) or --target (CNAME)"
	case dnsGiven && (target != "") != (m == challenge.HashCNAME):
		return r, "--target goes with --method hash-cname, --value with the TXT methods"
	case fileGiven && (len(urls) == 0 || content == ""):
		return r, "a file needs --url and --content"
	}
	if dnsGiven {
		r.Record = &challenge.Record{Type: "TXT", Name: name, Value: value}
		if target != "" {
			r.Record.Type, r.Record.Value = "CNAME", target
		}
		return r, ""
	}
	path := ""
	if u, err := url.Parse(urls[0]); err == nil {
		path = u.Path
	}
	r.File = &challenge.FileSpec{Path: path, Content: content, URLs: urls}
	return r, ""
}
