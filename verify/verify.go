package verify

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/flight"
	"github.com/dcvkit/dcv/internal/pool"
	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
)

// SchemePolicy says which of a host's http and https URLs must serve a file.
type SchemePolicy int

const (
	// SchemeDefault applies the method's own rule: EitherScheme for
	// hash-file (SSL.com), HTTPSIfServed for file (Alibaba), and every URL
	// for ACME http-01 (which lists only http).
	SchemeDefault SchemePolicy = iota
	// EitherScheme: http (port 80) or https (port 443) suffices per host.
	EitherScheme
	// HTTPSIfServed: http must match, and https must match too if port 443
	// answers at all (Alibaba FAQ: "site enabled HTTPS but the file is only
	// on HTTP"). A refused connection on 443 means no HTTPS site.
	HTTPSIfServed
	// AllURLs: every URL must serve the content.
	AllURLs
)

var schemeNames = [...]string{SchemeDefault: "default", EitherScheme: "either", HTTPSIfServed: "https-if-served", AllURLs: "all"}

// String returns the policy's name: "default", "either", "https-if-served" or "all".
func (p SchemePolicy) String() string {
	if p >= 0 && int(p) < len(schemeNames) {
		return schemeNames[p]
	}
	return fmt.Sprintf("SchemePolicy(%d)", int(p))
}

// MarshalText writes the policy's name; an unknown policy is an error.
func (p SchemePolicy) MarshalText() ([]byte, error) {
	if p < 0 || int(p) >= len(schemeNames) {
		return nil, fmt.Errorf("verify: unknown scheme policy %d", int(p))
	}
	return []byte(schemeNames[p]), nil
}

// UnmarshalText reads what MarshalText writes.
func (p *SchemePolicy) UnmarshalText(b []byte) error {
	for i, n := range schemeNames {
		if string(b) == n {
			*p = SchemePolicy(i)
			return nil
		}
	}
	return fmt.Errorf("verify: unknown scheme policy %q", b)
}

// AuthPolicy says how many authoritative servers must serve a record.
type AuthPolicy int

const (
	AuthAll AuthPolicy = iota // every authoritative server (default)
	AuthAny                   // at least one
)

// AuthOptions turns on authoritative mode: every authoritative server of
// the zone is asked directly (recursion off) instead of the recursive
// resolver, the Alibaba FAQ's "not yet synced" check. The zero value asks
// every server on port 53 through Verifier.DNS.
type AuthOptions struct {
	// Policy says how many servers must serve the record (default AuthAll).
	Policy AuthPolicy
	// Servers asks one server; nil means Verifier.DNS, which must then
	// be a ServerExchanger (DNSClient is one).
	Servers ServerExchanger
	// Port is the port of every authoritative server found through NS
	// records; "" means 53. Tests use another.
	Port string
	// Cache, if set, shares zone walks across checks and orders for as
	// long as the caller keeps it; nil shares them within an order only.
	Cache *ZoneCache
}

// Verifier checks published challenges. The zero value is ready: DNS through
// the resolvers of /etc/resolv.conf, a hardened HTTP client resolving through
// the same DNS, redirects refused as the Alibaba Cloud and SSL.com DCV pages
// demand.
type Verifier struct {
	DNS  Exchanger // recursive DNS; nil means &DNSClient{}
	HTTP HTTPDoer  // nil means &HTTPClient{DNS: DNS}; tls-alpn-01 checks need nil or an ALPNDialer

	// Authoritative, if set, asks the zone's authoritative servers instead
	// of the recursive resolver; nil means the recursive resolver (DNS).
	Authoritative *AuthOptions

	// Files is the policy of file checks: which of a host's URLs must
	// serve the file, and whether redirects are followed. Verify applies
	// the method's own scheme rule when Files.Schemes is SchemeDefault.
	Files FilePolicy

	MaxBody     int64            // validation file body limit; 0 means DefaultMaxBody
	Concurrency int              // bound for VerifyOrder, default 128
	Now         func() time.Time // the clock of every timestamp (expiry, CheckedAt, evidence); nil means time.Now

	// Timeout bounds each check (Verify, VerifyTXT, VerifyCNAME,
	// VerifyFiles, VerifyTLSALPN01, VerifyPersist, each item of
	// VerifyOrder) when the caller's context has
	// no deadline; 0 means DefaultTimeout. A context with a deadline is
	// used as it is.
	Timeout time.Duration

	// DNSSEC: the zero value validates every DNS answer a check relies on
	// (TXT, CNAME and DNAME links, the A/AAAA behind a file fetch, each
	// authoritative server's answers) back to TrustAnchors; a bogus or
	// indeterminate answer makes the check Undecided. DNSSECOff records
	// only the resolver's AD bit: the Baseline Requirements do not allow
	// a CA to switch validation off.
	DNSSEC DNSSECMode
	// TrustAnchors are DS or DNSKEY records of any owner (a lab root, an
	// island of trust); nil means the IANA root anchors (RootTrustAnchors).
	TrustAnchors []dns.RR
}

