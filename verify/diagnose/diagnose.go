package diagnose

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/verify"
)

// DefaultTimeout bounds a diagnosis whose context has no deadline.
const DefaultTimeout = 30 * time.Second

// Diagnoser runs diagnoses. The zero value is ready: the resolvers of
// /etc/resolv.conf, authoritative servers on port 53, the hardened
// verify.HTTPClient on that DNS, CAA through the same resolver.
type Diagnoser struct {
	// DNS is the recursive resolver; nil means &verify.DNSClient{}.
	DNS verify.Exchanger
	// Auth asks one authoritative server; nil means DNS when it is a
	// verify.ServerExchanger (a *verify.DNSClient is). Without one the
	// per-server checks are reported as not done (Report.Incomplete).
	Auth verify.ServerExchanger
	// AuthPort is the authoritative servers' port; "" means 53. Tests use
	// another.
	AuthPort string
	// HTTP fetches the well-known URLs, one address at a time; nil means
	// a verify.HTTPClient on DNS with AllowPrivate, DNSSEC and
	// TrustAnchors.
	HTTP *verify.HTTPClient
	// MaxBody is the file body limit; 0 means verify.DefaultMaxBody, as
	// for verification.
	MaxBody int64
	// CAA decides CAA; nil means a caa.Checker on DNS with AllowPrivate,
	// DNSSEC and TrustAnchors.
	CAA *caa.Checker
	// DNSSEC: the zero value (verify.DNSSECValidate) validates the
	// domain's DNS answers, and the CAA lookups of the default CAA
	// checker, back to TrustAnchors. verify.DNSSECOff skips that, for labs
	// without a signed root; the report says so (DNSSECSkipped). The
	// Baseline Requirements do not let a CA skip it.
	DNSSEC verify.DNSSECMode
	// TrustAnchors are DS or DNSKEY records of any owner (a lab root, an
	// island of trust); nil means the IANA root anchors.
	// verify.ParseTrustAnchors reads a file of them.
	TrustAnchors []dns.RR
	// AllowPrivate (labs, tests) accepts special-use names and private or
	// loopback addresses without findings about them. It does not open
	// the HTTP client's address guard nor the DNS client's for name
	// servers: set HTTP.AllowPrivate and the DNSClient's AllowPrivate.
	AllowPrivate bool
	// Timeout bounds a diagnosis when ctx has no deadline (default 30 s).
	Timeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Request says what to diagnose.
type Request struct {
	// Domain is the name the certificate will cover ("*.example.com" for
	// a wildcard).
	Domain string `json:"domain"`
	// CA names the certificate authority: issuer domain names as CAA
	// records name it, or a brand from caa.Brands. Empty: CAA not checked.
	CA []string `json:"ca,omitempty"`
	// Method is the validation method; "" means every method the library
	// can check over the network that applies to Domain.
	Method challenge.Method `json:"method,omitempty"`
	// Challenge is what the user was given, if any: its published record
	// or file is then checked too, at every server and address. Its
	// method and domain override Method and Domain.
	Challenge *challenge.Challenge `json:"challenge,omitempty"`
	// Record or File is what the CA asked to publish when there is no
	// Challenge, e.g. a value from another CA's console or API: the DNS
	// record (type TXT or CNAME, owner name, value) for a DNS method, the
	// file (path, content, URLs) for a file method. Method must name the
	// method they belong to.
	Record *challenge.Record   `json:"record,omitempty"`
	File   *challenge.FileSpec `json:"file,omitempty"` // the file to look for, if any
	// AccountURI is the ACME account URL: for CAA accounturi (RFC 8657)
	// and the owner name of dns-account-01.
	AccountURI string `json:"account_uri,omitempty"`
}

// Finding is one thing the diagnosis found.
type Finding struct {
	Code     Code     `json:"code"`     // what was found, as a stable code
	Severity Severity `json:"severity"` // how much it matters
	// Subject is what it is about: a name, a server, a URL at an address.
	Subject string `json:"subject"`
	// Message says what is wrong, in one sentence.
	Message string `json:"message"`
	// Fix says what to do, in the user's terms: the host record, the
	// value, the line to add, the port to open.
	Fix string `json:"fix,omitempty"`
	// Evidence is what was seen: answers, statuses, values, per server.
	Evidence []string `json:"evidence,omitempty"`
	// Methods are the validation methods the finding concerns; empty
	// means every method (the name, the zone, CAA).
	Methods []challenge.Method `json:"methods,omitempty"`
}

// Report is a diagnosis of one domain. Findings are sorted errors first,
// then warnings, then information.
type Report struct {
	Domain  string             `json:"domain"`       // the domain diagnosed, normalized when valid
	CA      []string           `json:"ca,omitempty"` // the CA as the request named it
	Methods []challenge.Method `json:"methods"`      // the methods diagnosed
	// Usable are the methods no Error finding rules out: with Method
	// "any", the ways the CA could still validate the domain.
	Usable []challenge.Method `json:"usable"`
	// Zone and Servers are the zone and its authoritative servers, when
	// they were found.
	Zone string `json:"zone,omitempty"`
	// DNSSEC is the weakest verdict of the answers the DNSSEC check
	// validated ("" when it was off or did not run).
	DNSSEC   verify.DNSSECVerdict `json:"dnssec,omitempty"`
	Servers  []verify.AuthServer  `json:"servers,omitempty"` // the authoritative servers asked
	Findings []Finding            `json:"findings"`          // what was found, worst first
	// Incomplete lists the checks that could not be completed, and why
	// (the resolver did not answer, the context ended, no way to ask an
	// authoritative server). A report with entries here is not a clean
	// bill of health, whatever Findings say.
	Incomplete []string      `json:"incomplete,omitempty"`
	CheckedAt  time.Time     `json:"checked_at"`  // when the diagnosis started
	Duration   time.Duration `json:"duration_ns"` // how long it took
}

// Count returns how many findings have severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// HasErrors reports whether any finding is an Error: the CA will refuse.
func (r *Report) HasErrors() bool { return r.Count(Error) > 0 }

// Complete reports whether every check ran to an answer.
func (r *Report) Complete() bool { return len(r.Incomplete) == 0 }

// usable returns the methods diagnosed that no Error finding rules out (a
// finding without Methods rules out every method).
func (r *Report) usable() []challenge.Method {
	var out []challenge.Method
	for _, m := range r.Methods {
		if !slices.ContainsFunc(r.Findings, func(f Finding) bool {
			return f.Severity == Error && (len(f.Methods) == 0 || slices.Contains(f.Methods, m))
		}) {
			out = append(out, m)
		}
	}
	return out
}

// Has reports whether the report holds a finding with code c.
func (r *Report) Has(c Code) bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Code == c })
}

