package verify

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/dnsname"
)

// MaxPersistReuse is the longest the Baseline Requirements let a CA reuse
// a dns-persist-01 validation (BR 3.2.2.4.22 with 4.2.1 from 2029-03-15:
// 10 days); PersistPolicy.Reuse defaults to it.
const MaxPersistReuse = 10 * 24 * time.Hour

// ErrPersistSyntax is wrapped by every ParsePersistRecord error.
var ErrPersistSyntax = errors.New("dns-persist-01 record syntax")

// PersistRecord is a parsed dns-persist-01 TXT value.
type PersistRecord struct {
	Issuer       string    `json:"issuer"`                 // lower case, no trailing dot
	AccountURI   string    `json:"account_uri"`            // exactly as published
	Wildcard     bool      `json:"wildcard,omitempty"`     // policy=wildcard (any other policy value counts as none)
	PersistUntil time.Time `json:"persist_until,omitzero"` // zero: no limit
}

// Usable reports whether the record may be used at t: persistUntil, if
// any, is t's second or later (the record is still usable during it).
func (p PersistRecord) Usable(t time.Time) bool {
	return p.PersistUntil.IsZero() || t.Unix() <= p.PersistUntil.Unix()
}

// Parameter names of dns-persist-01; caa.ParseIssueValue lower-cases keys.
const (
	persistAccountURI = "accounturi"
	persistPolicy     = "policy"
	persistUntil      = "persistuntil"
)

// ParsePersistRecord parses a dns-persist-01 TXT value (its strings
// joined) in the RFC 8659 issue-value grammar, with caa.ParseIssueValue:
// "issuer; accounturi=<uri>[; policy=wildcard][; persistUntil=<unix s>]".
// Tag names and the policy value compare case-insensitively; unknown
// parameters are ignored. A missing issuer, a missing or empty accounturi,
// a persistUntil that is not a decimal number, and a known parameter
// (accounturi, policy, persistUntil) given twice make the record malformed.
func ParsePersistRecord(value string) (PersistRecord, error) {
	iv, err := caa.ParseIssueValue(value)
	if err != nil {
		return PersistRecord{}, fmt.Errorf("%w: %w", ErrPersistSyntax, err)
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %q: %s", ErrPersistSyntax, value, fmt.Sprintf(format, a...))
	}
	if iv.Issuer == "" {
		return PersistRecord{}, bad("no issuer domain name")
	}
	for _, known := range []string{persistAccountURI, persistPolicy, persistUntil} {
		n := 0
		for _, p := range iv.Params {
			if p.Key == known {
				n++
			}
		}
		if n > 1 {
			return PersistRecord{}, bad("parameter %s given %d times", known, n)
		}
	}
	out := PersistRecord{Issuer: iv.Issuer}
	if out.AccountURI, _ = iv.Param(persistAccountURI); out.AccountURI == "" {
		return PersistRecord{}, bad("accounturi missing or empty")
	}
	if p, ok := iv.Param(persistPolicy); ok && strings.EqualFold(p, challenge.PersistWildcard) {
		out.Wildcard = true
	}
	if u, ok := iv.Param(persistUntil); ok {
		n, err := strconv.ParseUint(u, 10, 63)
		if err != nil || u[0] == '+' {
			return PersistRecord{}, bad("persistUntil %q is not a decimal number of seconds", u)
		}
		out.PersistUntil = time.Unix(int64(n), 0).UTC()
	}
	return out, nil
}

// PersistPolicy is what a CA accepts in a dns-persist-01 record.
type PersistPolicy struct {
	// Issuers are the CA's issuer domain names; records naming another
	// issuer are ignored. Names are normalized (case, trailing dot, IDN).
	Issuers []string

	// AccountURIs are accounturi values accepted exactly (plain account
	// URLs of drafts -00/-01, or hashed ones the CA computed itself).
	AccountURIs []string

	// AccountURL and AccountKeys add draft -02's hashed forms, over the
	// record's domain and over "*", for each of the account's current and
	// retained keys, with AccountHashPrefix ("" means the account URL's
	// origin followed by /account-hash/). AcceptPlainURL also accepts
	// AccountURL itself (drafts -00/-01).
	AccountURL        string
	AccountKeys       []crypto.PublicKey // the account's keys, for hashed accounturi values
	AccountHashPrefix string             // the prefix of hashed accounturi values
	AcceptPlainURL    bool               // accept an accounturi that is the plain account URL

	// At is the check time (zero: the Verifier's clock); Reuse caps how
	// long the validation may be reused (0: MaxPersistReuse).
	At    time.Time
	Reuse time.Duration // how long a validation may be reused; 0 means MaxPersistReuse
}

