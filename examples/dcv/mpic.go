package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
)

// primaryLabel names the tool's own view in reports.
const primaryLabel = "primary"

// mpicFlags are the multi-perspective corroboration flags that verify and
// caa share.
type mpicFlags struct {
	remotes    listFlag
	keyFile    *string
	caFile     *string
	minRemotes *int
	minRegions *int
	set        map[string]bool // the flags given, filled by mpicUsage
}

func addMPICFlags(f *cmdFlags) *mpicFlags {
	m := &mpicFlags{remotes: listFlag{split: true}}
	f.Var(&m.remotes, "perspective", "corroborate through remote perspectives: `[REGION@]URL[#KEYFILE][,...]` of 'dcv serve-perspective' (repeat or comma-separate)")
	m.keyFile = f.String("key-file", "", "`FILE` holding the key of the remote perspectives that have none of their own (URL#KEYFILE)")
	m.caFile = f.String("perspective-ca", "", "PEM `FILE` of the certificates to trust for https perspectives (default: the system roots)")
	m.minRemotes = f.Int("min-remotes", 0, "with --perspective: at least `N` remote perspectives must be used (default: the BR 3.2.2.9 minimum in force today)")
	m.minRegions = f.Int("min-regions", 0, "with --perspective: the corroborating remotes must span `N` regions, given as REGION@URL (default: as the BR)")
	return m
}

// mpicNotes is the usage text on corroboration, for the commands' notes.
const mpicNotes = "--perspective repeats the check from remote perspectives ('dcv serve-perspective')\n" +
	"and passes only if the primary (this host's view) passes and enough remotes\n" +
	"agree: with 1 remote it must agree, with 2 to 5 one may dissent, with 6 or more\n" +
	"two. A remote that disagrees, errs, is unreachable or refuses the key counts\n" +
	"against. Give each remote as the URL it serves at (use https://; plain http://\n" +
	"is warned about), with its region (e.g. its RIR) as REGION@URL and, if it has a\n" +
	"key of its own, its key file as URL#KEYFILE; --key-file is the key of the others.\n" +
	"Key files must not be readable by group or others (chmod 600). Without\n" +
	"--min-remotes/--min-regions the BR 3.2.2.9 minimums in force today apply (4\n" +
	"remotes in 2 regions from 2026-06-15, 5 from 2026-12-15); lower ones must be\n" +
	"asked for and are reported as weaker. --perspective-ca trusts a private CA for\n" +
	"https perspectives. Not corroborated exits 1; the primary not deciding exits 2;\n" +
	"a bad key file or URL exits 2.\n"

// on reports whether corroboration was asked for.
func (m *mpicFlags) on() bool { return len(m.remotes.vals) > 0 }

// usageError returns what is wrong with the combination of flags, or "".
func (m *mpicFlags) usageError(set map[string]bool) string {
	switch {
	case set["key-file"] && !set["perspective"]:
		return "--key-file applies only with --perspective"
	case (set["min-remotes"] || set["min-regions"] || set["perspective-ca"]) && !set["perspective"]:
		return "--min-remotes, --min-regions and --perspective-ca apply only with --perspective"
	case *m.minRemotes < 0 || *m.minRegions < 0:
		return "--min-remotes and --min-regions must not be negative"
	}
	if !set["key-file"] {
		for _, s := range m.remotes.vals {
			if _, key, _ := strings.Cut(s, "#"); key == "" {
				return fmt.Sprintf("perspective %s has no key: give --key-file FILE, or %s#KEYFILE", s, s)
			}
		}
	}
	return ""
}

// remoteSpec is one --perspective entry.
type remoteSpec struct {
	Region  string
	URL     string
	Label   string // host[:port][/path] of the URL
	KeyFile string // the remote's own key, if any
}

// maxRegion bounds a region name.
const maxRegion = 32

