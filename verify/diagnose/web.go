package diagnose

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/random"
	"github.com/dcvkit/dcv/verify"
)

var schemes = []string{"http", "https"}

// probe is one GET of one URL from one address, as the CA would send it.
type probe struct {
	host, scheme, path string
	addr               netip.Addr
	status             int
	location           string
	body               []byte
	err                error
	tls                *tls.ConnectionState
}

func (p *probe) url() string { return p.scheme + "://" + p.host + p.path }

// subject names the scheme, host and address, as findings do.
func (p *probe) subject() string {
	return fmt.Sprintf("%s://%s at %s", p.scheme, p.host, p.addr)
}

func (p *probe) port() string {
	if p.scheme == "https" {
		return "443"
	}
	return "80"
}

// connected reports whether the TCP connection (and TLS) worked.
func (p *probe) connected() bool { return p.err == nil || errors.Is(p.err, verify.ErrBodyTooLarge) }

// webTarget is one host and path to fetch, and the methods that use it.
type webTarget struct {
	host, path string
	methods    []challenge.Method
	want       string // expected content, with a challenge
	www        bool   // the www pair that the Alibaba file method also checks
}

// webTargets lists what to fetch: the challenge's URLs, or for each file
// method a path the CA would fetch (a random name under its directory).
func (r *run) webTargets() ([]webTarget, error) {
	if r.file != nil {
		var out []webTarget
		for _, raw := range r.file.URLs {
			u, err := url.Parse(raw)
			if err != nil {
				return nil, err
			}
			host := strings.ToLower(u.Hostname())
			if !slices.ContainsFunc(out, func(t webTarget) bool { return t.host == host }) {
				out = append(out, webTarget{host: host, path: r.file.Path, methods: []challenge.Method{r.given}, want: r.file.Content, www: host != r.adn})
			}
		}
		return out, nil
	}
	tok, err := random.Source{}.Token()
	if err != nil {
		return nil, err
	}
	var out []webTarget
	add := func(host, path string, m challenge.Method, www bool) {
		for i := range out {
			if out[i].host == host && out[i].path == path {
				out[i].methods = append(out[i].methods, m)
				return
			}
		}
		out = append(out, webTarget{host: host, path: path, methods: []challenge.Method{m}, www: www})
	}
	for _, m := range r.methods {
		switch m {
		case challenge.ACMEHTTP01:
			add(r.adn, challenge.ACMEHTTPPrefix+tok, m, false)
		case challenge.File, challenge.HashFile:
			add(r.adn, "/.well-known/pki-validation/"+tok+".txt", m, false)
			if w := challenge.WWWPair(r.adn); m == challenge.File && w != "" {
				add(w, "/.well-known/pki-validation/"+tok+".txt", m, true)
			}
		}
	}
	return out, nil
}

// checkWeb resolves every host, checks its addresses, fetches the
// well-known path from each address on ports 80 and 443, and judges the
// answers per method.
func (r *run) checkWeb() {
	targets, err := r.webTargets()
	if err != nil {
		r.out.undone("web checks: %v", err)
		return
	}
	j := newJudge(r)
	var wg sync.WaitGroup
	for _, t := range targets {
		wg.Go(func() { r.checkHost(t, j) })
	}
	wg.Wait()
	j.flush()
}

func (r *run) checkHost(t webTarget, j *judge) {
	usable := r.hostAddrs(t, j.add)
	probes := make([]*probe, 0, 2*len(usable))
	for _, s := range schemes {
		for _, a := range usable {
			probes = append(probes, &probe{host: t.host, scheme: s, path: t.path, addr: a})
		}
	}
	var wg sync.WaitGroup
	for _, p := range probes {
		wg.Go(func() { r.fetchAt(p) })
	}
	wg.Wait()
	if r.ctx.Err() != nil {
		r.out.undone("web server of %s: the requests did not finish in time", t.host)
		return
	}
	if len(usable) > 0 {
		j.judgeHost(t, probes)
	}
}