// collector gathers findings from concurrent checks.
type collector struct {
	mu         sync.Mutex
	findings   []Finding
	incomplete []string
}

func (c *collector) add(f Finding) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.findings = append(c.findings, f)
}

// addFor is add for findings about method m alone.
func (c *collector) addFor(m challenge.Method) func(Finding) {
	return func(f Finding) {
		f.Methods = []challenge.Method{m}
		c.add(f)
	}
}

func (c *collector) undone(format string, a ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	msg := fmt.Sprintf(format, a...)
	if !slices.Contains(c.incomplete, msg) {
		c.incomplete = append(c.incomplete, msg)
	}
}

// run is the state of one diagnosis, shared by its check chains.
type run struct {
	d       *Diagnoser
	ctx     context.Context
	out     *collector
	dns     verify.Exchanger
	auth    verify.ServerExchanger
	port    string
	http    *verify.HTTPClient
	domain  string // normalized, may start with "*."
	adn     string // domain without "*."
	methods []challenge.Method
	ch      *challenge.Challenge // the challenge given, if any
	given   challenge.Method     // the method record or file belongs to
	record  *challenge.Record    // the record to find, if given
	file    *challenge.FileSpec  // the file to find, if given
	req     Request
	now     time.Time

	zoneDone chan struct{}
	dnssec   verify.DNSSECVerdict // set by checkDNSSEC
	zone     string
	servers  []verify.AuthServer
	zoneErr  error
}