// DefaultTimeout is the bound on one check when neither the context nor
// Verifier.Timeout gives one: longer than one HTTP fetch
// (DefaultFetchTimeout) or a DNS lookup's retries, short enough that no
// check hangs.
const DefaultTimeout = 30 * time.Second

// bound gives ctx the Verifier's default deadline if it has none.
func (v *Verifier) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	t := v.Timeout
	if t <= 0 {
		t = DefaultTimeout
	}
	return context.WithTimeout(ctx, t)
}

// Result is the outcome of one check, with the evidence a CA keeps.
type Result struct {
	Method    challenge.Method      `json:"method,omitempty"`  // the challenge's method; "" for VerifyTXT, VerifyCNAME, VerifyFiles
	Domain    string                `json:"domain,omitempty"`  // the challenge's domain
	Target    string                `json:"target"`            // DNS name or the URLs checked
	Outcome   Outcome               `json:"outcome"`           // verified, not_verified or undecided
	Code      string                `json:"code,omitempty"`    // the error's kind as a stable code (KindCode)
	Error     string                `json:"error,omitempty"`   // the error's message
	Hint      string                `json:"hint,omitempty"`    // what the applicant should do (Error.Hint)
	Servers   []ServerResult        `json:"servers,omitempty"` // authoritative mode: each server's answer
	URLs      []URLResult           `json:"urls,omitempty"`    // file checks: each URL's own outcome
	Persist   *PersistAuthorization `json:"persist,omitempty"` // dns-persist-01: the record that authorized, until when
	DNSSEC    DNSSECVerdict         `json:"dnssec,omitempty"`  // the weakest DNSSEC verdict of the DNS answers the check used; "" if none was validated
	Evidence  []Evidence            `json:"evidence"`          // every query and request made
	CheckedAt time.Time             `json:"checked_at"`        // when the check started, on the Verifier's clock
	Duration  time.Duration         `json:"duration_ns"`       // how long it took
}

// ServerResult is one authoritative server's answer in authoritative mode.
type ServerResult struct {
	NS      string  `json:"ns"`              // the name server's name
	Addr    string  `json:"addr"`            // the address asked, "ip:port"
	Outcome Outcome `json:"outcome"`         // this server's outcome
	Error   string  `json:"error,omitempty"` // why it did not pass
}

// URLResult is one URL's outcome in a file check: Verified only if it
// served the expected content. A URL may fail while the check passes (an
// https URL refused where the method allows it, or the other scheme of an
// either-scheme method), so only the Verified ones served the file.
type URLResult struct {
	URL     string  `json:"url"`             // as given
	Outcome Outcome `json:"outcome"`         // Verified: it served the content
	Error   string  `json:"error,omitempty"` // why it did not
}

// outcomeCodes are the outcomes' JSON spellings.
var outcomeCodes = [...]string{Verified: "verified", NotVerified: "not_verified", Undecided: "undecided"}

