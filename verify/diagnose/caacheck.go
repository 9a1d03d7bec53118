package diagnose

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
)

// caaLabel is the RFC 8657 label of a method, "" when it has no standard
// one (the CA uses its own "ca-..." label).
func caaLabel(m challenge.Method) string {
	switch m {
	case challenge.ACMEHTTP01:
		return "http-01"
	case challenge.ACMEDNS01:
		return "dns-01"
	case challenge.TLSALPN01, challenge.DNSAccount01, challenge.DNSPersist01:
		return string(m) // their ACME names are their labels
	}
	return ""
}

// checkCAA asks the CAA checker once per distinct method label and
// explains each refusal.
func (r *run) checkCAA() {
	checker := r.d.CAA
	if checker == nil {
		checker = &caa.Checker{DNS: r.dns, Now: r.d.Now, AllowPrivate: r.d.AllowPrivate, DNSSEC: r.d.DNSSEC, TrustAnchors: r.d.TrustAnchors}
	}
	var labels []string
	for _, m := range r.methods {
		if l := caaLabel(m); !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	type result struct {
		d   *caa.Decision
		err error
	}
	results := make([]result, len(labels))
	var wg sync.WaitGroup
	for i, l := range labels {
		wg.Go(func() {
			d, err := checker.Check(r.ctx, caa.Request{Domain: r.domain, Issuers: r.req.CA, AccountURI: r.req.AccountURI, Method: l})
			results[i] = result{d, err}
		})
	}
	wg.Wait()
	seen := map[Code]bool{}
	add := func(f Finding) {
		if !seen[f.Code] {
			seen[f.Code] = true
			r.out.add(f)
		}
	}
	for i, res := range results {
		if res.err != nil {
			r.caaFailed(res.err, add)
			continue
		}
		r.judgeCAA(res.d, labels[i], add)
	}
}

func (r *run) caaFailed(err error, add func(Finding)) {
	var le *caa.LookupError
	switch {
	case errors.As(err, &le) && (le.DNSSEC == caa.DNSSECBogus || le.DNSSEC == caa.DNSSECIndeterminate):
		add(Finding{Code: CAALookupFailed, Severity: Error, Subject: le.Name,
			Message:  fmt.Sprintf("the CAA answer at %s fails DNSSEC validation (%s): %s", le.Name, le.DNSSEC, le.Reason),
			Fix:      "fix the zone's DNSSEC signatures (or the DS at the parent) so that CAA answers validate; a CA treats the failure as a refusal",
			Evidence: []string{err.Error()}})
	case r.ours(err) || errors.As(err, &le) && le.Rcode < 0:
		r.out.undone("CAA of %s: %v", r.domain, err)
	case errors.As(err, &le):
		add(Finding{Code: CAALookupFailed, Severity: Error, Subject: le.Name,
			Message:  fmt.Sprintf("the CAA lookup at %s fails (%s); a CA treats that as a refusal", le.Name, dns.RcodeToString[le.Rcode]),
			Fix:      "make the name servers answer CAA queries (NOERROR, even when there are none)",
			Evidence: []string{err.Error()}})
	default:
		r.out.undone("CAA of %s: %v", r.domain, err)
	}
}

// judgeCAA explains a decision: why the CA may not issue, and the CNAME
// the policy came through.
func (r *run) judgeCAA(d *caa.Decision, label string, add func(Finding)) {
	ev := slices.Clone(d.Records)
	at := d.RelevantName
	if d.CNAMETarget != "" {
		at = d.CNAMETarget
		add(Finding{Code: CAACNAME, Severity: Warning, Subject: d.RelevantName,
			Message:  fmt.Sprintf("the CAA records that decide come from %s, through the CNAME at %s", d.CNAMETarget, d.RelevantName),
			Fix:      fmt.Sprintf("whoever runs %s can block issuance at any time; add your own CAA records at %s or pause the CNAME while the certificate is issued", d.CNAMETarget, d.RelevantName),
			Evidence: ev})
	}
	if d.Permitted {
		return
	}
	issuers := caa.ResolveIdentity(r.req.CA)
	f := Finding{Code: CAAForbidden, Severity: Error, Subject: at,
		Message:  fmt.Sprintf("CAA forbids %s to issue for %s (%s)", strings.Join(issuers, ", "), d.Domain, d.Rule),
		Fix:      d.Hint,
		Evidence: ev}
	for _, rec := range d.Records {
		rr, err := dns.NewRR(rec)
		c, ok := rr.(*dns.CAA)
		if err != nil || !ok {
			continue
		}
		tag := strings.ToLower(c.Tag)
		if c.Flag&caa.FlagCritical != 0 && !slices.Contains([]string{caa.TagIssue, caa.TagIssueWild, caa.TagIodef, caa.TagIssueMail, caa.TagContactEmail, caa.TagContactPhone}, tag) {
			f.Code = CAACriticalUnknown
			f.Message = fmt.Sprintf("the CAA record with the unknown critical tag %q forbids every CA", c.Tag)
			break
		}
		if tag != caa.TagIssue && tag != caa.TagIssueWild {
			continue
		}
		v, err := caa.ParseIssueValue(c.Value)
		if err != nil || !slices.Contains(issuers, v.Issuer) {
			continue
		}
		if uri, has := v.Param(caa.ParamAccountURI); has && uri != r.req.AccountURI {
			f.Code = CAAAccountURI
			f.Message = fmt.Sprintf("CAA lets %s issue only for the ACME account %s", v.Issuer, uri)
			if r.req.AccountURI == "" {
				f.Message += "; no account was given"
			}
			f.Fix = fmt.Sprintf("order with that account, or change the record's accounturi to your account URL (%s)", d.Hint)
		} else if list, has := v.Param(caa.ParamValidationMethods); has && f.Code == CAAForbidden {
			f.Code = CAAValidationMethods
			f.Methods = r.methodsWithLabel(label)
			if label == "" {
				f.Severity = Warning
				f.Message = fmt.Sprintf("CAA lets %s issue only by the methods %s; check that one of them is the CA's label for %s", v.Issuer, list, methodList(r.methodsWithLabel(label)))
				f.Fix = "add the CA's label for your method to validationmethods, or remove the parameter"
			} else {
				f.Message = fmt.Sprintf("CAA lets %s issue only by the methods %s, not %s", v.Issuer, list, label)
				f.Fix = fmt.Sprintf("add %s to validationmethods, or use one of the listed methods (%s)", label, d.Hint)
			}
		}
	}
	add(f)
}

// methodsWithLabel returns the methods diagnosed whose CAA label is l.
func (r *run) methodsWithLabel(l string) []challenge.Method {
	var out []challenge.Method
	for _, m := range r.methods {
		if caaLabel(m) == l {
			out = append(out, m)
		}
	}
	return out
}
