package caa

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
)

// Exchanger sends one DNS query to a recursive resolver and returns its
// response. A response with a non-success rcode is a response, not an
// error; errors are for transport failures. verify.DNSClient implements it,
// as does the in-memory zone of verify/verifytest. It must honour ctx.
type Exchanger interface {
	// Exchange sends m and returns the response.
	Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error)
}

// Errors of Check. Match them with errors.Is.
var (
	ErrBadRequest = errors.New("caa: bad request")
	// ErrNotPublic: the name is special-use or not in the public DNS (see
	// Checker.AllowPrivate); wrapped with ErrBadRequest.
	ErrNotPublic  = dnsname.ErrNotPublic
	ErrNoResolver = errors.New("caa: Checker.DNS is nil")
	// ErrLookup is wrapped by every *LookupError: a CAA lookup that matters
	// failed, so no decision was made. It is never a permission.
	ErrLookup = errors.New("caa: CAA lookup failed")
	// ErrDNSSECBogus and ErrDNSSECIndeterminate are wrapped by a
	// *LookupError whose answer failed DNSSEC validation, besides ErrLookup.
	ErrDNSSECBogus         = errors.New("caa: DNSSEC validation failed")
	ErrDNSSECIndeterminate = errors.New("caa: DNSSEC chain could not be fetched")
)

// LookupError reports a failed CAA lookup at Name: either a response code
// such as SERVFAIL (Rcode >= 0, Err may be nil) or a transport failure or
// unusable answer (Rcode -1, Err says why). errors.Is(err, ErrLookup)
// holds, and so does errors.Is(err, context.DeadlineExceeded) on timeout.
type LookupError struct {
	Name  string // the name whose lookup failed
	Rcode int    // the response code; -1 for a transport failure or unusable answer
	Err   error  // the cause, if any
	// DNSSEC is DNSSECBogus or DNSSECIndeterminate when the answer failed
	// DNSSEC validation, and Reason then names the broken link.
	DNSSEC DNSSECVerdict
	Reason string // the broken DNSSEC link, when DNSSEC is set
}

// Error names the name and what failed: the rcode, the cause or the
// broken DNSSEC link.
func (e *LookupError) Error() string {
	var what string
	switch {
	case e.DNSSEC == DNSSECBogus || e.DNSSEC == DNSSECIndeterminate:
		what = "DNSSEC " + e.DNSSEC.String()
		if e.Reason != "" {
			what += ": " + e.Reason
		}
	case e.Rcode >= 0:
		what = dns.RcodeToString[e.Rcode]
		if what == "" {
			what = fmt.Sprintf("rcode %d", e.Rcode)
		}
		if e.Err != nil {
			what += ": " + e.Err.Error()
		}
	case e.Err != nil:
		what = e.Err.Error()
	default:
		what = "unknown failure"
	}
	return fmt.Sprintf("caa: CAA lookup at %s failed (%s); a failed lookup is never permission", e.Name, what)
}

// Hint says what the domain owner should do, in the user's terms; Error
// does not carry it.
func (e *LookupError) Hint() string {
	if e.DNSSEC == DNSSECBogus || e.DNSSEC == DNSSECIndeterminate {
		return "fix the DNSSEC chain of the zone (" + e.Reason + ") and retry"
	}
	return "make the name's DNS servers answer CAA queries (NOERROR, even if empty) and retry"
}

