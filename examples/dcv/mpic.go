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
}

func addMPICFlags(f *cmdFlags) *mpicFlags {
	m := &mpicFlags{remotes: listFlag{split: true}}
	f.Var(&m.remotes, "perspective", "corroborate through remote perspectives: `[REGION@]URL[,...]` of 'dcv serve-perspective' (repeat or comma-separate)")
	m.keyFile = f.String("key-file", "", "`FILE` holding the key shared with the remote perspectives (with --perspective)")
	m.caFile = f.String("perspective-ca", "", "PEM `FILE` of the certificates to trust for https perspectives (default: the system roots)")
	m.minRemotes = f.Int("min-remotes", 0, "with --perspective: at least `N` remote perspectives must be used (BR 3.2.2.9)")
	m.minRegions = f.Int("min-regions", 0, "with --perspective: the corroborating remotes must span `N` regions (give them as REGION@URL)")
	return m
}

// mpicNotes is the usage text on corroboration, for the commands' notes.
const mpicNotes = "--perspective repeats the check from remote perspectives ('dcv serve-perspective')\n" +
	"and passes only if the primary (this host's view) passes and enough remotes\n" +
	"agree: with 1 remote it must agree, with 2 to 5 one may dissent, with 6 or more\n" +
	"two. A remote that disagrees, errs, is unreachable or refuses the key counts\n" +
	"against. Give a remote's region (e.g. its RIR) as REGION@URL, e.g.\n" +
	"RIPE@https://mpic-eu.example.net:8443, for --min-regions; --perspective-ca\n" +
	"trusts a private CA for https perspectives. Not corroborated\n" +
	"exits 1; the primary not deciding exits 2; a bad key file or URL exits 2.\n"

// on reports whether corroboration was asked for.
func (m *mpicFlags) on() bool { return len(m.remotes.vals) > 0 }

// usageError returns what is wrong with the combination of flags, or "".
func (m *mpicFlags) usageError(set map[string]bool) string {
	switch {
	case set["perspective"] && !set["key-file"]:
		return "--perspective needs --key-file"
	case set["key-file"] && !set["perspective"]:
		return "--key-file applies only with --perspective"
	case (set["min-remotes"] || set["min-regions"] || set["perspective-ca"]) && !set["perspective"]:
		return "--min-remotes, --min-regions and --perspective-ca apply only with --perspective"
	case *m.minRemotes < 0 || *m.minRegions < 0:
		return "--min-remotes and --min-regions must not be negative"
	}
	return ""
}

// remoteSpec is one --perspective entry.
type remoteSpec struct {
	Region string
	URL    string
	Label  string // host[:port][/path] of the URL
}

// maxRegion bounds a region name.
const maxRegion = 32

// parseRemote reads "[REGION@]URL". The URL is http or https with a host
// and an optional path prefix, without user info, query or fragment; the
// region is letters, digits, '-' and '_'.
func parseRemote(s string) (remoteSpec, error) {
	var spec remoteSpec
	raw := strings.TrimSpace(s)
	if i := strings.Index(raw, "@"); i >= 0 && !strings.Contains(raw[:i], "://") {
		spec.Region, raw = raw[:i], raw[i+1:]
		if spec.Region == "" || len(spec.Region) > maxRegion || strings.IndexFunc(spec.Region, badRegionRune) >= 0 {
			return spec, fmt.Errorf("perspective %q: the region before '@' must be 1 to %d letters, digits, '-' or '_'", s, maxRegion)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return spec, fmt.Errorf("perspective %q: %v", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return spec, fmt.Errorf("perspective %q: want [REGION@]http(s)://host[:port][/path], as 'dcv serve-perspective' prints it", s)
	}
	spec.URL = raw
	spec.Label = strings.TrimSuffix(u.Host+u.EscapedPath(), "/")
	return spec, nil
}

func badRegionRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}

// corroborator builds the Corroborator of the flags around primary. Its
// errors (a bad key file, a bad or repeated URL) are bad input: exit 2.
func (m *mpicFlags) corroborator(primary perspective.Perspective) (*perspective.Corroborator, error) {
	key, err := perspective.LoadKey(*m.keyFile)
	if err != nil {
		return nil, err
	}
	var client *http.Client
	if *m.caFile != "" {
		client, err = trustingClient(*m.caFile)
		if err != nil {
			return nil, err
		}
	}
	c := &perspective.Corroborator{
		Primary: primary,
		Policy:  perspective.Policy{MinRemotes: *m.minRemotes, MinRegions: *m.minRegions},
	}
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
// or wait has passed. Reports and errors are in the order of checks; a
// report is nil only for a bad check or configuration.
func corroborateAll(ctx context.Context, c *perspective.Corroborator, checks []perspective.Check,
	timeout, wait, interval time.Duration) ([]*perspective.Report, []error) {
	reports := make([]*perspective.Report, len(checks))
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, chk := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i], errs[i] = corroborate(ctx, c, chk, timeout, wait, interval)
		}()
	}
	wg.Wait()
	return reports, errs
}

func corroborate(ctx context.Context, c *perspective.Corroborator, chk perspective.Check,
	timeout, wait, interval time.Duration) (*perspective.Report, error) {
	once := func(ctx context.Context, _ int) (*perspective.Report, error) {
		rep, err := c.Run(ctx, chk)
		if rep == nil && err != nil {
			return nil, terminal{err}
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
	return verify.Retry(wctx, verify.PollOptions{Interval: interval, AttemptTimeout: timeout}, once)
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

// printPerspectives prints one line per perspective, primary first, and
// the reason the quorum passed or failed.
func printPerspectives(w io.Writer, rep *perspective.Report) {
	fmt.Fprintln(w, "  perspectives:")
	for _, r := range append([]*perspective.Result{rep.Primary}, rep.Remotes...) {
		if r == nil {
			continue
		}
		fmt.Fprintf(w, "    %s: %s", perspective.Info{Label: r.Label, Region: r.Region}, r.Outcome())
		if r.Error != "" && !r.Passed() {
			fmt.Fprintf(w, " — %s", clean(r.Error))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, rep.Reason)
}

// mpicUsage checks the corroboration flags after parsing: "" if fine.
func mpicUsage(f *cmdFlags, m *mpicFlags) string {
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	return m.usageError(set)
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
