package diagnose

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/verify"
)

// maxTXTString is the size of one TXT character-string (RFC 1035 3.3).
const maxTXTString = 255

// lookup is one answer: values seen or the error.
type lookup struct {
	values []string
	err    error
}

func (l lookup) found() bool { return l.err == nil && len(l.values) > 0 }

// recordSpec is the record a DNS method needs: owner name, type, and the
// expected value when a challenge was given.
type recordSpec struct {
	owner string
	rtype string // "TXT" or "CNAME"
	qtype uint16
	want  string
}

func (r *run) recordSpecFor(m challenge.Method) (recordSpec, bool) {
	if r.record != nil && r.given == m {
		owner, err := dnsname.Owner(r.record.Name)
		if err != nil {
			return recordSpec{}, false
		}
		s := recordSpec{owner: owner, rtype: r.record.Type, qtype: dns.TypeTXT, want: r.record.Value}
		if s.rtype == "CNAME" {
			s.qtype, s.want = dns.TypeCNAME, strings.ToLower(dnsname.FQDN(s.want))
		}
		return s, true
	}
	switch m {
	case challenge.DNSTXT:
		return recordSpec{owner: challenge.DefaultTXTLabel + "." + r.adn, rtype: "TXT", qtype: dns.TypeTXT}, true
	case challenge.ACMEDNS01:
		return recordSpec{owner: challenge.ACMEDNSLabel + "." + r.adn, rtype: "TXT", qtype: dns.TypeTXT}, true
	case challenge.DNSAccount01:
		if r.req.AccountURI != "" && challenge.ValidAccountURL(r.req.AccountURI) == nil {
			return recordSpec{owner: strings.TrimSuffix(challenge.DNSAccountOwner(r.adn, r.req.AccountURI), "."), rtype: "TXT", qtype: dns.TypeTXT}, true
		}
	}
	return recordSpec{}, false // hash-cname: the owner comes from the CSR
}

// doubled returns the owner names a user creates by typing the full name
// into a host-record field: the zone, or the whole domain, repeated.
func doubled(owner string, zones ...string) []string {
	var out []string
	for _, z := range zones {
		if z == "" {
			continue
		}
		if c := owner + "." + z; !slices.Contains(out, c) && len(c) <= 253 {
			out = append(out, c)
		}
	}
	return out
}

