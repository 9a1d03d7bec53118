package diagnose

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
)

// judge turns the web probes into findings. The same problem seen for two
// methods is one finding, at the worse of the two severities.
type judge struct {
	r        *run
	mu       sync.Mutex
	findings []Finding
	hostOK   map[string]bool // with a challenge: whether the host serves the file
}

func newJudge(r *run) *judge { return &judge{r: r, hostOK: map[string]bool{}} }

func (j *judge) add(f Finding) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i, g := range j.findings {
		if g.Code == f.Code && g.Subject == f.Subject {
			j.findings[i].Severity = min(g.Severity, f.Severity)
			for _, m := range f.Methods {
				if !slices.Contains(g.Methods, m) {
					j.findings[i].Methods = append(j.findings[i].Methods, m)
				}
			}
			return
		}
	}
	j.findings = append(j.findings, f)
}

// hostJudge judges for one method: its findings name the method.
type hostJudge struct {
	*judge
	m challenge.Method
}

func (j hostJudge) add(f Finding) {
	f.Methods = []challenge.Method{j.m}
	j.judge.add(f)
}

func (j *judge) flush() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.apexWWW()
	order := Methods()
	for _, f := range j.findings {
		// Probes of several targets merge in the order they end.
		slices.SortFunc(f.Methods, func(a, b challenge.Method) int {
			return slices.Index(order, a) - slices.Index(order, b)
		})
		j.r.out.add(f)
	}
}

// apexWWW: with the Alibaba file method, both names must serve the file.
func (j *judge) apexWWW() {
	if len(j.hostOK) != 2 {
		return
	}
	var good, bad []string
	for h, ok := range j.hostOK {
		if ok {
			good = append(good, h)
		} else {
			bad = append(bad, h)
		}
	}
	if len(good) == 1 && len(bad) == 1 {
		j.findings = append(j.findings, Finding{Code: ApexWWW, Severity: Error, Subject: bad[0],
			Message: fmt.Sprintf("%s serves the file but %s does not; the Alibaba file method checks both", good[0], bad[0]),
			Fix:     fmt.Sprintf("serve the same file at %s too (same document root or virtual host)", bad[0])})
	}
}

// role is how a method uses a scheme.
type role int

const (
	unused   role = iota // not fetched by the CA (https for ACME unless redirected)
	required             // must work
	ifServed             // must work if port 443 accepts connections (Alibaba)
	either               // this scheme or the other (SSL.com hash-file)
)

func roleOf(m challenge.Method, scheme string) role {
	switch {
	case m == challenge.HashFile:
		return either
	case scheme == "http":
		return required
	case m == challenge.File:
		return ifServed
	}
	return unused
}

// good reports whether the CA would accept what p got.
func good(p *probe, want string) bool {
	if p == nil || p.err != nil || p.status < 200 || p.status > 299 || p.status == 206 {
		return false
	}
	return want == "" || verify.ContentMatches(p.body, want)
}

func (j *judge) judgeHost(t webTarget, probes []*probe) {
	byScheme := map[string][]*probe{}
	for _, p := range probes {
		byScheme[p.scheme] = append(byScheme[p.scheme], p)
	}
	// the probe of the other scheme at the same address
	other := func(p *probe) *probe {
		for _, q := range probes {
			if q.addr == p.addr && q.scheme != p.scheme {
				return q
			}
		}
		return nil
	}
	hostOK := true
	for _, m := range t.methods {
		j := hostJudge{j, m}
		for _, s := range schemes {
			ps := byScheme[s]
			rl := roleOf(m, s)
			j.connection(rl, ps, other, t.want)
			for _, p := range ps {
				if !j.content(t, m, rl, p, other(p)) && rl != unused {
					hostOK = false
				}
			}
			j.consistency(t, ps)
		}
	}
	if len(probes) == 0 {
		hostOK = false
	}
	if t.want != "" && slices.Contains(t.methods, challenge.File) {
		j.mu.Lock()
		j.hostOK[t.host] = hostOK
		j.mu.Unlock()
	}
}