// MarshalText writes the outcome as "verified", "not_verified" or
// "undecided"; an unknown outcome is an error.
func (o Outcome) MarshalText() ([]byte, error) {
	if o < 0 || int(o) >= len(outcomeCodes) {
		return nil, fmt.Errorf("verify: unknown outcome %d", int(o))
	}
	return []byte(outcomeCodes[o]), nil
}

// UnmarshalText reads what MarshalText writes.
func (o *Outcome) UnmarshalText(b []byte) error {
	for k, code := range outcomeCodes {
		if string(b) == code {
			*o = Outcome(k)
			return nil
		}
	}
	return fmt.Errorf("verify: unknown outcome %q", b)
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// began is when a check started, on the Verifier's clock and on the
// system's: evidence is stamped with the system clock below the Verifier,
// and finish moves it onto the Verifier's.
type began struct {
	at, sys time.Time
}

func (v *Verifier) begin() began {
	return began{at: v.now(), sys: time.Now()}
}

func (v *Verifier) dns() Exchanger {
	if v.DNS != nil {
		return v.DNS
	}
	return &DNSClient{}
}

func (v *Verifier) http() HTTPDoer {
	if v.HTTP != nil {
		return v.HTTP
	}
	return &HTTPClient{DNS: v.dns(), DNSSEC: v.DNSSEC, TrustAnchors: v.TrustAnchors}
}

// resolver returns the recursive resolver with this check's DNSSEC
// setting attached.
func (v *Verifier) resolver() *dnsPath {
	ex := v.dns()
	return &dnsPath{Exchanger: ex, val: resolve.ValidatorFor(v.DNSSEC, v.TrustAnchors, v.Now, ex)}
}

// finish fills the result from err and returns both, so every Verify
// function ends the same way: err is nil exactly when the check passed.
func (v *Verifier) finish(r *Result, b began, err error) (*Result, error) {
	r.CheckedAt = b.at.UTC()
	r.Duration = time.Since(b.sys)
	if v.Now != nil {
		for i := range r.Evidence {
			if t := r.Evidence[i].Time; !t.IsZero() {
				r.Evidence[i].Time = b.at.Add(t.Sub(b.sys)).UTC()
			}
		}
	}
	vs := make([]DNSSECVerdict, len(r.Evidence))
	for i, ev := range r.Evidence {
		vs[i] = ev.DNSSEC
	}
	r.DNSSEC = dnssec.Weakest(vs...)
	r.Outcome = OutcomeOf(err)
	if err != nil {
		r.Error = err.Error()
		r.Code = KindCode(err)
		var e *Error
		if errors.As(err, &e) {
			r.Hint = e.Hint
		}
	}
	return r, err
}

// Verify checks a challenge by its method. An expired or malformed challenge
// is refused before any network traffic. Email challenges need the code the
// applicant submitted: use VerifyEmail.
func (v *Verifier) Verify(ctx context.Context, c *challenge.Challenge) (*Result, error) {
	start := v.begin()
	r := &Result{}
	if c == nil {
		return v.finish(r, start, newError(ErrBadInput, "challenge", errors.New("nil challenge")))
	}
	r.Method, r.Domain = c.Method, c.Domain
	if err := v.precheck(c, start.at); err != nil {
		r.Target = c.Domain
		return v.finish(r, start, err)
	}
	ctx, cancel := v.bound(ctx)
	defer cancel()
	var err error
	switch c.Method {
	// Validate (precheck) has proven the record's name normalized: it is
	// not normalized again.
	case challenge.DNSTXT, challenge.ACMEDNS01, challenge.DNSAccount01:
		r.Target = c.Record.Name
		err = v.checkOwner(ctx, r, trimDot(c.Record.Name), c.Record.Value, lookupTXT)
	case challenge.HashCNAME:
		r.Target = c.Record.Name
		err = v.checkOwner(ctx, r, trimDot(c.Record.Name), cnameTarget(c.Record.Value), lookupCNAME)
	case challenge.File, challenge.HashFile, challenge.ACMEHTTP01:
		r.Target = strings.Join(c.File.URLs, " ")
		err = v.checkFiles(ctx, r, c.File.URLs, c.File.Content, v.schemesFor(c.Method), v.redirectsFor(c.Method))
	case challenge.TLSALPN01:
		err = v.checkTLSALPN(ctx, r, c.Domain, c.KeyAuthorization)
	case challenge.DNSPersist01:
		err = v.checkPersistChallenge(ctx, r, c, start.at)
	default:
		err = newError(ErrBadInput, c.Domain, fmt.Errorf("method %s has no network check; use VerifyEmail", c.Method))
	}
	return v.finish(r, start, err)
}

func (v *Verifier) precheck(c *challenge.Challenge, now time.Time) error {
	if err := c.Validate(); err != nil {
		return newError(ErrBadInput, c.Domain, err)
	}
	if c.Expired(now) {
		e := newError(ErrExpired, c.Domain, nil)
		e.Seen = []string{"expired at " + c.ExpiresAt.UTC().Format(time.RFC3339)}
		return e
	}
	return nil
}

func (v *Verifier) schemesFor(m challenge.Method) SchemePolicy {
	if v.Files.Schemes != SchemeDefault {
		return v.Files.Schemes
	}
	switch m {
	case challenge.HashFile:
		return EitherScheme
	case challenge.File:
		return HTTPSIfServed
	}
	return AllURLs
}

func (v *Verifier) redirectsFor(m challenge.Method) redirectPolicy {
	if m == challenge.ACMEHTTP01 || v.Files.FollowRedirects {
		return followBR
	}
	return noRedirects
}

// VerifyTXT checks that a TXT record at name equals value exactly (TXT is
// case-sensitive); any one record of the set may match.
func (v *Verifier) VerifyTXT(ctx context.Context, name, value string) (*Result, error) {
	ctx, cancel := v.bound(ctx)
	defer cancel()
	start := v.begin()
	r := &Result{Target: name}
	return v.finish(r, start, v.checkDNS(ctx, r, name, value, lookupTXT))
}

// VerifyCNAME checks that the CNAME at name points at target; names compare
// case-insensitively and a trailing dot is ignored.
func (v *Verifier) VerifyCNAME(ctx context.Context, name, target string) (*Result, error) {
	ctx, cancel := v.bound(ctx)
	defer cancel()
	start := v.begin()
	r := &Result{Target: name}
	return v.finish(r, start, v.checkDNS(ctx, r, name, cnameTarget(target), lookupCNAME))
}

// lookupFunc is lookupTXT or lookupCNAME.
type lookupFunc func(ctx context.Context, ex Exchanger, owner string) (dnsAnswer, error)

// matchValue looks owner up through ex and passes if any value equals want
// exactly (CNAME values arrive lower-case with a trailing dot: see cnameTarget).
func matchValue(ctx context.Context, ex Exchanger, lookup lookupFunc, owner, want string) ([]Evidence, error) {
	a, err := lookup(ctx, ex, owner)
	if err != nil {
		return a.Evidence, err
	}
	if slices.Contains(a.Values, want) {
		return a.Evidence, nil
	}
	e := newError(ErrMismatch, owner, nil)
	e.Expected, e.Seen = want, a.Values
	e.Server = serverName(ex)
	if n := len(a.Evidence); n > 0 && a.Evidence[n-1].Server != "" {
		e.Server = a.Evidence[n-1].Server // the server that answered
	}
	return a.Evidence, e
}

// cnameTarget puts an expected CNAME target in the form lookupCNAME reports.
// An empty target (or the root alone) stays "", which checkDNS refuses:
// with a dot added it would match a CNAME to the root.
func cnameTarget(want string) string {
	w := strings.TrimSpace(want)
	if w == "" || w == "." {
		return ""
	}
	return strings.ToLower(dnsname.FQDN(w))
}

func (v *Verifier) checkDNS(ctx context.Context, r *Result, name, want string, lookup lookupFunc) error {
	owner, err := dnsname.Owner(name)
	if err != nil {
		return newError(ErrBadInput, name, err)
	}
	return v.checkOwner(ctx, r, owner, want, lookup)
}

// checkOwner is checkDNS for a normalized owner name (no trailing dot).
func (v *Verifier) checkOwner(ctx context.Context, r *Result, owner, want string, lookup lookupFunc) error {
	if want == "" {
		return newError(ErrBadInput, owner, errors.New("empty expected value"))
	}
	if v.Authoritative == nil {
		ev, err := matchValue(ctx, v.resolver(), lookup, owner, want)
		if r.Evidence == nil {
			r.Evidence = ev // no second copy of the common case
		} else {
			r.Evidence = append(r.Evidence, ev...)
		}
		return err
	}
	return v.checkAuthoritative(ctx, r, owner, want, lookup, *v.Authoritative)
}

// checkAuthoritative runs the lookup against every authoritative server of the
// zone concurrently and applies the AuthPolicy. A server without the record
// means "not yet propagated"; a server that fails means "could not decide".
func (v *Verifier) checkAuthoritative(ctx context.Context, r *Result, owner, want string, lookup lookupFunc, opt AuthOptions) error {
	if _, inOrder := v.DNS.(*orderDNS); opt.Cache != nil && !inOrder {
		// A check alone walks through the ZoneCache too, as an order of
		// one whose options name the cache's resolver.
		v = v.forOrder(ctx, nil)
		opt = *v.Authoritative
	}
	sx := opt.Servers
	if sx == nil {
		var ok bool
		if sx, ok = v.dns().(ServerExchanger); !ok {
			return newError(ErrBadInput, owner, errors.New("authoritative mode needs a ServerExchanger (AuthOptions.Servers)"))
		}
	}
	rec := v.resolver()
	ask := func(ctx context.Context, servers []AuthServer) ([]error, [][]Evidence) {
		errs := make([]error, len(servers))
		evs := make([][]Evidence, len(servers))
		pool.Each(authFanOut, len(servers), func(i int) {
			at := &dnsPath{Exchanger: atServer(sx, servers[i].Addr), val: rec.val, chain: rec.Exchanger, noRec: true}
			evs[i], errs[i] = matchValue(ctx, at, lookup, owner, want)
		})
		return errs, evs
	}
	// Within an order, the servers of a zone found for another name are
	// asked while this name's zone walk runs; their answers count only if
	// the walk finds that very zone with those very servers.
	od, _ := rec.Exchanger.(*orderDNS)
	type answers struct {
		errs []error
		evs  [][]Evidence
	}
	var known []AuthServer
	var spec *flight.Call[answers]
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	if od != nil {
		if known = od.serversFor(owner, opt.Port); known != nil {
			spec = flight.NewCall[answers]()
			go func() {
				errs, evs := ask(sctx, known)
				spec.Finish(answers{errs, evs})
			}()
		}
	}
	// ended waits for the early answers, which always come: ask ends
	// with sctx.
	ended := func() answers { a, _ := spec.Wait(context.Background()); return a }
	zone, servers, ev, err := authoritativeServers(ctx, rec, owner, opt.Port)
	r.Evidence = append(r.Evidence, ev...)
	if err != nil {
		stop()
		if spec != nil {
			ended()
		}
		return err
	}
	if od != nil {
		od.rememberZone(zone, opt.Port, servers)
	}
	var errs []error
	var evs [][]Evidence
	if spec != nil {
		same := slices.Equal(known, servers)
		if !same {
			stop()
		}
		if a := ended(); same {
			errs, evs = a.errs, a.evs
		}
	}
	if errs == nil {
		errs, evs = ask(ctx, servers)
	}
	var passed, failed, undecided []string
	for i, s := range servers {
		r.Evidence = append(r.Evidence, evs[i]...)
		sr := ServerResult{NS: s.NS, Addr: s.Addr, Outcome: OutcomeOf(errs[i])}
		if errs[i] != nil {
			sr.Error = errs[i].Error()
		}
		r.Servers = append(r.Servers, sr)
		label := s.NS + " (" + s.Addr + ")"
		switch sr.Outcome {
		case Verified:
			passed = append(passed, label)
		case NotVerified:
			failed = append(failed, label+": "+seenOf(errs[i]))
		default:
			undecided = append(undecided, label)
		}
	}
	if opt.Policy == AuthAny && len(passed) > 0 {
		return nil
	}
	if len(undecided) > 0 {
		kind := ErrLookup // a DNSSEC failure of any server names the check's kind
		for _, k := range []error{ErrDNSSECIndeterminate, ErrDNSSECBogus} {
			if slices.ContainsFunc(errs, func(err error) bool { return errors.Is(err, k) }) {
				kind = k
			}
		}
		e := newError(kind, owner, joinErrs(errs))
		e.Seen = undecided
		return e
	}
	if len(failed) == 0 {
		return nil // every server served the record
	}
	if len(passed) == 0 && opt.Policy == AuthAny {
		return firstErr(errs)
	}
	e := newError(ErrNotPropagated, owner, nil)
	e.Seen = append([]string{fmt.Sprintf("%d of %d servers serve it", len(passed), len(servers))}, failed...)
	return e
}

func seenOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if len(e.Seen) > 0 {
			return e.Kind.Error() + " " + strings.Join(e.Seen, ", ")
		}
		return e.Kind.Error()
	}
	return err.Error()
}