// Unwrap returns ErrLookup, ErrDNSSECBogus or ErrDNSSECIndeterminate
// when validation failed, and the cause.
func (e *LookupError) Unwrap() []error {
	out := []error{ErrLookup}
	switch e.DNSSEC {
	case DNSSECBogus:
		out = append(out, ErrDNSSECBogus)
	case DNSSECIndeterminate:
		out = append(out, ErrDNSSECIndeterminate)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Request asks whether a CA may issue for a name.
type Request struct {
	Domain     string   `json:"domain"`                // the name to issue for; "*.example.com" implies Wildcard
	Issuers    []string `json:"issuers"`               // CA identity: issuer domain names; brand names from Brands stand for theirs
	Wildcard   bool     `json:"wildcard,omitempty"`    // issue for a wildcard of Domain: issuewild applies
	AccountURI string   `json:"account_uri,omitempty"` // RFC 8657 accounturi of the requesting account; optional
	Method     string   `json:"method,omitempty"`      // RFC 8657 method label: "dns-01", "http-01", "tls-alpn-01", "dns-account-01", "dns-persist-01", "ca-…"; optional
}

// Checker looks up the relevant CAA RRset and decides. DNS must be set;
// the other fields have defaults.
type Checker struct {
	DNS         Exchanger        // the recursive resolver; required
	Now         func() time.Time // default time.Now
	Timeout     time.Duration    // bound on the whole check when ctx has none; default 10 s
	Concurrency int              // checks at once in CheckAll; default 128
	// AllowPrivate permits special-use and non-public names (.test,
	// .internal, .local, a TLD outside ICANN, ...), for labs and tests;
	// otherwise Check refuses them (ErrBadRequest and ErrNotPublic).
	AllowPrivate bool

	// DNSSEC: the zero value validates the CAA answer of every level the
	// climb uses (and each CNAME/DNAME link) back to TrustAnchors; a bogus
	// or indeterminate answer at a level that matters is a *LookupError.
	// DNSSECOff records only the resolver's AD bit: the Baseline
	// Requirements do not allow a CA to switch validation off.
	DNSSEC DNSSECMode
	// TrustAnchors are DS or DNSKEY records of any owner; nil means the
	// IANA root anchors.
	TrustAnchors []dns.RR
}

// Decision is the outcome of Check, with what a CA must record.
type Decision struct {
	Permitted     bool          `json:"permitted"`              // whether the CA may issue
	Domain        string        `json:"domain"`                 // the name checked, normalized
	Wildcard      bool          `json:"wildcard"`               // checked for a wildcard certificate
	Issuers       []string      `json:"issuers"`                // the CA's issuer domain names, brands expanded
	RelevantName  string        `json:"relevant_name"`          // owner of the relevant RRset; "" if none anywhere
	CNAMETarget   string        `json:"cname_target,omitempty"` // where a CNAME at RelevantName led
	TTL           uint32        `json:"ttl"`                    // of the relevant RRset, as EffectiveTTL reads it
	Authenticated bool          `json:"authenticated"`          // every answer that mattered had the AD bit
	DNSSEC        DNSSECVerdict `json:"dnssec,omitempty"`       // the weakest DNSSEC verdict of the answers that mattered; "" if not validated
	Records       []string      `json:"records,omitempty"`      // the relevant RRset, presentation form
	Rule          string        `json:"rule"`                   // which rule decided, in words
	Hint          string        `json:"hint,omitempty"`         // how to permit the CA, when forbidden
	CheckedAt     time.Time     `json:"checked_at"`             // when the lookup started, on the Checker's clock
	ValidUntil    time.Time     `json:"valid_until"`            // CheckedAt + max(TTL, 8h): BR 3.2.2.8; TTL is at most MaxTTL
}

// MinValidity is the BR 3.2.2.8 floor: a CA may rely on a CAA check for
// max(TTL, 8 hours).
const MinValidity = 8 * time.Hour

// MaxTTL caps the TTL a Decision relies on, as resolvers cap what they
// cache (unbound's default cache-max-ttl): a CAA answer is never trusted
// for more than a day, whatever TTL the zone claims.
const MaxTTL = 24 * 60 * 60

// EffectiveTTL is the TTL a Decision uses for a TTL read off the wire:
// one with the top bit set is 0 (RFC 2181 section 8: such a value means
// zero), and anything above MaxTTL is MaxTTL.
func EffectiveTTL(ttl uint32) uint32 {
	if ttl&(1<<31) != 0 {
		return 0
	}
	return min(ttl, MaxTTL)
}

const defaultTimeout = 10 * time.Second

func (c *Checker) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return defaultTimeout
}

// Check finds the relevant CAA RRset for req.Domain (RFC 8659 section 3)
// and evaluates it. Every ancestor is queried at once, so a deep name costs
// one round trip. A failed lookup at a level that matters is a
// *LookupError, never a Decision; failures above the relevant RRset are
// ignored. Check returns only after every query it started has ended.
func (c *Checker) Check(ctx context.Context, req Request) (*Decision, error) {
	if c == nil || c.DNS == nil {
		return nil, ErrNoResolver
	}
	domain, err := c.vetDomain(req.Domain)
	if err != nil {
		return nil, err
	}
	issuers, err := vetIssuers(req.Issuers)
	if err != nil {
		return nil, err
	}
	return c.check(ctx, req, vetted{domain: domain, issuers: issuers}, c.resolver(), nil)
}

// vetted is a request's name, normalized, and its CA's issuer domain
// names, brands expanded.
type vetted struct {
	domain  string
	issuers []string
}

// vetDomain normalizes the name to check and refuses a non-public one
// unless AllowPrivate.
func (c *Checker) vetDomain(name string) (string, error) {
	domain, err := dnsname.Domain(name)
	if err == nil && !c.AllowPrivate {
		err = dnsname.Public(domain)
	}
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	return domain, nil
}

// vetIssuers resolves the CA identity to issuer domain names.
func vetIssuers(names []string) ([]string, error) {
	issuers := ResolveIdentity(names)
	if len(issuers) == 0 {
		return nil, fmt.Errorf("%w: no issuer domain names for the CA", ErrBadRequest)
	}
	for _, d := range issuers {
		if !isDomain(d) {
			return nil, fmt.Errorf("%w: issuer %q is not a domain name", ErrBadRequest, d)
		}
	}
	return issuers, nil
}

// resolver is the Resolver of one Check or one CheckAll.
func (c *Checker) resolver() *resolve.Resolver {
	return &resolve.Resolver{Exchanger: c.DNS, Strict: true,
		Validator: resolve.ValidatorFor(c.DNSSEC, c.TrustAnchors, c.Now, c.DNS)}
}

// check is Check of a vetted request through r, sharing the levels b
// shares when b is not nil.
func (c *Checker) check(ctx context.Context, req Request, v vetted, r *resolve.Resolver, b *batch) (*Decision, error) {
	req.Domain, req.Issuers = v.domain, v.issuers
	req.Wildcard = req.Wildcard || dnsname.IsWildcard(v.domain)

	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout())
		defer cancel()
	}

	checkedAt := now()
	base := dnsname.Base(v.domain)
	rel, err := relevant(ctx, r, base, b)
	if err != nil {
		return nil, err
	}
	ttl := EffectiveTTL(rel.ttl)
	d := &Decision{
		Domain:        v.domain,
		Wildcard:      req.Wildcard,
		Issuers:       v.issuers,
		RelevantName:  rel.name,
		CNAMETarget:   rel.target,
		TTL:           ttl,
		Authenticated: rel.ad,
		DNSSEC:        rel.dnssec,
		Records:       slices.Clone(rel.records),
		CheckedAt:     checkedAt,
		ValidUntil:    checkedAt.Add(max(time.Duration(ttl)*time.Second, MinValidity)),
	}
	at := place{owner: rel.name}
	if rel.target != "" {
		at = place{owner: rel.target, alias: rel.name}
	}
	if rel.name == "" {
		at.owner = base
	}
	var e Evaluation
	if rel.from != nil {
		e = rel.from.evaluate(req, at)
	} else {
		e = evaluate(req, rel.rrs, at)
	}
	d.Permitted, d.Rule, d.Hint = e.Permitted, e.Rule, e.Hint
	return d, nil
}