// hostAddrs looks the host up as the HTTP client would and returns the
// addresses a CA would connect to, reporting none, reserved ones and
// failed lookups through add.
func (r *run) hostAddrs(t webTarget, add func(Finding)) []netip.Addr {
	addrs, _, err := r.http.LookupIP(r.ctx, t.host) // validated as the client's own lookups
	if err != nil {
		switch {
		case r.ours(err) || isTransport(err):
			r.out.undone("addresses of %s: %v", t.host, err)
		case errors.Is(err, verify.ErrNotFound) && t.www:
			add(Finding{Code: ApexWWW, Severity: Error, Subject: t.host, Methods: t.methods,
				Message:  fmt.Sprintf("%s has no A or AAAA record; the Alibaba file method checks it as well as %s", t.host, pairOf(t.host)),
				Fix:      fmt.Sprintf("add an A (and AAAA) record for %s pointing at the web server, serving the same file", t.host),
				Evidence: []string{negative(err)}})
		case errors.Is(err, verify.ErrNotFound):
			add(Finding{Code: NoAddress, Severity: Error, Subject: t.host, Methods: t.methods,
				Message:  fmt.Sprintf("%s has no A or AAAA record, so the CA cannot reach a web server", t.host),
				Fix:      fmt.Sprintf("add an A (and AAAA) record for %s pointing at the web server, or use a DNS method", t.host),
				Evidence: []string{negative(err)}})
		default:
			add(Finding{Code: DNSLookupFailed, Severity: Error, Subject: t.host, Methods: t.methods,
				Message:  fmt.Sprintf("the addresses of %s cannot be looked up", t.host),
				Fix:      "fix the zone's name servers (or its DNSSEC) so that A and AAAA queries succeed",
				Evidence: []string{err.Error()}})
		}
		return nil
	}
	var usable []netip.Addr
	for _, a := range addrs {
		if aerr := verify.CheckAddr(a); aerr != nil && !r.d.AllowPrivate {
			add(Finding{Code: AddressReserved, Severity: Error, Subject: t.host + " " + a.String(), Methods: t.methods,
				Message:  fmt.Sprintf("%s points at %s, which is not a public address; a CA will not connect to it", t.host, a),
				Fix:      fmt.Sprintf("change the A/AAAA record of %s to the server's public address", t.host),
				Evidence: []string{aerr.Error()}})
			continue
		}
		usable = append(usable, a)
	}
	return usable
}

// fetchAt sends one GET through the verifier's HTTP client, dialling p.addr
// alone, and reads the body within the verifier's limit.
func (r *run) fetchAt(p *probe) {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, p.url(), nil)
	if err != nil {
		p.err = err
		return
	}
	resp, err := r.http.DoAt(req, p.addr)
	if err != nil {
		p.err = err
		return
	}
	defer resp.Body.Close()
	p.status, p.location, p.tls = resp.StatusCode, resp.Header.Get("Location"), resp.TLS
	limit := r.d.MaxBody
	if limit <= 0 {
		limit = verify.DefaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil:
		p.err = err
	case int64(len(body)) > limit:
		p.err = fmt.Errorf("%w: more than %d bytes", verify.ErrBodyTooLarge, limit)
	default:
		p.body = body
	}
}

func pairOf(host string) string {
	if p := challenge.WWWPair(host); p != "" {
		return p
	}
	return "the apex"
}

// firstLine is the start of a body, for evidence.
func firstLine(b []byte) string {
	s := string(b)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// contentIssues returns the formatting findings of a body that matches
// want only after the verifier's normalization.
func contentIssues(body []byte, want string) []Code {
	var out []Code
	if bytes.HasPrefix(body, []byte("\uFEFF")) {
		out = append(out, ContentBOM)
	}
	if bytes.Contains(body, []byte("\r\n")) && !strings.Contains(want, "\r\n") {
		out = append(out, ContentCRLF)
	}
	rest := bytes.TrimPrefix(body, []byte("\uFEFF"))
	rest = bytes.ReplaceAll(rest, []byte("\r\n"), []byte("\n"))
	// One final newline is what editors add; hex lines may differ in case.
	if !strings.EqualFold(string(rest), want) && !strings.EqualFold(string(rest), want+"\n") {
		out = append(out, ContentWhitespace)
	}
	return out
}