// parseRemote reads "[REGION@]URL[#KEYFILE]". The URL is http or https
// with a host and an optional path prefix, without user info or query;
// the region is letters, digits, '-' and '_'.
func parseRemote(s string) (remoteSpec, error) {
	var spec remoteSpec
	raw := strings.TrimSpace(s)
	if i := strings.Index(raw, "@"); i >= 0 && !strings.Contains(raw[:i], "://") {
		spec.Region, raw = raw[:i], raw[i+1:]
		if spec.Region == "" || len(spec.Region) > maxRegion || strings.IndexFunc(spec.Region, badRegionRune) >= 0 {
			return spec, fmt.Errorf("perspective %q: the region before '@' must be 1 to %d letters, digits, '-' or '_'", s, maxRegion)
		}
	}
	raw, key, hasKey := strings.Cut(raw, "#")
	if hasKey && key == "" {
		return spec, fmt.Errorf("perspective %q: no key file after '#'", s)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return spec, fmt.Errorf("perspective %q: %v", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Opaque != "" {
		return spec, fmt.Errorf("perspective %q: want [REGION@]http(s)://host[:port][/path][#KEYFILE], as 'dcv serve-perspective' prints it", s)
	}
	if _, err := perspective.Identity(raw); err != nil {
		return spec, fmt.Errorf("perspective %q: %w", s, err)
	}
	spec.URL, spec.KeyFile = raw, key
	spec.Label = strings.TrimSuffix(u.Host+u.EscapedPath(), "/")
	return spec, nil
}

func badRegionRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}

// plainHTTP reports whether a remote is reached over plain HTTP through a
// network (not a loopback address), where its checks and results can be
// read on the way.
func plainHTTP(spec remoteSpec) bool {
	u, err := url.Parse(spec.URL)
	if err != nil || u.Scheme != "http" {
		return false
	}
	ip, err := netip.ParseAddr(u.Hostname())
	return err != nil || !ip.IsLoopback()
}

// policy is the policy of the flags: the BR 3.2.2.9 minimums in force at
// now, or what --min-remotes and --min-regions ask for instead, named as
// weaker when it is.
func (m *mpicFlags) policy(now time.Time) perspective.Policy {
	br := perspective.PolicyAt(now)
	if !m.set["min-remotes"] && !m.set["min-regions"] {
		return br
	}
	p := br
	if m.set["min-remotes"] {
		p.MinRemotes = *m.minRemotes
	}
	if m.set["min-regions"] {
		p.MinRegions = *m.minRegions
	}
	p.Rule = "asked for with --min-remotes/--min-regions"
	if p.WeakerThan(br) {
		p.Rule += fmt.Sprintf(", weaker than %s (%d remotes in %d regions)", br.Rule, br.MinRemotes, br.MinRegions)
	}
	return p
}

// corroborator builds the Corroborator of the flags around primary, and
// warns on stderr about plain-HTTP remotes. Its errors (a bad key file, a
// bad or repeated URL) are bad input: exit 2.
func (m *mpicFlags) corroborator(e *env, cmd string, primary perspective.Perspective) (*perspective.Corroborator, error) {
	keys := map[string][]byte{}
	load := func(path string) ([]byte, error) {
		if k, ok := keys[path]; ok {
			return k, nil
		}
		k, err := perspective.LoadKey(path)
		keys[path] = k
		return k, err
	}
	var client *http.Client
	if *m.caFile != "" {
		var err error
		if client, err = trustingClient(*m.caFile); err != nil {
			return nil, err
		}
	}
	c := &perspective.Corroborator{Primary: primary, Policy: m.policy(time.Now())}
	seen := map[string]bool{primaryLabel: true}
	for _, s := range m.remotes.vals {
		spec, err := parseRemote(s)
		if err != nil {
			return nil, err
		}
		if seen[spec.Label] {
			return nil, fmt.Errorf("perspective %s given twice (or named like the primary)", spec.Label)
		}
		seen[spec.Label] = true
		keyFile := spec.KeyFile
		if keyFile == "" {
			keyFile = *m.keyFile
		}
		key, err := load(keyFile)
		if err != nil {
			return nil, err
		}
		if plainHTTP(spec) {
			fmt.Fprintf(e.stderr, "dcv %s: warning: perspective %s is plain HTTP: its checks and results cross the network readable by anyone on the path; serve it over https://\n", cmd, spec.URL)
		}
		c.Remotes = append(c.Remotes, &perspective.Remote{URL: spec.URL, Key: key, Label: spec.Label, Region: spec.Region, Client: client})
	}
	return c, nil
}

// trustingClient is an HTTP client that trusts only the certificates in
// the PEM file (a private CA or the perspectives' own certificates).
func trustingClient(path string) (*http.Client, error) {
	if path == "-" {
		return nil, errors.New("--perspective-ca: give a file, not standard input")
	}
	data, err := readInput(nil, path, maxInput)
	if err != nil {
		return nil, fmt.Errorf("--perspective-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("--perspective-ca: no PEM certificate in %s", path)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}, nil
}

// terminal marks an error that retrying cannot fix (a bad check, or a
// primary failure of a terminal kind), so verify.Retry stops; its message
// is the cause's.
type terminal struct{ err error }

func (t terminal) Error() string   { return t.err.Error() }
func (t terminal) Unwrap() []error { return []error{verify.ErrBadInput, t.err} }

// corroborateAll runs every check at once, each bounded by timeout, or
// with wait > 0 repeated (verify.Retry) until corroborated, a bad check,
// or wait has passed, saying on stderr how each attempt went (targets
// names the checks). Reports and errors are in the order of checks; a
// report is nil only for a bad check or configuration.
func corroborateAll(ctx context.Context, e *env, c *perspective.Corroborator, checks []perspective.Check, targets []string,
	timeout, wait, interval time.Duration) ([]*perspective.Report, []error) {
	reports := make([]*perspective.Report, len(checks))
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	var mu sync.Mutex // one progress line at a time
	for i, chk := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			say := func(format string, a ...any) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(e.stderr, "dcv verify: "+format+"\n", a...)
			}
			reports[i], errs[i] = corroborate(ctx, c, chk, targets[i], say, timeout, wait, interval)
		}()
	}
	wg.Wait()
	return reports, errs
}