// joinErrs is errors.Join on one line: a lone error comes back as itself,
// several read "verify: A; B" (one prefix for all).
func joinErrs(errs []error) error {
	var n joined
	for _, e := range errs {
		if e != nil {
			n = append(n, e)
		}
	}
	switch len(n) {
	case 0:
		return nil
	case 1:
		return n[0]
	}
	return n
}

// joined is several errors reported together; errors.Is and errors.As see
// each, as with errors.Join.
type joined []error

func (j joined) Error() string {
	msgs := make([]string, len(j))
	for i, e := range j {
		msgs[i] = causeText(e)
	}
	return "verify: " + strings.Join(msgs, "; ")
}

func (j joined) Unwrap() []error { return j }

func firstErr(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// FilePolicy is the policy of file checks (Verifier.Files), and the wire
// form a perspective request carries.
type FilePolicy struct {
	// Schemes says which of a host's http and https URLs must serve the
	// file. SchemeDefault is the method's own rule in Verify, and AllURLs
	// in VerifyFiles, which has no method.
	Schemes SchemePolicy `json:"schemes"`
	// FollowRedirects applies the BR 3.2.2.4.18/.19 redirect rules to
	// file and hash-file; off, any redirect fails (ErrRedirect). ACME
	// http-01 always follows them.
	FollowRedirects bool `json:"follow_redirects"`
}

// VerifyFiles fetches every URL concurrently and checks the content under
// v.Files. Every host in the list is required; the scheme policy decides
// which of a host's http and https URLs must match.
func (v *Verifier) VerifyFiles(ctx context.Context, urls []string, content string) (*Result, error) {
	ctx, cancel := v.bound(ctx)
	defer cancel()
	start := v.begin()
	r := &Result{Target: strings.Join(urls, " ")}
	rp := noRedirects
	if v.Files.FollowRedirects {
		rp = followBR
	}
	schemes := v.Files.Schemes
	if schemes == SchemeDefault {
		schemes = AllURLs
	}
	return v.finish(r, start, v.checkFiles(ctx, r, urls, content, schemes, rp))
}

type fileOutcome struct {
	url string
	err error
}

func (v *Verifier) checkFiles(ctx context.Context, r *Result, urls []string, want string, schemes SchemePolicy, rp redirectPolicy) error {
	if len(urls) == 0 {
		return newError(ErrBadInput, "file", errors.New("no URL to check"))
	}
	hosts := map[string][]int{} // host -> indexes into urls, in order
	var order []string
	for i, raw := range urls {
		if err := checkURL(raw); err != nil {
			return err
		}
		u, _ := url.Parse(raw)
		h := strings.ToLower(u.Hostname())
		if _, ok := hosts[h]; !ok {
			order = append(order, h)
		}
		hosts[h] = append(hosts[h], i)
	}
	out := make([]fileOutcome, len(urls))
	evs := make([][]Evidence, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := fetch(ctx, v.http(), u, rp, v.MaxBody)
			evs[i] = res.Evidence
			if err == nil && !contentMatches(res.Body, want) {
				e := newError(ErrContentMismatch, u, nil)
				e.Expected, e.Seen = contentDiff(res.Body, want)
				err = e
			}
			out[i] = fileOutcome{url: u, err: err}
		}()
	}
	wg.Wait()
	for _, ev := range evs {
		r.Evidence = append(r.Evidence, ev...)
	}
	for _, o := range out {
		ur := URLResult{URL: o.url, Outcome: OutcomeOf(o.err)}
		if o.err != nil {
			ur.Error = o.err.Error()
		}
		r.URLs = append(r.URLs, ur)
	}
	var errs []error
	for _, h := range order {
		errs = append(errs, hostVerdict(out, hosts[h], schemes))
	}
	return joinErrs(errs)
}