// Diagnose diagnoses one domain: every reason a CA would refuse it, each
// with its fix. The checks run concurrently; Diagnose returns when all have
// ended or ctx (or Timeout) is done, whichever is first, and what did not
// finish is listed in Report.Incomplete. It never returns nil.
func (d *Diagnoser) Diagnose(ctx context.Context, req Request) *Report {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	start := now()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cmp.Or(d.Timeout, DefaultTimeout))
		defer cancel()
	}
	r := &run{d: d, ctx: ctx, out: &collector{}, req: req, now: start, zoneDone: make(chan struct{})}
	rep := &Report{Domain: strings.TrimSpace(req.Domain), CA: req.CA, CheckedAt: start.UTC()}
	defer func() {
		rep.Findings, rep.Incomplete = r.out.findings, r.out.incomplete
		sortFindings(rep.Findings)
		if rep.Findings == nil {
			rep.Findings = []Finding{}
		}
		if rep.Methods == nil {
			rep.Methods = []challenge.Method{}
		}
		rep.Usable = rep.usable()
		if rep.Usable == nil {
			rep.Usable = []challenge.Method{}
		}
		rep.Duration = now().Sub(start)
	}()

	if req.Challenge != nil {
		if err := req.Challenge.Validate(); err != nil {
			r.out.undone("challenge: %v", err)
			return rep
		}
		r.ch = req.Challenge
		req.Domain, req.Method = r.ch.Domain, r.ch.Method
		rep.Domain = r.ch.Domain
		if r.ch.Expired(start) {
			r.out.add(Finding{Code: ChallengeExpired, Severity: Error, Subject: r.ch.Domain, Methods: []challenge.Method{r.ch.Method},
				Message:  fmt.Sprintf("the %s challenge expired at %s", r.ch.Method, r.ch.ExpiresAt.UTC().Format(time.RFC3339)),
				Fix:      "request a new challenge from the CA and publish its value (delete the old record or file)",
				Evidence: []string{"issued " + r.ch.IssuedAt.UTC().Format(time.RFC3339)}})
		}
	}
	if !r.checkName(req.Domain) {
		return rep
	}
	rep.Domain = r.domain
	if !r.published(req) {
		return rep
	}
	r.methods = r.chooseMethods(req.Method)
	rep.Methods = r.methods
	if len(r.methods) == 0 {
		return rep
	}
	r.setup()

	var wg sync.WaitGroup
	wg.Go(r.checkZone)
	wg.Go(r.checkDNSSEC)
	if len(req.CA) > 0 {
		wg.Go(r.checkCAA)
	}
	for _, m := range r.methods {
		if isRecordMethod(m) {
			wg.Go(func() { r.checkRecord(m) })
		}
	}
	if slices.ContainsFunc(r.methods, isFileMethod) {
		wg.Go(r.checkWeb)
	}
	if slices.Contains(r.methods, challenge.TLSALPN01) {
		wg.Go(r.checkALPN)
	}
	if slices.Contains(r.methods, challenge.DNSPersist01) {
		wg.Go(r.checkPersist)
	}
	wg.Wait()
	r.dropConsequences()
	if r.zoneErr == nil {
		rep.Zone, rep.Servers = r.zone, r.servers
	}
	rep.DNSSEC = r.dnssec
	if err := ctx.Err(); err != nil {
		r.out.undone("the diagnosis ran out of time (%v): later checks did not finish", err)
	}
	return rep
}

func (r *run) setup() {
	d := r.d
	r.dns = d.DNS
	if r.dns == nil {
		r.dns = &verify.DNSClient{}
	}
	r.auth = d.Auth
	if r.auth == nil {
		r.auth, _ = r.dns.(verify.ServerExchanger)
	}
	r.port = d.AuthPort
	r.http = d.HTTP
	if r.http == nil {
		r.http = &verify.HTTPClient{DNS: r.dns, AllowPrivate: d.AllowPrivate, DNSSEC: d.DNSSEC, TrustAnchors: d.TrustAnchors}
	}
}

// Methods returns the methods Diagnose can check, in the order of
// challenge.Methods. Email has nothing on the network to check.
func Methods() []challenge.Method {
	return []challenge.Method{challenge.DNSTXT, challenge.File, challenge.HashFile, challenge.HashCNAME, challenge.ACMEHTTP01, challenge.ACMEDNS01, challenge.TLSALPN01, challenge.DNSAccount01, challenge.DNSPersist01}
}