// corroborate runs one check (see corroborateAll); with wait > 0 it says
// each attempt's outcome and the time left, one line each (the checks run
// at once), and when the wait ran out.
func corroborate(ctx context.Context, c *perspective.Corroborator, chk perspective.Check, target string,
	say func(format string, a ...any), timeout, wait, interval time.Duration) (*perspective.Report, error) {
	once := func(ctx context.Context, _ int) (*perspective.Report, error) {
		rep, err := c.Run(ctx, chk)
		if rep == nil && err != nil {
			return nil, terminal{err}
		}
		// Too few remotes configured for the policy: no retry adds one.
		if err != nil && len(rep.Remotes) < rep.Policy.MinRemotes {
			return rep, terminal{err}
		}
		// The primary is ours: its kind says whether retrying can help
		// (an expired challenge, say, stays expired).
		if p := rep.Primary; err != nil && p != nil && p.DCV != nil {
			if k := verify.KindByCode(p.DCV.Code); k != nil && verify.Terminal(k) {
				return rep, terminal{err}
			}
		}
		return rep, err
	}
	if wait <= 0 {
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		return once(ctx, 1)
	}
	if interval <= 0 {
		interval = time.Second
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	deadline, _ := wctx.Deadline()
	attempts := 0
	rep, err := verify.Retry(wctx, verify.PollOptions{Interval: interval, AttemptTimeout: timeout},
		func(ctx context.Context, n int) (*perspective.Report, error) {
			rep, err := once(ctx, n)
			attempts = n
			say("attempt %d: %s: %s; %s left", n, target, attemptSummary(rep, err), leftRounded(time.Until(deadline)))
			return rep, err
		})
	var t terminal
	if err != nil && !errors.As(err, &t) && wctx.Err() != nil && ctx.Err() == nil {
		say("--wait %s ran out after %d attempts for %s; the last one:", wait, attempts, target)
	}
	return rep, err
}

// attemptSummary is one attempt's outcome in a few words.
func attemptSummary(rep *perspective.Report, err error) string {
	switch {
	case err == nil:
		return "corroborated"
	case rep != nil && rep.Reason != "":
		return "not corroborated (" + rep.Reason + ")"
	}
	return err.Error()
}

// reportExit maps a report to the exit status: 0 corroborated; 1 when the
// primary failed (not verified, forbidden) or passed without enough
// remotes; 2 when the primary could not decide or there is no report.
func reportExit(rep *perspective.Report) int {
	switch {
	case rep == nil || rep.Primary == nil:
		return exitFail
	case rep.Corroborated:
		return exitOK
	case rep.Primary.Passed() || rep.Primary.Verdict == perspective.Fail:
		return exitNo
	}
	return exitFail
}

// finalOutcome is the word the first line of a report starts with: the
// primary's outcome when corroborated or when the primary did not pass,
// else "not corroborated".
func finalOutcome(rep *perspective.Report) string {
	if !rep.Corroborated && rep.Primary.Passed() {
		return "not corroborated"
	}
	return rep.Primary.Outcome()
}

// mpicUsage checks the corroboration flags after parsing: "" if fine.
func mpicUsage(f *cmdFlags, m *mpicFlags) string {
	m.set = map[string]bool{}
	f.Visit(func(fl *flag.Flag) { m.set[fl.Name] = true })
	return m.usageError(m.set)
}

// mpicOutput is how a command reports its corroborations: the parts that
// differ between verify and caa.
type mpicOutput struct {
	cmd   string
	names []string // each check, for messages
	// primary prints the first line, which carries final, and the
	// primary's details.
	primary func(e *env, name string, rep *perspective.Report, final string)
	// problem prints on stderr why the primary did not pass, with its hint.
	problem func(e *env, rep *perspective.Report)
	// failure is the --json line of a check the library refused.
	failure func(name string, err error) any
}

// report prints each corroboration (the first line with the final
// outcome, the primary's details, one line per perspective, the policy
// and the reason; or the report as one JSON line) and returns the worst
// exit status.
func (o mpicOutput) report(e *env, reports []*perspective.Report, errs []error, jsonOut bool) int {
	status := exitOK
	for i, rep := range reports {
		name := o.names[i]
		status = max(status, reportExit(rep))
		if rep == nil {
			fmt.Fprintf(e.stderr, "dcv %s: %s: %s\n", o.cmd, name, errs[i].Error())
			if jsonOut {
				if err := writeJSON(e.stdout, o.failure(name, errs[i])); err != nil {
					return failf(e, o.cmd, "%v", err)
				}
			}
			continue
		}
		if jsonOut {
			if err := writeJSON(e.stdout, rep); err != nil {
				return failf(e, o.cmd, "%v", err)
			}
		} else {
			o.primary(e, name, rep, finalOutcome(rep))
			printPerspectives(e.stdout, rep)
		}
		o.problem(e, rep)
		if !rep.Corroborated {
			fmt.Fprintf(e.stderr, "dcv %s: %s: %s\n", o.cmd, name, notCorroborated(rep, errs[i]))
		}
	}
	return status
}

// printPerspectives prints one line per perspective, primary first, the
// policy applied and the reason the quorum passed or failed.
func printPerspectives(w io.Writer, rep *perspective.Report) {
	fmt.Fprintln(w, "  perspectives:")
	for _, r := range append([]*perspective.Result{rep.Primary}, rep.Remotes...) {
		if r == nil {
			continue
		}
		fmt.Fprintf(w, "    %s: %s", perspective.Info{Label: r.Label, Region: r.Region}, r.Outcome())
		if r.Error != "" && !r.Passed() {
			fmt.Fprintf(w, " — %s", r.Error)
		}
		fmt.Fprintln(w)
	}
	p := rep.Policy
	fmt.Fprintf(w, "  policy: at least %d remotes, the corroborating ones in %d regions (%s)\n", p.MinRemotes, p.MinRegions, p.Rule)
	fmt.Fprintln(w, rep.Reason)
}

// notCorroborated is the stderr line for a report that did not pass.
func notCorroborated(rep *perspective.Report, err error) string {
	if rep != nil && rep.Reason != "" {
		return rep.Reason
	}
	if err == nil {
		err = errors.New("not corroborated")
	}
	return err.Error()
}