// hostVerdict applies the scheme policy to the outcomes of one host's URLs.
func hostVerdict(out []fileOutcome, idx []int, schemes SchemePolicy) error {
	var errs []error
	switch schemes {
	case EitherScheme:
		for _, i := range idx {
			if out[i].err == nil {
				return nil
			}
			errs = append(errs, out[i].err)
		}
	case HTTPSIfServed:
		hasHTTP := slices.ContainsFunc(idx, func(i int) bool { return schemeOf(out[i].url) == "http" })
		for _, i := range idx {
			err := out[i].err
			if err != nil && schemeOf(out[i].url) == "https" && hasHTTP && errors.Is(err, syscall.ECONNREFUSED) {
				// Nothing listens on 443: no HTTPS site to disagree. Only a
				// refusal means that; a reset, a broken answer or a timeout
				// comes from something that is there.
				continue
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
	default:
		for _, i := range idx {
			if out[i].err != nil {
				errs = append(errs, out[i].err)
			}
		}
	}
	return joinErrs(errs)
}

// schemeOf returns the lower-case scheme of a URL ("" if it has none).
func schemeOf(raw string) string {
	scheme, _, ok := strings.Cut(raw, ":")
	if !ok {
		return ""
	}
	return strings.ToLower(scheme)
}

// checkURL refuses what cannot be fetched, saying what is missing.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return newError(ErrBadInput, raw, fmt.Errorf("not a URL: %w", err))
	case u.Scheme == "":
		e := newError(ErrBadInput, raw, errors.New("the URL has no scheme"))
		e.Hint = "write the URL in full: http://" + raw + " or https://" + raw
		return e
	case u.Hostname() == "":
		return newError(ErrBadInput, raw, errors.New("the URL has no host"))
	}
	return nil
}

