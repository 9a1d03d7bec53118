package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
)

// verifyCheck runs one attempt of a check and returns its results (one per
// challenge, URL set or record) and the joined error.
type verifyCheck func(ctx context.Context) ([]*verify.Result, error)

func runVerify(ctx context.Context, e *env, args []string) int {
	f := newFlags("verify",
		"dcv verify dns-txt --name FQDN --value V [flags]",
		"dcv verify dns-cname --name FQDN --target T [flags]",
		"dcv verify file --url URL [--url URL ...] (--content S | --content-file F) [flags]",
		"dcv verify tls-alpn-01 --domain D --key-authorization KA | dns-persist --domain D --issuer N[,N] --account-uri U[,U] [--wildcard] [--at T] [flags]",
		"dcv verify --challenge FILE|- [--code C] [flags]",
		"dcv verify ... --perspective [REGION@]URL[#KEYFILE][,...] [--key-file F] [--min-remotes N] [--min-regions N]")
	f.notes = "--challenge reads what 'dcv challenge --json' prints (JSON Lines, one challenge a\n" +
		"line) and verifies them as one order, each with its method's own policy.\n" +
		"Exit status: 0 verified; 1 not verified (not found, mismatch, not yet on every\n" +
		"authoritative server, redirect, wrong content, HTTP error status); 2 could not\n" +
		"decide (lookup failure, timeout, refused address, connection or TLS failure,\n" +
		"body over the limit, bad input such as a port other than 80/443); 64 usage.\n" +
		"tls-alpn-01: a certificate that breaks a rule, or a server that negotiates no\n" +
		"ALPN (it answers TLS but does not serve the challenge), is 1; a refused\n" +
		"connection, a failed handshake, a timeout, a wildcard or a refused address is 2.\n\n" +
		mpicNotes +
		"Email challenges cannot be corroborated: with --perspective they are refused.\n" +
		"--authoritative applies to the primary only (remotes use their own setup);\n" +
		"--wait repeats the whole corroboration until it passes or the wait is over.\n"
	chFile := f.String("challenge", "", "challenge JSON Lines from 'dcv challenge --json' (- for standard input)")
	var codes listFlag
	f.Var(&codes, "code", "`CODE` the applicant returned, for email challenges (repeat for several, in order)")
	name := f.String("name", "", "owner name of the record (dns-txt, dns-cname)")
	value := f.String("value", "", "expected TXT value, compared exactly (dns-txt)")
	target := f.String("target", "", "expected CNAME target (dns-cname)")
	urls := listFlag{check: checkURL}
	f.Var(&urls, "url", "`URL` that must serve the content, http on port 80 or https on 443 (file; repeat)")
	content := f.String("content", "", "expected file content (file)")
	contentFile := f.String("content-file", "", "file holding the expected content (file)")
	nf := addViewFlags(f, 30*time.Second, "bound on one check (each attempt with --wait)")
	follow := f.Bool("follow-redirects", false, "follow 301/302/307/308 to http/https on ports 80/443 (BR 3.2.2.4.18)")
	wait := f.duration("wait", 0, "poll until verified, a terminal failure, or this `DURATION` has passed")
	interval := f.duration("interval", 10*time.Second, "first `PAUSE` between attempts, with --wait; it grows by half up to 2m")
	jsonOut := f.Bool("json", false, "print each result with its evidence as one JSON line (with --perspective: each corroboration report)")
	vm := addVerifyMethodFlags(f)
	mp := addMPICFlags(f)
	pos, code, ok := f.parse(e, args)
	if !ok {
		return code
	}
	set := f.given()
	if msg := needs(set, [2]string{"interval", "wait"}, [2]string{"auth-port", "authoritative"}); msg != "" {
		return f.fail(e, "%s", msg)
	}
	if *interval < verify.MinPollInterval {
		return f.fail(e, "--interval %s: the shortest pause is %s", *interval, verify.MinPollInterval)
	}

	// Which flags each form takes beyond the common ones.
	kind := "challenge"
	if *chFile == "" {
		if len(pos) == 0 {
			return f.fail(e, "want dns-txt, dns-cname, file, tls-alpn-01, dns-persist or --challenge FILE")
		}
		kind = pos[0]
	}
	forms := map[string][]string{
		"challenge": {"challenge", "code", "authoritative", "auth-port", "allow-private", "follow-redirects"},
		"dns-txt":   {"name", "value", "authoritative", "auth-port", "allow-private"},
		"dns-cname": {"name", "target", "authoritative", "auth-port", "allow-private"},
		"file":      {"url", "content", "content-file", "allow-private", "follow-redirects"},
	}
	for k, fl := range verifyMethodForms {
		forms[k] = fl
	}
	allowed, known := forms[kind]
	switch {
	case !known:
		return f.fail(e, "unknown check %q (want dns-txt, dns-cname, file, tls-alpn-01, dns-persist or --challenge FILE)", kind)
	case kind == "challenge" && len(pos) > 0:
		return f.fail(e, "--challenge takes no other argument, got %q", pos[0])
	case kind != "challenge" && len(pos) > 1:
		return f.fail(e, "unexpected argument %q", pos[1])
	}
	for _, fl := range append([]string{"challenge", "code", "name", "value", "target", "url", "content", "content-file",
		"authoritative", "auth-port", "allow-private", "follow-redirects"}, verifyMethodFlagNames...) {
		if set[fl] && !slices.Contains(allowed, fl) {
			return f.fail(e, "--%s does not apply to %s", fl, kind)
		}
	}
	if (kind == "dns-txt" || kind == "dns-cname") && set["allow-private"] && !set["authoritative"] {
		// Only authoritative mode dials addresses a zone names.
		return f.fail(e, "--allow-private does not apply to %s without --authoritative", kind)
	}
	if msg := mpicUsage(f, mp); msg != "" {
		return f.fail(e, "%s", msg)
	}

	v := nf.newVerifier()
	v.Files = verify.FilePolicy{FollowRedirects: *follow}

	var check verifyCheck
	var pchecks []perspective.Check // the same check(s) for --perspective
	var targets []string            // what each of pchecks checks, for messages
	switch kind {
	case "dns-txt":
		if *name == "" || !set["value"] {
			return f.fail(e, "dns-txt needs --name and --value")
		}
		check = single(func(ctx context.Context) (*verify.Result, error) { return v.VerifyTXT(ctx, *name, *value) })
		pchecks = []perspective.Check{{Determination: perspective.DCV, TXT: &perspective.TXTCheck{Name: *name, Value: *value}}}
		targets = []string{*name}
	case "dns-cname":
		if *name == "" || *target == "" {
			return f.fail(e, "dns-cname needs --name and --target")
		}
		check = single(func(ctx context.Context) (*verify.Result, error) { return v.VerifyCNAME(ctx, *name, *target) })
		pchecks = []perspective.Check{{Determination: perspective.DCV, CNAME: &perspective.CNAMECheck{Name: *name, Target: *target}}}
		targets = []string{*name}
	case "file":
		if len(urls.vals) == 0 || set["content"] == set["content-file"] {
			return f.fail(e, "file needs --url and exactly one of --content and --content-file")
		}
		want := *content
		if *contentFile != "" {
			data, err := readInput(e, *contentFile, maxInput)
			if err != nil {
				return fail(e, err)
			}
			want = string(data)
		}
		if strings.TrimSpace(want) == "" {
			return f.fail(e, "the expected content is empty")
		}
		policy := verify.FilePolicy{Schemes: verify.AllURLs, FollowRedirects: *follow}
		check = single(func(ctx context.Context) (*verify.Result, error) {
			return v.VerifyFiles(ctx, urls.vals, want)
		})
		pchecks = []perspective.Check{{Determination: perspective.DCV,
			Files: &perspective.FilesCheck{URLs: urls.vals, Content: want}, FilePolicy: &policy}}
		targets = []string{strings.Join(urls.vals, " ")}
	case "tls-alpn-01", "dns-persist":
		var msg string
		var pc perspective.Check
		if check, pc, msg = vm.check(kind, v); msg != "" {
			return f.fail(e, "%s", msg)
		}
		pchecks = []perspective.Check{pc}
		targets = []string{kind + " " + *vm.domain}
	case "challenge":
		items, err := readChallenges(e, *chFile, codes.vals)
		if err != nil {
			return fail(e, err)
		}
		check = orderCheck(v, items)
		for _, it := range items {
			c := it.Challenge
			if c.Method == challenge.Email && mp.on() {
				return failf(e, "verify", "%s: email challenges cannot be corroborated (the code is not a network check); verify them without --perspective", c.Domain)
			}
			pc := perspective.Check{Determination: perspective.DCV, Challenge: c}
			if c.File != nil {
				// Every perspective applies this host's redirect rule.
				pc.FilePolicy = &verify.FilePolicy{Schemes: verify.SchemeDefault, FollowRedirects: *follow}
			}
			pchecks = append(pchecks, pc)
			targets = append(targets, string(c.Method)+" "+c.Domain)
		}
	}

	if mp.on() {
		c, err := mp.corroborator(e, "verify", &perspective.Local{Label: primaryLabel, Verifier: v})
		if err != nil {
			return fail(e, err)
		}
		for i := range pchecks {
			pchecks[i].DNSSEC = &nf.dnssec // remotes validate as the primary does
		}
		reports, errs := corroborateAll(ctx, e, c, pchecks, targets, *nf.timeout, *wait, *interval)
		return verifyOutput(targets).report(e, reports, errs, *jsonOut)
	}

	results, err := poll(ctx, e, check, *nf.timeout, *wait, *interval)
	return report(e, results, err, *jsonOut)
}

