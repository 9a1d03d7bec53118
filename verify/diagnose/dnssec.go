package diagnose

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/verify"
)

// querier asks the diagnosis' resolver for DNSSEC chain material, DO=1 and
// CD=1, as the validator needs.
type querier struct{ ex verify.Exchanger }

func (q querier) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired, m.CheckingDisabled = true, true
	m.SetEdns0(1232, true)
	return q.ex.Exchange(ctx, m)
}

func (q querier) String() string {
	if s, ok := q.ex.(fmt.Stringer); ok {
		return "resolver " + s.String()
	}
	return "the resolver"
}

// checkDNSSEC validates the answer to the domain's SOA query (the SOA
// itself at a zone apex, else a signed denial: either way the chain of its
// zone) and, with a DNS record to find, the answer at the record's owner,
// back to the trust anchors; it reports the weakest verdict with its
// broken link. It needs no zone discovery, so it runs beside it.
func (r *run) checkDNSSEC() {
	zone := r.adn
	if r.d.DNSSEC == verify.DNSSECOff {
		r.out.add(Finding{Code: DNSSECSkipped, Severity: Info, Subject: zone,
			Message: "DNSSEC validation is off for this diagnosis: the chain of trust was not checked (a CA must check it: BR ballot SC-085v2)"})
		return
	}
	v := &dnssec.Validator{Anchors: r.d.TrustAnchors, Now: r.d.Now}
	if dc, ok := r.dns.(*verify.DNSClient); ok && r.d.Now == nil {
		v = dc.DNSSECValidator(r.d.TrustAnchors) // its DS/DNSKEY cache outlives one diagnosis
	}
	q := querier{r.dns}
	type question struct {
		name  string
		qtype uint16
	}
	qs := []question{{zone, dns.TypeSOA}}
	if r.record != nil {
		qt := dns.TypeTXT
		if r.record.Type == "CNAME" {
			qt = dns.TypeCNAME
		}
		qs = append(qs, question{r.record.Name, qt})
	}
	results := make([]dnssec.Result, len(qs))
	var wg sync.WaitGroup
	for i, qu := range qs {
		wg.Go(func() {
			resp, err := q.Query(r.ctx, qu.name, qu.qtype)
			if err != nil {
				results[i] = dnssec.Result{Verdict: dnssec.Indeterminate, Zone: zone, Reason: fmt.Sprintf("%s did not answer %s %s: %v", q, dns.Fqdn(qu.name), dns.TypeToString[qu.qtype], err)}
				return
			}
			results[i] = v.Validate(r.ctx, q, resp)
		})
	}
	wg.Wait()
	if r.ctx.Err() != nil {
		r.out.undone("DNSSEC of %s: the chain was not fetched in time", zone)
		return
	}
	worst := results[0]
	for _, res := range results[1:] {
		if dnssec.Weakest(worst.Verdict, res.Verdict) != worst.Verdict {
			worst = res
		}
	}
	r.dnssec = worst.Verdict
	ev := []string{}
	for i, res := range results {
		ev = append(ev, fmt.Sprintf("%s %s: %s%s", dns.Fqdn(qs[i].name), dns.TypeToString[qs[i].qtype], res.Verdict, reasonSuffix(res.Reason)))
	}
	switch worst.Verdict {
	case dnssec.Bogus:
		r.out.add(Finding{Code: DNSSECBogus, Severity: Error, Subject: linkName(worst.Zone, zone),
			Message:  "DNSSEC validation fails: " + worst.Reason,
			Fix:      "re-sign the zone (or fix the signer), and make the DS records at the registrar match the zone's DNSKEYs; or remove the DS to unsign the zone",
			Evidence: ev})
	case dnssec.Indeterminate:
		r.out.add(Finding{Code: DNSSECIndeterminate, Severity: Error, Subject: linkName(worst.Zone, zone),
			Message:  "the DNSSEC chain of trust could not be fetched: " + worst.Reason,
			Fix:      "make every name server of the zone and its parents answer DNSKEY and DS queries, with signatures",
			Evidence: ev})
	case dnssec.Insecure:
		r.out.add(Finding{Code: DNSSECInsecure, Severity: Info, Subject: linkName(worst.Zone, zone),
			Message:  "the zone is not signed (DNSSEC insecure): validation proceeds without it",
			Evidence: ev})
	}
}

func reasonSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// linkName is the zone a verdict names, as subjects spell names.
func linkName(z, fallback string) string {
	if z == "." {
		return z
	}
	return strings.TrimSuffix(cmp.Or(dns.CanonicalName(z), fallback), ".")
}