// connection reports failed connections and TLS trouble on one scheme.
func (j hostJudge) connection(rl role, ps []*probe, other func(*probe) *probe, want string) {
	refused, failed := 0, 0
	for _, p := range ps {
		if !p.connected() {
			failed++
			if errors.Is(p.err, verify.ErrConnection) {
				refused++
			}
		}
	}
	if len(ps) > 0 && refused == len(ps) && ps[0].scheme == "https" {
		j.add(Finding{Code: HTTPSNotServed, Severity: Info, Subject: ps[0].host,
			Message: fmt.Sprintf("nothing listens on port 443 of %s; the CA fetches the file over http", ps[0].host)})
		return
	}
	for _, p := range ps {
		if p.tls != nil {
			j.certInfo(p)
		}
		if p.connected() {
			continue
		}
		sev := Error
		switch {
		case rl == unused:
			sev = Info // the CA comes to 443 only if port 80 redirects there
		case rl == either && good(other(p), want):
			sev = Warning
		case failed < len(ps):
			sev = Warning // another address works; the CA may pick this one
		}
		f := Finding{Severity: sev, Subject: p.subject(), Evidence: []string{p.err.Error()}}
		var rh tls.RecordHeaderError
		switch {
		case errors.Is(p.err, verify.ErrConnection):
			f.Code = PortClosed
			f.Message = fmt.Sprintf("port %s of %s refuses connections", p.port(), p.addr)
			f.Fix = fmt.Sprintf("open TCP port %s to the Internet (firewall, security group) and start the web server on it", p.port())
			if p.scheme == "https" && rl == ifServed {
				f.Fix += ", or stop listening on 443 on every address"
			}
		case errors.Is(p.err, verify.ErrTimeout):
			f.Code = PortTimeout
			f.Message = fmt.Sprintf("connections to port %s of %s time out", p.port(), p.addr)
			f.Fix = fmt.Sprintf("open TCP port %s to the Internet; if an IP allow-list guards the site, add the CA's validation addresses", p.port())
		case errors.As(p.err, &rh):
			f.Code = HTTPOnHTTPSPort
			f.Message = fmt.Sprintf("port 443 of %s answers plain HTTP, not TLS", p.addr)
			f.Fix = "configure TLS (a certificate, even a self-signed one) on port 443, or stop listening on 443"
		case errors.Is(p.err, verify.ErrTLS):
			f.Code = TLSHandshakeFailed
			f.Message = fmt.Sprintf("the TLS handshake with %s on port 443 fails", p.addr)
			f.Fix = "fix the HTTPS server's TLS setup (TLS 1.2 or later, a certificate for the name), or stop listening on 443"
		case errors.Is(p.err, verify.ErrAddressRefused):
			f.Code = AddressReserved
			f.Message = fmt.Sprintf("%s is not a public address; the HTTP client refuses it", p.addr)
			f.Fix = fmt.Sprintf("point %s at a public address", p.host)
		default:
			continue // a body error: judged with the content
		}
		j.add(f)
	}
}

// certInfo notes a certificate that does not cover the name or has
// expired: validation accepts any certificate, browsers do not.
func (j *judge) certInfo(p *probe) {
	if len(p.tls.PeerCertificates) == 0 {
		return
	}
	leaf := p.tls.PeerCertificates[0]
	ev := []string{fmt.Sprintf("subject %q, names %s, valid %s to %s", leaf.Subject.CommonName, strings.Join(leaf.DNSNames, " "),
		leaf.NotBefore.UTC().Format("2006-01-02"), leaf.NotAfter.UTC().Format("2006-01-02"))}
	if err := leaf.VerifyHostname(p.host); err != nil {
		j.add(Finding{Code: TLSCertName, Severity: Info, Subject: p.subject(),
			Message:  fmt.Sprintf("the certificate on port 443 does not cover %s; validation accepts it, browsers will not", p.host),
			Evidence: ev})
	}
	if now := j.r.now; now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		j.add(Finding{Code: TLSCertExpired, Severity: Info, Subject: p.subject(),
			Message:  "the certificate on port 443 is expired or not yet valid; validation accepts it, browsers will not",
			Evidence: ev})
	}
}