func single(f func(ctx context.Context) (*verify.Result, error)) verifyCheck {
	return func(ctx context.Context) ([]*verify.Result, error) {
		r, err := f(ctx)
		return []*verify.Result{r}, err
	}
}

// orderCheck verifies one challenge with Verify (or VerifyEmail), several
// as one order with VerifyOrder, concurrently.
func orderCheck(v *verify.Verifier, items []verify.OrderItem) verifyCheck {
	if len(items) == 1 {
		it := items[0]
		return single(func(ctx context.Context) (*verify.Result, error) {
			if it.Challenge.Method == challenge.Email {
				return v.VerifyEmail(it.Challenge, it.EmailCode)
			}
			return v.Verify(ctx, it.Challenge)
		})
	}
	return func(ctx context.Context) ([]*verify.Result, error) {
		res, err := v.VerifyOrder(ctx, items)
		if res == nil {
			return nil, err
		}
		return res.Results, err
	}
}

// readChallenges reads JSON Lines of challenges and pairs the email ones
// with the codes given: one code for all, or one per email challenge.
func readChallenges(e *env, path string, codes []string) ([]verify.OrderItem, error) {
	data, err := readInput(e, path, maxInput)
	if err != nil {
		return nil, err
	}
	var items []verify.OrderItem
	emails := 0
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		c, err := challenge.Decode(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", displayName(path), i+1, err)
		}
		items = append(items, verify.OrderItem{Challenge: c})
		if c.Method == challenge.Email {
			emails++
		}
	}
	switch {
	case len(items) == 0:
		return nil, fmt.Errorf("%s: no challenge in it", displayName(path))
	case emails == 0 && len(codes) > 0:
		return nil, errors.New("--code given but there is no email challenge")
	case emails > 0 && len(codes) == 0:
		return nil, errors.New("email challenges take the code the applicant returned: --code C")
	case emails > 0 && len(codes) != 1 && len(codes) != emails:
		return nil, fmt.Errorf("%d codes for %d email challenges; give one, or one per email challenge in order", len(codes), emails)
	}
	n := 0
	for i := range items {
		if items[i].Challenge.Method == challenge.Email {
			items[i].EmailCode = codes[min(n, len(codes)-1)]
			n++
		}
	}
	return items, nil
}