// VerifyEmail checks the code an applicant submitted for an email challenge,
// in constant time, honouring expiry. The evidence records the comparison
// (the submitted code's length and whether it matched), never a code.
func (v *Verifier) VerifyEmail(c *challenge.Challenge, code string) (*Result, error) {
	start := v.begin()
	r := &Result{}
	if c == nil || c.Method != challenge.Email {
		return v.finish(r, start, newError(ErrBadInput, "challenge", errors.New("not an email challenge")))
	}
	r.Method, r.Domain, r.Target = c.Method, c.Domain, strings.Join(c.Email.Addresses, " ")
	if err := v.precheck(c, start.at); err != nil {
		return v.finish(r, start, err)
	}
	submitted := strings.TrimSpace(code)
	match := subtle.ConstantTimeCompare([]byte(submitted), []byte(c.Email.Code)) == 1
	verdict := "no match"
	if match {
		verdict = "match"
	}
	r.Evidence = []Evidence{{
		Protocol: "email",
		Query:    "compare the submitted code with the code sent to " + r.Target,
		Answer: []string{fmt.Sprintf("submitted code (%d characters) compared in constant time: %s",
			utf8.RuneCountInString(submitted), verdict)},
		Time:     start.sys.UTC(),
		Duration: time.Since(start.sys),
	}}
	if !match {
		return v.finish(r, start, newError(ErrCodeMismatch, c.Domain, nil))
	}
	return v.finish(r, start, nil)
}