// checkRecord diagnoses one DNS method: the record at the resolver and at
// every authoritative server, a CNAME at the owner, doubled labels.
func (r *run) checkRecord(m challenge.Method) {
	add := r.out.addFor(m)
	spec, ok := r.recordSpecFor(m)
	if !ok {
		switch {
		case m == challenge.HashCNAME && r.record == nil:
			add(Finding{Code: RecordOwner, Severity: Info, Subject: "_<MD5 of the CSR>." + r.adn,
				Message: fmt.Sprintf("%s: a CNAME at _<MD5 of the CSR>.%s; give the challenge to check it", m, r.adn),
				Fix:     "run 'dcv challenge --method hash-cname --csr FILE' to get the exact record"})
		case m == challenge.DNSAccount01 && r.record == nil:
			add(Finding{Code: RecordOwner, Severity: Info, Subject: "_<account label>._acme-challenge." + r.adn,
				Message: fmt.Sprintf("%s: a TXT record at _<account label>._acme-challenge.%s; give the account URL or the challenge to check it", m, r.adn),
				Fix:     "give the ACME account URL (--account-uri) to get the exact owner name"})
		}
		return
	}
	guess, _ := dnsname.Registrable(r.adn)
	var (
		wg        sync.WaitGroup
		atRes     lookup
		cname     lookup
		dbl       = doubled(spec.owner, guess, r.adn)
		dblRes    = make([]lookup, len(dbl))
		servers   []verify.AuthServer
		zone      string
		perServer []lookup
	)
	wg.Go(func() { atRes = r.lookup(r.dns, spec.owner, spec.qtype) })
	if spec.qtype == dns.TypeTXT {
		wg.Go(func() { cname = r.lookup(r.dns, spec.owner, dns.TypeCNAME) })
	}
	for i, n := range dbl {
		wg.Go(func() { dblRes[i] = r.lookup(r.dns, n, spec.qtype) })
	}
	wg.Go(func() {
		var err error
		zone, servers, err = r.zoneInfo()
		if err != nil || r.auth == nil {
			servers = nil
			return
		}
		perServer = make([]lookup, len(servers))
		var sw sync.WaitGroup
		for i, s := range servers {
			// Only the owner's own records: a CNAME to another zone is
			// judged through the resolver.
			sw.Go(func() {
				perServer[i] = r.lookup(verify.AtServer(r.auth, s.Addr), spec.owner, spec.qtype)
			})
		}
		sw.Wait()
	})
	wg.Wait()
	if r.ctx.Err() != nil {
		r.out.undone("%s record at %s: the lookups did not finish in time", m, spec.owner)
		return
	}
	if atRes.err != nil && isTransport(atRes.err) {
		r.out.undone("%s record at %s: the resolver did not answer: %v", m, spec.owner, atRes.err)
		return
	}
	if zone == "" {
		zone = guess
	}
	host := dnsname.HostRecord(spec.owner, zone)
	// where names the record as a DNS console shows it, without an article.
	where := fmt.Sprintf("%s record with host record %q in the DNS of zone %s", spec.rtype, host, zone)
	if host == "@" {
		where = fmt.Sprintf("%s record at the apex (host record @) of zone %s", spec.rtype, zone)
	}

	// A CNAME at the owner (TXT methods): the CA follows it.
	if cname.found() {
		target := cname.values[0] // with its trailing dot, as the record reads
		name := strings.TrimSuffix(target, ".")
		add(Finding{Code: RecordCNAME, Severity: Info, Subject: spec.owner,
			Message:  fmt.Sprintf("%s is a CNAME to %s; the CA reads the %s record there", spec.owner, name, spec.rtype),
			Evidence: []string{spec.owner + ". CNAME " + target}})
		if atRes.err != nil && !errors.Is(atRes.err, verify.ErrNotFound) || verify.IsNXDOMAIN(atRes.err) {
			add(Finding{Code: RecordCNAMETarget, Severity: Error, Subject: name,
				Message:  fmt.Sprintf("the CNAME at %s points at %s, which does not answer", spec.owner, name),
				Fix:      fmt.Sprintf("create the %s record at %s, or remove the CNAME and add the record at %s itself", spec.rtype, name, spec.owner),
				Evidence: []string{atRes.err.Error()}})
			return
		}
		servers = nil // the servers hold only the CNAME: judge by the resolver
		where = fmt.Sprintf("%s record at %s, where the CNAME at %s points", spec.rtype, name, spec.owner)
	}

	// The CA reads the record through a resolver: a lookup that fails
	// there (SERVFAIL, REFUSED, a CNAME loop) fails verification,
	// whatever the name servers hold.
	if atRes.err != nil && !errors.Is(atRes.err, verify.ErrNotFound) {
		add(Finding{Code: DNSLookupFailed, Severity: Error, Subject: spec.owner,
			Message:  fmt.Sprintf("the lookup of the %s record at %s fails at the resolver", spec.rtype, spec.owner),
			Fix:      "fix the zone's name servers (or its DNSSEC) so that the lookup succeeds: a CA's resolver fails the same way",
			Evidence: []string{atRes.err.Error()}})
		return
	}

	if spec.want == "" {
		add(Finding{Code: RecordOwner, Severity: Info, Subject: spec.owner,
			Message: fmt.Sprintf("%s: publish a %s (%s)", m, where, spec.owner)})
		for i, n := range dbl {
			if dblRes[i].found() {
				add(r.doubledFinding(Warning, spec, n, host, zone, dblRes[i].values))
			}
		}
		return
	}

	has := func(l lookup) bool { return l.err == nil && slices.Contains(l.values, spec.want) }
	var present, absent, wrong []string
	var wrongVals []string
	for i, s := range servers {
		l := perServer[i]
		label := s.NS + " (" + s.Addr + ")"
		switch {
		case has(l):
			present = append(present, label+": has it")
		case l.err == nil:
			wrong = append(wrong, label+": "+quoteAll(l.values))
			wrongVals = append(wrongVals, l.values...)
		case errors.Is(l.err, verify.ErrNotFound):
			absent = append(absent, label+": "+negative(l.err))
		}
	}
	resolverHas := has(atRes)
	if len(servers) == 0 { // judge by the resolver alone
		switch {
		case resolverHas:
		case atRes.err == nil:
			wrongVals = atRes.values
			wrong = []string{"resolver: " + quoteAll(atRes.values)}
		default:
			absent = []string{"resolver: " + negative(atRes.err)}
		}
	}
	if !resolverHas && atRes.err == nil && len(wrongVals) == 0 {
		wrongVals = atRes.values
	}

	switch {
	case len(present) > 0 && (len(absent) > 0 || len(wrong) > 0):
		add(Finding{Code: RecordNotPropagated, Severity: Error, Subject: spec.owner,
			Message:  fmt.Sprintf("%d of %d name servers serve the record; the others do not yet", len(present), len(servers)),
			Fix:      "wait until every name server serves it (check your DNS provider's sync), then ask the CA to validate",
			Evidence: append(append(present, absent...), wrong...)})
	case len(present) == 0 && len(wrong) > 0:
		if f, ok := r.tooLong(spec, wrongVals, where); ok {
			add(f)
			return
		}
		add(Finding{Code: RecordMismatch, Severity: Error, Subject: spec.owner,
			Message:  fmt.Sprintf("the %s record at %s holds another value", spec.rtype, spec.owner),
			Fix:      fmt.Sprintf("set the value of the %s to %q exactly; remove stale records", where, spec.want),
			Evidence: wrong})
	case len(present) == 0 && !resolverHas:
		for i, n := range dbl {
			if dblRes[i].found() {
				add(r.doubledFinding(Error, spec, n, host, zone, dblRes[i].values))
				return
			}
		}
		add(Finding{Code: RecordMissing, Severity: Error, Subject: spec.owner,
			Message:  fmt.Sprintf("no %s record at %s", spec.rtype, spec.owner),
			Fix:      fmt.Sprintf("add a %s, value %q; then wait for its TTL", where, spec.want),
			Evidence: absent})
	case !resolverHas:
		seen := negative(atRes.err)
		if atRes.err == nil {
			seen = quoteAll(atRes.values)
		}
		add(Finding{Code: RecordResolverStale, Severity: Warning, Subject: spec.owner,
			Message:  "every name server serves the record, but the resolver still answers from its cache",
			Fix:      "wait for the cached answer's TTL (the SOA minimum for a missing record) to pass; the CA's resolver may cache it too",
			Evidence: []string{"resolver: " + seen}})
	}
}