// poll runs check once, or with wait > 0 until it passes, fails terminally
// or wait has passed (the "wait and retry" of the Alibaba Cloud and SSL.com
// DCV pages, automated), through verify.Retry. Each attempt is bounded by
// timeout. Every attempt is reported on stderr with its cause and the time
// left: a live line on a terminal, one line per attempt otherwise.
func poll(ctx context.Context, e *env, check verifyCheck, timeout, wait, interval time.Duration) ([]*verify.Result, error) {
	if wait <= 0 {
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		return check(ctx)
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	deadline, _ := wctx.Deadline()
	attempts := 0
	results, err := verify.Retry(wctx, verify.PollOptions{Interval: interval, AttemptTimeout: timeout},
		func(ctx context.Context, n int) ([]*verify.Result, error) {
			results, err := check(ctx)
			attempts = n
			line := progressLine(n, max(time.Until(deadline), 0), results, err)
			if e.tty {
				fmt.Fprintf(e.stderr, "\r\033[K%s", line)
			} else {
				fmt.Fprintf(e.stderr, "dcv verify: %s\n", line)
			}
			return results, err
		})
	if e.tty {
		fmt.Fprint(e.stderr, "\n")
	}
	if err != nil && !verify.Terminal(err) && wctx.Err() != nil && ctx.Err() == nil {
		fmt.Fprintf(e.stderr, "dcv verify: --wait %s ran out after %d attempts; the last one:\n", wait, attempts)
	}
	return results, err
}

// progressLine is the one-line status of an attempt: each check's outcome
// and cause (each authoritative server's state in authoritative mode), and
// the time left.
func progressLine(attempt int, left time.Duration, results []*verify.Result, err error) string {
	var parts []string
	for _, r := range results {
		switch {
		case r == nil:
		case len(r.Servers) > 0:
			var ss []string
			for _, s := range r.Servers {
				ss = append(ss, s.NS+" "+mark(s.Outcome))
			}
			parts = append(parts, r.Target+": "+strings.Join(ss, ", "))
		case r.Outcome == verify.Verified:
			parts = append(parts, r.Target+" ok")
		default:
			parts = append(parts, r.Target+" "+mark(r.Outcome)+" ("+cause(r)+")")
		}
	}
	if len(parts) == 0 && err != nil {
		parts = append(parts, err.Error())
	}
	return fmt.Sprintf("attempt %d: %s; %s left", attempt, strings.Join(parts, "; "), leftRounded(left))
}

// leftRounded is the time left of a --wait as a status line shows it.
func leftRounded(left time.Duration) time.Duration {
	left = max(left, 0)
	if left >= 10*time.Second {
		return left.Round(time.Second)
	}
	return left.Round(100 * time.Millisecond)
}

// cause is a result's error without its hint and without the target the
// line already names.
func cause(r *verify.Result) string {
	msg := r.Error
	if i := strings.Index(msg, r.Target+": "); i >= 0 {
		msg = msg[i+len(r.Target)+2:]
	}
	return msg
}

func mark(o verify.Outcome) string {
	switch o {
	case verify.Verified:
		return "ok"
	case verify.NotVerified:
		return "not yet"
	}
	return "undecided"
}

// report prints the results and returns the exit status: the worst outcome.
func report(e *env, results []*verify.Result, err error, jsonOut bool) int {
	worst := verify.Verified
	if len(results) == 0 {
		worst = verify.OutcomeOf(err)
		if err != nil {
			printErr(e, err)
		}
	}
	for _, r := range results {
		if r == nil {
			continue
		}
		worst = max(worst, r.Outcome)
		if jsonOut {
			if err := writeJSON(e.stdout, r); err != nil {
				return fail(e, err)
			}
		} else {
			printResult(e, r)
		}
		printResultError(e, r)
	}
	return exitOf(worst)
}

// printResultError prints a result's error and hint on stderr.
func printResultError(e *env, r *verify.Result) {
	if r.Error != "" {
		printMsg(e, r.Error, r.Hint)
	}
}

// verifyFailure is the --json line for a check refused before it ran
// (with --perspective: a check the library refuses).
type verifyFailure struct {
	Outcome verify.Outcome `json:"outcome"` // always undecided
	Target  string         `json:"target"`
	Error   string         `json:"error"`
}

// verifyOutput reports corroborated DCV checks: the primary's result
// under the final outcome, and its error and hint.
func verifyOutput(targets []string) mpicOutput {
	return mpicOutput{
		cmd:   "verify",
		names: targets,
		primary: func(e *env, name string, rep *perspective.Report, final string) {
			if p := rep.Primary.DCV; p != nil {
				printResultAs(e, p, final)
				return
			}
			fmt.Fprintf(e.stdout, "%s: %s\n", final, name)
		},
		problem: func(e *env, rep *perspective.Report) {
			if p := rep.Primary.DCV; p != nil {
				printResultError(e, p)
			}
		},
		failure: func(name string, err error) any {
			return verifyFailure{Outcome: verify.Undecided, Target: name, Error: err.Error()}
		},
	}
}

func printResult(e *env, r *verify.Result) { printResultAs(e, r, r.Outcome.String()) }

// printResultAs prints r under the outcome given (with --perspective, the
// corroboration's): the outcome, then each authoritative server's answer
// or each URL's, where only the URLs that served the content are marked
// so, whatever the check's outcome.
func printResultAs(e *env, r *verify.Result, outcome string) {
	w := e.stdout
	what := r.Target
	switch {
	case r.Method != "" && len(r.URLs) > 0:
		what = string(r.Method) + " " + r.Domain
	case r.Method != "":
		what = string(r.Method) + " " + r.Domain + ": " + r.Target
	case len(r.URLs) > 0:
		what = fmt.Sprintf("file check of %d URL(s)", len(r.URLs))
	}
	fmt.Fprintf(w, "%s: %s\n", outcome, what)
	if r.DNSSEC != verify.DNSSECUnvalidated {
		// A bogus or indeterminate answer's broken link is in the hint.
		fmt.Fprintf(w, "  DNSSEC: %s\n", r.DNSSEC)
	}
	for _, s := range r.Servers {
		fmt.Fprintf(w, "  %s (%s): %s", s.NS, s.Addr, s.Outcome)
		if s.Error != "" {
			fmt.Fprintf(w, " — %s", s.Error)
		}
		fmt.Fprintln(w)
	}
	for _, u := range r.URLs {
		if u.Outcome == verify.Verified {
			fmt.Fprintf(w, "  %s: served the content\n", u.URL)
			continue
		}
		fmt.Fprintf(w, "  %s: not served (%s) — %s\n", u.URL, u.Outcome, u.Error)
	}
	printPersist(w, r)
}

func exitOf(o verify.Outcome) int {
	switch o {
	case verify.Verified:
		return exitOK
	case verify.NotVerified:
		return exitNo
	}
	return exitFail
}

// checkURL vets a --url value: an absolute http or https URL with a host.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want an absolute http:// or https:// URL, e.g. http://example.com/.well-known/pki-validation/fileauth.txt")
	}
	return nil
}

// authOptions is the Verifier's authoritative mode for --authoritative and
// --auth-port: nil (the recursive resolver) unless on.
func authOptions(on bool, port string) *verify.AuthOptions {
	if !on {
		return nil
	}
	return &verify.AuthOptions{Port: port}
}