// PersistAuthorization says which record authorized a dns-persist-01 check
// and until when the validation may be reused.
type PersistAuthorization struct {
	Owner      string        `json:"owner"`       // where the record was read, e.g. _validation-persist.example.com
	Record     string        `json:"record"`      // the TXT value as published
	Parsed     PersistRecord `json:"parsed"`      // the record that authorized
	ValidUntil time.Time     `json:"valid_until"` // persistUntil's last instant, capped by the reuse period
}

// VerifyPersist checks dns-persist-01 (draft-ietf-acme-dns-persist, BR
// 3.2.2.4.22) for domain: the TXT records at _validation-persist.<domain>
// and at each parent up to the registrable domain, CNAMEs followed. A record
// authorizes when its issuer is one of p.Issuers, its accounturi is one the
// policy accepts, persistUntil (if any) is not past at p.At, and — for a
// wildcard, or for a record at a parent — it carries policy=wildcard. The
// Result's Persist says which record authorized and until when. When none
// does, the error lists why each record of the CA did not (Error.Seen):
// ErrPersistMalformed if one of them is malformed, else ErrPersistDenied
// (with a hint about persistUntil when that is the only reason). Authoritative
// mode is not available for it (ErrBadInput).
func (v *Verifier) VerifyPersist(ctx context.Context, domain string, p PersistPolicy) (*Result, error) {
	start := v.begin()
	r := &Result{Method: challenge.DNSPersist01, Domain: domain, Target: domain}
	ctx, cancel := v.bound(ctx)
	defer cancel()
	return v.finish(r, start, v.checkPersist(ctx, r, domain, p))
}

// persistFinding is one record's verdict.
type persistFinding struct {
	owner, value string
	rec          PersistRecord
	why          string // "" when it authorizes
	malformed    bool
	expired      bool
}

func (v *Verifier) checkPersist(ctx context.Context, r *Result, domain string, p PersistPolicy) error {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return newError(ErrBadInput, domain, err)
	}
	r.Domain = d
	if v.Authoritative != nil {
		// Refused rather than silently read through the recursive resolver.
		return newError(ErrBadInput, d, errors.New("authoritative mode is not available for dns-persist-01; verify it through the recursive resolver"))
	}
	issuers, accepted, err := p.accepted()
	if err != nil {
		return newError(ErrBadInput, d, err)
	}
	at := p.At
	if at.IsZero() {
		at = v.now()
	}
	adn := dnsname.Base(d)
	rd, err := dnsname.Registrable(adn)
	if err != nil {
		return newError(ErrBadInput, d, err)
	}
	names := dnsname.Parents(adn, rd)
	r.Target = challenge.PersistOwner(adn)

	ex := v.resolver() // with the check's DNSSEC setting
	answers := make([]dnsAnswer, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], errs[i] = lookupTXT(ctx, ex, challenge.PersistOwner(name))
		}()
	}
	wg.Wait()

	var found []persistFinding
	var lookupErrs []error
	for i, name := range names {
		r.Evidence = append(r.Evidence, answers[i].Evidence...)
		if errs[i] != nil {
			if !errors.Is(errs[i], ErrNotFound) {
				lookupErrs = append(lookupErrs, errs[i])
			}
			continue
		}
		for _, val := range answers[i].Values {
			f := judgePersist(val, issuers, accepted(name), at, name != adn, dnsname.IsWildcard(d))
			if f == nil {
				continue // another CA's record
			}
			f.owner = challenge.PersistOwner(name)
			if f.why == "" {
				r.Persist = &PersistAuthorization{Owner: f.owner, Record: val, Parsed: f.rec, ValidUntil: validUntil(f.rec, at, p.Reuse)}
				return nil
			}
			found = append(found, *f)
		}
	}
	if len(lookupErrs) > 0 {
		return joinErrs(lookupErrs)
	}
	if len(found) == 0 {
		// Only other CAs' records, or none at all.
		e := newError(ErrNotFound, r.Target, fmt.Errorf("no record names issuer %s", strings.Join(issuers, " or ")))
		if errs[0] != nil {
			e = newError(ErrNotFound, r.Target, errs[0])
		}
		e.Server = serverName(ex)
		return e
	}
	kind, allExpired := ErrPersistDenied, true
	var seen []string
	for _, f := range found {
		seen = append(seen, fmt.Sprintf("%s %q: %s", f.owner, f.value, f.why))
		if f.malformed {
			kind = ErrPersistMalformed
		}
		allExpired = allExpired && f.expired
	}
	e := newError(kind, r.Target, nil)
	e.Seen = seen
	e.Server = serverName(ex)
	if kind == ErrPersistDenied && allExpired {
		// Not ErrExpired: that one is terminal, and a record published
		// again while Poll waits must still be found.
		e.Hint = "publish the record again with a later persistUntil, or without one"
	}
	return e
}