// doubledFinding explains a record found at a doubled owner name.
func (r *run) doubledFinding(sev Severity, spec recordSpec, at, host, zone string, values []string) Finding {
	typed := dnsname.HostRecord(at, zone)
	return Finding{Code: RecordDoubledLabel, Severity: sev, Subject: at,
		Message:  fmt.Sprintf("the %s record is at %s, not %s: the full name was typed into the host-record field", spec.rtype, at, spec.owner),
		Fix:      fmt.Sprintf("in zone %s, change the host record from %q to %q (the console adds .%s itself)", zone, typed, host, zone),
		Evidence: []string{at + ": " + quoteAll(values)}}
}

// tooLong recognizes a value over 255 octets published as one string cut
// at 255 (what a console does when it does not split).
func (r *run) tooLong(spec recordSpec, seen []string, where string) (Finding, bool) {
	if spec.qtype != dns.TypeTXT || len(spec.want) <= maxTXTString {
		return Finding{}, false
	}
	for _, v := range seen {
		if len(v) >= maxTXTString && len(v) < len(spec.want) && strings.HasPrefix(spec.want, v) {
			return Finding{Code: RecordTooLong, Severity: Error, Subject: spec.owner,
				Message:  fmt.Sprintf("the value is %d octets; the record holds only the first %d", len(spec.want), len(v)),
				Fix:      fmt.Sprintf("publish the %s with its value split into strings of at most 255 octets (\"part1\" \"part2\"); the CA joins them", where),
				Evidence: []string{fmt.Sprintf("seen %d octets: %.40q…", len(v), v)}}, true
		}
	}
	return Finding{}, false
}

func (r *run) lookup(ex verify.Exchanger, owner string, qtype uint16) lookup {
	a, err := verify.Lookup(r.ctx, ex, owner, qtype)
	return lookup{values: a.Values, err: err}
}

// isTransport reports whether err means the server did not answer at all.
func isTransport(err error) bool {
	return errors.Is(err, verify.ErrTimeout) || errors.Is(err, verify.ErrConnection)
}

func negative(err error) string {
	switch {
	case verify.IsNXDOMAIN(err):
		return "NXDOMAIN (no such name)"
	case verify.IsNODATA(err):
		return "NODATA (no record of the type)"
	case err == nil:
		return "no value"
	}
	return err.Error()
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		if len(v) > 80 {
			v = v[:80] + "…"
		}
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}