// content judges what one address answered; it reports whether the CA
// would accept it.
func (j hostJudge) content(t webTarget, m challenge.Method, rl role, p, o *probe) bool {
	if !p.connected() {
		return rl == ifServed && errors.Is(p.err, verify.ErrConnection) // 443 closed: no HTTPS site
	}
	if rl == unused {
		return true // ACME http-01 starts on port 80; 443 matters only after a redirect
	}
	sev := Error
	if rl == either && good(o, t.want) {
		sev = Warning
	}
	u := p.url()
	if errors.Is(p.err, verify.ErrBodyTooLarge) {
		j.add(Finding{Code: BodyTooLarge, Severity: sev, Subject: p.subject(),
			Message:  fmt.Sprintf("%s answers a body over the size limit", u),
			Fix:      "serve only the validation content in the file",
			Evidence: []string{p.err.Error()}})
		return false
	}
	if p.err != nil {
		j.r.out.undone("%s: reading the body: %v", p.subject(), p.err)
		return false
	}
	switch s := p.status; {
	case s >= 300 && s <= 399:
		return j.redirect(t, m, p, sev)
	case s == 404 || s == 410:
		if t.want == "" {
			return true // the probe's random name does not exist: expected
		}
		f := Finding{Code: FileNotFound, Severity: sev, Subject: p.subject(),
			Message:  fmt.Sprintf("%s answers %d: the file is not there", u, s),
			Fix:      fmt.Sprintf("upload the file so that %s serves it (web root%s)", t.path, pathDir(t.path)),
			Evidence: []string{fmt.Sprintf("HTTP %d", s)}}
		if p.scheme == "https" && good(o, t.want) {
			f.Code, f.Message = HTTPSMismatch, fmt.Sprintf("http serves the file but %s answers %d: the HTTPS site is another document root", u, s)
			f.Fix = "serve the file on the HTTPS site too, or stop listening on port 443"
		}
		j.add(f)
		return false
	case s < 200 || s > 299 || s == 206:
		if t.want == "" && sev == Error {
			sev = Warning
		}
		j.add(Finding{Code: HTTPStatus, Severity: sev, Subject: p.subject(),
			Message:  fmt.Sprintf("%s answers status %d", u, s),
			Fix:      fmt.Sprintf("let the web server serve files under %s with status 200 (check access rules, proxies and the CDN)", pathDir(t.path)),
			Evidence: []string{fmt.Sprintf("HTTP %d: %s", s, firstLine(p.body))}})
		return false
	}
	if t.want == "" {
		return true
	}
	return j.body(t, p, o, sev)
}

// body compares a 2xx body with the expected content.
func (j hostJudge) body(t webTarget, p, o *probe, sev Severity) bool {
	if verify.ContentMatches(p.body, t.want) {
		for _, c := range contentIssues(p.body, t.want) {
			f := Finding{Code: c, Severity: Warning, Subject: p.subject(), Evidence: []string{fmt.Sprintf("%q", p.body)}}
			switch c {
			case ContentBOM:
				f.Message, f.Fix = "the file starts with a UTF-8 byte order mark", "save the file as UTF-8 without BOM"
			case ContentCRLF:
				f.Message, f.Fix = "the file has Windows (CRLF) line ends", "save the file with Unix (LF) line ends"
			default:
				f.Message, f.Fix = "the file has extra whitespace or blank lines", "save the file with exactly the given content, no trailing spaces or newline"
			}
			j.add(f)
		}
		return true
	}
	f := Finding{Code: ContentMismatch, Severity: sev, Subject: p.subject(),
		Message:  fmt.Sprintf("%s serves other content than the challenge's", p.url()),
		Fix:      "upload the file again, unchanged, as downloaded; purge any CDN cache",
		Evidence: []string{"served: " + firstLine(p.body), "expected: " + firstLine([]byte(t.want))}}
	if p.scheme == "https" && good(o, t.want) {
		f.Code = HTTPSMismatch
		f.Message = fmt.Sprintf("http serves the file but %s does not: the HTTPS site is another document root", p.url())
		f.Fix = "serve the file on the HTTPS site too, or stop listening on port 443"
	}
	j.add(f)
	return false
}