// judgePersist returns nil for a record of another CA, else the verdict on
// it: why it does not authorize, or "" when it does. atParent is true for a
// record found at a parent of the name validated.
func judgePersist(value string, issuers []string, accepted func(string) bool, at time.Time, atParent, wildcard bool) *persistFinding {
	rec, err := ParsePersistRecord(value)
	if err != nil {
		iss, _, _ := strings.Cut(value, ";")
		if !containsFold(issuers, strings.TrimSuffix(strings.Trim(iss, " \t"), ".")) {
			return nil
		}
		return &persistFinding{value: value, why: "malformed: " + err.Error(), malformed: true}
	}
	if !containsFold(issuers, rec.Issuer) {
		return nil
	}
	f := &persistFinding{value: value, rec: rec}
	switch {
	case !accepted(rec.AccountURI):
		f.why = "accounturi is not this account's"
	case !rec.Usable(at):
		f.why = "persistUntil " + rec.PersistUntil.Format(time.RFC3339) + " has passed"
		f.expired = true
	case atParent && !rec.Wildcard:
		f.why = "a parent's record covers subdomains only with policy=wildcard"
	case wildcard && !rec.Wildcard:
		f.why = "a wildcard needs policy=wildcard"
	}
	return f
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

// validUntil is the end of persistUntil's second, capped by the reuse period.
func validUntil(rec PersistRecord, at time.Time, reuse time.Duration) time.Time {
	if reuse <= 0 {
		reuse = MaxPersistReuse
	}
	end := at.Add(reuse).UTC()
	if !rec.PersistUntil.IsZero() {
		if last := rec.PersistUntil.Add(time.Second - time.Nanosecond); last.Before(end) {
			return last
		}
	}
	return end
}

// accepted normalizes the issuers and returns, per record domain, the test
// for an accepted accounturi.
func (p PersistPolicy) accepted() ([]string, func(domain string) func(string) bool, error) {
	var issuers []string
	for _, is := range p.Issuers {
		n, err := dnsname.Domain(is)
		if err != nil || dnsname.IsWildcard(n) {
			return nil, nil, fmt.Errorf("issuer domain name %q: %v", is, err)
		}
		issuers = append(issuers, n)
	}
	if len(issuers) == 0 {
		return nil, nil, errors.New("no issuer domain name")
	}
	var thumbs []string
	prefix := p.AccountHashPrefix
	if p.AccountURL != "" {
		if err := challenge.ValidAccountURL(p.AccountURL); err != nil {
			return nil, nil, err
		}
		if prefix == "" {
			prefix, _ = challenge.PersistAccountHashPrefix(p.AccountURL)
		}
		for _, k := range p.AccountKeys {
			tp, err := challenge.Thumbprint(k)
			if err != nil {
				return nil, nil, err
			}
			thumbs = append(thumbs, tp)
		}
	}
	exact := append([]string(nil), p.AccountURIs...)
	if p.AcceptPlainURL && p.AccountURL != "" {
		exact = append(exact, p.AccountURL)
	}
	if len(exact) == 0 && len(thumbs) == 0 {
		return nil, nil, errors.New("no accepted accounturi: give AccountURIs, or AccountURL with AccountKeys or AcceptPlainURL")
	}
	return issuers, func(domain string) func(string) bool {
		ok := map[string]bool{}
		for _, u := range exact {
			ok[u] = true
		}
		for _, tp := range thumbs {
			for _, over := range []string{domain, "*"} {
				if u, err := challenge.PersistAccountURI(prefix, over, tp, p.AccountURL); err == nil {
					ok[u] = true
				}
			}
		}
		return func(uri string) bool { return ok[uri] }
	}, nil
}

// checkPersistChallenge verifies a dns-persist-01 challenge: the record it
// describes (issuer, accounturi) must be published and authorize c.Domain.
func (v *Verifier) checkPersistChallenge(ctx context.Context, r *Result, c *challenge.Challenge, at time.Time) error {
	rec, err := ParsePersistRecord(c.Record.Value)
	if err != nil {
		return newError(ErrBadInput, c.Domain, err)
	}
	return v.checkPersist(ctx, r, c.Domain, PersistPolicy{Issuers: []string{rec.Issuer}, AccountURIs: []string{rec.AccountURI}, At: at})
}