// published takes what the user was asked to publish from the challenge,
// or from Request.Record or File, and checks that it fits the domain and
// the method; false (with Incomplete saying why) when it does not.
func (r *run) published(req Request) bool {
	switch {
	case r.ch != nil:
		r.given, r.record, r.file = r.ch.Method, r.ch.Record, r.ch.File
		return true
	case req.Record != nil && req.File != nil:
		r.out.undone("request: give Record or File, not both")
		return false
	case req.Record != nil:
		want := "TXT"
		if req.Method == challenge.HashCNAME {
			want = "CNAME"
		}
		if !isRecordMethod(req.Method) || req.Record.Type != want || req.Record.Value == "" {
			r.out.undone("request: a record needs a DNS method (%s) and a %s record with a value", methodList([]challenge.Method{challenge.DNSTXT, challenge.HashCNAME, challenge.ACMEDNS01}), want)
			return false
		}
		owner, err := dnsname.Owner(req.Record.Name)
		if err != nil || owner != r.adn && !strings.HasSuffix(owner, "."+r.adn) {
			r.out.undone("request: record name %q is not at or below %s", req.Record.Name, r.adn)
			return false
		}
	case req.File != nil:
		if !isFileMethod(req.Method) || req.File.Content == "" || !strings.HasPrefix(req.File.Path, "/.well-known/") || len(req.File.URLs) == 0 {
			r.out.undone("request: a file needs a file method (%s), content, a /.well-known/ path and URLs", methodList([]challenge.Method{challenge.File, challenge.HashFile, challenge.ACMEHTTP01}))
			return false
		}
		for _, raw := range req.File.URLs {
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Port() != "" || u.Path != req.File.Path ||
				(u.Hostname() != r.adn && u.Hostname() != challenge.WWWPair(r.adn)) {
				r.out.undone("request: file URL %q is not http(s)://%s%s (or its www pair)", raw, r.adn, req.File.Path)
				return false
			}
		}
	}
	r.given, r.record, r.file = req.Method, req.Record, req.File
	return true
}

func isRecordMethod(m challenge.Method) bool {
	return m == challenge.DNSTXT || m == challenge.HashCNAME || m == challenge.ACMEDNS01 || m == challenge.DNSAccount01
}

// exactOnly reports whether m cannot validate a wildcard name (BR
// 3.2.2.4.18, .19 and .20).
func exactOnly(m challenge.Method) bool { return isFileMethod(m) || m == challenge.TLSALPN01 }

func isFileMethod(m challenge.Method) bool {
	return m == challenge.File || m == challenge.HashFile || m == challenge.ACMEHTTP01
}

// chooseMethods returns the methods to diagnose, raising WildcardMethod for
// a wildcard with a method that cannot validate it.
func (r *run) chooseMethods(m challenge.Method) []challenge.Method {
	wild := dnsname.IsWildcard(r.domain)
	if m == "" {
		var out []challenge.Method
		for _, k := range Methods() {
			if !wild || !exactOnly(k) {
				out = append(out, k)
			}
		}
		return out
	}
	if !slices.Contains(Methods(), m) {
		r.out.undone("method %q: diagnose checks %s", m, methodList(Methods()))
		return nil
	}
	if wild && exactOnly(m) {
		r.out.add(Finding{Code: WildcardMethod, Severity: Error, Subject: r.domain, Methods: []challenge.Method{m},
			Message: fmt.Sprintf("%s cannot validate a wildcard name", m),
			Fix:     fmt.Sprintf("use a DNS method (%s, %s or %s) for %s, or request %s without the wildcard", challenge.DNSTXT, challenge.ACMEDNS01, challenge.HashCNAME, r.domain, r.adn)})
	}
	return []challenge.Method{m}
}

func methodList(ms []challenge.Method) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

// zoneInfo waits for the zone chain to find the zone and its servers.
func (r *run) zoneInfo() (string, []verify.AuthServer, error) {
	select {
	case <-r.zoneDone:
		return r.zone, r.servers, r.zoneErr
	case <-r.ctx.Done():
		return "", nil, r.ctx.Err()
	}
}

// ours reports whether err is the diagnosis' own trouble (the resolver does
// not answer, time ran out) rather than something the CA would see.
func (r *run) ours(err error) bool {
	return r.ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// dropConsequences removes what follows from a domain that does not exist:
// with ZoneNotFound, a missing record or address says nothing more.
func (r *run) dropConsequences() {
	if !slices.ContainsFunc(r.out.findings, func(f Finding) bool { return f.Code == ZoneNotFound }) {
		return
	}
	r.out.findings = slices.DeleteFunc(r.out.findings, func(f Finding) bool {
		return f.Code == RecordMissing || f.Code == NoAddress || f.Code == ApexWWW || f.Code == RecordOwner
	})
}

// sortFindings orders errors first, then by code (the order of Codes),
// then by subject; the checks' own order is kept otherwise.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Severity, b.Severity), cmp.Compare(codeOrder[a.Code], codeOrder[b.Code]), strings.Compare(a.Subject, b.Subject))
	})
}
