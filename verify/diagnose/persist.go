package diagnose

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
)

// checkPersist diagnoses dns-persist-01 by running the verifier's own
// check (Verifier.VerifyPersist: the records at _validation-persist.<ADN>
// and its parents, judged by their grammar, issuer, accounturi, policy and
// persistUntil), for the CA and account of the request or the challenge.
func (r *run) checkPersist() {
	m := challenge.DNSPersist01
	add := r.out.addFor(m)
	owner := challenge.PersistOwner(r.domain)
	policy := verify.PersistPolicy{Issuers: caa.ResolveIdentity(r.req.CA), At: r.now}
	want := ""
	if r.record != nil && r.given == m {
		want = r.record.Value
		if pr, err := verify.ParsePersistRecord(want); err == nil {
			policy.Issuers = append(policy.Issuers, pr.Issuer)
			policy.AccountURIs = []string{pr.AccountURI}
		}
	}
	if r.req.AccountURI != "" {
		policy.AccountURL, policy.AcceptPlainURL = r.req.AccountURI, true
	}
	if len(policy.Issuers) == 0 || len(policy.AccountURIs) == 0 && policy.AccountURL == "" {
		add(Finding{Code: RecordOwner, Severity: Info, Subject: owner,
			Message: fmt.Sprintf("%s: a TXT record \"<issuer>; accounturi=<account>\" at %s; name the CA and the account (or give the challenge) to check it", m, owner),
			Fix:     "run 'dcv challenge --method dns-persist-01' for the exact record"})
		return
	}
	v := &verify.Verifier{DNS: r.dns, HTTP: r.http, DNSSEC: r.d.DNSSEC, TrustAnchors: r.d.TrustAnchors, Now: r.d.Now}
	_, err := v.VerifyPersist(r.ctx, r.domain, policy)
	var e *verify.Error
	errors.As(err, &e)
	seen := []string{}
	if e != nil {
		seen = e.Seen
	}
	record := fmt.Sprintf("\"%s; accounturi=<your account>\"", policy.Issuers[0])
	if want != "" {
		record = fmt.Sprintf("%q", want)
	}
	switch {
	case err == nil:
	case r.ours(err) || isTransport(err):
		r.out.undone("%s at %s: %v", m, owner, err)
	case errors.Is(err, verify.ErrNotFound):
		add(Finding{Code: RecordMissing, Severity: Error, Subject: owner,
			Message:  fmt.Sprintf("no TXT record at %s (nor at a parent with policy=wildcard)", owner),
			Fix:      fmt.Sprintf("add a TXT record at %s, value %s", owner, record),
			Evidence: seen})
	case errors.Is(err, verify.ErrPersistMalformed):
		add(Finding{Code: PersistMalformed, Severity: Error, Subject: owner,
			Message:  "a dns-persist-01 record naming the CA breaks the record grammar",
			Fix:      fmt.Sprintf("publish exactly %s (issuer; accounturi=...; optional policy=wildcard and persistUntil=<unix seconds>, each once)", record),
			Evidence: seen})
	case errors.Is(err, verify.ErrPersistDenied):
		f := Finding{Code: PersistDenied, Severity: Error, Subject: owner,
			Message:  "no dns-persist-01 record authorizes the CA and account: " + strings.Join(seen, "; "),
			Fix:      fmt.Sprintf("publish %s at %s (policy=wildcard for a wildcard or a subdomain; persistUntil in the future, if any)", record, owner),
			Evidence: seen}
		if strings.Contains(strings.Join(seen, " "), "persistUntil") {
			f.Fix += "; a persistUntil in the past ends the record's use: publish a later one, or none"
		}
		add(f)
	case errors.Is(err, verify.ErrDNSSECBogus), errors.Is(err, verify.ErrDNSSECIndeterminate):
		// The DNSSEC check reports the broken link.
	default:
		add(Finding{Code: DNSLookupFailed, Severity: Error, Subject: owner,
			Message:  fmt.Sprintf("the lookup of %s fails", owner),
			Fix:      "fix the zone's name servers so that TXT queries succeed",
			Evidence: []string{err.Error()}})
	}
}