// redirect judges a 3xx: never allowed for the file methods of the Alibaba
// Cloud and SSL.com DCV pages; for ACME http-01 allowed within the BR
// rules, and then followed.
func (j hostJudge) redirect(t webTarget, m challenge.Method, p *probe, sev Severity) bool {
	ev := []string{fmt.Sprintf("HTTP %d Location: %s", p.status, p.location)}
	if m != challenge.ACMEHTTP01 {
		j.add(Finding{Code: RedirectRefused, Severity: sev, Subject: p.subject(),
			Message:  fmt.Sprintf("%s redirects (%d); the %s method does not follow redirects", p.url(), p.status, m),
			Fix:      fmt.Sprintf("serve %s directly, without a 301/302 (exempt %s from the redirect rule)", t.path, pathDir(t.path)),
			Evidence: ev})
		return false
	}
	from, _ := url.Parse(p.url())
	next, err := verify.RedirectTarget(from, p.status, p.location)
	if err != nil {
		j.add(Finding{Code: RedirectRefused, Severity: sev, Subject: p.subject(),
			Message:  fmt.Sprintf("%s redirects in a way the CA will not follow: %v", p.url(), err),
			Fix:      "redirect only with 301, 302, 307 or 308 to http:// or https:// on the default ports, or serve the file directly",
			Evidence: ev})
		return false
	}
	why := fmt.Sprintf("%d to %s on port %s", p.status, next.Scheme, portOf(next))
	f := Finding{Code: RedirectFollowed, Severity: Info, Subject: p.subject(),
		Message:  fmt.Sprintf("%s redirects to %s; ACME http-01 follows it (%s is within the BR rules)", p.url(), next.Redacted(), why),
		Evidence: ev}
	j.add(f)
	if t.want == "" {
		return true
	}
	res, err := verify.FetchFile(j.r.ctx, j.r.http, p.url(), true, j.r.d.MaxBody)
	if err == nil {
		if verify.ContentMatches(res.Body, t.want) {
			return true
		}
		j.add(Finding{Code: ContentMismatch, Severity: sev, Subject: res.FinalURL,
			Message:  fmt.Sprintf("the redirect ends at %s, which serves other content", res.FinalURL),
			Fix:      "serve the key authorization at the redirect's destination, or remove the redirect",
			Evidence: []string{"served: " + firstLine(res.Body)}})
		return false
	}
	code := HTTPStatus
	switch {
	case errors.Is(err, verify.ErrRedirect):
		code = RedirectRefused
	case res.Status == 404 || res.Status == 410:
		code = FileNotFound
	case errors.Is(err, verify.ErrConnection):
		code = PortClosed
	case errors.Is(err, verify.ErrTimeout):
		code = PortTimeout
	case errors.Is(err, verify.ErrTLS):
		code = TLSHandshakeFailed
	case errors.Is(err, verify.ErrBodyTooLarge):
		code = BodyTooLarge
	}
	j.add(Finding{Code: code, Severity: sev, Subject: res.FinalURL,
		Message:  fmt.Sprintf("following the redirect from %s fails at %s", p.url(), res.FinalURL),
		Fix:      "serve the key authorization at the redirect's destination, or remove the redirect",
		Evidence: []string{err.Error()}})
	return false
}

// consistency: every address of a host must answer alike, since the CA
// asks one of them.
func (j hostJudge) consistency(t webTarget, ps []*probe) {
	type sig struct {
		status int
		ok     bool
	}
	seen := map[sig][]string{}
	var order []sig
	for _, p := range ps {
		if !p.connected() {
			continue
		}
		s := sig{status: p.status, ok: t.want != "" && good(p, t.want)}
		if _, dup := seen[s]; !dup {
			order = append(order, s)
		}
		seen[s] = append(seen[s], p.addr.String())
	}
	if len(order) < 2 {
		return
	}
	var ev []string
	for _, s := range order {
		what := fmt.Sprintf("HTTP %d", s.status)
		if t.want != "" {
			what += map[bool]string{true: ", the file", false: ", not the file"}[s.ok]
		}
		ev = append(ev, strings.Join(seen[s], ", ")+": "+what)
	}
	j.add(Finding{Code: AddressInconsistent, Severity: Error, Subject: ps[0].scheme + "://" + t.host,
		Message:  fmt.Sprintf("the addresses of %s answer differently; the CA asks one of them", t.host),
		Fix:      "serve the same content from every address in the A and AAAA records (or remove the records of servers that do not)",
		Evidence: ev})
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

func pathDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i+1]
	}
	return p
}
